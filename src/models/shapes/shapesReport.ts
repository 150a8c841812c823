import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { loadClassifier, loadGenerator, loadScorer } from '../runtime';
import { colourBlendShare, evaluateOracle, evaluateScorer, judgeProportions, samplePrior, SHAPES_PROMPTS, type GroupProportions } from './evaluation';
import { writeImageGridPng } from './imageGrid';
import { generateShapes, toNchw, toNhwc } from './shapesData';
import type { TrainingRecord } from './trainShapes';
import { formatSeconds } from './training/batches';

/** Fixed evaluation seeds, disjoint from the training data's. */
export const EVALUATION_SEEDS = { scorer: 1001, oracle: 1002, prior: 1003, biasedData: 1004 } as const;

function sha256(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

function percent(value: number): string {
  return `${(100 * value).toFixed(1)}%`;
}

function proportionsRow(name: string, p: GroupProportions): string {
  return `| ${name} | ${percent(p.redTriangle)} | ${percent(p.blueSquare)} | ${percent(p.blueTriangle)} | ${percent(p.redSquare)} |`;
}

function readRecord(dir: string): TrainingRecord {
  return JSON.parse(fs.readFileSync(path.join(dir, 'training.json'), 'utf8')) as TrainingRecord;
}

function filesTable(dir: string, files: string[]): string {
  return ['| file | bytes | sha256 |', '|---|---|---|', ...files.map((file) => `| \`${file}\` | ${fs.statSync(path.join(dir, file)).size} | \`${sha256(path.join(dir, file))}\` |`)].join('\n');
}

function trainingSection(record: TrainingRecord): string {
  const first = JSON.stringify(record.history[0]);
  const last = JSON.stringify(record.history[record.history.length - 1]);
  return [
    `- Data: ${record.data} (procedural, \`src/models/shapes/shapesData.ts\`), seed ${record.seed}.`,
    `- Training: ${record.epochs} epochs, batch ${record.batchSize}, Adam ${record.learningRate}, tfjs wasm backend, ${formatSeconds(record.seconds)} on this machine.`,
    `- Loss per epoch: first ${first}, last ${last}.`,
    `- Export parity (ONNX vs tfjs on ${record.exportParity.images} inputs): max abs diff ${record.exportParity.maxAbsDiff.toExponential(2)}.`,
  ].join('\n');
}

function biasSentence(prior: GroupProportions, blends: number): string {
  const rare = Math.max(prior.blueTriangle, prior.redSquare);
  return `Each rare combination is at most ${percent(rare)} of the prior samples (a balanced dataset has 25% of each), the common ones ${percent(Math.min(prior.redTriangle, prior.blueSquare))} or more: this is the bias QDGS has to repair. ${percent(blends)} of the prior samples are colour blends (purple, in the middle third between the data's red and blue) that the oracle, trained on real images only, must still call red or blue; the rare shares above include such blends.`;
}

/**
 * Evaluates the three bundles through the ONNX runtime (the path the platform uses) and writes
 * each model card, REPORT.md and the sample grid.
 */
export async function writeShapesReport(out: string, options: { size: number; seed: number; log: (line: string) => void }): Promise<void> {
  const { size, log } = options;
  const dirs = { generator: path.join(out, 'generator'), scorer: path.join(out, 'scorer'), oracle: path.join(out, 'oracle') };
  const generator = await loadGenerator(dirs.generator, { device: 'cpu' });
  const scorer = await loadScorer(dirs.scorer, { device: 'cpu' });
  const oracle = await loadClassifier(dirs.oracle, { device: 'cpu' });

  log('report: evaluating the scorer, the oracle and the generator');
  const scorerMetrics = await evaluateScorer(scorer, { count: 1000, size, seed: EVALUATION_SEEDS.scorer });
  const oracleMetrics = await evaluateOracle(oracle, { count: 1000, size, seed: EVALUATION_SEEDS.oracle });
  const priorCount = 2000;
  const prior = await samplePrior(generator, priorCount, EVALUATION_SEEDS.prior);
  const priorProportions = await judgeProportions(oracle, prior.images, priorCount);
  const priorBlends = colourBlendShare(prior.images, priorCount, size);
  const biased = generateShapes({ count: 2000, size, beta: 0.98, seed: EVALUATION_SEEDS.biasedData });
  const biasedProportions = await judgeProportions(oracle, toNchw(biased.images, 2000, size), 2000);
  const gridCount = 64;
  writeImageGridPng(path.join(out, 'samples.png'), toNhwc(prior.images.subarray(0, gridCount * 3 * size * size), gridCount, size), gridCount, size, 8, { scale: 3, gap: 2 });

  const records = { generator: readRecord(dirs.generator), scorer: readRecord(dirs.scorer), oracle: readRecord(dirs.oracle) };
  const scorerFiles = ['config.json', 'preprocessor_config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/text_model.onnx', 'onnx/vision_model.onnx'];

  fs.writeFileSync(
    path.join(dirs.generator, 'model-card.md'),
    `# Shapes generator (VAE decoder)\n\nDecoder of a convolutional VAE (latent dimension 6) trained on colour-biased shapes: 98% red triangles + blue squares, 2% blue triangles + red squares. It is the biased generator QDGS starts from. ONNX input \`z\` float32 [batch, 6] (prior N(0, I)), output \`image\` float32 [batch, 3, ${size}, ${size}] in [0, 1].\n\n${trainingSection(records.generator)}\n\n## Metrics\nPrior samples (${priorCount}, seed ${EVALUATION_SEEDS.prior}) judged by the attribute oracle: red triangles ${percent(priorProportions.redTriangle)}, blue squares ${percent(priorProportions.blueSquare)}, blue triangles ${percent(priorProportions.blueTriangle)}, red squares ${percent(priorProportions.redSquare)}; ${percent(priorBlends)} are purple colour blends.\n\n## Files\n${filesTable(dirs.generator, ['generator.json', 'model.onnx'])}\n`,
  );
  fs.writeFileSync(
    path.join(dirs.scorer, 'model-card.md'),
    `# Shapes scorer (CLIP-style image-text model)\n\nA small contrastive image-text model trained here with InfoNCE over balanced shapes images of every colour x shape and out-of-distribution images (colour splatters, empty images, noise), with ${records.scorer.data.split(', ').pop()} of varied wording. Standard CLIP bundle layout, so a real CLIP ONNX export in the same layout loads through the same code. Not OpenAI CLIP: its vocabulary is the captions' words; other words map to [UNK] and are reported.\n\n${trainingSection(records.scorer)}\n\n## Metrics (through the ONNX runtime)\n- Zero-shot colour accuracy ("${SHAPES_PROMPTS.red}" vs "${SHAPES_PROMPTS.blue}") on ${scorerMetrics.images} held-out balanced images: ${percent(scorerMetrics.colourAccuracy)}.\n- Zero-shot shape accuracy ("${SHAPES_PROMPTS.triangle}" vs "${SHAPES_PROMPTS.square}"): ${percent(scorerMetrics.shapeAccuracy)}.\n- "${SHAPES_PROMPTS.quality}": a shape image scores above a splatter/empty/noise image with probability ${scorerMetrics.qualityAuc.toFixed(4)} (mean similarity ${scorerMetrics.meanQualityShapes.toFixed(3)} vs ${scorerMetrics.meanQualityOod.toFixed(3)}).\n\n## Files\n${filesTable(dirs.scorer, scorerFiles)}\n`,
  );
  fs.writeFileSync(
    path.join(dirs.oracle, 'model-card.md'),
    `# Shapes attribute oracle\n\nA small CNN with two sigmoid heads, P(blue) and P(square), trained on balanced real images. It only judges generated datasets (as the paper judged faces with separate classifiers); the optimiser never sees it.\n\n${trainingSection(records.oracle)}\n\n## Metrics\nOn ${oracleMetrics.images} held-out balanced images: colour ${percent(oracleMetrics.colourAccuracy)}, shape ${percent(oracleMetrics.shapeAccuracy)}.\n\n## Files\n${filesTable(dirs.oracle, ['classifier.json', 'model.onnx'])}\n`,
  );

  const timeFile = path.join(out, 'training-time.json');
  const totalTime = fs.existsSync(timeFile) ? (JSON.parse(fs.readFileSync(timeFile, 'utf8')) as { trainingSeconds: number }).trainingSeconds : undefined;
  const trainingTimes = Object.values(records).map((record) => `| ${record.model} | ${record.epochs} | ${formatSeconds(record.seconds)} |`);
  const report = `# Bundled shapes models: report

Rebuilt by \`npm run train:shapes\` (seed ${options.seed}, ${size}x${size} images); every number below was measured by its report step through the ONNX runtime. Model cards: [generator](generator/model-card.md), [scorer](scorer/model-card.md), [oracle](oracle/model-card.md).

## Fitness for purpose

| check | target | measured |
|---|---|---|
| scorer zero-shot colour accuracy (1,000 held-out balanced images) | >= 95% | ${percent(scorerMetrics.colourAccuracy)} |
| scorer zero-shot shape accuracy | >= 95% | ${percent(scorerMetrics.shapeAccuracy)} |
| scorer ranks shapes above splatter/empty/noise on "${SHAPES_PROMPTS.quality}" (AUC) | high | ${scorerMetrics.qualityAuc.toFixed(4)} |
| oracle colour accuracy (1,000 held-out balanced images) | >= 98% | ${percent(oracleMetrics.colourAccuracy)} |
| oracle shape accuracy | >= 98% | ${percent(oracleMetrics.shapeAccuracy)} |
| export parity, ONNX vs tfjs (max abs diff) | < 1e-5 | generator ${records.generator.exportParity.maxAbsDiff.toExponential(2)}, scorer vision ${records.scorer.exportParity.maxAbsDiff.toExponential(2)}, oracle ${records.oracle.exportParity.maxAbsDiff.toExponential(2)} |

## The generator's bias

Colour x shape shares judged by the oracle:

| images | red triangles | blue squares | blue triangles (rare) | red squares (rare) |
|---|---|---|---|---|
${proportionsRow(`training distribution (beta 0.98, 2,000 real images)`, biasedProportions)}
${proportionsRow(`generator prior samples (${priorCount}, z ~ N(0, I))`, priorProportions)}

${biasSentence(priorProportions, priorBlends)}

![64 prior samples of the generator](samples.png)

## Training time on this machine

| model | epochs | time |
|---|---|---|
${trainingTimes.join('\n')}
${totalTime !== undefined ? `\n\`npm run train:shapes\` in total: ${formatSeconds(totalTime)} of training (the generator in one process, the scorer then the oracle in another, side by side), then this report.\n` : ''}`;
  fs.writeFileSync(path.join(out, 'REPORT.md'), report);
  log(`report: scorer colour ${percent(scorerMetrics.colourAccuracy)}, shape ${percent(scorerMetrics.shapeAccuracy)}, AUC ${scorerMetrics.qualityAuc.toFixed(4)}; oracle colour ${percent(oracleMetrics.colourAccuracy)}, shape ${percent(oracleMetrics.shapeAccuracy)}; prior ${JSON.stringify(priorProportions)}`);
}
