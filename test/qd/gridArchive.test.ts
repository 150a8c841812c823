import { AddStatus } from '../../src/qd/archives/archive';
import { GridArchive, type GridArchiveOptions } from '../../src/qd/archives/gridArchive';
import type { CellArchiveState } from '../../src/qd/archives/cellArchive';
import { expectBitwiseEqual, expectConfigError, jsonRoundTrip } from './helpers';

const f64 = (...values: number[]) => Float64Array.from(values);

/** A 1-D grid over [0, 10] with unit cells, so measure c + 0.5 lands in cell c. */
function lineArchive(options: Partial<GridArchiveOptions> = {}): GridArchive {
  return new GridArchive({ solutionDim: 2, dims: [10], ranges: [[0, 10]], seed: 1, ...options });
}

/** Adds a batch where item j has objective f[j], measure cell[j] + 0.5 and solution [j, f[j]]. */
function addToCells(archive: GridArchive, cells: number[], f: number[], iteration = 0) {
  const solutions = new Float64Array(cells.length * 2);
  cells.forEach((_, j) => {
    solutions[2 * j] = j;
    solutions[2 * j + 1] = f[j];
  });
  return archive.add(solutions, Float64Array.from(f), Float64Array.from(cells, (c) => c + 0.5), { iteration });
}

function eliteOf(archive: GridArchive, cell: number) {
  const elite = archive.elite(cell);
  if (!elite) throw new Error(`cell ${cell} is empty`);
  return { objective: elite.objectives[0], solution: Array.from(elite.solutions), threshold: elite.thresholds[0], iteration: elite.iterations[0] };
}

