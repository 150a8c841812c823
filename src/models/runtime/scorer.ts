import path from 'node:path';
import { preprocessImages, type ImagePreprocessing } from './imagePreprocessing';
import { ModelError } from './modelErrors';
import { bundleField, readBundleJson } from './modelPaths';
import { createSession, declaredShape, declares, DEFAULT_MAX_BATCH, runInBatches, type ExecutionProvider, type ModelSession, type RuntimeOptions } from './onnxSession';
import { loadTokenizer, type WordTokenizer } from './wordTokenizer';

/**
 * A CLIP-style scorer bundle in the standard Hugging Face / transformers.js layout:
 * `config.json` (`model_type: "clip"`, `projection_dim`), `onnx/text_model.onnx`
 * (`input_ids`, `attention_mask` int64 [batch, seq] -> `text_embeds` [batch, D]),
 * `onnx/vision_model.onnx` (`pixel_values` float32 [batch, 3, S, S] -> `image_embeds`
 * [batch, D]), `tokenizer.json` + `tokenizer_config.json` (see wordTokenizer.ts) and
 * `preprocessor_config.json` (`size`/`crop_size`, `image_mean`, `image_std`, `do_normalize`,
 * `do_resize`). Embeddings are L2-normalised here whether or not the model does it.
 *
 * Tolerated variations of real exports: a text model without `attention_mask` is fed only
 * `input_ids`; a fixed sequence length (77 in some CLIP exports) pads every text to it;
 * a fixed batch size is honoured by runInBatches. `do_rescale` is ignored: images arrive in [0, 1].
 */

export interface Scorer {
  /** D: the length of every embedding. */
  readonly embedDim: number;
  /** S: images are resized and cropped to S x S before the vision model. */
  readonly imageSize: number;
  readonly provider: ExecutionProvider;
  readonly fallbackReason?: string;
  readonly tokenizer: WordTokenizer;
  /** Unit-length text embeddings, texts.length x D, plus the words the vocabulary lacks. */
  embedTexts(texts: readonly string[]): Promise<{ embeddings: Float32Array; unknownWords: string[] }>;
  /** Unit-length image embeddings, batch x D, of NCHW images in [0, 1] of any size. */
  embedImages(images: Float32Array, batch: number, height: number, width: number): Promise<Float32Array>;
  dispose(): Promise<void>;
}

/** OpenAI CLIP's normalisation, CLIPImageProcessor's default when the config names none. */
const CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073];
const CLIP_STD = [0.26862954, 0.26130258, 0.27577711];

/** One side length from a `size` / `crop_size` entry: a number, `{ shortest_edge }` or a square `{ height, width }`. */
function squareSide(value: unknown, key: string, file: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  const fail = (): never => {
    throw new ModelError('MODEL_INVALID', file, `expected "${key}" to be a positive integer, { "shortest_edge": n } or { "height": n, "width": n } (square), got ${JSON.stringify(value)}`);
  };
  const positive = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n > 0;
  if (positive(value)) return value;
  if (typeof value !== 'object' || Array.isArray(value)) return fail();
  const record = value as Record<string, unknown>;
  if (positive(record.shortest_edge)) return record.shortest_edge;
  if (positive(record.height) && record.height === record.width) return record.height;
  return fail();
}

function readPreprocessing(file: string): { preprocessing: ImagePreprocessing; resize: boolean } {
  const config = readBundleJson(file);
  const crop = config.do_center_crop === false ? undefined : squareSide(config.crop_size, 'crop_size', file);
  const size = crop ?? squareSide(config.size, 'size', file);
  if (size === undefined) throw new ModelError('MODEL_INVALID', file, 'expected "crop_size" or "size" giving the vision model\'s image side');
  const normalize = config.do_normalize !== false;
  const mean = normalize ? bundleField.numbers(config, 'image_mean', file, undefined, CLIP_MEAN) : [0];
  const std = normalize ? bundleField.numbers(config, 'image_std', file, undefined, CLIP_STD) : [1];
  if (![1, 3].includes(mean.length) || ![1, 3].includes(std.length) || std.some((s) => !(s > 0))) {
    throw new ModelError('MODEL_INVALID', file, `expected "image_mean" and "image_std" of 1 or 3 values (std positive), got ${JSON.stringify(mean)} and ${JSON.stringify(std)}`);
  }
  return { preprocessing: { size, mean, std }, resize: config.do_resize !== false };
}

/** L2-normalises each row of `rows` (n x dim) in place. */
function normalizeRows(rows: Float32Array, dim: number, file: string, outputName: string): Float32Array {
  for (let offset = 0; offset < rows.length; offset += dim) {
    let sum = 0;
    for (let i = 0; i < dim; i++) sum += rows[offset + i] * rows[offset + i];
    if (!(sum > 0)) throw new ModelError('MODEL_OUTPUT_INVALID', file, `output ${outputName} row ${offset / dim} has zero length; it cannot be normalised`);
    const inverse = 1 / Math.sqrt(sum);
    for (let i = 0; i < dim; i++) rows[offset + i] *= inverse;
  }
  return rows;
}

