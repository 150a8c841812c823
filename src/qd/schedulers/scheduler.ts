import type { AddResult, Archive, ArchiveStats } from '../archives/archive';
import type { CellArchive, CellArchiveState } from '../archives/cellArchive';
import { isDqdEmitter, type DqdEmitter, type Emitter, type EmitterState } from '../emitters/emitter';
import { QdConfigError } from '../errors';
import { requireAllFinite } from '../validation';

export interface SchedulerOptions {
  /** The archive the emitters search (an annealing archive for CMA-MAE / CMA-MAEGA). */
  archive: CellArchive;
  emitters: Emitter[];
  /**
   * Optional passive archive that receives every evaluated batch unchanged; make it elitist
   * (learningRate 1) to keep the best-ever solution per cell as the final dataset.
   */
  resultArchive?: CellArchive;
}

export interface SchedulerState {
  iteration: number;
  archive: CellArchiveState;
  resultArchive: CellArchiveState | null;
  emitters: EmitterState[];
}

type Phase = 'idle' | 'asked' | 'askedDqd';

/**
 * Drives a list of emitters over one archive (pyribs' Scheduler in batch mode). One iteration is
 *   [askDqd -> evaluate with Jacobians -> tellDqd]   (only when the emitters are DQD emitters)
 *   ask -> evaluate -> tell
 * Each tell inserts the whole batch into the archive at once (emitter order), then into the
 * result archive, then hands every emitter its own slice of the statuses and improvement values.
 */
export class Scheduler {
  readonly archive: CellArchive;
  readonly resultArchive: CellArchive | null;
  readonly emitters: readonly Emitter[];
  readonly solutionDim: number;
  /** Candidates per ask (sum of the emitters' batch sizes). */
  readonly batchSize: number;
  readonly dqdBatchSize: number;
  private readonly offsets: Int32Array;
  private readonly dqdOffsets: Int32Array;
  private lastAsk: Float64Array;
  private lastAskDqd: Float64Array;
  private phase: Phase = 'idle';
  private completedIterations = 0;

  constructor(options: SchedulerOptions) {
    const { archive, emitters } = options;
    if (!Array.isArray(emitters) || emitters.length === 0) throw new QdConfigError('emitters', 'a non-empty list of emitters', emitters);
    this.archive = archive;
    this.resultArchive = options.resultArchive ?? null;
    this.solutionDim = archive.solutionDim;
    emitters.forEach((emitter, i) => {
      if (emitter.archive !== archive) throw new QdConfigError(`emitters[${i}].archive`, "the scheduler's archive", 'a different archive');
    });
    if (this.resultArchive) {
      const result = this.resultArchive;
      if (result === archive) throw new QdConfigError('resultArchive', 'a separate archive (or none)', 'the search archive itself');
      if (result.solutionDim !== archive.solutionDim || result.measureDim !== archive.measureDim) {
        throw new QdConfigError('resultArchive', `an archive over ${archive.solutionDim} solution and ${archive.measureDim} measure dimensions`, result);
      }
    }
    const dqd = emitters.filter(isDqdEmitter).length;
    if (dqd !== 0 && dqd !== emitters.length) {
      throw new QdConfigError('emitters', 'all DQD emitters or none (one iteration shape for the whole scheduler)', `${dqd} of ${emitters.length} DQD emitters`);
    }
    this.emitters = Object.freeze([...emitters]);
    this.offsets = prefixSums(emitters.map((e) => e.batchSize));
    this.batchSize = this.offsets[emitters.length];
    this.dqdOffsets = prefixSums(emitters.map((e) => (isDqdEmitter(e) ? e.dqdBatchSize : 0)));
    this.dqdBatchSize = this.dqdOffsets[emitters.length];
    this.lastAsk = new Float64Array(this.batchSize * this.solutionDim);
    this.lastAskDqd = new Float64Array(this.dqdBatchSize * this.solutionDim);
  }

  /** Whether an iteration starts with askDqd/tellDqd. */
  get isDqd(): boolean {
    return this.dqdBatchSize > 0;
  }

  /** Completed iterations (tells). */
  get iteration(): number {
    return this.completedIterations;
  }

  /** Statistics of the result archive when there is one, else of the search archive. */
  stats(): ArchiveStats {
    return (this.resultArchive ?? this.archive).stats();
  }

  /** Points whose objective, measures and Jacobians the DQD emitters need (a copy). */
  askDqd(): Float64Array {
    if (!this.isDqd) throw new QdConfigError('askDqd', 'DQD emitters (e.g. gradient arborescence)', 'emitters without gradients');
    this.expectPhase('idle', 'askDqd');
    const n = this.solutionDim;
    this.emitters.forEach((emitter, i) => {
      (emitter as DqdEmitter).askDqd(this.lastAskDqd.subarray(this.dqdOffsets[i] * n, this.dqdOffsets[i + 1] * n));
    });
    this.phase = 'askedDqd';
    return this.lastAskDqd.slice();
  }