describe('GridArchive cell index (spec section 3)', () => {
  // The benchmark's grid: 100 x 100 over [-256, 256]^2 (n = 100).
  const bench = new GridArchive({ solutionDim: 1, dims: [100, 100], ranges: [[-256, 256], [-256, 256]] });

  it('computes k = trunc((R (m - lo) + 1e-6) / (hi - lo)) per axis, row-major', () => {
    // m = (0, 0): k = trunc((100 * 256 + 1e-6) / 512) = 50 on both axes -> 50 * 100 + 50.
    expect(bench.index([0, 0])).toBe(5050);
    // m = (-256, 255.9): k1 = 0, k2 = trunc((100 * 511.9 + 1e-6) / 512) = trunc(99.98) = 99.
    expect(bench.index([-256, 255.9])).toBe(99);
    // m = (100, -100): k1 = trunc(35600 / 512) = 69, k2 = trunc(15600 / 512) = 30.
    expect(bench.index([100, -100])).toBe(69 * 100 + 30);
    // The first measure selects the row (k1 * 100), the second the column.
    expect(bench.index([-250, 250])).toBe(1 * 100 + 98);
    expect(bench.index([250, -250])).toBe(98 * 100 + 1);
  });

  it('adds the epsilon 1e-6 to the numerator, before dividing by the range width', () => {
    // dims 10 over [-1, 1] (width 2): one cell is 0.2 wide and the epsilon shifts the scaled
    // value by 1e-6 / 2 = 5e-7 cells. A measure 7e-7 cells below the edge at -0.8 stays in
    // cell 0 (it would move up if epsilon were added after the division); 2e-7 below moves up.
    const archive = new GridArchive({ solutionDim: 1, dims: [10], ranges: [[-1, 1]] });
    expect(archive.index([-1 + 0.2 * (1 - 7e-7)])).toBe(0);
    expect(archive.index([-1 + 0.2 * (1 - 2e-7)])).toBe(1);
    expect(archive.index([-0.8])).toBe(1);
    // The benchmark grid's edge at -230.4 (5 cells of 5.12 above -256): in float64 the scaled
    // value 100 * (-230.4 + 256) / 512 is 4.999999999999999, and the epsilon lifts it to cell 5.
    expect((100 * (-230.4 + 256)) / 512).toBeLessThan(5);
    expect(bench.index([-230.4, -204.8])).toBe(5 * 100 + 10);
    // A custom epsilon of 0 restores plain truncation (the lower cells).
    const noEpsilon = new GridArchive({ solutionDim: 1, dims: [100, 100], ranges: [[-256, 256], [-256, 256]], epsilon: 0 });
    expect(noEpsilon.index([-230.4, -204.8])).toBe(4 * 100 + 9);
  });

  it('clips measures outside the range to the edge cells', () => {
    expect(bench.index([-1e9, 1e9])).toBe(0 * 100 + 99);
    expect(bench.index([256, 256])).toBe(9999); // hi itself gives k = R, clipped to R - 1
    expect(bench.index([-256.0001, -256])).toBe(0);
    expect(bench.index([300, -300])).toBe(99 * 100);
  });

  it('numbers cells row-major with the last axis fastest in 3-D, with consistent coordinates and bounds', () => {
    const grid = new GridArchive({ solutionDim: 1, dims: [2, 3, 4], ranges: [[0, 2], [0, 3], [0, 4]] });
    expect(grid.cells).toBe(24);
    expect(grid.index([1.5, 2.5, 3.5])).toBe(1 * 12 + 2 * 4 + 3);
    expect(grid.index([0.5, 0.5, 1.5])).toBe(1);
    expect(grid.index([0.5, 1.5, 0.5])).toBe(4);
    expect(grid.index([1.5, 0.5, 0.5])).toBe(12);
    expect(grid.coordinates(23)).toEqual([1, 2, 3]);
    expect(grid.coordinates(6)).toEqual([0, 1, 2]);
    expect(grid.cellAt([0, 1, 2])).toBe(6);
    for (let cell = 0; cell < grid.cells; cell++) {
      const coordinates = grid.coordinates(cell);
      expect(grid.cellAt(coordinates)).toBe(cell);
      const bounds = grid.cellBounds(cell);
      const centre = bounds.map(([lo, hi]) => (lo + hi) / 2);
      expect(grid.index(centre)).toBe(cell);
      bounds.forEach(([lo, hi], d) => {
        expect(lo).toBeCloseTo(coordinates[d], 12);
        expect(hi).toBeCloseTo(coordinates[d] + 1, 12);
      });
    }
    const [[lo1, hi1], [lo2, hi2]] = bench.cellBounds(5050 + 7);
    expect(lo1).toBe(0);
    expect(lo2).toBeCloseTo(7 * 5.12, 12);
    expect(hi1).toBeCloseTo(5.12, 12);
    expect(hi2).toBeCloseTo(8 * 5.12, 12);
  });

  it('rejects bad cells, coordinates and measures', () => {
    const grid = new GridArchive({ solutionDim: 1, dims: [2, 3], ranges: [[0, 1], [0, 1]] });
    expectConfigError(() => grid.coordinates(6), 'cell', 'an integer in [0, 5]');
    expectConfigError(() => grid.coordinates(-1), 'cell');
    expectConfigError(() => grid.cellAt([2, 0]), 'coordinates[0]', 'an integer in [0, 1]');
    expectConfigError(() => grid.cellAt([0, 1.5]), 'coordinates[1]');
    expectConfigError(() => grid.cellAt([0]), 'coordinates', '2 values');
    expectConfigError(() => grid.index([0.5]), 'measures', '2 values');
    expectConfigError(() => grid.index([0.5, Number.NaN]), 'measures[1]', 'a finite number');
    expectConfigError(() => grid.elite(6), 'cell');
  });
});

