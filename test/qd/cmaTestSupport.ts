import type { CmaEvolutionStrategy } from '../../src/qd/optimizers/cmaEvolutionStrategy';

/** f(x) of the row starting at `offset` of a row-major batch. */
export type Objective = (x: Float64Array, offset: number, n: number) => number;

export const sphere: Objective = (x, o, n) => {
  let s = 0;
  for (let i = 0; i < n; i++) s += x[o + i] ** 2;
  return s;
};

/** f = sum_i 10^(6 (i - 1) / (n - 1)) x_i^2 (i = 1..n): condition number 1e6. */
export const ellipsoid: Objective = (x, o, n) => {
  let s = 0;
  for (let i = 0; i < n; i++) s += 10 ** ((6 * i) / (n - 1)) * x[o + i] ** 2;
  return s;
};

export const rosenbrock: Objective = (x, o, n) => {
  let s = 0;
  for (let i = 0; i < n - 1; i++) s += 100 * (x[o + i] ** 2 - x[o + i + 1]) ** 2 + (1 - x[o + i]) ** 2;
  return s;
};

/**
 * Minimises `f` with the ES as a black-box optimiser: ask, evaluate, rank ascending by f,
 * tell with mu = floor(lambda / 2). Stops once the best f is below `target` or the budget is spent.
 */
export function minimise(es: CmaEvolutionStrategy, f: Objective, budget: number, target = 1e-8): { evaluations: number; best: number; reached: boolean } {
  const n = es.dimension;
  const lambda = es.batchSize;
  const values = new Float64Array(lambda);
  const order = Array.from({ length: lambda }, (_, i) => i);
  let evaluations = 0;
  let best = Infinity;
  while (evaluations < budget) {
    const x = es.ask();
    for (let i = 0; i < lambda; i++) {
      values[i] = f(x, i * n, n);
      if (values[i] < best) best = values[i];
    }
    evaluations += lambda;
    order.sort((a, b) => values[a] - values[b] || a - b);
    es.tell(order, Math.floor(lambda / 2));
    if (best < target) return { evaluations, best, reached: true };
  }
  return { evaluations, best, reached: false };
}

/** Plain-array CMA-ES state for the reference update below. */
export interface ReferenceState {
  n: number;
  lambda: number;
  mean: number[];
  sigma: number;
  ps: number[];
  pc: number[];
  /** Full covariance (n x n, row-major) or, for sep-CMA-ES, its diagonal (n). */
  c: number[];
  evaluations: number;
  generation: number;
  /** h_sigma of every update so far. */
  hSigmaHistory: number[];
}

export function referenceStart(n: number, lambda: number, mean: number[], sigma: number, separable: boolean): ReferenceState {
  const c = separable ? new Array<number>(n).fill(1) : Array.from({ length: n * n }, (_, k) => (k % (n + 1) === 0 ? 1 : 0));
  return { n, lambda, mean: [...mean], sigma, ps: new Array<number>(n).fill(0), pc: new Array<number>(n).fill(0), c, evaluations: 0, generation: 0, hSigmaHistory: [] };
}

/**
 * One CMA-ES update written straight from the formulas, independent of the library: Hansen's
 * tutorial (2016) for 'tutorial', spec section 5.5 (pyribs v0.8.3) for 'pyribs'; full or
 * separable. Valid while C^(-1/2) is the identity (full CMA-ES before its first
 * eigendecomposition), or always for the separable variant.
 */
