import { requirePositive } from '../validation';
import { symmetricEigen } from '../linalg/symmetricEigen';
import { decodeFloat64, encodeFloat64 } from '../serialization';
import { CmaEvolutionStrategy, type CmaEsOptions } from './cmaEvolutionStrategy';
import { fullCmaParameters, type CmaParameters } from './cmaParameters';

/**
 * Minimum evaluations between decompositions per dimension: 9 n^3 decomposition flops spread
 * over at least 4.5 n samples of 2 n^2 flops each.
 */
const EIGEN_COST_BOUND = 4.5;

/** Smallest eigenvalue kept after a decomposition, so C^(-1/2) stays finite. */
const MIN_EIGENVALUE = 1e-300;

/**
 * CMA-ES with a full covariance matrix (Hansen & Ostermeier 2001; Hansen's 2016 tutorial).
 *
 * Cost control: the eigendecomposition C = B D B^T (about 9 n^3 flops) is refreshed lazily,
 * only once more than `0.5 * lambda / ((c1 + cmu) * n)` evaluations have passed since the last
 * one (pycma's and pyribs' lazy gap), which bounds its amortised cost to O(n^2) per evaluation;
 * unless `boundEigenCost` is false, also not before 4.5 n evaluations, which caps the
 * decompositions' share at that of sampling (in pure JavaScript a decomposition costs several
 * times what LAPACK needs, and with pyribs' gap alone it dominated CMA-ME's run time).
 * Between decompositions sampling and whitening use the last B and D. Right after a reset the
 * covariance is the identity and sampling skips the matrix product entirely. Only the upper
 * triangle of C is updated; it is mirrored before each decomposition.
 */
export class CmaEs extends CmaEvolutionStrategy {
  private readonly covariance: Float64Array;
  /** Eigenvectors of the last decomposition, as rows. */
  private readonly eigenvectors: Float64Array;
  /** Sampling's transform A = B diag(sqrt(D)), row-major: y = A z. */
  private readonly transform: Float64Array;
  private readonly eigenvalues: Float64Array;
  private readonly projection: Float64Array;
  private readonly scratch: Float64Array;
  private readonly lazyGap: number;
  /** Queued covariance updates (see adaptCovariance). */
  private readonly pendingCapacity: number;
  private readonly pendingVectors: Float64Array;
  private readonly pendingCoefficients: Float64Array;
  private pendingCount = 0;
  private pendingDecay = 1;
  /** Whether sampling still uses the identity (no decomposition since the last reset). */
  private isIdentity = true;
  /** Whether C is the identity and `covariance` has not been written since (see resetCovariance). */
  private covarianceIsIdentity = true;
  private evaluationsAtDecomposition = 0;
  private decompositionCount = 0;

