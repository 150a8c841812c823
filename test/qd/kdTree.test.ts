import { KdTree } from '../../src/qd/archives/kdTree';
import { SeededRandom } from '../../src/qd/random';
import { expectConfigError } from './helpers';

/** Brute force: index of the nearest point (first on ties), its squared distance and the second's. */
function bruteForce(points: Float64Array, dim: number, query: ArrayLike<number>, offset: number, exclude = -1) {
  let best = Infinity;
  let second = Infinity;
  let index = -1;
  for (let i = 0; i < points.length / dim; i++) {
    if (i === exclude) continue;
    let s = 0;
    for (let d = 0; d < dim; d++) s += (query[offset + d] - points[i * dim + d]) ** 2;
    if (s < best) {
      second = best;
      best = s;
      index = i;
    } else if (s < second) {
      second = s;
    }
  }
  return { index, best, second };
}

function uniform(random: SeededRandom, length: number, low = 0, high = 1): Float64Array {
  return Float64Array.from({ length }, () => low + random.uniform() * (high - low));
}

describe('KdTree', () => {
  it.each([
    [1, 1],
    [1, 50],
    [2, 2],
    [2, 7],
    [2, 2000],
    [3, 500],
    [5, 1000],
    [8, 300],
  ])('agrees with brute force on random queries (dim %i, %i points)', (dim, count) => {
    const random = new SeededRandom(dim * 1000 + count);
    const points = uniform(random, count * dim);
    const tree = new KdTree(points, dim);
    expect(tree.count).toBe(count);
    const queries = 1000;
    // Queries reach past the points' box on every side.
    const q = uniform(random, queries * dim, -0.5, 1.5);
    for (let j = 0; j < queries; j++) {
      const expected = bruteForce(points, dim, q, j * dim);
      const got = tree.nearest(q, j * dim);
      if (got !== expected.index || tree.lastDistanceSquared !== expected.best) {
        throw new Error(`query ${j}: tree says ${got}, brute force ${expected.index}`);
      }
      // A guess only speeds the search.
      if (tree.nearest(q, j * dim, random.integer(count)) !== expected.index) throw new Error(`query ${j}: guess changed the result`);
      const two = tree.nearestTwo(q, j * dim);
      if (two !== expected.index || tree.lastDistanceSquared !== expected.best || tree.lastSecondDistanceSquared !== expected.second) {
        throw new Error(`query ${j}: nearestTwo says ${two}, ${tree.lastSecondDistanceSquared}; brute force ${expected.index}, ${expected.second}`);
      }
    }
    for (let i = 0; i < count; i++) {
      const expected = bruteForce(points, dim, points, i * dim, i);
      const other = tree.nearestOther(i);
      if (other !== expected.index || (other >= 0 && tree.lastDistanceSquared !== expected.best)) {
        throw new Error(`point ${i}: nearestOther says ${other}, brute force ${expected.index}`);
      }
    }
  });

  it('breaks ties towards the lowest index, with duplicates and equidistant queries', () => {
    // A 5 x 5 integer lattice, each point stored three times (indices p, p + 25, p + 50).
    const lattice: number[] = [];
    for (let x = 0; x < 5; x++) for (let y = 0; y < 5; y++) lattice.push(x, y);
    const points = Float64Array.from([...lattice, ...lattice, ...lattice]);
    const tree = new KdTree(points, 2, 2);
    // Lattice points, cell centres (4 equidistant points) and edge midpoints (2 equidistant).
    for (let x = -1; x <= 5; x += 0.5) {
      for (let y = -1; y <= 5; y += 0.5) {
        const q = [x, y];
        expect(tree.nearest(q)).toBe(bruteForce(points, 2, q, 0).index);
        expect(tree.nearestTwo(q)).toBe(bruteForce(points, 2, q, 0).index);
        expect(tree.lastSecondDistanceSquared).toBe(bruteForce(points, 2, q, 0).second);
      }
    }
    // The nearest other point of a duplicated point is its lowest-index copy, at distance 0.
    expect(tree.nearestOther(30)).toBe(5);
    expect(tree.lastDistanceSquared).toBe(0);
    expect(tree.nearestOther(5)).toBe(30);
  });

  it('handles a single point and all-identical points', () => {
    const one = new KdTree(Float64Array.of(1, 2), 2);
    expect(one.nearest([5, 5])).toBe(0);
    expect(one.nearestTwo([5, 5])).toBe(0);
    expect(one.lastSecondDistanceSquared).toBe(Infinity);
    expect(one.nearestOther(0)).toBe(-1);
    const same = new KdTree(new Float64Array(300).fill(0.25), 3);
    expect(same.nearest([1, 1, 1])).toBe(0);
    expect(same.nearestOther(0)).toBe(1);
  });

  it('rejects invalid points', () => {
    expectConfigError(() => new KdTree(new Float64Array(0), 2), 'points');
    expectConfigError(() => new KdTree(new Float64Array(5), 2), 'points', 'multiple of dim');
    expectConfigError(() => new KdTree(Float64Array.of(0, Number.NaN), 2), 'points[1]', 'a finite number');
    expectConfigError(() => new KdTree(new Float64Array(4), 0), 'dim');
    expectConfigError(() => new KdTree(new Float64Array(4), 2, 0), 'leafSize');
  });
});
