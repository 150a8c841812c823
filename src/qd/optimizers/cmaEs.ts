import { symmetricEigen } from '../linalg/symmetricEigen';
import { decodeFloat64, encodeFloat64 } from '../serialization';
import { CmaEvolutionStrategy, type CmaEsOptions } from './cmaEvolutionStrategy';
import { fullCmaParameters, type CmaParameters } from './cmaParameters';

/** Smallest eigenvalue kept after a decomposition, so C^(-1/2) stays finite. */
const MIN_EIGENVALUE = 1e-300;

/**
 * CMA-ES with a full covariance matrix (Hansen & Ostermeier 2001; Hansen's 2016 tutorial).
 *
 * Cost control: the eigendecomposition C = B D B^T (about 9 n^3 flops) is refreshed lazily,
 * only once more than `0.5 * lambda / ((c1 + cmu) * n)` evaluations have passed since the last
 * one (pycma's and pyribs' lazy gap), which bounds its amortised cost to O(n^2) per evaluation.
 * Between decompositions sampling and whitening use the last B and D. Right after a reset the
 * covariance is the identity and sampling skips the matrix product entirely. Only the upper
 * triangle of C is updated; it is mirrored before each decomposition.
 */
export class CmaEs extends CmaEvolutionStrategy {
  private readonly covariance: Float64Array;
  /** Eigenvectors of the last decomposition, as rows. */
  private readonly eigenvectors: Float64Array;
  /** Eigenvector rows scaled by sqrt(eigenvalue): sampling's transform. */
  private readonly scaledEigenvectors: Float64Array;
  private readonly eigenvalues: Float64Array;
  private readonly projection: Float64Array;
  private readonly scratch: Float64Array;
  private readonly lazyGap: number;
  private isIdentity = true;
  private evaluationsAtDecomposition = 0;
  private decompositionCount = 0;

  constructor(options: CmaEsOptions) {
    super(options);
    const n = this.dimension;
    this.covariance = new Float64Array(n * n);
    this.eigenvectors = new Float64Array(n * n);
    this.scaledEigenvectors = new Float64Array(n * n);
    this.eigenvalues = new Float64Array(n);
    this.projection = new Float64Array(n);
    this.scratch = new Float64Array(this.batchSize * n);
    const { c1, cmu } = this.parameters(Math.floor(this.batchSize / 2));
    this.lazyGap = (0.5 * this.batchSize) / ((c1 + cmu) * n);
    this.resetCovariance();
  }

  /** Eigendecompositions performed so far (a cost counter for benchmarks). */
  get decompositions(): number {
    return this.decompositionCount;
  }

  protected computeParameters(mu: number): CmaParameters {
    return fullCmaParameters(this.dimension, mu);
  }

  protected prepareSampling(): void {
    if (this.evaluations > this.evaluationsAtDecomposition + this.lazyGap) this.decompose();
  }

  protected shapeNoise(noise: Float64Array, count: number): void {
    if (this.isIdentity) return;
    const n = this.dimension;
    const rows = this.scaledEigenvectors;
    const out = this.scratch.length >= count * n ? this.scratch : new Float64Array(count * n);
    out.fill(0, 0, count * n);
    // out_i = sum_c noise_i[c] * rows[c, :], four candidates at a time so each row is read once per block.
    let i = 0;
    for (; i + 4 <= count; i += 4) {
      const o0 = i * n;
      const o1 = o0 + n;
      const o2 = o1 + n;
      const o3 = o2 + n;
      for (let c = 0; c < n; c++) {
        const a0 = noise[o0 + c];
        const a1 = noise[o1 + c];
        const a2 = noise[o2 + c];
        const a3 = noise[o3 + c];
        const r = c * n;
        for (let j = 0; j < n; j++) {
          const v = rows[r + j];
          out[o0 + j] += a0 * v;
          out[o1 + j] += a1 * v;
          out[o2 + j] += a2 * v;
          out[o3 + j] += a3 * v;
        }
      }
    }
    for (; i < count; i++) {
      const o = i * n;
      for (let c = 0; c < n; c++) {
        const a = noise[o + c];
        const r = c * n;
        for (let j = 0; j < n; j++) out[o + j] += a * rows[r + j];
      }
    }
    noise.set(out.subarray(0, count * n));
  }

