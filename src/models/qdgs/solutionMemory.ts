import { sphericalDistance } from './sphericalDistance';

/**
 * A ring buffer of the image embeddings of recent solutions, for the margin term
 * U(x) = max(0, margin - min_i D(e(x), memory_i)): solutions closer than `margin` to something
 * the search produced recently are penalised, which pushes it towards unmeasured diversity.
 */
export class SolutionMemory {
  private readonly rows: Float32Array;
  private size = 0;
  private next = 0;

  constructor(
    readonly capacity: number,
    readonly dim: number,
  ) {
    this.rows = new Float32Array(capacity * dim);
  }

  get length(): number {
    return this.size;
  }

  /** Remembers rows `from` .. `from + count - 1` of `embeddings`, forgetting the oldest when full. */
  remember(embeddings: ArrayLike<number>, from: number, count: number): void {
    if (this.capacity === 0) return;
    for (let r = from; r < from + count; r++) {
      for (let i = 0; i < this.dim; i++) this.rows[this.next * this.dim + i] = embeddings[r * this.dim + i];
      this.next = (this.next + 1) % this.capacity;
      this.size = Math.min(this.size + 1, this.capacity);
    }
  }

  /** U for row `row` of `embeddings`; 0 while the memory is empty. */
  marginPenalty(embeddings: ArrayLike<number>, row: number, margin: number): number {
    let nearest = Infinity;
    for (let m = 0; m < this.size; m++) nearest = Math.min(nearest, sphericalDistance(embeddings, row * this.dim, this.rows, m * this.dim, this.dim));
    return this.size === 0 ? 0 : Math.max(0, margin - nearest);
  }
}
