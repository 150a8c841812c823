import { expectModelError } from '../support/expectModelError';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import {
  createSession,
  cudaUnavailableReason,
  loadClassifier,
  loadGenerator,
  loadScorer,
  loadTokenizer,
  preprocessImages,
  resolveModelDir,
} from '../../src/models/runtime';
import {
  IMAGE_MEAN,
  IMAGE_STD,
  l2NormalizeRows,
  SCORER_VOCAB,
  seededValues,
  writeClassifierBundle,
  writeGeneratorBundle,
  writeScorerBundle,
  writeTokenizerFiles,
  type TinyGenerator,
  type TinyScorer,
} from './tinyBundles';

let root: string;
let generatorBundle: TinyGenerator;
let scorerBundle: TinyScorer;

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'qdgs-runtime-'));
  generatorBundle = writeGeneratorBundle(path.join(root, 'models', 'generator'), { latentDim: 6, height: 4, width: 5 });
  scorerBundle = writeScorerBundle(path.join(root, 'models', 'scorer'), { size: 4, embedDim: 8 });
});

afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

/** A fresh bundle directory under the temp root. */
function bundleDir(name: string): string {
  return path.join(root, 'models', name);
}

function expectClose(actual: Float32Array, expected: Float32Array, tolerance = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  expect(worst).toBeLessThan(tolerance);
}


describe('generator', () => {
  it('generates NCHW images equal to the same graph computed in JavaScript', async () => {
    const generator = await loadGenerator(generatorBundle.dir);
    try {
      expect(generator.latentDim).toBe(6);
      expect(generator.imageSize).toEqual([4, 5]);
      expect(generator.provider).toBe('cpu');
      const z = seededValues(3 * 6, 99);
      const images = await generator.generate(z, 3);
      expect(images.length).toBe(3 * 3 * 4 * 5);
      expectClose(images, generatorBundle.raw(z, 3));
    } finally {
      await generator.dispose();
    }
  });

  it('splits batches over maxBatch into several runs and concatenates them in order', async () => {
    const generator = await loadGenerator(generatorBundle.dir, { maxBatch: 4 });
    // InferenceSession is typed as a factory; at run time it is the session class.
    const sessionPrototype = (ort.InferenceSession as unknown as { prototype: ort.InferenceSession }).prototype;
    const run = jest.spyOn(sessionPrototype, 'run');
    try {
      const z = seededValues(10 * 6, 7);
      const images = await generator.generate(z, 10);
      expect(run.mock.calls.map(([feeds]: [ort.InferenceSession.FeedsType, ...unknown[]]) => (feeds.z as ort.Tensor).dims[0])).toEqual([4, 4, 2]);
      expectClose(images, generatorBundle.raw(z, 10));
    } finally {
      run.mockRestore();
      await generator.dispose();
    }
  });

  it('runs a model with a fixed batch size in chunks of that size, padding the last one', async () => {
    const bundle = writeGeneratorBundle(bundleDir('generator-fixed-batch'), { fixedBatch: 2 });
    const generator = await loadGenerator(bundle.dir, { maxBatch: 64 });
    try {
      const z = seededValues(5 * bundle.latentDim, 17);
      expectClose(await generator.generate(z, 5), bundle.raw(z, 5));
    } finally {
      await generator.dispose();
    }
  });

  it('maps outputRange to [0, 1]', async () => {
    const bundle = writeGeneratorBundle(bundleDir('generator-signed'), { outputRange: [-1, 1] });
    const generator = await loadGenerator(bundle.dir);
    try {
      const z = seededValues(2 * bundle.latentDim, 5);
      const expected = bundle.raw(z, 2).map((v) => (v + 1) / 2);
      expectClose(await generator.generate(z, 2), expected);
    } finally {
      await generator.dispose();
    }
  });

  it('rejects latents of the wrong length or with NaN', async () => {
    const generator = await loadGenerator(generatorBundle.dir);
    try {
      await expectModelError(() => generator.generate(new Float32Array(7), 1), 'MODEL_INPUT_INVALID', 'model.onnx');
      await expectModelError(() => generator.generate(new Float32Array(6).fill(Number.NaN), 1), 'MODEL_INPUT_INVALID', 'model.onnx');
    } finally {
      await generator.dispose();
    }
  });

  it("falls back to the CPU when 'gpu' is requested and CUDA is not installed, and says so", async () => {
    const generator = await loadGenerator(generatorBundle.dir, { device: 'gpu' });
    try {
      const reason = cudaUnavailableReason();
      if (reason === undefined) {
        expect(generator.provider).toBe('cuda'); // a machine with the CUDA provider installed
      } else {
        expect(generator.provider).toBe('cpu');
        expect(generator.fallbackReason).toBe(reason);
        expect(reason).toMatch(/CUDA execution provider/);
      }
      const z = seededValues(6, 3);
      expectClose(await generator.generate(z, 1), generatorBundle.raw(z, 1));
    } finally {
      await generator.dispose();
    }
    const cpu = await loadGenerator(generatorBundle.dir, { device: 'cpu' });
    expect(cpu.fallbackReason).toBeUndefined();
    await cpu.dispose();
    const session = await createSession(path.join(generatorBundle.dir, 'model.onnx'), { device: 'gpu' });
    expect({ provider: session.provider, fallbackReason: session.fallbackReason }).toEqual(
      cudaUnavailableReason() === undefined ? { provider: 'cuda', fallbackReason: undefined } : { provider: 'cpu', fallbackReason: cudaUnavailableReason() },
    );
    await session.session.release();
  });
});

