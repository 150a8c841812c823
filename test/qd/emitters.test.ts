import { GridArchive } from '../../src/qd/archives/gridArchive';
import type { EmitterFeedback } from '../../src/qd/emitters/emitter';
import { EvolutionStrategyEmitter, type EvolutionStrategyEmitterOptions } from '../../src/qd/emitters/evolutionStrategyEmitter';
import { GaussianEmitter } from '../../src/qd/emitters/gaussianEmitter';
import { GradientArborescenceEmitter, type GradientArborescenceEmitterOptions } from '../../src/qd/emitters/gradientArborescenceEmitter';
import { IsoLineEmitter } from '../../src/qd/emitters/isoLineEmitter';
import { PriorSamplingEmitter } from '../../src/qd/emitters/priorSamplingEmitter';
import { CmaEs } from '../../src/qd/optimizers/cmaEs';
import { logWeights } from '../../src/qd/optimizers/cmaParameters';
import { SepCmaEs } from '../../src/qd/optimizers/sepCmaEs';
import { SeededRandom } from '../../src/qd/random';
import { TwoStageImprovementRanker } from '../../src/qd/rankers/twoStageImprovementRanker';
import { decodeFloat64 } from '../../src/qd/serialization';
import { expectAllClose, expectBitwiseEqual, expectConfigError, jsonRoundTrip } from './helpers';

const f64 = (...values: number[]) => Float64Array.from(values);

function makeArchive(solutionDim: number, seed = 1): GridArchive {
  return new GridArchive({ solutionDim, dims: [10, 10], ranges: [[-5, 5], [-5, 5]], seed });
}

/** Inserts the given solutions as elites in distinct cells (objective 1). */
function addElites(archive: GridArchive, elites: number[][]): void {
  const n = archive.solutionDim;
  const solutions = new Float64Array(elites.length * n);
  elites.forEach((e, i) => solutions.set(e, i * n));
  const measures = Float64Array.from(elites.flatMap((_, i) => [-4.5 + i, -4.5]));
  archive.add(solutions, new Float64Array(elites.length).fill(1), measures);
}

function feedback(solutions: Float64Array, status: number[], value: number[], k = 2): EmitterFeedback {
  const count = status.length;
  return {
    count,
    solutions,
    objectives: Float64Array.from(value),
    measures: new Float64Array(count * k),
    status: Int8Array.from(status),
    value: Float64Array.from(value),
  };
}

function columnStats(x: Float64Array, n: number, j: number): { mean: number; std: number } {
  const count = x.length / n;
  let mean = 0;
  for (let i = 0; i < count; i++) mean += x[i * n + j];
  mean /= count;
  let variance = 0;
  for (let i = 0; i < count; i++) variance += (x[i * n + j] - mean) ** 2;
  return { mean, std: Math.sqrt(variance / count) };
}

