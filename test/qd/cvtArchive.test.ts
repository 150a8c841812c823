import type { CellArchiveState } from '../../src/qd/archives/cellArchive';
import { CvtArchive, type CvtArchiveOptions } from '../../src/qd/archives/cvtArchive';
import { GridArchive } from '../../src/qd/archives/gridArchive';
import { SeededRandom } from '../../src/qd/random';
import { expectBitwiseEqual, expectConfigError, jsonRoundTrip } from './helpers';

const f64 = (...values: number[]) => Float64Array.from(values);

/** Brute-force nearest centroid, lowest index on ties. */
function nearestCentroid(centroids: Float64Array, dim: number, measures: ArrayLike<number>, offset = 0): number {
  let best = Infinity;
  let index = -1;
  for (let c = 0; c < centroids.length / dim; c++) {
    let s = 0;
    for (let d = 0; d < dim; d++) s += (measures[offset + d] - centroids[c * dim + d]) ** 2;
    if (s < best) {
      best = s;
      index = c;
    }
  }
  return index;
}

/** Uniform points in the box (count x ranges.length), widened by `margin` of each range on both sides. */
function uniformIn(ranges: Array<[number, number]>, count: number, seed: number, margin = 0): Float64Array {
  const random = new SeededRandom(seed);
  const out = new Float64Array(count * ranges.length);
  for (let i = 0; i < count; i++) {
    ranges.forEach(([low, high], d) => {
      const width = high - low;
      out[i * ranges.length + d] = low - margin * width + random.uniform() * width * (1 + 2 * margin);
    });
  }
  return out;
}

/** A 1-D archive with given centroids 0.5, 1.5, ..., 9.5: measure c + 0.5 lands in cell c, as in a 10-cell grid. */
function lineArchive(options: Partial<CvtArchiveOptions> = {}): CvtArchive {
  return new CvtArchive({ solutionDim: 2, cells: 10, ranges: [[0, 10]], centroids: Float64Array.from({ length: 10 }, (_, c) => c + 0.5), seed: 1, ...options });
}

function addToCells(archive: CvtArchive | GridArchive, cells: number[], f: number[], iteration = 0) {
  const solutions = new Float64Array(cells.length * 2);
  cells.forEach((_, j) => solutions.set([j, f[j]], 2 * j));
  return archive.add(solutions, Float64Array.from(f), Float64Array.from(cells, (c) => c + 0.5), { iteration });
}

function eliteOf(archive: CvtArchive, cell: number) {
  const elite = archive.elite(cell);
  if (!elite) throw new Error(`cell ${cell} is empty`);
  return { objective: elite.objectives[0], solution: Array.from(elite.solutions), threshold: elite.thresholds[0], iteration: elite.iterations[0] };
}

const RANGES_2D: Array<[number, number]> = [[-1, 1], [0, 10]];
const small = (options: Partial<CvtArchiveOptions> = {}) => new CvtArchive({ solutionDim: 3, cells: 200, ranges: RANGES_2D, samples: 10000, seed: 4, ...options });

