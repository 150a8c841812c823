import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { ALL_CAPTIONS, captionMatches, captionsFor, isKnownCaption, oodCaptions, tokenize, vocabulary } from '../../src/models/shapes/captions';
import { encodeImageGridPng, writeImageGridPng } from '../../src/models/shapes/imageGrid';
import {
  EMPTY_NOISE,
  OOD_KINDS,
  SHAPE_COLOURS,
  SHAPE_COLOUR_RGB,
  SHAPE_KINDS,
  biasedLabelCounts,
  drawShape,
  generateOod,
  generateShapes,
  renderOod,
  renderShape,
  sampleShapeGeometry,
  toNchw,
  toNhwc,
  type OodKind,
  type ShapeColour,
  type ShapeKind,
  type ShapeLabel,
} from '../../src/models/shapes/shapesData';
import { SeededRandom } from '../../src/qd/random';
import { expectConfigError } from '../qd/helpers';

const bytes = (images: Float32Array) => Buffer.from(images.buffer, images.byteOffset, images.byteLength);
const ALL_LABELS: ShapeLabel[] = SHAPE_COLOURS.flatMap((colour) => SHAPE_KINDS.map((shape) => ({ colour, shape })));
const labelKey = (label: ShapeLabel) => `${label.colour} ${label.shape}`;
const red = (shape: ShapeKind): ShapeLabel => ({ colour: 'red', shape });
const blue = (shape: ShapeKind): ShapeLabel => ({ colour: 'blue', shape });

/**
 * Per-pixel coverage of a shape image, recovered from the channel where the label colour is
 * darkest against white (green for red, red for blue): pixel = 1 - coverage * (1 - colour).
 */
function coverage(image: Float32Array, colour: ShapeColour): Float64Array {
  const channel = colour === 'red' ? 1 : 0;
  const ink = 1 - SHAPE_COLOUR_RGB[colour][channel] / 255;
  const pixels = image.length / 3;
  return Float64Array.from({ length: pixels }, (_, p) => (1 - image[3 * p + channel]) / ink);
}

/** Area and polar second moment about the centroid of a coverage map (pixel centres). */
function moments(cover: Float64Array, size: number): { area: number; polar: number } {
  let area = 0;
  let mx = 0;
  let my = 0;
  for (let p = 0; p < cover.length; p++) {
    area += cover[p];
    mx += cover[p] * ((p % size) + 0.5);
    my += cover[p] * (Math.floor(p / size) + 0.5);
  }
  mx /= area;
  my /= area;
  let polar = 0;
  for (let p = 0; p < cover.length; p++) polar += cover[p] * (((p % size) + 0.5 - mx) ** 2 + (Math.floor(p / size) + 0.5 - my) ** 2);
  return { area, polar };
}

