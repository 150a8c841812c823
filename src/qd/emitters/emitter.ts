import type { Archive } from '../archives/archive';

/** What the scheduler hands back to an emitter about its own slice of a batch. */
export interface EmitterFeedback {
  count: number;
  solutions: Float64Array;
  objectives: Float64Array;
  measures: Float64Array;
  status: Int8Array;
  value: Float64Array;
}

/** Feedback of a DQD step: the candidates plus their Jacobians (count x (1 + k) x n; rows f, m_1..m_k). */
export interface DqdFeedback extends EmitterFeedback {
  jacobians: Float64Array;
}

/**
 * Proposes candidate solutions and learns from the archive's verdict on them (ask/tell), as in
 * pyribs. Emitters keep a reference to the archive they search.
 */
export interface Emitter {
  readonly archive: Archive;
  readonly solutionDim: number;
  /** Candidates per `ask`. */
  readonly batchSize: number;
  /** Times the emitter restarted its search. */
  readonly restarts: number;
  /** Writes `batchSize` candidates (row-major) into `out` or a new array. */
  ask(out?: Float64Array): Float64Array;
  tell(feedback: EmitterFeedback): void;
  serialize(): EmitterState;
  restore(state: EmitterState): void;
}

/** An emitter that also uses gradients (differentiable quality diversity). */
export interface DqdEmitter extends Emitter {
  /** Solutions per `askDqd` whose Jacobians the emitter needs. */
  readonly dqdBatchSize: number;
  askDqd(out?: Float64Array): Float64Array;
  tellDqd(feedback: DqdFeedback): void;
}

export function isDqdEmitter(emitter: Emitter): emitter is DqdEmitter {
  return typeof (emitter as DqdEmitter).askDqd === 'function';
}

export type EmitterState = Record<string, unknown> & { kind: string };

export type SelectionRule = 'mu' | 'filter';
export const SELECTION_RULES: readonly SelectionRule[] = ['mu', 'filter'];

/** 'basic': restart only when the ES's own stop test fires; 'no_improvement': also when no candidate entered the archive; a number N: also every N generations. */
export type RestartRule = 'basic' | 'no_improvement' | number;
