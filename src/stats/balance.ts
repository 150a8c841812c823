import { InputError, NotFoundError } from '../errors';
import { balanceQuery, type BalanceRow } from './balanceQuery';
import type { Balance, BalanceRun, MeasureAxis, MeasureBalance, PairBalance, Queryable } from './balanceTypes';

export type { Balance, BalanceRun, MeasureAxis, MeasureBalance, PairBalance, Queryable } from './balanceTypes';

/** Bins per measure: from 1 to this. */
export const MAX_BALANCE_BINS = 100;
/** Measures per run: the pairs grow as d(d-1)/2 tables of bins^2 cells. */
export const MAX_BALANCE_AXES = 16;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function validateBins(bins: number): void {
  if (!Number.isInteger(bins) || bins < 1 || bins > MAX_BALANCE_BINS) {
    throw new InputError('bins', `must be an integer from 1 to ${MAX_BALANCE_BINS}; got ${bins}`);
  }
}

function validateRunId(field: string, runId: string): void {
  if (typeof runId !== 'string' || !UUID.test(runId)) throw new InputError(field, `must be a run id (a UUID); got "${runId}"`);
}

function validateAxes(field: string, axes: readonly MeasureAxis[]): void {
  if (!Array.isArray(axes) || axes.length < 1 || axes.length > MAX_BALANCE_AXES) {
    throw new InputError(field, `must list from 1 to ${MAX_BALANCE_AXES} measure axes; got ${Array.isArray(axes) ? axes.length : typeof axes}`);
  }
  axes.forEach((axis, j) => {
    if (typeof axis?.name !== 'string') throw new InputError(`${field}[${j}].name`, 'must be a string');
    const { low, high } = axis;
    if (!(Number.isFinite(low) && Number.isFinite(high) && low < high && Number.isFinite(high - low))) {
      throw new InputError(`${field}[${j}]`, `must have finite low < high (with a finite width); got [${low}, ${high}]`);
    }
  });
}

function emptyTable(bins: number): number[][] {
  return Array.from({ length: bins }, () => new Array<number>(bins).fill(0));
}

function toMeasure(row: BalanceRow, axis: MeasureAxis): MeasureBalance {
  return {
    index: row.first - 1,
    name: axis.name,
    low: axis.low,
    high: axis.high,
    counts: row.counts,
    proportions: row.counts.map((n) => (row.total > 0 ? n / row.total : 0)),
    entropy: row.entropy,
    klFromUniform: row.kl ?? 0,
    maxMinRatio: row.ratio,
    coverage: row.coverage,
    outOfRange: row.out_of_range ?? 0,
  };
}

function toPair(row: BalanceRow, bins: number): PairBalance {
  const counts = emptyTable(bins);
  const proportions = emptyTable(bins);
  (row.cells ?? []).forEach((cell, i) => {
    const x = Math.floor(cell / bins);
    const y = cell % bins;
    counts[x][y] = row.counts[i];
    proportions[x][y] = row.counts[i] / row.total;
  });
  return { first: row.first - 1, second: (row.second as number) - 1, counts, proportions, entropy: row.entropy, coverage: row.coverage };
}

async function queryBalance(db: Queryable, runId: string, axes: readonly MeasureAxis[], bins: number): Promise<Balance> {
  const { text, values } = balanceQuery(runId, axes, bins);
  const { rows } = await db.query<BalanceRow>(text, values);
  const measureRows = rows.filter((row) => row.kind === 'm');
  if (!measureRows[0]?.run_exists) throw new NotFoundError('run', runId);
  return {
    runId,
    bins,
    samples: measureRows[0].samples ?? 0,
    measures: measureRows.map((row) => toMeasure(row, axes[row.first - 1])),
    pairs: rows.filter((row) => row.kind === 'p').map((row) => toPair(row, bins)),
  };
}

/**
 * How balanced the dataset of run `runId` (its `sample` rows) is along each of `axes` (axis j
 * reads `measures[j]` of every sample) and each pair of them, over `bins` equal-width bins per
 * axis. See `MeasureBalance` and `PairBalance` for the statistics and their formulas.
 *
 * Everything is computed by one SQL statement that reads the run's rows once (through the index
 * on `sample.run_id`); only the histograms and the statistics come back. Samples outside an
 * axis's [low, high] are counted in that measure's `outOfRange` and excluded from its histogram
 * and from the joint tables of its pairs; `samples` counts every row of the run.
 *
 * Throws InputError (before any query) for `bins` not an integer in [1, 100], no axes (or more
 * than 16), an axis without finite low < high, or a `runId` that is not a UUID; NotFoundError
 * when no run has that id.
 */
export async function computeBalance(db: Queryable, runId: string, axes: MeasureAxis[], bins: number): Promise<Balance> {
  validateBins(bins);
  validateAxes('axes', axes);
  validateRunId('runId', runId);
  return queryBalance(db, runId, axes, bins);
}

/**
 * The balance of several runs, in the order given, with the same `bins` for all (e.g. to compare
 * QDGS with random sampling). Every run must have the same number of measures
 * (InputError('runIds', ...) otherwise); everything is validated before any query. The runs are
 * queried concurrently when `db` is a pool.
 */
export async function compareBalance(db: Queryable, runs: BalanceRun[], bins: number): Promise<Balance[]> {
  validateBins(bins);
  if (!Array.isArray(runs) || runs.length < 1) throw new InputError('runIds', 'must name at least one run');
  runs.forEach((run, i) => {
    validateRunId(`runIds[${i}]`, run.runId);
    validateAxes(`runs[${i}].axes`, run.axes);
  });
  const counts = runs.map((run) => run.axes.length);
  if (counts.some((count) => count !== counts[0])) {
    throw new InputError('runIds', `must name runs with the same number of measures; got ${counts.join(', ')}`);
  }
  return Promise.all(runs.map((run) => queryBalance(db, run.runId, run.axes, bins)));
}
