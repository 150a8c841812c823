import path from 'node:path';
import { ModelError } from './modelErrors';
import { bundleField, readBundleJson } from './modelPaths';
import { createSession, DEFAULT_MAX_BATCH, runInBatches, type ExecutionProvider, type RuntimeOptions } from './onnxSession';

/**
 * An oracle / classifier bundle, used to check what a generated dataset really contains:
 * `classifier.json`
 * `{ "type": "classifier", "input": "image", "output": "probabilities", "imageSize": [H, W], "labels": ["blue", "square"] }`
 * and `model.onnx` mapping NCHW images in [0, 1] (float32 [batch, 3, H, W]) to independent
 * per-label probabilities (float32 [batch, labels.length]).
 */

export interface Classifier {
  readonly labels: readonly string[];
  /** [height, width] the classifier expects; images are not resized. */
  readonly imageSize: readonly [number, number];
  readonly provider: ExecutionProvider;
  readonly fallbackReason?: string;
  /** batch x labels.length probabilities for `batch` NCHW images of imageSize in [0, 1]. */
  classify(images: Float32Array, batch: number): Promise<Float32Array>;
  dispose(): Promise<void>;
}

/** Probabilities may overshoot [0, 1] by float rounding; beyond this the model returns something else (logits?). */
const PROBABILITY_TOLERANCE = 1e-4;

/** Loads a classifier bundle from `dir` (resolve user paths with resolveModelDir first). */
export async function loadClassifier(dir: string, options: RuntimeOptions = {}): Promise<Classifier> {
  const configFile = path.join(dir, 'classifier.json');
  const config = readBundleJson(configFile);
  if (config.type !== undefined && config.type !== 'classifier') {
    throw new ModelError('MODEL_INVALID', configFile, `expected "type": "classifier", got ${JSON.stringify(config.type)}`);
  }
  const inputName = bundleField.string(config, 'input', configFile, 'image');
  const outputName = bundleField.string(config, 'output', configFile, 'probabilities');
  const labels = bundleField.stringArray(config, 'labels', configFile);
  const [height, width] = bundleField.numbers(config, 'imageSize', configFile, 2);
  if (![height, width].every((n) => Number.isInteger(n) && n > 0)) {
    throw new ModelError('MODEL_INVALID', configFile, `expected "imageSize" to be [height, width] positive integers, got ${JSON.stringify(config.imageSize)}`);
  }
  const maxBatch = options.maxBatch ?? DEFAULT_MAX_BATCH;
  const modelFile = path.join(dir, 'model.onnx');
  const model = await createSession(modelFile, {
    device: options.device,
    intraOpNumThreads: options.intraOpNumThreads,
    inputs: [{ name: inputName, type: 'float32', shape: ['batch', 3, height, width] }],
    outputs: [{ name: outputName, type: 'float32', shape: ['batch', labels.length] }],
  });

  const classify = async (images: Float32Array, batch: number): Promise<Float32Array> => {
    if (!Number.isInteger(batch) || batch < 0) throw new ModelError('MODEL_INPUT_INVALID', modelFile, `expected a non-negative integer batch size, got ${batch}`);
    const rowSize = 3 * height * width;
    if (images.length !== batch * rowSize) {
      throw new ModelError('MODEL_INPUT_INVALID', modelFile, `expected ${batch} x 3 x ${height} x ${width} = ${batch * rowSize} pixel values, got ${images.length}`);
    }
    const probabilities = await runInBatches(model, [{ name: inputName, data: images, rowShape: [3, height, width] }], batch, { name: outputName, rowShape: [labels.length] }, maxBatch);
    for (let i = 0; i < probabilities.length; i++) {
      const p = probabilities[i];
      if (p < -PROBABILITY_TOLERANCE || p > 1 + PROBABILITY_TOLERANCE) {
        throw new ModelError(
          'MODEL_OUTPUT_INVALID',
          modelFile,
          `output ${outputName} holds ${p} (row ${Math.floor(i / labels.length)}, label ${labels[i % labels.length]}); expected probabilities in [0, 1]`,
        );
      }
    }
    return probabilities;
  };

  return {
    labels,
    imageSize: [height, width],
    provider: model.provider,
    ...(model.fallbackReason === undefined ? {} : { fallbackReason: model.fallbackReason }),
    classify,
    dispose: () => model.session.release(),
  };
}