describe('GaussianEmitter', () => {
  it('asks batchSize x solutionDim candidates, into a given array when passed one', () => {
    const emitter = new GaussianEmitter({ archive: makeArchive(3), x0: [0, 0, 0], sigma: 1, batchSize: 5 });
    expect(emitter.ask().length).toBe(15);
    const out = new Float64Array(15);
    expect(emitter.ask(out)).toBe(out);
    expect(new GaussianEmitter({ archive: makeArchive(3), x0: [0, 0, 0], sigma: 1 }).batchSize).toBe(64);
  });

  it('samples x0 + sigma * z while the archive is empty (exact stream, per-dimension sigma)', () => {
    const sigma = [0.1, 1, 2];
    const x0 = [1, -2, 3];
    const emitter = new GaussianEmitter({ archive: makeArchive(3), x0, sigma, batchSize: 4000, seed: 9 });
    const x = emitter.ask();
    const z = new SeededRandom(9).fillNormal(new Float64Array(12000));
    expectBitwiseEqual(x, Float64Array.from(z, (v, i) => x0[i % 3] + sigma[i % 3] * v));
    for (let j = 0; j < 3; j++) {
      const { mean, std } = columnStats(x, 3, j);
      expect(Math.abs(mean - x0[j])).toBeLessThan((4 * sigma[j]) / Math.sqrt(4000));
      expect(Math.abs(std / sigma[j] - 1)).toBeLessThan(0.05);
    }
  });

  it('samples around uniformly drawn elites once the archive has some', () => {
    const archive = makeArchive(3, 4);
    const elites = [
      [10, 10, 10],
      [-10, 0, 20],
    ];
    addElites(archive, elites);
    const emitter = new GaussianEmitter({ archive, x0: [0, 0, 0], sigma: 0.5, batchSize: 2000, seed: 2 });
    const x = emitter.ask();
    const z = new SeededRandom(2).fillNormal(new Float64Array(6000));
    let first = 0;
    for (let i = 0; i < 2000; i++) {
      const parent = [0, 1, 2].map((j) => x[i * 3 + j] - 0.5 * z[i * 3 + j]);
      const which = elites.findIndex((e) => e.every((v, j) => Math.abs(parent[j] - v) < 1e-12));
      if (which < 0) throw new Error(`candidate ${i} is not an elite plus the noise: ${parent}`);
      if (which === 0) first++;
    }
    expect(Math.abs(first / 2000 - 0.5)).toBeLessThan(0.05);
  });

  it('round-trips its generator and validates options and feedback', () => {
    const archive = makeArchive(2);
    const a = new GaussianEmitter({ archive, x0: [0, 0], sigma: 1, batchSize: 3, seed: 1 });
    a.ask();
    const b = new GaussianEmitter({ archive, x0: [0, 0], sigma: 1, batchSize: 3, seed: 2 });
    b.restore(jsonRoundTrip(a.serialize()));
    expectBitwiseEqual(b.ask(), a.ask());
    expectConfigError(() => b.restore({ kind: 'iso_line' }), 'checkpoint.emitter.kind');
    expectConfigError(() => new GaussianEmitter({ archive, x0: [0, 0], sigma: 0 }), 'sigma', 'a finite number > 0');
    expectConfigError(() => new GaussianEmitter({ archive, x0: [0, 0], sigma: [1, -1] }), 'sigma[1]');
    expectConfigError(() => new GaussianEmitter({ archive, x0: [0, 0], sigma: [1, 1, 1] }), 'sigma', '2 values');
    expectConfigError(() => new GaussianEmitter({ archive, x0: [0], sigma: 1 }), 'x0', '2 values');
    expectConfigError(() => new GaussianEmitter({ archive, x0: [0, 0], sigma: 1, batchSize: 0 }), 'batchSize');
    expectConfigError(() => a.tell(feedback(new Float64Array(4), [0, 0], [0, 0])), 'feedback.count', '3');
    expectConfigError(() => a.tell({ ...feedback(new Float64Array(5), [0, 0, 0], [0, 0, 0]) }), 'feedback.solutions', '6 values');
  });
});