describe('GridArchive batch insertion, elitist flavour (learningRate 1, thresholdMin -Infinity)', () => {
  it('gives status 2 and value f for new cells, and the higher f wins a contested empty cell', () => {
    const archive = lineArchive();
    expect(archive.empty).toBe(true);
    expect(archive.threshold(3)).toBe(-Infinity);
    const result = addToCells(archive, [0, 1, 1, 2, 4, 4], [5, 3, 7, -2, 6, 6]);
    expect(Array.from(result.status)).toEqual([2, 2, 2, 2, 2, 2]);
    expect(Array.from(result.value)).toEqual([5, 3, 7, -2, 6, 6]);
    expect(eliteOf(archive, 0)).toMatchObject({ objective: 5, threshold: 5, solution: [0, 5] });
    expect(eliteOf(archive, 1)).toMatchObject({ objective: 7, threshold: 7, solution: [2, 7] });
    expect(eliteOf(archive, 2)).toMatchObject({ objective: -2, threshold: -2, solution: [3, -2] });
    // Tie in cell 4: the first in batch order wins.
    expect(eliteOf(archive, 4)).toMatchObject({ objective: 6, threshold: 6, solution: [4, 6] });
    expect(archive.elite(3)).toBeNull();
    expect(archive.stats()).toEqual({ numElites: 4, coverage: 0.4, qdScore: 16, normQdScore: 1.6, objMax: 7, objMean: 4 });
  });

  it('uses a strict > against the thresholds before the batch, with f - t as the value', () => {
    const archive = lineArchive();
    addToCells(archive, [0, 1, 2], [5, 7, -2]);
    // cell 0: f = 5 equals the threshold -> rejected with value 0; cell 1: 6 < 7 -> value -1;
    // 8, 9, 9 all improve on 7 (values measured against 7, not against each other), the first 9
    // wins; cell 2: -1 > -2 -> improved with value 1; cell 3: new.
    const result = addToCells(archive, [0, 1, 1, 1, 1, 2, 3], [5, 6, 8, 9, 9, -1, 1], 1);
    expect(Array.from(result.status)).toEqual([0, 0, 1, 1, 1, 1, 2]);
    expect(Array.from(result.value)).toEqual([0, -1, 1, 2, 2, 1, 1]);
    expect(eliteOf(archive, 0)).toMatchObject({ objective: 5, solution: [0, 5], iteration: 0 });
    expect(eliteOf(archive, 1)).toMatchObject({ objective: 9, threshold: 9, solution: [3, 9], iteration: 1 });
    expect(eliteOf(archive, 2)).toMatchObject({ objective: -1, threshold: -1, solution: [5, -1] });
    expect(eliteOf(archive, 3)).toMatchObject({ objective: 1, threshold: 1, solution: [6, 1], iteration: 1 });
    expect(archive.stats()).toEqual({ numElites: 4, coverage: 0.4, qdScore: 14, normQdScore: 1.4, objMax: 9, objMean: 3.5 });
    expect(AddStatus).toEqual({ NOT_ADDED: 0, IMPROVED_EXISTING: 1, NEW: 2 });
  });

  it('subtracts qdScoreOffset from every elite in the QD score', () => {
    const archive = lineArchive({ qdScoreOffset: -10 });
    addToCells(archive, [0, 1, 2], [5, 7, -2]);
    const stats = archive.stats();
    expect(stats.qdScore).toBe(5 + 10 + 7 + 10 + -2 + 10);
    expect(stats.normQdScore).toBe(40 / 10);
    expect(stats.objMean).toBe(10 / 3);
  });

  it('reports NaN objMax/objMean and zero scores when empty', () => {
    const stats = lineArchive().stats();
    expect(stats.numElites).toBe(0);
    expect(stats.coverage).toBe(0);
    expect(stats.qdScore).toBe(0);
    expect(stats.normQdScore).toBe(0);
    expect(stats.objMax).toBeNaN();
    expect(stats.objMean).toBeNaN();
  });
});