describe('generateShapes', () => {
  it('is deterministic: the same seed gives the same bytes, another seed other bytes', () => {
    const a = generateShapes({ count: 12, size: 16, beta: 0.8, seed: 3 });
    const b = generateShapes({ count: 12, size: 16, beta: 0.8, seed: 3 });
    const c = generateShapes({ count: 12, size: 16, beta: 0.8, seed: 4 });
    expect(a.size).toBe(16);
    expect(a.images).toHaveLength(12 * 16 * 16 * 3);
    expect(bytes(a.images).equals(bytes(b.images))).toBe(true);
    expect(a.labels).toEqual(b.labels);
    expect(bytes(a.images).equals(bytes(c.images))).toBe(false);
    expect(generateShapes({ count: 1, beta: 0.5, seed: 0 }).size).toBe(32);
  });

  it.each([
    [0.98, { 'red triangle': 98, 'blue square': 98, 'blue triangle': 2, 'red square': 2 }],
    [0.8, { 'red triangle': 80, 'blue square': 80, 'blue triangle': 20, 'red square': 20 }],
    [0.5, { 'red triangle': 50, 'blue square': 50, 'blue triangle': 50, 'red square': 50 }],
  ])('has exact label proportions for beta %s, in a shuffled order', (beta, expected) => {
    const { labels } = generateShapes({ count: 200, size: 8, beta, seed: 11 });
    const counts: Record<string, number> = {};
    for (const label of labels) counts[labelKey(label)] = (counts[labelKey(label)] ?? 0) + 1;
    expect(counts).toEqual(Object.fromEntries(Object.entries(expected).filter(([, n]) => n > 0)));
    expect(new Set(labels.slice(0, 20).map(labelKey)).size).toBeGreaterThan(1);
  });

  it('splits odd counts deterministically', () => {
    const counts = biasedLabelCounts(7, 0.5).map((entry) => [labelKey(entry.label), entry.count]);
    expect(counts).toEqual([
      ['red triangle', 2],
      ['blue square', 2],
      ['blue triangle', 2],
      ['red square', 1],
    ]);
    expect(biasedLabelCounts(10, 1).map((entry) => entry.count)).toEqual([5, 5, 0, 0]);
    expect(biasedLabelCounts(10, 0).map((entry) => entry.count)).toEqual([0, 0, 5, 5]);
  });

  it('paints the label colour on a white background', () => {
    const size = 32;
    const { images, labels } = generateShapes({ count: 24, size, beta: 0.5, seed: 5 });
    const stride = size * size * 3;
    labels.forEach((label, n) => {
      const image = images.subarray(n * stride, (n + 1) * stride);
      const sum = [0, 0, 0];
      let solid = 0;
      for (let p = 0; p < size * size; p++) {
        const rgb = [image[3 * p], image[3 * p + 1], image[3 * p + 2]];
        if (Math.min(...rgb) < 0.3) {
          solid++;
          rgb.forEach((v, c) => (sum[c] += v));
        }
      }
      expect(solid).toBeGreaterThan(0.04 * size * size);
      const mean = sum.map((v) => v / solid);
      SHAPE_COLOUR_RGB[label.colour].forEach((v, c) => expect(Math.abs(mean[c] - v / 255)).toBeLessThan(0.05));
      for (const [x, y] of [
        [0, 0],
        [size - 1, 0],
        [0, size - 1],
        [size - 1, size - 1],
      ]) {
        const p = 3 * (y * size + x);
        expect([image[p], image[p + 1], image[p + 2]]).toEqual([1, 1, 1]);
      }
      let white = 0;
      for (let i = 0; i < stride; i += 3) if (image[i] === 1 && image[i + 1] === 1 && image[i + 2] === 1) white++;
      expect(white).toBeGreaterThan(0.4 * size * size);
      // Anti-aliased: some edge pixels are between white and the colour.
      let partial = 0;
      for (const c of coverage(image, label.colour)) if (c > 0.05 && c < 0.95) partial++;
      expect(partial).toBeGreaterThan(10);
    });
  });

  it('draws triangles and squares with their areas relative to the circumradius', () => {
    const size = 64;
    const image = new Float32Array(size * size * 3);
    const expected: Record<ShapeKind, number> = { triangle: (3 * Math.sqrt(3)) / 4, square: 2 };
    for (const shape of SHAPE_KINDS) {
      for (const rotation of [0, 17, 45, 200]) {
        drawShape(size, { shape, centerX: 31.3, centerY: 32.6, radius: 20, rotation }, 'blue', image, 0);
        const { area } = moments(coverage(image, 'blue'), size);
        expect(Math.abs(area / 400 - expected[shape])).toBeLessThan(0.02);
      }
    }
  });

  it('tells triangles from squares by a scale-free moment of the rendered image', () => {
    // area^2 / polar moment about the centroid: 3 sqrt(3) = 5.196 for an equilateral triangle, 6 for a square.
    const size = 48;
    const random = new SeededRandom(9);
    const image = new Float32Array(size * size * 3);
    for (const label of ALL_LABELS) {
      for (let k = 0; k < 6; k++) {
        renderShape(size, label, random, image, 0);
        const { area, polar } = moments(coverage(image, label.colour), size);
        expect(Math.abs((area * area) / polar - (label.shape === 'triangle' ? 3 * Math.sqrt(3) : 6))).toBeLessThan(0.15);
      }
    }
  });

  it('samples poses inside the documented ranges, the circumscribed circle inside the image', () => {
    const random = new SeededRandom(1);
    for (let k = 0; k < 200; k++) {
      const size = 8 + random.integer(120);
      const g = sampleShapeGeometry(size, k % 2 ? 'square' : 'triangle', random);
      expect(g.rotation).toBeGreaterThanOrEqual(0);
      expect(g.rotation).toBeLessThan(360);
      expect(g.radius / size).toBeGreaterThanOrEqual(0.25);
      expect(g.radius / size).toBeLessThanOrEqual(0.45);
      for (const c of [g.centerX, g.centerY]) {
        expect(c - g.radius).toBeGreaterThanOrEqual(0.5 - 1e-9);
        expect(c + g.radius).toBeLessThanOrEqual(size - 0.5 + 1e-9);
      }
    }
  });
});

