import { QdConfigError } from '../errors';
import { decodeFloat64, encodeFloat64 } from '../serialization';
import { requireInUnitInterval, requirePositive, toFloat64Array } from '../validation';
import type { GradientOptimizer, GradientOptimizerState } from './gradientOptimizer';

export interface AdamOptions {
  learningRate?: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

/** Adam (Kingma & Ba 2015) used for ascent, with bias-corrected moment estimates. */
export class Adam implements GradientOptimizer {
  readonly theta: Float64Array;
  readonly learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  private readonly firstMoment: Float64Array;
  private readonly secondMoment: Float64Array;
  private steps = 0;

  constructor(theta0: ArrayLike<number>, options: AdamOptions = {}) {
    this.theta = toFloat64Array('theta0', theta0);
    this.learningRate = requirePositive('learningRate', options.learningRate ?? 0.001);
    this.beta1 = requireInUnitInterval('beta1', options.beta1 ?? 0.9);
    this.beta2 = requireInUnitInterval('beta2', options.beta2 ?? 0.999);
    if (this.beta1 === 1) throw new QdConfigError('beta1', 'a number in [0, 1)', this.beta1);
    if (this.beta2 === 1) throw new QdConfigError('beta2', 'a number in [0, 1)', this.beta2);
    this.epsilon = requirePositive('epsilon', options.epsilon ?? 1e-8);
    this.firstMoment = new Float64Array(this.theta.length);
    this.secondMoment = new Float64Array(this.theta.length);
  }

  step(gradient: Float64Array): void {
    const n = this.theta.length;
    if (gradient.length !== n) throw new QdConfigError('gradient', `${n} values`, gradient);
    this.steps += 1;
    const correction1 = 1 - Math.pow(this.beta1, this.steps);
    const correction2 = 1 - Math.pow(this.beta2, this.steps);
    const stepSize = (this.learningRate * Math.sqrt(correction2)) / correction1;
    for (let i = 0; i < n; i++) {
      const g = gradient[i];
      const m = (this.firstMoment[i] = this.beta1 * this.firstMoment[i] + (1 - this.beta1) * g);
      const v = (this.secondMoment[i] = this.beta2 * this.secondMoment[i] + (1 - this.beta2) * g * g);
      this.theta[i] += (stepSize * m) / (Math.sqrt(v) + this.epsilon * Math.sqrt(correction2));
    }
  }

  reset(theta: ArrayLike<number>): void {
    this.theta.set(toFloat64Array('theta', theta, this.theta.length));
    this.firstMoment.fill(0);
    this.secondMoment.fill(0);
    this.steps = 0;
  }

  serialize(): GradientOptimizerState {
    return {
      kind: 'adam',
      theta: encodeFloat64(this.theta),
      firstMoment: encodeFloat64(this.firstMoment),
      secondMoment: encodeFloat64(this.secondMoment),
      steps: this.steps,
    };
  }

  restore(state: GradientOptimizerState): void {
    if (state.kind !== 'adam') throw new QdConfigError('checkpoint.gradientOptimizer.kind', "'adam'", state.kind);
    this.theta.set(decodeFloat64(state.theta as string));
    this.firstMoment.set(decodeFloat64(state.firstMoment as string));
    this.secondMoment.set(decodeFloat64(state.secondMoment as string));
    this.steps = state.steps as number;
  }
}
