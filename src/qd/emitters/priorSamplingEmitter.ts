import type { Archive } from '../archives/archive';
import { SeededRandom } from '../random';
import { requireInteger, toFloat64Array } from '../validation';
import type { Emitter, EmitterFeedback, EmitterState } from './emitter';
import { checkFeedback, restoreRandomOnly, serializeRandomOnly } from './emitterSupport';
import { expandSigma } from './gaussianEmitter';

export interface PriorSamplingEmitterOptions {
  archive: Archive;
  /** Mean of the prior; zeros by default. */
  mean?: ArrayLike<number>;
  /** Standard deviation of the prior (1 = a generator's standard normal latent prior). */
  sigma?: number | ArrayLike<number>;
  batchSize?: number;
  seed?: number;
}

/**
 * Independent samples from a Gaussian prior, ignoring the archive: the random-sampling baseline
 * ("Rand" in the QDGS paper) that quality-diversity search is compared against.
 */
export class PriorSamplingEmitter implements Emitter {
  readonly archive: Archive;
  readonly solutionDim: number;
  readonly batchSize: number;
  readonly restarts = 0;
  private readonly mean: Float64Array;
  private readonly sigma: Float64Array;
  private readonly random: SeededRandom;

  constructor(options: PriorSamplingEmitterOptions) {
    this.archive = options.archive;
    this.solutionDim = options.archive.solutionDim;
    this.mean = options.mean === undefined ? new Float64Array(this.solutionDim) : toFloat64Array('mean', options.mean, this.solutionDim);
    this.sigma = expandSigma(options.sigma ?? 1, this.solutionDim);
    this.batchSize = requireInteger('batchSize', options.batchSize ?? 64, 1);
    this.random = new SeededRandom(options.seed ?? 0);
  }

  ask(out?: Float64Array): Float64Array {
    const n = this.solutionDim;
    const result = out ?? new Float64Array(this.batchSize * n);
    this.random.fillNormal(result.subarray(0, this.batchSize * n));
    for (let i = 0; i < this.batchSize; i++) {
      const row = i * n;
      for (let j = 0; j < n; j++) result[row + j] = this.mean[j] + this.sigma[j] * result[row + j];
    }
    return result;
  }

  tell(feedback: EmitterFeedback): void {
    checkFeedback(feedback, this.batchSize, this.solutionDim);
  }

  serialize(): EmitterState {
    return serializeRandomOnly('prior_sampling', this.random);
  }

  restore(state: EmitterState): void {
    restoreRandomOnly('prior_sampling', state, this.random);
  }
}
