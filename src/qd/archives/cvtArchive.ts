import { QdConfigError } from '../errors';
import { SeededRandom } from '../random';
import { requireAllFinite, requireInteger, requireRanges } from '../validation';
import { CellArchive, type CellArchiveOptions, type CellArchiveState } from './cellArchive';
import { KdTree } from './kdTree';
import { kMeans } from './kMeans';

export interface CvtArchiveOptions extends CellArchiveOptions {
  /** Number of cells, i.e. of centroids (>= 1). */
  cells: number;
  /** [low, high] of each measure, low < high; measures outside still map to the nearest centroid. */
  ranges: Array<[number, number]>;
  /**
   * Points drawn uniformly in the ranges and clustered by k-means into the centroids
   * (>= cells; default max(100,000, 10 x cells), pyribs' default for up to 10,000 cells).
   * Unused when `centroids` is given.
   */
  samples?: number;
  /** Most k-means (Lloyd) iterations (default 100). */
  kMeansIterations?: number;
  /**
   * Centroids to use instead of k-means (cells x measures, row-major, finite; they may lie
   * outside the ranges), e.g. `other.centroids` to give two archives the same cells.
   */
  centroids?: Float64Array;
  /** Seed of the samples and of k-means (default: `seed`, else 0). */
  centroidSeed?: number;
}

/**
 * Centroidal Voronoi tessellation archive (CVT-MAP-Elites, Vassiliades et al. 2018; pyribs'
 * CVTArchive): `cells` centroids spread over the measure ranges by k-means on uniform samples,
 * and a solution belongs to the cell of the centroid nearest (Euclidean) to its measures, lowest
 * centroid index on ties. Lookups use a k-d tree over the centroids, O(log cells) per solution
 * in low dimensions instead of O(cells).
 *
 * The centroids are a pure function of (cells, ranges, samples, kMeansIterations, centroidSeed)
 * (or are the given `centroids`): the same options always give bit-identical centroids, on any
 * platform. Checkpoints (`serialize`/`restore`, from CellArchive) therefore carry no centroids,
 * only a digest of them: restore into an archive built with the same options, and a checkpoint
 * from an archive with other centroids is refused.
 *
 * `seed` also seeds elite sampling, so two archives meant to share cells (CMA-MAE's search and
 * result archives, which get different seeds) should share `centroidSeed`, or better the second
 * should take `centroids: first.centroids`, which also skips a second k-means.
 *
 * Construction runs k-means once: about 1 s for 10,000 cells in 2-D with the default samples,
 * but far more in high dimensions (k-means cost grows steeply with the number of measures);
 * there, build once and pass `centroids` (e.g. stored alongside the experiment).
 */
export class CvtArchive extends CellArchive {
  readonly ranges: ReadonlyArray<readonly [number, number]>;
  private readonly centroidData: Float64Array;
  private readonly tree: KdTree;
  private readonly centroidDigest: string;

  constructor(options: CvtArchiveOptions) {
    const { cells, ranges } = options;
    requireInteger('cells', cells, 1, 2 ** 31 - 1);
    requireRanges(ranges);
    const measureDim = ranges.length;
    const samples = options.samples ?? Math.max(100_000, 10 * cells);
    requireInteger('samples', samples, cells);
    const iterations = requireInteger('kMeansIterations', options.kMeansIterations ?? 100, 0);
    const centroidSeed =
      options.centroidSeed !== undefined
        ? requireInteger('centroidSeed', options.centroidSeed, 0, Number.MAX_SAFE_INTEGER)
        : requireInteger('seed', options.seed ?? 0, 0, Number.MAX_SAFE_INTEGER);
    const given = options.centroids;
    if (given !== undefined) {
      if (!(given instanceof Float64Array) || given.length !== cells * measureDim) {
        throw new QdConfigError('centroids', `a Float64Array of cells x measures = ${cells} x ${measureDim} = ${cells * measureDim} values`, given);
      }
      requireAllFinite('centroids', given);
    }
    super('cvt', measureDim, cells, options);
    this.ranges = Object.freeze(ranges.map((r) => Object.freeze([r[0], r[1]] as const)));

    if (given !== undefined) {
      this.centroidData = Float64Array.from(given);
    } else {
      const random = new SeededRandom(centroidSeed);
      const points = new Float64Array(samples * measureDim);
      for (let i = 0; i < samples; i++) {
        for (let d = 0; d < measureDim; d++) {
          const [low, high] = ranges[d];
          points[i * measureDim + d] = low + random.uniform() * (high - low);
        }
      }
      this.centroidData = kMeans(points, measureDim, { k: cells, maxIterations: iterations, seed: random.nextUint32() }).centroids;
    }
    this.tree = new KdTree(this.centroidData, measureDim);
    this.centroidDigest = digest(this.centroidData);
  }

  /** A copy of the centroids (cells x measures, row-major). */
  get centroids(): Float64Array {
    return Float64Array.from(this.centroidData);
  }

  /** The centroid of one cell. */
  centroid(cell: number): number[] {
    requireInteger('cell', cell, 0, this.cells - 1);
    const k = this.measureDim;
    return Array.from(this.centroidData.subarray(cell * k, cell * k + k));
  }

  protected cellOf(measures: ArrayLike<number>, offset: number): number {
    return this.tree.nearest(measures, offset);
  }

  /** CellArchive's checkpoint plus a digest of the centroids. */
  override serialize(): CellArchiveState & { centroidDigest: string } {
    return { ...super.serialize(), centroidDigest: this.centroidDigest };
  }

  /** Refuses a CVT checkpoint whose centroids differ from this archive's (see the class comment). */
  override restore(state: CellArchiveState & { centroidDigest?: string }): void {
    if (state?.kind === 'cvt' && state.centroidDigest !== this.centroidDigest) {
      throw new QdConfigError('checkpoint.archive.centroidDigest', `${this.centroidDigest} (an archive with the same centroids)`, state.centroidDigest);
    }
    super.restore(state);
  }
}

/** 64-bit hex digest of the centroids' bytes (two independent 32-bit multiply-xorshift hashes). */
function digest(values: Float64Array): string {
  const words = new Int32Array(values.buffer, values.byteOffset, values.length * 2);
  let h1 = 0x9e3779b9 ^ words.length;
  let h2 = 0x85ebca6b ^ words.length;
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    h1 = Math.imul(h1 ^ w, 0x2c1b3c6d);
    h1 ^= h1 >>> 15;
    h2 = Math.imul(h2 ^ w, 0x297a2d39);
    h2 = (h2 << 13) | (h2 >>> 19);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 0x85ebca6b);
  h1 = Math.imul(h1 ^ (h1 >>> 13), 0xc2b2ae35);
  h1 ^= h1 >>> 16;
  h2 = Math.imul(h2 ^ (h2 >>> 16), 0x7feb352d);
  h2 = Math.imul(h2 ^ (h2 >>> 15), 0x846ca68b);
  h2 ^= h2 >>> 16;
  return (h1 >>> 0).toString(16).padStart(8, '0') + (h2 >>> 0).toString(16).padStart(8, '0');
}