/** D from config.json's projection_dim, else from the models' declared output shapes. */
function embeddingDim(projectionDim: number | undefined, sessions: readonly [ModelSession, string][], configFile: string): number {
  if (projectionDim !== undefined) return projectionDim;
  for (const [model, output] of sessions) {
    const dim = declaredShape(model, 'output', output)[1];
    if (typeof dim === 'number') return dim;
  }
  throw new ModelError('MODEL_INVALID', configFile, 'expected "projection_dim" (the models do not declare their embedding size)');
}

/** Loads a CLIP-style scorer bundle from `dir` (resolve user paths with resolveModelDir first). */
export async function loadScorer(dir: string, options: RuntimeOptions = {}): Promise<Scorer> {
  const configFile = path.join(dir, 'config.json');
  const config = readBundleJson(configFile);
  if (config.model_type !== 'clip') throw new ModelError('MODEL_INVALID', configFile, `expected "model_type": "clip", got ${JSON.stringify(config.model_type)}`);
  const projectionDim = config.projection_dim === undefined ? undefined : bundleField.positiveInteger(config, 'projection_dim', configFile);
  const preprocessorFile = path.join(dir, 'preprocessor_config.json');
  const { preprocessing, resize } = readPreprocessing(preprocessorFile);
  const tokenizer = loadTokenizer(dir);
  const size = preprocessing.size;
  const embed = projectionDim ?? 'D';
  const maxBatch = options.maxBatch ?? DEFAULT_MAX_BATCH;
  const sessionOptions = { device: options.device, intraOpNumThreads: options.intraOpNumThreads };

  const textFile = path.join(dir, 'onnx', 'text_model.onnx');
  const visionFile = path.join(dir, 'onnx', 'vision_model.onnx');
  const text = await createSession(textFile, {
    ...sessionOptions,
    inputs: [
      { name: 'input_ids', type: 'int64', shape: ['batch', 'sequence'] },
      { name: 'attention_mask', type: 'int64', shape: ['batch', 'sequence'], optional: true },
    ],
    outputs: [{ name: 'text_embeds', type: 'float32', shape: ['batch', embed] }],
  });
  let vision: ModelSession;
  try {
    vision = await createSession(visionFile, {
      ...sessionOptions,
      inputs: [{ name: 'pixel_values', type: 'float32', shape: ['batch', 3, size, size] }],
      outputs: [{ name: 'image_embeds', type: 'float32', shape: ['batch', embed] }],
    });
  } catch (error) {
    await text.session.release();
    throw error;
  }
  const embedDim = embeddingDim(projectionDim, [[text, 'text_embeds'], [vision, 'image_embeds']], configFile);
  const feedsMask = declares(text, 'input', 'attention_mask');
  const fixedLength = declaredShape(text, 'input', 'input_ids')[1];

  const embedTexts = async (texts: readonly string[]): Promise<{ embeddings: Float32Array; unknownWords: string[] }> => {
    if (texts.length === 0) return { embeddings: new Float32Array(0), unknownWords: [] };
    const tokens = typeof fixedLength === 'number' ? tokenizer.encode(texts, fixedLength, 'max_length') : tokenizer.encode(texts);
    const inputs = [{ name: 'input_ids', data: tokens.inputIds, rowShape: [tokens.length] }];
    if (feedsMask) inputs.push({ name: 'attention_mask', data: tokens.attentionMask, rowShape: [tokens.length] });
    const rows = await runInBatches(text, inputs, tokens.batch, { name: 'text_embeds', rowShape: [embedDim] }, maxBatch);
    return { embeddings: normalizeRows(rows, embedDim, textFile, 'text_embeds'), unknownWords: tokens.unknownWords };
  };

  const embedImages = async (images: Float32Array, batch: number, height: number, width: number): Promise<Float32Array> => {
    if (![batch, height, width].every((n) => Number.isInteger(n) && n >= 0)) {
      throw new ModelError('MODEL_INPUT_INVALID', visionFile, `expected integer batch, height and width, got ${batch}, ${height}, ${width}`);
    }
    if (images.length !== batch * 3 * height * width) {
      throw new ModelError('MODEL_INPUT_INVALID', visionFile, `expected ${batch} x 3 x ${height} x ${width} = ${batch * 3 * height * width} pixel values, got ${images.length}`);
    }
    if (batch === 0) return new Float32Array(0);
    if (!resize && (height !== size || width !== size)) {
      throw new ModelError('MODEL_INPUT_INVALID', preprocessorFile, `do_resize is false, so images must be ${size} x ${size}; got ${height} x ${width}`);
    }
    const pixels = preprocessImages(images, batch, height, width, preprocessing);
    const rows = await runInBatches(vision, [{ name: 'pixel_values', data: pixels, rowShape: [3, size, size] }], batch, { name: 'image_embeds', rowShape: [embedDim] }, maxBatch);
    return normalizeRows(rows, embedDim, visionFile, 'image_embeds');
  };

  const fallbackReason = text.fallbackReason ?? vision.fallbackReason;
  return {
    embedDim,
    imageSize: size,
    provider: text.provider === 'cuda' && vision.provider === 'cuda' ? 'cuda' : 'cpu',
    ...(fallbackReason === undefined ? {} : { fallbackReason }),
    tokenizer,
    embedTexts,
    embedImages,
    dispose: async () => {
      await text.session.release();
      await vision.session.release();
    },
  };
}