describe('tokenizer', () => {
  it('lower-cases, splits punctuation, adds <s> </s>, pads to the longest and reports unknown words', () => {
    const tokenizer = loadTokenizer(scorerBundle.dir);
    const id = (token: string): bigint => BigInt(SCORER_VOCAB.indexOf(token));
    const batch = tokenizer.encode(['A RED, Square.', 'blue circle', 'A purple hexagon!']);
    expect(batch.batch).toBe(3);
    expect(batch.length).toBe(7);
    const rows = Array.from({ length: 3 }, (_, r) => Array.from(batch.inputIds.subarray(r * 7, r * 7 + 7)));
    expect(rows[0]).toEqual(['<s>', 'a', 'red', ',', 'square', '.', '</s>'].map(id));
    expect(rows[1]).toEqual(['<s>', 'blue', 'circle', '</s>', '[PAD]', '[PAD]', '[PAD]'].map(id));
    expect(rows[2]).toEqual(['<s>', 'a', '[UNK]', '[UNK]', '[UNK]', '</s>', '[PAD]'].map(id));
    expect(Array.from(batch.attentionMask.subarray(7, 14))).toEqual([1n, 1n, 1n, 1n, 0n, 0n, 0n]);
    expect(batch.unknownWords).toEqual(['purple', 'hexagon', '!']);
  });

  it('truncates to maxLength and to model_max_length, keeping the special tokens', () => {
    const tokenizer = loadTokenizer(scorerBundle.dir);
    expect(tokenizer.modelMaxLength).toBe(16);
    const short = tokenizer.encode(['a red square shape'], 4);
    expect(Array.from(short.inputIds)).toEqual([2n, 4n, 5n, 3n]);
    const long = tokenizer.encode(['red '.repeat(40)]);
    expect(long.length).toBe(16);
    expect(long.inputIds[15]).toBe(3n);
    expect(tokenizer.encode(['red'], 6, 'max_length').length).toBe(6);
  });

  it('supports the Whitespace pre-tokenizer (\\w+|[^\\w\\s]+) and a plain Lowercase normalizer', () => {
    const dir = bundleDir('whitespace-tokenizer');
    writeTokenizerFiles(dir);
    const file = path.join(dir, 'tokenizer.json');
    const json = JSON.parse(fs.readFileSync(file, 'utf8'));
    fs.writeFileSync(file, JSON.stringify({ ...json, normalizer: { type: 'Lowercase' }, pre_tokenizer: { type: 'Whitespace' }, post_processor: null }));
    const tokenizer = loadTokenizer(dir);
    expect(tokenizer.words('Red-ish,  SQUARE... Été')).toEqual(['red', '-', 'ish', ',', 'square', '...', 'été']);
    expect(Array.from(tokenizer.encode(['red square']).inputIds)).toEqual([5n, 8n]);
  });

  it('fails with TOKENIZER_INVALID naming the file when tokenizer.json is missing', async () => {
    const dir = bundleDir('no-tokenizer');
    writeTokenizerFiles(dir);
    fs.rmSync(path.join(dir, 'tokenizer.json'));
    await expectModelError(() => loadTokenizer(dir), 'TOKENIZER_INVALID', 'tokenizer.json');
  });

  it('fails with TOKENIZER_INVALID when there is no unk_token, or the model is not WordLevel', async () => {
    const dir = bundleDir('no-unk');
    writeTokenizerFiles(dir, { unk_token: undefined });
    const file = path.join(dir, 'tokenizer.json');
    const json = JSON.parse(fs.readFileSync(file, 'utf8'));
    delete json.model.unk_token;
    fs.writeFileSync(file, JSON.stringify(json));
    const error = await expectModelError(() => loadTokenizer(dir), 'TOKENIZER_INVALID', 'tokenizer_config.json');
    expect(error.message).toContain('unk_token');

    json.model = { type: 'BPE', vocab: {}, merges: [] };
    fs.writeFileSync(file, JSON.stringify(json));
    await expectModelError(() => loadTokenizer(dir), 'TOKENIZER_INVALID', 'tokenizer.json');
  });
});

