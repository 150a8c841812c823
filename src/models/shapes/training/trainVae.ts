import * as tf from '@tensorflow/tfjs';
import { SeededRandom } from '../../../qd/random';
import { buildVaeDecoder, buildVaeEncoder } from '../architectures';
import { epochBatches, gatherRows } from './batches';

export interface VaeTraining {
  /** Training images, NHWC in [0, 1]. */
  images: Float32Array;
  count: number;
  size: number;
  latentDim: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  onEpoch?: (epoch: number, loss: { total: number; reconstruction: number; kl: number }, seconds: number) => void;
}

export interface TrainedVae {
  encoder: tf.Sequential;
  decoder: tf.Sequential;
  /** Mean loss per image of each epoch (reconstruction BCE summed over pixels + KL). */
  history: Array<{ total: number; reconstruction: number; kl: number }>;
}

/**
 * A convolutional VAE (Kingma & Welling 2014): Bernoulli (binary cross-entropy) reconstruction
 * summed over pixels plus the KL divergence of q(z|x) from N(0, I). The reparameterisation noise
 * comes from a seeded generator, so training is reproducible.
 */
export function trainVae(options: VaeTraining): TrainedVae {
  const { size, latentDim, batchSize } = options;
  const encoder = buildVaeEncoder(size, latentDim, options.seed);
  const decoder = buildVaeDecoder(size, latentDim, options.seed);
  const optimizer = tf.train.adam(options.learningRate);
  const random = new SeededRandom(options.seed);
  const stride = size * size * 3;
  const batch = new Float32Array(batchSize * stride);
  const noise = new Float32Array(batchSize * latentDim);
  const variables = [...encoder.trainableWeights, ...decoder.trainableWeights].map((weight) => weight.read() as tf.Variable);
  const history: TrainedVae['history'] = [];
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    const started = performance.now();
    let total = 0;
    let reconstructionSum = 0;
    let klSum = 0;
    let batches = 0;
    for (const indices of epochBatches(options.count, batchSize, random)) {
      gatherRows(options.images, stride, indices, batch);
      for (let i = 0; i < noise.length; i++) noise[i] = random.normal();
      const x = tf.tensor4d(batch, [batchSize, size, size, 3]);
      const eps = tf.tensor2d(noise, [batchSize, latentDim]);
      let reconstructionValue = 0;
      let klValue = 0;
      const loss = optimizer.minimize(
        () => {
          const stats = encoder.apply(x) as tf.Tensor2D;
          const mu = tf.slice(stats, [0, 0], [batchSize, latentDim]);
          const logVariance = tf.clipByValue(tf.slice(stats, [0, latentDim], [batchSize, latentDim]), -10, 10);
          const z = tf.add(mu, tf.mul(tf.exp(tf.mul(logVariance, 0.5)), eps));
          const decoded = tf.clipByValue(decoder.apply(z) as tf.Tensor4D, 1e-6, 1 - 1e-6);
          const bce = tf.neg(tf.add(tf.mul(x, tf.log(decoded)), tf.mul(tf.sub(1, x), tf.log(tf.sub(1, decoded)))));
          const reconstruction = tf.mean(tf.sum(bce, [1, 2, 3]));
          const kl = tf.mean(tf.mul(-0.5, tf.sum(tf.sub(tf.add(1, logVariance), tf.add(tf.square(mu), tf.exp(logVariance))), 1)));
          reconstructionValue = reconstruction.dataSync()[0];
          klValue = kl.dataSync()[0];
          return tf.add(reconstruction, kl) as tf.Scalar;
        },
        true,
        variables,
      );
      total += loss!.dataSync()[0];
      reconstructionSum += reconstructionValue;
      klSum += klValue;
      batches += 1;
      tf.dispose([x, eps, loss!]);
    }
    const epochLoss = { total: total / batches, reconstruction: reconstructionSum / batches, kl: klSum / batches };
    history.push(epochLoss);
    options.onEpoch?.(epoch + 1, epochLoss, (performance.now() - started) / 1000);
  }
  optimizer.dispose();
  return { encoder, decoder, history };
}