describe('out-of-distribution images', () => {
  it('draws exact equal shares of the kinds, deterministically', () => {
    const a = generateOod({ count: 10, size: 16, seed: 2 });
    const b = generateOod({ count: 10, size: 16, seed: 2 });
    expect(bytes(a.images).equals(bytes(b.images))).toBe(true);
    expect(a.kinds).toEqual(b.kinds);
    expect(bytes(a.images).equals(bytes(generateOod({ count: 10, size: 16, seed: 3 }).images))).toBe(false);
    const counts = Object.fromEntries(OOD_KINDS.map((kind) => [kind, a.kinds.filter((k) => k === kind).length]));
    expect(counts).toEqual({ splatter: 4, empty: 3, noise: 3 });
    expect(generateOod({ count: 4, size: 8, seed: 1, kinds: ['noise'] }).kinds).toEqual(['noise', 'noise', 'noise', 'noise']);
  });

  it('looks as described: empty near white, noise high variance, splatters of colours on white', () => {
    const size = 32;
    const random = new SeededRandom(4);
    const image = new Float32Array(size * size * 3);
    const stats = () => {
      const mean = image.reduce((s, v) => s + v, 0) / image.length;
      const variance = image.reduce((s, v) => s + (v - mean) ** 2, 0) / image.length;
      return { mean, variance, min: Math.min(...image), max: Math.max(...image) };
    };
    renderOod(size, 'empty', random, image, 0);
    const empty = stats();
    expect(empty.min).toBeGreaterThanOrEqual(1 - EMPTY_NOISE);
    expect(empty.max).toBeLessThanOrEqual(1);
    expect(empty.variance).toBeLessThan(1e-4);

    renderOod(size, 'noise', random, image, 0);
    const noise = stats();
    expect(Math.abs(noise.mean - 0.5)).toBeLessThan(0.03);
    expect(noise.variance).toBeGreaterThan(0.07); // 1/12 for U(0, 1)

    let labelColoured = 0;
    for (let k = 0; k < 12; k++) {
      renderOod(size, 'splatter', random, image, 0);
      let white = 0;
      for (let i = 0; i < image.length; i += 3) {
        if (image[i] === 1 && image[i + 1] === 1 && image[i + 2] === 1) white++;
        for (const colour of SHAPE_COLOURS) {
          if (SHAPE_COLOUR_RGB[colour].every((v, c) => Math.abs(image[i + c] - v / 255) < 1e-6)) labelColoured++;
        }
      }
      expect(white).toBeGreaterThan(0.2 * size * size);
      expect(white).toBeLessThan(0.99 * size * size);
    }
    expect(labelColoured).toBeGreaterThan(0);
  });
});

