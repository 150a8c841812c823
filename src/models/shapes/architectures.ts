import * as tf from '@tensorflow/tfjs';

/**
 * The small networks of the bundled shapes domain. Every layer is one the ONNX exporter
 * (src/models/onnx/exportSequential.ts) maps, and every initialiser is seeded, so
 * `npm run train:shapes` rebuilds the same models.
 */

export const SHAPES_LATENT_DIM = 6;
export const SCORER_EMBED_DIM = 32;

function seeded(seed: number) {
  return { kernelInitializer: tf.initializers.glorotUniform({ seed }), biasInitializer: 'zeros' as const };
}

function conv(filters: number, kernelSize: number, strides: number, seed: number, activation: 'relu' | 'sigmoid' | 'linear' = 'relu', inputShape?: number[]) {
  return tf.layers.conv2d({ filters, kernelSize, strides, padding: 'same', activation, ...seeded(seed), ...(inputShape ? { inputShape } : {}) });
}

function deconv(filters: number, seed: number, activation: 'relu' | 'sigmoid') {
  return tf.layers.conv2dTranspose({ filters, kernelSize: 4, strides: 2, padding: 'same', activation, ...seeded(seed) });
}

/** VAE encoder: image [S, S, 3] -> [mu (d) | log variance (d)]. */
export function buildVaeEncoder(size: number, latentDim: number, seed: number): tf.Sequential {
  const model = tf.sequential({ name: 'vae_encoder' });
  model.add(conv(32, 4, 2, seed + 1, 'relu', [size, size, 3]));
  model.add(conv(64, 4, 2, seed + 2));
  model.add(conv(128, 4, 2, seed + 3));
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: 2 * latentDim, ...seeded(seed + 4) }));
  return model;
}

/** VAE decoder, the generator: latent [d] -> image [S, S, 3] in [0, 1]. */
export function buildVaeDecoder(size: number, latentDim: number, seed: number): tf.Sequential {
  const base = size / 8;
  const model = tf.sequential({ name: 'vae_decoder' });
  model.add(tf.layers.dense({ inputShape: [latentDim], units: base * base * 128, activation: 'relu', ...seeded(seed + 11) }));
  model.add(tf.layers.reshape({ targetShape: [base, base, 128] }));
  model.add(deconv(64, seed + 12, 'relu'));
  model.add(deconv(32, seed + 13, 'relu'));
  model.add(deconv(3, seed + 14, 'sigmoid'));
  return model;
}

/** Scorer image tower: image [S, S, 3] (normalised) -> embedding (L2-normalised by the caller / exporter). */
export function buildImageEncoder(size: number, embedDim: number, seed: number): tf.Sequential {
  const model = tf.sequential({ name: 'image_encoder' });
  model.add(conv(16, 3, 1, seed + 21, 'relu', [size, size, 3]));
  model.add(conv(32, 4, 2, seed + 22));
  model.add(conv(64, 4, 2, seed + 23));
  model.add(conv(64, 4, 2, seed + 24));
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: 128, activation: 'relu', ...seeded(seed + 25) }));
  model.add(tf.layers.dense({ units: embedDim, ...seeded(seed + 26) }));
  return model;
}

/**
 * A small convolutional classifier with sigmoid outputs: 3 conv layers (16/32/64 channels, each
 * followed by 2x2 max pooling) and 2 dense layers (64, then `outputs`).
 */
export function buildConvClassifier(size: number, outputs: number, seed: number, name: string): tf.Sequential {
  const model = tf.sequential({ name });
  model.add(conv(16, 3, 1, seed + 31, 'relu', [size, size, 3]));
  model.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
  model.add(conv(32, 3, 1, seed + 32));
  model.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
  model.add(conv(64, 3, 1, seed + 33));
  model.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: 64, activation: 'relu', ...seeded(seed + 34) }));
  model.add(tf.layers.dense({ units: outputs, activation: 'sigmoid', ...seeded(seed + 35) }));
  return model;
}

/** Attribute oracle: image [S, S, 3] in [0, 1] -> [P(blue), P(square)]. */
export function buildOracle(size: number, seed: number): tf.Sequential {
  return buildConvClassifier(size, 2, seed, 'oracle');
}

/** The classifier of the paper's shapes experiment: image [S, S, 3] in [0, 1] -> P(square). */
export function buildShapeClassifier(size: number, seed: number): tf.Sequential {
  return buildConvClassifier(size, 1, seed, 'shape_classifier');
}