describe('image preprocessing', () => {
  const identity = { mean: [0], std: [1] };

  it('keeps a constant image constant through resizing and normalises per channel', () => {
    for (const [height, width] of [[7, 7], [3, 5], [9, 2]]) {
      const image = new Float32Array(3 * height * width);
      image.fill(0.2, 0, height * width);
      image.fill(0.6, height * width, 2 * height * width);
      image.fill(0.9, 2 * height * width);
      const out = preprocessImages(image, 1, height, width, { size: 4, mean: IMAGE_MEAN, std: IMAGE_STD });
      expect(out.length).toBe(3 * 16);
      [0.2, 0.6, 0.9].forEach((value, c) => {
        const expected = (value - IMAGE_MEAN[c]) / IMAGE_STD[c];
        for (let i = 0; i < 16; i++) expect(out[c * 16 + i]).toBeCloseTo(expected, 5);
      });
    }
  });

  it('upsamples 2x2 to 4x4 bilinearly with half-pixel centres', () => {
    const [a, b, c, d] = [0.1, 0.5, 0.3, 0.9];
    const image = new Float32Array(12);
    image.set([a, b, c, d], 4); // channel 1 only
    const out = preprocessImages(image, 1, 2, 2, { size: 4, ...identity }).subarray(16, 32);
    const lerp = (p: number, q: number, t: number): number => p + (q - p) * t;
    const weights = [0, 0.25, 0.75, 1];
    const expected = new Float32Array(16);
    weights.forEach((ty, y) =>
      weights.forEach((tx, x) => {
        expected[y * 4 + x] = lerp(lerp(a, b, tx), lerp(c, d, tx), ty);
      }),
    );
    expectClose(out, expected, 1e-6);
  });

  it("downsamples with PIL's antialiasing triangle filter", () => {
    const row = [0.0, 0.4, 0.8, 1.0];
    const image = new Float32Array(3 * 4 * 4);
    for (let y = 0; y < 4; y++) image.set(row, y * 4); // channel 0: every row the same
    const out = preprocessImages(image, 1, 4, 4, { size: 2, ...identity });
    // Output pixel 0 is centred at input 1.0: taps 0, 1, 2 with weights 0.75, 0.75, 0.25 (support 2).
    const left = (0.75 * row[0] + 0.75 * row[1] + 0.25 * row[2]) / 1.75;
    const right = (0.25 * row[1] + 0.75 * row[2] + 0.75 * row[3]) / 1.75;
    expectClose(out.subarray(0, 4), new Float32Array([left, right, left, right]), 1e-6);
  });

  it('centre-crops non-square images after resizing the shorter side', () => {
    // 2 x 6 image whose columns are 0..5: resized to 4 x 12 then cropped to columns 4..7.
    const image = new Float32Array(3 * 2 * 6);
    for (let y = 0; y < 2; y++) for (let x = 0; x < 6; x++) image[y * 6 + x] = x;
    const out = preprocessImages(image, 1, 2, 6, { size: 4, ...identity });
    // Column o of the 12-wide resize samples input position (o + 0.5) / 2 - 0.5.
    const expected = [4, 5, 6, 7].map((o) => (o + 0.5) / 2 - 0.5);
    expectClose(out.subarray(0, 4), new Float32Array(expected), 1e-6);
  });
});

