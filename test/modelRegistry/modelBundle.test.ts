import { expectModelError } from '../support/expectModelError';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleFiles, bundleSha256, SCORER_TEST_TEXTS, validateModelBundle, type ModelKindName } from '../../src/modelRegistry/modelBundle';
import { cudaUnavailableReason } from '../../src/models/runtime';
import { projectRoot } from '../../src/projectRoot';
import { writeClassifierBundle, writeGeneratorBundle, writeScorerBundle } from '../models/tinyBundles';

const SHAPES = path.join(projectRoot(), 'models', 'shapes');

let root: string;

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'qdgs-bundles-'));
});

afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

/** A copy of a bundled model under the temporary models root. */
function copyBundle(source: string, name: string): string {
  const dir = path.join(root, 'models', name);
  fs.cpSync(path.join(SHAPES, source), dir, { recursive: true });
  return dir;
}


describe('bundleSha256', () => {
  it('hashes path, NUL, 64-bit size and bytes of each file in path order, skipping dot-files', async () => {
    const dir = path.join(root, 'models', 'hand-made');
    fs.mkdirSync(path.join(dir, 'onnx'), { recursive: true });
    fs.mkdirSync(path.join(dir, '.git'), { recursive: true });
    const files: Array<[string, Buffer]> = [
      ['b.json', Buffer.from('{"x":1}')],
      ['a.txt', Buffer.from('')],
      ['onnx/model.onnx', Buffer.from([0, 1, 2, 255])],
      ['Z.md', Buffer.from('upper case sorts first')],
    ];
    for (const [file, bytes] of files) fs.writeFileSync(path.join(dir, file), bytes);
    fs.writeFileSync(path.join(dir, '.DS_Store'), 'metadata');
    fs.writeFileSync(path.join(dir, '.git', 'HEAD'), 'ref');

    expect(bundleFiles(dir)).toEqual(['Z.md', 'a.txt', 'b.json', 'onnx/model.onnx']);
    const expected = createHash('sha256');
    for (const [file, bytes] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const size = Buffer.alloc(8);
      size.writeBigUInt64BE(BigInt(bytes.length));
      expected.update(Buffer.concat([Buffer.from(file), Buffer.of(0), size, bytes]));
    }
    expect(await bundleSha256(dir)).toBe(expected.digest('hex'));
  });

  it('is stable for a copy of a bundle and changes when any file changes, is added, removed or renamed', async () => {
    const original = path.join(SHAPES, 'generator');
    const dir = copyBundle('generator', 'generator-copy');
    const hash = await bundleSha256(original);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(await bundleSha256(dir)).toBe(hash);
    expect(await bundleSha256(dir)).toBe(hash);

    fs.writeFileSync(path.join(dir, '.hidden-notes'), 'not part of the model');
    expect(await bundleSha256(dir)).toBe(hash);

    const card = path.join(dir, 'model-card.md');
    const text = fs.readFileSync(card);
    fs.writeFileSync(card, Buffer.concat([text, Buffer.from(' ')]));
    const edited = await bundleSha256(dir);
    expect(edited).not.toBe(hash);
    fs.writeFileSync(card, text);
    expect(await bundleSha256(dir)).toBe(hash);

    const model = path.join(dir, 'model.onnx');
    const bytes = fs.readFileSync(model);
    const flipped = Buffer.from(bytes);
    flipped[flipped.length >> 1] ^= 1;
    fs.writeFileSync(model, flipped);
    expect(await bundleSha256(dir)).not.toBe(hash);
    fs.writeFileSync(model, bytes);

    fs.writeFileSync(path.join(dir, 'extra.txt'), '');
    expect(await bundleSha256(dir)).not.toBe(hash);
    fs.rmSync(path.join(dir, 'extra.txt'));

    fs.renameSync(card, path.join(dir, 'model-card.txt'));
    expect(await bundleSha256(dir)).not.toBe(hash);
    fs.renameSync(path.join(dir, 'model-card.txt'), card);

    fs.rmSync(path.join(dir, 'training.json'));
    expect(await bundleSha256(dir)).not.toBe(hash);
  });
});

