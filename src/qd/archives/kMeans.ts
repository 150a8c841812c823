import { QdConfigError } from '../errors';
import { SeededRandom } from '../random';
import { requireAllFinite, requireInteger } from '../validation';
import { KdTree } from './kdTree';

export interface KMeansOptions {
  /** Number of clusters (1 <= k <= number of points). */
  k: number;
  /** Most Lloyd iterations after the k-means++ seeding (default 300; 0 returns the seeding). */
  maxIterations?: number;
  /**
   * Stops when the sum over centroids of their squared shift in one iteration is at most
   * tolerance x the mean per-axis variance of the points (scikit-learn's rule; default 1e-4).
   * Iteration also stops as soon as no point changes cluster.
   */
  tolerance?: number;
  /** Seed of the k-means++ seeding (default 0). */
  seed?: number;
}

export interface KMeansResult {
  /** k x dim, row-major. */
  centroids: Float64Array;
  /** Lloyd iterations run. */
  iterations: number;
  /** Whether a stopping rule was met before maxIterations. */
  converged: boolean;
}

/**
 * k-means clustering of `points` (count x dim, row-major): k-means++ seeding (Arthur &
 * Vassilvitskii 2007) then Lloyd's algorithm. Deterministic for a given seed, on any platform
 * (only +, -, *, / and comparisons touch the data).
 *
 * Both phases avoid the O(count x k) cost of a naive implementation:
 * - seeding keeps the points grouped by their nearest centre, with each group's largest
 *   distance r; a new centre c can only take points from a group of centre g when
 *   |c - g| < 2r (triangle inequality), so most groups are skipped, and the D^2-weighted draw
 *   first picks a group by its weight total, then a point inside it;
 * - Lloyd's assignment step follows Hamerly (2010): each point keeps an upper bound on the
 *   distance to its centroid and a lower bound on the distance to any other, moved by the
 *   centroid shifts each iteration, and is searched only when the bounds (or half the gap from
 *   its centroid to the nearest other centroid) cannot rule out a closer centroid; a search is a
 *   two-nearest query on a k-d tree over the current centroids.
 * Points move only to a strictly closer centroid. A cluster left empty by an assignment step
 * takes the point farthest from its centroid. The cost still grows quickly with dim: in 2-D,
 * 100,000 points into 10,000 clusters take about a second, in 10-D 100,000 points into 1,000
 * clusters take a few seconds per iteration.
 */
