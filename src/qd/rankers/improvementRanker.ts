import type { Ranker, Ranking } from './ranker';

/**
 * Ranks by improvement value alone, descending ("imp"): the CMA-MAE ranking, where the value is
 * f - t against the cell's annealed threshold.
 */
export class ImprovementRanker implements Ranker {
  readonly name = 'imp' as const;

  rank(_status: Int8Array, value: Float64Array): Ranking {
    const count = value.length;
    const indices = Int32Array.from({ length: count }, (_, i) => i).sort((a, b) => value[b] - value[a] || a - b);
    const values = new Float64Array(count);
    for (let i = 0; i < count; i++) values[i] = value[indices[i]];
    return { indices, values, width: 1 };
  }

  reset(): void {}
}
