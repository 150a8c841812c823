import { requireInteger } from '../validation';
import type { Domain } from './domain';

/** Half-width of the box the soft clip folds coordinates into. */
export const SPHERE_BOUND = 5.12;
/** Location of the optimum in every coordinate. */
export const SPHERE_OPTIMUM = 0.4 * SPHERE_BOUND;

/**
 * The linear-projection sphere benchmark of the CMA-ME, DQD and CMA-MAE papers, exactly as
 * pyribs v0.8.3's examples/sphere.py (see shared/anchors/sphere-benchmark.md):
 *   f(x)   = ((sum_i (x_i - s)^2 - worst) / (0 - worst)) * 100, worst = (-B - s)^2 * n
 *   m_1(x) = sum_{i < n/2} c(x_i), m_2(x) = sum_{i >= n/2} c(x_i),
 *   c(v)   = v inside [-B, B], B / v outside (a soft clip).
 * The objective gradient handed to DQD is deliberately that of -raw, -2 (x_i - s), not of f,
 * as in pyribs (the DQD emitters normalise gradients, so only the direction matters).
 */
export class SphereDomain implements Domain {
  readonly name = 'sphere';
  readonly solutionDim: number;
  readonly measureDim = 2;
  readonly measureRanges: Array<[number, number]>;
  private readonly half: number;
  private readonly worst: number;

  constructor(dimension: number) {
    this.solutionDim = requireInteger('dim', dimension, 2);
    this.half = Math.floor(dimension / 2);
    this.worst = (-SPHERE_BOUND - SPHERE_OPTIMUM) ** 2 * dimension;
    const limit = (dimension / 2) * SPHERE_BOUND;
    this.measureRanges = [
      [-limit, limit],
      [-limit, limit],
    ];
  }

  evaluate(solutions: Float64Array, count: number, objectives: Float64Array, measures: Float64Array, jacobians?: Float64Array): void {
    const n = this.solutionDim;
    const half = this.half;
    const s = SPHERE_OPTIMUM;
    const b = SPHERE_BOUND;
    for (let i = 0; i < count; i++) {
      const row = i * n;
      let raw = 0;
      let m1 = 0;
      let m2 = 0;
      for (let j = 0; j < half; j++) {
        const v = solutions[row + j];
        raw += (v - s) * (v - s);
        m1 += v >= -b && v <= b ? v : b / v;
      }
      for (let j = half; j < n; j++) {
        const v = solutions[row + j];
        raw += (v - s) * (v - s);
        m2 += v >= -b && v <= b ? v : b / v;
      }
      objectives[i] = ((raw - this.worst) / (0 - this.worst)) * 100;
      measures[2 * i] = m1;
      measures[2 * i + 1] = m2;
      if (jacobians) {
        const jac = i * 3 * n;
        for (let j = 0; j < n; j++) {
          const v = solutions[row + j];
          const slope = v >= -b && v <= b ? 1 : -b / (v * v);
          jacobians[jac + j] = -2 * (v - s);
          jacobians[jac + n + j] = j < half ? slope : 0;
          jacobians[jac + 2 * n + j] = j < half ? 0 : slope;
        }
      }
    }
  }
}
