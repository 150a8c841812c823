/**
 * Spherical (great-circle) distance between unit vectors a and b: D(a, b) = 2 asin(|a - b| / 2),
 * the angle between them, from 0 (equal) to pi (opposite). This is the CLIP-guidance loss of
 * Crowson et al. that the QDGS paper uses for objectives and measures.
 */
export function sphericalDistance(a: ArrayLike<number>, aOffset: number, b: ArrayLike<number>, bOffset: number, dim: number): number {
  let squared = 0;
  for (let i = 0; i < dim; i++) {
    const d = a[aOffset + i] - b[bOffset + i];
    squared += d * d;
  }
  const half = Math.sqrt(squared) / 2;
  // Rounding can push |a - b| of opposite unit vectors a hair past 2.
  return 2 * Math.asin(half > 1 ? 1 : half);
}

/** Sum of the spherical distances from row `row` of `embeddings` to every phrase of a prompt group. */
export function promptLoss(embeddings: ArrayLike<number>, row: number, phrases: Float32Array, dim: number): number {
  let loss = 0;
  for (let offset = 0; offset < phrases.length; offset += dim) loss += sphericalDistance(embeddings, row * dim, phrases, offset, dim);
  return loss;
}
