import type { MeasureAxis } from './balanceTypes';

/**
 * One row of the balance query: `kind = 'm'` for a measure (`first` its 1-based position), `'p'`
 * for a pair of measures (`first < second`, 1-based).
 */
export interface BalanceRow {
  kind: 'm' | 'p';
  first: number;
  second: number | null;
  /** Measure: dense counts of bins 0..B-1. Pair: counts of the nonempty cells listed in `cells`. */
  counts: number[];
  /** Pair only: flat index x * B + y of each nonempty cell, ascending. */
  cells: number[] | null;
  /** In-range samples N (of the measure, or of both measures of the pair). */
  total: number;
  out_of_range: number | null;
  entropy: number;
  kl: number | null;
  ratio: number | null;
  coverage: number;
  /** Measure rows only: every sample of the run. */
  samples: number | null;
  /** Measure rows only: whether the run exists. */
  run_exists: boolean | null;
}

/**
 * The statement computing every histogram and statistic of a run's balance in one pass over its
 * sample rows (read through the index on `sample.run_id`, or by a sequential scan when the run is
 * most of the table).
 *
 * Parameters: $1 the run id, $2 the bin count B, then for axis j (0-based) $(3 + 2j) its low and
 * $(4 + 2j) its high. Only positions generated here (never user text) are spliced into the SQL.
 *
 * 1. `grouped`: each sample is reduced to its bin vector (b1..bd) with
 *    b = min(floor((m - low) / (high - low) * B), B - 1) for low <= m <= high and -1 for a value
 *    outside the range, missing or NaN. The run's rows are scanned once and grouped by that
 *    vector, so everything after works on at most min(rows, (B + 1)^d) groups, not on the rows.
 *    (The inner `OFFSET 0` keeps each array element read once per row rather than once per use.)
 * 2. `measure_bins` / `dense`: per measure, the groups are summed per bin and completed with the
 *    empty bins (generate_series), giving n_i for i = 0..B-1 and the out-of-range count (bin -1).
 * 3. `pair_cells`: per pair of measures, the groups with both bins in range are summed per cell
 *    x * B + y; only nonempty cells leave the database (the caller fills in the zeros).
 * 4. With N = sum n and S = sum_{n > 0} n ln n: H = -sum p ln p = ln N - S / N, normalised
 *    entropy H / ln(cells), KL from uniform ln B - H, max/min ratio max n / min n (NULL when
 *    min n = 0), coverage #{n > 0} / cells. Against rounding, the entropy is clamped into [0, 1]
 *    and KL to >= 0.
 */