export function kMeans(points: Float64Array, dim: number, options: KMeansOptions): KMeansResult {
  requireInteger('dim', dim, 1);
  if (!(points instanceof Float64Array) || points.length === 0 || points.length % dim !== 0) {
    throw new QdConfigError('points', `a non-empty Float64Array whose length is a multiple of dim (${dim})`, points);
  }
  requireAllFinite('points', points);
  const count = points.length / dim;
  const k = requireInteger('k', options.k, 1, count);
  const maxIterations = requireInteger('maxIterations', options.maxIterations ?? 300, 0);
  const tolerance = options.tolerance ?? 1e-4;
  if (typeof tolerance !== 'number' || !(tolerance >= 0) || !Number.isFinite(tolerance)) {
    throw new QdConfigError('tolerance', 'a finite number >= 0', tolerance);
  }
  const random = new SeededRandom(requireInteger('seed', options.seed ?? 0, 0, Number.MAX_SAFE_INTEGER));

  const labels = new Int32Array(count);
  const centroids = seedPlusPlus(points, dim, count, k, random, labels);
  if (maxIterations === 0) return { centroids, iterations: 0, converged: false };

  const threshold = tolerance * meanVariance(points, dim, count);
  const sums = new Float64Array(k * dim);
  const sizes = new Int32Array(k);
  const previous = new Float64Array(k * dim);
  // Hamerly's bounds: upper >= |x - own centroid|, lower <= |x - any other centroid|.
  const upper = new Float64Array(count).fill(Infinity);
  const lower = new Float64Array(count);
  const halfGap = new Float64Array(k);
  const shift = new Float64Array(k);
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations) {
    iterations++;
    // Assignment: only points whose bounds allow another centroid to be closer are searched.
    const tree = new KdTree(centroids, dim);
    for (let c = 0; c < k; c++) {
      if (k > 1) tree.nearestOther(c);
      halfGap[c] = k > 1 ? Math.sqrt(tree.lastDistanceSquared) / 2 : Infinity;
    }
    let changed = 0;
    for (let i = 0; i < count; i++) {
      const own = labels[i];
      const bound = halfGap[own] > lower[i] ? halfGap[own] : lower[i];
      if (upper[i] <= bound) continue;
      const base = i * dim;
      let s = 0;
      for (let d = 0; d < dim; d++) {
        const diff = points[base + d] - centroids[own * dim + d];
        s += diff * diff;
      }
      const distance = Math.sqrt(s);
      upper[i] = distance;
      if (distance <= bound) continue;
      const nearest = tree.nearestTwo(points, base);
      const d1 = tree.lastDistanceSquared;
      if (nearest === own) {
        lower[i] = Math.sqrt(tree.lastSecondDistanceSquared);
      } else if (d1 < s) {
        // Only strict improvements move a point, so ties keep it where it is.
        labels[i] = nearest;
        upper[i] = Math.sqrt(d1);
        lower[i] = Math.sqrt(tree.lastSecondDistanceSquared);
        changed++;
      } else {
        lower[i] = distance; // A tie: the nearest other centroid is as close as our own.
      }
    }
    // Update: centroids become their cluster means.
    sums.fill(0);
    sizes.fill(0);
    for (let i = 0; i < count; i++) {
      const c = labels[i];
      sizes[c]++;
      const base = i * dim;
      for (let d = 0; d < dim; d++) sums[c * dim + d] += points[base + d];
    }
    changed += relocateEmptyClusters(points, dim, count, k, labels, centroids, upper, lower, sums, sizes);
    previous.set(centroids);
    let totalShift2 = 0;
    let largest = 0;
    let largestCluster = -1;
    let secondLargest = 0;
    for (let c = 0; c < k; c++) {
      const n = sizes[c];
      let s = 0;
      for (let d = 0; d < dim; d++) {
        const next = sums[c * dim + d] / n;
        const diff = next - previous[c * dim + d];
        s += diff * diff;
        centroids[c * dim + d] = next;
      }
      totalShift2 += s;
      const moved = Math.sqrt(s);
      shift[c] = moved;
      if (moved > largest) {
        secondLargest = largest;
        largest = moved;
        largestCluster = c;
      } else if (moved > secondLargest) {
        secondLargest = moved;
      }
    }
    // With no point moved (after the first iteration, whose centroids are not yet means) the
    // centroids are unchanged: a fixed point.
    if ((changed === 0 && iterations > 1) || totalShift2 <= threshold) {
      converged = true;
      break;
    }
    if (totalShift2 > 0) {
      for (let i = 0; i < count; i++) {
        const own = labels[i];
        upper[i] += shift[own];
        lower[i] -= own === largestCluster ? secondLargest : largest;
      }
    }
  }
  return { centroids, iterations, converged };
}

/**
 * k-means++ seeding: the first centre is a uniform point, each next one a point drawn with
 * probability proportional to its squared distance to the nearest centre so far. Fills `labels`
 * with each point's nearest centre (the first Lloyd assignment then starts from it).
 */
