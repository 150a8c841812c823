import * as tf from '@tensorflow/tfjs';
import { SeededRandom } from '../../../qd/random';
import { gatherRows, runEpochs } from './batches';

export interface SigmoidClassifierTraining {
  /** Images, NHWC in [0, 1]. */
  images: Float32Array;
  /** count x outputs targets, 0 or 1. */
  targets: Float32Array;
  count: number;
  size: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  onEpoch?: (epoch: number, loss: number, seconds: number) => void;
}

/**
 * Trains (or, given a trained model, fine-tunes) a model with sigmoid outputs by Adam on the
 * mean binary cross-entropy of every output, in seeded shuffled batches. Returns the mean loss
 * of each epoch.
 */
export function trainSigmoidClassifier(model: tf.Sequential, options: SigmoidClassifierTraining): number[] {
  const { size, batchSize } = options;
  const outputs = options.targets.length / options.count;
  const optimizer = tf.train.adam(options.learningRate);
  const random = new SeededRandom(options.seed);
  const stride = size * size * 3;
  const batch = new Float32Array(batchSize * stride);
  const labels = new Float32Array(batchSize * outputs);
  const variables = model.trainableWeights.map((weight) => weight.read() as tf.Variable);
  const history = runEpochs({
    epochs: options.epochs,
    count: options.count,
    batchSize,
    random,
    onEpoch: options.onEpoch,
    step: (indices) => {
      gatherRows(options.images, stride, indices, batch);
      gatherRows(options.targets, outputs, indices, labels);
      const x = tf.tensor4d(batch, [batchSize, size, size, 3]);
      const y = tf.tensor2d(labels, [batchSize, outputs]);
      const loss = optimizer.minimize(() => {
        const p = tf.clipByValue(model.apply(x) as tf.Tensor2D, 1e-6, 1 - 1e-6);
        return tf.mean(tf.neg(tf.add(tf.mul(y, tf.log(p)), tf.mul(tf.sub(1, y), tf.log(tf.sub(1, p)))))) as tf.Scalar;
      }, true, variables);
      const value = loss!.dataSync()[0];
      tf.dispose([x, y, loss!]);
      return value;
    },
  });
  optimizer.dispose();
  return history;
}

/** Sigmoid outputs of `count` NHWC images, in chunks. */
export function predictSigmoid(model: tf.Sequential, images: Float32Array, count: number, size: number, chunk = 500): Float32Array {
  const stride = size * size * 3;
  const outputs = (model.outputs[0].shape[1] as number) ?? 1;
  const result = new Float32Array(count * outputs);
  for (let start = 0; start < count; start += chunk) {
    const rows = Math.min(chunk, count - start);
    const probabilities = tf.tidy(() => model.predict(tf.tensor4d(images.subarray(start * stride, (start + rows) * stride), [rows, size, size, 3])) as tf.Tensor2D);
    result.set(probabilities.dataSync(), start * outputs);
    probabilities.dispose();
  }
  return result;
}
