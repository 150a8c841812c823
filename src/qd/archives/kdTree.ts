import { QdConfigError } from '../errors';
import { requireAllFinite, requireInteger } from '../validation';

/**
 * A static k-d tree over a fixed set of points (count x dim, row-major) for exact Euclidean
 * nearest-neighbour queries; CvtArchive uses it to map measures to the nearest centroid and
 * kMeans to assign samples to centroids.
 *
 * The tree is balanced: each node splits its points at the median of the axis of largest
 * spread, until at most `leafSize` points remain. Nodes and a reordered copy of the points live
 * in typed arrays, and queries walk the tree with a preallocated stack, so a query allocates
 * nothing. Ties are broken towards the lowest point index, so results equal a brute-force scan
 * that keeps the first minimum.
 */
export class KdTree {
  readonly count: number;
  readonly dim: number;

  /** Points in tree order (leaf ranges are contiguous). */
  private readonly coords: Float64Array;
  /** Original index of the point at each tree position. */
  private readonly order: Int32Array;
  /** Tree position of each original index. */
  private readonly position: Int32Array;
  /** Per node: [lo, hi) range of tree positions, split axis (-1 for a leaf), split value, children. */
  private readonly nodeLo: Int32Array;
  private readonly nodeHi: Int32Array;
  private readonly nodeAxis: Int32Array;
  private readonly nodeSplit: Float64Array;
  private readonly nodeLeft: Int32Array;
  private readonly nodeRight: Int32Array;
  private readonly stackNode: Int32Array;
  private readonly stackBound: Float64Array;
  private stackTop = 0;
  private bestIndex = -1;
  private bestDistance = Infinity;
  private secondDistance = Infinity;

  constructor(points: Float64Array, dim: number, leafSize = 8) {
    this.dim = requireInteger('dim', dim, 1);
    requireInteger('leafSize', leafSize, 1);
    if (!(points instanceof Float64Array) || points.length === 0 || points.length % dim !== 0) {
      throw new QdConfigError('points', `a non-empty Float64Array whose length is a multiple of dim (${dim})`, points);
    }
    requireAllFinite('points', points);
    const count = points.length / dim;
    this.count = count;

    const perm = new Int32Array(count);
    for (let i = 0; i < count; i++) perm[i] = i;
    const maxNodes = 2 * count + 1;
    this.nodeLo = new Int32Array(maxNodes);
    this.nodeHi = new Int32Array(maxNodes);
    this.nodeAxis = new Int32Array(maxNodes);
    this.nodeSplit = new Float64Array(maxNodes);
    this.nodeLeft = new Int32Array(maxNodes);
    this.nodeRight = new Int32Array(maxNodes);

    let nodes = 0;
    let maxDepth = 0;
    const build = (lo: number, hi: number, depth: number): number => {
      const node = nodes++;
      if (depth > maxDepth) maxDepth = depth;
      this.nodeLo[node] = lo;
      this.nodeHi[node] = hi;
      this.nodeAxis[node] = -1;
      if (hi - lo <= leafSize) return node;
      // Axis of largest spread.
      let axis = 0;
      let spread = -1;
      for (let d = 0; d < dim; d++) {
        let min = Infinity;
        let max = -Infinity;
        for (let i = lo; i < hi; i++) {
          const v = points[perm[i] * dim + d];
          if (v < min) min = v;
          if (v > max) max = v;
        }
        if (max - min > spread) {
          spread = max - min;
          axis = d;
        }
      }
      if (spread === 0) return node; // All points coincide: one leaf.
      const mid = lo + ((hi - lo) >> 1);
      select(perm, points, dim, axis, lo, hi - 1, mid);
      this.nodeAxis[node] = axis;
      this.nodeSplit[node] = points[perm[mid] * dim + axis];
      this.nodeLeft[node] = build(lo, mid, depth + 1);
      this.nodeRight[node] = build(mid, hi, depth + 1);
      return node;
    };
    build(0, count, 0);

    this.order = perm;
    this.position = new Int32Array(count);
    this.coords = new Float64Array(count * dim);
    for (let p = 0; p < count; p++) {
      const i = perm[p];
      this.position[i] = p;
      for (let d = 0; d < dim; d++) this.coords[p * dim + d] = points[i * dim + d];
    }
    // Each visited internal node pops one entry and pushes two.
    this.stackNode = new Int32Array(maxDepth + 2);
    this.stackBound = new Float64Array(maxDepth + 2);
  }

  /**
   * Index of the point nearest to `query[offset .. offset + dim)` (lowest index on ties).
   * `guess`, when given, is a point index believed to be near; a good guess only speeds the search.
   */
  nearest(query: ArrayLike<number>, offset = 0, guess = -1): number {
    this.search(query, offset, -1, guess);
    return this.bestIndex;
  }

  /** Index of the point nearest to point `index`, other than `index` itself (-1 when count is 1). */
  nearestOther(index: number): number {
    const p = this.position[index];
    this.search(this.coords, p * this.dim, index, -1);
    return this.bestIndex;
  }

