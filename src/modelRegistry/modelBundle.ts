import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { SeededRandom } from '../qd/random';
import { loadClassifier, loadGenerator, loadScorer, ModelError, type ExecutionProvider, type RuntimeOptions } from '../models/runtime';

/**
 * Model bundles as the registry sees them: a content hash that pins the files a registered model
 * was checked with, and a check that loads a bundle with the model runtime and runs a real test
 * batch through it, returning what it found (`details`).
 */

export const MODEL_KINDS = ['GENERATOR', 'SCORER', 'CLASSIFIER'] as const;
export type ModelKindName = (typeof MODEL_KINDS)[number];

/** Where the test batch ran, for every kind. */
export interface ProviderDetails {
  provider: ExecutionProvider;
  /** Why a GPU request runs on the CPU; absent when nothing fell back. */
  fallbackReason?: string;
}

export interface GeneratorDetails extends ProviderDetails {
  latentDim: number;
  /** [height, width] of the generated images. */
  imageSize: [number, number];
}

export interface ScorerDetails extends ProviderDetails {
  /** Length of the text and image embeddings. */
  embedDim: number;
  /** Side S of the square images the vision model takes (other sizes are resized). */
  imageSize: number;
  /** Token ids the tokenizer can produce (largest id + 1). */
  vocabularySize: number;
  /** Words of the test texts (SCORER_TEST_TEXTS) the vocabulary lacks: they map to the unknown token. */
  unknownTestWords: string[];
}

export interface ClassifierDetails extends ProviderDetails {
  /** One independent probability per label, in output order. */
  labels: string[];
  /** [height, width] the classifier takes; images are not resized. */
  imageSize: [number, number];
}

export type ModelDetails = GeneratorDetails | ScorerDetails | ClassifierDetails;

/** Texts a scorer embeds when it is checked: a generic caption and one in the bundled shapes' words. */
export const SCORER_TEST_TEXTS = ['A photo.', 'A red square on a white background.'] as const;

/** Seed of the normal latent row of a generator's test batch. */
const TEST_LATENT_SEED = 1;

/**
 * sha256 of a bundle directory, as lowercase hex.
 *
 * Scheme: every regular file below `dir` (symbolic links to files are followed; links to
 * directories are not descended into), except files and folders whose name starts with '.'
 * (`.DS_Store`, `.git/`: metadata, not model content), is visited in ascending order of its
 * path relative to `dir` written with '/' separators and compared as UTF-8 bytes. For each
 * file the hash is fed
 *
 *     UTF-8(relative path) || 0x00 || uint64 big-endian(file size in bytes) || file bytes
 *
 * The NUL ends the path (it cannot occur in one) and the fixed-width size ends the content, so
 * no two different bundles feed the same byte stream: renaming, adding, removing or editing any
 * file (model cards and JSON configs included) changes the hash. Timestamps and permissions do
 * not count. Files are streamed, so a bundle of any size hashes in constant memory.
 */
export async function bundleSha256(dir: string): Promise<string> {
  const hash = createHash('sha256');
  for (const file of bundleFiles(dir)) {
    const handle = await fs.promises.open(path.join(dir, ...file.split('/')), 'r');
    try {
      const { size } = await handle.stat();
      const header = Buffer.alloc(8);
      header.writeBigUInt64BE(BigInt(size));
      hash.update(Buffer.from(file, 'utf8'));
      hash.update(Buffer.of(0));
      hash.update(header);
      const chunk = Buffer.alloc(Math.min(Math.max(size, 1), 1 << 20));
      let read = 0;
      while (read < size) {
        const { bytesRead } = await handle.read(chunk, 0, Math.min(chunk.length, size - read), read);
        if (bytesRead === 0) break;
        hash.update(bytesRead === chunk.length ? chunk : chunk.subarray(0, bytesRead));
        read += bytesRead;
      }
      if (read !== size) throw new Error(`${file} changed while the bundle was being hashed (${read} of ${size} bytes read)`);
    } finally {
      await handle.close();
    }
  }
  return hash.digest('hex');
}