  constructor(options: CmaEsOptions) {
    super(options);
    const n = this.dimension;
    this.covariance = new Float64Array(n * n);
    this.eigenvectors = new Float64Array(n * n);
    this.transform = new Float64Array(n * n);
    this.eigenvalues = new Float64Array(n);
    this.projection = new Float64Array(n);
    this.scratch = new Float64Array(this.batchSize * n);
    this.pendingCapacity = n + this.batchSize + 1;
    this.pendingVectors = new Float64Array(this.pendingCapacity * n);
    this.pendingCoefficients = new Float64Array(this.pendingCapacity);
    const { c1, cmu } = this.parameters(Math.floor(this.batchSize / 2));
    const lazyGap = (requirePositive('lazyGapFactor', options.lazyGapFactor ?? 0.5) * this.batchSize) / ((c1 + cmu) * n);
    this.lazyGap = options.boundEigenCost === false ? lazyGap : Math.max(lazyGap, EIGEN_COST_BOUND * n);
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
    const out = this.scratch;
    multiplyByTransform(noise, this.transform, out, count, n);
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

  /**
   * C is only read by a decomposition, so updates are queued as scaled outer products and
   * applied in one pass (flushPendingUpdates) when a decomposition needs C or the queue is full.
   * An emitter that restarts before its next decomposition (most CMA-ME emitters in 1000
   * dimensions) then never pays the O(n^2) cost per tell at all.
   */
  protected adaptCovariance(decay: number, rankOne: number, pathC: Float64Array, rankMu: Float64Array, deviations: Float64Array, count: number): void {
    const n = this.dimension;
    for (let v = 0; v < this.pendingCount; v++) this.pendingCoefficients[v] *= decay;
    this.pendingDecay *= decay;
    if (this.pendingCount + count + 1 > this.pendingCapacity) this.flushPendingUpdates();
    const queue = (coefficient: number, source: Float64Array, offset: number) => {
      if (coefficient === 0) return;
      this.pendingVectors.set(source.subarray(offset, offset + n), this.pendingCount * n);
      this.pendingCoefficients[this.pendingCount++] = coefficient;
    };
    queue(rankOne, pathC, 0);
    for (let i = 0; i < count; i++) queue(rankMu[i], deviations, i * n);
  }

  /** C <- pendingDecay * C + sum_v coefficient_v u_v u_v^T on the upper triangle. */
  private flushPendingUpdates(): void {
    const n = this.dimension;
    const cov = this.covariance;
    if (this.covarianceIsIdentity) {
      cov.fill(0);
      for (let i = 0; i < n; i++) cov[i * n + i] = 1;
      this.covarianceIsIdentity = false;
    }
    const u = this.pendingVectors;
    const w = this.pendingCoefficients;
    const count = this.pendingCount;
    const decay = this.pendingDecay;
    for (let r = 0; r < n; r++) {
      const row = r * n;
      if (decay !== 1) for (let c = r; c < n; c++) cov[row + c] *= decay;
      // Four vectors at a time: one load and store of the row per four updates.
      let v = 0;
      for (; v + 4 <= count; v += 4) {
        const u0 = v * n;
        const u1 = u0 + n;
        const u2 = u1 + n;
        const u3 = u2 + n;
        const b0 = w[v] * u[u0 + r];
        const b1 = w[v + 1] * u[u1 + r];
        const b2 = w[v + 2] * u[u2 + r];
        const b3 = w[v + 3] * u[u3 + r];
        for (let c = r; c < n; c++) cov[row + c] += b0 * u[u0 + c] + b1 * u[u1 + c] + b2 * u[u2 + c] + b3 * u[u3 + c];
      }
      for (; v < count; v++) {
        const u0 = v * n;
        const b = w[v] * u[u0 + r];
        for (let c = r; c < n; c++) cov[row + c] += b * u[u0 + c];
      }
    }
    this.pendingCount = 0;
    this.pendingDecay = 1;
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
    // O(n): C is written as the identity only when a flush needs it (most restarts happen
    // before that), and eigenvectors and transform are only read after a decomposition,
    // which rewrites them.
    this.covarianceIsIdentity = true;
    this.eigenvalues.fill(1);
    this.pendingCount = 0;
    this.pendingDecay = 1;
    this.isIdentity = true;
    this.evaluationsAtDecomposition = 0;
  }

  /** The current covariance matrix (full, symmetric copy). */
  covarianceMatrix(): Float64Array {
    this.flushPendingUpdates();
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
    this.flushPendingUpdates();
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
    for (let c = 0; c < n; c++) this.eigenvalues[c] = Math.max(Math.abs(this.eigenvalues[c]), MIN_EIGENVALUE);
    this.updateTransform();
    this.isIdentity = false;
    this.evaluationsAtDecomposition = this.evaluations;
    this.decompositionCount += 1;
  }

  protected serializeCovariance(): Record<string, unknown> {
    return {
      covarianceIsIdentity: this.covarianceIsIdentity,
      covariance: this.covarianceIsIdentity ? null : encodeFloat64(this.covariance),
      eigenvectors: encodeFloat64(this.eigenvectors),
      eigenvalues: encodeFloat64(this.eigenvalues),
      isIdentity: this.isIdentity,
      evaluationsAtDecomposition: this.evaluationsAtDecomposition,
      pendingVectors: encodeFloat64(this.pendingVectors.subarray(0, this.pendingCount * this.dimension)),
      pendingCoefficients: encodeFloat64(this.pendingCoefficients.subarray(0, this.pendingCount)),
      pendingDecay: this.pendingDecay,
    };
  }

  protected restoreCovariance(state: Record<string, unknown>): void {
    this.covarianceIsIdentity = state.covarianceIsIdentity as boolean;
    if (!this.covarianceIsIdentity) this.covariance.set(decodeFloat64(state.covariance as string));
    this.eigenvectors.set(decodeFloat64(state.eigenvectors as string));
    this.eigenvalues.set(decodeFloat64(state.eigenvalues as string));
    this.isIdentity = state.isIdentity as boolean;
    this.evaluationsAtDecomposition = state.evaluationsAtDecomposition as number;
    const coefficients = decodeFloat64(state.pendingCoefficients as string);
    this.pendingCount = coefficients.length;
    this.pendingCoefficients.set(coefficients);
    this.pendingVectors.set(decodeFloat64(state.pendingVectors as string));
    this.pendingDecay = state.pendingDecay as number;
    if (!this.isIdentity) this.updateTransform();
  }

  /** A[j][c] = sqrt(D_c) * B[j][c], from the eigenvector rows (B's columns). */
  private updateTransform(): void {
    const n = this.dimension;
    for (let c = 0; c < n; c++) {
      const scale = Math.sqrt(this.eigenvalues[c]);
      const r = c * n;
      for (let j = 0; j < n; j++) this.transform[j * n + c] = scale * this.eigenvectors[r + j];
    }
  }
}

/**
 * out[i][j] = sum_c z[i][c] * a[j][c] for `count` rows of z (count x n) and a (n x n): a
 * register-blocked product, 4 rows of z by 4 rows of a per tile, every load contiguous.
 */
function multiplyByTransform(z: Float64Array, a: Float64Array, out: Float64Array, count: number, n: number): void {
  const fullRows = count - (count % 4);
  const fullCols = n - (n % 4);
  for (let i = 0; i < fullRows; i += 4) {
    const z0 = i * n;
    const z1 = z0 + n;
    const z2 = z1 + n;
    const z3 = z2 + n;
    for (let j = 0; j < fullCols; j += 4) {
      const a0 = j * n;
      const a1 = a0 + n;
      const a2 = a1 + n;
      const a3 = a2 + n;
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0; // prettier-ignore
      let s20 = 0, s21 = 0, s22 = 0, s23 = 0, s30 = 0, s31 = 0, s32 = 0, s33 = 0; // prettier-ignore
      for (let c = 0; c < n; c++) {
        const x0 = a[a0 + c];
        const x1 = a[a1 + c];
        const x2 = a[a2 + c];
        const x3 = a[a3 + c];
        let y = z[z0 + c];
        s00 += y * x0; s01 += y * x1; s02 += y * x2; s03 += y * x3; // prettier-ignore
        y = z[z1 + c];
        s10 += y * x0; s11 += y * x1; s12 += y * x2; s13 += y * x3; // prettier-ignore
        y = z[z2 + c];
        s20 += y * x0; s21 += y * x1; s22 += y * x2; s23 += y * x3; // prettier-ignore
        y = z[z3 + c];
        s30 += y * x0; s31 += y * x1; s32 += y * x2; s33 += y * x3; // prettier-ignore
      }
      out[z0 + j] = s00; out[z0 + j + 1] = s01; out[z0 + j + 2] = s02; out[z0 + j + 3] = s03; // prettier-ignore
      out[z1 + j] = s10; out[z1 + j + 1] = s11; out[z1 + j + 2] = s12; out[z1 + j + 3] = s13; // prettier-ignore
      out[z2 + j] = s20; out[z2 + j + 1] = s21; out[z2 + j + 2] = s22; out[z2 + j + 3] = s23; // prettier-ignore
      out[z3 + j] = s30; out[z3 + j + 1] = s31; out[z3 + j + 2] = s32; out[z3 + j + 3] = s33; // prettier-ignore
    }
    for (let j = fullCols; j < n; j++) multiplyRow(z, a, out, z0, j, n, 4);
  }
  for (let i = fullRows; i < count; i++) {
    for (let j = 0; j < n; j++) multiplyRow(z, a, out, i * n, j, n, 1);
  }
}

/** out[row + r*n][j] = dot(z[row + r*n, :], a[j, :]) for r < rows. */
function multiplyRow(z: Float64Array, a: Float64Array, out: Float64Array, row: number, j: number, n: number, rows: number): void {
  for (let r = 0; r < rows; r++) {
    const zr = row + r * n;
    let sum = 0;
    for (let c = 0; c < n; c++) sum += z[zr + c] * a[j * n + c];
    out[zr + j] = sum;
  }
}
