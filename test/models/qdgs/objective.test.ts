import { latentPenalty, promptLoss, QdgsObjective, SolutionMemory, sphericalDistance, type PromptEmbeddings } from '../../../src/models/qdgs';

const unit = (...values: number[]) => {
  const norm = Math.hypot(...values);
  return values.map((v) => v / norm);
};

function prompts(groups: { positive: number[][]; negative?: number[][]; measures: Array<[number[][], number[][]]> }): PromptEmbeddings {
  const flat = (rows: number[][]) => Float32Array.from(rows.flat());
  return {
    dim: groups.positive[0].length,
    positive: flat(groups.positive),
    negative: flat(groups.negative ?? []),
    measures: groups.measures.map(([low, high]) => ({ low: flat(low), high: flat(high) })),
    unknownWords: [],
  };
}

describe('spherical distance', () => {
  it('is the angle between unit vectors', () => {
    expect(sphericalDistance([1, 0], 0, [1, 0], 0, 2)).toBeCloseTo(0, 12);
    expect(sphericalDistance([1, 0], 0, [0, 1], 0, 2)).toBeCloseTo(Math.PI / 2, 12);
    expect(sphericalDistance([1, 0], 0, [-1, 0], 0, 2)).toBeCloseTo(Math.PI, 12);
    const a = unit(1, 2, 2);
    const b = unit(2, -1, 0.5);
    const cosine = a.reduce((sum, v, i) => sum + v * b[i], 0);
    expect(sphericalDistance(a, 0, b, 0, 3)).toBeCloseTo(Math.acos(cosine), 12);
  });

  it('reads rows at offsets and sums a prompt group over its phrases', () => {
    const rows = [0, 0, ...unit(1, 1)];
    const phrases = Float32Array.from([1, 0, 0, 1]);
    expect(promptLoss(rows, 1, phrases, 2)).toBeCloseTo(Math.PI / 4 + Math.PI / 4, 6);
  });
});

describe('QdgsObjective', () => {
  const terms = { regularizationWeight: 0, latentNormThreshold: 1, marginWeight: 0, margin: 0.1, marginMemory: 10 };

  it('computes f = 100 - 50 (L+ - L-) and m = L(A) - L(B) for each row', () => {
    const set = prompts({ positive: [[1, 0]], negative: [[0, 1]], measures: [[[[1, 0]], [[-1, 0]]]] });
    const objective = new QdgsObjective(set, terms);
    const e = Float32Array.from([1, 0, ...unit(1, 1)]);
    const objectives = new Float64Array(2);
    const measures = new Float64Array(2);
    objective.score(e, new Float64Array(4), 2, 2, objectives, measures);
    expect(objectives[0]).toBeCloseTo(100 - 50 * (0 - Math.PI / 2), 5);
    expect(objectives[1]).toBeCloseTo(100, 5); // equidistant from P+ and P-
    expect(measures[0]).toBeCloseTo(0 - Math.PI, 5);
    expect(measures[1]).toBeCloseTo(Math.PI / 4 - (3 * Math.PI) / 4, 5);
  });

  it('adds w_reg R(z) only beyond the latent norm threshold', () => {
    expect(latentPenalty([0.6, 0.8], 0, 2, 1)).toBe(0);
    expect(latentPenalty([3, 4], 0, 2, 1)).toBeCloseTo(16, 12);
    const set = prompts({ positive: [[1, 0]], measures: [[[[1, 0]], [[0, 1]]]] });
    const objective = new QdgsObjective(set, { ...terms, regularizationWeight: 0.5, latentNormThreshold: 1 });
    const objectives = new Float64Array(1);
    objective.score(Float32Array.from([1, 0]), Float64Array.from([3, 4]), 2, 1, objectives, new Float64Array(1));
    expect(objectives[0]).toBeCloseTo(100 - 50 * 0.5 * 16, 6);
  });

  it('penalises solutions within the margin of remembered ones once w_u > 0', () => {
    const set = prompts({ positive: [[1, 0]], measures: [[[[1, 0]], [[0, 1]]]] });
    const objective = new QdgsObjective(set, { ...terms, marginWeight: 2, margin: 0.5 });
    const e = Float32Array.from([1, 0]);
    const objectives = new Float64Array(1);
    objective.score(e, new Float64Array(2), 2, 1, objectives, new Float64Array(1));
    expect(objectives[0]).toBeCloseTo(100, 6); // empty memory: no penalty
    objective.remember(Float32Array.from(unit(Math.cos(0.2), Math.sin(0.2))), 0, 1);
    objective.score(e, new Float64Array(2), 2, 1, objectives, new Float64Array(1));
    expect(objectives[0]).toBeCloseTo(100 - 50 * 2 * (0.5 - 0.2), 5);
  });

  it('memory keeps the most recent rows up to its capacity', () => {
    const memory = new SolutionMemory(2, 2);
    memory.remember(Float32Array.from([1, 0, 0, 1, -1, 0]), 0, 3);
    expect(memory.length).toBe(2);
    // [1, 0] was forgotten: the nearest to it is now [0, 1] (pi/2 away), so no penalty within 0.5.
    expect(memory.marginPenalty([1, 0], 0, 0.5)).toBe(0);
    expect(memory.marginPenalty([-1, 0], 0, 0.5)).toBeCloseTo(0.5, 12);
  });
});
