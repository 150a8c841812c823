import { SeededRandom } from '../../../qd/random';

/** A seeded permutation of 0..count-1 (Fisher-Yates). */
export function shuffledIndices(count: number, random: SeededRandom): Int32Array {
  const order = Int32Array.from({ length: count }, (_, i) => i);
  for (let i = count - 1; i > 0; i--) {
    const j = random.integer(i + 1);
    const swap = order[i];
    order[i] = order[j];
    order[j] = swap;
  }
  return order;
}

/** Copies the images at `indices` (each `stride` floats) into `out`. */
export function gatherRows(source: Float32Array, stride: number, indices: ArrayLike<number>, out: Float32Array): Float32Array {
  for (let i = 0; i < indices.length; i++) out.set(source.subarray(indices[i] * stride, (indices[i] + 1) * stride), i * stride);
  return out;
}

/** Batches of a shuffled epoch; the last, smaller batch is dropped so shapes stay fixed. */
export function* epochBatches(count: number, batchSize: number, random: SeededRandom): Generator<Int32Array> {
  const order = shuffledIndices(count, random);
  for (let start = 0; start + batchSize <= count; start += batchSize) yield order.subarray(start, start + batchSize);
}

export function formatSeconds(seconds: number): string {
  return seconds < 120 ? `${seconds.toFixed(1)} s` : `${(seconds / 60).toFixed(1)} min`;
}

/**
 * The epoch loop every trainer shares: shuffled fixed-size batches, `step` returns the batch's
 * loss, the mean loss of each epoch is recorded and reported.
 */
export function runEpochs(options: {
  epochs: number;
  count: number;
  batchSize: number;
  random: SeededRandom;
  step: (indices: Int32Array) => number;
  onEpoch?: (epoch: number, meanLoss: number, seconds: number) => void;
}): number[] {
  const history: number[] = [];
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    const started = performance.now();
    let total = 0;
    let batches = 0;
    for (const indices of epochBatches(options.count, options.batchSize, options.random)) {
      total += options.step(indices);
      batches += 1;
    }
    history.push(total / batches);
    options.onEpoch?.(epoch + 1, total / batches, (performance.now() - started) / 1000);
  }
  return history;
}
