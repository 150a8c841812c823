import type { Archive } from '../archives/archive';
import { SeededRandom } from '../random';
import { requireInteger, requirePositive, toFloat64Array } from '../validation';
import type { Emitter, EmitterFeedback, EmitterState } from './emitter';
import { checkFeedback, restoreRandomOnly, serializeRandomOnly } from './emitterSupport';

export interface GaussianEmitterOptions {
  archive: Archive;
  /** Parent used while the archive is empty. */
  x0: ArrayLike<number>;
  /** Mutation standard deviation: one number, or one per dimension. */
  sigma: number | ArrayLike<number>;
  batchSize?: number;
  seed?: number;
}

/**
 * MAP-Elites' mutation (Mouret & Clune 2015): each candidate is an elite drawn uniformly from
 * the archive (x0 while it is empty) plus N(0, sigma^2) noise.
 */
export class GaussianEmitter implements Emitter {
  readonly archive: Archive;
  readonly solutionDim: number;
  readonly batchSize: number;
  readonly restarts = 0;
  private readonly x0: Float64Array;
  private readonly sigma: Float64Array;
  private readonly random: SeededRandom;
  private readonly noise: Float64Array;

  constructor(options: GaussianEmitterOptions) {
    this.archive = options.archive;
    this.solutionDim = options.archive.solutionDim;
    this.x0 = toFloat64Array('x0', options.x0, this.solutionDim);
    this.sigma = expandSigma(options.sigma, this.solutionDim);
    this.batchSize = requireInteger('batchSize', options.batchSize ?? 64, 1);
    this.random = new SeededRandom(options.seed ?? 0);
    this.noise = new Float64Array(this.batchSize * this.solutionDim);
  }

  ask(out?: Float64Array): Float64Array {
    const n = this.solutionDim;
    const result = out ?? new Float64Array(this.batchSize * n);
    if (this.archive.empty) {
      for (let i = 0; i < this.batchSize; i++) result.set(this.x0, i * n);
    } else {
      this.archive.sampleSolutionsInto(result, this.batchSize);
    }
    const sigma = this.sigma;
    const noise = this.random.fillNormal(this.noise);
    for (let i = 0; i < this.batchSize; i++) {
      const row = i * n;
      for (let j = 0; j < n; j++) result[row + j] += sigma[j] * noise[row + j];
    }
    return result;
  }

  tell(feedback: EmitterFeedback): void {
    checkFeedback(feedback, this.batchSize, this.solutionDim);
  }

  serialize(): EmitterState {
    return serializeRandomOnly('gaussian', this.random);
  }

  restore(state: EmitterState): void {
    restoreRandomOnly('gaussian', state, this.random);
  }
}

export function expandSigma(sigma: number | ArrayLike<number>, n: number): Float64Array {
  if (typeof sigma === 'number') return new Float64Array(n).fill(requirePositive('sigma', sigma));
  const values = toFloat64Array('sigma', sigma, n);
  values.forEach((s, i) => requirePositive(`sigma[${i}]`, s));
  return values;
}
