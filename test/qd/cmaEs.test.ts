import { CmaEs } from '../../src/qd/optimizers/cmaEs';
import { fullCmaParameters, logWeights, expectedNormalNorm } from '../../src/qd/optimizers/cmaParameters';
import { SepCmaEs } from '../../src/qd/optimizers/sepCmaEs';
import { SeededRandom } from '../../src/qd/random';
import { decodeFloat64, encodeFloat64 } from '../../src/qd/serialization';
import { ellipsoid, minimise, referenceStart, referenceTell, rosenbrock, sphere } from './cmaTestSupport';
import { expectAllClose, expectBitwiseEqual, expectConfigError, jsonRoundTrip, median } from './helpers';

const ones = (n: number, v = 1) => new Float64Array(n).fill(v);

describe('CMA-ES parameters (Hansen tutorial defaults, spec section 5.5)', () => {
  it('log weights: w_i = ln(mu + 1/2) - ln(i), normalised, and mu_eff = 1 / sum w^2', () => {
    // mu = 2 by hand: raw weights ln 2.5 = 0.916291, ln 2.5 - ln 2 = 0.223144.
    const two = logWeights(2);
    expectAllClose(two.weights, [0.916290731874155 / 1.139434283188365, 0.22314355131421 / 1.139434283188365], 1e-12);
    expect(two.muEff).toBeCloseTo(1 / (0.804164 ** 2 + 0.195836 ** 2), 4);
    const one = logWeights(1);
    expect(Array.from(one.weights)).toEqual([1]);
    expect(one.muEff).toBe(1);
    const five = logWeights(5);
    expect(five.weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
    for (let i = 1; i < 5; i++) expect(five.weights[i]).toBeLessThan(five.weights[i - 1]);
    // Known value for lambda = 10, mu = 5 (pycma): mu_eff = 3.1672992.
    expect(five.muEff).toBeCloseTo(3.1672992, 6);
  });

  it('learning rates for n = 10, mu = 5 match the formulas', () => {
    const p = fullCmaParameters(10, 5);
    const muEff = 3.16729918;
    expect(p.cc).toBeCloseTo((4 + muEff / 10) / (10 + 4 + (2 * muEff) / 10), 7);
    expect(p.cs).toBeCloseTo((muEff + 2) / (10 + muEff + 5), 7);
    expect(p.c1).toBeCloseTo(2 / (11.3 ** 2 + muEff), 7);
    expect(p.cmu).toBeCloseTo((2 * (muEff - 2 + 1 / muEff)) / (12 ** 2 + muEff), 7);
    expect(p.damps).toBeCloseTo(1 + p.cs, 12); // sqrt((mu_eff - 1) / 11) < 1
    // Rounded reference values.
    expect(p.cs).toBeCloseTo(0.28443, 4);
    expect(p.c1).toBeCloseTo(0.015284, 5);
    expect(p.cmu).toBeCloseTo(0.020154, 5);
    // A large mu_eff makes the damping term active: n = 3, mu = 17 (the DQD coefficient ES).
    const q = fullCmaParameters(3, 17);
    expect(q.damps).toBeCloseTo(1 + 2 * (Math.sqrt((q.muEff - 1) / 4) - 1) + q.cs, 12);
    expect(q.cmu).toBeLessThanOrEqual(1 - q.c1);
  });

  it("E||N(0, I)|| approximation", () => {
    expect(expectedNormalNorm(10)).toBeCloseTo(3.0844, 3); // exact: 3.0843
    expect(expectedNormalNorm(1)).toBeCloseTo(Math.sqrt(2 / Math.PI), 1);
  });
});

describe('CmaEs sampling and state', () => {
  it('uses lambda = 4 + floor(3 ln n) by default', () => {
    expect(new CmaEs({ dimension: 10, sigma0: 1 }).batchSize).toBe(10);
    expect(new CmaEs({ dimension: 2, sigma0: 1 }).batchSize).toBe(6);
    expect(new CmaEs({ dimension: 100, sigma0: 1 }).batchSize).toBe(17);
    expect(new CmaEs({ dimension: 5, sigma0: 1, batchSize: 36 }).batchSize).toBe(36);
  });

  it('first samples are mean + sigma0 * z with z from the generator (identity covariance)', () => {
    const random = new SeededRandom(3);
    const twin = SeededRandom.fromState(random.serialize());
    const mean = Float64Array.from([1, -2, 3]);
    const es = new CmaEs({ dimension: 3, sigma0: 0.7, mean0: mean, random, batchSize: 4 });
    const x = es.ask();
    const z = twin.fillNormal(new Float64Array(12));
    expectBitwiseEqual(x, Float64Array.from(z, (v, i) => mean[i % 3] + 0.7 * v));
    // ask(out) writes into the given array.
    const out = new Float64Array(12);
    expect(es.ask(out)).toBe(out);
    expectConfigError(() => es.ask(new Float64Array(11)), 'out', 'at least 12 values');
  });

  it('samples with covariance sigma^2 C (right after a decomposition)', () => {
    // Run on an ellipsoid until an ask refreshes the decomposition: that ask samples from
    // N(m, sigma^2 C) with the current C. Then redraw that same ask many times.
    const n = 4;
    const es = new CmaEs({ dimension: n, sigma0: 1, mean0: ones(n), seed: 8, batchSize: 8 });
    minimise(es, ellipsoid, 160, -1);
    const values = new Float64Array(8);
    let state = es.serialize();
    for (let g = 0; ; g++) {
      if (g > 100) throw new Error('no decomposition within 100 generations');
      state = jsonRoundTrip(es.serialize());
      const before = es.decompositions;
      const x = es.ask();
      if (es.decompositions > before) break;
      for (let i = 0; i < 8; i++) values[i] = ellipsoid(x, i * n, n);
      es.tell(Array.from({ length: 8 }, (_, i) => i).sort((a, b) => values[a] - values[b]), 4);
    }
    const c = es.covarianceMatrix();
    const sigma = es.sigma;
    const mean = Float64Array.from(es.mean);
    // C has adapted: it is clearly not a multiple of the identity any more.
    expect(c[0] / c[n * n - 1]).toBeGreaterThan(3);
    const sums = new Float64Array(n * n);
    const draws = 20000;
    let random = state.random;
    for (let g = 0; g < draws / 8; g++) {
      es.restore({ ...state, random });
      const x = es.ask();
      random = es.serialize().random; // move the generator on
      for (let i = 0; i < 8; i++) {
        for (let r = 0; r < n; r++) for (let q = 0; q < n; q++) sums[r * n + q] += (x[i * n + r] - mean[r]) * (x[i * n + q] - mean[q]);
      }
    }
    for (let r = 0; r < n; r++) {
      for (let q = 0; q < n; q++) {
        const expected = sigma * sigma * c[r * n + q];
        const scale = sigma * sigma * Math.sqrt(c[r * n + r] * c[q * n + q]);
        // Standard error of each entry: about scale * sqrt(2 / 20000) = 0.01 scale.
        expect(Math.abs(sums[r * n + q] / draws - expected)).toBeLessThan(0.05 * scale);
      }
    }
  });

  it('numParents = 0 leaves mean, step size and covariance unchanged', () => {
    const es = new CmaEs({ dimension: 5, sigma0: 0.5, mean0: ones(5, 2), seed: 1 });
    minimise(es, sphere, 60, -1);
    const mean = es.mean.slice();
    const sigma = es.sigma;
    const cov = es.covarianceMatrix();
    es.ask();
    es.tell([], 0);
    expectBitwiseEqual(es.mean, mean);
    expect(es.sigma).toBe(sigma);
    expectBitwiseEqual(es.covarianceMatrix(), cov);
  });

  it('tell validates numParents and indices', () => {
    const es = new CmaEs({ dimension: 3, sigma0: 1, batchSize: 6 });
    es.ask();
    expectConfigError(() => es.tell([0, 1, 2, 3, 4, 5, 0], 7), 'numParents', 'an integer in [0, 6]');
    expectConfigError(() => es.tell([0], 2), 'rankedIndices', 'at least 2 indices');
    expectConfigError(() => es.tell([0, 9], 2), 'rankedIndices[1]', 'an index in [0, 5]');
  });

  it('moves the mean to the weighted mean of the best mu candidates', () => {
    const es = new CmaEs({ dimension: 2, sigma0: 1, batchSize: 6, seed: 4 });
    const x = es.ask();
    const ranked = [4, 1, 5, 0, 2, 3];
    es.tell(ranked, 3);
    const { weights } = logWeights(3);
    const expected = [0, 1].map((j) => weights.reduce((s, w, i) => s + w * x[ranked[i] * 2 + j], 0));
    expectAllClose(es.mean, expected, 1e-14);
  });

  it.each(['tutorial', 'pyribs'] as const)('two updates match the %s formulas computed independently (mean, paths, C, sigma)', (variant) => {
    const n = 10;
    const mean0 = Array.from({ length: n }, (_, j) => 1 + 0.1 * j);
    const es = new CmaEs({ dimension: n, sigma0: 0.8, mean0, seed: 17, variant });
    const ref = referenceStart(n, es.batchSize, mean0, 0.8, false);
    // Generation 1: rank by the ellipsoid, mu = 5; generation 2: an arbitrary ranking, mu = 3.
    for (const [g, mu] of [[0, 5], [1, 3]]) {
      const x = es.ask();
      expect(es.decompositions).toBe(0); // C^(-1/2) is still the identity
      const values = Array.from({ length: 10 }, (_, i) => ellipsoid(x, i * n, n));
      const ranked = g === 0 ? values.map((_, i) => i).sort((a, b) => values[a] - values[b]) : [7, 2, 9, 0, 1, 3, 4, 5, 6, 8];
      es.tell(ranked, mu);
      referenceTell(ref, x, ranked, mu, variant, false);
    }
    expectAllClose(es.mean, ref.mean, 1e-13);
    expect(es.sigma).toBeCloseTo(ref.sigma, 13);
    expectAllClose(es.covarianceMatrix(), ref.c, 1e-13);
    const state = es.serialize();
    expectAllClose(decodeFloat64(state.pathSigma as string), ref.ps, 1e-12);
    expectAllClose(decodeFloat64(state.pathC as string), ref.pc, 1e-13);
    // The covariance did move away from the identity (the test is not vacuous).
    expect(Math.abs(ref.c[0] - 1)).toBeGreaterThan(1e-3);
    expect(Math.abs(ref.c[1])).toBeGreaterThan(1e-6);
  });

  it.each(['tutorial', 'pyribs'] as const)('a long step stalls the rank-one path (h_sigma = 0) as in the %s formulas', (variant) => {
    // Ranking a large population along x_1 moves the mean far in one step, so |p_sigma| exceeds
    // the h_sigma threshold already in the first generation.
    const n = 2;
    const es = new CmaEs({ dimension: n, sigma0: 1, seed: 5, variant, batchSize: 40 });
    const ref = referenceStart(n, 40, [0, 0], 1, false);
    const x = es.ask();
    const ranked = Array.from({ length: 40 }, (_, i) => i).sort((a, b) => x[b * n] - x[a * n]);
    es.tell(ranked, 20);
    referenceTell(ref, x, ranked, 20, variant, false);
    expect(ref.hSigmaHistory).toEqual([0]);
    expectAllClose(decodeFloat64(es.serialize().pathC as string), [0, 0], 0);
    expectAllClose(es.covarianceMatrix(), ref.c, 1e-13);
    expect(es.sigma).toBeCloseTo(ref.sigma, 13);
  });

  it('shouldStop fires on a flat ranking, a tiny step or an ill-conditioned covariance', () => {
    const es = new CmaEs({ dimension: 3, sigma0: 1, batchSize: 6 });
    expect(es.shouldStop(Float64Array.from([3, 2, 1, 0, -1, -2]), 1)).toBe(false);
    expect(es.shouldStop(Float64Array.from([5, 5, 5, 5, 5, 5]), 1)).toBe(true);
    // (status, value) pairs: flat when best and worst pairs coincide.
    expect(es.shouldStop(Float64Array.from([2, 1, 2, 1, 2, 1]), 2)).toBe(true);
    expect(es.shouldStop(Float64Array.from([2, 1, 1, 1, 0, 1]), 2)).toBe(false);
    // A single candidate is never "flat".
    expect(es.shouldStop(Float64Array.from([1]), 1)).toBe(false);

    const state = jsonRoundTrip(es.serialize());
    es.restore({ ...state, sigma: 1e-12 });
    expect(es.shouldStop(Float64Array.from([3, 2, 1]), 1)).toBe(true);
    const cov = state.covariance as Record<string, unknown>;
    es.restore({ ...state, covariance: { ...cov, isIdentity: false, eigenvalues: encodeFloat64(Float64Array.from([1e15, 1, 1])) } });
    expect(es.shouldStop(Float64Array.from([3, 2, 1]), 1)).toBe(true);
    es.restore({ ...state, covariance: { ...cov, isIdentity: false, eigenvalues: encodeFloat64(Float64Array.from([1e13, 1, 1])) } });
    expect(es.shouldStop(Float64Array.from([3, 2, 1]), 1)).toBe(false);
  });

  it('reset() restores sigma0, the given mean and the identity covariance', () => {
    const random = new SeededRandom(6);
    const es = new CmaEs({ dimension: 4, sigma0: 0.3, mean0: ones(4), random });
    minimise(es, ellipsoid, 300, -1);
    expect(es.sigma).not.toBe(0.3);
    expect(es.covarianceMatrix()[0]).not.toBe(1);
    es.reset([5, 6, 7, 8]);
    expect(es.sigma).toBe(0.3);
    expect(Array.from(es.mean)).toEqual([5, 6, 7, 8]);
    const identity = new Float64Array(16);
    for (let i = 0; i < 4; i++) identity[i * 5] = 1;
    expect(Array.from(es.covarianceMatrix())).toEqual(Array.from(identity));
    // And sampling really uses the identity again.
    const twin = SeededRandom.fromState(random.serialize());
    const x = es.ask();
    const z = twin.fillNormal(new Float64Array(x.length));
    expectBitwiseEqual(x, Float64Array.from(z, (v, i) => [5, 6, 7, 8][i % 4] + 0.3 * v));
    expectConfigError(() => es.reset([1, 2]), 'mean', '4 values');
  });
});

describe('CmaEs convergence (tutorial variant, default lambda)', () => {
  it('solves the 10-D sphere to 1e-8 in about 1,500 evaluations', () => {
    const runs = [1, 2, 3, 4, 5].map((seed) => minimise(new CmaEs({ dimension: 10, sigma0: 1, mean0: ones(10), seed }), sphere, 2500));
    for (const run of runs) expect(run.reached).toBe(true);
    expect(median(runs.map((r) => r.evaluations))).toBeLessThan(2000);
  });

  it('solves the 10-D ellipsoid (condition 1e6) to 1e-8 in about 6,000 evaluations', () => {
    const runs = [1, 2, 3].map((seed) => minimise(new CmaEs({ dimension: 10, sigma0: 1, mean0: ones(10), seed }), ellipsoid, 12000));
    for (const run of runs) expect(run.reached).toBe(true);
    expect(median(runs.map((r) => r.evaluations))).toBeLessThan(9000);
  });

  it('learns the ellipsoid: the covariance becomes close to the inverse Hessian up to scale', () => {
    const es = new CmaEs({ dimension: 10, sigma0: 1, mean0: ones(10), seed: 1 });
    expect(minimise(es, ellipsoid, 12000).reached).toBe(true);
    const c = es.covarianceMatrix();
    // Diagonal ratios c_11 / c_nn should be about 10^6 (the Hessian's condition number).
    const ratio = c[0] / c[99];
    expect(Math.log10(ratio)).toBeGreaterThan(5);
    expect(Math.log10(ratio)).toBeLessThan(7);
  });

  it('solves the 10-D Rosenbrock function from x0 = 0, sigma0 = 0.5 (median of 5 seeds)', () => {
    const runs = [1, 2, 3, 4, 5].map((seed) => minimise(new CmaEs({ dimension: 10, sigma0: 0.5, seed }), rosenbrock, 20000));
    // Rosenbrock occasionally ends in its local optimum; the median run must succeed well within budget.
    expect(runs.filter((r) => r.reached).length).toBeGreaterThanOrEqual(4);
    expect(median(runs.map((r) => (r.reached ? r.evaluations : Infinity)))).toBeLessThan(12000);
  });

  it("also converges with the 'pyribs' variant", () => {
    const sphereRuns = [1, 2, 3].map((seed) => minimise(new CmaEs({ dimension: 10, sigma0: 1, mean0: ones(10), seed, variant: 'pyribs' }), sphere, 2500));
    for (const run of sphereRuns) expect(run.reached).toBe(true);
    const ellipsoidRun = minimise(new CmaEs({ dimension: 10, sigma0: 1, mean0: ones(10), seed: 1, variant: 'pyribs' }), ellipsoid, 15000);
    expect(ellipsoidRun.reached).toBe(true);
  });

  it('the variants differ from the first update on', () => {
    const a = new CmaEs({ dimension: 5, sigma0: 1, mean0: ones(5), seed: 1 });
    const b = new CmaEs({ dimension: 5, sigma0: 1, mean0: ones(5), seed: 1, variant: 'pyribs' });
    minimise(a, sphere, 8, -1);
    minimise(b, sphere, 8, -1);
    expectBitwiseEqual(a.mean, b.mean); // same samples, same ranking, same mean update
    expect(a.sigma).not.toBe(b.sigma); // different step-size rules
  });
});

describe('CmaEs checkpoints and options', () => {
  it('continues bit-for-bit after serialize/restore through JSON mid-run', () => {
    const options = { dimension: 10, sigma0: 1, mean0: ones(10), seed: 12 };
    const original = new CmaEs(options);
    minimise(original, ellipsoid, 250, -1); // 25 generations, several decompositions
    const restored = new CmaEs({ ...options, seed: 999 });
    restored.restore(jsonRoundTrip(original.serialize()));
    expectBitwiseEqual(restored.mean, original.mean);
    expect(restored.sigma).toBe(original.sigma);
    const values = new Float64Array(10);
    for (let g = 0; g < 40; g++) {
      const x = original.ask();
      const y = restored.ask();
      expectBitwiseEqual(y, x);
      for (let i = 0; i < 10; i++) values[i] = ellipsoid(x, i * 10, 10);
      const order = Array.from({ length: 10 }, (_, i) => i).sort((a, b) => values[a] - values[b]);
      original.tell(order, 5);
      restored.tell(order, 5);
    }
    expect(restored.decompositions).toBeGreaterThan(0);
    expectBitwiseEqual(restored.covarianceMatrix(), original.covarianceMatrix());
  });

  it('rejects checkpoints of another configuration', () => {
    const state = jsonRoundTrip(new CmaEs({ dimension: 4, sigma0: 1 }).serialize());
    expectConfigError(() => new CmaEs({ dimension: 5, sigma0: 1 }).restore(state), 'checkpoint.evolutionStrategy.dimension', '5');
    expectConfigError(() => new CmaEs({ dimension: 4, sigma0: 1, batchSize: 9 }).restore(state), 'checkpoint.evolutionStrategy.batchSize');
    expectConfigError(() => new CmaEs({ dimension: 4, sigma0: 1, variant: 'pyribs' }).restore(state), 'checkpoint.evolutionStrategy.variant');
    expectConfigError(() => new SepCmaEs({ dimension: 4, sigma0: 1 }).restore(state), 'checkpoint.evolutionStrategy.kind');
  });

  it('rejects invalid options with QdConfigError', () => {
    expectConfigError(() => new CmaEs({ dimension: 0, sigma0: 1 }), 'dimension', 'an integer >= 1');
    expectConfigError(() => new CmaEs({ dimension: 2.5, sigma0: 1 }), 'dimension');
    expectConfigError(() => new CmaEs({ dimension: 3, sigma0: 1, batchSize: 1 }), 'batchSize', 'an integer >= 2');
    expectConfigError(() => new CmaEs({ dimension: 3, sigma0: 0 }), 'sigma0', 'a finite number > 0');
    expectConfigError(() => new CmaEs({ dimension: 3, sigma0: -1 }), 'sigma0');
    expectConfigError(() => new CmaEs({ dimension: 3, sigma0: Infinity }), 'sigma0');
    expectConfigError(() => new CmaEs({ dimension: 3, sigma0: 1, variant: 'foo' as never }), 'variant', "one of 'tutorial', 'pyribs'");
    expectConfigError(() => new CmaEs({ dimension: 3, sigma0: 1, mean0: [1, 2] }), 'mean0', '3 values');
    expectConfigError(() => new CmaEs({ dimension: 3, sigma0: 1, mean0: [1, 2, Number.NaN] }), 'mean0[2]', 'a finite number');
    expectConfigError(() => new CmaEs({ dimension: 3, sigma0: 1, seed: -1 }), 'seed');
  });
});

describe('CmaEs eigendecomposition schedule', () => {
  /** Runs `generations` ask/tells ranking by the sphere and returns the decomposition count. */
  function decompositionsAfter(es: CmaEs, generations: number): number {
    const n = es.dimension;
    for (let g = 0; g < generations; g++) {
      const x = es.ask();
      const f = Array.from({ length: es.batchSize }, (_, i) => sphere(x, i * n, n));
      const order = f.map((_, i) => i).sort((a, b) => f[a] - f[b]);
      es.tell(order, Math.floor(es.batchSize / 2));
    }
    return es.decompositions;
  }

  it("without the cost bound follows pyribs' lazy gap 0.5 lambda / ((c1 + cmu) n) evaluations", () => {
    const n = 20;
    const lambda = 12;
    const es = new CmaEs({ dimension: n, batchSize: lambda, sigma0: 1, seed: 1, boundEigenCost: false });
    const { c1, cmu } = fullCmaParameters(n, lambda / 2);
    const gap = (0.5 * lambda) / ((c1 + cmu) * n);
    // A decomposition happens at the ask after evaluations exceed the last one's + gap.
    const generationsPerDecomposition = Math.floor(gap / lambda) + 1;
    expect(decompositionsAfter(es, 60)).toBe(Math.floor((60 - 1) / generationsPerDecomposition));
  });

  it('with the cost bound waits at least 4.5 n evaluations between decompositions', () => {
    const n = 20;
    const lambda = 12;
    const es = new CmaEs({ dimension: n, batchSize: lambda, sigma0: 1, seed: 1 });
    const generationsPerDecomposition = Math.floor((4.5 * n) / lambda) + 1;
    expect(decompositionsAfter(es, 60)).toBe(Math.floor((60 - 1) / generationsPerDecomposition));
  });

  it('queues covariance updates lazily: a restart before the next decomposition discards them', () => {
    const es = new CmaEs({ dimension: 30, sigma0: 1, seed: 2 });
    decompositionsAfter(es, 5);
    expect(es.decompositions).toBe(0);
    es.reset(new Float64Array(30));
    const identity = new Float64Array(30 * 30);
    for (let i = 0; i < 30; i++) identity[i * 30 + i] = 1;
    expect(Array.from(es.covarianceMatrix())).toEqual(Array.from(identity));
  });
});