describe('layout conversion', () => {
  it('round-trips NHWC -> NCHW -> NHWC and puts channels first', () => {
    const size = 8;
    const { images } = generateShapes({ count: 3, size, beta: 0.5, seed: 1 });
    const nchw = toNchw(images, 3, size);
    const pixels = size * size;
    for (const [n, p, c] of [
      [0, 0, 0],
      [1, 17, 2],
      [2, 63, 1],
    ]) {
      expect(nchw[n * 3 * pixels + c * pixels + p]).toBe(images[n * 3 * pixels + p * 3 + c]);
    }
    expect(bytes(toNhwc(nchw, 3, size)).equals(bytes(images))).toBe(true);
    expectConfigError(() => toNchw(images, 4, size), 'images');
  });
});

describe('image grid PNG', () => {
  it('tiles images with a grey gap and nearest upscaling, and decodes back', () => {
    const size = 8;
    const { images } = generateOod({ count: 5, size, seed: 6, kinds: ['noise'] });
    const png = PNG.sync.read(encodeImageGridPng(images, 5, size, 3, { scale: 2, gap: 1 }));
    expect([png.width, png.height]).toEqual([3 * 16 + 2, 2 * 16 + 1]);
    const pixel = (x: number, y: number) => Array.from(png.data.subarray((y * png.width + x) * 4, (y * png.width + x) * 4 + 4));
    const expected = (n: number, x: number, y: number) => [...Array.from(images.subarray((n * size * size + y * size + x) * 3, (n * size * size + y * size + x) * 3 + 3), (v) => Math.round(v * 255)), 255];
    expect(pixel(0, 0)).toEqual(expected(0, 0, 0));
    expect(pixel(1, 1)).toEqual(expected(0, 0, 0));
    expect(pixel(17 + 2 * 3, 2 * 5)).toEqual(expected(1, 3, 5)); // tile 1 starts at x = 16 + 1
    expect(pixel(16, 0)).toEqual([128, 128, 128, 255]); // gap
    expect(pixel(png.width - 1, png.height - 1)).toEqual([128, 128, 128, 255]); // empty last cell

    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'shapes-grid-')), 'nested', 'grid.png');
    writeImageGridPng(file, images, 2, size, 4);
    const written = PNG.sync.read(fs.readFileSync(file));
    expect([written.width, written.height]).toEqual([2 * 8 + 2, 8]);
    fs.rmSync(path.dirname(path.dirname(file)), { recursive: true });

    expectConfigError(() => encodeImageGridPng(images, 6, size, 3), 'images');
    expectConfigError(() => encodeImageGridPng(images, 5, size, 0), 'columns');
    expectConfigError(() => encodeImageGridPng(images, 5, size, 3, { scale: 1.5 }), 'scale');
  });
});

