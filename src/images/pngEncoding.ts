import { PNG } from 'pngjs';

/**
 * An RGB canvas that float images in [0, 1] are drawn onto and that encodes itself as a PNG
 * (pngjs). Shared by the report grids (src/models/shapes/imageGrid.ts), single sample images and
 * archive contact sheets, so that every image the platform writes rounds colours the same way.
 */

/** Where one image lies in a float array: NCHW (what generators output) or NHWC (tfjs tensors), 3 channels. */
export interface FloatImage {
  data: Float32Array;
  /** Index of the image's first value. */
  offset: number;
  height: number;
  width: number;
  layout: 'nchw' | 'nhwc';
}

/** [0, 1] -> 0..255, rounded; values outside are clamped and NaN becomes 0. */
export function toByte(value: number): number {
  if (value >= 1) return 255;
  if (value > 0) return Math.round(value * 255);
  return 0; // also NaN
}

/** Source index ranges [start, end) of each target pixel when `source` pixels are resampled to `target`. */
function spans(source: number, target: number): Int32Array {
  const result = new Int32Array(target * 2);
  for (let t = 0; t < target; t++) {
    const start = Math.min(source - 1, Math.floor((t * source) / target));
    const end = Math.max(start + 1, Math.min(source, Math.floor(((t + 1) * source) / target)));
    result[2 * t] = start;
    result[2 * t + 1] = end;
  }
  return result;
}

export class RgbCanvas {
  private readonly png: PNG;

  constructor(
    readonly width: number,
    readonly height: number,
    /** 0..255 grey the canvas starts as. */
    background: number,
  ) {
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) throw new RangeError(`canvas size must be positive integers; got ${width} x ${height}`);
    this.png = new PNG({ width, height });
    this.png.data.fill(255); // opaque; the colour is set next
    this.fillRect(0, 0, width, height, background);
  }

  /** Paints the rectangle (clipped to the canvas) with a 0..255 grey. */
  fillRect(left: number, top: number, width: number, height: number, grey: number): void {
    const data = this.png.data;
    const x0 = Math.max(0, left);
    const x1 = Math.min(this.width, left + width);
    for (let y = Math.max(0, top); y < Math.min(this.height, top + height); y++) {
      for (let i = (y * this.width + x0) * 4, end = (y * this.width + x1) * 4; i < end; i += 4) {
        data[i] = data[i + 1] = data[i + 2] = grey;
      }
    }
  }

  /**
   * Draws `image` into the `width` x `height` rectangle at (left, top): an exact copy at the
   * same size, nearest neighbour when enlarging, the mean of the covered pixels when shrinking.
   * The rectangle must lie inside the canvas.
   */
  drawImage(image: FloatImage, left: number, top: number, width = image.width, height = image.height): void {
    if (left < 0 || top < 0 || left + width > this.width || top + height > this.height) {
      throw new RangeError(`image rectangle ${width}x${height} at (${left}, ${top}) does not fit a ${this.width}x${this.height} canvas`);
    }
    const { data: values, offset, width: sourceWidth, height: sourceHeight } = image;
    const plane = sourceWidth * sourceHeight;
    // Value of channel c at source pixel p (= y * width + x).
    const channelStride = image.layout === 'nchw' ? plane : 1;
    const pixelStride = image.layout === 'nchw' ? 1 : 3;
    const columns = spans(sourceWidth, width);
    const rows = spans(sourceHeight, height);
    const data = this.png.data;
    for (let ty = 0; ty < height; ty++) {
      const y0 = rows[2 * ty];
      const y1 = rows[2 * ty + 1];
      let target = ((top + ty) * this.width + left) * 4;
      for (let tx = 0; tx < width; tx++, target += 4) {
        const x0 = columns[2 * tx];
        const x1 = columns[2 * tx + 1];
        for (let c = 0; c < 3; c++) {
          const base = offset + c * channelStride;
          let sum = 0;
          for (let y = y0; y < y1; y++) {
            for (let x = x0; x < x1; x++) sum += values[base + (y * sourceWidth + x) * pixelStride];
          }
          data[target + c] = toByte(sum / ((y1 - y0) * (x1 - x0)));
        }
      }
    }
  }

  /** An RGB (colour type 2, 8 bits) PNG of the canvas. */
  encodePng(): Buffer {
    return PNG.sync.write(this.png, { colorType: 2 });
  }
}