describe('CvtArchive centroids', () => {
  const archive = small();
  const centroids = archive.centroids;

  it('places every centroid inside the ranges, distinct, with kind cvt and the options as fields', () => {
    expect(archive.cells).toBe(200);
    expect(archive.measureDim).toBe(2);
    expect(archive.solutionDim).toBe(3);
    expect(archive.ranges).toEqual([[-1, 1], [0, 10]]);
    expect(archive.serialize().kind).toBe('cvt');
    expect(centroids.length).toBe(400);
    const distinct = new Set<string>();
    for (let c = 0; c < 200; c++) {
      const [x, y] = archive.centroid(c);
      expect(x).toBeGreaterThan(-1);
      expect(x).toBeLessThan(1);
      expect(y).toBeGreaterThan(0);
      expect(y).toBeLessThan(10);
      expect([x, y]).toEqual([centroids[2 * c], centroids[2 * c + 1]]);
      distinct.add(`${x},${y}`);
    }
    expect(distinct.size).toBe(200);
  });

  it('covers the ranges with cells of similar volume', () => {
    const queries = 100000;
    const q = uniformIn(RANGES_2D, queries, 8);
    const counts = new Int32Array(200);
    for (let j = 0; j < queries; j++) counts[archive.index(q.subarray(2 * j, 2 * j + 2))]++;
    // Every cell is hit, and no cell holds more than 3x or less than 1/3 of the average 500.
    expect(Math.min(...counts)).toBeGreaterThan(500 / 3);
    expect(Math.max(...counts)).toBeLessThan(500 * 3);
    // Distances are Euclidean in raw measure units: 200 cells over a 2 x 10 box are about
    // 0.32 wide (area 0.1), and no point of the box, corners included, is much farther than
    // that from its centroid.
    let worst = 0;
    for (let j = 0; j < queries; j++) {
      const c = archive.index(q.subarray(2 * j, 2 * j + 2));
      worst = Math.max(worst, Math.hypot(centroids[2 * c] - q[2 * j], centroids[2 * c + 1] - q[2 * j + 1]));
    }
    expect(worst).toBeLessThan(0.45);
    for (const corner of [[-1, 0], [-1, 10], [1, 0], [1, 10]]) {
      const c = archive.index(corner);
      expect(Math.hypot(centroids[2 * c] - corner[0], centroids[2 * c + 1] - corner[1])).toBeLessThan(0.4);
    }
  });

  it('maps measures to the brute-force nearest centroid, also outside the ranges', () => {
    const queries = 5000;
    const q = uniformIn(RANGES_2D, queries, 9, 0.5);
    for (let j = 0; j < queries; j++) {
      const expected = nearestCentroid(centroids, 2, q, 2 * j);
      if (archive.index(q.subarray(2 * j, 2 * j + 2)) !== expected) throw new Error(`query ${j}: cell differs from brute force ${expected}`);
    }
    // Batch insertion uses the same lookup: one solution per query, each lands in its nearest cell.
    const fresh = small();
    const n = 300;
    fresh.add(new Float64Array(n * 3), Float64Array.from({ length: n }, (_, j) => j), q.subarray(0, 2 * n));
    const elites = fresh.elites();
    for (let i = 0; i < elites.count; i++) {
      expect(elites.cells[i]).toBe(nearestCentroid(centroids, 2, elites.measures, 2 * i));
    }
  });

  it('agrees with brute force in 4-D with 1000 cells', () => {
    const ranges: Array<[number, number]> = [[0, 1], [0, 2], [-1, 1], [5, 6]];
    const cvt = new CvtArchive({ solutionDim: 1, cells: 1000, ranges, samples: 10000, kMeansIterations: 5, seed: 2 });
    const c4 = cvt.centroids;
    const q = uniformIn(ranges, 2000, 3, 0.2);
    for (let j = 0; j < 2000; j++) {
      if (cvt.index(q.subarray(4 * j, 4 * j + 4)) !== nearestCentroid(c4, 4, q, 4 * j)) throw new Error(`query ${j} differs`);
    }
  });

  it('is deterministic: the same options give bit-identical centroids; the seed changes them', () => {
    expectBitwiseEqual(small().centroids, centroids);
    expect(Array.from(small({ seed: 5 }).centroids)).not.toEqual(Array.from(centroids));
    // centroidSeed decouples the centroids from the sampling seed.
    expectBitwiseEqual(small({ seed: 77, centroidSeed: 4 }).centroids, centroids);
    expect(Array.from(small({ centroidSeed: 5 }).centroids)).not.toEqual(Array.from(centroids));
  });

  it('returns a copy of the centroids and uses given centroids verbatim', () => {
    const copy = archive.centroids;
    copy.fill(0);
    expectBitwiseEqual(archive.centroids, centroids);
    const given = uniformIn(RANGES_2D, 50, 1, 0.5); // may lie outside the ranges
    const custom = new CvtArchive({ solutionDim: 1, cells: 50, ranges: RANGES_2D, centroids: given });
    expectBitwiseEqual(custom.centroids, given);
    given.fill(0); // the archive keeps its own copy
    expect(custom.centroids.every((v) => v !== 0)).toBe(true);
    for (let c = 0; c < 50; c++) expect(custom.index(custom.centroid(c))).toBe(c);
    // Sharing centroids between archives gives them the same cells.
    const twin = new CvtArchive({ solutionDim: 3, cells: 200, ranges: RANGES_2D, centroids: archive.centroids, seed: 123 });
    const q = uniformIn(RANGES_2D, 500, 2);
    for (let j = 0; j < 500; j++) expect(twin.index(q.subarray(2 * j, 2 * j + 2))).toBe(archive.index(q.subarray(2 * j, 2 * j + 2)));
  });

  it('builds 10,000 cells in 2-D within seconds, with the default samples', () => {
    const start = performance.now();
    const big = new CvtArchive({ solutionDim: 1, cells: 10000, ranges: [[-1, 1], [-1, 1]], seed: 1 });
    expect(performance.now() - start).toBeLessThan(15000);
    const c = big.centroids;
    expect(c.every((v) => v > -1 && v < 1)).toBe(true);
    const q = uniformIn([[-1.2, 1.2], [-1.2, 1.2]], 300, 5);
    for (let j = 0; j < 300; j++) expect(big.index(q.subarray(2 * j, 2 * j + 2))).toBe(nearestCentroid(c, 2, q, 2 * j));
  });
});