describe('GridArchive batch insertion, annealing flavour (CMA-MAE)', () => {
  it('follows the K-solution threshold rule and replaces elites even with a lower objective (a = 0.5)', () => {
    const archive = lineArchive({ learningRate: 0.5, thresholdMin: 0 });
    expect(archive.threshold(0)).toBe(0);
    // cell 0: new, value 4 - 0; t = 0.5 * 0 + 0.5 * 4 = 2.
    // cell 1: -1 is not > 0 -> status 0, value -1 - thresholdMin; the cell stays empty.
    // cell 2: 0 is not > 0 (strict) -> status 0, value 0.
    // cell 3: two new solutions, both status 2 with values 2 and 6; K = 2:
    //         t = 0.25 * 0 + 0.75 * mean(2, 6) = 3; the higher f (6) becomes the elite.
    const first = addToCells(archive, [0, 1, 2, 3, 3], [4, -1, 0, 2, 6]);
    expect(Array.from(first.status)).toEqual([2, 0, 0, 2, 2]);
    expect(Array.from(first.value)).toEqual([4, -1, 0, 2, 6]);
    expect(archive.elite(1)).toBeNull();
    expect(archive.elite(2)).toBeNull();
    expect(archive.threshold(1)).toBe(0);
    expect(eliteOf(archive, 0)).toMatchObject({ objective: 4, threshold: 2 });
    expect(eliteOf(archive, 3)).toMatchObject({ objective: 6, threshold: 3, solution: [4, 6] });
    expect(archive.stats()).toMatchObject({ numElites: 2, qdScore: 10, objMax: 6, objMean: 5 });

    // cell 0: 3 > t = 2 -> status 1, value 1, t = 0.5 * 2 + 0.5 * 3 = 2.5, elite 4 -> 3 (lower).
    // cell 3: 2.5 < 3 (value -0.5), 5 > 3 (value 2), 1 < 3 (value -2); K = 1:
    //         t = 0.5 * 3 + 0.5 * 5 = 4; the max elite 6 is replaced by 5.
    const second = addToCells(archive, [0, 3, 3, 3], [3, 2.5, 5, 1]);
    expect(Array.from(second.status)).toEqual([1, 0, 1, 0]);
    expect(Array.from(second.value)).toEqual([1, -0.5, 2, -2]);
    expect(eliteOf(archive, 0)).toMatchObject({ objective: 3, threshold: 2.5, solution: [0, 3] });
    expect(eliteOf(archive, 3)).toMatchObject({ objective: 5, threshold: 4, solution: [2, 5] });
    // objMax follows the current elites: 6 is gone, so it is now 5.
    expect(archive.stats()).toEqual({ numElites: 2, coverage: 0.2, qdScore: 8, normQdScore: 0.8, objMax: 5, objMean: 4 });
  });

  it('anneals with a = 0.01: t <- (1-a)^K t + (1 - (1-a)^K) mean(f)', () => {
    const a = 0.01;
    const archive = lineArchive({ learningRate: a, thresholdMin: 0 });
    let r = addToCells(archive, [5], [50]);
    expect(Array.from(r.status)).toEqual([2]);
    expect(r.value[0]).toBe(50);
    let t = 0.99 * 0 + 0.01 * 50; // = 0.5
    expect(archive.threshold(5)).toBeCloseTo(0.5, 14);
    // 10 is far below the elite's 50 but above the threshold 0.5: it replaces the elite.
    r = addToCells(archive, [5], [10]);
    expect(Array.from(r.status)).toEqual([1]);
    expect(r.value[0]).toBeCloseTo(10 - 0.5, 14);
    t = 0.99 * t + 0.01 * 10; // 0.595
    expect(archive.threshold(5)).toBeCloseTo(0.595, 14);
    expect(eliteOf(archive, 5).objective).toBe(10);
    expect(archive.stats().objMax).toBe(10);
    // Three insertable solutions at once (and one that is not): K = 3.
    r = addToCells(archive, [5, 5, 5, 5], [1, 3, 0.5, 2]);
    expect(Array.from(r.status)).toEqual([1, 1, 0, 1]);
    expect(Array.from(r.value, (v) => v + t)).toEqual([1, 3, 0.5, 2].map((v) => expect.closeTo(v, 13)));
    const keep = 0.99 ** 3; // 0.970299
    t = keep * t + (1 - keep) * ((1 + 3 + 2) / 3);
    expect(archive.threshold(5)).toBeCloseTo(0.970299 * 0.595 + 0.029701 * 2, 14);
    expect(archive.threshold(5)).toBeCloseTo(t, 14);
    expect(eliteOf(archive, 5)).toMatchObject({ objective: 3, solution: [1, 3] });
  });

  it('measures new-cell values and the first threshold update from a non-zero thresholdMin', () => {
    const archive = lineArchive({ learningRate: 0.5, thresholdMin: -5 });
    // New cell: value f - thresholdMin = -3 - (-5) = 2; t = 0.5 * (-5) + 0.5 * (-3) = -4.
    // -6 is not above -5: rejected with value -1.
    const r = addToCells(archive, [0, 1], [-3, -6]);
    expect(Array.from(r.status)).toEqual([2, 0]);
    expect(Array.from(r.value)).toEqual([2, -1]);
    expect(archive.threshold(0)).toBe(-4);
    expect(archive.threshold(1)).toBe(-5);
    // QD score has no offset by default: the elite's raw objective counts.
    expect(archive.stats().qdScore).toBe(-3);
  });

  it('with learningRate 0 keeps thresholds at thresholdMin, so any f > thresholdMin replaces the elite', () => {
    const archive = lineArchive({ learningRate: 0, thresholdMin: 1 });
    const first = addToCells(archive, [0, 1], [10, 0.5]);
    expect(Array.from(first.status)).toEqual([2, 0]);
    expect(Array.from(first.value)).toEqual([9, -0.5]); // f - thresholdMin for empty cells
    expect(archive.threshold(0)).toBe(1);
    const r = addToCells(archive, [0, 0], [2, 1]);
    expect(Array.from(r.status)).toEqual([1, 0]);
    expect(Array.from(r.value)).toEqual([1, 0]);
    expect(eliteOf(archive, 0).objective).toBe(2);
  });
});

