import path from 'node:path';
import { ModelError } from './modelErrors';
import { bundleField, readBundleJson } from './modelPaths';
import { createSession, DEFAULT_MAX_BATCH, runInBatches, type ExecutionProvider, type RuntimeOptions } from './onnxSession';

/**
 * A generator bundle: `generator.json`
 * `{ "type": "generator", "latentDim": 6, "input": "z", "output": "image", "imageSize": [H, W], "outputRange": [0, 1] }`
 * and `model.onnx` mapping `z` float32 [batch, latentDim] to `image` float32 [batch, 3, H, W]
 * with values in `outputRange` ([-1, 1] for a StyleGAN2 export).
 */

export interface Generator {
  readonly latentDim: number;
  /** [height, width] of the generated images. */
  readonly imageSize: readonly [number, number];
  readonly provider: ExecutionProvider;
  readonly fallbackReason?: string;
  readonly maxBatch: number;
  /**
   * Images for `batch` latents (`z` holds batch x latentDim values, row-major): NCHW
   * batch x 3 x H x W, mapped from `outputRange` to [0, 1] and clamped there.
   */
  generate(z: Float32Array, batch: number): Promise<Float32Array>;
  /** Releases the onnxruntime session. */
  dispose(): Promise<void>;
}

/** Loads a generator bundle from `dir` (resolve user paths with resolveModelDir first). */
export async function loadGenerator(dir: string, options: RuntimeOptions = {}): Promise<Generator> {
  const configFile = path.join(dir, 'generator.json');
  const config = readBundleJson(configFile);
  if (config.type !== undefined && config.type !== 'generator') {
    throw new ModelError('MODEL_INVALID', configFile, `expected "type": "generator", got ${JSON.stringify(config.type)}`);
  }
  const latentDim = bundleField.positiveInteger(config, 'latentDim', configFile);
  const inputName = bundleField.string(config, 'input', configFile, 'z');
  const outputName = bundleField.string(config, 'output', configFile, 'image');
  const [height, width] = bundleField.numbers(config, 'imageSize', configFile, 2);
  if (![height, width].every((n) => Number.isInteger(n) && n > 0)) {
    throw new ModelError('MODEL_INVALID', configFile, `expected "imageSize" to be [height, width] positive integers, got ${JSON.stringify(config.imageSize)}`);
  }
  const [low, high] = bundleField.numbers(config, 'outputRange', configFile, 2, [0, 1]);
  if (!(high > low)) throw new ModelError('MODEL_INVALID', configFile, `expected "outputRange" [low, high] with high > low, got [${low}, ${high}]`);
  const maxBatch = options.maxBatch ?? DEFAULT_MAX_BATCH;

  const modelFile = path.join(dir, 'model.onnx');
  const model = await createSession(modelFile, {
    device: options.device,
    intraOpNumThreads: options.intraOpNumThreads,
    inputs: [{ name: inputName, type: 'float32', shape: ['batch', latentDim] }],
    outputs: [{ name: outputName, type: 'float32', shape: ['batch', 3, height, width] }],
  });
  const scale = 1 / (high - low);

  const generate = async (z: Float32Array, batch: number): Promise<Float32Array> => {
    if (!Number.isInteger(batch) || batch < 0) throw new ModelError('MODEL_INPUT_INVALID', modelFile, `expected a non-negative integer batch size, got ${batch}`);
    if (z.length !== batch * latentDim) {
      throw new ModelError('MODEL_INPUT_INVALID', modelFile, `expected ${batch} x ${latentDim} = ${batch * latentDim} latent values, got ${z.length}`);
    }
    for (let i = 0; i < z.length; i++) {
      if (z[i] - z[i] !== 0) throw new ModelError('MODEL_INPUT_INVALID', modelFile, `latent row ${Math.floor(i / latentDim)} holds ${z[i]}; expected finite numbers`);
    }
    const images = await runInBatches(model, [{ name: inputName, data: z, rowShape: [latentDim] }], batch, { name: outputName, rowShape: [3, height, width] }, maxBatch);
    for (let i = 0; i < images.length; i++) {
      const value = (images[i] - low) * scale;
      images[i] = value < 0 ? 0 : value > 1 ? 1 : value;
    }
    return images;
  };

  return {
    latentDim,
    imageSize: [height, width],
    provider: model.provider,
    ...(model.fallbackReason === undefined ? {} : { fallbackReason: model.fallbackReason }),
    maxBatch,
    generate,
    dispose: () => model.session.release(),
  };
}