describe('CvtArchive insertion (as in GridArchive)', () => {
  it('elitist: NEW / IMPROVED_EXISTING / NOT_ADDED with values f - t, the same as a grid with the same cells', () => {
    const archive = lineArchive();
    const grid = new GridArchive({ solutionDim: 2, dims: [10], ranges: [[0, 10]], seed: 1 });
    const first = addToCells(archive, [0, 1, 1, 2, 4, 4], [5, 3, 7, -2, 6, 6]);
    expect(Array.from(first.status)).toEqual([2, 2, 2, 2, 2, 2]);
    expect(Array.from(first.value)).toEqual([5, 3, 7, -2, 6, 6]);
    expect(eliteOf(archive, 1)).toMatchObject({ objective: 7, threshold: 7, solution: [2, 7] });
    expect(eliteOf(archive, 4)).toMatchObject({ objective: 6, solution: [4, 6] }); // first of a tie wins
    const second = addToCells(archive, [0, 1, 1, 1, 1, 2, 3], [5, 6, 8, 9, 9, -1, 1], 1);
    expect(Array.from(second.status)).toEqual([0, 0, 1, 1, 1, 1, 2]);
    expect(Array.from(second.value)).toEqual([0, -1, 1, 2, 2, 1, 1]);
    expect(eliteOf(archive, 1)).toMatchObject({ objective: 9, threshold: 9, solution: [3, 9], iteration: 1 });
    expect(archive.stats()).toEqual({ numElites: 5, coverage: 0.5, qdScore: 20, normQdScore: 2, objMax: 9, objMean: 4 });

    addToCells(grid, [0, 1, 1, 2, 4, 4], [5, 3, 7, -2, 6, 6]);
    addToCells(grid, [0, 1, 1, 1, 1, 2, 3], [5, 6, 8, 9, 9, -1, 1], 1);
    expect(archive.stats()).toEqual(grid.stats());
    for (let cell = 0; cell < 10; cell++) expect(archive.threshold(cell)).toBe(grid.threshold(cell));
  });

  it('annealing (CMA-MAE, a = 0.5): t <- (1-a)^K t + (1 - (1-a)^K) mean(f), elites replaced below their objective', () => {
    const archive = lineArchive({ learningRate: 0.5, thresholdMin: 0 });
    const first = addToCells(archive, [0, 1, 2, 3, 3], [4, -1, 0, 2, 6]);
    expect(Array.from(first.status)).toEqual([2, 0, 0, 2, 2]);
    expect(Array.from(first.value)).toEqual([4, -1, 0, 2, 6]);
    expect(archive.elite(1)).toBeNull();
    expect(eliteOf(archive, 0)).toMatchObject({ objective: 4, threshold: 2 });
    expect(eliteOf(archive, 3)).toMatchObject({ objective: 6, threshold: 3 });
    const second = addToCells(archive, [0, 3, 3, 3], [3, 2.5, 5, 1]);
    expect(Array.from(second.status)).toEqual([1, 0, 1, 0]);
    expect(Array.from(second.value)).toEqual([1, -0.5, 2, -2]);
    expect(eliteOf(archive, 0)).toMatchObject({ objective: 3, threshold: 2.5 });
    expect(eliteOf(archive, 3)).toMatchObject({ objective: 5, threshold: 4 });
    expect(archive.stats()).toEqual({ numElites: 2, coverage: 0.2, qdScore: 8, normQdScore: 0.8, objMax: 5, objMean: 4 });
  });
});

