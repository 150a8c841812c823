import { PNG } from 'pngjs';
import {
  accuracyAxisMinimum,
  formatDuration,
  GRID_COLOUR,
  METHOD_COLOURS,
  plotGeometry,
  renderAccuracyPlot,
  renderReportMarkdown,
  summariseTrials,
} from '../../src/experiments/shapes/experimentReport';
import { GROUPS, METHODS, type Accuracy, type DatasetSummary, type ExperimentResults, type Group, type Method, type TrialResult } from '../../src/experiments/shapes/experimentTypes';

/** Overall accuracy and groups; unspecified groups get the overall value. */
function accuracy(overall: number, groups: Partial<Record<Group, number>> = {}): Accuracy {
  return { overall, groups: { redTriangle: overall, blueTriangle: overall, redSquare: overall, blueSquare: overall, ...groups } };
}

function trial(beta: number, seed: number, overall: Record<Method, number>, groups: Partial<Record<Method, Partial<Record<Group, number>>>> = {}): TrialResult {
  return {
    beta,
    seed,
    accuracy: { baseline: accuracy(overall.baseline, groups.baseline), random: accuracy(overall.random, groups.random), qdgs: accuracy(overall.qdgs, groups.qdgs) },
    seconds: 100,
  };
}

/** beta 0.9 first on purpose: the summary must put 0.98 first. */
function trials(qdgsAt098: [number, number] = [0.8, 0.86]): TrialResult[] {
  return [
    trial(0.9, 1, { baseline: 0.75, random: 0.8, qdgs: 0.85 }),
    trial(0.9, 2, { baseline: 0.77, random: 0.82, qdgs: 0.85 }),
    trial(0.98, 1, { baseline: 0.6, random: 0.7, qdgs: qdgsAt098[0] }, { baseline: { redSquare: 0.3, blueTriangle: 0.2 } }),
    trial(0.98, 2, { baseline: 0.64, random: 0.74, qdgs: qdgsAt098[1] }, { baseline: { redSquare: 0.4, blueTriangle: 0.3 } }),
  ];
}

function dataset(method: 'random' | 'qdgs', seed: number, balance: number[][]): DatasetSummary {
  return {
    method,
    seed,
    runId: `run-${method}-${seed}`,
    algorithm: method === 'qdgs' ? 'cma_maega' : 'random',
    iterations: 200,
    evaluations: method === 'qdgs' ? 7200 : 7000,
    coverage: method === 'qdgs' ? 0.8125 : 0.4375,
    normQdScore: method === 'qdgs' ? 0.61234 : 0.2,
    elites: method === 'qdgs' ? 13 : 7,
    kept: 7,
    squareShare: method === 'qdgs' ? 0.5 : 0.25,
    labelAgreement: 0.95,
    oracleProportions: { redTriangle: 0.25, blueTriangle: 0.2, redSquare: 0.3, blueSquare: 0.25 },
    balance,
  };
}

function results(list: TrialResult[]): ExperimentResults {
  return {
    options: {
      betas: [0.98, 0.9],
      seeds: [1, 2],
      size: 32,
      epochs: 20,
      fineTuneEpochs: 30,
      batchSize: 64,
      learningRate: 0.001,
      trainCount: 1000,
      testCount: 5000,
      iterations: 200,
      qdgsSettings: { batchSize: 36, sigma0: 0.5 },
      triangleBelow: 0.4,
      squareFrom: 0.6,
      outDir: 'experiments/shapes',
    },
    datasets: [dataset('qdgs', 1, [[10, 2], [3, 9]]), dataset('random', 1, [[20, 1], [0, 15]])],
    trials: list,
    seconds: 4320,
    finishedAt: '2025-01-02T03:04:05.000Z',
  };
}

const SQRT2 = Math.sqrt(2);

