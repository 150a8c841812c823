import { kMeans } from '../../src/qd/archives/kMeans';
import { SeededRandom } from '../../src/qd/random';
import { expectBitwiseEqual, expectConfigError } from './helpers';

/** `perCluster` Gaussian points (std `spread`) around each centre, interleaved across clusters. */
function blobs(centres: number[][], perCluster: number, spread: number, seed: number): Float64Array {
  const random = new SeededRandom(seed);
  const dim = centres[0].length;
  const points = new Float64Array(centres.length * perCluster * dim);
  let p = 0;
  for (let i = 0; i < perCluster; i++) {
    for (const centre of centres) {
      for (let d = 0; d < dim; d++) points[p++] = centre[d] + spread * random.normal();
    }
  }
  return points;
}

function uniformPoints(count: number, dim: number, seed: number): Float64Array {
  const random = new SeededRandom(seed);
  return Float64Array.from({ length: count * dim }, () => random.uniform());
}

function nearest(centroids: Float64Array, dim: number, points: Float64Array, i: number): number {
  let best = Infinity;
  let index = -1;
  for (let c = 0; c < centroids.length / dim; c++) {
    let s = 0;
    for (let d = 0; d < dim; d++) s += (points[i * dim + d] - centroids[c * dim + d]) ** 2;
    if (s < best) {
      best = s;
      index = c;
    }
  }
  return index;
}

function inertia(centroids: Float64Array, dim: number, points: Float64Array): number {
  let total = 0;
  for (let i = 0; i < points.length / dim; i++) {
    const c = nearest(centroids, dim, points, i);
    for (let d = 0; d < dim; d++) total += (points[i * dim + d] - centroids[c * dim + d]) ** 2;
  }
  return total;
}