/** Relative '/'-separated paths of the files bundleSha256 hashes, in the order it hashes them. */
export function bundleFiles(dir: string): string[] {
  const files: string[] = [];
  const visit = (relative: string[]) => {
    for (const entry of fs.readdirSync(path.join(dir, ...relative), { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const parts = [...relative, entry.name];
      if (entry.isDirectory()) visit(parts);
      else if (entry.isFile() || (entry.isSymbolicLink() && fs.statSync(path.join(dir, ...parts)).isFile())) files.push(parts.join('/'));
    }
  };
  visit([]);
  return files.sort((a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
}

function providerDetails(loaded: { provider: ExecutionProvider; fallbackReason?: string }): ProviderDetails {
  return { provider: loaded.provider, ...(loaded.fallbackReason === undefined ? {} : { fallbackReason: loaded.fallbackReason }) };
}

/** Every value finite and, when given, inside [low, high]; else MODEL_OUTPUT_INVALID naming `file`. */
function checkValues(values: Float32Array, expectedLength: number, file: string, what: string, range?: [number, number]): void {
  if (values.length !== expectedLength) throw new ModelError('MODEL_OUTPUT_INVALID', file, `the test batch gave ${values.length} ${what} values, expected ${expectedLength}`);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v) || (range && (v < range[0] || v > range[1]))) {
      const expected = range ? `finite numbers in [${range[0]}, ${range[1]}]` : 'finite numbers';
      throw new ModelError('MODEL_OUTPUT_INVALID', file, `the test batch gave ${what} value ${v} at index ${i}; expected ${expected}`);
    }
  }
}

/** n mid-grey NCHW images in [0, 1] of height x width. */
function greyImages(n: number, height: number, width: number): Float32Array {
  return new Float32Array(n * 3 * height * width).fill(0.5);
}

/**
 * Loads the bundle in `dir` as a model of `kind` with the model runtime and runs a test batch:
 * a generator turns two latents (zeros and a seeded standard-normal row) into images that must
 * be finite and in [0, 1]; a scorer embeds SCORER_TEST_TEXTS and two grey images of its input
 * size; a classifier classifies a black and a white image of its input size. The runtime checks
 * every output (shape, finiteness, probabilities in [0, 1]); the sessions are released
 * afterwards. Throws the runtime's ModelError (MODEL_NOT_FOUND, MODEL_INVALID,
 * MODEL_OUTPUT_INVALID, TOKENIZER_INVALID ...). Words of the scorer's test texts outside its
 * vocabulary are not an error: they are reported in `unknownTestWords`.
 */
export async function validateModelBundle(kind: ModelKindName, dir: string, options: RuntimeOptions = {}): Promise<ModelDetails> {
  switch (kind) {
    case 'GENERATOR': {
      const generator = await loadGenerator(dir, options);
      try {
        const z = new Float32Array(2 * generator.latentDim);
        const random = new SeededRandom(TEST_LATENT_SEED);
        for (let i = generator.latentDim; i < z.length; i++) z[i] = random.normal();
        const images = await generator.generate(z, 2);
        const [height, width] = generator.imageSize;
        checkValues(images, 2 * 3 * height * width, path.join(dir, 'model.onnx'), 'image', [0, 1]);
        return { latentDim: generator.latentDim, imageSize: [height, width], ...providerDetails(generator) };
      } finally {
        await generator.dispose();
      }
    }
    case 'SCORER': {
      const scorer = await loadScorer(dir, options);
      try {
        const { embeddings, unknownWords } = await scorer.embedTexts(SCORER_TEST_TEXTS);
        checkValues(embeddings, SCORER_TEST_TEXTS.length * scorer.embedDim, path.join(dir, 'onnx', 'text_model.onnx'), 'text embedding');
        const size = scorer.imageSize;
        const imageEmbeddings = await scorer.embedImages(greyImages(2, size, size), 2, size, size);
        checkValues(imageEmbeddings, 2 * scorer.embedDim, path.join(dir, 'onnx', 'vision_model.onnx'), 'image embedding');
        return { embedDim: scorer.embedDim, imageSize: size, vocabularySize: scorer.tokenizer.vocabSize, unknownTestWords: unknownWords, ...providerDetails(scorer) };
      } finally {
        await scorer.dispose();
      }
    }
    case 'CLASSIFIER': {
      const classifier = await loadClassifier(dir, options);
      try {
        const [height, width] = classifier.imageSize;
        const pixels = 3 * height * width;
        const images = new Float32Array(2 * pixels);
        images.fill(1, pixels);
        const probabilities = await classifier.classify(images, 2);
        checkValues(probabilities, 2 * classifier.labels.length, path.join(dir, 'model.onnx'), 'probability');
        return { labels: [...classifier.labels], imageSize: [height, width], ...providerDetails(classifier) };
      } finally {
        await classifier.dispose();
      }
    }
    default:
      throw new RangeError(`unknown model kind ${JSON.stringify(kind)}; expected one of ${MODEL_KINDS.join(', ')}`);
  }
}