describe('captions', () => {
  const subjects: Array<ShapeLabel | OodKind> = [...ALL_LABELS, ...OOD_KINDS];
  const matching = (caption: string) => subjects.filter((subject) => captionMatches(caption, subject));

  it('knows which images the prompts describe', () => {
    expect(matching('A red shape.')).toEqual([red('triangle'), red('square')]);
    expect(matching('A blue shape.')).toEqual([blue('triangle'), blue('square')]);
    expect(matching('A triangle with 3 edges.')).toEqual([red('triangle'), blue('triangle')]);
    expect(matching('A square or diamond with 4 edges.')).toEqual([red('square'), blue('square')]);
    expect(matching('A regular square or a triangle.')).toEqual(ALL_LABELS);
    expect(matching('A red triangle.')).toEqual([red('triangle')]);
    expect(matching('A blue square on a white background.')).toEqual([blue('square')]);
    expect(matching('Splatters of colors.')).toEqual(['splatter']);
    expect(matching('An empty image.')).toEqual(['empty']);
    expect(matching('Static noise.')).toEqual(['noise']);
    expect(captionMatches('  a RED shape ', red('square'))).toBe(true);
  });

  it('lists exactly the matching captions, all distinct, covering the paraphrases', () => {
    expect(new Set(ALL_CAPTIONS).size).toBe(ALL_CAPTIONS.length);
    for (const subject of subjects) {
      const listed = typeof subject === 'string' ? oodCaptions(subject) : captionsFor(subject);
      expect(listed.length).toBeGreaterThanOrEqual(5);
      for (const caption of ALL_CAPTIONS) expect(captionMatches(caption, subject)).toBe(listed.includes(caption));
    }
    for (const caption of [
      'A picture of a red triangle.',
      'A shape with three corners.',
      'A rotated square.',
      'A diamond.',
      'Something red.',
      'Paint splatters.',
      'A blank white image.',
      'Random noise.',
    ]) {
      expect(isKnownCaption(caption)).toBe(true);
    }
  });

  it('tokenizes into a sorted vocabulary with punctuation as tokens', () => {
    expect(tokenize('A red, shape!')).toEqual(['a', 'red', ',', 'shape', '!']);
    expect(vocabulary(['A red shape.', 'Hello, world?', 'a RED shape'])).toEqual([',', '.', '?', 'a', 'hello', 'red', 'shape', 'world']);
    const words = vocabulary(ALL_CAPTIONS);
    expect(words).toEqual([...words].sort());
    expect(words).toEqual(expect.arrayContaining(['red', 'blue', 'triangle', 'square', 'diamond', '3', '4', 'noise', '.']));
  });

  it('rejects unknown captions and subjects', () => {
    expect(isKnownCaption('A green circle.')).toBe(false);
    expectConfigError(() => captionMatches('A green circle.', red('triangle')), 'caption');
    expectConfigError(() => captionMatches('A red shape.', 'smoke' as OodKind), 'kind');
    expectConfigError(() => captionsFor({ colour: 'green' as ShapeColour, shape: 'square' }), 'label.colour');
  });
});

describe('validation', () => {
  it('names the invalid parameter', () => {
    const ok = { count: 2, size: 8, beta: 0.5, seed: 1 };
    for (const size of [7, 257, 8.5]) expectConfigError(() => generateShapes({ ...ok, size }), 'size', '[8, 256]');
    for (const count of [-1, 1.5, 1_000_001]) expectConfigError(() => generateShapes({ ...ok, count }), 'count');
    expectConfigError(() => generateShapes({ ...ok, count: 1_000_000, size: 256 }), 'count'); // 786 GB of floats
    for (const beta of [-0.1, 1.1, NaN]) expectConfigError(() => generateShapes({ ...ok, beta }), 'beta', '[0, 1]');
    for (const seed of [-1, 0.5]) expectConfigError(() => generateShapes({ ...ok, seed }), 'seed');
    expectConfigError(() => generateOod({ count: 2, size: 300, seed: 1 }), 'size');
    expectConfigError(() => generateOod({ count: 2, seed: 1, kinds: [] }), 'kinds');
    expectConfigError(() => generateOod({ count: 2, seed: 1, kinds: ['smoke' as OodKind] }), 'kinds[0]');
    const random = new SeededRandom(0);
    const out = new Float32Array(8 * 8 * 3);
    expectConfigError(() => renderShape(8, red('triangle'), random, out, 1), 'out');
    expectConfigError(() => renderShape(8, { colour: 'red', shape: 'circle' as ShapeKind }, random, out, 0), 'label.shape');
    expectConfigError(() => renderOod(8, 'smoke' as OodKind, random, out, 0), 'kind');
    expectConfigError(() => renderOod(8, 'noise', random, out, -3), 'offset');
    expectConfigError(() => drawShape(8, { shape: 'square', centerX: 4, centerY: 4, radius: NaN, rotation: 0 }, 'red', out, 0), 'geometry.radius');
  });
});
