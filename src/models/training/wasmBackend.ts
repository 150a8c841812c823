import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { conv2DBackpropFilterWasmConfig } from './kernels/conv2dBackpropFilter';
import { makeConv2DBackpropInputWasm } from './kernels/conv2dBackpropInput';
import { unsortedSegmentSumWasmConfig } from './kernels/unsortedSegmentSum';

/**
 * Training in Node on tfjs' `wasm` backend (tfjs-node cannot be installed; the pure-JS `cpu` backend is
 * about 100x slower).
 *
 * tfjs-backend-wasm 4.22 lacks two kernels that training needs; they are registered here:
 * - `Conv2DBackpropFilter`: filter gradients of conv2d and conv2dTranspose (a dilated XNNPACK Conv2D
 *   between transposes, see kernels/conv2dBackpropFilter.ts);
 * - `UnsortedSegmentSum`: the gradient of gather / embedding layers (one pass in JavaScript over the
 *   wasm heap, see kernels/unsortedSegmentSum.ts).
 * Both are only registered where the backend has none, so a later tfjs version that ships them keeps
 * its own.
 *
 * It also replaces the backend's `Conv2DBackpropInput` (gradient of conv2d with respect to its input,
 * and the forward pass of conv2dTranspose), a naive loop, with zero insertion + XNNPACK Conv2D
 * (kernels/conv2dBackpropInput.ts); `fastConv2DBackpropInput: false` puts the built-in one back.
 *
 * Still missing on wasm (not needed by the models here): the depthwise-conv backprop kernels
 * (separableConv2d / depthwiseConv2d training) and the complex-number/FFT kernels.
 */
export interface WasmBackendOptions {
  /** Use the XNNPACK-based Conv2DBackpropInput instead of the backend's naive loop (default true). */
  fastConv2DBackpropInput?: boolean;
}

const CONV2D_BACKPROP_INPUT = 'Conv2DBackpropInput';

/** The backend's own Conv2DBackpropInput, kept to fall back on (NCHW) and to restore. */
let builtinConv2DBackpropInput: tf.KernelConfig | null = null;
let fastConv2DBackpropInput: tf.KernelConfig | null = null;
let wasmPathsConfigured = false;

/** The folder of tfjs-backend-wasm's .wasm binaries (its dist/), with a trailing separator. */
export function wasmBinaryDirectory(): string {
  // The package's main file is dist/tf-backend-wasm.node.js, next to the .wasm files.
  return path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + path.sep;
}

/**
 * Registers the training kernels for the wasm backend. Idempotent; it can be called before or after
 * the backend is initialised.
 */
export function registerWasmTrainingKernels(options: WasmBackendOptions = {}): void {
  for (const config of [conv2DBackpropFilterWasmConfig, unsortedSegmentSumWasmConfig]) {
    if (tf.getKernel(config.kernelName, 'wasm') === undefined) tf.registerKernel(config);
  }

  const current = tf.getKernel(CONV2D_BACKPROP_INPUT, 'wasm');
  if (builtinConv2DBackpropInput === null) {
    if (current === undefined) {
      throw new Error(`The wasm backend has no ${CONV2D_BACKPROP_INPUT} kernel: is @tensorflow/tfjs-backend-wasm loaded?`);
    }
    builtinConv2DBackpropInput = current;
  }
  const builtin = builtinConv2DBackpropInput;
  if (fastConv2DBackpropInput === null) {
    fastConv2DBackpropInput = {
      kernelName: CONV2D_BACKPROP_INPUT,
      backendName: 'wasm',
      kernelFunc: makeConv2DBackpropInputWasm(builtin.kernelFunc),
      // The built-in kernel's setup binds its C++ function, which the fallback path needs.
      setupFunc: builtin.setupFunc,
      disposeFunc: builtin.disposeFunc,
    };
  }
  const wanted = (options.fastConv2DBackpropInput ?? true) ? fastConv2DBackpropInput : builtin;
  if (current?.kernelFunc !== wanted.kernelFunc) {
    if (current !== undefined) tf.unregisterKernel(CONV2D_BACKPROP_INPUT, 'wasm');
    tf.registerKernel(wanted);
  }
}

/**
 * Registers the training kernels, makes 'wasm' the active tfjs backend and waits until it is ready.
 * Under Node the .wasm binary is read from the installed package (nothing is downloaded); the path is
 * set explicitly so that it does not depend on where the backend's JavaScript ends up (bundlers).
 */
export async function useWasmBackend(options: WasmBackendOptions = {}): Promise<void> {
  registerWasmTrainingKernels(options);
  if (!wasmPathsConfigured && tf.engine().registry['wasm'] === undefined) {
    setWasmPaths(wasmBinaryDirectory());
  }
  wasmPathsConfigured = true;
  if (!(await tf.setBackend('wasm'))) {
    throw new Error('Could not initialise the tfjs wasm backend');
  }
  await tf.ready();
}
