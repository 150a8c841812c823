import { CmaEs } from '../../src/qd/optimizers/cmaEs';
import { fullCmaParameters, separableCmaParameters } from '../../src/qd/optimizers/cmaParameters';
import { SepCmaEs } from '../../src/qd/optimizers/sepCmaEs';
import { SeededRandom } from '../../src/qd/random';
import { ellipsoid, minimise, referenceStart, referenceTell, sphere } from './cmaTestSupport';
import { expectAllClose, expectBitwiseEqual, expectConfigError, jsonRoundTrip, median } from './helpers';

const ones = (n: number, v = 1) => new Float64Array(n).fill(v);

describe('sep-CMA-ES parameters', () => {
  it("'pyribs' rates follow spec section 5.5 (n = 100, lambda = 36, mu = 18)", () => {
    const n = 100;
    const p = separableCmaParameters(n, 18, 'pyribs');
    const { muEff, c1 } = fullCmaParameters(n, 18);
    expect(p.muEff).toBe(muEff);
    expect(p.cc).toBeCloseTo((1 + 1 / n + muEff / n) / (Math.sqrt(n) + 1 / n + (2 * muEff) / n), 14);
    expect(p.cs).toBeCloseTo((muEff + 2) / (n + muEff + 5), 14);
    expect(p.c1).toBeCloseTo(c1 / (n + 2 * Math.sqrt(n) + muEff / n), 16);
    expect(p.c1).toBeCloseTo(2 / ((n + 1.3) ** 2 + muEff) / (n + 20 + muEff / n), 16);
    expect(p.cmu).toBeCloseTo(Math.min(1 - p.c1, (muEff + 1 / muEff - 2) / (n + 4 * Math.sqrt(n) + muEff / 2)), 14);
    expect(p.damps).toBeCloseTo(1 + 2 * Math.max(0, Math.sqrt((muEff - 1) / (n + 1)) - 1) + p.cs, 14);
  });

  it("'tutorial' rates scale the full-CMA covariance rates by (n + 2) / 3 (Ros & Hansen 2008)", () => {
    const full = fullCmaParameters(30, 6);
    const p = separableCmaParameters(30, 6, 'tutorial');
    expect(p.c1).toBeCloseTo((full.c1 * 32) / 3, 14);
    expect(p.cmu).toBeCloseTo(Math.min(1 - p.c1, (full.cmu * 32) / 3), 14);
    expect(p.cs).toBe(full.cs);
    expect(p.cc).toBe(full.cc);
    // In small dimension the scaled rates stay valid (c1 + cmu <= 1).
    const small = separableCmaParameters(2, 3, 'tutorial');
    expect(small.c1 + small.cmu).toBeLessThanOrEqual(1 + 1e-15);
  });
});

