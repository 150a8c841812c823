import { PNG } from 'pngjs';
import { cellOrigin, CONTACT_SHEET_GREYS, contactSheetLayout, createContactSheet, drawCell, largestCellSize, MAX_SHEET_SIDE } from '../../src/images/contactSheet';
import { RgbCanvas, toByte } from '../../src/images/pngEncoding';

/** NCHW image whose channel c at (x, y) is (c * 100 + y * width + x) / 1000. */
function ramp(height: number, width: number): Float32Array {
  const data = new Float32Array(3 * height * width);
  for (let c = 0; c < 3; c++) for (let i = 0; i < height * width; i++) data[c * height * width + i] = (c * 100 + i) / 1000;
  return data;
}

const pixelOf = (png: PNG, x: number, y: number) => Array.from(png.data.subarray((y * png.width + x) * 4, (y * png.width + x) * 4 + 3));

describe('RgbCanvas', () => {
  it('copies an NCHW image exactly at its own size and encodes an RGB PNG', () => {
    const image = ramp(3, 4);
    const canvas = new RgbCanvas(6, 5, 7);
    canvas.drawImage({ data: image, offset: 0, height: 3, width: 4, layout: 'nchw' }, 1, 2);
    const png = PNG.sync.read(canvas.encodePng());
    expect([png.width, png.height]).toEqual([6, 5]);
    expect(pixelOf(png, 0, 0)).toEqual([7, 7, 7]);
    for (let y = 0; y < 3; y++) {
      for (let x = 0; x < 4; x++) {
        const i = y * 4 + x;
        expect(pixelOf(png, 1 + x, 2 + y)).toEqual([toByte(i / 1000), toByte((100 + i) / 1000), toByte((200 + i) / 1000)]);
      }
    }
    expect(pixelOf(png, 5, 4)).toEqual([7, 7, 7]);
  });

  it('enlarges by nearest neighbour and shrinks by the mean of the covered pixels', () => {
    const image = new Float32Array([0, 1, 0.5, 0.25, /* g */ 0, 0, 0, 0, /* b */ 1, 1, 1, 1]); // 2 x 2
    const canvas = new RgbCanvas(6, 4, 0);
    canvas.drawImage({ data: image, offset: 0, height: 2, width: 2, layout: 'nchw' }, 0, 0, 4, 4);
    canvas.drawImage({ data: image, offset: 0, height: 2, width: 2, layout: 'nchw' }, 5, 0, 1, 1);
    const png = PNG.sync.read(canvas.encodePng());
    expect(pixelOf(png, 0, 0)[0]).toBe(0);
    expect(pixelOf(png, 1, 1)[0]).toBe(0);
    expect(pixelOf(png, 2, 0)[0]).toBe(255);
    expect(pixelOf(png, 3, 1)[0]).toBe(255);
    expect(pixelOf(png, 0, 3)[0]).toBe(128);
    expect(pixelOf(png, 3, 2)[0]).toBe(64);
    expect(pixelOf(png, 5, 0)).toEqual([toByte((0 + 1 + 0.5 + 0.25) / 4), 0, 255]);
    expect(() => canvas.drawImage({ data: image, offset: 0, height: 2, width: 2, layout: 'nchw' }, 5, 3)).toThrow(RangeError);
  });

  it('reads NHWC images too, and clamps values outside [0, 1]', () => {
    const image = new Float32Array([-1, 0.5, 2, /* pixel 2 */ 0.2, 0.4, 0.6]); // 1 x 2 NHWC
    const canvas = new RgbCanvas(2, 1, 0);
    canvas.drawImage({ data: image, offset: 0, height: 1, width: 2, layout: 'nhwc' }, 0, 0);
    const png = PNG.sync.read(canvas.encodePng());
    expect(pixelOf(png, 0, 0)).toEqual([0, 128, 255]);
    expect(pixelOf(png, 1, 0)).toEqual([51, 102, 153]);
  });
});

