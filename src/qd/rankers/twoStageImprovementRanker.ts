import type { Ranker, Ranking } from './ranker';

/**
 * Two-stage improvement ranking ("2imp", CMA-ME): candidates that filled a new cell first, then
 * those that improved an occupied cell, then the rest; within each group by improvement value,
 * descending.
 */
export class TwoStageImprovementRanker implements Ranker {
  readonly name = '2imp' as const;

  rank(status: Int8Array, value: Float64Array): Ranking {
    const count = value.length;
    const indices = Int32Array.from({ length: count }, (_, i) => i).sort(
      (a, b) => status[b] - status[a] || value[b] - value[a] || a - b,
    );
    const values = new Float64Array(count * 2);
    for (let i = 0; i < count; i++) {
      values[2 * i] = status[indices[i]];
      values[2 * i + 1] = value[indices[i]];
    }
    return { indices, values, width: 2 };
  }

  reset(): void {}
}
