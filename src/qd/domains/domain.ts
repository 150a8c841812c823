/**
 * A benchmark problem: maps a batch of solutions to objectives and measures, optionally with
 * the Jacobian of both (for DQD algorithms).
 */
export interface Domain {
  readonly name: string;
  readonly solutionDim: number;
  readonly measureDim: number;
  /** [low, high] of each measure, as used for the benchmark's grid archive. */
  readonly measureRanges: Array<[number, number]>;
  /**
   * Evaluates `count` solutions (row-major). Writes objectives (count), measures
   * (count x measureDim) and, when given, Jacobians (count x (1 + measureDim) x solutionDim,
   * rows [grad f; grad m_1; ...]).
   */
  evaluate(solutions: Float64Array, count: number, objectives: Float64Array, measures: Float64Array, jacobians?: Float64Array): void;
}
