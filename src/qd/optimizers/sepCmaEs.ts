import { decodeFloat64, encodeFloat64 } from '../serialization';
import { CmaEvolutionStrategy, type CmaEsOptions } from './cmaEvolutionStrategy';
import { separableCmaParameters, type CmaParameters } from './cmaParameters';

/**
 * Separable CMA-ES (Ros & Hansen 2008): the covariance is restricted to a diagonal, so every
 * operation is O(n) per candidate. The choice for high-dimensional searches (latents of 512+
 * dimensions), where a full covariance costs O(n^2) memory and time per sample.
 */
export class SepCmaEs extends CmaEvolutionStrategy {
  private readonly variances: Float64Array;
  private readonly deviationsScale: Float64Array;

  constructor(options: CmaEsOptions) {
    super(options);
    this.variances = new Float64Array(this.dimension).fill(1);
    this.deviationsScale = new Float64Array(this.dimension).fill(1);
  }

  protected computeParameters(mu: number): CmaParameters {
    return separableCmaParameters(this.dimension, mu, this.variant);
  }

  protected prepareSampling(): void {
    for (let j = 0; j < this.dimension; j++) this.deviationsScale[j] = Math.sqrt(this.variances[j]);
  }

  protected shapeNoise(noise: Float64Array, count: number): void {
    const n = this.dimension;
    const scale = this.deviationsScale;
    for (let i = 0; i < count; i++) {
      const row = i * n;
      for (let j = 0; j < n; j++) noise[row + j] *= scale[j];
    }
  }

  protected whiten(y: Float64Array, out: Float64Array): void {
    for (let j = 0; j < this.dimension; j++) out[j] = y[j] / Math.sqrt(this.variances[j]);
  }

  protected adaptCovariance(decay: number, rankOne: number, pathC: Float64Array, rankMu: Float64Array, deviations: Float64Array, count: number): void {
    const n = this.dimension;
    const v = this.variances;
    for (let j = 0; j < n; j++) v[j] = decay * v[j] + rankOne * pathC[j] * pathC[j];
    for (let i = 0; i < count; i++) {
      const w = rankMu[i];
      const row = i * n;
      for (let j = 0; j < n; j++) {
        const d = deviations[row + j];
        v[j] += w * d * d;
      }
    }
  }

  protected eigenvalueRange(): [number, number] {
    let max = -Infinity;
    let min = Infinity;
    for (let j = 0; j < this.dimension; j++) {
      max = Math.max(max, this.variances[j]);
      min = Math.min(min, this.variances[j]);
    }
    return [max, min];
  }

  protected resetCovariance(): void {
    this.variances.fill(1);
  }

  /** Current diagonal of the covariance. */
  covarianceDiagonal(): Float64Array {
    return this.variances.slice();
  }

  protected serializeCovariance(): Record<string, unknown> {
    return { variances: encodeFloat64(this.variances) };
  }

  protected restoreCovariance(state: Record<string, unknown>): void {
    this.variances.set(decodeFloat64(state.variances as string));
  }
}