export function referenceTell(s: ReferenceState, x: ArrayLike<number>, ranked: number[], mu: number, variant: 'tutorial' | 'pyribs', separable: boolean): void {
  const { n, lambda } = s;
  s.evaluations += lambda;
  s.generation += 1;
  if (mu === 0) return;
  const raw = Array.from({ length: mu }, (_, i) => Math.log(mu + 0.5) - Math.log(i + 1));
  const total = raw.reduce((a, b) => a + b, 0);
  const w = raw.map((v) => v / total);
  const muEff = 1 / w.reduce((a, b) => a + b * b, 0);
  const cs = (muEff + 2) / (n + muEff + 5);
  const damps = 1 + 2 * Math.max(0, Math.sqrt((muEff - 1) / (n + 1)) - 1) + cs;
  let cc = (4 + muEff / n) / (n + 4 + (2 * muEff) / n);
  let c1 = 2 / ((n + 1.3) ** 2 + muEff);
  let cmu = Math.min(1 - c1, (2 * (muEff - 2 + 1 / muEff)) / ((n + 2) ** 2 + muEff));
  if (separable && variant === 'tutorial') {
    c1 = Math.min(1, (c1 * (n + 2)) / 3);
    cmu = Math.min(1 - c1, (cmu * (n + 2)) / 3);
  } else if (separable) {
    cc = (1 + 1 / n + muEff / n) / (Math.sqrt(n) + 1 / n + (2 * muEff) / n);
    c1 = c1 / (n + 2 * Math.sqrt(n) + muEff / n);
    cmu = Math.min(1 - c1, (muEff + 1 / muEff - 2) / (n + 4 * Math.sqrt(n) + muEff / 2));
  }
  const chiN = Math.sqrt(n) * (1 - 1 / (4 * n) + 1 / (21 * n * n));
  const old = [...s.mean];
  const parent = (i: number, j: number) => x[ranked[i] * n + j];
  s.mean = old.map((_, j) => w.reduce((acc, wi, i) => acc + wi * parent(i, j), 0));
  const y = s.mean.map((m, j) => m - old[j]);
  // C^(-1/2) y: identity for full CMA-ES before any decomposition, y / sqrt(c) for sep.
  const white = separable ? y.map((v, j) => v / Math.sqrt(s.c[j])) : [...y];
  const pyribs = variant === 'pyribs';
  const psScale = Math.sqrt(cs * (2 - cs) * muEff) / s.sigma;
  s.ps = s.ps.map((p, j) => (1 - cs) * p + psScale * white[j]);
  const psNorm2 = s.ps.reduce((a, b) => a + b * b, 0);
  const hSigma = pyribs
    ? psNorm2 / n / (1 - (1 - cs) ** ((2 * s.evaluations) / lambda)) < 2 + 4 / (n + 1)
      ? 1
      : 0
    : Math.sqrt(psNorm2) / Math.sqrt(1 - (1 - cs) ** (2 * s.generation)) < (1.4 + 2 / (n + 1)) * chiN
      ? 1
      : 0;
  s.hSigmaHistory.push(hSigma);
  const pcScale = (hSigma * Math.sqrt(cc * (2 - cc) * muEff)) / (pyribs ? 1 : s.sigma);
  s.pc = s.pc.map((p, j) => (1 - cc) * p + pcScale * y[j]);
  const c1a = c1 * (1 - (1 - hSigma) * cc * (2 - cc));
  const decay = 1 - c1a - cmu * w.reduce((a, b) => a + b, 0);
  const rankOne = pyribs ? c1 * c1 : c1;
  const dev = (i: number, j: number) => parent(i, j) - old[j];
  if (separable) {
    s.c = s.c.map((v, j) => decay * v + rankOne * s.pc[j] ** 2 + (cmu / s.sigma ** 2) * w.reduce((acc, wi, i) => acc + wi * dev(i, j) ** 2, 0));
  } else {
    s.c = s.c.map((v, k) => {
      const [r, q] = [Math.floor(k / n), k % n];
      return decay * v + rankOne * s.pc[r] * s.pc[q] + (cmu / s.sigma ** 2) * w.reduce((acc, wi, i) => acc + wi * dev(i, r) * dev(i, q), 0);
    });
  }
  s.sigma *= pyribs ? Math.exp(Math.min(1, ((cs / damps) * (psNorm2 / n - 1)) / 2)) : Math.exp((cs / damps) * (Math.sqrt(psNorm2) / chiN - 1));
}
