/**
 * An evolution strategy driven by an external ranking (ask/tell), as emitters need it: the
 * emitter decides the order of the candidates (by archive improvement) and how many of them
 * count as parents.
 */
export interface EvolutionStrategy {
  readonly dimension: number;
  readonly batchSize: number;
  /** Current step size. */
  readonly sigma: number;
  /** Current distribution mean (a view; do not modify). */
  readonly mean: Float64Array;
  /** Samples `batchSize` candidates (row-major, batchSize x dimension) into `out` or a new array. */
  ask(out?: Float64Array): Float64Array;
  /**
   * Updates the distribution from the candidates of the last `ask`, ranked best first by
   * `rankedIndices`; the first `numParents` are the parents (0 leaves the distribution as it is).
   */
  tell(rankedIndices: ArrayLike<number>, numParents: number): void;
  /**
   * The stop test run after each tell: `rankingValues` holds, best first, the value vector
   * (`width` numbers each) that ranked each candidate.
   */
  shouldStop(rankingValues: Float64Array, width: number): boolean;
  /** Restarts the search from `mean` with the initial step size and an identity covariance. */
  reset(mean: ArrayLike<number>): void;
  serialize(): EvolutionStrategyState;
  restore(state: EvolutionStrategyState): void;
}

export type EvolutionStrategyState = Record<string, unknown> & { kind: string };

export type CmaVariant = 'tutorial' | 'pyribs';
export const CMA_VARIANTS: readonly CmaVariant[] = ['tutorial', 'pyribs'];
