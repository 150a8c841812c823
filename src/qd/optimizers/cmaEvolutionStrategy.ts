import { QdConfigError } from '../errors';
import { SeededRandom } from '../random';
import { decodeFloat64, encodeFloat64 } from '../serialization';
import { requireInteger, requireMatchingCheckpoint, requireOneOf, requirePositive, toFloat64Array } from '../validation';
import { expectedNormalNorm, type CmaParameters } from './cmaParameters';
import { rankingIsFlat } from './rankingIsFlat';
import { CMA_VARIANTS, type CmaVariant, type EvolutionStrategy, type EvolutionStrategyState } from './evolutionStrategy';

export interface CmaEsOptions {
  dimension: number;
  /** Candidates per generation; Hansen's default 4 + floor(3 ln n). */
  batchSize?: number;
  /** Initial step size. */
  sigma0: number;
  /** Initial mean; zeros by default. */
  mean0?: ArrayLike<number>;
  seed?: number;
  /** Share a generator with the caller instead of seeding one. */
  random?: SeededRandom;
  /**
   * 'tutorial' (default): Hansen's tutorial. 'pyribs': pyribs v0.8.3's deviations (p_c
   * accumulates the unscaled mean shift, the rank-one term carries c1^2, squared-norm step-size
   * rule and h_sigma test), to reproduce its published numbers.
   */
  variant?: CmaVariant;
  /**
   * Full CMA-ES only: refresh the eigendecomposition once more than
   * `lazyGapFactor * lambda / ((c1 + cmu) * n)` evaluations have passed (pycma's and pyribs'
   * lazy update; default 0.5). Larger values trade staler sampling directions for fewer O(n^3)
   * decompositions.
   */
  lazyGapFactor?: number;
  /**
   * Full CMA-ES only (default true): also wait at least 4.5 n evaluations between
   * decompositions, so their ~9 n^3 flops never exceed the ~2 n^2 flops per sample spent on
   * sampling. pyribs has no such bound (set false to reproduce its decomposition schedule).
   */
  boundEigenCost?: boolean;
}

const CONDITION_LIMIT = 1e14;
const MIN_STEP = 1e-11;

/**
 * CMA-ES with the machinery shared by the full and separable variants: weighted recombination,
 * step-size and rank-one evolution paths, cumulative step-size adaptation, restarts and the stop
 * test. Subclasses own the covariance model: sampling directions, whitening, the covariance
 * update and its conditioning.
 */
export abstract class CmaEvolutionStrategy implements EvolutionStrategy {
  readonly dimension: number;
  readonly batchSize: number;
  readonly sigma0: number;
  readonly variant: CmaVariant;
  protected readonly random: SeededRandom;

  sigma: number;
  readonly mean: Float64Array;
  protected readonly pathSigma: Float64Array;
  protected readonly pathC: Float64Array;
  /** Evaluations since the last reset. */
  protected evaluations = 0;
  /** Generations (tells) since the last reset. */
  protected generation = 0;

  private readonly lastCandidates: Float64Array;
  private readonly noise: Float64Array;
  private readonly previousMean: Float64Array;
  private readonly meanShift: Float64Array;
  private readonly whitened: Float64Array;
  private readonly parameterCache = new Map<number, CmaParameters>();
  private readonly chiN: number;

  protected constructor(options: CmaEsOptions) {
    const n = requireInteger('dimension', options.dimension, 1);
    this.dimension = n;
    this.batchSize = requireInteger('batchSize', options.batchSize ?? 4 + Math.floor(3 * Math.log(n)), 2);
    this.sigma0 = requirePositive('sigma0', options.sigma0);
    this.variant = requireOneOf('variant', options.variant ?? 'tutorial', CMA_VARIANTS);
    this.random = options.random ?? new SeededRandom(options.seed ?? 0);
    this.sigma = this.sigma0;
    this.mean = options.mean0 === undefined ? new Float64Array(n) : toFloat64Array('mean0', options.mean0, n);
    this.pathSigma = new Float64Array(n);
    this.pathC = new Float64Array(n);
    this.lastCandidates = new Float64Array(this.batchSize * n);
    this.noise = new Float64Array(this.batchSize * n);
    this.previousMean = new Float64Array(n);
    this.meanShift = new Float64Array(n);
    this.whitened = new Float64Array(n);
    this.chiN = expectedNormalNorm(n);
  }

