import * as tf from '@tensorflow/tfjs';
import { type KernelArgs, requireInput, wasmBackendOf } from './wasmKernelUtils';

/**
 * `UnsortedSegmentSum` for the wasm backend (tfjs-backend-wasm 4.22 has none); tfjs needs it for the
 * gradient of gather, i.e. of embedding layers.
 *
 *   out[s, ...] = sum over r with segmentIds[r] == s of x[r, ...]
 *
 * with segmentIds of shape x.shape[0..k) (1-D in every tfjs use) and out of shape
 * [numSegments, ...x.shape[k..)]. Ids outside [0, numSegments) are dropped, as in TensorFlow.
 *
 * It is one pass over x in JavaScript on the wasm heap: O(size(x)), against O(size(x) * numSegments)
 * for a one-hot x matMul formulation, which matters for large vocabularies.
 */
export function unsortedSegmentSumWasm(args: KernelArgs): tf.TensorInfo {
  const kernelName = 'UnsortedSegmentSum';
  const backend = wasmBackendOf(args);
  const x = requireInput(args, 'x', kernelName);
  const segmentIds = requireInput(args, 'segmentIds', kernelName);
  const { numSegments } = args.attrs as unknown as tf.UnsortedSegmentSumAttrs;

  if (segmentIds.dtype !== 'int32') throw new Error(`${kernelName} (wasm): segmentIds must be int32, got ${segmentIds.dtype}`);
  if (x.dtype !== 'float32' && x.dtype !== 'int32') throw new Error(`${kernelName} (wasm): x must be float32 or int32, got ${x.dtype}`);
  if (!Number.isInteger(numSegments) || numSegments < 0) throw new Error(`${kernelName} (wasm): bad numSegments ${numSegments}`);
  const idsRank = segmentIds.shape.length;
  if (idsRank < 1 || idsRank > x.shape.length || segmentIds.shape.some((d, i) => d !== x.shape[i])) {
    throw new Error(
      `${kernelName} (wasm): segmentIds shape [${segmentIds.shape.join(', ')}] must be a prefix of x shape [${x.shape.join(', ')}]`,
    );
  }

  const innerShape = x.shape.slice(idsRank);
  const rows = tf.util.sizeFromShape(segmentIds.shape);
  const inner = tf.util.sizeFromShape(innerShape);
  const out = backend.makeOutput([numSegments, ...innerShape], x.dtype);
  // Views only after the allocation: allocating can grow (and so detach) the wasm heap.
  const outValues = backend.typedArrayFromHeap(out);
  const xValues = backend.typedArrayFromHeap(x);
  const ids = backend.typedArrayFromHeap(segmentIds);
  outValues.fill(0);
  for (let r = 0; r < rows; r++) {
    const id = ids[r];
    if (id < 0 || id >= numSegments) continue;
    const outOffset = id * inner;
    const xOffset = r * inner;
    for (let k = 0; k < inner; k++) outValues[outOffset + k] += xValues[xOffset + k];
  }
  return out;
}

export const unsortedSegmentSumWasmConfig: tf.KernelConfig = {
  kernelName: 'UnsortedSegmentSum',
  backendName: 'wasm',
  kernelFunc: unsortedSegmentSumWasm,
};
