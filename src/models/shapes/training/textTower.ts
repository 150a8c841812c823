import * as tf from '@tensorflow/tfjs';
import { SeededRandom } from '../../../qd/random';

export interface TextTowerWeights {
  embedding: Float32Array;
  vocabSize: number;
  embedDim: number;
  layers: Array<{ kernel: Float32Array; bias: Float32Array; in: number; out: number; activation: 'relu' | 'linear' | 'tanh' }>;
}

/**
 * The scorer's text tower: token embeddings, masked mean over the sequence, two dense layers.
 * Embeddings are looked up as one-hot x matrix products: the wasm backend has no gradient for
 * gather (UnsortedSegmentSum). The ONNX export uses Gather on the same matrix.
 */
export class TextTower {
  readonly embedding: tf.Variable;
  readonly hidden: { kernel: tf.Variable; bias: tf.Variable };
  readonly projection: { kernel: tf.Variable; bias: tf.Variable };

  constructor(
    readonly vocabSize: number,
    readonly embedDim: number,
    readonly hiddenDim: number,
    readonly outputDim: number,
    seed: number,
  ) {
    const random = new SeededRandom(seed);
    const glorot = (rows: number, cols: number) => {
      const limit = Math.sqrt(6 / (rows + cols));
      return tf.tensor2d(Float32Array.from({ length: rows * cols }, () => (2 * random.uniform() - 1) * limit), [rows, cols]);
    };
    this.embedding = tf.variable(tf.mul(tf.randomNormal([vocabSize, embedDim], 0, 1, 'float32', seed), 0.1), true, 'text_embedding');
    this.hidden = { kernel: tf.variable(glorot(embedDim, hiddenDim), true, 'text_hidden_kernel'), bias: tf.variable(tf.zeros([hiddenDim]), true, 'text_hidden_bias') };
    this.projection = { kernel: tf.variable(glorot(hiddenDim, outputDim), true, 'text_projection_kernel'), bias: tf.variable(tf.zeros([outputDim]), true, 'text_projection_bias') };
  }

  get variables(): tf.Variable[] {
    return [this.embedding, this.hidden.kernel, this.hidden.bias, this.projection.kernel, this.projection.bias];
  }

  /** oneHot [B, L, V] and mask [B, L] (1 for tokens, 0 for padding) -> embeddings [B, D] (not normalised). */
  apply(oneHot: tf.Tensor3D, mask: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const [batch, length] = mask.shape;
      const tokens = tf.matMul(tf.reshape(oneHot, [batch * length, this.vocabSize]), this.embedding).reshape([batch, length, this.embedDim]);
      const weights = tf.expandDims(mask, 2);
      const pooled = tf.div(tf.sum(tf.mul(tokens, weights), 1), tf.maximum(tf.sum(weights, 1), 1)) as tf.Tensor2D;
      const hidden = tf.relu(tf.add(tf.matMul(pooled, this.hidden.kernel), this.hidden.bias)) as tf.Tensor2D;
      return tf.add(tf.matMul(hidden, this.projection.kernel), this.projection.bias) as tf.Tensor2D;
    });
  }

  weights(): TextTowerWeights {
    const data = (variable: tf.Variable) => Float32Array.from(variable.dataSync() as Float32Array);
    return {
      embedding: data(this.embedding),
      vocabSize: this.vocabSize,
      embedDim: this.embedDim,
      layers: [
        { kernel: data(this.hidden.kernel), bias: data(this.hidden.bias), in: this.embedDim, out: this.hiddenDim, activation: 'relu' },
        { kernel: data(this.projection.kernel), bias: data(this.projection.bias), in: this.hiddenDim, out: this.outputDim, activation: 'linear' },
      ],
    };
  }
}
