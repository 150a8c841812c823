import path from 'node:path';
import { projectRoot } from '../../projectRoot';
import { RgbCanvas } from '../../images/pngEncoding';
import { GROUPS, METHODS, type DatasetSummary, type ExperimentResults, type Group, type Method, type TrialResult } from './experimentTypes';

/**
 * The report of `npm run experiment:shapes`: the per-(beta, method) summary over seeds, the
 * accuracy plot (a PNG drawn here, no plotting library) and REPORT.md. Pure functions of the
 * results; writing the files is the experiment's job.
 */

export interface MeanSd {
  mean: number;
  /** Sample standard deviation (n - 1); 0 when n = 1. */
  sd: number;
}

export interface MethodSummary {
  /** Seeds (trials) averaged. */
  n: number;
  overall: MeanSd;
  groups: Record<Group, MeanSd>;
}

export interface BetaSummary {
  beta: number;
  /** Keys in METHODS order. */
  methods: Record<Method, MethodSummary>;
}

/** One entry per bias level, largest beta (strongest bias) first. */
export type ExperimentSummary = BetaSummary[];

function meanSd(values: number[]): MeanSd {
  const n = values.length;
  const mean = values.reduce((sum, value) => sum + value, 0) / n;
  if (n < 2) return { mean, sd: 0 };
  const squares = values.reduce((sum, value) => sum + (value - mean) ** 2, 0);
  return { mean, sd: Math.sqrt(squares / (n - 1)) };
}

/** Mean and sample sd over seeds of each method's overall and per-group accuracy, per bias level. */
export function summariseTrials(trials: TrialResult[]): ExperimentSummary {
  const byBeta = new Map<number, TrialResult[]>();
  for (const trial of trials) {
    const list = byBeta.get(trial.beta) ?? [];
    if (list.some((other) => other.seed === trial.seed)) throw new Error(`two trials for beta ${trial.beta}, seed ${trial.seed}`);
    list.push(trial);
    byBeta.set(trial.beta, list);
  }
  return [...byBeta.keys()]
    .sort((a, b) => b - a)
    .map((beta) => {
      const list = byBeta.get(beta) as TrialResult[];
      const methods = {} as Record<Method, MethodSummary>;
      for (const method of METHODS) {
        const groups = {} as Record<Group, MeanSd>;
        for (const group of GROUPS) groups[group] = meanSd(list.map((trial) => trial.accuracy[method].groups[group]));
        methods[method] = { n: list.length, overall: meanSd(list.map((trial) => trial.accuracy[method].overall)), groups };
      }
      return { beta, methods };
    });
}

// ---------------------------------------------------------------------------------------------
// The plot

export type Rgb = readonly [number, number, number];

/** Line, marker, error bar and legend colour of each method. */
export const METHOD_COLOURS: Record<Method, Rgb> = { baseline: [140, 140, 140], random: [255, 127, 14], qdgs: [31, 119, 180] };
const COLOUR_NAMES: Record<Method, string> = { baseline: 'grey', random: 'orange', qdgs: 'blue' };
export const GRID_COLOUR: Rgb = [225, 225, 225];
export const AXIS_COLOUR: Rgb = [64, 64, 64];
const BACKGROUND: Rgb = [255, 255, 255];

export interface PlotOptions {
  width?: number;
  height?: number;
}

export interface PlotGeometry {
  width: number;
  height: number;
  /** The plot rectangle, in pixels (right and bottom inclusive). */
  left: number;
  top: number;
  right: number;
  bottom: number;
  /** Accuracy at the bottom of the y axis (the top is 1.0). */
  yMin: number;
  yMax: number;
  /** Pixel row of an accuracy (not clamped). */
  y(accuracy: number): number;
  /** Pixel column of the `index`-th beta of the summary, shifted a little per method so error bars do not overlap. */
  x(index: number, method?: Method): number;
}

/** Bottom of the y axis: 0.4, or lower when a mean - sd is lower (rounded down to 0.1, not below 0). */
export function accuracyAxisMinimum(summary: ExperimentSummary): number {
  let lowest = 0.4;
  for (const entry of summary) {
    for (const method of METHODS) {
      const { mean, sd } = entry.methods[method].overall;
      if (Number.isFinite(mean - sd)) lowest = Math.min(lowest, mean - sd);
    }
  }
  return Math.max(0, Math.floor(Math.round(lowest * 1e6) / 1e5) / 10);
}

