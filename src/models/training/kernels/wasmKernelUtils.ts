import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/** The arguments a kernel function receives from the engine. */
export type KernelArgs = Parameters<tf.KernelFunc>[0];

/** Four-dimensional shape, as tfjs' conv helpers want it. */
export type Shape4D = [number, number, number, number];

/** Explicit NHWC padding: [[0, 0], [top, bottom], [left, right], [0, 0]]. */
export type ExplicitPadding4D = [[number, number], [number, number], [number, number], [number, number]];

/** The wasm backend an engine passes to a kernel registered for 'wasm'. */
export function wasmBackendOf(args: KernelArgs): BackendWasm {
  return args.backend as BackendWasm;
}

/** A named input that the kernel needs; the engine always passes them, this only narrows the type. */
export function requireInput(args: KernelArgs, name: string, kernelName: string): tf.TensorInfo {
  const input = args.inputs[name];
  if (input === undefined) throw new Error(`${kernelName}: missing input '${name}'`);
  return input;
}

export function shape4D(info: tf.TensorInfo, what: string): Shape4D {
  if (info.shape.length !== 4) throw new Error(`${what} must be rank 4, got shape [${info.shape.join(', ')}]`);
  return [info.shape[0], info.shape[1], info.shape[2], info.shape[3]];
}

/**
 * Runs another wasm kernel directly on TensorInfos (no Tensor objects, no engine bookkeeping, no tape).
 * The caller owns the returned TensorInfo and must hand it to {@link disposeInfos} unless it is the
 * kernel's own result.
 */
export function runWasmKernel(
  backend: BackendWasm,
  kernelName: string,
  inputs: tf.NamedTensorInfoMap,
  attrs: tf.NamedAttrMap = {},
): tf.TensorInfo {
  const kernel = tf.getKernel(kernelName, 'wasm');
  if (kernel === undefined) throw new Error(`Kernel '${kernelName}' is not registered for the wasm backend`);
  const out = kernel.kernelFunc({ inputs, backend, attrs });
  if (Array.isArray(out)) throw new Error(`Kernel '${kernelName}' returned ${out.length} outputs, expected one`);
  return out;
}

/** Releases intermediate results (reference-counted: a reshape shares data with its source). */
export function disposeInfos(backend: BackendWasm, infos: readonly tf.TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}

export function transposeInfo(backend: BackendWasm, x: tf.TensorInfo, perm: number[]): tf.TensorInfo {
  return runWasmKernel(backend, 'Transpose', { x }, { perm });
}

/**
 * Removes rows/columns from the spatial axes (1 and 2) of an NHWC tensor: `top` rows at the top,
 * `bottom` at the bottom, and so on. Returns `x` itself when nothing is cropped.
 */
export function cropSpatial(
  backend: BackendWasm,
  x: tf.TensorInfo,
  top: number,
  bottom: number,
  left: number,
  right: number,
): tf.TensorInfo {
  if (top === 0 && bottom === 0 && left === 0 && right === 0) return x;
  const [n, h, w, c] = shape4D(x, 'cropSpatial input');
  const height = h - top - bottom;
  const width = w - left - right;
  if (height <= 0 || width <= 0) {
    throw new Error(`cropSpatial: cropping [${top}, ${bottom}, ${left}, ${right}] leaves nothing of [${x.shape.join(', ')}]`);
  }
  return runWasmKernel(backend, 'Slice', { x }, { begin: [0, top, left, 0], size: [n, height, width, c] });
}

/**
 * Splits a possibly negative padding amount into the part a convolution can pad (>= 0) and the part
 * that must be cropped from the input beforehand (>= 0).
 */
export function splitPad(amount: number): { pad: number; crop: number } {
  return amount >= 0 ? { pad: amount, crop: 0 } : { pad: 0, crop: -amount };
}

/**
 * tfjs' explicit padding for NCHW is [[0, 0], [0, 0], [top, bottom], [left, right]]; after moving the
 * data to NHWC the padding must move with it.
 */
export function padForChannelsLast(
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding,
  channelsFirst: boolean,
): 'valid' | 'same' | number | tf.backend_util.ExplicitPadding {
  if (!channelsFirst || !Array.isArray(pad)) return pad;
  return [pad[0], pad[2], pad[3], pad[1]];
}