  /** `jacobians`: per solution of askDqd, (1 + measureDim) x solutionDim rows [grad f; grad m_1; ...]. */
  tellDqd(objectives: Float64Array, measures: Float64Array, jacobians: Float64Array): AddResult {
    this.expectPhase('askedDqd', 'tellDqd');
    const n = this.solutionDim;
    const rows = this.archive.measureDim + 1;
    if (jacobians.length !== this.dqdBatchSize * rows * n) {
      throw new QdConfigError('jacobians', `${this.dqdBatchSize} x ${rows} x ${n} values`, jacobians);
    }
    // Validate everything before the archives or any emitter change, so a rejected call can be retried.
    requireAllFinite('jacobians', jacobians);
    const result = this.insert(this.lastAskDqd, objectives, measures);
    this.emitters.forEach((emitter, i) => {
      const from = this.dqdOffsets[i];
      const to = this.dqdOffsets[i + 1];
      (emitter as DqdEmitter).tellDqd({
        ...this.slice(this.lastAskDqd, objectives, measures, result, from, to),
        jacobians: jacobians.subarray(from * rows * n, to * rows * n),
      });
    });
    this.phase = 'idle';
    return result;
  }

  /**
   * Candidates of every emitter, concatenated (batchSize x solutionDim, row-major). The array
   * is the scheduler's own buffer: evaluate it before the next ask, copy it to keep it.
   */
  ask(): Float64Array {
    this.expectPhase('idle', 'ask');
    const n = this.solutionDim;
    this.emitters.forEach((emitter, i) => emitter.ask(this.lastAsk.subarray(this.offsets[i] * n, this.offsets[i + 1] * n)));
    this.phase = 'asked';
    return this.lastAsk;
  }

  tell(objectives: Float64Array, measures: Float64Array): AddResult {
    this.expectPhase('asked', 'tell');
    const result = this.insert(this.lastAsk, objectives, measures);
    this.emitters.forEach((emitter, i) => emitter.tell(this.slice(this.lastAsk, objectives, measures, result, this.offsets[i], this.offsets[i + 1])));
    this.phase = 'idle';
    this.completedIterations += 1;
    return result;
  }

  /** Checkpoint of the whole optimiser; take it between iterations. */
  serialize(): SchedulerState {
    this.expectPhase('idle', 'serialize');
    return {
      iteration: this.completedIterations,
      archive: this.archive.serialize(),
      resultArchive: this.resultArchive ? this.resultArchive.serialize() : null,
      emitters: this.emitters.map((e) => e.serialize()),
    };
  }

  /** Loads a checkpoint into a scheduler built with the same configuration. */
  restore(state: SchedulerState): void {
    if (state.emitters.length !== this.emitters.length) {
      throw new QdConfigError('checkpoint.emitters', `${this.emitters.length} emitter states`, state.emitters.length);
    }
    if ((state.resultArchive === null) !== (this.resultArchive === null)) {
      throw new QdConfigError('checkpoint.resultArchive', this.resultArchive ? 'a result archive' : 'no result archive', state.resultArchive);
    }
    this.archive.restore(state.archive);
    if (this.resultArchive && state.resultArchive) this.resultArchive.restore(state.resultArchive);
    this.emitters.forEach((emitter, i) => emitter.restore(state.emitters[i]));
    this.completedIterations = state.iteration;
    this.phase = 'idle';
  }

  private insert(solutions: Float64Array, objectives: Float64Array, measures: Float64Array): AddResult {
    const options = { iteration: this.completedIterations };
    const result = this.archive.add(solutions, objectives, measures, options);
    this.resultArchive?.add(solutions, objectives, measures, options);
    return result;
  }

  private slice(solutions: Float64Array, objectives: Float64Array, measures: Float64Array, result: AddResult, from: number, to: number) {
    const n = this.solutionDim;
    const k = this.archive.measureDim;
    return {
      count: to - from,
      solutions: solutions.subarray(from * n, to * n),
      objectives: objectives.subarray(from, to),
      measures: measures.subarray(from * k, to * k),
      status: result.status.subarray(from, to),
      value: result.value.subarray(from, to),
    };
  }

  private expectPhase(expected: Phase, call: string): void {
    if (this.phase === expected) return;
    const next = this.phase === 'asked' ? 'tell' : this.phase === 'askedDqd' ? 'tellDqd' : this.isDqd ? 'askDqd or ask' : 'ask';
    throw new QdConfigError('call order', `${next} next`, call);
  }
}

function prefixSums(values: number[]): Int32Array {
  const sums = new Int32Array(values.length + 1);
  for (let i = 0; i < values.length; i++) sums[i + 1] = sums[i] + values[i];
  return sums;
}

export type { Archive };
