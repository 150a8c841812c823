import * as tf from '@tensorflow/tfjs';
import { buildOracle } from '../architectures';
import { trainSigmoidClassifier } from './trainSigmoidClassifier';

export interface OracleTraining {
  /** Balanced real images, NHWC in [0, 1]. */
  images: Float32Array;
  /** Per image: [is blue, is square] as 0/1. */
  targets: Float32Array;
  count: number;
  size: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  onEpoch?: (epoch: number, loss: number, seconds: number) => void;
}

/** The attribute oracle: two sigmoid heads (colour, shape) trained with binary cross-entropy. */
export function trainOracle(options: OracleTraining): { model: tf.Sequential; history: number[] } {
  const model = buildOracle(options.size, options.seed);
  return { model, history: trainSigmoidClassifier(model, options) };
}
