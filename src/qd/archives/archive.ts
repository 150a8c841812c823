import type { SeededRandom } from '../random';

/**
 * Outcome of inserting one solution, as in pyribs: NOT_ADDED, IMPROVED_EXISTING (beat the
 * threshold of an occupied cell) or NEW (filled an empty cell).
 */
export const AddStatus = { NOT_ADDED: 0, IMPROVED_EXISTING: 1, NEW: 2 } as const;
export type AddStatusValue = (typeof AddStatus)[keyof typeof AddStatus];

/** Per-solution result of a batch `add`: status and improvement value (see GridArchive.add). */
export interface AddResult {
  status: Int8Array;
  value: Float64Array;
}

export interface ArchiveStats {
  /** Occupied cells. */
  numElites: number;
  /** numElites / cells, in [0, 1]. */
  coverage: number;
  /** Sum over elites of (objective - qdScoreOffset). */
  qdScore: number;
  /** qdScore / cells: the papers' 0..100 QD score when objectives lie in [0, 100]. */
  normQdScore: number;
  /** Highest objective among current elites (NaN when empty). */
  objMax: number;
  /** Mean objective of current elites (NaN when empty). */
  objMean: number;
}

/** A set of elites as parallel, row-major arrays. */
export interface EliteBatch {
  count: number;
  cells: Int32Array;
  solutions: Float64Array;
  objectives: Float64Array;
  measures: Float64Array;
  thresholds: Float64Array;
  iterations: Int32Array;
}

/** What emitters and schedulers need from an archive; GridArchive and CvtArchive implement it. */
export interface Archive {
  readonly solutionDim: number;
  readonly measureDim: number;
  readonly cells: number;
  readonly empty: boolean;
  add(solutions: Float64Array, objectives: Float64Array, measures: Float64Array, options?: AddOptions): AddResult;
  stats(): ArchiveStats;
  /** Writes `count` elites' solutions, drawn uniformly with replacement, into `out` (count x solutionDim). */
  sampleSolutionsInto(out: Float64Array, count: number): void;
  sampleElites(count: number): EliteBatch;
  clear(): void;
}

export interface AddOptions {
  /** Iteration at which the batch was found; stored with the elites it creates. */
  iteration?: number;
}

/** Random source used by archives to sample elites. */
export type ArchiveRandom = Pick<SeededRandom, 'integer'>;