describe('GridArchive sampling, clearing and checkpoints', () => {
  function filled(seed: number, annealing = false): GridArchive {
    const archive = new GridArchive({
      solutionDim: 3,
      dims: [4, 5],
      ranges: [[0, 4], [0, 5]],
      seed,
      ...(annealing ? { learningRate: 0.1, thresholdMin: 0 } : {}),
    });
    const cells = [[0, 0], [1, 2], [3, 4], [2, 2], [3, 0]];
    const solutions = new Float64Array(cells.length * 3);
    cells.forEach((_, j) => solutions.set([j, 10 * j, -j], 3 * j));
    archive.add(solutions, f64(1, 2, 3, 4, 5), Float64Array.from(cells.flat(), (m) => m + 0.5), { iteration: 3 });
    return archive;
  }

  it('samples elites uniformly with replacement over the occupied cells', () => {
    const archive = filled(4);
    const count = 50000;
    const batch = archive.sampleElites(count);
    expect(batch.count).toBe(count);
    expect(batch.solutions.length).toBe(count * 3);
    expect(batch.measures.length).toBe(count * 2);
    const tally = new Map<number, number>();
    for (let i = 0; i < count; i++) {
      const j = batch.solutions[3 * i];
      // Every field of a sampled row belongs to the same elite.
      if (batch.solutions[3 * i + 1] !== 10 * j || batch.objectives[i] !== j + 1 || batch.thresholds[i] !== j + 1) {
        throw new Error(`inconsistent sample row ${i}`);
      }
      if (batch.iterations[i] !== 3) throw new Error('iteration not stored');
      tally.set(j, (tally.get(j) ?? 0) + 1);
    }
    expect([...tally.keys()].sort()).toEqual([0, 1, 2, 3, 4]);
    const expected = count / 5;
    const chi2 = [...tally.values()].reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(23.5); // 4 degrees of freedom, p = 1e-4
    // sampleSolutionsInto draws from the same distribution.
    const out = new Float64Array(3 * 1000);
    archive.sampleSolutionsInto(out, 1000);
    for (let i = 0; i < 1000; i++) expect([0, 1, 2, 3, 4]).toContain(out[3 * i]);
  });

  it('is reproducible with the seed and differs across seeds', () => {
    const a = filled(4).sampleElites(200);
    const b = filled(4).sampleElites(200);
    const c = filled(5).sampleElites(200);
    expect(Array.from(a.cells)).toEqual(Array.from(b.cells));
    expect(Array.from(a.cells)).not.toEqual(Array.from(c.cells));
    expect(filled(4).sampleElites(0).count).toBe(0);
  });

  it('refuses to sample an empty archive', () => {
    expectConfigError(() => lineArchive().sampleElites(1), 'archive', 'at least one elite');
    expectConfigError(() => lineArchive().sampleSolutionsInto(new Float64Array(2), 1), 'archive');
    expectConfigError(() => filled(1).sampleElites(-1), 'count');
  });

  it('clear() empties the archive and resets thresholds', () => {
    const archive = filled(4, true);
    expect(archive.threshold(0)).toBeGreaterThan(0);
    archive.clear();
    expect(archive.empty).toBe(true);
    expect(archive.size).toBe(0);
    expect(archive.elites().count).toBe(0);
    for (let cell = 0; cell < archive.cells; cell++) expect(archive.threshold(cell)).toBe(0);
    expect(archive.stats()).toMatchObject({ numElites: 0, qdScore: 0, coverage: 0 });
    expect(archive.stats().objMax).toBeNaN();
    const r = archive.add(f64(1, 2, 3), f64(0.5), f64(0.5, 0.5));
    expect(Array.from(r.status)).toEqual([2]);
    expect(archive.stats()).toMatchObject({ numElites: 1, qdScore: 0.5, objMax: 0.5 });
  });

  it.each([false, true])('round-trips through JSON (annealing: %s) with identical elites, thresholds, stats and sampling', (annealing) => {
    const archive = filled(9, annealing);
    // Lower the max elite of the annealing archive, so objMax must be recomputed.
    archive.add(f64(7, 7, 7), f64(annealing ? 4.6 : 6), f64(3.5, 4.5), { iteration: 4 });
    archive.sampleElites(17); // advance the sampler
    const state = jsonRoundTrip(archive.serialize());
    const restored = new GridArchive({
      solutionDim: 3,
      dims: [4, 5],
      ranges: [[0, 4], [0, 5]],
      seed: 123,
      ...(annealing ? { learningRate: 0.1, thresholdMin: 0 } : {}),
    });
    restored.restore(state);
    expect(restored.stats()).toEqual(archive.stats());
    const [x, y] = [archive.elites(), restored.elites()];
    expect(Array.from(y.cells)).toEqual(Array.from(x.cells));
    expectBitwiseEqual(y.solutions, x.solutions);
    expectBitwiseEqual(y.objectives, x.objectives);
    expectBitwiseEqual(y.measures, x.measures);
    expectBitwiseEqual(y.thresholds, x.thresholds);
    expect(Array.from(y.iterations)).toEqual(Array.from(x.iterations));
    for (let cell = 0; cell < archive.cells; cell++) expect(Object.is(restored.threshold(cell), archive.threshold(cell))).toBe(true);
    expect(Array.from(restored.sampleElites(100).cells)).toEqual(Array.from(archive.sampleElites(100).cells));
    // Later insertions behave identically too.
    const solutions = f64(1, 1, 1, 2, 2, 2);
    const objectives = f64(0.01, 100);
    const measures = f64(0.5, 0.5, 3.5, 4.5);
    const r1 = archive.add(solutions, objectives, measures);
    const r2 = restored.add(solutions, objectives, measures);
    expect(Array.from(r2.status)).toEqual(Array.from(r1.status));
    expectBitwiseEqual(r2.value, r1.value);
    expect(restored.stats()).toEqual(archive.stats());
  });

  it('keeps -Infinity thresholds of empty elitist cells through JSON', () => {
    const archive = filled(1);
    const grid = new GridArchive({ solutionDim: 3, dims: [4, 5], ranges: [[0, 4], [0, 5]] });
    grid.restore(jsonRoundTrip(archive.serialize()));
    expect(grid.threshold(1)).toBe(-Infinity);
    expect(grid.threshold(0)).toBe(1);
    // An empty cell still accepts any finite objective as new.
    expect(Array.from(grid.add(f64(0, 0, 0), f64(-1e300), f64(0.5, 1.5)).status)).toEqual([2]);
  });

  it('rejects a checkpoint from a differently configured archive', () => {
    const state: CellArchiveState = jsonRoundTrip(filled(1).serialize());
    const annealing = new GridArchive({ solutionDim: 3, dims: [4, 5], ranges: [[0, 4], [0, 5]], learningRate: 0.1, thresholdMin: 0 });
    expectConfigError(() => annealing.restore(state), 'checkpoint.archive.learningRate');
    const wider = new GridArchive({ solutionDim: 4, dims: [4, 5], ranges: [[0, 4], [0, 5]] });
    expectConfigError(() => wider.restore(state), 'checkpoint.archive.solutionDim');
    const bigger = new GridArchive({ solutionDim: 3, dims: [5, 5], ranges: [[0, 4], [0, 5]] });
    expectConfigError(() => bigger.restore(state), 'checkpoint.archive.cells');
  });
});

