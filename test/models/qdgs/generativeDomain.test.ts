import path from 'node:path';
import { bestPriorLatent, CentralDifferences, embedPrompts, GenerativeDomain, promptLoss, QdgsObjective, AntitheticEvolutionStrategy } from '../../../src/models/qdgs';
import { loadGenerator, loadScorer, type Generator, type Scorer } from '../../../src/models/runtime';
import { SeededRandom } from '../../../src/qd/random';
import { projectRoot } from '../../../src/projectRoot';

const SHAPES = path.join(projectRoot(), 'models', 'shapes');
const PROMPTS = {
  objectivePositive: ['A regular square or a triangle.'],
  objectiveNegative: [],
  measures: [
    { lowPrompt: 'A red shape.', highPrompt: 'A blue shape.' },
    { lowPrompt: 'A triangle with 3 edges.', highPrompt: 'A square or diamond with 4 edges.' },
  ],
};
const TERMS = { regularizationWeight: 0, latentNormThreshold: Math.sqrt(6), marginWeight: 0, margin: 0.1, marginMemory: 10 };

describe('GenerativeDomain on the bundled shapes models', () => {
  let generator: Generator;
  let scorer: Scorer;
  beforeAll(async () => {
    generator = await loadGenerator(path.join(SHAPES, 'generator'));
    scorer = await loadScorer(path.join(SHAPES, 'scorer'));
  });
  afterAll(async () => {
    await generator.dispose();
    await scorer.dispose();
  });

  const latents = (count: number, seed: number) => new SeededRandom(seed).fillNormal(new Float64Array(count * 6));

  it('splits prompts on "|" and sums the distances to their phrases', async () => {
    const both = await embedPrompts(scorer, { ...PROMPTS, objectivePositive: ['A red shape. | A triangle with 3 edges.'] });
    const separate = await embedPrompts(scorer, { ...PROMPTS, objectivePositive: ['A red shape.', 'A triangle with 3 edges.'] });
    expect(both.positive.length).toBe(2 * scorer.embedDim);
    expect(Array.from(both.positive)).toEqual(Array.from(separate.positive));
    expect(both.unknownWords).toEqual([]);
  });

  it('scores generator images with the objective and measures of the prompts', async () => {
    const prompts = await embedPrompts(scorer, PROMPTS);
    const domain = new GenerativeDomain(generator, scorer, new QdgsObjective(prompts, TERMS));
    const z = latents(5, 3);
    const objectives = new Float64Array(5);
    const measures = new Float64Array(10);
    await domain.evaluate(z, 5, objectives, measures);
    const images = await generator.generate(Float32Array.from(z), 5);
    const embeddings = await scorer.embedImages(images, 5, 32, 32);
    for (let i = 0; i < 5; i++) {
      expect(objectives[i]).toBeCloseTo(100 - 50 * promptLoss(embeddings, i, prompts.positive, scorer.embedDim), 4);
      const colour = promptLoss(embeddings, i, prompts.measures[0].low, scorer.embedDim) - promptLoss(embeddings, i, prompts.measures[0].high, scorer.embedDim);
      expect(measures[2 * i]).toBeCloseTo(colour, 5);
    }
    expect(domain.modelEvaluations).toBe(5);
  });

  it('estimates Jacobians that match central differences taken by separate calls, in one batch', async () => {
    const prompts = await embedPrompts(scorer, PROMPTS);
    const step = 0.01;
    const domain = new GenerativeDomain(generator, scorer, new QdgsObjective(prompts, TERMS), new CentralDifferences(6, step));
    const z = latents(2, 4);
    const jacobians = new Float64Array(2 * 3 * 6);
    const objectives = new Float64Array(2);
    await domain.evaluate(z, 2, objectives, new Float64Array(4), jacobians);
    expect(domain.modelEvaluations).toBe(2 * 13);
    expect(domain.evaluationsFor(2, true)).toBe(26);
    const plain = new GenerativeDomain(generator, scorer, new QdgsObjective(prompts, TERMS));
    for (const [p, i] of [[0, 0], [1, 4]]) {
      const shifted = (sign: number) => {
        const row = z.slice(p * 6, p * 6 + 6);
        row[i] += sign * step;
        return row;
      };
      const o = new Float64Array(2);
      const m = new Float64Array(4);
      await plain.evaluate(Float64Array.from([...shifted(1), ...shifted(-1)]), 2, o, m);
      expect(jacobians[(p * 3 + 0) * 6 + i]).toBeCloseTo((o[0] - o[1]) / (2 * step), 3);
      expect(jacobians[(p * 3 + 2) * 6 + i]).toBeCloseTo((m[1] - m[3]) / (2 * step), 3);
    }
  });

  it('ES gradients point the same way as finite differences on average', async () => {
    const prompts = await embedPrompts(scorer, PROMPTS);
    const z = latents(1, 5);
    const exact = new Float64Array(18);
    await new GenerativeDomain(generator, scorer, new QdgsObjective(prompts, TERMS), new CentralDifferences(6, 0.001)).evaluate(z, 1, new Float64Array(1), new Float64Array(2), exact);
    const es = new Float64Array(18);
    await new GenerativeDomain(generator, scorer, new QdgsObjective(prompts, TERMS), new AntitheticEvolutionStrategy(400, 0.01, 9)).evaluate(z, 1, new Float64Array(1), new Float64Array(2), es);
    for (let c = 0; c < 3; c++) {
      const a = exact.subarray(c * 6, c * 6 + 6);
      const b = es.subarray(c * 6, c * 6 + 6);
      const cosine = a.reduce((s, v, i) => s + v * b[i], 0) / (Math.hypot(...a) * Math.hypot(...b));
      expect(cosine).toBeGreaterThan(0.9);
    }
  });

  it('starts from the best of the prior samples', async () => {
    const prompts = await embedPrompts(scorer, PROMPTS);
    const domain = new GenerativeDomain(generator, scorer, new QdgsObjective(prompts, TERMS));
    const best = await bestPriorLatent(domain, 64, 1, 11);
    const samples = new SeededRandom(11).fillNormal(new Float64Array(64 * 6));
    const objectives = new Float64Array(64);
    await domain.evaluate(samples, 64, objectives, new Float64Array(128));
    const top = objectives.indexOf(Math.max(...objectives));
    expect(Array.from(best)).toEqual(Array.from(samples.subarray(top * 6, top * 6 + 6)));
  });
});
