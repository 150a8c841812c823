import { SeededRandom } from '../../qd/random';

export const GRADIENT_METHODS = ['finite_differences', 'antithetic_es'] as const;
export type GradientMethod = (typeof GRADIENT_METHODS)[number];

/**
 * Estimates the Jacobian [grad f; grad m_1; ...] of a black-box function at a batch of points
 * from its values at perturbed points, so that the points and all their perturbations go through
 * the models in one batched call. `values` holds, for every perturbed row, its objective
 * followed by its k measures.
 */
export interface GradientEstimator {
  readonly method: GradientMethod;
  /** Perturbed rows evaluated per point. */
  readonly rowsPerPoint: number;
  /** Writes the perturbed rows of `count` points (count x rowsPerPoint x n) into `out`; `stream` picks the noise (ES). */
  perturb(points: Float64Array, count: number, n: number, out: Float64Array, stream: number): void;
  /** Turns the values of the perturbed rows into Jacobians (count x (1 + k) x n). */
  jacobian(values: Float64Array, count: number, n: number, k: number, out: Float64Array): void;
}

/**
 * Central differences: rows x + h e_i and x - h e_i for each coordinate i (2n rows), and
 * d/dz_i = (v(x + h e_i) - v(x - h e_i)) / 2h. Exact up to O(h^2) for smooth models.
 */
export class CentralDifferences implements GradientEstimator {
  readonly method = 'finite_differences';
  readonly rowsPerPoint: number;

  constructor(
    n: number,
    private readonly step: number,
  ) {
    this.rowsPerPoint = 2 * n;
  }

  perturb(points: Float64Array, count: number, n: number, out: Float64Array): void {
    for (let p = 0; p < count; p++) {
      for (let i = 0; i < n; i++) {
        const plus = (p * this.rowsPerPoint + 2 * i) * n;
        const minus = plus + n;
        for (let c = 0; c < n; c++) out[plus + c] = out[minus + c] = points[p * n + c];
        out[plus + i] += this.step;
        out[minus + i] -= this.step;
      }
    }
  }

  jacobian(values: Float64Array, count: number, n: number, k: number, out: Float64Array): void {
    const width = k + 1;
    for (let p = 0; p < count; p++) {
      for (let i = 0; i < n; i++) {
        const plus = (p * this.rowsPerPoint + 2 * i) * width;
        const minus = plus + width;
        for (let c = 0; c < width; c++) out[(p * width + c) * n + i] = (values[plus + c] - values[minus + c]) / (2 * this.step);
      }
    }
  }
}

/**
 * Antithetic evolution-strategy gradients (Salimans et al. 2017; used with CMA-MEGA by Tjanaka
 * et al. 2022): rows x + sigma e_s and x - sigma e_s for `pairs` standard normal e_s, and
 * grad v = sum_s (v(x + sigma e_s) - v(x - sigma e_s)) e_s / (2 sigma pairs). Its cost does
 * not grow with the latent dimension, which pays off for large latents.
 */
export class AntitheticEvolutionStrategy implements GradientEstimator {
  readonly method = 'antithetic_es';
  readonly rowsPerPoint: number;
  private noise = new Float64Array(0);

  constructor(
    private readonly pairs: number,
    private readonly sigma: number,
    private readonly seed: number,
  ) {
    this.rowsPerPoint = 2 * pairs;
  }

  perturb(points: Float64Array, count: number, n: number, out: Float64Array, stream: number): void {
    // Noise depends only on (seed, stream), so a run resumed from a checkpoint draws the same.
    const random = new SeededRandom((this.seed ^ Math.imul(stream + 1, 0x9e3779b1)) >>> 0);
    this.noise = new Float64Array(count * this.pairs * n);
    random.fillNormal(this.noise);
    for (let p = 0; p < count; p++) {
      for (let s = 0; s < this.pairs; s++) {
        const epsilon = (p * this.pairs + s) * n;
        const plus = (p * this.rowsPerPoint + 2 * s) * n;
        const minus = plus + n;
        for (let c = 0; c < n; c++) {
          out[plus + c] = points[p * n + c] + this.sigma * this.noise[epsilon + c];
          out[minus + c] = points[p * n + c] - this.sigma * this.noise[epsilon + c];
        }
      }
    }
  }

  jacobian(values: Float64Array, count: number, n: number, k: number, out: Float64Array): void {
    const width = k + 1;
    out.fill(0, 0, count * width * n);
    const scale = 1 / (2 * this.sigma * this.pairs);
    for (let p = 0; p < count; p++) {
      for (let s = 0; s < this.pairs; s++) {
        const epsilon = (p * this.pairs + s) * n;
        const plus = (p * this.rowsPerPoint + 2 * s) * width;
        const minus = plus + width;
        for (let c = 0; c < width; c++) {
          const difference = (values[plus + c] - values[minus + c]) * scale;
          const row = (p * width + c) * n;
          for (let i = 0; i < n; i++) out[row + i] += difference * this.noise[epsilon + i];
        }
      }
    }
  }
}

export function createGradientEstimator(method: GradientMethod, options: { latentDim: number; step: number; samples: number; seed: number }): GradientEstimator {
  switch (method) {
    case 'finite_differences':
      return new CentralDifferences(options.latentDim, options.step);
    case 'antithetic_es':
      return new AntitheticEvolutionStrategy(options.samples, options.step, options.seed);
  }
}