describe('CvtArchive checkpoints', () => {
  function filled(options: Partial<CvtArchiveOptions> = {}): CvtArchive {
    const archive = small({ learningRate: 0.1, thresholdMin: 0, ...options });
    const q = uniformIn(RANGES_2D, 400, 6);
    const random = new SeededRandom(3);
    archive.add(Float64Array.from({ length: 1200 }, () => random.normal()), Float64Array.from({ length: 400 }, () => random.uniform() * 10), q, { iteration: 2 });
    return archive;
  }

  it('restores into an archive built with the same options: same elites, thresholds, stats and sampling', () => {
    const archive = filled();
    archive.sampleElites(5);
    const state = jsonRoundTrip(archive.serialize());
    expect(typeof state.centroidDigest).toBe('string');
    const restored = small({ learningRate: 0.1, thresholdMin: 0 });
    restored.restore(state);
    expectBitwiseEqual(restored.centroids, archive.centroids);
    expect(restored.stats()).toEqual(archive.stats());
    const [x, y] = [archive.elites(), restored.elites()];
    expect(Array.from(y.cells)).toEqual(Array.from(x.cells));
    expectBitwiseEqual(y.solutions, x.solutions);
    expectBitwiseEqual(y.measures, x.measures);
    for (let cell = 0; cell < 200; cell++) expect(restored.threshold(cell)).toBe(archive.threshold(cell));
    expect(Array.from(restored.sampleElites(50).cells)).toEqual(Array.from(archive.sampleElites(50).cells));
    // Both continue identically.
    const q = uniformIn(RANGES_2D, 100, 12);
    const f = Float64Array.from({ length: 100 }, (_, j) => j / 10);
    const a = archive.add(new Float64Array(300), f, q);
    const b = restored.add(new Float64Array(300), f, q);
    expect(Array.from(b.status)).toEqual(Array.from(a.status));
    expect(restored.stats()).toEqual(archive.stats());
  });

  it('refuses a checkpoint of an archive with other centroids, or of another kind', () => {
    const state = jsonRoundTrip(filled().serialize());
    const other = small({ seed: 99, learningRate: 0.1, thresholdMin: 0 });
    expectConfigError(() => other.restore(state), 'checkpoint.archive.centroidDigest');
    expectConfigError(() => other.restore({ ...state, centroidDigest: undefined } as CellArchiveState), 'checkpoint.archive.centroidDigest');
    const grid = new GridArchive({ solutionDim: 3, dims: [20, 10], ranges: RANGES_2D, learningRate: 0.1, thresholdMin: 0 });
    expectConfigError(() => other.restore(grid.serialize()), 'checkpoint.archive.kind', 'cvt');
    expectConfigError(() => grid.restore(state), 'checkpoint.archive.kind', 'grid');
    // An archive whose centroids were given as the same values accepts it.
    const same = new CvtArchive({ solutionDim: 3, cells: 200, ranges: RANGES_2D, centroids: small().centroids, learningRate: 0.1, thresholdMin: 0 });
    same.restore(state);
    expect(same.size).toBe(filled().size);
  });
});