describe('SepCmaEs', () => {
  it('samples mean + sigma0 * z at the start and keeps a diagonal covariance', () => {
    const random = new SeededRandom(2);
    const twin = SeededRandom.fromState(random.serialize());
    const es = new SepCmaEs({ dimension: 3, sigma0: 0.5, mean0: [1, 2, 3], random, batchSize: 5 });
    const x = es.ask();
    const z = twin.fillNormal(new Float64Array(15));
    expectBitwiseEqual(x, Float64Array.from(z, (v, i) => [1, 2, 3][i % 3] + 0.5 * v));
    expect(Array.from(es.covarianceDiagonal())).toEqual([1, 1, 1]);
  });

  it.each(['tutorial', 'pyribs'] as const)('fourteen updates match the separable %s formulas computed independently', (variant) => {
    const n = 7;
    const mean0 = Array.from({ length: n }, (_, j) => j - 3);
    const es = new SepCmaEs({ dimension: n, sigma0: 1.5, mean0, seed: 4, variant, batchSize: 12 });
    const ref = referenceStart(n, 12, mean0, 1.5, true);
    for (let g = 0; g < 6; g++) {
      const x = es.ask();
      const values = Array.from({ length: 12 }, (_, i) => ellipsoid(x, i * n, n));
      const ranked = values.map((_, i) => i).sort((a, b) => values[a] - values[b]);
      const mu = [6, 6, 2, 0, 11, 6][g];
      es.tell(ranked, mu);
      referenceTell(ref, x, ranked, mu, variant, true);
    }
    // Then a linear ranking along x_1 with a long run of consistent steps (h_sigma drops to 0).
    for (let g = 0; g < 8; g++) {
      const x = es.ask();
      const ranked = Array.from({ length: 12 }, (_, i) => i).sort((a, b) => x[b * n] - x[a * n]);
      es.tell(ranked, 6);
      referenceTell(ref, x, ranked, 6, variant, true);
    }
    expect(ref.hSigmaHistory).toContain(0);
    expect(ref.hSigmaHistory).toContain(1);
    expectAllClose(es.mean, ref.mean, 1e-12);
    expect(es.sigma).toBeCloseTo(ref.sigma, 12);
    expectAllClose(es.covarianceDiagonal(), ref.c, 1e-12);
    expect(Math.max(...ref.c) / Math.min(...ref.c)).toBeGreaterThan(1.05);
  });

  it('samples with per-coordinate standard deviation sigma * sqrt(c_j)', () => {
    const n = 5;
    const es = new SepCmaEs({ dimension: n, sigma0: 1, mean0: ones(n), seed: 3, batchSize: 10 });
    minimise(es, ellipsoid, 600, -1);
    const c = es.covarianceDiagonal();
    expect(c[0] / c[n - 1]).toBeGreaterThan(10);
    const state = jsonRoundTrip(es.serialize());
    const sigma = es.sigma;
    const mean = Float64Array.from(es.mean);
    const sums = new Float64Array(n);
    let random = state.random;
    const draws = 20000;
    for (let g = 0; g < draws / 10; g++) {
      es.restore({ ...state, random });
      const x = es.ask();
      random = es.serialize().random;
      for (let i = 0; i < 10; i++) for (let j = 0; j < n; j++) sums[j] += (x[i * n + j] - mean[j]) ** 2;
    }
    for (let j = 0; j < n; j++) expect(Math.abs(sums[j] / draws / (sigma * sigma * c[j]) - 1)).toBeLessThan(0.05);
  });

  it('solves the separable 10-D ellipsoid to 1e-8 (faster than full CMA-ES)', () => {
    const runs = [1, 2, 3].map((seed) => minimise(new SepCmaEs({ dimension: 10, sigma0: 1, mean0: ones(10), seed }), ellipsoid, 6000));
    for (const run of runs) expect(run.reached).toBe(true);
    expect(median(runs.map((r) => r.evaluations))).toBeLessThan(4000);
  });

  it('solves the separable 30-D ellipsoid to 1e-8 and learns the axis scales', () => {
    const es = new SepCmaEs({ dimension: 30, sigma0: 1, mean0: ones(30), seed: 1 });
    const run = minimise(es, ellipsoid, 16000);
    expect(run.reached).toBe(true);
    const c = es.covarianceDiagonal();
    // Variances end up inversely proportional to the coefficients: c_1 / c_30 ~ 1e6.
    const ratio = Math.log10(c[0] / c[29]);
    expect(ratio).toBeGreaterThan(5);
    expect(ratio).toBeLessThan(7);
  });

  it("also converges with the 'pyribs' rates", () => {
    const run = minimise(new SepCmaEs({ dimension: 10, sigma0: 1, mean0: ones(10), seed: 1, variant: 'pyribs' }), ellipsoid, 10000);
    expect(run.reached).toBe(true);
    expect(minimise(new SepCmaEs({ dimension: 10, sigma0: 1, mean0: ones(10), seed: 2, variant: 'pyribs' }), sphere, 3000).reached).toBe(true);
  });

  it('numParents = 0 changes nothing; reset() restores sigma0, mean and unit variances', () => {
    const es = new SepCmaEs({ dimension: 4, sigma0: 0.4, mean0: ones(4), seed: 1 });
    minimise(es, ellipsoid, 200, -1);
    const [mean, sigma, c] = [es.mean.slice(), es.sigma, es.covarianceDiagonal()];
    es.ask();
    es.tell([], 0);
    expectBitwiseEqual(es.mean, mean);
    expect(es.sigma).toBe(sigma);
    expectBitwiseEqual(es.covarianceDiagonal(), c);
    es.reset([0, 0, 0, 1]);
    expect(es.sigma).toBe(0.4);
    expect(Array.from(es.mean)).toEqual([0, 0, 0, 1]);
    expect(Array.from(es.covarianceDiagonal())).toEqual([1, 1, 1, 1]);
  });

  it('shouldStop fires on a flat ranking and on a collapsed variance', () => {
    const es = new SepCmaEs({ dimension: 3, sigma0: 1, batchSize: 4 });
    expect(es.shouldStop(Float64Array.from([1, 0, 0, 0]), 1)).toBe(false);
    expect(es.shouldStop(Float64Array.from([0.5, 0.5, 0.5, 0.5]), 1)).toBe(true);
    const state = jsonRoundTrip(es.serialize());
    es.restore({ ...state, sigma: 1e-12 });
    expect(es.shouldStop(Float64Array.from([1, 0, 0, 0]), 1)).toBe(true);
  });

  it('continues bit-for-bit after serialize/restore through JSON', () => {
    const options = { dimension: 8, sigma0: 1, mean0: ones(8), seed: 5 };
    const original = new SepCmaEs(options);
    minimise(original, ellipsoid, 300, -1);
    const restored = new SepCmaEs({ ...options, seed: 77 });
    restored.restore(jsonRoundTrip(original.serialize()));
    minimise(original, ellipsoid, 300, -1);
    minimise(restored, ellipsoid, 300, -1);
    expectBitwiseEqual(restored.mean, original.mean);
    expect(restored.sigma).toBe(original.sigma);
    expectBitwiseEqual(restored.covarianceDiagonal(), original.covarianceDiagonal());
    expectBitwiseEqual(restored.ask(), original.ask());
    expectConfigError(() => new CmaEs(options).restore(jsonRoundTrip(original.serialize())), 'checkpoint.evolutionStrategy.kind');
  });

  it('rejects invalid options', () => {
    expectConfigError(() => new SepCmaEs({ dimension: 0, sigma0: 1 }), 'dimension');
    expectConfigError(() => new SepCmaEs({ dimension: 3, sigma0: 1, batchSize: 1 }), 'batchSize');
    expectConfigError(() => new SepCmaEs({ dimension: 3, sigma0: 0 }), 'sigma0');
    expectConfigError(() => new SepCmaEs({ dimension: 3, sigma0: 1, variant: 'foo' as never }), 'variant');
  });
});