  protected whiten(y: Float64Array, out: Float64Array): void {
    if (this.isIdentity) {
      out.set(y);
      return;
    }
    const n = this.dimension;
    const b = this.eigenvectors;
    for (let c = 0; c < n; c++) {
      let dot = 0;
      const r = c * n;
      for (let j = 0; j < n; j++) dot += b[r + j] * y[j];
      this.projection[c] = dot / Math.sqrt(this.eigenvalues[c]);
    }
    out.fill(0);
    for (let c = 0; c < n; c++) {
      const a = this.projection[c];
      const r = c * n;
      for (let j = 0; j < n; j++) out[j] += a * b[r + j];
    }
  }

  protected adaptCovariance(decay: number, rankOne: number, pathC: Float64Array, rankMu: Float64Array, deviations: Float64Array, count: number): void {
    const n = this.dimension;
    const cov = this.covariance;
    for (let r = 0; r < n; r++) {
      const row = r * n;
      const a = rankOne * pathC[r];
      for (let c = r; c < n; c++) cov[row + c] = decay * cov[row + c] + a * pathC[c];
      for (let i = 0; i < count; i++) {
        const d = i * n;
        const b = rankMu[i] * deviations[d + r];
        if (b === 0) continue;
        for (let c = r; c < n; c++) cov[row + c] += b * deviations[d + c];
      }
    }
  }

  protected eigenvalueRange(): [number, number] {
    let max = -Infinity;
    let min = Infinity;
    for (let c = 0; c < this.dimension; c++) {
      max = Math.max(max, this.eigenvalues[c]);
      min = Math.min(min, this.eigenvalues[c]);
    }
    return [max, min];
  }

  protected resetCovariance(): void {
    const n = this.dimension;
    this.covariance.fill(0);
    this.eigenvectors.fill(0);
    this.scaledEigenvectors.fill(0);
    for (let i = 0; i < n; i++) {
      this.covariance[i * n + i] = 1;
      this.eigenvectors[i * n + i] = 1;
      this.scaledEigenvectors[i * n + i] = 1;
    }
    this.eigenvalues.fill(1);
    this.isIdentity = true;
    this.evaluationsAtDecomposition = 0;
  }

  /** The current covariance matrix (full, symmetric copy). */
  covarianceMatrix(): Float64Array {
    const n = this.dimension;
    const full = new Float64Array(n * n);
    for (let r = 0; r < n; r++) {
      for (let c = r; c < n; c++) {
        full[r * n + c] = this.covariance[r * n + c];
        full[c * n + r] = this.covariance[r * n + c];
      }
    }
    return full;
  }

  private decompose(): void {
    const n = this.dimension;
    const b = this.eigenvectors;
    for (let r = 0; r < n; r++) {
      for (let c = r; c < n; c++) {
        const v = this.covariance[r * n + c];
        b[r * n + c] = v;
        b[c * n + r] = v;
      }
    }
    symmetricEigen(b, n, this.eigenvalues, this.projection);
    for (let c = 0; c < n; c++) {
      const value = Math.max(Math.abs(this.eigenvalues[c]), MIN_EIGENVALUE);
      this.eigenvalues[c] = value;
      const scale = Math.sqrt(value);
      const r = c * n;
      for (let j = 0; j < n; j++) this.scaledEigenvectors[r + j] = scale * b[r + j];
    }
    this.isIdentity = false;
    this.evaluationsAtDecomposition = this.evaluations;
    this.decompositionCount += 1;
  }

  protected serializeCovariance(): Record<string, unknown> {
    return {
      covariance: encodeFloat64(this.covariance),
      eigenvectors: encodeFloat64(this.eigenvectors),
      eigenvalues: encodeFloat64(this.eigenvalues),
      isIdentity: this.isIdentity,
      evaluationsAtDecomposition: this.evaluationsAtDecomposition,
    };
  }

  protected restoreCovariance(state: Record<string, unknown>): void {
    const n = this.dimension;
    this.covariance.set(decodeFloat64(state.covariance as string));
    this.eigenvectors.set(decodeFloat64(state.eigenvectors as string));
    this.eigenvalues.set(decodeFloat64(state.eigenvalues as string));
    this.isIdentity = state.isIdentity as boolean;
    this.evaluationsAtDecomposition = state.evaluationsAtDecomposition as number;
    for (let c = 0; c < n; c++) {
      const scale = Math.sqrt(this.eigenvalues[c]);
      for (let j = 0; j < n; j++) this.scaledEigenvectors[c * n + j] = scale * this.eigenvectors[c * n + j];
    }
  }
}
