import { QdConfigError } from '../errors';
import { SeededRandom } from '../random';
import { decodeFloat64, encodeFloat64 } from '../serialization';
import { requireInteger, requireMatchingCheckpoint, requirePositive, toFloat64Array } from '../validation';
import { logWeights } from './cmaParameters';
import type { EvolutionStrategy, EvolutionStrategyState } from './evolutionStrategy';
import { rankingIsFlat } from './rankingIsFlat';

export interface LmMaEsOptions {
  dimension: number;
  /** Candidates per generation; default 4 + floor(3 ln n). */
  batchSize?: number;
  sigma0: number;
  mean0?: ArrayLike<number>;
  /** Number of direction vectors m; default 4 + floor(3 ln n). */
  memory?: number;
  seed?: number;
  random?: SeededRandom;
}

const MIN_STEP = 1e-11;

/**
 * Limited-memory matrix adaptation ES (LM-MA-ES; Loshchilov, Glasmachers & Beyer 2019, "Large
 * Scale Black-Box Optimization by Limited-Memory Matrix Adaptation"). Instead of a covariance
 * matrix it keeps m direction vectors M_j (evolution paths with decreasing learning rates) and
 * shapes each standard-normal z into d = prod_j ((1 - c_d,j) I + c_d,j M_j M_j^T) z, so
 * sampling and updates cost O(m n) per candidate and memory O(m n): correlated search
 * directions for latents of hundreds or thousands of dimensions, where a full covariance is
 * O(n^2) and the separable CMA-ES sees only axis-aligned scaling.
 *
 * Rates as in the paper: c_sigma = 2 lambda / n, c_d,j = 1 / (1.5^(j-1) n),
 * c_c,j = lambda / (4^(j-1) n), each capped at 1 (the paper targets n >> lambda).
 */
export class LmMaEs implements EvolutionStrategy {
  readonly dimension: number;
  readonly batchSize: number;
  readonly sigma0: number;
  readonly memory: number;
  sigma: number;
  readonly mean: Float64Array;
  private readonly random: SeededRandom;
  private readonly vectors: Float64Array;
  private readonly pathSigma: Float64Array;
  private readonly noise: Float64Array;
  private readonly directions: Float64Array;
  private readonly meanNoise: Float64Array;
  private readonly pathRate: number;
  private readonly shapeRates: Float64Array;
  private readonly vectorRates: Float64Array;
  private generation = 0;

  constructor(options: LmMaEsOptions) {
    const n = requireInteger('dimension', options.dimension, 1);
    this.dimension = n;
    const defaultSize = 4 + Math.floor(3 * Math.log(n));
    this.batchSize = requireInteger('batchSize', options.batchSize ?? defaultSize, 2);
    this.memory = requireInteger('memory', options.memory ?? defaultSize, 1);
    this.sigma0 = requirePositive('sigma0', options.sigma0);
    this.sigma = this.sigma0;
    this.mean = options.mean0 === undefined ? new Float64Array(n) : toFloat64Array('mean0', options.mean0, n);
    this.random = options.random ?? new SeededRandom(options.seed ?? 0);
    this.vectors = new Float64Array(this.memory * n);
    this.pathSigma = new Float64Array(n);
    this.noise = new Float64Array(this.batchSize * n);
    this.directions = new Float64Array(this.batchSize * n);
    this.meanNoise = new Float64Array(n);
    this.pathRate = Math.min(1, (2 * this.batchSize) / n);
    this.shapeRates = Float64Array.from({ length: this.memory }, (_, j) => Math.min(1, 1 / (1.5 ** j * n)));
    this.vectorRates = Float64Array.from({ length: this.memory }, (_, j) => Math.min(1, this.batchSize / (4 ** j * n)));
  }

