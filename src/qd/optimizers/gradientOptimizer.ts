/**
 * A first-order optimiser that ascends: `step(g)` moves `theta` along the ascent direction `g`.
 * The gradient-arborescence emitter steps it with the improvement-weighted branch direction.
 */
export interface GradientOptimizer {
  readonly theta: Float64Array;
  step(gradient: Float64Array): void;
  reset(theta: ArrayLike<number>): void;
  serialize(): GradientOptimizerState;
  restore(state: GradientOptimizerState): void;
}

export type GradientOptimizerState = Record<string, unknown> & { kind: string };

export type GradientOptimizerName = 'gradient_ascent' | 'adam';
export const GRADIENT_OPTIMIZERS: readonly GradientOptimizerName[] = ['gradient_ascent', 'adam'];
