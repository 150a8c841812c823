import * as tf from '@tensorflow/tfjs';
import { buildShapeClassifier } from '../../models/shapes/architectures';
import { generateShapes, type ShapeLabel, type ShapesDataset } from '../../models/shapes/shapesData';
import { predictSigmoid, trainSigmoidClassifier } from '../../models/shapes/training/trainSigmoidClassifier';
import { GROUPS, type Accuracy, type ExperimentOptions, type Group, type TrialResult } from './experimentTypes';
import type { SyntheticDataset } from './syntheticDatasets';

/** The balanced real test set every trial is scored on: one fixed seed, never tuned. */
export const TEST_SET_SEED = 5_000_000;

export function groupOf(label: ShapeLabel): Group {
  return `${label.colour}${label.shape === 'triangle' ? 'Triangle' : 'Square'}` as Group;
}

export function balancedTestSet(options: ExperimentOptions): ShapesDataset {
  return generateShapes({ count: options.testCount, beta: 0.5, seed: TEST_SET_SEED, size: options.size });
}

function shapeTargets(labels: readonly ShapeLabel[]): Float32Array {
  return Float32Array.from(labels, (label) => (label.shape === 'square' ? 1 : 0));
}

/** Accuracy of P(square) > 0.5 against the true shape, overall and per colour x shape group. */
export function accuracyOn(model: tf.Sequential, test: ShapesDataset): Accuracy {
  const count = test.labels.length;
  const probabilities = predictSigmoid(model, test.images, count, test.size);
  const right = Object.fromEntries(GROUPS.map((g) => [g, 0])) as Record<Group, number>;
  const total = Object.fromEntries(GROUPS.map((g) => [g, 0])) as Record<Group, number>;
  let correct = 0;
  test.labels.forEach((label, i) => {
    const group = groupOf(label);
    total[group] += 1;
    if (probabilities[i] > 0.5 === (label.shape === 'square')) {
      right[group] += 1;
      correct += 1;
    }
  });
  return { overall: correct / count, groups: Object.fromEntries(GROUPS.map((g) => [g, total[g] > 0 ? right[g] / total[g] : 0])) as Record<Group, number> };
}

/**
 * One trial of the paper's experiment: a shape classifier trained on `trainCount` real images
 * with colour/shape bias `beta` ("baseline"), and two copies of it fine-tuned on the random and
 * the QDGS synthetic dataset; all three scored on the balanced test set.
 */
export function runClassifierTrial(
  beta: number,
  seed: number,
  options: ExperimentOptions,
  datasets: { qdgs: SyntheticDataset; random: SyntheticDataset },
  test: ShapesDataset,
  log: (line: string) => void = () => {},
): TrialResult {
  const started = performance.now();
  const train = generateShapes({ count: options.trainCount, beta, seed: seed * 1000 + Math.round(beta * 100), size: options.size });
  const training = { size: options.size, batchSize: options.batchSize, learningRate: options.learningRate, seed };
  const baseline = buildShapeClassifier(options.size, seed);
  trainSigmoidClassifier(baseline, { ...training, images: train.images, targets: shapeTargets(train.labels), count: options.trainCount, epochs: options.epochs });
  const accuracy = { baseline: accuracyOn(baseline, test) } as TrialResult['accuracy'];
  log(`    baseline ${(100 * accuracy.baseline.overall).toFixed(1)}%`);
  for (const method of ['random', 'qdgs'] as const) {
    const dataset = datasets[method];
    const tuned = buildShapeClassifier(options.size, seed);
    tuned.setWeights(baseline.getWeights());
    trainSigmoidClassifier(tuned, { ...training, images: dataset.images, targets: dataset.targets, count: dataset.count, epochs: options.fineTuneEpochs });
    accuracy[method] = accuracyOn(tuned, test);
    log(`    ${method} ${(100 * accuracy[method].overall).toFixed(1)}%`);
    tuned.dispose();
  }
  baseline.dispose();
  return { beta, seed, accuracy, seconds: (performance.now() - started) / 1000 };
}
