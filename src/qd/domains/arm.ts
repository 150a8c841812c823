import { requireInteger, requirePositive } from '../validation';
import type { Domain } from './domain';

/**
 * Planar arm repertoire (Cully et al. 2015; the DQD and CMA-MAE papers' second benchmark): a
 * robot arm of `dim` revolute joints with equal links of length `linkLength`. A solution is
 * the joint angles theta. Measures are the (x, y) of the end effector,
 *   x = sum_i L cos(theta_1 + ... + theta_i), y = sum_i L sin(theta_1 + ... + theta_i),
 * over the range [-dim L, dim L] each. The objective rewards smooth postures:
 *   f = 100 * (1 - var(theta) / pi^2)   (100 when every joint has the same angle; 0 at the largest
 *   variance angles in [-pi, pi] can have; lower for wider angles).
 * Analytic gradients: df/dtheta_i = -200 (theta_i - mean) / (dim pi^2),
 * dx/dtheta_i = -sum_{j >= i} L sin(phi_j), dy/dtheta_i = sum_{j >= i} L cos(phi_j).
 */
export class ArmDomain implements Domain {
  readonly name = 'arm';
  readonly solutionDim: number;
  readonly measureDim = 2;
  readonly measureRanges: Array<[number, number]>;
  readonly linkLength: number;
  private readonly cosines: Float64Array;
  private readonly sines: Float64Array;

  constructor(dimension: number, linkLength = 1) {
    this.solutionDim = requireInteger('dim', dimension, 1);
    this.linkLength = requirePositive('linkLength', linkLength);
    const reach = dimension * linkLength;
    this.measureRanges = [
      [-reach, reach],
      [-reach, reach],
    ];
    this.cosines = new Float64Array(dimension);
    this.sines = new Float64Array(dimension);
  }

  evaluate(solutions: Float64Array, count: number, objectives: Float64Array, measures: Float64Array, jacobians?: Float64Array): void {
    const n = this.solutionDim;
    const length = this.linkLength;
    const piSquared = Math.PI * Math.PI;
    for (let i = 0; i < count; i++) {
      const row = i * n;
      let mean = 0;
      for (let j = 0; j < n; j++) mean += solutions[row + j];
      mean /= n;
      let variance = 0;
      let angle = 0;
      let x = 0;
      let y = 0;
      for (let j = 0; j < n; j++) {
        const theta = solutions[row + j];
        variance += (theta - mean) * (theta - mean);
        angle += theta;
        const c = Math.cos(angle);
        const s = Math.sin(angle);
        this.cosines[j] = c;
        this.sines[j] = s;
        x += length * c;
        y += length * s;
      }
      variance /= n;
      objectives[i] = 100 * (1 - variance / piSquared);
      measures[2 * i] = x;
      measures[2 * i + 1] = y;
      if (jacobians) {
        const jac = i * 3 * n;
        let tailSin = 0;
        let tailCos = 0;
        for (let j = n - 1; j >= 0; j--) {
          tailSin += length * this.sines[j];
          tailCos += length * this.cosines[j];
          jacobians[jac + j] = (-200 * (solutions[row + j] - mean)) / (n * piSquared);
          jacobians[jac + n + j] = -tailSin;
          jacobians[jac + 2 * n + j] = tailCos;
        }
      }
    }
  }
}