describe('GridArchive input validation', () => {
  const base: GridArchiveOptions = { solutionDim: 2, dims: [10, 10], ranges: [[0, 1], [0, 1]] };

  it('rejects invalid dims with the allowed values in the message', () => {
    expectConfigError(() => new GridArchive({ ...base, dims: [] }), 'dims', 'non-empty array');
    expectConfigError(() => new GridArchive({ ...base, dims: [10, 0] }), 'dims[1]', 'an integer >= 1');
    expectConfigError(() => new GridArchive({ ...base, dims: [2.5, 10] }), 'dims[0]', 'an integer >= 1');
    expectConfigError(() => new GridArchive({ ...base, dims: [-3, 10] }), 'dims[0]');
    expectConfigError(() => new GridArchive({ ...base, dims: [Number.NaN, 10] }), 'dims[0]');
    expectConfigError(() => new GridArchive({ ...base, dims: [1e5, 1e5] }), 'dims', '2^31');
  });

  it('rejects inverted, empty, non-finite or missing ranges', () => {
    expectConfigError(() => new GridArchive({ ...base, ranges: [[0, 1], [1, 0]] }), 'ranges[1]', 'low < high');
    expectConfigError(() => new GridArchive({ ...base, ranges: [[1, 1], [0, 1]] }), 'ranges[0]', 'low < high');
    expectConfigError(() => new GridArchive({ ...base, ranges: [[0, Infinity], [0, 1]] }), 'ranges[0]', 'finite');
    expectConfigError(() => new GridArchive({ ...base, ranges: [[Number.NaN, 1], [0, 1]] }), 'ranges[0]');
    expectConfigError(() => new GridArchive({ ...base, ranges: [[0, 1]] }), 'ranges', '2 [low, high] pairs');
  });

  it('rejects learning rates outside [0, 1] and thresholdMin -Infinity with annealing', () => {
    expectConfigError(() => new GridArchive({ ...base, learningRate: 1.5 }), 'learningRate', 'a number in [0, 1]');
    expectConfigError(() => new GridArchive({ ...base, learningRate: -0.01 }), 'learningRate', 'a number in [0, 1]');
    expectConfigError(() => new GridArchive({ ...base, learningRate: Number.NaN }), 'learningRate');
    expectConfigError(() => new GridArchive({ ...base, learningRate: 0.5 }), 'thresholdMin', 'a finite number when learningRate < 1');
    expectConfigError(() => new GridArchive({ ...base, learningRate: 0.5, thresholdMin: -Infinity }), 'thresholdMin');
    expectConfigError(() => new GridArchive({ ...base, thresholdMin: Infinity }), 'thresholdMin', 'a finite number');
    expectConfigError(() => new GridArchive({ ...base, thresholdMin: Number.NaN }), 'thresholdMin');
    expectConfigError(() => new GridArchive({ ...base, solutionDim: 0 }), 'solutionDim', 'an integer >= 1');
    expectConfigError(() => new GridArchive({ ...base, qdScoreOffset: Number.NaN }), 'qdScoreOffset', 'a finite number');
    // Valid edge values.
    expect(new GridArchive({ ...base, learningRate: 0, thresholdMin: 0 }).learningRate).toBe(0);
    expect(new GridArchive({ ...base, learningRate: 1, thresholdMin: 0 }).threshold(0)).toBe(0);
  });

  it('rejects non-finite objectives and measures and wrong lengths without changing the archive', () => {
    const archive = new GridArchive(base);
    archive.add(f64(1, 1), f64(1), f64(0.5, 0.5));
    const before = JSON.stringify(archive.serialize());
    expectConfigError(() => archive.add(f64(0, 0, 1, 1), f64(2, Number.NaN), f64(0.1, 0.1, 0.2, 0.2)), 'objectives[1]', 'a finite number');
    expectConfigError(() => archive.add(f64(0, 0), f64(Infinity), f64(0.1, 0.1)), 'objectives[0]');
    expectConfigError(() => archive.add(f64(0, 0, 1, 1), f64(2, 3), f64(0.1, 0.1, 0.2, -Infinity)), 'measures[1][1]', 'a finite number');
    expectConfigError(() => archive.add(f64(0, 0), f64(2), f64(Number.NaN, 0.1)), 'measures[0][0]');
    expectConfigError(() => archive.add(f64(0, 0, 1), f64(2, 3), f64(0.1, 0.1, 0.2, 0.2)), 'solutions', '2 x 2 = 4 values');
    expectConfigError(() => archive.add(f64(0, 0, 1, 1), f64(2, 3), f64(0.1, 0.1, 0.2)), 'measures', '2 x 2 = 4 values');
    expectConfigError(() => archive.add(f64(), f64(), f64()), 'objectives', 'at least one solution');
    expect(JSON.stringify(archive.serialize())).toBe(before);
  });
});