describe('scorer', () => {
  it('embeds texts as unit rows equal to the graph computed in JavaScript, reporting unknown words', async () => {
    const scorer = await loadScorer(scorerBundle.dir);
    try {
      expect({ embedDim: scorer.embedDim, imageSize: scorer.imageSize, provider: scorer.provider }).toEqual({ embedDim: 8, imageSize: 4, provider: 'cpu' });
      const texts = ['A red square.', 'A blue circle.', 'A mauve shape.'];
      const { embeddings, unknownWords } = await scorer.embedTexts(texts);
      expect(unknownWords).toEqual(['mauve']);
      const tokens = scorer.tokenizer.encode(texts);
      const expected = l2NormalizeRows(scorerBundle.text(tokens.inputIds, tokens.attentionMask, 3, tokens.length), 8);
      expectClose(embeddings, expected);
      // Padding must not change an embedding: alone, the shortest text gives the same row.
      const alone = await scorer.embedTexts(['A red square.']);
      expectClose(alone.embeddings, embeddings.subarray(0, 8));
    } finally {
      await scorer.dispose();
    }
  });

  it('embeds images of the model size and of other sizes (resized first) as unit rows', async () => {
    const scorer = await loadScorer(scorerBundle.dir, { maxBatch: 2 });
    try {
      const exact = seededValues(5 * 3 * 4 * 4, 41).map((v) => (v + 1) / 2);
      const options = { size: 4, mean: IMAGE_MEAN, std: IMAGE_STD };
      const embeddings = await scorer.embedImages(exact, 5, 4, 4);
      expectClose(embeddings, l2NormalizeRows(scorerBundle.vision(preprocessImages(exact, 5, 4, 4, options), 5), 8));
      for (let r = 0; r < 5; r++) {
        let norm = 0;
        for (let i = 0; i < 8; i++) norm += embeddings[r * 8 + i] ** 2;
        expect(Math.sqrt(norm)).toBeCloseTo(1, 5);
      }
      const large = seededValues(2 * 3 * 8 * 8, 42).map((v) => (v + 1) / 2);
      const resized = await scorer.embedImages(large, 2, 8, 8);
      expectClose(resized, l2NormalizeRows(scorerBundle.vision(preprocessImages(large, 2, 8, 8, options), 2), 8));
    } finally {
      await scorer.dispose();
    }
  });

  it('rejects a vision model whose output has the wrong shape, naming the file', async () => {
    const bundle = writeScorerBundle(bundleDir('scorer-unprojected'), { size: 4, embedDim: 8, vision: 'unprojected' });
    const error = await expectModelError(() => loadScorer(bundle.dir), 'MODEL_INVALID', path.join('onnx', 'vision_model.onnx'));
    expect(error.message).toContain('expected output image_embeds of shape [batch, 8], got [batch, 3, 4, 4]');
  });

  it('fails with TOKENIZER_INVALID when the bundle has no tokenizer.json', async () => {
    const bundle = writeScorerBundle(bundleDir('scorer-no-tokenizer'));
    fs.rmSync(path.join(bundle.dir, 'tokenizer.json'));
    await expectModelError(() => loadScorer(bundle.dir), 'TOKENIZER_INVALID', 'tokenizer.json');
  });
});

describe('classifier', () => {
  it('returns batch x labels probabilities equal to the graph computed in JavaScript', async () => {
    const bundle = writeClassifierBundle(bundleDir('classifier'), { height: 4, width: 4, labels: ['blue', 'square', 'large'] });
    const classifier = await loadClassifier(bundle.dir, { maxBatch: 3 });
    try {
      expect(classifier.labels).toEqual(['blue', 'square', 'large']);
      const images = seededValues(7 * 3 * 16, 51).map((v) => (v + 1) / 2);
      const probabilities = await classifier.classify(images, 7);
      expect(probabilities.length).toBe(21);
      expectClose(probabilities, bundle.reference(images, 7));
      await expectModelError(() => classifier.classify(new Float32Array(10), 1), 'MODEL_INPUT_INVALID', 'model.onnx');
    } finally {
      await classifier.dispose();
    }
  });
});

