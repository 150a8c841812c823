/** Recombination weights and learning rates of CMA-ES for a given number of parents. */
export interface CmaParameters {
  /** Positive log weights w_i = ln(mu + 1/2) - ln(i), i = 1..mu, summing to 1. */
  weights: Float64Array;
  /** Variance-effective selection mass 1 / sum(w_i^2). */
  muEff: number;
  /** Cumulation constant of the rank-one evolution path. */
  cc: number;
  /** Cumulation constant of the step-size path. */
  cs: number;
  /** Learning rate of the rank-one update. */
  c1: number;
  /** Learning rate of the rank-mu update. */
  cmu: number;
  /** Step-size damping. */
  damps: number;
}

export function logWeights(mu: number): { weights: Float64Array; muEff: number } {
  const weights = new Float64Array(mu);
  let sum = 0;
  for (let i = 0; i < mu; i++) {
    weights[i] = Math.log(mu + 0.5) - Math.log(i + 1);
    sum += weights[i];
  }
  let sumSquares = 0;
  for (let i = 0; i < mu; i++) {
    weights[i] /= sum;
    sumSquares += weights[i] * weights[i];
  }
  return { weights, muEff: 1 / sumSquares };
}

/** Hansen's defaults for the full-covariance CMA-ES (The CMA Evolution Strategy: A Tutorial, 2016). */
export function fullCmaParameters(n: number, mu: number): CmaParameters {
  const { weights, muEff } = logWeights(mu);
  const cc = (4 + muEff / n) / (n + 4 + (2 * muEff) / n);
  const cs = (muEff + 2) / (n + muEff + 5);
  const c1 = 2 / ((n + 1.3) ** 2 + muEff);
  const cmu = Math.min(1 - c1, (2 * (muEff - 2 + 1 / muEff)) / ((n + 2) ** 2 + muEff));
  const damps = 1 + 2 * Math.max(0, Math.sqrt((muEff - 1) / (n + 1)) - 1) + cs;
  return { weights, muEff, cc, cs, c1, cmu, damps };
}

/**
 * Rates of the separable (diagonal) CMA-ES. 'tutorial': Ros & Hansen (2008), the full-CMA rates
 * of the covariance scaled up by (n + 2) / 3. 'pyribs': the rates of pyribs v0.8.3.
 */
export function separableCmaParameters(n: number, mu: number, variant: 'tutorial' | 'pyribs'): CmaParameters {
  const full = fullCmaParameters(n, mu);
  const { muEff } = full;
  if (variant === 'tutorial') {
    const scale = (n + 2) / 3;
    const c1 = Math.min(1, full.c1 * scale);
    return { ...full, c1, cmu: Math.min(1 - c1, full.cmu * scale) };
  }
  const cc = (1 + 1 / n + muEff / n) / (Math.sqrt(n) + 1 / n + (2 * muEff) / n);
  const c1 = full.c1 / (n + 2 * Math.sqrt(n) + muEff / n);
  const cmu = Math.min(1 - c1, (muEff + 1 / muEff - 2) / (n + 4 * Math.sqrt(n) + muEff / 2));
  return { ...full, cc, c1, cmu };
}

/** E||N(0, I_n)||, Hansen's approximation. */
export function expectedNormalNorm(n: number): number {
  return Math.sqrt(n) * (1 - 1 / (4 * n) + 1 / (21 * n * n));
}
