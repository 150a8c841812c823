import * as tf from '@tensorflow/tfjs';
import { SeededRandom } from '../../../qd/random';
import { buildOracle } from '../architectures';
import { gatherRows, runEpochs } from './batches';

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
  const { size, batchSize } = options;
  const model = buildOracle(size, options.seed);
  const optimizer = tf.train.adam(options.learningRate);
  const random = new SeededRandom(options.seed);
  const stride = size * size * 3;
  const batch = new Float32Array(batchSize * stride);
  const labels = new Float32Array(batchSize * 2);
  const variables = model.trainableWeights.map((weight) => weight.read() as tf.Variable);
  const history = runEpochs({
    epochs: options.epochs,
    count: options.count,
    batchSize,
    random,
    onEpoch: options.onEpoch,
    step: (indices) => {
      gatherRows(options.images, stride, indices, batch);
      gatherRows(options.targets, 2, indices, labels);
      const x = tf.tensor4d(batch, [batchSize, size, size, 3]);
      const y = tf.tensor2d(labels, [batchSize, 2]);
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
  return { model, history };
}