describe('kMeans', () => {
  it.each([
    [[[0, 0], [10, 0], [0, 10], [10, 10]], 1],
    [[[-5, 2, 0], [5, 2, 1], [0, -8, 3], [0, 0, 12], [9, 9, 9]], 2],
  ])('recovers well-separated clusters (%j)', (centres, dataSeed) => {
    const dim = centres[0].length;
    const points = blobs(centres, 200, 0.5, dataSeed);
    // Plain k-means++ puts two seeds in one blob with a small probability (about 4% for the 4
    // blobs), which Lloyd's algorithm cannot undo; over 20 seeds nearly every run recovers all.
    let recovered = 0;
    for (let seed = 0; seed < 20; seed++) {
      const { centroids, converged } = kMeans(points, dim, { k: centres.length, seed });
      expect(converged).toBe(true);
      // One centroid within 0.15 of each true centre (the mean of 200 points with std 0.5 is
      // within about 0.1 of it).
      const matched = new Set<number>();
      for (const centre of centres) {
        const c = nearest(centroids, dim, Float64Array.from(centre), 0);
        let distance2 = 0;
        for (let d = 0; d < dim; d++) distance2 += (centroids[c * dim + d] - centre[d]) ** 2;
        if (Math.sqrt(distance2) < 0.15) matched.add(c);
      }
      if (matched.size === centres.length) recovered++;
    }
    expect(recovered).toBeGreaterThanOrEqual(17);
  });

  it('is deterministic with a seed and depends on it', () => {
    const points = uniformPoints(3000, 2, 7);
    const a = kMeans(points, 2, { k: 40, seed: 3 });
    const b = kMeans(points, 2, { k: 40, seed: 3 });
    const c = kMeans(points, 2, { k: 40, seed: 4 });
    expectBitwiseEqual(a.centroids, b.centroids);
    expect(a.iterations).toBe(b.iterations);
    expect(Array.from(a.centroids)).not.toEqual(Array.from(c.centroids));
    // The input is left untouched.
    expectBitwiseEqual(points, uniformPoints(3000, 2, 7));
  });

  it('ends at a Lloyd fixed point: with tolerance 0 every centroid is the mean of its nearest points', () => {
    const dim = 3;
    const points = uniformPoints(2000, dim, 11);
    const k = 25;
    const result = kMeans(points, dim, { k, tolerance: 0, maxIterations: 1000, seed: 5 });
    expect(result.converged).toBe(true);
    const sums = new Float64Array(k * dim);
    const sizes = new Int32Array(k);
    for (let i = 0; i < 2000; i++) {
      const c = nearest(result.centroids, dim, points, i);
      sizes[c]++;
      for (let d = 0; d < dim; d++) sums[c * dim + d] += points[i * dim + d];
    }
    for (let c = 0; c < k; c++) {
      expect(sizes[c]).toBeGreaterThan(0);
      for (let d = 0; d < dim; d++) expect(result.centroids[c * dim + d]).toBeCloseTo(sums[c * dim + d] / sizes[c], 12);
    }
  });

  it('lowers the inertia of the k-means++ seeding, whose centres are data points', () => {
    const points = uniformPoints(5000, 2, 2);
    const seeding = kMeans(points, 2, { k: 100, maxIterations: 0, seed: 1 });
    expect(seeding.iterations).toBe(0);
    expect(seeding.converged).toBe(false);
    const rows = new Set<string>();
    for (let i = 0; i < 5000; i++) rows.add(`${points[2 * i]},${points[2 * i + 1]}`);
    for (let c = 0; c < 100; c++) expect(rows.has(`${seeding.centroids[2 * c]},${seeding.centroids[2 * c + 1]}`)).toBe(true);
    const lloyd = kMeans(points, 2, { k: 100, seed: 1 });
    expect(lloyd.iterations).toBeGreaterThan(1);
    expect(inertia(lloyd.centroids, 2, points)).toBeLessThan(0.9 * inertia(seeding.centroids, 2, points));
  });

  it('handles k = 1, k = count and repeated points', () => {
    const points = Float64Array.of(0, 0, 2, 0, 2, 2, 0, 2);
    expect(Array.from(kMeans(points, 2, { k: 1 }).centroids)).toEqual([1, 1]);
    const all = kMeans(points, 2, { k: 4, seed: 9 }).centroids;
    expect(Array.from({ length: 4 }, (_, c) => `${all[2 * c]},${all[2 * c + 1]}`).sort()).toEqual(['0,0', '0,2', '2,0', '2,2']);
    // 12 points at only 3 distinct locations, 5 clusters: two centroids must repeat a location.
    const repeated = Float64Array.from({ length: 24 }, (_, i) => (i % 2 === 0 ? Math.floor(i / 2) % 3 : 1));
    const result = kMeans(repeated, 2, { k: 5, seed: 2 });
    expect(result.centroids.every(Number.isFinite)).toBe(true);
    const locations = new Set(Array.from({ length: 5 }, (_, c) => `${result.centroids[2 * c]},${result.centroids[2 * c + 1]}`));
    expect([...locations].sort()).toEqual(['0,1', '1,1', '2,1']);
  });

  it('rejects invalid arguments, naming the parameter', () => {
    const points = uniformPoints(10, 2, 1);
    expectConfigError(() => kMeans(points, 2, { k: 0 }), 'k', 'an integer in [1, 10]');
    expectConfigError(() => kMeans(points, 2, { k: 11 }), 'k', 'an integer in [1, 10]');
    expectConfigError(() => kMeans(points, 2, { k: 2.5 }), 'k');
    expectConfigError(() => kMeans(points, 3, { k: 2 }), 'points', 'multiple of dim');
    expectConfigError(() => kMeans(new Float64Array(0), 2, { k: 1 }), 'points');
    expectConfigError(() => kMeans(Float64Array.of(0, Number.NaN), 2, { k: 1 }), 'points[1]', 'a finite number');
    expectConfigError(() => kMeans(points, 0, { k: 1 }), 'dim');
    expectConfigError(() => kMeans(points, 2, { k: 2, maxIterations: -1 }), 'maxIterations');
    expectConfigError(() => kMeans(points, 2, { k: 2, tolerance: -1 }), 'tolerance');
    expectConfigError(() => kMeans(points, 2, { k: 2, tolerance: Number.NaN }), 'tolerance');
    expectConfigError(() => kMeans(points, 2, { k: 2, seed: -1 }), 'seed');
  });
});