describe('summariseTrials', () => {
  it('orders betas descending and methods in METHODS order, with means and sample sds over seeds', () => {
    const summary = summariseTrials(trials());
    expect(summary.map((entry) => entry.beta)).toEqual([0.98, 0.9]);
    expect(Object.keys(summary[0].methods)).toEqual([...METHODS]);
    const [high, low] = summary;
    expect(high.methods.baseline.n).toBe(2);
    // Two seeds: sd = |a - b| / sqrt(2).
    expect(high.methods.baseline.overall.mean).toBeCloseTo(0.62, 12);
    expect(high.methods.baseline.overall.sd).toBeCloseTo(0.04 / SQRT2, 12);
    expect(high.methods.random.overall.mean).toBeCloseTo(0.72, 12);
    expect(high.methods.qdgs.overall.mean).toBeCloseTo(0.83, 12);
    expect(high.methods.qdgs.overall.sd).toBeCloseTo(0.06 / SQRT2, 12);
    expect(low.methods.qdgs.overall).toEqual({ mean: 0.85, sd: 0 });
    expect(low.methods.baseline.overall.mean).toBeCloseTo(0.76, 12);
    expect(low.methods.baseline.overall.sd).toBeCloseTo(0.02 / SQRT2, 12);
    // Per group.
    expect(high.methods.baseline.groups.redSquare.mean).toBeCloseTo(0.35, 12);
    expect(high.methods.baseline.groups.redSquare.sd).toBeCloseTo(0.1 / SQRT2, 12);
    expect(high.methods.baseline.groups.blueTriangle.mean).toBeCloseTo(0.25, 12);
    expect(high.methods.baseline.groups.redTriangle.mean).toBeCloseTo(0.62, 12);
    expect(Object.keys(high.methods.qdgs.groups)).toEqual([...GROUPS]);
  });

  it('divides by n - 1 for three seeds and gives sd 0 for one', () => {
    const three = summariseTrials([0.5, 0.6, 0.9].map((value, seed) => trial(0.5, seed, { baseline: value, random: value, qdgs: value })));
    // mean 2/3; squared deviations sum 0.08667; / (3 - 1) -> 0.04333.
    expect(three[0].methods.random.overall.mean).toBeCloseTo(2 / 3, 12);
    expect(three[0].methods.random.overall.sd).toBeCloseTo(Math.sqrt((1 / 36 + 1 / 225 + 49 / 900) / 2), 12);
    expect(three[0].methods.random.overall.sd).toBeCloseTo(0.208167, 5);
    const one = summariseTrials([trial(0.7, 1, { baseline: 0.5, random: 0.6, qdgs: 0.9 })]);
    expect(one[0].methods.qdgs).toMatchObject({ n: 1, overall: { mean: 0.9, sd: 0 } });
  });

  it('rejects two trials of the same beta and seed', () => {
    expect(() => summariseTrials([trials()[0], trials()[0]])).toThrow(/beta 0.9, seed 1/);
  });
});

describe('formatDuration', () => {
  it('formats seconds, minutes and hours', () => {
    expect(formatDuration(45)).toBe('45.0 s');
    expect(formatDuration(852)).toBe('14.2 min');
    expect(formatDuration(4320)).toBe('1 h 12 min');
  });
});

