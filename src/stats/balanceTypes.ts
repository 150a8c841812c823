import type pg from 'pg';

/** Anything that runs SQL: a `pg.Pool` or a checked-out `pg.PoolClient` / `pg.Client`. */
export interface Queryable {
  query: pg.Pool['query'];
}

/** One measure of a run's samples: its name and the range its histogram spans. */
export interface MeasureAxis {
  name: string;
  /** Lower edge of the first bin (inclusive). */
  low: number;
  /** Upper edge of the last bin (inclusive: a value exactly at `high` belongs to the last bin). */
  high: number;
}

/**
 * Histogram of one measure over `bins` equal-width bins of [low, high].
 *
 * Bin of a value m: floor((m - low) / (high - low) * bins), with m == high put in the last bin.
 * Samples whose value lies outside [low, high] (or is missing or NaN) are counted in `outOfRange`
 * and left out of `counts`, `proportions` and every statistic below.
 *
 * With n_i the count of bin i, N = sum n_i (the in-range samples), p_i = n_i / N and B = bins:
 */
export interface MeasureBalance {
  /** Position of the measure (0-based; the sample's `measures[index]`). */
  index: number;
  name: string;
  low: number;
  high: number;
  /** n_i, i = 0..B-1. */
  counts: number[];
  /** p_i = n_i / N; all 0 when N = 0. */
  proportions: number[];
  /**
   * Normalised Shannon entropy H / ln B with H = -sum_{n_i > 0} p_i ln p_i: in [0, 1], 1 for a
   * perfectly uniform histogram, 0 when every sample is in one bin. Defined as 0 when N = 0, and
   * as 1 when B = 1 and N > 0 (one bin is trivially uniform).
   */
  entropy: number;
  /**
   * KL divergence of the histogram from the uniform distribution (natural log):
   * D(p || u) = sum_{n_i > 0} p_i ln(p_i B) = ln B - H. 0 for a uniform histogram, at most ln B
   * (all samples in one bin); finite with empty bins, and 0 when N = 0 (an empty sum).
   */
  klFromUniform: number;
  /**
   * max_i n_i / min_i n_i over all B bins, 1 for a uniform histogram. `null` when the emptiest
   * bin has no sample (min_i n_i = 0, so also when N = 0): the ratio is then unbounded.
   */
  maxMinRatio: number | null;
  /** Share of bins holding at least one sample: #{i : n_i > 0} / B. */
  coverage: number;
  /** Samples whose value is outside [low, high], missing (NULL) or NaN; not in `counts`. */
  outOfRange: number;
}

/**
 * Joint histogram of two measures over B x B cells. A sample counts only when both its values are
 * in range. With n_xy the count of cell (x, y), N = sum n_xy and p_xy = n_xy / N:
 */
export interface PairBalance {
  /** Index of the first measure (rows of the table); `first < second`. */
  first: number;
  /** Index of the second measure (columns of the table). */
  second: number;
  /** counts[x][y] = n_xy: x is the first measure's bin, y the second's. */
  counts: number[][];
  /** p_xy; all 0 when N = 0. */
  proportions: number[][];
  /**
   * Normalised joint entropy H / ln(B^2), H = -sum_{n_xy > 0} p_xy ln p_xy, in [0, 1]; 0 when
   * N = 0 and 1 when B = 1 and N > 0.
   */
  entropy: number;
  /** Share of the B^2 cells holding at least one sample. */
  coverage: number;
}

/** How balanced a run's dataset (its `sample` rows) is along each measure and each pair of measures. */
export interface Balance {
  runId: string;
  bins: number;
  /** Every sample of the run, in range or not. */
  samples: number;
  /** One per axis, in the order of the axes. */
  measures: MeasureBalance[];
  /** Every pair (first, second) with first < second, ordered by first then second. */
  pairs: PairBalance[];
}

/** One run of a comparison: its id and the axes of its measures. */
export interface BalanceRun {
  runId: string;
  axes: MeasureAxis[];
}
