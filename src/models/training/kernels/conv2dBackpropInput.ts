import * as tf from '@tensorflow/tfjs';
import {
  type ExplicitPadding4D,
  type KernelArgs,
  cropSpatial,
  disposeInfos,
  requireInput,
  runWasmKernel,
  shape4D,
  splitPad,
  wasmBackendOf,
} from './wasmKernelUtils';

/**
 * A faster `Conv2DBackpropInput` for the wasm backend: the gradient of conv2d with respect to its input,
 * and the forward pass of conv2dTranspose. The backend's own kernel is a naive C++ loop; this one runs
 * in XNNPACK's Conv2D:
 *
 *   dx = conv2d(zeroInsert(dy, s), flip(filter)^T, stride 1, padding (f - 1 - p) on top/left)
 *
 * where zeroInsert puts s - 1 zeros after every row and column of dy (reshape to [N, Ho, 1, Wo, 1, C],
 * pad the unit axes to s, reshape to [N, Ho*s, Wo*s, C]), flip reverses the filter's spatial axes and
 * ^T swaps its channel axes ([fh, fw, Cin, Cout] -> [fh, fw, Cout, Cin]). The bottom/right padding is
 * whatever makes the output exactly the input shape; negative amounts are cropped from dy first.
 *
 * NCHW data and non-float32 dtypes go to `fallback` (the backend's built-in kernel).
 */
export function makeConv2DBackpropInputWasm(fallback: tf.KernelFunc): tf.KernelFunc {
  return (args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] => {
    const kernelName = 'Conv2DBackpropInput';
    const backend = wasmBackendOf(args);
    const dy = requireInput(args, 'dy', kernelName);
    const filter = requireInput(args, 'filter', kernelName);
    const { strides, pad, dataFormat, dimRoundingMode, inputShape } = args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
    if (
      tf.backend_util.convertConv2DDataFormat(dataFormat) !== 'channelsLast' ||
      dy.dtype !== 'float32' ||
      filter.dtype !== 'float32'
    ) {
      return fallback(args);
    }

    const filterShape = shape4D(filter, `${kernelName} filter`);
    const [fh, fw, inChannels, outChannels] = filterShape;
    const info = tf.backend_util.computeConv2DInfo(
      inputShape,
      filterShape,
      strides,
      1,
      pad,
      dimRoundingMode,
      false,
      'channelsLast',
    );
    const [batch, outHeight, outWidth, dyChannels] = shape4D(dy, `${kernelName} dy`);
    if (
      batch !== inputShape[0] ||
      inputShape[3] !== inChannels ||
      dyChannels !== outChannels ||
      outHeight !== info.outHeight ||
      outWidth !== info.outWidth
    ) {
      throw new Error(
        `${kernelName} (wasm): dy [${dy.shape.join(', ')}], filter [${filterShape.join(', ')}] and input shape ` +
          `[${inputShape.join(', ')}] do not fit (expected dy spatial ${info.outHeight}x${info.outWidth})`,
      );
    }
    const sh = info.strideHeight;
    const sw = info.strideWidth;

    const temps: tf.TensorInfo[] = [];
    try {
      let dz = dy;
      if (sh > 1 || sw > 1) {
        const dy6 = runWasmKernel(backend, 'Reshape', { x: dy }, { shape: [batch, outHeight, 1, outWidth, 1, outChannels] });
        temps.push(dy6);
        const padded = runWasmKernel(
          backend,
          'PadV2',
          { x: dy6 },
          {
            paddings: [
              [0, 0],
              [0, 0],
              [0, sh - 1],
              [0, 0],
              [0, sw - 1],
              [0, 0],
            ],
            constantValue: 0,
          },
        );
        temps.push(padded);
        dz = runWasmKernel(backend, 'Reshape', { x: padded }, { shape: [batch, outHeight * sh, outWidth * sw, outChannels] });
        temps.push(dz);
      }
      const dzHeight = dz.shape[1];
      const dzWidth = dz.shape[2];
      const top = splitPad(fh - 1 - info.padInfo.top);
      const left = splitPad(fw - 1 - info.padInfo.left);
      const bottom = splitPad(info.inHeight + fh - 1 - dzHeight - (fh - 1 - info.padInfo.top));
      const right = splitPad(info.inWidth + fw - 1 - dzWidth - (fw - 1 - info.padInfo.left));
      const dzCropped = cropSpatial(backend, dz, top.crop, bottom.crop, left.crop, right.crop);
      if (dzCropped !== dz) temps.push(dzCropped);

      const flipped = runWasmKernel(backend, 'Reverse', { x: filter }, { dims: [0, 1] });
      temps.push(flipped);
      const flippedT = runWasmKernel(backend, 'Transpose', { x: flipped }, { perm: [0, 1, 3, 2] });
      temps.push(flippedT);

      const explicitPad: ExplicitPadding4D = [
        [0, 0],
        [top.pad, bottom.pad],
        [left.pad, right.pad],
        [0, 0],
      ];
      const dx = runWasmKernel(
        backend,
        'Conv2D',
        { x: dzCropped, filter: flippedT },
        { strides: [1, 1], dilations: [1, 1], pad: explicitPad, dataFormat: 'NHWC' },
      );
      if (dx.shape.some((d, i) => d !== inputShape[i])) {
        temps.push(dx);
        throw new Error(`${kernelName} (wasm): internal shape error [${dx.shape.join(', ')}] != [${inputShape.join(', ')}]`);
      }
      return dx;
    } finally {
      disposeInfos(backend, temps);
    }
  };
}
