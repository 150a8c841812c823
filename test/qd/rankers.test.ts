import { createRanker } from '../../src/qd/rankers/createRanker';
import { ImprovementRanker } from '../../src/qd/rankers/improvementRanker';
import { TwoStageImprovementRanker } from '../../src/qd/rankers/twoStageImprovementRanker';
import { RANKERS } from '../../src/qd/rankers/ranker';
import { expectConfigError } from './helpers';

const status = (...values: number[]) => Int8Array.from(values);
const value = (...values: number[]) => Float64Array.from(values);

describe('ImprovementRanker (imp)', () => {
  it('sorts by value, descending, ignoring status', () => {
    const ranking = new ImprovementRanker().rank(status(0, 2, 1, 0, 2), value(-1, 3, 5, 0.5, -7));
    expect(Array.from(ranking.indices)).toEqual([2, 1, 3, 0, 4]);
    expect(ranking.width).toBe(1);
    expect(Array.from(ranking.values)).toEqual([5, 3, 0.5, -1, -7]);
  });

  it('is stable: equal values keep batch order', () => {
    const ranking = new ImprovementRanker().rank(status(2, 0, 1, 0, 0, 2), value(1, 4, 1, 4, 1, 0));
    expect(Array.from(ranking.indices)).toEqual([1, 3, 0, 2, 4, 5]);
    expect(Array.from(ranking.values)).toEqual([4, 4, 1, 1, 1, 0]);
  });

  it('ranks large and tiny magnitudes correctly', () => {
    const ranking = new ImprovementRanker().rank(status(0, 0, 0, 0), value(-1e308, 1e308, 5e-324, 0));
    expect(Array.from(ranking.indices)).toEqual([1, 2, 3, 0]);
  });
});

describe('TwoStageImprovementRanker (2imp)', () => {
  it('sorts by status descending, then value descending, then batch order', () => {
    // New cells (2) first, then improvements (1), then rejected (0).
    const ranking = new TwoStageImprovementRanker().rank(status(0, 2, 1, 2, 1, 0, 2), value(9, 1, 0.5, 3, 2, -1, 3));
    expect(Array.from(ranking.indices)).toEqual([3, 6, 1, 4, 2, 0, 5]);
    expect(ranking.width).toBe(2);
    // Values are (status, value) pairs, best first.
    expect(Array.from(ranking.values)).toEqual([2, 3, 2, 3, 2, 1, 1, 2, 1, 0.5, 0, 9, 0, -1]);
  });

  it('puts a new-cell solution with a small value before an improvement with a large one', () => {
    const ranking = new TwoStageImprovementRanker().rank(status(1, 2), value(100, 0.001));
    expect(Array.from(ranking.indices)).toEqual([1, 0]);
  });
});

describe('createRanker', () => {
  it('builds rankers by name and rejects unknown names', () => {
    expect(RANKERS).toEqual(['imp', '2imp']);
    expect(createRanker('imp')).toBeInstanceOf(ImprovementRanker);
    expect(createRanker('2imp')).toBeInstanceOf(TwoStageImprovementRanker);
    expect(createRanker('imp').name).toBe('imp');
    expectConfigError(() => createRanker('obj' as never), 'ranker', "one of 'imp', '2imp'");
  });

  it('handles empty and single-candidate batches; reset is harmless', () => {
    for (const name of RANKERS) {
      const ranker = createRanker(name);
      expect(ranker.rank(status(), value()).indices.length).toBe(0);
      ranker.reset();
      const one = ranker.rank(status(1), value(2));
      expect(Array.from(one.indices)).toEqual([0]);
      expect(one.values.length).toBe(one.width);
    }
  });
});