describe('renderReportMarkdown', () => {
  it('writes the run, the tables, the plot and the trend facts', () => {
    const markdown = renderReportMarkdown(results(trials()), 'accuracy.png');
    expect(markdown).toContain('npm run experiment:shapes');
    expect(markdown).toContain('total runtime 1 h 12 min');
    expect(markdown).toContain('Bias levels beta: 0.98, 0.9; seeds: 1, 2.');
    expect(markdown).toContain('20 epochs, batch 64, learning rate 0.001; fine-tuning: 30 epochs');
    expect(markdown).toContain('1000 training images per bias level, 5000 balanced test images');
    expect(markdown).toContain('`batchSize=36`, `sigma0=0.5`');
    expect(markdown).toContain('below 0.4 a triangle, at or above 0.6 a square');

    const high = '| 0.98 | 2 | 62.0 ± 2.8% | 72.0 ± 2.8% | 83.0 ± 4.2% |';
    const low = '| 0.9 | 2 | 76.0 ± 1.4% | 81.0 ± 1.4% | 85.0 ± 0.0% |';
    expect(markdown).toContain('| beta | n | baseline | random | qdgs |');
    expect(markdown).toContain(high);
    expect(markdown).toContain(low);
    expect(markdown.indexOf(high)).toBeLessThan(markdown.indexOf(low));

    expect(markdown).toContain('### beta = 0.98');
    expect(markdown).toContain('| red squares | 35.0 ± 7.1% | 72.0 ± 2.8% | 83.0 ± 4.2% |');
    expect(markdown).toContain('| blue triangles | 25.0 ± 7.1% | 72.0 ± 2.8% | 83.0 ± 4.2% |');

    expect(markdown).toContain('![Mean overall accuracy against beta](accuracy.png)');
    expect(markdown).toContain('baseline grey, random orange, qdgs blue');
    expect(markdown).toContain('strongest bias (beta = 0.98) on the left');

    // Datasets sorted random before qdgs within a seed.
    const randomRow = '| random | 1 | random | 200 | 7000 | 43.8% | 0.2000 | 7 | 7 | 25.0% | 95.0% | 25.0 / 20.0 / 30.0 / 25.0 | [[20, 1], [0, 15]] | `run-random-1` |';
    const qdgsRow = '| qdgs | 1 | cma_maega | 200 | 7200 | 81.3% | 0.6123 | 13 | 7 | 50.0% | 95.0% | 25.0 / 20.0 / 30.0 / 25.0 | [[10, 2], [3, 9]] | `run-qdgs-1` |';
    expect(markdown).toContain(randomRow);
    expect(markdown).toContain(qdgsRow);
    expect(markdown.indexOf(randomRow)).toBeLessThan(markdown.indexOf(qdgsRow));

    const reading = markdown.slice(markdown.indexOf('## Reading the numbers'));
    expect(reading).toContain('- beta = 0.98: qdgs >= random > baseline holds; qdgs 83.0%, random 72.0%, baseline 62.0% (qdgs - random +11.0 pp, random - baseline +10.0 pp).');
    expect(reading).toContain('- beta = 0.9: qdgs >= random > baseline holds;');
    expect(reading).not.toContain('does not hold');
    expect(reading).toContain('holds at 2 of 2 bias levels (beta = 0.98, beta = 0.9)');
    expect(reading).toContain('largest at beta = 0.98: +21.0 pp (per beta: 0.98 +21.0 pp, 0.9 +9.0 pp)');
  });

  it('changes the trend sentences when the data do not follow the trend', () => {
    // qdgs at beta 0.98 falls below random, and its gain over baseline (5 pp) below beta 0.9's (9 pp).
    const markdown = renderReportMarkdown(results(trials([0.66, 0.68])), 'accuracy.png');
    const reading = markdown.slice(markdown.indexOf('## Reading the numbers'));
    expect(reading).toContain('- beta = 0.98: qdgs >= random > baseline does not hold (qdgs < random); qdgs 67.0%, random 72.0%, baseline 62.0%');
    expect(reading).toContain('- beta = 0.9: qdgs >= random > baseline holds;');
    expect(reading).toContain('holds at 1 of 2 bias levels (beta = 0.9)');
    expect(reading).toContain('largest at beta = 0.9: +9.0 pp');

    // Baseline above random as well.
    const worse = trials([0.66, 0.68]).map((t) => (t.beta === 0.98 ? { ...t, accuracy: { ...t.accuracy, baseline: accuracy(0.9) } } : t));
    const worseReading = renderReportMarkdown(results(worse), 'accuracy.png');
    expect(worseReading).toContain('- beta = 0.98: qdgs >= random > baseline does not hold (qdgs < random, random <= baseline)');
    expect(worseReading).toContain('0.98 -23.0 pp');

    // Ties: qdgs = random satisfies qdgs >= random, random = baseline breaks random > baseline.
    const tied = [1, 2].map((seed) => trial(0.9, seed, { baseline: 0.8, random: 0.8, qdgs: 0.8 }));
    const tiedReading = renderReportMarkdown(results(tied), 'accuracy.png');
    expect(tiedReading).toContain('- beta = 0.9: qdgs >= random > baseline does not hold (random <= baseline);');
    expect(tiedReading).toContain('holds at 0 of 1 bias levels.');
    const qdgsTie = [1, 2].map((seed) => trial(0.9, seed, { baseline: 0.7, random: 0.8, qdgs: 0.8 }));
    expect(renderReportMarkdown(results(qdgsTie), 'accuracy.png')).toContain('- beta = 0.9: qdgs >= random > baseline holds;');
  });

  it('says so when there are no trials or datasets', () => {
    const markdown = renderReportMarkdown({ ...results([]), datasets: [] }, 'accuracy.png');
    expect(markdown).toContain('No trials were recorded.');
    expect(markdown).toContain('No synthetic datasets were recorded.');
    expect(markdown).not.toContain('| method | seed |');
  });
});

