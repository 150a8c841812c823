import * as tf from '@tensorflow/tfjs';
import { buildOracle } from '../architectures';
import { trainSigmoidClassifier, type SigmoidClassifierTraining } from './trainSigmoidClassifier';

/** Balanced real images with targets [is blue, is square] (0/1) per image. */
export type OracleTraining = SigmoidClassifierTraining;

/** The attribute oracle: two sigmoid heads (colour, shape) trained with binary cross-entropy. */
export function trainOracle(options: OracleTraining): { model: tf.Sequential; history: number[] } {
  const model = buildOracle(options.size, options.seed);
  return { model, history: trainSigmoidClassifier(model, options) };
}