export function balanceQuery(runId: string, axes: readonly MeasureAxis[], bins: number): { text: string; values: unknown[] } {
  const d = axes.length;
  const values: unknown[] = [runId, bins];
  const binColumns: string[] = [];
  axes.forEach((axis, j) => {
    values.push(axis.low, axis.high);
    const low = `$${3 + 2 * j}::float8`;
    const high = `$${4 + 2 * j}::float8`;
    const m = `r.m${j + 1}`;
    binColumns.push(
      `CASE WHEN ${m} >= ${low} AND ${m} <= ${high} THEN least(floor((${m} - ${low}) / (${high} - ${low}) * $2::int)::int, $2::int - 1) ELSE -1 END AS b${j + 1}`,
    );
  });
  const positions = Array.from({ length: d }, (_, j) => j + 1);
  const pairs = positions.flatMap((a) => positions.filter((b) => b > a).map((b) => [a, b] as const));

  // Normalised entropy from N (total) and S = sum n ln n over nonempty bins, for `cellCount` cells.
  const entropy = (cellCount: string) =>
    `CASE WHEN total = 0 THEN 0::float8 WHEN ${cellCount} = 1 THEN 1::float8
          ELSE greatest(0::float8, least(1::float8, (ln(total::float8) - s / total) / ln(${cellCount}::float8))) END`;

  const measureSql = `
measure_bins AS (
  ${positions.map((j) => `SELECT ${j} AS j, b${j} AS bin, sum(n)::int AS n FROM grouped GROUP BY b${j}`).join('\n  UNION ALL ')}
),
dense AS (
  SELECT j.j, k.k AS bin, coalesce(mb.n, 0) AS n
  FROM generate_series(1, ${d}) AS j(j)
  CROSS JOIN generate_series(0, $2::int - 1) AS k(k)
  LEFT JOIN measure_bins mb ON mb.j = j.j AND mb.bin = k.k
),
measure_sums AS (
  SELECT j,
         array_agg(n ORDER BY bin) AS counts,
         sum(n)::int AS total,
         coalesce(sum(n::float8 * ln(n::float8)) FILTER (WHERE n > 0), 0) AS s,
         count(*) FILTER (WHERE n > 0) AS nonempty,
         max(n) AS max_n,
         min(n) AS min_n
  FROM dense
  GROUP BY j
),
measure_stats AS (
  SELECT ms.*, ${entropy('$2::int')} AS entropy,
         CASE WHEN total = 0 THEN 0::float8
              ELSE greatest(0::float8, ln($2::int::float8) - (ln(total::float8) - s / total)) END AS kl,
         coalesce((SELECT mb.n FROM measure_bins mb WHERE mb.j = ms.j AND mb.bin = -1), 0) AS out_of_range
  FROM measure_sums ms
)`;

  const pairSql = pairs.length === 0 ? '' : `,
pair_list AS (
  SELECT * FROM (VALUES ${pairs.map(([a, b]) => `(${a}, ${b})`).join(', ')}) AS p(a, b)
),
pair_cells AS (
  ${pairs
    .map(([a, b]) => `SELECT ${a} AS a, ${b} AS b, b${a} * $2::int + b${b} AS cell, sum(n)::int AS n FROM grouped WHERE b${a} >= 0 AND b${b} >= 0 GROUP BY b${a}, b${b}`)
    .join('\n  UNION ALL ')}
),
pair_sums AS (
  SELECT p.a, p.b,
         coalesce(array_agg(c.cell ORDER BY c.cell) FILTER (WHERE c.n IS NOT NULL), '{}') AS cells,
         coalesce(array_agg(c.n ORDER BY c.cell) FILTER (WHERE c.n IS NOT NULL), '{}') AS counts,
         coalesce(sum(c.n), 0)::int AS total,
         coalesce(sum(c.n::float8 * ln(c.n::float8)), 0) AS s,
         count(c.n) AS nonempty
  FROM pair_list p LEFT JOIN pair_cells c ON c.a = p.a AND c.b = p.b
  GROUP BY p.a, p.b
),
pair_stats AS (
  SELECT ps.*, ${entropy('($2::int * $2::int)')} AS entropy
  FROM pair_sums ps
)`;

  const pairSelect = pairs.length === 0 ? '' : `
UNION ALL
SELECT 'p', a, b, counts, cells, total, NULL, entropy, NULL, NULL, nonempty::float8 / ($2::int * $2::int), NULL, NULL
FROM pair_stats`;

  const text = `
WITH grouped AS MATERIALIZED (
  SELECT ${binColumns.join(',\n         ')},
         count(*)::int AS n
  FROM (
    SELECT ${positions.map((j) => `s.measures[${j}] AS m${j}`).join(', ')}
    FROM sample s
    WHERE s.run_id = $1::uuid
    OFFSET 0
  ) AS r
  GROUP BY ${positions.join(', ')}
),${measureSql}${pairSql}
SELECT 'm' AS kind, j AS first, NULL::int AS second, counts, NULL::int[] AS cells, total, out_of_range, entropy, kl,
       CASE WHEN min_n = 0 THEN NULL ELSE max_n::float8 / min_n END AS ratio,
       nonempty::float8 / $2::int AS coverage,
       (SELECT coalesce(sum(n), 0)::int FROM grouped) AS samples,
       EXISTS (SELECT 1 FROM run WHERE id = $1::uuid) AS run_exists
FROM measure_stats${pairSelect}
ORDER BY 1, 2, 3`;
  return { text, values };
}
