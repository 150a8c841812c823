import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../src/projectRoot';
import { loadClassifier, loadGenerator, loadScorer, type Classifier, type Generator, type Scorer } from '../../src/models/runtime';
import { evaluateOracle, evaluateScorer, judgeProportions, samplePrior } from '../../src/models/shapes/evaluation';

/**
 * The committed models in models/shapes are fit for purpose (issue: bundled shapes domain).
 * Every check runs the ONNX files through the same runtime the platform uses, on freshly
 * generated held-out images (seeds other than the training data's).
 */
const ROOT = path.join(projectRoot(), 'models', 'shapes');
const SIZE = 32;

describe('bundled shapes models', () => {
  let generator: Generator;
  let scorer: Scorer;
  let oracle: Classifier;

  beforeAll(async () => {
    generator = await loadGenerator(path.join(ROOT, 'generator'), { device: 'cpu' });
    scorer = await loadScorer(path.join(ROOT, 'scorer'), { device: 'cpu' });
    oracle = await loadClassifier(path.join(ROOT, 'oracle'), { device: 'cpu' });
  });

  it('scorer: zero-shot colour and shape accuracy >= 95% on 1,000 held-out balanced images, and shapes rank above splatters/empty/noise on the quality prompt', async () => {
    const metrics = await evaluateScorer(scorer, { count: 1000, size: SIZE, seed: 2001 });
    expect(metrics.colourAccuracy).toBeGreaterThanOrEqual(0.95);
    expect(metrics.shapeAccuracy).toBeGreaterThanOrEqual(0.95);
    expect(metrics.qualityAuc).toBeGreaterThanOrEqual(0.95);
    expect(metrics.meanQualityShapes).toBeGreaterThan(metrics.meanQualityOod);
  });

  it('scorer: words outside its vocabulary are reported', async () => {
    const { unknownWords } = await scorer.embedTexts(['A red shape.', 'A purple hexagon.']);
    expect(unknownWords).toEqual(expect.arrayContaining(['purple', 'hexagon']));
    expect(unknownWords).not.toContain('red');
  });

  it('oracle: >= 98% colour and shape accuracy on held-out balanced images', async () => {
    const metrics = await evaluateOracle(oracle, { count: 1000, size: SIZE, seed: 2002 });
    expect(metrics.colourAccuracy).toBeGreaterThanOrEqual(0.98);
    expect(metrics.shapeAccuracy).toBeGreaterThanOrEqual(0.98);
  });

  it('generator: prior samples keep the training bias (each rare combination below 20% and below each common one)', async () => {
    expect(generator.latentDim).toBe(6);
    const prior = await samplePrior(generator, 1000, 2003);
    let low = Infinity;
    let high = -Infinity;
    for (const value of prior.images) {
      low = Math.min(low, value);
      high = Math.max(high, value);
    }
    expect([low >= 0, high <= 1]).toEqual([true, true]);
    const proportions = await judgeProportions(oracle, prior.images, 1000);
    const rare = Math.max(proportions.blueTriangle, proportions.redSquare);
    expect(rare).toBeLessThan(0.2);
    expect(rare).toBeLessThan(Math.min(proportions.redTriangle, proportions.blueSquare));
    expect(proportions.redTriangle + proportions.blueSquare).toBeGreaterThan(0.6);
  });

  it('model cards list the sha256 of every shipped file', () => {
    for (const model of ['generator', 'scorer', 'oracle']) {
      const card = fs.readFileSync(path.join(ROOT, model, 'model-card.md'), 'utf8');
      const rows = [...card.matchAll(/\| `([^`]+)` \| \d+ \| `([0-9a-f]{64})` \|/g)];
      expect(rows.length).toBeGreaterThanOrEqual(2);
      for (const [, file, hash] of rows) {
        expect({ file, hash: createHash('sha256').update(fs.readFileSync(path.join(ROOT, model, file))).digest('hex') }).toEqual({ file, hash });
      }
    }
  });
});