  /** Learning rates for `mu` parents. */
  protected abstract computeParameters(mu: number): CmaParameters;
  /** Turns standard-normal rows of `noise` (count x n) into directions y ~ N(0, C), in place. */
  protected abstract shapeNoise(noise: Float64Array, count: number): void;
  /** out = C^(-1/2) y (from the covariance's last decomposition). */
  protected abstract whiten(y: Float64Array, out: Float64Array): void;
  /**
   * C <- decay * C + rankOne * p_c p_c^T + sum_i rankMu[i] * d_i d_i^T, where d_i are the
   * rows of `deviations` (count x n).
   */
  protected abstract adaptCovariance(decay: number, rankOne: number, pathC: Float64Array, rankMu: Float64Array, deviations: Float64Array, count: number): void;
  /** Largest and smallest eigenvalue of the covariance as last decomposed. */
  protected abstract eigenvalueRange(): [number, number];
  protected abstract resetCovariance(): void;
  /** Called at the start of each ask, so decompositions can be refreshed lazily. */
  protected abstract prepareSampling(): void;
  protected abstract serializeCovariance(): Record<string, unknown>;
  protected abstract restoreCovariance(state: Record<string, unknown>): void;

  protected parameters(mu: number): CmaParameters {
    let params = this.parameterCache.get(mu);
    if (!params) {
      params = this.computeParameters(mu);
      this.parameterCache.set(mu, params);
    }
    return params;
  }

  ask(out?: Float64Array): Float64Array {
    const n = this.dimension;
    const total = this.batchSize * n;
    const result = out ?? new Float64Array(total);
    if (result.length < total) throw new QdConfigError('out', `at least ${total} values`, result);
    this.prepareSampling();
    this.random.fillNormal(this.noise);
    this.shapeNoise(this.noise, this.batchSize);
    const sigma = this.sigma;
    const mean = this.mean;
    const candidates = this.lastCandidates;
    for (let i = 0; i < this.batchSize; i++) {
      const row = i * n;
      for (let j = 0; j < n; j++) candidates[row + j] = mean[j] + sigma * this.noise[row + j];
    }
    result.set(candidates);
    return result;
  }