/** Where renderAccuracyPlot puts things: betas evenly spaced in the summary's order (strongest bias left). */
export function plotGeometry(summary: ExperimentSummary, options: PlotOptions = {}): PlotGeometry {
  const width = options.width ?? 640;
  const height = options.height ?? 400;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 240 || height < 200) throw new RangeError(`plot size must be integers of at least 240 x 200; got ${width} x ${height}`);
  const left = 44;
  const top = 28;
  const right = width - 16;
  const bottom = height - 70;
  const yMin = accuracyAxisMinimum(summary);
  const yMax = 1;
  const count = summary.length;
  const slot = (right - left) / Math.max(1, count);
  const dodge = Math.min(8, Math.floor(slot / 8));
  return {
    width,
    height,
    left,
    top,
    right,
    bottom,
    yMin,
    yMax,
    y: (accuracy) => Math.round(bottom - ((accuracy - yMin) / (yMax - yMin)) * (bottom - top)),
    x: (index, method) => Math.round(left + slot * (index + 0.5)) + (method === undefined ? 0 : (METHODS.indexOf(method) - 1) * dodge),
  };
}

/** 3 x 5 pixel glyphs, rows top to bottom, '1' = ink. */
const GLYPHS: Record<string, string> = {
  '0': '111101101101111', '1': '010110010010111', '2': '111001111100111', '3': '111001111001111', '4': '101101111001001',
  '5': '111100111001111', '6': '111100111101111', '7': '111001001001001', '8': '111101111101111', '9': '111101111001111',
  '.': '000000000000010', '-': '000000111000000', ' ': '000000000000000', A: '010101111101101', B: '110101110101110',
  C: '011100100100011', D: '110101101101110', E: '111100110100111', G: '011100101101011', I: '111010010010111',
  L: '100100100100111', M: '101111101101101', N: '110101101101101', O: '010101101101010', Q: '010101101110011',
  R: '110101110101101', S: '011100010001110', T: '111010010010010', U: '101101101101111', Y: '101101010010010',
};
const FONT_SCALE = 2;
const ADVANCE = 4 * FONT_SCALE;

/** An RGB raster with the few primitives the chart needs; encoded through RgbCanvas. */
class Raster {
  readonly data: Uint8Array;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.data = new Uint8Array(width * height * 3);
    this.fillRect(0, 0, width, height, BACKGROUND);
  }

  set(x: number, y: number, colour: Rgb): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    const i = (y * this.width + x) * 3;
    this.data[i] = colour[0];
    this.data[i + 1] = colour[1];
    this.data[i + 2] = colour[2];
  }

  fillRect(left: number, top: number, width: number, height: number, colour: Rgb): void {
    for (let y = top; y < top + height; y++) for (let x = left; x < left + width; x++) this.set(x, y, colour);
  }

  /** Bresenham, each point a `thickness` x `thickness` square. */
  line(x0: number, y0: number, x1: number, y1: number, colour: Rgb, thickness = 2): void {
    const dx = Math.abs(x1 - x0);
    const dy = -Math.abs(y1 - y0);
    const sx = x0 < x1 ? 1 : -1;
    const sy = y0 < y1 ? 1 : -1;
    let error = dx + dy;
    for (;;) {
      this.fillRect(x0, y0, thickness, thickness, colour);
      if (x0 === x1 && y0 === y1) return;
      const doubled = 2 * error;
      if (doubled >= dy) {
        error += dy;
        x0 += sx;
      }
      if (doubled <= dx) {
        error += dx;
        y0 += sy;
      }
    }
  }

  text(value: string, left: number, top: number, colour: Rgb): void {
    [...value.toUpperCase()].forEach((char, index) => {
      const glyph = GLYPHS[char] ?? GLYPHS[' '];
      for (let bit = 0; bit < 15; bit++) {
        if (glyph[bit] === '1') this.fillRect(left + index * ADVANCE + (bit % 3) * FONT_SCALE, top + Math.floor(bit / 3) * FONT_SCALE, FONT_SCALE, FONT_SCALE, colour);
      }
    });
  }

  encodePng(): Buffer {
    const floats = new Float32Array(this.data.length);
    for (let i = 0; i < floats.length; i++) floats[i] = this.data[i] / 255;
    const canvas = new RgbCanvas(this.width, this.height, 255);
    canvas.drawImage({ data: floats, offset: 0, width: this.width, height: this.height, layout: 'nhwc' }, 0, 0);
    return canvas.encodePng();
  }
}