describe('renderAccuracyPlot', () => {
  const pixel = (png: PNG, x: number, y: number) => Array.from(png.data.subarray((y * png.width + x) * 4, (y * png.width + x) * 4 + 3));
  const count = (png: PNG, colour: readonly number[], area: { top: number; bottom: number }) => {
    let n = 0;
    for (let i = area.top * png.width * 4; i < (area.bottom + 1) * png.width * 4; i += 4) {
      if (png.data[i] === colour[0] && png.data[i + 1] === colour[1] && png.data[i + 2] === colour[2]) n++;
    }
    return n;
  };

  it('decodes to the requested size with markers, lines and grid in their colours', () => {
    const summary = summariseTrials(trials());
    const png = PNG.sync.read(renderAccuracyPlot(summary));
    expect([png.width, png.height]).toEqual([640, 400]);
    const geometry = plotGeometry(summary);
    expect(geometry.yMin).toBe(0.4);
    summary.forEach((entry, index) => {
      for (const method of METHODS) {
        expect(pixel(png, geometry.x(index, method), geometry.y(entry.methods[method].overall.mean))).toEqual([...METHOD_COLOURS[method]]);
      }
    });
    // Lines between the markers: midway between the two betas, on each method's line.
    const middleX = Math.round((geometry.x(0, 'random') + geometry.x(1, 'random')) / 2);
    const middleY = Math.round((geometry.y(0.72) + geometry.y(0.81)) / 2);
    const nearby = [-2, -1, 0, 1, 2].map((dy) => pixel(png, middleX, middleY + dy));
    expect(nearby).toContainEqual([...METHOD_COLOURS.random]);
    // Every method's colour inside the plot area (the legend is below it), well beyond a marker's 64 pixels.
    for (const method of METHODS) expect(count(png, METHOD_COLOURS[method], { top: geometry.top, bottom: geometry.bottom })).toBeGreaterThan(200);
    // Grid line at accuracy 0.5, away from the data; white background in a corner.
    expect(pixel(png, Math.round((geometry.x(0) + geometry.x(1)) / 2), geometry.y(0.5))).toEqual([...GRID_COLOUR]);
    expect(pixel(png, png.width - 1, 0)).toEqual([255, 255, 255]);

    const small = PNG.sync.read(renderAccuracyPlot(summary, { width: 320, height: 240 }));
    expect([small.width, small.height]).toEqual([320, 240]);
  });

  it('lowers the y axis to the data minimum rounded down to 0.1', () => {
    const summary = summariseTrials([trial(0.9, 1, { baseline: 0.33, random: 0.5, qdgs: 0.6 })]);
    expect(accuracyAxisMinimum(summary)).toBe(0.3);
    expect(accuracyAxisMinimum(summariseTrials(trials()))).toBe(0.4);
    const geometry = plotGeometry(summary);
    expect(geometry.y(0.3)).toBe(geometry.bottom);
    expect(geometry.y(1)).toBe(geometry.top);
    const png = PNG.sync.read(renderAccuracyPlot(summary));
    expect(pixel(png, geometry.x(0, 'baseline'), geometry.y(0.33))).toEqual([...METHOD_COLOURS.baseline]);
  });
});