  tell(rankedIndices: ArrayLike<number>, numParents: number): void {
    const n = this.dimension;
    requireInteger('numParents', numParents, 0, this.batchSize);
    if (rankedIndices.length < numParents) throw new QdConfigError('rankedIndices', `at least ${numParents} indices`, rankedIndices);
    this.evaluations += this.batchSize;
    this.generation += 1;
    if (numParents === 0) return;

    const p = this.parameters(numParents);
    const { weights, muEff, cc, cs, c1, cmu, damps } = p;
    const pyribs = this.variant === 'pyribs';
    const mean = this.mean;
    const oldMean = this.previousMean;
    oldMean.set(mean);
    mean.fill(0);
    // Parents' deviations from the old mean, reused by the rank-mu update (in `noise`).
    const deviations = this.noise;
    for (let i = 0; i < numParents; i++) {
      const index = rankedIndices[i];
      if (!(index >= 0 && index < this.batchSize)) throw new QdConfigError(`rankedIndices[${i}]`, `an index in [0, ${this.batchSize - 1}]`, index);
      const w = weights[i];
      const from = index * n;
      const to = i * n;
      for (let j = 0; j < n; j++) {
        const x = this.lastCandidates[from + j];
        mean[j] += w * x;
        deviations[to + j] = x - oldMean[j];
      }
    }
    const shift = this.meanShift;
    for (let j = 0; j < n; j++) shift[j] = mean[j] - oldMean[j];

    this.whiten(shift, this.whitened);
    const psScale = Math.sqrt(cs * (2 - cs) * muEff) / this.sigma;
    let psNormSquared = 0;
    for (let j = 0; j < n; j++) {
      this.pathSigma[j] = (1 - cs) * this.pathSigma[j] + psScale * this.whitened[j];
      psNormSquared += this.pathSigma[j] * this.pathSigma[j];
    }

    let hSigma: number;
    if (pyribs) {
      const correction = 1 - Math.pow(1 - cs, (2 * this.evaluations) / this.batchSize);
      hSigma = psNormSquared / n / correction < 2 + 4 / (n + 1) ? 1 : 0;
    } else {
      const correction = Math.sqrt(1 - Math.pow(1 - cs, 2 * this.generation));
      hSigma = Math.sqrt(psNormSquared) / correction < (1.4 + 2 / (n + 1)) * this.chiN ? 1 : 0;
    }

    const pcScale = (hSigma * Math.sqrt(cc * (2 - cc) * muEff)) / (pyribs ? 1 : this.sigma);
    for (let j = 0; j < n; j++) this.pathC[j] = (1 - cc) * this.pathC[j] + pcScale * shift[j];

    const c1a = c1 * (1 - (1 - hSigma * hSigma) * cc * (2 - cc));
    let weightSum = 0;
    for (let i = 0; i < numParents; i++) weightSum += weights[i];
    const decay = 1 - c1a - cmu * weightSum;
    const rankOne = pyribs ? c1 * c1 : c1;
    const rankMu = new Float64Array(numParents);
    const inverseSigmaSquared = 1 / (this.sigma * this.sigma);
    for (let i = 0; i < numParents; i++) rankMu[i] = cmu * weights[i] * inverseSigmaSquared;
    this.adaptCovariance(decay, rankOne, this.pathC, rankMu, deviations, numParents);

    if (pyribs) {
      this.sigma *= Math.exp(Math.min(1, ((cs / damps) * (psNormSquared / n - 1)) / 2));
    } else {
      this.sigma *= Math.exp((cs / damps) * (Math.sqrt(psNormSquared) / this.chiN - 1));
    }
  }

  shouldStop(rankingValues: Float64Array, width: number): boolean {
    const [maxEigen, minEigen] = this.eigenvalueRange();
    if (maxEigen > CONDITION_LIMIT * minEigen) return true;
    if (this.sigma * Math.sqrt(maxEigen) < MIN_STEP) return true;
    if (!Number.isFinite(this.sigma)) return true;
    return rankingIsFlat(rankingValues, width);
  }

  reset(mean: ArrayLike<number>): void {
    this.mean.set(toFloat64Array('mean', mean, this.dimension));
    this.sigma = this.sigma0;
    this.pathSigma.fill(0);
    this.pathC.fill(0);
    this.evaluations = 0;
    this.generation = 0;
    this.resetCovariance();
  }

  serialize(): EvolutionStrategyState {
    return {
      kind: this.constructor.name,
      dimension: this.dimension,
      batchSize: this.batchSize,
      variant: this.variant,
      sigma: this.sigma,
      mean: encodeFloat64(this.mean),
      pathSigma: encodeFloat64(this.pathSigma),
      pathC: encodeFloat64(this.pathC),
      evaluations: this.evaluations,
      generation: this.generation,
      random: this.random.serialize(),
      covariance: this.serializeCovariance(),
    };
  }

  restore(state: EvolutionStrategyState): void {
    requireMatchingCheckpoint('evolutionStrategy', [
      ['kind', state.kind, this.constructor.name],
      ['dimension', state.dimension, this.dimension],
      ['batchSize', state.batchSize, this.batchSize],
      ['variant', state.variant, this.variant],
    ]);
    this.sigma = state.sigma as number;
    this.mean.set(decodeFloat64(state.mean as string));
    this.pathSigma.set(decodeFloat64(state.pathSigma as string));
    this.pathC.set(decodeFloat64(state.pathC as string));
    this.evaluations = state.evaluations as number;
    this.generation = state.generation as number;
    this.random.restore(state.random as never);
    this.restoreCovariance(state.covariance as Record<string, unknown>);
  }
}