function textWidth(value: string): number {
  return value.length * ADVANCE - FONT_SCALE;
}

/**
 * Line chart of mean overall accuracy against beta, one line with square markers and +-1 sd
 * error bars per method (METHOD_COLOURS), betas evenly spaced in the summary's order (the
 * summary from summariseTrials puts the strongest bias on the left), grid lines at every 0.1
 * of accuracy and at each beta, tick labels and a legend in a 3 x 5 pixel font.
 */
export function renderAccuracyPlot(summary: ExperimentSummary, options: PlotOptions = {}): Buffer {
  const g = plotGeometry(summary, options);
  const raster = new Raster(g.width, g.height);
  const clampY = (accuracy: number) => Math.min(g.bottom, Math.max(g.top, g.y(accuracy)));
  const ticks: number[] = [];
  for (let tenths = Math.round(g.yMin * 10); tenths <= 10; tenths++) ticks.push(tenths / 10);

  for (const tick of ticks) raster.line(g.left, g.y(tick), g.right, g.y(tick), GRID_COLOUR, 1);
  summary.forEach((_, index) => raster.line(g.x(index), g.top, g.x(index), g.bottom, GRID_COLOUR, 1));
  raster.line(g.left, g.top, g.left, g.bottom, AXIS_COLOUR, 2);
  raster.line(g.left, g.bottom, g.right, g.bottom, AXIS_COLOUR, 2);

  for (const method of METHODS) {
    const colour = METHOD_COLOURS[method];
    const points = summary
      .map((entry, index) => ({ ...entry.methods[method].overall, x: g.x(index, method) }))
      .filter((point) => Number.isFinite(point.mean) && Number.isFinite(point.sd));
    for (let i = 1; i < points.length; i++) raster.line(points[i - 1].x, clampY(points[i - 1].mean), points[i].x, clampY(points[i].mean), colour);
    for (const point of points) {
      const high = clampY(point.mean + point.sd);
      const low = clampY(point.mean - point.sd);
      raster.line(point.x, high, point.x, low, colour);
      raster.line(point.x - 3, high, point.x + 3, high, colour);
      raster.line(point.x - 3, low, point.x + 3, low, colour);
      raster.fillRect(point.x - 3, clampY(point.mean) - 3, 8, 8, colour);
    }
  }

  for (const tick of ticks) {
    const label = tick.toFixed(1);
    raster.line(g.left - 5, g.y(tick), g.left - 1, g.y(tick), AXIS_COLOUR, 1);
    raster.text(label, g.left - 8 - textWidth(label), g.y(tick) - 5, AXIS_COLOUR);
  }
  summary.forEach((entry, index) => {
    const label = String(entry.beta);
    raster.line(g.x(index), g.bottom + 2, g.x(index), g.bottom + 5, AXIS_COLOUR, 1);
    raster.text(label, g.x(index) - Math.floor(textWidth(label) / 2), g.bottom + 9, AXIS_COLOUR);
  });
  raster.text('BETA', Math.round((g.left + g.right - textWidth('BETA')) / 2), g.bottom + 25, AXIS_COLOUR);
  raster.text('ACCURACY', g.left - 20, g.top - 18, AXIS_COLOUR);

  let legendX = g.left;
  const legendY = g.height - 22;
  for (const method of METHODS) {
    raster.fillRect(legendX, legendY - 1, 12, 12, METHOD_COLOURS[method]);
    raster.text(method, legendX + 18, legendY, AXIS_COLOUR);
    legendX += 18 + textWidth(method) + 24;
  }
  return raster.encodePng();
}

// ---------------------------------------------------------------------------------------------
// REPORT.md

const GROUP_LABELS: Record<Group, string> = {
  redTriangle: 'red triangles',
  blueTriangle: 'blue triangles',
  redSquare: 'red squares',
  blueSquare: 'blue squares',
};

