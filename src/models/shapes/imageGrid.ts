import fs from 'node:fs';
import path from 'node:path';
import { QdConfigError } from '../../qd/errors';
import { requireInteger } from '../../qd/validation';
import { RgbCanvas } from '../../images/pngEncoding';

/** Sample grids for reports: NHWC float images in [0, 1] tiled into one RGB PNG. */

export interface ImageGridOptions {
  /** Integer upscale factor per tile (nearest neighbour), 1..64; default 1. */
  scale?: number;
  /** Grey pixels between tiles (not around the border), 0..256; default 2. */
  gap?: number;
}

/** Background and gap colour, 0..255 grey (also fills the empty cells of an incomplete last row). */
const GAP_GREY = 128;

/**
 * Tiles the first `count` images (row-major, `columns` per row; fewer when count is smaller) and
 * encodes them as a PNG. Values are clamped to [0, 1] and rounded to 8 bits; NaN becomes 0.
 */
export function encodeImageGridPng(images: Float32Array, count: number, size: number, columns: number, options: ImageGridOptions = {}): Buffer {
  requireInteger('count', count, 1);
  requireInteger('size', size, 1);
  requireInteger('columns', columns, 1);
  const scale = requireInteger('scale', options.scale ?? 1, 1, 64);
  const gap = requireInteger('gap', options.gap ?? 2, 0, 256);
  const stride = size * size * 3;
  if (!(images instanceof Float32Array) || images.length < count * stride) {
    throw new QdConfigError('images', `a Float32Array of at least count * size * size * 3 = ${count * stride} values (NHWC)`, images);
  }
  const cols = Math.min(columns, count);
  const rows = Math.ceil(count / cols);
  const tile = size * scale;
  const width = cols * tile + (cols - 1) * gap;
  const height = rows * tile + (rows - 1) * gap;
  const canvas = new RgbCanvas(width, height, GAP_GREY);
  for (let n = 0; n < count; n++) {
    const image = { data: images, offset: n * stride, height: size, width: size, layout: 'nhwc' } as const;
    canvas.drawImage(image, (n % cols) * (tile + gap), Math.floor(n / cols) * (tile + gap), tile, tile);
  }
  return canvas.encodePng();
}

/** encodeImageGridPng written to `filePath` (parent folders are created). */
export function writeImageGridPng(filePath: string, images: Float32Array, count: number, size: number, columns: number, options: ImageGridOptions = {}): void {
  const png = encodeImageGridPng(images, count, size, columns, options);
  fs.mkdirSync(path.dirname(filePath), { recursive: true });
  fs.writeFileSync(filePath, png);
}
