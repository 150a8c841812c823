/**
 * CLIP-style image preprocessing in plain TypeScript: resize, centre crop and per-channel
 * normalisation of NCHW float images in [0, 1].
 *
 * Geometry follows Hugging Face's CLIPImageProcessor: the shorter side is resized to `size`
 * (the longer one to `trunc(size * long / short)`), then the centre `size` x `size` square is
 * cropped. Square inputs (every generator here) are simply resized to `size` x `size`.
 *
 * Resampling is PIL's separable BILINEAR filter (`Image.resize`): pixel centres at
 * `i + 0.5` (align_corners = false), a triangle kernel that widens by the scale factor when
 * shrinking (so downscaling averages, i.e. antialiases, like PIL), edge pixels repeated. It
 * differs from HF's default (PIL BICUBIC) by a little, and from PIL by not rounding to 8 bits
 * between the passes. Coefficients are computed once per call; the per-pixel loops allocate
 * nothing.
 */

export interface ImagePreprocessing {
  /** Output side length S: images come out 3 x S x S. */
  readonly size: number;
  /** Per-channel mean subtracted after resizing (3 values, or 1 for all channels). */
  readonly mean: readonly number[];
  /** Per-channel standard deviation divided by (3 values, or 1 for all channels). */
  readonly std: readonly number[];
}

/** Resampling weights along one axis: output index i reads `count[i]` input indices from `first[i]`. */
interface AxisWeights {
  readonly first: Int32Array;
  readonly count: Int32Array;
  /** `taps` weights per output index, normalised to sum 1. */
  readonly weights: Float64Array;
  readonly taps: number;
}

function triangle(x: number): number {
  const a = Math.abs(x);
  return a < 1 ? 1 - a : 0;
}

/**
 * PIL's `precompute_coeffs` for the bilinear filter, resizing `inSize` to `outSize` and
 * keeping output indices `cropStart .. cropStart + cropSize - 1`.
 */
function axisWeights(inSize: number, outSize: number, cropStart: number, cropSize: number): AxisWeights {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filterScale; // the triangle's support (1) times the filter scale
  const taps = Math.ceil(support) * 2 + 1;
  const first = new Int32Array(cropSize);
  const count = new Int32Array(cropSize);
  const weights = new Float64Array(cropSize * taps);
  for (let o = 0; o < cropSize; o++) {
    const center = (o + cropStart + 0.5) * scale;
    const lo = Math.max(0, Math.trunc(center - support + 0.5));
    const hi = Math.min(inSize, Math.trunc(center + support + 0.5));
    let total = 0;
    for (let k = 0; k < hi - lo; k++) {
      const w = triangle((k + lo - center + 0.5) / filterScale);
      weights[o * taps + k] = w;
      total += w;
    }
    for (let k = 0; k < hi - lo; k++) weights[o * taps + k] /= total;
    first[o] = lo;
    count[o] = hi - lo;
  }
  return { first, count, weights, taps };
}

function perChannel(values: readonly number[], name: string): [number, number, number] {
  if (values.length === 1) return [values[0], values[0], values[0]];
  if (values.length === 3) return [values[0], values[1], values[2]];
  throw new RangeError(`${name} must hold 1 or 3 values, got ${values.length}`);
}

/** The resized (before cropping) size of an image whose shorter side becomes `size`, as HF computes it. */
export function shortestEdgeSize(height: number, width: number, size: number): [number, number] {
  if (height <= width) return [size, Math.max(size, Math.trunc((size * width) / height))];
  return [Math.max(size, Math.trunc((size * height) / width)), size];
}

/**
 * `batch` RGB images (NCHW, values in [0, 1], `height` x `width`) -> `batch` x 3 x S x S,
 * resized and centre-cropped to S = `options.size`, then `(x - mean[c]) / std[c]`.
 */
export function preprocessImages(images: Float32Array, batch: number, height: number, width: number, options: ImagePreprocessing): Float32Array {
  const { size } = options;
  if (![batch, height, width, size].every((n) => Number.isInteger(n) && n >= 0) || height === 0 || width === 0 || size === 0) {
    throw new RangeError(`batch, height, width and size must be integers (sizes positive), got ${batch}, ${height}, ${width}, ${size}`);
  }
  if (images.length !== batch * 3 * height * width) {
    throw new RangeError(`expected ${batch} x 3 x ${height} x ${width} = ${batch * 3 * height * width} values, got ${images.length}`);
  }
  const mean = perChannel(options.mean, 'mean');
  const std = perChannel(options.std, 'std');
  if (std.some((s) => !(s > 0) || !Number.isFinite(s))) throw new RangeError(`std must be positive, got ${std.join(', ')}`);
  const invStd = std.map((s) => 1 / s);
  const out = new Float32Array(batch * 3 * size * size);

  if (height === size && width === size) {
    const plane = size * size;
    for (let image = 0; image < batch; image++) {
      for (let c = 0; c < 3; c++) {
        const offset = (image * 3 + c) * plane;
        const m = mean[c];
        const k = invStd[c];
        for (let i = 0; i < plane; i++) out[offset + i] = (images[offset + i] - m) * k;
      }
    }
    return out;
  }

  const [resizedHeight, resizedWidth] = shortestEdgeSize(height, width, size);
  const rows = axisWeights(height, resizedHeight, (resizedHeight - size) >> 1, size);
  const cols = axisWeights(width, resizedWidth, (resizedWidth - size) >> 1, size);
  // Horizontal pass into `wide` (height x S), then the vertical pass writes the output.
  const wide = new Float64Array(height * size);
  const inPlane = height * width;
  const outPlane = size * size;
  for (let image = 0; image < batch; image++) {
    for (let c = 0; c < 3; c++) {
      const inOffset = (image * 3 + c) * inPlane;
      const outOffset = (image * 3 + c) * outPlane;
      for (let y = 0; y < height; y++) {
        const rowOffset = inOffset + y * width;
        for (let x = 0; x < size; x++) {
          const from = rowOffset + cols.first[x];
          const w = x * cols.taps;
          let sum = 0;
          for (let k = 0; k < cols.count[x]; k++) sum += cols.weights[w + k] * images[from + k];
          wide[y * size + x] = sum;
        }
      }
      const m = mean[c];
      const scale = invStd[c];
      for (let y = 0; y < size; y++) {
        const from = rows.first[y];
        const w = y * rows.taps;
        const n = rows.count[y];
        for (let x = 0; x < size; x++) {
          let sum = 0;
          for (let k = 0; k < n; k++) sum += rows.weights[w + k] * wide[(from + k) * size + x];
          out[outOffset + y * size + x] = (sum - m) * scale;
        }
      }
    }
  }
  return out;
}
