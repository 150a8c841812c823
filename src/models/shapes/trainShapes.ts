/**
 * npm run train:shapes [-- --only generator,scorer,oracle,report --out models/shapes --seed 1 --quick]
 *
 * Rebuilds the bundled shapes models from scratch: procedural data, training with tfjs on the
 * wasm backend, ONNX export, an export-parity check, then the report (evaluation through the
 * ONNX runtime, model cards with sha256, REPORT.md and a sample grid). Without --only, the
 * generator trains in one child process and the scorer + oracle in another (tfjs-wasm is
 * single-threaded; the machines have two cores), then the report runs.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { exportSequentialModel } from '../onnx/exportSequential';
import { exportTextEncoder } from '../onnx/exportTextEncoder';
import { loadTokenizer } from '../runtime';
import { useWasmBackend } from '../training/wasmBackend';
import { SHAPES_LATENT_DIM, SCORER_EMBED_DIM } from './architectures';
import { ALL_CAPTIONS, captionMatches, vocabulary } from './captions';
import { writeShapesReport } from './shapesReport';
import { generateOod, generateShapes } from './shapesData';
import { formatSeconds } from './training/batches';
import { maxAbsDiffAgainstOnnx } from './training/exportParity';
import { trainOracle } from './training/trainOracle';
import { trainScorer } from './training/trainScorer';
import { trainVae } from './training/trainVae';

export const SCORER_MEAN = [0.5, 0.5, 0.5];
export const SCORER_STD = [0.5, 0.5, 0.5];

interface Settings {
  out: string;
  size: number;
  seed: number;
  quick: boolean;
}

/** What each training step leaves next to its model, for the report and the model card. */
export interface TrainingRecord {
  model: string;
  seed: number;
  data: string;
  epochs: number;
  batchSize: number;
  learningRate: number;
  seconds: number;
  history: unknown[];
  exportParity: { maxAbsDiff: number; images: number };
}