describe('IsoLineEmitter', () => {
  it('with isoSigma 0 and a single elite, every candidate equals that elite', () => {
    const archive = makeArchive(3);
    addElites(archive, [[1.5, -2, 7]]);
    const emitter = new IsoLineEmitter({ archive, x0: [0, 0, 0], isoSigma: 0, lineSigma: 0.7, batchSize: 20 });
    const x = emitter.ask();
    for (let i = 0; i < 20; i++) expect(Array.from(x.subarray(i * 3, i * 3 + 3))).toEqual([1.5, -2, 7]);
  });

  it('with isoSigma 0 and two elites, candidates lie on the line through them', () => {
    const archive = makeArchive(3);
    const a = [0, 0, 0];
    const b = [2, 4, -6];
    addElites(archive, [a, b]);
    const x = new IsoLineEmitter({ archive, x0: [0, 0, 0], isoSigma: 0, lineSigma: 0.5, batchSize: 200, seed: 3 }).ask();
    let offLine = 0;
    for (let i = 0; i < 200; i++) {
      const t = x[i * 3] / 2;
      expectAllClose(x.subarray(i * 3, i * 3 + 3), [2 * t, 4 * t, -6 * t], 1e-12);
      if (Math.abs(t) > 1e-9 && Math.abs(t - 1) > 1e-9) offLine++;
    }
    expect(offLine).toBeGreaterThan(50); // pairs of distinct elites move along the line
  });

  it('follows x_i + isoSigma z + lineSigma N (x_j - x_i) exactly', () => {
    const elites = [
      [1, 2, 3],
      [-1, 0, 5],
      [4, 4, -4],
    ];
    const archive = makeArchive(3, 11);
    const twin = makeArchive(3, 11);
    addElites(archive, elites);
    addElites(twin, elites);
    const batch = 50;
    const x = new IsoLineEmitter({ archive, x0: [0, 0, 0], isoSigma: 0.3, lineSigma: 0.2, batchSize: batch, seed: 5 }).ask();
    const parents = new Float64Array(batch * 3);
    const partners = new Float64Array(batch * 3);
    twin.sampleSolutionsInto(parents, batch);
    twin.sampleSolutionsInto(partners, batch);
    const random = new SeededRandom(5);
    const iso = random.fillNormal(new Float64Array(batch * 3));
    const line = random.fillNormal(new Float64Array(batch));
    const expected = Float64Array.from(parents, (p, k) => p + 0.3 * iso[k] + 0.2 * line[Math.floor(k / 3)] * (partners[k] - p));
    expectAllClose(x, expected, 1e-13);
  });

  it('samples x0 + isoSigma z while the archive is empty, and validates sigmas', () => {
    const archive = makeArchive(2);
    const x = new IsoLineEmitter({ archive, x0: [3, 4], isoSigma: 0.25, batchSize: 10, seed: 1 }).ask();
    const z = new SeededRandom(1).fillNormal(new Float64Array(20));
    expectAllClose(x, Float64Array.from(z, (v, i) => [3, 4][i % 2] + 0.25 * v), 1e-15);
    expectConfigError(() => new IsoLineEmitter({ archive, x0: [0, 0], isoSigma: -1 }), 'isoSigma', 'a number >= 0');
    expectConfigError(() => new IsoLineEmitter({ archive, x0: [0, 0], lineSigma: -0.1 }), 'lineSigma', 'a number >= 0');
    expectConfigError(() => new IsoLineEmitter({ archive, x0: [0, 0], isoSigma: Number.NaN }), 'isoSigma', 'a finite number');
  });
});

describe('PriorSamplingEmitter', () => {
  it('samples mean + sigma z regardless of the archive', () => {
    const empty = makeArchive(2);
    const full = makeArchive(2);
    addElites(full, [[100, 100]]);
    const a = new PriorSamplingEmitter({ archive: empty, mean: [1, -1], sigma: [0.5, 2], batchSize: 3000, seed: 4 }).ask();
    const b = new PriorSamplingEmitter({ archive: full, mean: [1, -1], sigma: [0.5, 2], batchSize: 3000, seed: 4 }).ask();
    expectBitwiseEqual(a, b);
    const z = new SeededRandom(4).fillNormal(new Float64Array(6000));
    expectBitwiseEqual(a, Float64Array.from(z, (v, i) => [1, -1][i % 2] + [0.5, 2][i % 2] * v));
    expect(Math.abs(columnStats(a, 2, 1).std / 2 - 1)).toBeLessThan(0.05);
    // Defaults: standard normal prior around 0.
    const c = new PriorSamplingEmitter({ archive: empty, batchSize: 2, seed: 4 }).ask();
    expectBitwiseEqual(c, z.subarray(0, 4));
  });
});