/** "45.0 s", "14.2 min", "1 h 12 min". */
export function formatDuration(seconds: number): string {
  if (seconds < 120) return `${seconds.toFixed(1)} s`;
  if (seconds < 3600) return `${(seconds / 60).toFixed(1)} min`;
  const minutes = Math.round(seconds / 60);
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

function percent(value: number): string {
  return `${(100 * value).toFixed(1)}%`;
}

/** "71.2 ± 1.3%". */
export function formatMeanSd(value: MeanSd): string {
  return `${(100 * value.mean).toFixed(1)} ± ${(100 * value.sd).toFixed(1)}%`;
}

/** Difference of two accuracies in percentage points, signed: "+4.8 pp". */
function points(difference: number): string {
  const rounded = (100 * difference).toFixed(1);
  return `${difference >= 0 && !rounded.startsWith('-') ? '+' : ''}${rounded} pp`;
}

function balanceInline(balance: number[][]): string {
  return `[${balance.map((row) => `[${row.join(', ')}]`).join(', ')}]`;
}

function settingsInline(settings: Record<string, number | string>): string {
  const entries = Object.entries(settings);
  return entries.length === 0 ? 'engine defaults' : entries.map(([key, value]) => `\`${key}=${value}\``).join(', ');
}

function datasetRow(d: DatasetSummary): string {
  const p = d.oracleProportions;
  const proportions = [p.redTriangle, p.blueTriangle, p.redSquare, p.blueSquare].map((value) => (100 * value).toFixed(1)).join(' / ');
  return `| ${d.method} | ${d.seed} | ${d.algorithm} | ${d.iterations} | ${d.evaluations} | ${percent(d.coverage)} | ${d.normQdScore.toFixed(4)} | ${d.elites} | ${d.kept} | ${percent(d.squareShare)} | ${percent(d.labelAgreement)} | ${proportions} | ${balanceInline(d.balance)} | \`${d.runId}\` |`;
}

function datasetTable(datasets: DatasetSummary[]): string {
  if (datasets.length === 0) return 'No synthetic datasets were recorded.';
  return [
    '| method | seed | algorithm | iterations | evaluations | coverage | norm. QD score | elites | kept | square share | label agreement | oracle RT / BT / RS / BS | balance | run |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...datasets.map(datasetRow),
  ].join('\n');
}

/** One sentence per bias level on whether qdgs >= random > baseline holds for the mean overall accuracy. */
function trendLine(entry: BetaSummary): string {
  const mean = (method: Method) => entry.methods[method].overall.mean;
  const failures: string[] = [];
  if (!(mean('qdgs') >= mean('random'))) failures.push('qdgs < random');
  if (!(mean('random') > mean('baseline'))) failures.push('random <= baseline');
  const verdict = failures.length === 0 ? 'qdgs >= random > baseline holds' : `qdgs >= random > baseline does not hold (${failures.join(', ')})`;
  return `- beta = ${entry.beta}: ${verdict}; qdgs ${percent(mean('qdgs'))}, random ${percent(mean('random'))}, baseline ${percent(mean('baseline'))} (qdgs - random ${points(mean('qdgs') - mean('random'))}, random - baseline ${points(mean('random') - mean('baseline'))}).`;
}

function readingSection(summary: ExperimentSummary): string {
  if (summary.length === 0) return 'No trials were recorded.';
  const gain = (entry: BetaSummary) => entry.methods.qdgs.overall.mean - entry.methods.baseline.overall.mean;
  const holding = summary.filter((entry) => entry.methods.qdgs.overall.mean >= entry.methods.random.overall.mean && entry.methods.random.overall.mean > entry.methods.baseline.overall.mean);
  const best = Math.max(...summary.map(gain));
  const largest = summary.filter((entry) => gain(entry) === best).map((entry) => `beta = ${entry.beta}`);
  return [
    'Facts computed from the mean overall accuracies above (comparisons on the unrounded means); the analysis is added separately.',
    '',
    ...summary.map(trendLine),
    '',
    `qdgs >= random > baseline holds at ${holding.length} of ${summary.length} bias levels${holding.length > 0 ? ` (${holding.map((entry) => `beta = ${entry.beta}`).join(', ')})` : ''}.`,
    '',
    `The qdgs - baseline gain in mean overall accuracy is largest at ${largest.join(' and ')}: ${points(best)} (per beta: ${summary.map((entry) => `${entry.beta} ${points(gain(entry))}`).join(', ')}).`,
  ].join('\n');
}

/** The whole experiments/shapes/REPORT.md; `plotFileName` is renderAccuracyPlot's PNG, relative to the report. */
/** A folder inside the project as a relative path (reports are committed; absolute paths are machine-specific). */
function displayPath(dir: string): string {
  const relative = path.relative(projectRoot(), dir);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : dir;
}

export function renderReportMarkdown(results: ExperimentResults, plotFileName: string): string {
  const { options, trials, datasets } = results;
  const summary = summariseTrials(trials);
  const meanTrial = trials.length > 0 ? trials.reduce((sum, trial) => sum + trial.seconds, 0) / trials.length : 0;
  const methodHeader = `| ${METHODS.join(' | ')} |`;
  const methodRule = METHODS.map(() => '---').join('|');

  const mainRows = summary.map((entry) => `| ${entry.beta} | ${entry.methods.baseline.n} | ${METHODS.map((method) => formatMeanSd(entry.methods[method].overall)).join(' | ')} |`);
  const groupTables = summary.map((entry) =>
    [
      `### beta = ${entry.beta}`,
      '',
      `| group ${methodHeader}`,
      `|---|${methodRule}|`,
      ...GROUPS.map((group) => `| ${GROUP_LABELS[group]} | ${METHODS.map((method) => formatMeanSd(entry.methods[method].groups[group])).join(' | ')} |`),
    ].join('\n'),
  );
  const sortedDatasets = [...datasets].sort((a, b) => a.seed - b.seed || METHODS.indexOf(a.method) - METHODS.indexOf(b.method));
  const yMin = accuracyAxisMinimum(summary);
  const strongest = summary.length > 0 ? ` (beta = ${summary[0].beta})` : '';

  return `# Shapes experiment (QDGS paper): report

Classifiers trained on colour-biased shapes at several bias levels beta (the share of red triangles and blue squares in the real training set; blue triangles and red squares make up the rest), then fine-tuned on a synthetic dataset from a random-search run ("random") and one from a QDGS run ("qdgs"); "baseline" is the classifier before fine-tuning. Accuracy is measured on a balanced real test set. Rerun with \`npm run experiment:shapes\`.

Finished ${results.finishedAt}; total runtime ${formatDuration(results.seconds)} (${trials.length} trials, ${formatDuration(meanTrial)} each on average).

## What was run

- Bias levels beta: ${options.betas.join(', ')}; seeds: ${options.seeds.join(', ')}.
- Real images: ${options.size}x${options.size}, ${options.trainCount} training images per bias level, ${options.testCount} balanced test images.
- Baseline training: ${options.epochs} epochs, batch ${options.batchSize}, learning rate ${options.learningRate}; fine-tuning: ${options.fineTuneEpochs} epochs on each synthetic dataset.
- Synthetic datasets: ${options.iterations} iterations per platform run; QDGS settings: ${settingsInline(options.qdgsSettings)}.
- Labels from the shape measure: below ${options.triangleBelow} a triangle, at or above ${options.squareFrom} a square, dropped in between.
- Output directory: \`${displayPath(options.outDir)}\`.

## Overall accuracy

Mean ± sample standard deviation over the n seeds, in percent, on the balanced test set.

| beta | n ${methodHeader}
|---|---|${methodRule}|
${mainRows.join('\n')}

![Mean overall accuracy against beta](${plotFileName})

Mean overall accuracy (y, ${yMin.toFixed(1)} to 1.0, grid every 0.1) against beta (x, evenly spaced, strongest bias${strongest} on the left), error bars ±1 sample sd over seeds: ${METHODS.map((method) => `${method} ${COLOUR_NAMES[method]}`).join(', ')}.

## Accuracy per group

Mean ± sample sd over seeds, in percent, per colour x shape group of the balanced test set.

${groupTables.join('\n\n')}

## Synthetic datasets

Oracle proportions are red triangles / blue triangles / red squares / blue squares (RT / BT / RS / BS) in percent of the kept samples; the balance table is the run's counts[colour bin][shape bin], bins in ascending measure order.

${datasetTable(sortedDatasets)}

## Reading the numbers

${readingSection(summary)}
`;
}
