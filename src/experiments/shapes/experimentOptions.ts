import path from 'node:path';
import { parseArgs } from 'node:util';
import { projectRoot } from '../../projectRoot';
import type { ExperimentOptions } from './experimentTypes';

/** The paper's configuration, with the QDGS run of issue 5's measured-best setting. */
export const EXPERIMENT_DEFAULTS: ExperimentOptions = {
  betas: [0.98, 0.95, 0.9, 0.85, 0.8],
  seeds: [1, 2, 3],
  size: 32,
  epochs: 20,
  fineTuneEpochs: 30,
  batchSize: 128,
  learningRate: 1e-3,
  trainCount: 1000,
  testCount: 5000,
  iterations: 10_000,
  qdgsSettings: { batchSize: 13, selectionRule: 'mu' },
  triangleBelow: -0.01,
  squareFrom: 0,
  outDir: path.join(projectRoot(), 'experiments', 'shapes'),
};

export const EXPERIMENT_USAGE = `npm run experiment:shapes [-- options]
  --betas 0.98,0.95,0.9,0.85,0.8   colour/shape bias levels of the real training set
  --seeds 1,2,3                    one trial per bias and seed
  --size 32                        image side (must match the generator's)
  --epochs 20                      baseline training epochs
  --fine-tune-epochs 30            fine-tuning epochs on each synthetic dataset
  --batch-size 128  --learning-rate 0.001
  --train-count 1000               real training images per bias
  --test-count 5000                balanced real test images
  --iterations 10000               iterations of each platform run (QDGS and random)
  --qdgs-settings '{"batchSize":13,"selectionRule":"mu"}'   engine overrides of the QDGS run
  --triangle-below=-0.01 --square-from=0                     shape-measure labels (in between: dropped; write negatives with =)
  --out experiments/shapes         where REPORT.md, the plot and results.json go
  --resume                         keep the trials already in <out>/results.json (same options)
  --report                         only render REPORT.md and the plot again from <out>/results.json`;

function numbers(text: string, name: string): number[] {
  const values = text.split(',').map(Number);
  if (values.length === 0 || values.some((v) => !Number.isFinite(v))) throw new Error(`--${name} must be comma-separated numbers; got "${text}"`);
  return values;
}

function positiveInteger(text: string, name: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer; got "${text}"`);
  return value;
}

export function parseExperimentOptions(argv: string[]): { options: ExperimentOptions; resume: boolean; reportOnly: boolean; help: boolean } {
  const d = EXPERIMENT_DEFAULTS;
  const { values } = parseArgs({
    args: argv,
    options: {
      betas: { type: 'string', default: d.betas.join(',') },
      seeds: { type: 'string', default: d.seeds.join(',') },
      size: { type: 'string', default: String(d.size) },
      epochs: { type: 'string', default: String(d.epochs) },
      'fine-tune-epochs': { type: 'string', default: String(d.fineTuneEpochs) },
      'batch-size': { type: 'string', default: String(d.batchSize) },
      'learning-rate': { type: 'string', default: String(d.learningRate) },
      'train-count': { type: 'string', default: String(d.trainCount) },
      'test-count': { type: 'string', default: String(d.testCount) },
      iterations: { type: 'string', default: String(d.iterations) },
      'qdgs-settings': { type: 'string', default: JSON.stringify(d.qdgsSettings) },
      'triangle-below': { type: 'string', default: String(d.triangleBelow) },
      'square-from': { type: 'string', default: String(d.squareFrom) },
      out: { type: 'string', default: d.outDir },
      resume: { type: 'boolean', default: false },
      report: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  const betas = numbers(values.betas!, 'betas');
  if (betas.some((b) => b < 0 || b > 1)) throw new Error(`--betas must lie in [0, 1]; got "${values.betas}"`);
  const options: ExperimentOptions = {
    betas,
    seeds: numbers(values.seeds!, 'seeds').map((s) => positiveInteger(String(s), 'seeds')),
    size: positiveInteger(values.size!, 'size'),
    epochs: positiveInteger(values.epochs!, 'epochs'),
    fineTuneEpochs: positiveInteger(values['fine-tune-epochs']!, 'fine-tune-epochs'),
    batchSize: positiveInteger(values['batch-size']!, 'batch-size'),
    learningRate: numbers(values['learning-rate']!, 'learning-rate')[0],
    trainCount: positiveInteger(values['train-count']!, 'train-count'),
    testCount: positiveInteger(values['test-count']!, 'test-count'),
    iterations: positiveInteger(values.iterations!, 'iterations'),
    qdgsSettings: JSON.parse(values['qdgs-settings']!) as Record<string, number | string>,
    triangleBelow: numbers(values['triangle-below']!, 'triangle-below')[0],
    squareFrom: numbers(values['square-from']!, 'square-from')[0],
    outDir: path.resolve(values.out!),
  };
  if (options.squareFrom < options.triangleBelow) throw new Error('--square-from must not be below --triangle-below');
  if (options.trainCount < options.batchSize) throw new Error(`--train-count (${options.trainCount}) must be at least --batch-size (${options.batchSize}): the last partial batch of an epoch is dropped`);
  return { options, resume: values.resume!, reportOnly: values.report!, help: values.help! };
}