describe('EvolutionStrategyEmitter', () => {
  const base = (archive: GridArchive, extra: Partial<EvolutionStrategyEmitterOptions> = {}): EvolutionStrategyEmitterOptions => ({
    archive,
    x0: [0.5, -0.5, 1],
    sigma0: 0.3,
    seed: 7,
    ...extra,
  });

  it('asks lambda candidates from a CMA-ES started at x0 with sigma0', () => {
    const archive = makeArchive(3);
    const emitter = new EvolutionStrategyEmitter(base(archive));
    expect(emitter.batchSize).toBe(4 + Math.floor(3 * Math.log(3)));
    expect(emitter.es).toBeInstanceOf(CmaEs);
    const x = emitter.ask();
    const z = new SeededRandom(7).fillNormal(new Float64Array(x.length));
    expectBitwiseEqual(x, Float64Array.from(z, (v, i) => [0.5, -0.5, 1][i % 3] + 0.3 * v));
    const sep = new EvolutionStrategyEmitter(base(archive, { es: 'sep_cma_es', batchSize: 36 }));
    expect(sep.es).toBeInstanceOf(SepCmaEs);
    expect(sep.ask().length).toBe(36 * 3);
  });

  it("restarts with 'no_improvement' when nothing was added, from an archive elite", () => {
    const archive = makeArchive(3);
    addElites(archive, [[9, 8, 7]]);
    const emitter = new EvolutionStrategyEmitter(base(archive, { batchSize: 6, restartRule: 'no_improvement' }));
    const x = emitter.ask();
    emitter.tell(feedback(x, [0, 0, 0, 0, 0, 0], [-1, -2, -3, -4, -5, -6]));
    expect(emitter.restarts).toBe(1);
    expect(Array.from(emitter.es.mean)).toEqual([9, 8, 7]);
    expect(emitter.es.sigma).toBe(0.3);
    // With an empty archive the restart point is x0.
    const lonely = new EvolutionStrategyEmitter(base(makeArchive(3), { batchSize: 6 }));
    const y = lonely.ask();
    lonely.tell(feedback(y, [0, 0, 0, 0, 0, 0], [-1, -2, -3, -4, -5, -6]));
    expect(lonely.restarts).toBe(1);
    expect(Array.from(lonely.es.mean)).toEqual([0.5, -0.5, 1]);
  });

  it("does not restart with 'basic' when nothing was added (filter: no parents, mean unchanged)", () => {
    const archive = makeArchive(3);
    addElites(archive, [[9, 8, 7]]);
    const emitter = new EvolutionStrategyEmitter(base(archive, { batchSize: 6, restartRule: 'basic', selectionRule: 'filter' }));
    const x = emitter.ask();
    emitter.tell(feedback(x, [0, 0, 0, 0, 0, 0], [-1, -2, -3, -4, -5, -6]));
    expect(emitter.restarts).toBe(0);
    expect(Array.from(emitter.es.mean)).toEqual([0.5, -0.5, 1]);
  });

  it("restarts on the ES stop test (a flat ranking) even with 'basic'", () => {
    const archive = makeArchive(3);
    addElites(archive, [[1, 1, 1]]);
    const emitter = new EvolutionStrategyEmitter(base(archive, { batchSize: 4, restartRule: 'basic', selectionRule: 'mu' }));
    const x = emitter.ask();
    emitter.tell(feedback(x, [1, 1, 1, 1], [2, 2, 2, 2]));
    expect(emitter.restarts).toBe(1);
    expect(Array.from(emitter.es.mean)).toEqual([1, 1, 1]);
  });

  it('restarts every N generations with a numeric rule', () => {
    const emitter = new EvolutionStrategyEmitter(base(makeArchive(3), { batchSize: 4, restartRule: 3, selectionRule: 'mu' }));
    const restarts: number[] = [];
    for (let g = 0; g < 7; g++) {
      const x = emitter.ask();
      emitter.tell(feedback(x, [2, 1, 0, 1], [3, 1, -1, 2]));
      restarts.push(emitter.restarts);
    }
    expect(restarts).toEqual([0, 0, 1, 1, 1, 2, 2]);
  });

  it("passes the ranker's order and mu = lambda / 2 ('mu') or the number added ('filter') to the ES", () => {
    const status = [0, 2, 1, 0, 2, 1, 0, 1];
    const value = [5, 1, 3, -1, 4, 0.5, 2, 7];
    const expectedOrder = Array.from(new TwoStageImprovementRanker().rank(Int8Array.from(status), Float64Array.from(value)).indices);
    expect(expectedOrder).toEqual([4, 1, 7, 2, 5, 0, 6, 3]);
    for (const [rule, parents] of [
      ['mu', 4],
      ['filter', 5],
    ] as const) {
      const emitter = new EvolutionStrategyEmitter(base(makeArchive(3), { batchSize: 8, selectionRule: rule, ranker: '2imp' }));
      const tell = jest.spyOn(emitter.es, 'tell');
      const x = emitter.ask();
      emitter.tell(feedback(x, status, value));
      expect(tell).toHaveBeenCalledTimes(1);
      expect(Array.from(tell.mock.calls[0][0])).toEqual(expectedOrder);
      expect(tell.mock.calls[0][1]).toBe(parents);
      expect(emitter.restarts).toBe(0);
    }
    // 'imp' ranks by value alone.
    const imp = new EvolutionStrategyEmitter(base(makeArchive(3), { batchSize: 8, selectionRule: 'mu', ranker: 'imp' }));
    const tell = jest.spyOn(imp.es, 'tell');
    imp.tell(feedback(imp.ask(), status, value));
    expect(Array.from(tell.mock.calls[0][0])).toEqual([7, 0, 4, 2, 6, 1, 5, 3]);
  });

  it('continues identically after serialize/restore through JSON', () => {
    const archive = makeArchive(3);
    const a = new EvolutionStrategyEmitter(base(archive, { batchSize: 6, restartRule: 'basic', selectionRule: 'mu' }));
    for (let g = 0; g < 5; g++) {
      const x = a.ask();
      a.tell(feedback(x, [0, 1, 2, 0, 1, 0], Array.from({ length: 6 }, (_, i) => -(x[i * 3] ** 2) - x[i * 3 + 1] ** 2)));
    }
    const b = new EvolutionStrategyEmitter(base(archive, { batchSize: 6, restartRule: 'basic', selectionRule: 'mu', seed: 99 }));
    b.restore(jsonRoundTrip(a.serialize()));
    expectBitwiseEqual(b.ask(), a.ask());
    expect(b.restarts).toBe(a.restarts);
    expectConfigError(() => b.restore({ kind: 'gaussian' }), 'checkpoint.emitter.kind');
  });

  it('validates its options', () => {
    const archive = makeArchive(3);
    expectConfigError(() => new EvolutionStrategyEmitter(base(archive, { sigma0: 0 })), 'sigma0');
    expectConfigError(() => new EvolutionStrategyEmitter(base(archive, { batchSize: 1 })), 'batchSize', 'an integer >= 2');
    expectConfigError(() => new EvolutionStrategyEmitter(base(archive, { es: 'nes' as never })), 'es', "'cma_es', 'sep_cma_es'");
    expectConfigError(() => new EvolutionStrategyEmitter(base(archive, { selectionRule: 'best' as never })), 'selectionRule', "'mu', 'filter'");
    expectConfigError(() => new EvolutionStrategyEmitter(base(archive, { restartRule: 0 })), 'restartRule', 'an integer >= 1');
    expectConfigError(() => new EvolutionStrategyEmitter(base(archive, { restartRule: 'sometimes' as never })), 'restartRule', "'basic', 'no_improvement'");
    expectConfigError(() => new EvolutionStrategyEmitter(base(archive, { ranker: 'obj' as never })), 'ranker');
    expectConfigError(() => new EvolutionStrategyEmitter(base(archive, { variant: 'foo' as never })), 'variant');
    expectConfigError(() => new EvolutionStrategyEmitter(base(archive, { x0: [1, 2] })), 'x0', '3 values');
  });
});