  /**
   * Index of the point nearest to `query[offset .. offset + dim)` (lowest index on ties), also
   * finding the squared distance to the second nearest (`lastSecondDistanceSquared`; Infinity
   * when count is 1).
   */
  nearestTwo(query: ArrayLike<number>, offset = 0): number {
    const dim = this.dim;
    const coords = this.coords;
    const order = this.order;
    let bestIndex = -1;
    let best = Infinity;
    let second = Infinity;
    const stackNode = this.stackNode;
    const stackBound = this.stackBound;
    stackNode[0] = 0;
    stackBound[0] = 0;
    let top = 1;
    while (top > 0) {
      top--;
      if (stackBound[top] > second) continue;
      let node = stackNode[top];
      node = this.descend(query, offset, node, second, top);
      top = this.stackTop;
      const hi = this.nodeHi[node];
      for (let p = this.nodeLo[node]; p < hi; p++) {
        const base = p * dim;
        let s = 0;
        for (let d = 0; d < dim && s <= second; d++) {
          const diff = query[offset + d] - coords[base + d];
          s += diff * diff;
        }
        if (s > second) continue;
        const index = order[p];
        if (s < best || (s === best && index < bestIndex)) {
          second = best;
          best = s;
          bestIndex = index;
        } else {
          second = s;
        }
      }
    }
    this.bestIndex = bestIndex;
    this.bestDistance = best;
    this.secondDistance = second;
    return bestIndex;
  }

  /** Squared distance from the last query to the point it returned. */
  get lastDistanceSquared(): number {
    return this.bestDistance;
  }

  /** Squared distance from the last `nearestTwo` query to the second nearest point. */
  get lastSecondDistanceSquared(): number {
    return this.secondDistance;
  }

  /**
   * Walks from `node` down to the leaf on the query's side, pushing every far child whose
   * split plane lies within `bound` (squared) onto the stack above `top`; returns the leaf and
   * leaves the new stack height in `stackTop`.
   */
  private descend(query: ArrayLike<number>, offset: number, node: number, bound: number, top: number): number {
    let axis = this.nodeAxis[node];
    while (axis >= 0) {
      const diff = query[offset + axis] - this.nodeSplit[node];
      const far2 = diff * diff;
      const near = diff < 0 ? this.nodeLeft[node] : this.nodeRight[node];
      if (far2 <= bound) {
        this.stackNode[top] = diff < 0 ? this.nodeRight[node] : this.nodeLeft[node];
        this.stackBound[top++] = far2;
      }
      node = near;
      axis = this.nodeAxis[node];
    }
    this.stackTop = top;
    return node;
  }

  private search(query: ArrayLike<number>, offset: number, exclude: number, guess: number): void {
    const dim = this.dim;
    const coords = this.coords;
    const order = this.order;
    let bestIndex = -1;
    let best = Infinity;
    if (guess >= 0 && guess !== exclude) {
      const base = this.position[guess] * dim;
      let s = 0;
      for (let d = 0; d < dim; d++) {
        const diff = query[offset + d] - coords[base + d];
        s += diff * diff;
      }
      best = s;
      bestIndex = guess;
    }
    const stackNode = this.stackNode;
    const stackBound = this.stackBound;
    let top = 0;
    stackNode[0] = 0;
    stackBound[0] = 0;
    top = 1;
    while (top > 0) {
      top--;
      if (stackBound[top] > best) continue;
      let node = stackNode[top];
      node = this.descend(query, offset, node, best, top);
      top = this.stackTop;
      const hi = this.nodeHi[node];
      for (let p = this.nodeLo[node]; p < hi; p++) {
        const base = p * dim;
        let s = 0;
        for (let d = 0; d < dim && s <= best; d++) {
          const diff = query[offset + d] - coords[base + d];
          s += diff * diff;
        }
        if (s <= best) {
          const index = order[p];
          if ((s < best || index < bestIndex) && index !== exclude) {
            best = s;
            bestIndex = index;
          }
        }
      }
    }
    this.bestIndex = bestIndex;
    this.bestDistance = best;
  }
}

/**
 * Hoare-partition quickselect on perm[lo..hi] (inclusive) by coordinate `axis`: afterwards
 * perm[k] holds the k-th smallest, everything before it is <= and everything after it is >=.
 */
function select(perm: Int32Array, points: Float64Array, dim: number, axis: number, lo: number, hi: number, k: number): void {
  while (hi > lo) {
    // Median of three as the pivot value.
    const mid = lo + ((hi - lo) >> 1);
    const a = points[perm[lo] * dim + axis];
    const b = points[perm[mid] * dim + axis];
    const c = points[perm[hi] * dim + axis];
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (points[perm[i] * dim + axis] < pivot) i++;
      while (points[perm[j] * dim + axis] > pivot) j--;
      if (i <= j) {
        const t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
        i++;
        j--;
      }
    }
    // Now [lo, j] <= pivot, [i, hi] >= pivot, and anything between equals pivot.
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}