function seedPlusPlus(points: Float64Array, dim: number, count: number, k: number, random: SeededRandom, labels: Int32Array): Float64Array {
  const centroids = new Float64Array(k * dim);
  const distance2 = new Float64Array(count);
  // Points grouped by nearest centre: members[g] holds sizes[g] point indices.
  const members: Int32Array[] = [];
  const sizes = new Int32Array(k);
  const radius2 = new Float64Array(k);
  const weight = new Float64Array(k);
  const movers = new Int32Array(count);

  const first = random.integer(count);
  centroids.set(points.subarray(first * dim, first * dim + dim), 0);
  const all = new Int32Array(count);
  let total = 0;
  let r2 = 0;
  for (let i = 0; i < count; i++) {
    all[i] = i;
    let s = 0;
    for (let d = 0; d < dim; d++) {
      const diff = points[i * dim + d] - centroids[d];
      s += diff * diff;
    }
    distance2[i] = s;
    total += s;
    if (s > r2) r2 = s;
  }
  members.push(all);
  sizes[0] = count;
  radius2[0] = r2;
  weight[0] = total;

  for (let c = 1; c < k; c++) {
    const chosen = drawPoint(random, c, members, sizes, weight, distance2, count);
    const cBase = c * dim;
    for (let d = 0; d < dim; d++) centroids[cBase + d] = points[chosen * dim + d];
    let moved = 0;
    let movedWeight = 0;
    let movedRadius2 = 0;
    for (let g = 0; g < c; g++) {
      let gap2 = 0;
      for (let d = 0; d < dim; d++) {
        const diff = centroids[g * dim + d] - centroids[cBase + d];
        gap2 += diff * diff;
      }
      if (gap2 >= 4 * radius2[g]) continue; // No member of g is strictly closer to c.
      const list = members[g];
      const size = sizes[g];
      let kept = 0;
      let keptWeight = 0;
      let keptRadius2 = 0;
      for (let m = 0; m < size; m++) {
        const i = list[m];
        const current = distance2[i];
        let moves = false;
        let s = 0;
        if (gap2 < 4 * current) {
          for (let d = 0; d < dim && s < current; d++) {
            const diff = points[i * dim + d] - centroids[cBase + d];
            s += diff * diff;
          }
          moves = s < current;
        }
        if (moves) {
          movers[moved++] = i;
          distance2[i] = s;
          labels[i] = c;
          movedWeight += s;
          if (s > movedRadius2) movedRadius2 = s;
        } else {
          list[kept++] = i;
          keptWeight += current;
          if (current > keptRadius2) keptRadius2 = current;
        }
      }
      sizes[g] = kept;
      weight[g] = keptWeight;
      radius2[g] = keptRadius2;
    }
    members.push(movers.slice(0, moved));
    sizes[c] = moved;
    weight[c] = movedWeight;
    radius2[c] = movedRadius2;
  }
  return centroids;
}

/** A point drawn with probability proportional to distance2 (uniformly when all are 0). */
function drawPoint(random: SeededRandom, groups: number, members: Int32Array[], sizes: Int32Array, weight: Float64Array, distance2: Float64Array, count: number): number {
  let total = 0;
  for (let g = 0; g < groups; g++) total += weight[g];
  if (!(total > 0)) return random.integer(count);
  let target = random.uniform() * total;
  let group = -1;
  for (let g = 0; g < groups; g++) {
    if (weight[g] <= 0) continue;
    group = g;
    if (target < weight[g]) break;
    target -= weight[g];
  }
  // Rounding can leave target slightly above the group's weight: fall back to its last positive point.
  const list = members[group];
  let last = -1;
  for (let m = 0; m < sizes[group]; m++) {
    const w = distance2[list[m]];
    if (w <= 0) continue;
    last = list[m];
    if (target < w) return last;
    target -= w;
  }
  return last;
}

/**
 * Gives each empty cluster the point farthest from its current centroid, taken from a cluster
 * that keeps at least one point (as scikit-learn does), updating sums and sizes; the moved
 * point's bounds are reset so that the next assignment searches it. Returns the number moved.
 */
function relocateEmptyClusters(points: Float64Array, dim: number, count: number, k: number, labels: Int32Array, centroids: Float64Array, upper: Float64Array, lower: Float64Array, sums: Float64Array, sizes: Int32Array): number {
  let moved = 0;
  for (let c = 0; c < k; c++) {
    if (sizes[c] > 0) continue;
    let far = -1;
    let farthest = -1;
    for (let i = 0; i < count; i++) {
      const own = labels[i];
      if (sizes[own] < 2) continue;
      let s = 0;
      for (let d = 0; d < dim; d++) {
        const diff = points[i * dim + d] - centroids[own * dim + d];
        s += diff * diff;
      }
      if (s > farthest) {
        farthest = s;
        far = i;
      }
    }
    const from = labels[far];
    for (let d = 0; d < dim; d++) {
      const v = points[far * dim + d];
      sums[from * dim + d] -= v;
      sums[c * dim + d] += v;
    }
    sizes[from]--;
    sizes[c]++;
    labels[far] = c;
    upper[far] = Infinity;
    lower[far] = 0;
    moved++;
  }
  return moved;
}

function meanVariance(points: Float64Array, dim: number, count: number): number {
  let total = 0;
  for (let d = 0; d < dim; d++) {
    let mean = 0;
    for (let i = 0; i < count; i++) mean += points[i * dim + d];
    mean /= count;
    let variance = 0;
    for (let i = 0; i < count; i++) {
      const diff = points[i * dim + d] - mean;
      variance += diff * diff;
    }
    total += variance / count;
  }
  return total / dim;
}
