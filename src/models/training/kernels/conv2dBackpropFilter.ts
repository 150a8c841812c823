import * as tf from '@tensorflow/tfjs';
import {
  type ExplicitPadding4D,
  type KernelArgs,
  cropSpatial,
  disposeInfos,
  padForChannelsLast,
  requireInput,
  runWasmKernel,
  shape4D,
  splitPad,
  transposeInfo,
  wasmBackendOf,
} from './wasmKernelUtils';

/**
 * `Conv2DBackpropFilter` for the wasm backend (tfjs-backend-wasm 4.22 has none): the filter gradient
 * of conv2d, and through tfjs' gradient of `Conv2DBackpropInput` also the filter gradient of
 * conv2dTranspose.
 *
 * For a convolution with stride s and top/left padding p,
 *
 *   dW[i, j, ci, co] = sum_{n, oh, ow} x[n, oh*s + i - p, ow*s + j - p, ci] * dy[n, oh, ow, co]
 *
 * which is itself a stride-1 convolution with dilation s: take the input channels as the batch and the
 * batch as the channels (x -> [Cin, H, W, N]), the output gradient as the filter (dy -> [Ho, Wo, N, Cout]),
 * pad the input by p on top/left and by whatever makes the output exactly fh x fw on bottom/right,
 * and move the axes of the [Cin, fh, fw, Cout] result to [fh, fw, Cin, Cout]. Where that bottom/right
 * padding is negative ('valid' convolutions that ignore trailing rows) those rows are cropped first.
 * Everything runs in the backend's XNNPACK Conv2D plus Transpose kernels, so it costs about as much as
 * the forward convolution.
 */
export function conv2DBackpropFilterWasm(args: KernelArgs): tf.TensorInfo {
  const kernelName = 'Conv2DBackpropFilter';
  const backend = wasmBackendOf(args);
  const x = requireInput(args, 'x', kernelName);
  const dy = requireInput(args, 'dy', kernelName);
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  if (x.dtype !== 'float32' || dy.dtype !== 'float32') {
    throw new Error(`${kernelName} (wasm): only float32 is supported, got ${x.dtype} and ${dy.dtype}`);
  }

  const channelsFirst = tf.backend_util.convertConv2DDataFormat(dataFormat) === 'channelsFirst';
  const temps: tf.TensorInfo[] = [];
  try {
    // Work in NHWC; the filter layout [fh, fw, Cin, Cout] does not depend on the data format.
    let xNhwc = x;
    let dyNhwc = dy;
    if (channelsFirst) {
      xNhwc = transposeInfo(backend, x, [0, 2, 3, 1]);
      temps.push(xNhwc);
      dyNhwc = transposeInfo(backend, dy, [0, 2, 3, 1]);
      temps.push(dyNhwc);
    }
    const xShape = shape4D(xNhwc, `${kernelName} x`);
    const dyShape = shape4D(dyNhwc, `${kernelName} dy`);
    const [fh, fw, inChannels, outChannels] = filterShape;
    const info = tf.backend_util.computeConv2DInfo(
      xShape,
      filterShape,
      strides,
      1,
      padForChannelsLast(pad, channelsFirst),
      dimRoundingMode,
      false,
      'channelsLast',
    );
    const [batch, inHeight, inWidth, xChannels] = xShape;
    const [dyBatch, outHeight, outWidth, dyChannels] = dyShape;
    if (
      dyBatch !== batch ||
      xChannels !== inChannels ||
      dyChannels !== outChannels ||
      outHeight !== info.outHeight ||
      outWidth !== info.outWidth
    ) {
      throw new Error(
        `${kernelName} (wasm): x [${x.shape.join(', ')}], dy [${dy.shape.join(', ')}] and filter ` +
          `[${filterShape.join(', ')}] do not fit (expected dy spatial ${info.outHeight}x${info.outWidth})`,
      );
    }

    const sh = info.strideHeight;
    const sw = info.strideWidth;
    const top = splitPad(info.padInfo.top);
    const left = splitPad(info.padInfo.left);
    // Rows needed: (outHeight - 1) * sh + fh, starting at -padTop.
    const bottom = splitPad(fh + (outHeight - 1) * sh - inHeight - info.padInfo.top);
    const right = splitPad(fw + (outWidth - 1) * sw - inWidth - info.padInfo.left);

    const xCropped = cropSpatial(backend, xNhwc, top.crop, bottom.crop, left.crop, right.crop);
    if (xCropped !== xNhwc) temps.push(xCropped);

    // [N, H, W, Cin] -> [Cin, H, W, N]; [N, Ho, Wo, Cout] -> [Ho, Wo, N, Cout].
    const xT = transposeInfo(backend, xCropped, [3, 1, 2, 0]);
    temps.push(xT);
    const dyT = transposeInfo(backend, dyNhwc, [1, 2, 0, 3]);
    temps.push(dyT);

    const explicitPad: ExplicitPadding4D = [
      [0, 0],
      [top.pad, bottom.pad],
      [left.pad, right.pad],
      [0, 0],
    ];
    const conv = runWasmKernel(
      backend,
      'Conv2D',
      { x: xT, filter: dyT },
      { strides: [1, 1], dilations: [sh, sw], pad: explicitPad, dataFormat: 'NHWC' },
    );
    temps.push(conv);
    const expected = [inChannels, fh, fw, outChannels];
    if (conv.shape.some((d, i) => d !== expected[i])) {
      throw new Error(`${kernelName} (wasm): internal shape error [${conv.shape.join(', ')}] != [${expected.join(', ')}]`);
    }
    return transposeInfo(backend, conv, [1, 2, 0, 3]);
  } finally {
    disposeInfos(backend, temps);
  }
}

export const conv2DBackpropFilterWasmConfig: tf.KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilterWasm,
};
