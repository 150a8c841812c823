import { QdConfigError } from '../errors';
import { decodeFloat64, encodeFloat64 } from '../serialization';
import { requirePositive, toFloat64Array } from '../validation';
import type { GradientOptimizer, GradientOptimizerState } from './gradientOptimizer';

/** Plain gradient ascent: theta <- theta + lr * g. */
export class GradientAscent implements GradientOptimizer {
  readonly theta: Float64Array;
  readonly learningRate: number;

  constructor(theta0: ArrayLike<number>, learningRate: number) {
    this.theta = toFloat64Array('theta0', theta0);
    this.learningRate = requirePositive('learningRate', learningRate);
  }

  step(gradient: Float64Array): void {
    if (gradient.length !== this.theta.length) throw new QdConfigError('gradient', `${this.theta.length} values`, gradient);
    for (let i = 0; i < this.theta.length; i++) this.theta[i] += this.learningRate * gradient[i];
  }

  reset(theta: ArrayLike<number>): void {
    this.theta.set(toFloat64Array('theta', theta, this.theta.length));
  }

  serialize(): GradientOptimizerState {
    return { kind: 'gradient_ascent', theta: encodeFloat64(this.theta) };
  }

  restore(state: GradientOptimizerState): void {
    if (state.kind !== 'gradient_ascent') throw new QdConfigError('checkpoint.gradientOptimizer.kind', "'gradient_ascent'", state.kind);
    this.theta.set(decodeFloat64(state.theta as string));
  }
}
