import { QdConfigError } from '../errors';
import { requireInteger, requireRanges } from '../validation';
import { CellArchive, type CellArchiveOptions } from './cellArchive';

export interface GridArchiveOptions extends CellArchiveOptions {
  /** Cells per measure axis (each >= 1). */
  dims: number[];
  /** [low, high] of each measure axis, low < high. */
  ranges: Array<[number, number]>;
  /** Added to the scaled measure before truncation, so values on a cell edge land in the upper cell. */
  epsilon?: number;
}

/**
 * A regular grid over k measures (MAP-Elites' archive). Axis d has dims[d] equal cells over
 * ranges[d]; measures outside a range fall into the edge cell. Cell index of axis d:
 *   clamp(trunc((dims[d] * (m_d - low_d) + epsilon) / (high_d - low_d)), 0, dims[d] - 1)
 * and cells are numbered row-major (the last axis varies fastest), as in pyribs.
 */
export class GridArchive extends CellArchive {
  readonly dims: readonly number[];
  readonly ranges: ReadonlyArray<readonly [number, number]>;
  private readonly lower: Float64Array;
  private readonly width: Float64Array;
  private readonly resolution: Int32Array;
  private readonly strides: Int32Array;
  private readonly epsilon: number;

  constructor(options: GridArchiveOptions) {
    const { dims, ranges } = options;
    if (!Array.isArray(dims) || dims.length < 1) throw new QdConfigError('dims', 'a non-empty array of cell counts', dims);
    dims.forEach((d, i) => requireInteger(`dims[${i}]`, d, 1));
    requireRanges(ranges, dims.length);
    const cells = dims.reduce((a, b) => a * b, 1);
    if (cells > 2 ** 31 - 1) throw new QdConfigError('dims', 'a grid of at most 2^31 - 1 cells', dims);
    super('grid', dims.length, cells, options);
    this.dims = Object.freeze([...dims]);
    this.ranges = Object.freeze(ranges.map((r) => Object.freeze([r[0], r[1]] as const)));
    this.lower = Float64Array.from(ranges, (r) => r[0]);
    this.width = Float64Array.from(ranges, (r) => r[1] - r[0]);
    this.resolution = Int32Array.from(dims);
    this.strides = new Int32Array(dims.length);
    let stride = 1;
    for (let d = dims.length - 1; d >= 0; d--) {
      this.strides[d] = stride;
      stride *= dims[d];
    }
    this.epsilon = options.epsilon ?? 1e-6;
  }

  protected cellOf(measures: ArrayLike<number>, offset: number): number {
    let cell = 0;
    for (let d = 0; d < this.resolution.length; d++) {
      const r = this.resolution[d];
      let k = Math.trunc((r * (measures[offset + d] - this.lower[d]) + this.epsilon) / this.width[d]);
      if (k < 0) k = 0;
      else if (k > r - 1) k = r - 1;
      cell += k * this.strides[d];
    }
    return cell;
  }

  /** Per-axis grid coordinates of a cell. */
  coordinates(cell: number): number[] {
    requireInteger('cell', cell, 0, this.cells - 1);
    return Array.from(this.strides, (stride, d) => Math.floor(cell / stride) % this.resolution[d]);
  }

  /** Flat cell index of per-axis grid coordinates. */
  cellAt(coordinates: ArrayLike<number>): number {
    if (coordinates.length !== this.dims.length) throw new QdConfigError('coordinates', `${this.dims.length} values`, coordinates);
    let cell = 0;
    for (let d = 0; d < this.dims.length; d++) {
      cell += requireInteger(`coordinates[${d}]`, coordinates[d], 0, this.dims[d] - 1) * this.strides[d];
    }
    return cell;
  }

  /** [low, high) measure bounds of a cell per axis. */
  cellBounds(cell: number): Array<[number, number]> {
    return this.coordinates(cell).map((k, d) => {
      const size = this.width[d] / this.resolution[d];
      return [this.lower[d] + k * size, this.lower[d] + (k + 1) * size];
    });
  }
}
