import type { Archive } from '../archives/archive';
import { QdConfigError } from '../errors';
import { SeededRandom } from '../random';
import { requireFiniteNumber, requireInteger, toFloat64Array } from '../validation';
import type { Emitter, EmitterFeedback, EmitterState } from './emitter';
import { checkFeedback, restoreRandomOnly, serializeRandomOnly } from './emitterSupport';

export interface IsoLineEmitterOptions {
  archive: Archive;
  x0: ArrayLike<number>;
  /** Isotropic noise scale. */
  isoSigma?: number;
  /** Scale of the step along the line between two elites. */
  lineSigma?: number;
  batchSize?: number;
  seed?: number;
}

/**
 * Iso+line variation (Vassiliades & Mouret 2018, "line MAP-Elites"): for two elites x_i, x_j
 * drawn uniformly, the candidate is x_i + isoSigma * N(0, I) + lineSigma * N(0, 1) * (x_j - x_i).
 * While the archive is empty both parents are x0.
 */
export class IsoLineEmitter implements Emitter {
  readonly archive: Archive;
  readonly solutionDim: number;
  readonly batchSize: number;
  readonly restarts = 0;
  readonly isoSigma: number;
  readonly lineSigma: number;
  private readonly x0: Float64Array;
  private readonly random: SeededRandom;
  private readonly partners: Float64Array;
  private readonly isoNoise: Float64Array;
  private readonly lineNoise: Float64Array;

  constructor(options: IsoLineEmitterOptions) {
    this.archive = options.archive;
    this.solutionDim = options.archive.solutionDim;
    this.x0 = toFloat64Array('x0', options.x0, this.solutionDim);
    this.isoSigma = requireFiniteNumber('isoSigma', options.isoSigma ?? 0.01);
    this.lineSigma = requireFiniteNumber('lineSigma', options.lineSigma ?? 0.2);
    if (this.isoSigma < 0) throw new QdConfigError('isoSigma', 'a number >= 0', this.isoSigma);
    if (this.lineSigma < 0) throw new QdConfigError('lineSigma', 'a number >= 0', this.lineSigma);
    this.batchSize = requireInteger('batchSize', options.batchSize ?? 64, 1);
    this.random = new SeededRandom(options.seed ?? 0);
    this.partners = new Float64Array(this.batchSize * this.solutionDim);
    this.isoNoise = new Float64Array(this.batchSize * this.solutionDim);
    this.lineNoise = new Float64Array(this.batchSize);
  }

  ask(out?: Float64Array): Float64Array {
    const n = this.solutionDim;
    const result = out ?? new Float64Array(this.batchSize * n);
    const partners = this.partners;
    if (this.archive.empty) {
      for (let i = 0; i < this.batchSize; i++) {
        result.set(this.x0, i * n);
        partners.set(this.x0, i * n);
      }
    } else {
      this.archive.sampleSolutionsInto(result, this.batchSize);
      this.archive.sampleSolutionsInto(partners, this.batchSize);
    }
    const iso = this.random.fillNormal(this.isoNoise);
    this.random.fillNormal(this.lineNoise);
    for (let i = 0; i < this.batchSize; i++) {
      const row = i * n;
      const line = this.lineSigma * this.lineNoise[i];
      for (let j = 0; j < n; j++) {
        const x = result[row + j];
        result[row + j] = x + this.isoSigma * iso[row + j] + line * (partners[row + j] - x);
      }
    }
    return result;
  }

  tell(feedback: EmitterFeedback): void {
    checkFeedback(feedback, this.batchSize, this.solutionDim);
  }

  serialize(): EmitterState {
    return serializeRandomOnly('iso_line', this.random);
  }

  restore(state: EmitterState): void {
    restoreRandomOnly('iso_line', state, this.random);
  }
}