describe('contact sheet layout', () => {
  it('puts the first measure left to right and the second bottom to top, with separators between cells', () => {
    const layout = contactSheetLayout([4, 3], 10, 1);
    expect([layout.width, layout.height]).toEqual([4 * 10 + 3, 3 * 10 + 2]);
    expect(cellOrigin(layout, [0, 0])).toEqual({ left: 0, top: 22 }); // low / low: bottom left
    expect(cellOrigin(layout, [3, 2])).toEqual({ left: 33, top: 0 }); // high / high: top right
    expect(cellOrigin(layout, [1, 1])).toEqual({ left: 11, top: 11 });
    expect(cellOrigin(layout, [4, 0])).toBeUndefined();
    expect(cellOrigin(layout, [0, -1])).toBeUndefined();

    const row = contactSheetLayout([5], 8, 2);
    expect([row.width, row.height]).toEqual([5 * 8 + 4 * 2, 8]);
    expect(cellOrigin(row, [2])).toEqual({ left: 20, top: 0 });
    expect(() => contactSheetLayout([2, 2, 2], 8, 1)).toThrow(/1 or 2/);
  });

  it('draws empty cells light grey, grid lines mid grey and an elite into its cell', () => {
    const layout = contactSheetLayout([2, 2], 4, 1);
    const canvas = createContactSheet(layout);
    const image = ramp(4, 4);
    drawCell(canvas, layout, [1, 0], { data: image, offset: 0, height: 4, width: 4, layout: 'nchw' });
    const png = PNG.sync.read(canvas.encodePng());
    expect([png.width, png.height]).toEqual([9, 9]);
    const { empty, separator } = CONTACT_SHEET_GREYS;
    expect(pixelOf(png, 0, 0)).toEqual([empty, empty, empty]); // (0, 1): top left, empty
    expect(pixelOf(png, 4, 0)).toEqual([separator, separator, separator]);
    expect(pixelOf(png, 0, 4)).toEqual([separator, separator, separator]);
    expect(pixelOf(png, 0, 8)).toEqual([empty, empty, empty]); // (0, 0): bottom left, empty
    expect(pixelOf(png, 5, 5)).toEqual([0, toByte(0.1), toByte(0.2)]); // (1, 0): bottom right, first pixel
    expect(pixelOf(png, 8, 8)).toEqual([toByte(0.015), toByte(0.115), toByte(0.215)]);

    const noLines = PNG.sync.read(createContactSheet(contactSheetLayout([2, 2], 4, 0)).encodePng());
    expect([noLines.width, noLines.height]).toEqual([8, 8]);
    expect(pixelOf(noLines, 4, 4)).toEqual([empty, empty, empty]);
  });

  it('fits a non-square image into its cell keeping the aspect ratio', () => {
    const layout = contactSheetLayout([1], 8, 1);
    const canvas = createContactSheet(layout);
    drawCell(canvas, layout, [0], { data: new Float32Array(3 * 2 * 4).fill(0), offset: 0, height: 2, width: 4, layout: 'nchw' });
    const png = PNG.sync.read(canvas.encodePng());
    expect(pixelOf(png, 0, 0)).toEqual([CONTACT_SHEET_GREYS.empty, CONTACT_SHEET_GREYS.empty, CONTACT_SHEET_GREYS.empty]); // bar above
    expect(pixelOf(png, 0, 2)).toEqual([0, 0, 0]);
    expect(pixelOf(png, 7, 5)).toEqual([0, 0, 0]);
    expect(pixelOf(png, 7, 6)[0]).toBe(CONTACT_SHEET_GREYS.empty); // bar below
  });

  it('bounds the sheet size', () => {
    expect(largestCellSize([100, 100], 1)).toBe(Math.floor((MAX_SHEET_SIDE - 99) / 100));
    expect(largestCellSize([1000], 1)).toBe(7);
    const layout = contactSheetLayout([100, 50], largestCellSize([100, 50], 1), 1);
    expect(layout.width).toBeLessThanOrEqual(MAX_SHEET_SIDE);
  });
});