  ask(out?: Float64Array): Float64Array {
    const n = this.dimension;
    const total = this.batchSize * n;
    const result = out ?? new Float64Array(total);
    if (result.length < total) throw new QdConfigError('out', `at least ${total} values`, result);
    this.random.fillNormal(this.noise);
    const d = this.directions;
    d.set(this.noise);
    const active = Math.min(this.generation, this.memory);
    for (let i = 0; i < this.batchSize; i++) {
      const row = i * n;
      for (let j = 0; j < active; j++) {
        const v = j * n;
        let dot = 0;
        for (let k = 0; k < n; k++) dot += this.vectors[v + k] * d[row + k];
        const c = this.shapeRates[j];
        const along = c * dot;
        for (let k = 0; k < n; k++) d[row + k] = (1 - c) * d[row + k] + along * this.vectors[v + k];
      }
      for (let k = 0; k < n; k++) result[row + k] = this.mean[k] + this.sigma * d[row + k];
    }
    return result;
  }

  tell(rankedIndices: ArrayLike<number>, numParents: number): void {
    const n = this.dimension;
    requireInteger('numParents', numParents, 0, this.batchSize);
    if (rankedIndices.length < numParents) throw new QdConfigError('rankedIndices', `at least ${numParents} indices`, rankedIndices);
    this.generation += 1;
    if (numParents === 0) return;
    const { weights, muEff } = logWeights(numParents);
    const zMean = this.meanNoise.fill(0);
    for (let i = 0; i < numParents; i++) {
      const index = rankedIndices[i];
      if (!(index >= 0 && index < this.batchSize)) throw new QdConfigError(`rankedIndices[${i}]`, `an index in [0, ${this.batchSize - 1}]`, index);
      const w = weights[i];
      const row = index * n;
      for (let k = 0; k < n; k++) {
        zMean[k] += w * this.noise[row + k];
        this.mean[k] += this.sigma * w * this.directions[row + k];
      }
    }
    const cs = this.pathRate;
    const psScale = Math.sqrt(muEff * cs * (2 - cs));
    let psNormSquared = 0;
    for (let k = 0; k < n; k++) {
      this.pathSigma[k] = (1 - cs) * this.pathSigma[k] + psScale * zMean[k];
      psNormSquared += this.pathSigma[k] ** 2;
    }
    for (let j = 0; j < this.memory; j++) {
      const c = this.vectorRates[j];
      const scale = Math.sqrt(muEff * c * (2 - c));
      const v = j * n;
      for (let k = 0; k < n; k++) this.vectors[v + k] = (1 - c) * this.vectors[v + k] + scale * zMean[k];
    }
    this.sigma *= Math.exp((cs / 2) * (psNormSquared / n - 1));
  }

  shouldStop(rankingValues: Float64Array, width: number): boolean {
    if (!Number.isFinite(this.sigma) || this.sigma < MIN_STEP) return true;
    return rankingIsFlat(rankingValues, width);
  }

  reset(mean: ArrayLike<number>): void {
    this.mean.set(toFloat64Array('mean', mean, this.dimension));
    this.sigma = this.sigma0;
    this.pathSigma.fill(0);
    this.vectors.fill(0);
    this.generation = 0;
  }

  serialize(): EvolutionStrategyState {
    return {
      kind: 'LmMaEs',
      dimension: this.dimension,
      batchSize: this.batchSize,
      memory: this.memory,
      sigma: this.sigma,
      mean: encodeFloat64(this.mean),
      pathSigma: encodeFloat64(this.pathSigma),
      vectors: encodeFloat64(this.vectors),
      generation: this.generation,
      random: this.random.serialize(),
    };
  }

  restore(state: EvolutionStrategyState): void {
    requireMatchingCheckpoint('evolutionStrategy', [
      ['kind', state.kind, 'LmMaEs'],
      ['dimension', state.dimension, this.dimension],
      ['batchSize', state.batchSize, this.batchSize],
      ['memory', state.memory, this.memory],
    ]);
    this.sigma = state.sigma as number;
    this.mean.set(decodeFloat64(state.mean as string));
    this.pathSigma.set(decodeFloat64(state.pathSigma as string));
    this.vectors.set(decodeFloat64(state.vectors as string));
    this.generation = state.generation as number;
    this.random.restore(state.random as never);
  }
}
