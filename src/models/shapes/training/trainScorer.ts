import * as tf from '@tensorflow/tfjs';
import { SeededRandom } from '../../../qd/random';
import { buildImageEncoder } from '../architectures';
import { gatherRows, runEpochs } from './batches';
import { TextTower } from './textTower';

export interface ScorerTraining {
  /** Training images, NHWC, already normalised with the bundle's mean and std. */
  images: Float32Array;
  count: number;
  size: number;
  /** `matches[i * captions + c]` is 1 when caption c describes image i correctly. */
  matches: Uint8Array;
  /** Every caption tokenised: one-hot [captions, length, vocab] and mask [captions, length]. */
  captionOneHot: Float32Array;
  captionMask: Float32Array;
  captions: number;
  captionLength: number;
  vocabSize: number;
  embedDim: number;
  /** Fixed inverse temperature of the similarities (CLIP learns it; a constant is enough here). */
  logitScale: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  onEpoch?: (epoch: number, loss: number, seconds: number) => void;
}

export interface TrainedScorer {
  imageEncoder: tf.Sequential;
  textTower: TextTower;
  history: number[];
}

function l2Normalize(x: tf.Tensor2D): tf.Tensor2D {
  return tf.div(x, tf.maximum(tf.norm(x, 'euclidean', 1, true), 1e-12)) as tf.Tensor2D;
}

/**
 * Contrastive image-text training (InfoNCE, Radford et al. 2021) over the whole caption set:
 * every step embeds all captions and each batch of images, and scores the similarity matrix
 * in both directions. Several captions describe an image correctly (and several images a
 * caption), so the targets spread uniformly over every correct pair instead of one diagonal:
 * a red triangle is pulled towards "A red shape." and "A triangle with 3 edges." alike.
 */
export function trainScorer(options: ScorerTraining): TrainedScorer {
  const { size, batchSize, captions } = options;
  const imageEncoder = buildImageEncoder(size, options.embedDim, options.seed);
  const textTower = new TextTower(options.vocabSize, 32, 64, options.embedDim, options.seed + 100);
  const optimizer = tf.train.adam(options.learningRate);
  const random = new SeededRandom(options.seed);
  const stride = size * size * 3;
  const batch = new Float32Array(batchSize * stride);
  const targets = new Float32Array(batchSize * captions);
  const oneHot = tf.tensor3d(options.captionOneHot, [captions, options.captionLength, options.vocabSize]);
  const mask = tf.tensor2d(options.captionMask, [captions, options.captionLength]);
  const variables = [...imageEncoder.trainableWeights.map((weight) => weight.read() as tf.Variable), ...textTower.variables];
  const history = runEpochs({
    epochs: options.epochs,
    count: options.count,
    batchSize,
    random,
    onEpoch: options.onEpoch,
    step: (indices) => {
      gatherRows(options.images, stride, indices, batch);
      for (let i = 0; i < batchSize; i++) targets.set(Float32Array.from(options.matches.subarray(indices[i] * captions, (indices[i] + 1) * captions)), i * captions);
      const x = tf.tensor4d(batch, [batchSize, size, size, 3]);
      const match = tf.tensor2d(targets, [batchSize, captions]);
      const loss = optimizer.minimize(
        () => {
          const imageEmbeds = l2Normalize(imageEncoder.apply(x) as tf.Tensor2D);
          const textEmbeds = l2Normalize(textTower.apply(oneHot, mask));
          const logits = tf.mul(tf.matMul(imageEmbeds, textEmbeds, false, true), options.logitScale);
          // image -> caption: every image has at least one correct caption.
          const imageTargets = tf.div(match, tf.sum(match, 1, true));
          const imageLoss = tf.mean(tf.neg(tf.sum(tf.mul(imageTargets, tf.logSoftmax(logits, 1)), 1)));
          // caption -> image: only captions with a correct image in this batch take part.
          const matchT = tf.transpose(match);
          const perCaption = tf.sum(matchT, 1, true);
          const present = tf.cast(tf.greater(tf.squeeze(perCaption, [1]), 0), 'float32');
          const captionTargets = tf.div(matchT, tf.maximum(perCaption, 1));
          const captionLosses = tf.neg(tf.sum(tf.mul(captionTargets, tf.logSoftmax(tf.transpose(logits), 1)), 1));
          const captionLoss = tf.div(tf.sum(tf.mul(captionLosses, present)), tf.maximum(tf.sum(present), 1));
          return tf.div(tf.add(imageLoss, captionLoss), 2) as tf.Scalar;
        },
        true,
        variables,
      );
      const value = loss!.dataSync()[0];
      tf.dispose([x, match, loss!]);
      return value;
    },
  });
  tf.dispose([oneHot, mask]);
  optimizer.dispose();
  return { imageEncoder, textTower, history };
}