describe('CvtArchive options', () => {
  const base: CvtArchiveOptions = { solutionDim: 2, cells: 10, ranges: [[0, 1], [0, 1]], samples: 100 };

  it('rejects invalid options, naming the parameter', () => {
    expectConfigError(() => new CvtArchive({ ...base, cells: 0 }), 'cells', 'an integer in [1,');
    expectConfigError(() => new CvtArchive({ ...base, cells: 2.5 }), 'cells');
    expectConfigError(() => new CvtArchive({ ...base, ranges: [] }), 'ranges');
    expectConfigError(() => new CvtArchive({ ...base, ranges: [[0, 1], [1, 0]] }), 'ranges[1]', 'low < high');
    expectConfigError(() => new CvtArchive({ ...base, ranges: [[0, 0], [0, 1]] }), 'ranges[0]', 'low < high');
    expectConfigError(() => new CvtArchive({ ...base, ranges: [[0, Infinity]] }), 'ranges[0]');
    expectConfigError(() => new CvtArchive({ ...base, ranges: [[0, 1, 2]] as unknown as Array<[number, number]> }), 'ranges[0]');
    expectConfigError(() => new CvtArchive({ ...base, samples: 9 }), 'samples', 'an integer >= 10');
    expectConfigError(() => new CvtArchive({ ...base, samples: 10.5 }), 'samples');
    expectConfigError(() => new CvtArchive({ ...base, centroids: new Float64Array(19) }), 'centroids', '10 x 2 = 20 values');
    expectConfigError(() => new CvtArchive({ ...base, centroids: new Float64Array(10) }), 'centroids');
    expectConfigError(() => new CvtArchive({ ...base, centroids: [0, 1] as unknown as Float64Array }), 'centroids');
    const bad = new Float64Array(20);
    bad[7] = Number.NaN;
    expectConfigError(() => new CvtArchive({ ...base, centroids: bad }), 'centroids[7]', 'a finite number');
    expectConfigError(() => new CvtArchive({ ...base, kMeansIterations: -1 }), 'kMeansIterations');
    expectConfigError(() => new CvtArchive({ ...base, centroidSeed: -1 }), 'centroidSeed');
    expectConfigError(() => new CvtArchive({ ...base, seed: 1.5 }), 'seed');
    // Options checked by CellArchive.
    expectConfigError(() => new CvtArchive({ ...base, solutionDim: 0 }), 'solutionDim');
    expectConfigError(() => new CvtArchive({ ...base, learningRate: 2 }), 'learningRate');
    expectConfigError(() => new CvtArchive({ ...base, learningRate: 0.5 }), 'thresholdMin');
    // Lookups.
    const archive = new CvtArchive(base);
    expectConfigError(() => archive.index([0.5]), 'measures', '2 values');
    expectConfigError(() => archive.index([0.5, Number.NaN]), 'measures[1]');
    expectConfigError(() => archive.centroid(10), 'cell');
  });

  it('accepts samples = cells and a single cell', () => {
    expect(new CvtArchive({ ...base, samples: 10 }).cells).toBe(10);
    const one = new CvtArchive({ solutionDim: 1, cells: 1, ranges: [[0, 4]], samples: 1000 });
    expect(one.centroid(0)[0]).toBeCloseTo(2, 1);
    expect(one.index([-100])).toBe(0);
  });
});