describe('validateModelBundle on the bundled shapes models', () => {
  it('loads the generator and renders a test batch', async () => {
    expect(await validateModelBundle('GENERATOR', path.join(SHAPES, 'generator'))).toEqual({ latentDim: 6, imageSize: [32, 32], provider: 'cpu' });
  });

  it('loads the scorer, embeds test texts and images, and reports test words outside its vocabulary', async () => {
    expect(SCORER_TEST_TEXTS[0]).toBe('A photo.');
    expect(await validateModelBundle('SCORER', path.join(SHAPES, 'scorer'))).toEqual({
      embedDim: 32,
      imageSize: 32,
      vocabularySize: 60,
      unknownTestWords: ['photo'],
      provider: 'cpu',
    });
  });

  it('loads the oracle and classifies a test batch', async () => {
    expect(await validateModelBundle('CLASSIFIER', path.join(SHAPES, 'oracle'))).toEqual({ labels: ['blue', 'square'], imageSize: [32, 32], provider: 'cpu' });
  });

  it('says why a GPU request runs on the CPU', async () => {
    const details = await validateModelBundle('GENERATOR', path.join(SHAPES, 'generator'), { device: 'gpu' });
    const reason = cudaUnavailableReason();
    if (reason === undefined) expect(details).toMatchObject({ provider: 'cuda' });
    else expect(details).toMatchObject({ provider: 'cpu', fallbackReason: reason });
  });
});

describe('validateModelBundle on broken bundles', () => {
  it('reports a bundle of another kind as the missing config file of the requested kind', async () => {
    const scorer = path.join(SHAPES, 'scorer');
    await expectModelError(() => validateModelBundle('GENERATOR', scorer), 'MODEL_NOT_FOUND', 'generator.json');
    await expectModelError(() => validateModelBundle('CLASSIFIER', scorer), 'MODEL_NOT_FOUND', 'classifier.json');
    await expectModelError(() => validateModelBundle('SCORER', path.join(SHAPES, 'generator')), 'MODEL_NOT_FOUND', 'config.json');
  });

  it('reports a missing, truncated or mismatched model file', async () => {
    const missing = copyBundle('generator', 'no-onnx');
    fs.rmSync(path.join(missing, 'model.onnx'));
    await expectModelError(() => validateModelBundle('GENERATOR', missing), 'MODEL_NOT_FOUND', 'model.onnx');

    const truncated = copyBundle('oracle', 'truncated');
    const bytes = fs.readFileSync(path.join(truncated, 'model.onnx'));
    fs.writeFileSync(path.join(truncated, 'model.onnx'), bytes.subarray(0, bytes.length >> 1));
    await expectModelError(() => validateModelBundle('CLASSIFIER', truncated), 'MODEL_INVALID', 'model.onnx');

    const lying = copyBundle('generator', 'wrong-latent');
    const config = JSON.parse(fs.readFileSync(path.join(lying, 'generator.json'), 'utf8'));
    fs.writeFileSync(path.join(lying, 'generator.json'), JSON.stringify({ ...config, latentDim: 7 }));
    await expectModelError(() => validateModelBundle('GENERATOR', lying), 'MODEL_INVALID', 'model.onnx');

    const badJson = copyBundle('generator', 'bad-json');
    fs.writeFileSync(path.join(badJson, 'generator.json'), '{ "latentDim": ');
    await expectModelError(() => validateModelBundle('GENERATOR', badJson), 'MODEL_INVALID', 'generator.json');
  });

  it('reports a generator whose test batch is not finite', async () => {
    const dir = path.join(root, 'models', 'nan-generator');
    writeGeneratorBundle(dir, { variant: 'nan' });
    await expectModelError(() => validateModelBundle('GENERATOR', dir), 'MODEL_OUTPUT_INVALID', 'model.onnx');
  });

  it('reports a scorer without a usable tokenizer, or whose vision model does not project', async () => {
    const noTokenizer = copyBundle('scorer', 'no-tokenizer');
    fs.rmSync(path.join(noTokenizer, 'tokenizer.json'));
    await expectModelError(() => validateModelBundle('SCORER', noTokenizer), 'TOKENIZER_INVALID', 'tokenizer.json');

    const unprojected = path.join(root, 'models', 'unprojected');
    writeScorerBundle(unprojected, { vision: 'unprojected' });
    await expectModelError(() => validateModelBundle('SCORER', unprojected), 'MODEL_INVALID', 'vision_model.onnx');
  });

  it('accepts small user bundles of each kind and describes them', async () => {
    const kinds: Array<[ModelKindName, string, object]> = [
      ['GENERATOR', writeGeneratorBundle(path.join(root, 'models', 'tiny-g'), { latentDim: 3, height: 4, width: 5 }).dir, { latentDim: 3, imageSize: [4, 5] }],
      ['SCORER', writeScorerBundle(path.join(root, 'models', 'tiny-s'), { size: 4, embedDim: 8 }).dir, { embedDim: 8, imageSize: 4, unknownTestWords: ['photo', 'on', 'white', 'background'] }],
      ['CLASSIFIER', writeClassifierBundle(path.join(root, 'models', 'tiny-c'), { labels: ['x', 'y', 'z'] }).dir, { labels: ['x', 'y', 'z'], imageSize: [4, 4] }],
    ];
    for (const [kind, dir, details] of kinds) expect(await validateModelBundle(kind, dir)).toMatchObject({ ...details, provider: 'cpu' });
  });
});