describe('model errors', () => {
  it('missing model file: MODEL_NOT_FOUND naming it', async () => {
    const bundle = writeGeneratorBundle(bundleDir('generator-missing'));
    fs.rmSync(path.join(bundle.dir, 'model.onnx'));
    await expectModelError(() => loadGenerator(bundle.dir), 'MODEL_NOT_FOUND', 'model.onnx');
  });

  it('missing bundle config: MODEL_NOT_FOUND naming it', async () => {
    const bundle = writeGeneratorBundle(bundleDir('generator-no-config'));
    fs.rmSync(path.join(bundle.dir, 'generator.json'));
    await expectModelError(() => loadGenerator(bundle.dir), 'MODEL_NOT_FOUND', 'generator.json');
  });

  it('truncated model file: MODEL_INVALID naming it', async () => {
    const bundle = writeGeneratorBundle(bundleDir('generator-truncated'));
    const file = path.join(bundle.dir, 'model.onnx');
    const bytes = fs.readFileSync(file);
    fs.writeFileSync(file, bytes.subarray(0, bytes.length >> 1));
    await expectModelError(() => loadGenerator(bundle.dir), 'MODEL_INVALID', 'model.onnx');
  });

  it('a model with a different output name: MODEL_INVALID saying what was expected', async () => {
    const bundle = writeGeneratorBundle(bundleDir('generator-renamed'), { variant: 'wrongOutputName' });
    const error = await expectModelError(() => loadGenerator(bundle.dir), 'MODEL_INVALID', 'model.onnx');
    expect(error.message).toContain('expected output image of shape [batch, 3, 4, 4]; the model\'s outputs are pixels');
  });

  it('a model whose graph really makes another image size than it declares: MODEL_INVALID at load', async () => {
    // The graph declares [batch, 3, height, width] symbolically; onnxruntime's shape inference
    // resolves the Reshape to [batch, 3, 2, 8] and reports that in outputMetadata.
    const bundle = writeGeneratorBundle(bundleDir('generator-lying'), { height: 4, width: 4, graphImageSize: [2, 8] });
    const error = await expectModelError(() => loadGenerator(bundle.dir), 'MODEL_INVALID', 'model.onnx');
    expect(error.message).toContain('expected output image of shape [batch, 3, 4, 4], got [batch, 3, 2, 8]');
  });

  it('a model that outputs NaN (divides by zero): MODEL_OUTPUT_INVALID naming it', async () => {
    const bundle = writeGeneratorBundle(bundleDir('generator-nan'), { variant: 'nan' });
    const generator = await loadGenerator(bundle.dir);
    try {
      const error = await expectModelError(() => generator.generate(seededValues(12, 1), 2), 'MODEL_OUTPUT_INVALID', 'model.onnx');
      expect(error.message).toContain('NaN');
    } finally {
      await generator.dispose();
    }
  });

  it('paths escaping the models root: PATH_OUTSIDE_ROOT', async () => {
    const models = path.join(root, 'models');
    expect(resolveModelDir(models, 'generator')).toBe(fs.realpathSync(generatorBundle.dir));
    expect(resolveModelDir(models, generatorBundle.dir)).toBe(fs.realpathSync(generatorBundle.dir));
    const outside = path.join(root, 'outside');
    fs.mkdirSync(outside, { recursive: true });
    fs.symlinkSync(outside, path.join(models, 'link-out'));
    for (const request of ['../outside', 'generator/../../outside', outside, '/etc', 'link-out']) {
      await expectModelError(() => resolveModelDir(models, request), 'PATH_OUTSIDE_ROOT', request);
    }
    await expectModelError(() => resolveModelDir(models, 'nothing-here'), 'MODEL_NOT_FOUND', 'nothing-here');
  });
});
