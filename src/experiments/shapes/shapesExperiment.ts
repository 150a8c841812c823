import fs from 'node:fs';
import path from 'node:path';
import { useWasmBackend } from '../../models/training/wasmBackend';
import { startTemporaryPlatform } from '../../server/temporaryPlatform';
import { balancedTestSet, runClassifierTrial } from './classifierTrial';
import { renderAccuracyPlot, renderReportMarkdown, summariseTrials } from './experimentReport';
import type { DatasetSummary, ExperimentOptions, ExperimentResults, TrialResult } from './experimentTypes';
import { prepareExperimentPlatform, produceSyntheticDatasets, type PlatformClient } from './syntheticDatasets';

export const RESULTS_FILE = 'results.json';
export const REPORT_FILE = 'REPORT.md';
export const PLOT_FILE = 'accuracy-vs-bias.png';
/** Written by hand after reading the numbers; appended to REPORT.md when present. */
export const ANALYSIS_FILE = 'analysis.md';

/** Trials of an earlier run with the same options (everything but the output folder). */
function earlierResults(options: ExperimentOptions): { trials: TrialResult[]; datasets: DatasetSummary[]; seconds: number } {
  const file = path.join(options.outDir, RESULTS_FILE);
  if (!fs.existsSync(file)) return { trials: [], datasets: [], seconds: 0 };
  const earlier = JSON.parse(fs.readFileSync(file, 'utf8')) as ExperimentResults;
  const same = JSON.stringify({ ...earlier.options, outDir: '' }) === JSON.stringify({ ...options, outDir: '' });
  if (!same) throw new Error(`${file} holds results of other options; remove it or run without --resume`);
  return { trials: earlier.trials, datasets: earlier.datasets, seconds: earlier.seconds };
}

function writeResults(options: ExperimentOptions, results: ExperimentResults, complete: boolean): void {
  fs.mkdirSync(options.outDir, { recursive: true });
  fs.writeFileSync(path.join(options.outDir, RESULTS_FILE), `${JSON.stringify(results, null, 2)}\n`);
  if (!complete) return;
  fs.writeFileSync(path.join(options.outDir, PLOT_FILE), renderAccuracyPlot(summariseTrials(results.trials)));
  const analysisFile = path.join(options.outDir, ANALYSIS_FILE);
  const analysis = fs.existsSync(analysisFile) ? `\n${fs.readFileSync(analysisFile, 'utf8').trim()}\n` : '';
  fs.writeFileSync(path.join(options.outDir, REPORT_FILE), renderReportMarkdown(results, PLOT_FILE) + analysis);
}

/** Renders REPORT.md and the plot again from `<outDir>/results.json` (after a change to the report's layout). */
export function rewriteReport(outDir: string): ExperimentResults {
  const results = JSON.parse(fs.readFileSync(path.join(outDir, RESULTS_FILE), 'utf8')) as ExperimentResults;
  writeResults({ ...results.options, outDir }, results, true);
  return results;
}

/**
 * The QDGS paper's shapes experiment: for each seed, a QDGS and a random-sampling dataset made
 * by platform runs from the bundled biased generator; for each bias level and seed, a shape
 * classifier trained on biased real images and fine-tuned on each dataset, scored on a balanced
 * test set. Results are written after every trial (results.json), so `resume` continues an
 * interrupted experiment; REPORT.md and the plot are written when every trial is done. Each
 * seed's runs go to a fresh temporary platform unless `startPlatform` gives another.
 */
export async function runShapesExperiment(
  options: ExperimentOptions,
  settings: { resume?: boolean; log?: (line: string) => void; startPlatform?: () => Promise<PlatformClient> } = {},
): Promise<ExperimentResults> {
  const log = settings.log ?? (() => {});
  const started = performance.now();
  const earlier = settings.resume ? earlierResults(options) : { trials: [], datasets: [], seconds: 0 };
  const trials = [...earlier.trials];
  const datasets = [...earlier.datasets];
  const done = (beta: number, seed: number) => trials.some((t) => t.beta === beta && t.seed === seed);
  const results = (): ExperimentResults => ({ options, datasets, trials, seconds: earlier.seconds + (performance.now() - started) / 1000, finishedAt: new Date().toISOString() });

  await useWasmBackend();
  const test = balancedTestSet(options);
  for (const seed of options.seeds) {
    if (options.betas.every((beta) => done(beta, seed))) continue;
    log(`seed ${seed}: QDGS and random runs (${options.iterations} iterations each) ...`);
    // A platform per seed, stopped before the classifiers train: training blocks this process's
    // event loop for minutes, which an idle server (keep-alive sockets, queue timers) does not survive well.
    const platform = await (settings.startPlatform ?? (() => startTemporaryPlatform('experiment-shapes')))();
    let synthetic: Awaited<ReturnType<typeof produceSyntheticDatasets>>;
    try {
      synthetic = await produceSyntheticDatasets(await prepareExperimentPlatform(platform), options, seed);
    } finally {
      await platform.stop();
    }
    for (const dataset of [synthetic.qdgs, synthetic.random]) {
      const at = datasets.findIndex((d) => d.method === dataset.summary.method && d.seed === seed);
      if (at >= 0) datasets.splice(at, 1);
      datasets.push(dataset.summary);
    }
    log(`  ${synthetic.qdgs.count} samples per dataset (QDGS coverage ${(100 * synthetic.qdgs.summary.coverage).toFixed(1)}%, random ${(100 * synthetic.random.summary.coverage).toFixed(1)}%)`);
    for (const beta of options.betas) {
      if (done(beta, seed)) continue;
      log(`  beta ${beta}, seed ${seed}:`);
      trials.push(runClassifierTrial(beta, seed, options, synthetic, test, log));
      writeResults(options, results(), false);
    }
  }
  const final = results();
  writeResults(options, final, true);
  return final;
}
