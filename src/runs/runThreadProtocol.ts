import type { ArchiveStats } from '../qd/archives/archive';
import type { RunConfig } from './runConfig';
import type { RunTimeSpent } from './runIterations';

/**
 * The contract between a run thread (workers/runThread.ts, pure compute) and its host
 * (RunExecution, which owns the database). Data travels as messages; the two signals that must
 * reach a busy thread without waiting for its event loop travel through a shared Int32Array.
 */

/** Slots of the shared control array. */
export const ControlSlot = {
  /** A StopReason written by the host; the thread reads it after every iteration. */
  STOP: 0,
  /** How many flushes the host has persisted; the thread waits on it before posting the next. */
  ACKNOWLEDGED: 1,
} as const;
export const CONTROL_SLOTS = 2;

export const StopReason = { NONE: 0, CANCEL: 1, RELEASE: 2 } as const;
export type StopReasonValue = (typeof StopReason)[keyof typeof StopReason];

export function createControlBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer(CONTROL_SLOTS * Int32Array.BYTES_PER_ELEMENT);
}

/** What a run thread is started with (its workerData). */
export interface RunThreadInput {
  runId: string;
  config: RunConfig;
  /** `Scheduler.serialize()` as UTF-8 JSON, to resume from. */
  checkpoint?: Uint8Array;
  /** Wall time the run spent in earlier attempts, up to the checkpoint. */
  elapsedMsBefore: number;
  control: SharedArrayBuffer;
  /** The models root that generative runs' bundle paths are relative to. */
  modelsDir: string;
}

/**
 * Cells of the result archive (the dataset) whose elite changed since the previous flush, and
 * cells whose search-archive threshold changed while their elite did not. Row-major arrays.
 */
export interface ArchiveDelta {
  count: number;
  cells: Int32Array;
  objectives: Float64Array;
  /** count x measureDim */
  measures: Float64Array;
  /** count x solutionDim; the latent as stored (Float32). */
  solutions: Float32Array;
  /** Threshold of the search archive at each cell. */
  thresholds: Float64Array;
  /** Iteration at which each elite was found. */
  iterations: Int32Array;
  thresholdCells: Int32Array;
  thresholdValues: Float64Array;
}

/** Progress and archive changes since the previous flush; at most one is unacknowledged. */
export interface RunFlush {
  /** Completed iterations. */
  iteration: number;
  evaluations: number;
  elapsedMs: number;
  evalsPerSecond: number;
  stats: ArchiveStats;
  delta: ArchiveDelta;
  /** `Scheduler.serialize()` as UTF-8 JSON, taken at `iteration`. */
  checkpoint?: Uint8Array;
  /** The last flush of this thread. */
  final: boolean;
  /** Thread time spent since the previous flush, by kind of work. */
  timeSpent: RunTimeSpent;
}

/** How a thread's loop ended. */
export type RunLoopEnd = 'completed' | 'cancelled' | 'released';

export type RunThreadMessage =
  /** Posted once the models are loaded (generative runs): what they run on. */
  | { kind: 'started'; executionProvider: string; deviceNote: string | null }
  | { kind: 'flush'; flush: RunFlush }
  /** Posted after the final flush. */
  | { kind: 'ended'; end: RunLoopEnd }
  /** Posted after a final flush of what was found, when there was anything to flush. */
  | { kind: 'failed'; error: string };

/** The buffers of a flush, to post them without copying. */
export function transferablesOf(flush: RunFlush): ArrayBuffer[] {
  const d = flush.delta;
  const views: ArrayBufferView[] = [d.cells, d.objectives, d.measures, d.solutions, d.thresholds, d.iterations, d.thresholdCells, d.thresholdValues];
  if (flush.checkpoint) views.push(flush.checkpoint);
  const buffers = new Set<ArrayBuffer>();
  for (const view of views) buffers.add(view.buffer as ArrayBuffer);
  return [...buffers];
}