function log(message: string): void {
  process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${message}\n`);
}

function writeJson(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

async function trainGeneratorBundle({ out, size, seed, quick }: Settings): Promise<void> {
  const count = quick ? 1024 : 10_000;
  const epochs = quick ? 1 : 20;
  const beta = 0.98;
  log(`generator: ${count} images (beta ${beta}), ${epochs} epochs`);
  const data = generateShapes({ count, size, beta, seed });
  const started = performance.now();
  const vae = trainVae({
    images: data.images, count, size, latentDim: SHAPES_LATENT_DIM, epochs, batchSize: 64, learningRate: 1e-3, seed,
    onEpoch: (epoch, loss, seconds) => log(`generator epoch ${epoch}/${epochs}: loss ${loss.total.toFixed(1)} (reconstruction ${loss.reconstruction.toFixed(1)}, KL ${loss.kl.toFixed(2)}) in ${formatSeconds(seconds)}`),
  });
  const seconds = (performance.now() - started) / 1000;
  const dir = path.join(out, 'generator');
  const onnx = exportSequentialModel(vae.decoder, { inputName: 'z', outputName: 'image', inputLayout: 'vector' });
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'model.onnx'), onnx);
  writeJson(path.join(dir, 'generator.json'), { type: 'generator', latentDim: SHAPES_LATENT_DIM, input: 'z', output: 'image', imageSize: [size, size], outputRange: [0, 1] });
  const parity = await maxAbsDiffAgainstOnnx(vae.decoder, onnx, { kind: 'vector', inputDim: SHAPES_LATENT_DIM, count: 64, seed: seed + 7 });
  log(`generator: exported, ONNX vs tfjs max abs diff ${parity.toExponential(2)}`);
  const record: TrainingRecord = { model: 'generator', seed, data: `${count} shapes images, ${size}x${size}, beta ${beta}`, epochs, batchSize: 64, learningRate: 1e-3, seconds, history: vae.history, exportParity: { maxAbsDiff: parity, images: 64 } };
  writeJson(path.join(dir, 'training.json'), record);
}

function tokenizerFiles(dir: string, captions: readonly string[]): number {
  const words = vocabulary(captions);
  const vocab: Record<string, number> = { '[PAD]': 0, '[UNK]': 1 };
  for (const word of words) vocab[word] = Object.keys(vocab).length;
  writeJson(path.join(dir, 'tokenizer.json'), {
    version: '1.0',
    added_tokens: [
      { id: 0, content: '[PAD]', special: true },
      { id: 1, content: '[UNK]', special: true },
    ],
    normalizer: { type: 'Lowercase' },
    pre_tokenizer: { type: 'Whitespace' },
    model: { type: 'WordLevel', vocab, unk_token: '[UNK]' },
  });
  writeJson(path.join(dir, 'tokenizer_config.json'), { tokenizer_class: 'PreTrainedTokenizerFast', unk_token: '[UNK]', pad_token: '[PAD]', model_max_length: 32 });
  return Object.keys(vocab).length;
}

async function trainScorerBundle({ out, size, seed, quick }: Settings): Promise<void> {
  const shapesCount = quick ? 1024 : 8000;
  const oodCount = quick ? 256 : 2400;
  const epochs = quick ? 1 : 12;
  const dir = path.join(out, 'scorer');
  fs.mkdirSync(path.join(dir, 'onnx'), { recursive: true });
  const captions = ALL_CAPTIONS;
  const vocabSize = tokenizerFiles(dir, captions);
  const tokenizer = loadTokenizer(dir);
  const encoded = tokenizer.encode([...captions]);
  const captionOneHot = new Float32Array(captions.length * encoded.length * vocabSize);
  const captionMask = new Float32Array(captions.length * encoded.length);
  for (let c = 0; c < captions.length; c++) {
    for (let t = 0; t < encoded.length; t++) {
      const position = c * encoded.length + t;
      captionMask[position] = Number(encoded.attentionMask[position]);
      captionOneHot[position * vocabSize + Number(encoded.inputIds[position])] = 1;
    }
  }
  const shapes = generateShapes({ count: shapesCount, size, beta: 0.5, seed: seed + 1 });
  const ood = generateOod({ count: oodCount, size, seed: seed + 2 });
  const count = shapesCount + oodCount;
  const images = new Float32Array(count * size * size * 3);
  images.set(shapes.images);
  images.set(ood.images, shapes.images.length);
  for (let i = 0; i < images.length; i++) images[i] = (images[i] - SCORER_MEAN[i % 3]) / SCORER_STD[i % 3];
  const matches = new Uint8Array(count * captions.length);
  for (let i = 0; i < count; i++) {
    const label = i < shapesCount ? shapes.labels[i] : ood.kinds[i - shapesCount];
    captions.forEach((caption, c) => (matches[i * captions.length + c] = captionMatches(caption, label) ? 1 : 0));
  }
  log(`scorer: ${shapesCount} balanced shapes + ${oodCount} out-of-distribution images, ${captions.length} captions, vocabulary ${vocabSize}, ${epochs} epochs`);
  const started = performance.now();
  const trained = trainScorer({
    images, count, size, matches, captionOneHot, captionMask, captions: captions.length, captionLength: encoded.length, vocabSize,
    embedDim: SCORER_EMBED_DIM, logitScale: 14, epochs, batchSize: 128, learningRate: 1e-3, seed,
    onEpoch: (epoch, loss, seconds) => log(`scorer epoch ${epoch}/${epochs}: loss ${loss.toFixed(4)} in ${formatSeconds(seconds)}`),
  });
  const seconds = (performance.now() - started) / 1000;
  const vision = exportSequentialModel(trained.imageEncoder, { inputName: 'pixel_values', outputName: 'image_embeds', inputLayout: 'image', l2NormalizeOutput: true });
  fs.writeFileSync(path.join(dir, 'onnx', 'vision_model.onnx'), vision);
  fs.writeFileSync(path.join(dir, 'onnx', 'text_model.onnx'), exportTextEncoder(trained.textTower.weights()));
  writeJson(path.join(dir, 'config.json'), {
    model_type: 'clip',
    projection_dim: SCORER_EMBED_DIM,
    text_config: { vocab_size: vocabSize, hidden_size: 64, max_position_embeddings: 32 },
    vision_config: { image_size: size, num_channels: 3 },
    qdgs: { note: 'Small contrastive image-text model trained by npm run train:shapes (not OpenAI CLIP).' },
  });
  writeJson(path.join(dir, 'preprocessor_config.json'), { do_resize: true, size: { shortest_edge: size }, crop_size: { height: size, width: size }, do_normalize: true, image_mean: SCORER_MEAN, image_std: SCORER_STD });
  const parity = await maxAbsDiffAgainstOnnx(trained.imageEncoder, vision, { kind: 'image', size, count: 64, seed: seed + 7, l2Normalize: true });
  log(`scorer: exported, vision ONNX vs tfjs max abs diff ${parity.toExponential(2)}`);
  const record: TrainingRecord = {
    model: 'scorer', seed, data: `${shapesCount} balanced shapes images + ${oodCount} splatter/empty/noise images, ${size}x${size}, ${captions.length} captions`,
    epochs, batchSize: 128, learningRate: 1e-3, seconds, history: trained.history, exportParity: { maxAbsDiff: parity, images: 64 },
  };
  writeJson(path.join(dir, 'training.json'), record);
}

async function trainOracleBundle({ out, size, seed, quick }: Settings): Promise<void> {
  const count = quick ? 1024 : 8000;
  const epochs = quick ? 1 : 6;
  const data = generateShapes({ count, size, beta: 0.5, seed: seed + 3 });
  const targets = new Float32Array(count * 2);
  data.labels.forEach((label, i) => {
    targets[2 * i] = label.colour === 'blue' ? 1 : 0;
    targets[2 * i + 1] = label.shape === 'square' ? 1 : 0;
  });
  log(`oracle: ${count} balanced images, ${epochs} epochs`);
  const started = performance.now();
  const trained = trainOracle({
    images: data.images, targets, count, size, epochs, batchSize: 64, learningRate: 1e-3, seed,
    onEpoch: (epoch, loss, seconds) => log(`oracle epoch ${epoch}/${epochs}: loss ${loss.toFixed(4)} in ${formatSeconds(seconds)}`),
  });
  const seconds = (performance.now() - started) / 1000;
  const dir = path.join(out, 'oracle');
  fs.mkdirSync(dir, { recursive: true });
  const onnx = exportSequentialModel(trained.model, { inputName: 'image', outputName: 'probabilities', inputLayout: 'image' });
  fs.writeFileSync(path.join(dir, 'model.onnx'), onnx);
  writeJson(path.join(dir, 'classifier.json'), { type: 'classifier', input: 'image', output: 'probabilities', imageSize: [size, size], labels: ['blue', 'square'] });
  const parity = await maxAbsDiffAgainstOnnx(trained.model, onnx, { kind: 'image', size, count: 64, seed: seed + 7 });
  log(`oracle: exported, ONNX vs tfjs max abs diff ${parity.toExponential(2)}`);
  const record: TrainingRecord = { model: 'oracle', seed, data: `${count} balanced shapes images, ${size}x${size}`, epochs, batchSize: 64, learningRate: 1e-3, seconds, history: trained.history, exportParity: { maxAbsDiff: parity, images: 64 } };
  writeJson(path.join(dir, 'training.json'), record);
}

function runChild(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [__filename, ...args], { stdio: 'inherit' });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`train:shapes ${args.join(' ')} exited with ${code}`))));
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      only: { type: 'string' },
      out: { type: 'string', default: path.join('models', 'shapes') },
      seed: { type: 'string', default: '1' },
      size: { type: 'string', default: '32' },
      quick: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const settings: Settings = { out: path.resolve(values.out!), size: Number(values.size), seed: Number(values.seed), quick: values.quick! };
  if (!Number.isInteger(settings.size) || settings.size % 8 !== 0) throw new Error(`--size must be a multiple of 8; got ${values.size}`);
  const started = performance.now();
  const passThrough = ['--out', settings.out, '--seed', String(settings.seed), '--size', String(settings.size), ...(settings.quick ? ['--quick'] : [])];
  if (!values.only) {
    log(`training the shapes models into ${settings.out} (two processes)`);
    await Promise.all([runChild(['--only', 'generator', ...passThrough]), runChild(['--only', 'scorer,oracle', ...passThrough])]);
    writeJson(path.join(settings.out, 'training-time.json'), { trainingSeconds: (performance.now() - started) / 1000 });
    await writeShapesReport(settings.out, { size: settings.size, seed: settings.seed, log });
    log(`done in ${formatSeconds((performance.now() - started) / 1000)}`);
    return;
  }
  const steps = values.only.split(',').map((step) => step.trim());
  if (steps.some((step) => step !== 'report')) await useWasmBackend();
  for (const step of steps) {
    if (step === 'generator') await trainGeneratorBundle(settings);
    else if (step === 'scorer') await trainScorerBundle(settings);
    else if (step === 'oracle') await trainOracleBundle(settings);
    else if (step === 'report') await writeShapesReport(settings.out, { size: settings.size, seed: settings.seed, log });
    else throw new Error(`--only takes generator, scorer, oracle, report; got "${step}"`);
  }
  tf.disposeVariables();
}

if (require.main === module) {
  main().catch((error: Error) => {
    console.error(error.stack ?? error.message);
    process.exit(1);
  });
}

