import { RgbCanvas, type FloatImage } from './pngEncoding';

/**
 * The layout of an archive contact sheet: one square cell per grid cell of a 1- or 2-measure
 * archive. The first measure runs left to right (low to high); the second bottom to top, like
 * the y axis of a plot. A 1-measure archive is a single row. Cells are separated by thin grey
 * lines; cells without an elite stay light grey.
 */

export const CONTACT_SHEET_GREYS = { empty: 224, separator: 128 } as const;

/** No side of a contact sheet is longer than this many pixels (8192^2 RGBA is 256 MiB while encoding). */
export const MAX_SHEET_SIDE = 8192;

export interface ContactSheetLayout {
  /** Cells per measure (1 or 2 entries). */
  dims: readonly number[];
  /** Pixels per cell side. */
  cellSize: number;
  /** Pixels between neighbouring cells (0 = no grid lines). */
  separator: number;
  columns: number;
  rows: number;
  width: number;
  height: number;
}

export function contactSheetLayout(dims: readonly number[], cellSize: number, separator: number): ContactSheetLayout {
  if (dims.length < 1 || dims.length > 2 || !dims.every((n) => Number.isInteger(n) && n > 0)) throw new RangeError(`a contact sheet needs 1 or 2 positive cell counts; got [${dims.join(', ')}]`);
  if (!Number.isInteger(cellSize) || cellSize < 1) throw new RangeError(`cellSize must be a positive integer; got ${cellSize}`);
  if (!Number.isInteger(separator) || separator < 0) throw new RangeError(`separator must be a non-negative integer; got ${separator}`);
  const columns = dims[0];
  const rows = dims.length === 2 ? dims[1] : 1;
  return { dims, cellSize, separator, columns, rows, width: sideLength(columns, cellSize, separator), height: sideLength(rows, cellSize, separator) };
}

function sideLength(cells: number, cellSize: number, separator: number): number {
  return cells * cellSize + (cells - 1) * separator;
}

/** The largest cell size whose sheet fits MAX_SHEET_SIDE (0 when not even 1 pixel per cell fits). */
export function largestCellSize(dims: readonly number[], separator: number, maxSide = MAX_SHEET_SIDE): number {
  const cells = Math.max(...dims);
  return Math.max(0, Math.floor((maxSide - (cells - 1) * separator) / cells));
}

/** Top-left pixel of the cell at these grid coordinates; undefined when they lie outside the grid. */
export function cellOrigin(layout: ContactSheetLayout, coordinates: readonly number[]): { left: number; top: number } | undefined {
  const x = coordinates[0];
  const y = layout.dims.length === 2 ? coordinates[1] : 0;
  if (!(Number.isInteger(x) && Number.isInteger(y) && x >= 0 && y >= 0 && x < layout.columns && y < layout.rows)) return undefined;
  const step = layout.cellSize + layout.separator;
  return { left: x * step, top: (layout.rows - 1 - y) * step };
}

/** A canvas with the grid drawn and every cell empty. */
export function createContactSheet(layout: ContactSheetLayout): RgbCanvas {
  const canvas = new RgbCanvas(layout.width, layout.height, CONTACT_SHEET_GREYS.separator);
  if (layout.separator === 0) {
    canvas.fillRect(0, 0, layout.width, layout.height, CONTACT_SHEET_GREYS.empty);
    return canvas;
  }
  const step = layout.cellSize + layout.separator;
  for (let row = 0; row < layout.rows; row++) {
    for (let column = 0; column < layout.columns; column++) canvas.fillRect(column * step, row * step, layout.cellSize, layout.cellSize, CONTACT_SHEET_GREYS.empty);
  }
  return canvas;
}

/**
 * Draws an elite's image into its cell, scaled to fit the square cell with its aspect ratio kept
 * (centred; a non-square image leaves light grey bars). Coordinates outside the grid are ignored.
 */
export function drawCell(canvas: RgbCanvas, layout: ContactSheetLayout, coordinates: readonly number[], image: FloatImage): void {
  const origin = cellOrigin(layout, coordinates);
  if (!origin) return;
  const longest = Math.max(image.width, image.height);
  const width = Math.max(1, Math.round((layout.cellSize * image.width) / longest));
  const height = Math.max(1, Math.round((layout.cellSize * image.height) / longest));
  canvas.drawImage(image, origin.left + ((layout.cellSize - width) >> 1), origin.top + ((layout.cellSize - height) >> 1), width, height);
}
