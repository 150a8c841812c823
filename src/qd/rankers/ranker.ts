/** A ranking of an emitter's candidates, best first. */
export interface Ranking {
  /** Candidate indices, best first. */
  indices: Int32Array;
  /** The value vector that ranked each candidate, best first (`width` numbers per candidate). */
  values: Float64Array;
  width: number;
}

/**
 * Orders an emitter's candidates from the archive's feedback (status and improvement value of
 * each). Rankers are stateless here; `reset` exists for rankers that draw random directions.
 */
export interface Ranker {
  readonly name: RankerName;
  rank(status: Int8Array, value: Float64Array): Ranking;
  reset(): void;
}

export type RankerName = 'imp' | '2imp';
export const RANKERS: readonly RankerName[] = ['imp', '2imp'];