describe('GradientArborescenceEmitter', () => {
  const n = 6;
  // Rows: grad f, grad m1, grad m2 with norms 5, 2 and 4.
  const jacobian = f64(3, 0, 4, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1, 1, 1, 1, -2, 2);
  const rowNorms = [5, 2, Math.sqrt(12)];
  const normalised = Float64Array.from(jacobian, (v, i) => v / (rowNorms[Math.floor(i / n)] + 1e-8));
  const x0 = [1, 2, 3, 4, 5, 6];

  const make = (archive: GridArchive, extra: Partial<GradientArborescenceEmitterOptions> = {}) =>
    new GradientArborescenceEmitter({
      archive,
      x0,
      sigma0: 10,
      learningRate: 1,
      gradientOptimizer: 'gradient_ascent',
      seed: 3,
      ...extra,
    });

  function dqdFeedback(theta: Float64Array, jac = jacobian) {
    return { ...feedback(theta, [2], [1]), jacobians: jac };
  }

  /** The coefficients of the emitter's next ask, from a twin coefficient ES. */
  function twinCoefficients(emitter: GradientArborescenceEmitter, sigma0 = 10): Float64Array {
    const twin = new CmaEs({ dimension: 3, batchSize: emitter.batchSize, sigma0 });
    twin.restore(jsonRoundTrip(emitter.coefficientEs.serialize()));
    return twin.ask();
  }

  it('refuses ask before tellDqd, and askDqd returns theta (x0 at first)', () => {
    const emitter = make(makeArchive(n));
    expect(emitter.dqdBatchSize).toBe(1);
    expect(emitter.batchSize).toBe(36);
    expectConfigError(() => emitter.ask(), 'askDqd/tellDqd', 'a Jacobian from tellDqd before ask');
    expect(Array.from(emitter.askDqd())).toEqual(x0);
  });

  it('normalises each Jacobian row to unit norm (dividing by norm + 1e-8)', () => {
    const emitter = make(makeArchive(n));
    emitter.tellDqd(dqdFeedback(emitter.askDqd()));
    const stored = decodeFloat64(emitter.serialize().jacobian as string);
    expectAllClose(stored, normalised, 1e-15);
    for (let r = 0; r < 3; r++) {
      const norm = Math.hypot(...stored.subarray(r * n, r * n + n));
      expect(norm).toBeCloseTo(1, 7);
      expect(norm).toBeLessThan(1);
    }
  });

  it('branches theta + J^T c for coefficients c drawn by the coefficient CMA-ES (N(0, sigma0^2) at first)', () => {
    const emitter = make(makeArchive(n), { batchSize: 40 });
    emitter.tellDqd(dqdFeedback(emitter.askDqd()));
    const c = twinCoefficients(emitter);
    const x = emitter.ask();
    expect(x.length).toBe(40 * n);
    const expected = new Float64Array(40 * n);
    for (let k = 0; k < 40; k++) {
      for (let j = 0; j < n; j++) {
        expected[k * n + j] = x0[j] + c[k * 3] * normalised[j] + c[k * 3 + 1] * normalised[n + j] + c[k * 3 + 2] * normalised[2 * n + j];
      }
    }
    expectAllClose(x, expected, 1e-12);
    // Independently of the twin: every branch minus theta lies in the span of the normalised
    // rows (least-squares residual ~ 0), and the fitted coefficients spread like N(0, 10^2).
    const gram = [0, 1, 2].map((a) => [0, 1, 2].map((b) => dot(normalised.subarray(a * n, a * n + n), normalised.subarray(b * n, b * n + n))));
    let sumSquares = 0;
    for (let k = 0; k < 40; k++) {
      const d = Float64Array.from({ length: n }, (_, j) => x[k * n + j] - x0[j]);
      const rhs = [0, 1, 2].map((r) => dot(normalised.subarray(r * n, r * n + n), d));
      const coef = solve3(gram, rhs);
      const residual = d.map((v, j) => v - coef[0] * normalised[j] - coef[1] * normalised[n + j] - coef[2] * normalised[2 * n + j]);
      expect(Math.hypot(...residual)).toBeLessThan(1e-9);
      expectAllClose(coef, c.subarray(k * 3, k * 3 + 3), 1e-9);
      sumSquares += coef[0] ** 2 + coef[1] ** 2 + coef[2] ** 2;
    }
    const rms = Math.sqrt(sumSquares / 120);
    expect(rms).toBeGreaterThan(7);
    expect(rms).toBeLessThan(13);
  });

  it('uses the raw Jacobian when normalizeGradients is false', () => {
    const emitter = make(makeArchive(n), { normalizeGradients: false, batchSize: 4 });
    emitter.tellDqd(dqdFeedback(emitter.askDqd()));
    const c = twinCoefficients(emitter);
    const x = emitter.ask();
    for (let k = 0; k < 4; k++) {
      const expected = x0.map((t, j) => t + c[k * 3] * jacobian[j] + c[k * 3 + 1] * jacobian[n + j] + c[k * 3 + 2] * jacobian[2 * n + j]);
      expectAllClose(x.subarray(k * n, k * n + n), expected, 1e-12);
    }
  });

  it('moves theta to the log-weighted mean of the top mu branches (lr 1, gradient ascent)', () => {
    const emitter = make(makeArchive(n), { batchSize: 8, ranker: 'imp', selectionRule: 'mu', restartRule: 'basic' });
    emitter.tellDqd(dqdFeedback(emitter.askDqd()));
    const x = emitter.ask();
    const value = [0.5, 3, -1, 2, 7, -3, 1, 4];
    emitter.tell(feedback(x, [1, 1, 0, 1, 2, 0, 1, 2], value));
    const top = [4, 7, 1, 3]; // by value: 7, 4, 3, 2
    const { weights } = logWeights(4);
    const expected = Array.from({ length: n }, (_, j) => top.reduce((s, i, r) => s + weights[r] * x[i * n + j], 0));
    expectAllClose(emitter.theta, expected, 1e-12);
    expectAllClose(emitter.askDqd(), expected, 1e-12);
    expect(emitter.restarts).toBe(0);
  });

  it('with Adam, the first move of theta is about lr * sign(mean - theta) per coordinate', () => {
    const emitter = make(makeArchive(n), { batchSize: 8, ranker: 'imp', selectionRule: 'mu', restartRule: 'basic', gradientOptimizer: 'adam', learningRate: 0.01 });
    emitter.tellDqd(dqdFeedback(emitter.askDqd()));
    const x = emitter.ask();
    emitter.tell(feedback(x, [1, 1, 0, 1, 2, 0, 1, 2], [0.5, 3, -1, 2, 7, -3, 1, 4]));
    const { weights } = logWeights(4);
    const mean = Array.from({ length: n }, (_, j) => [4, 7, 1, 3].reduce((s, i, r) => s + weights[r] * x[i * n + j], 0));
    for (let j = 0; j < n; j++) expect(emitter.theta[j] - x0[j]).toBeCloseTo(0.01 * Math.sign(mean[j] - x0[j]), 6);
  });

  it("'pyribs' variant: no branch added under 'filter' sends theta to the origin; 'tutorial' keeps it", () => {
    for (const variant of ['pyribs', 'tutorial'] as const) {
      const emitter = make(makeArchive(n), { batchSize: 8, ranker: 'imp', selectionRule: 'filter', restartRule: 'basic', variant });
      emitter.tellDqd(dqdFeedback(emitter.askDqd()));
      const x = emitter.ask();
      emitter.tell(feedback(x, [0, 0, 0, 0, 0, 0, 0, 0], [-1, -2, -3, -4, -5, -6, -7, -8]));
      expect(emitter.restarts).toBe(0);
      expect(Array.from(emitter.theta)).toEqual(variant === 'pyribs' ? [0, 0, 0, 0, 0, 0] : x0);
    }
  });

  it("restarts from an archive elite with 'no_improvement', resetting the coefficient ES", () => {
    const archive = makeArchive(n);
    addElites(archive, [[6, 5, 4, 3, 2, 1]]);
    const emitter = make(archive, { batchSize: 8, selectionRule: 'mu', restartRule: 'no_improvement' });
    emitter.tellDqd(dqdFeedback(emitter.askDqd()));
    emitter.tell(feedback(emitter.ask(), [0, 0, 0, 0, 0, 0, 0, 0], [-1, -2, -3, -4, -5, -6, -7, -8]));
    expect(emitter.restarts).toBe(1);
    expect(Array.from(emitter.theta)).toEqual([6, 5, 4, 3, 2, 1]);
    expect(Array.from(emitter.coefficientEs.mean)).toEqual([0, 0, 0]);
    expect(emitter.coefficientEs.sigma).toBe(10);
  });

  it('validates the DQD feedback and options', () => {
    const emitter = make(makeArchive(n));
    const theta = emitter.askDqd();
    expectConfigError(() => emitter.tellDqd(dqdFeedback(theta, jacobian.subarray(0, 12))), 'jacobians', '3 x 6 values');
    const bad = jacobian.slice();
    bad[8] = Number.NaN;
    expectConfigError(() => emitter.tellDqd(dqdFeedback(theta, bad)), 'jacobians[1][2]', 'a finite number');
    expectConfigError(() => emitter.tellDqd({ ...feedback(new Float64Array(12), [0, 0], [0, 0]), jacobians: jacobian }), 'feedback.count');
    const archive = makeArchive(n);
    expectConfigError(() => make(archive, { learningRate: 0 }), 'learningRate');
    expectConfigError(() => make(archive, { sigma0: -1 }), 'sigma0');
    expectConfigError(() => make(archive, { gradientOptimizer: 'sgd' as never }), 'gradientOptimizer', "'gradient_ascent', 'adam'");
    expectConfigError(() => make(archive, { batchSize: 1 }), 'batchSize');
  });

  it('continues identically after serialize/restore through JSON', () => {
    const archive = makeArchive(n);
    const options = { batchSize: 8, ranker: 'imp', selectionRule: 'mu', restartRule: 'basic', gradientOptimizer: 'adam', learningRate: 0.1 } as const;
    const a = make(archive, options);
    for (let g = 0; g < 3; g++) {
      a.tellDqd(dqdFeedback(a.askDqd()));
      const x = a.ask();
      a.tell(feedback(x, [1, 0, 2, 0, 1, 0, 0, 1], Array.from({ length: 8 }, (_, i) => x[i * n] - x[i * n + 1])));
    }
    a.tellDqd(dqdFeedback(a.askDqd(), jacobian.map((v) => v * 2 + 1)));
    const b = make(archive, { ...options, seed: 1234 });
    b.restore(jsonRoundTrip(a.serialize()));
    expectBitwiseEqual(b.askDqd(), a.askDqd());
    expectBitwiseEqual(b.ask(), a.ask());
    expectConfigError(() => b.restore({ kind: 'evolution_strategy' }), 'checkpoint.emitter.kind');
  });
});

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Solves a 3x3 linear system by Cramer's rule. */
function solve3(m: number[][], r: number[]): number[] {
  const det = (a: number[][]) =>
    a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1]) - a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0]) + a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]);
  const d = det(m);
  return [0, 1, 2].map((c) => det(m.map((row, i) => row.map((v, j) => (j === c ? r[i] : v)))) / d);
}
