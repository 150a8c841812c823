import { QdConfigError } from '../../qd/errors';
import { SeededRandom } from '../../qd/random';
import { requireFiniteNumber, requireInteger, requireInUnitInterval, requireOneOf } from '../../qd/validation';

/**
 * The procedural "shapes" dataset of the QDGS paper's proof of concept: one red or blue triangle
 * or square on a white background, with a colour/shape correlation `beta` that a biased
 * generator inherits and QDGS is meant to undo. Also renders out-of-distribution images
 * (splatters, empty, noise) that the scorer learns to tell apart from shapes.
 *
 * Images are Float32Array, channels last (HWC, RGB) in [0, 1]; pixel (x, y) covers the square
 * [x, x + 1] x [y, y + 1], y pointing down. Every draw comes from a SeededRandom, so the same
 * seed gives the same bytes.
 */

export type ShapeKind = 'triangle' | 'square';
export type ShapeColour = 'red' | 'blue';
export interface ShapeLabel {
  colour: ShapeColour;
  shape: ShapeKind;
}
export type OodKind = 'splatter' | 'empty' | 'noise';

export const SHAPE_KINDS: readonly ShapeKind[] = ['triangle', 'square'];
export const SHAPE_COLOURS: readonly ShapeColour[] = ['red', 'blue'];
export const OOD_KINDS: readonly OodKind[] = ['splatter', 'empty', 'noise'];

/** The label colours, 0..255 RGB. */
export const SHAPE_COLOUR_RGB: Readonly<Record<ShapeColour, readonly [number, number, number]>> = {
  red: [216, 27, 96],
  blue: [30, 136, 229],
};

export const DEFAULT_IMAGE_SIZE = 32;
export const MIN_IMAGE_SIZE = 8;
export const MAX_IMAGE_SIZE = 256;
export const MAX_IMAGE_COUNT = 1_000_000;
/** Shape circumradius, as a fraction of the image size. */
export const RADIUS_RANGE: readonly [number, number] = [0.25, 0.45];
/** Largest centre offset per axis, as a fraction of the image size (less when the shape is large). */
export const MAX_CENTRE_OFFSET = 0.08;
/** Darkest an "empty" image gets: each channel is 1 - EMPTY_NOISE * U(0, 1). */
export const EMPTY_NOISE = 0.02;

/** Largest image tensor (floats) one call allocates: 2 GiB of float32. */
const MAX_ELEMENTS = 2 ** 29;
/** Samples per pixel axis for anti-aliasing (4 x 4 = 16 coverage samples per pixel). */
const SUPERSAMPLING = 4;
const SAMPLE_OFFSETS = Array.from({ length: SUPERSAMPLING }, (_, i) => (i + 0.5) / SUPERSAMPLING);
const WHITE: Rgb = [1, 1, 1];

/** An RGB colour with channels in [0, 1]. */
type Rgb = readonly [number, number, number];

const unitRgb = (rgb: readonly [number, number, number]): Rgb => [rgb[0] / 255, rgb[1] / 255, rgb[2] / 255];
const LABEL_RGB: Readonly<Record<ShapeColour, Rgb>> = { red: unitRgb(SHAPE_COLOUR_RGB.red), blue: unitRgb(SHAPE_COLOUR_RGB.blue) };

// ---------------------------------------------------------------------------------------------
// Shapes
// ---------------------------------------------------------------------------------------------

/** Where and how one shape is drawn, in pixels (origin at the image's top-left corner). */
export interface ShapeGeometry {
  shape: ShapeKind;
  centerX: number;
  centerY: number;
  /** Circumradius: distance from the centre to each vertex. */
  radius: number;
  /** Degrees; 0 is an upright triangle (apex up) and an axis-aligned square. */
  rotation: number;
}

/**
 * Draws a random pose: rotation uniform in [0, 360), circumradius uniform in RADIUS_RANGE x size,
 * centre offset uniform per axis but never so far that the circumscribed circle (hence the
 * shape) leaves the image with less than half a pixel to spare.
 */
export function sampleShapeGeometry(size: number, shape: ShapeKind, random: SeededRandom): ShapeGeometry {
  requireSize(size);
  requireOneOf('shape', shape, SHAPE_KINDS);
  const rotation = random.uniform() * 360;
  const radius = size * (RADIUS_RANGE[0] + (RADIUS_RANGE[1] - RADIUS_RANGE[0]) * random.uniform());
  const maxOffset = Math.max(0, Math.min(MAX_CENTRE_OFFSET * size, size / 2 - radius - 0.5));
  const centerX = size / 2 + (2 * random.uniform() - 1) * maxOffset;
  const centerY = size / 2 + (2 * random.uniform() - 1) * maxOffset;
  return { shape, centerX, centerY, radius, rotation };
}

/** The polygon's vertices [x0, y0, x1, y1, ...], in order around the centre. */
export function shapeVertices(geometry: ShapeGeometry): number[] {
  const sides = geometry.shape === 'triangle' ? 3 : 4;
  // Start at the top vertex for the triangle, at the top-right corner for the square.
  const start = -Math.PI / 2 + (sides === 4 ? Math.PI / 4 : 0) + (geometry.rotation * Math.PI) / 180;
  const vertices: number[] = [];
  for (let k = 0; k < sides; k++) {
    const angle = start + (2 * Math.PI * k) / sides;
    vertices.push(geometry.centerX + geometry.radius * Math.cos(angle), geometry.centerY + geometry.radius * Math.sin(angle));
  }
  return vertices;
}

/** Draws `geometry` filled with the label colour on a white background into out[offset ..] (HWC). */
export function drawShape(size: number, geometry: ShapeGeometry, colour: ShapeColour, out: Float32Array, offset: number): void {
  requireSize(size);
  requireOneOf('colour', colour, SHAPE_COLOURS);
  requireOneOf('geometry.shape', geometry.shape, SHAPE_KINDS);
  for (const field of ['centerX', 'centerY', 'radius', 'rotation'] as const) requireFiniteNumber(`geometry.${field}`, geometry[field]);
  requireTarget(out, offset, size);
  fill(out, offset, size, WHITE);
  paint(out, offset, size, convexPolygon(shapeVertices(geometry)), LABEL_RGB[colour]);
}

/** Renders one random shape with the given label into out[offset ..] (HWC, RGB, [0, 1]). */
export function renderShape(size: number, label: ShapeLabel, random: SeededRandom, out: Float32Array, offset: number): void {
  requireLabel(label);
  drawShape(size, sampleShapeGeometry(size, label.shape, random), label.colour, out, offset);
}

export interface ShapesOptions {
  count: number;
  /** Image side in pixels, 8..256; default 32. */
  size?: number;
  /** Share of red triangles + blue squares, in [0, 1]; 0.5 is balanced. */
  beta: number;
  seed: number;
}

export interface ShapesDataset {
  /** NHWC, count * size * size * 3 floats in [0, 1]. */
  images: Float32Array;
  labels: ShapeLabel[];
  size: number;
}

/**
 * Exact label counts for a bias `beta`: round(beta * count) "aligned" images (red triangles and
 * blue squares, half each; an odd one is a red triangle), the rest blue triangles and red
 * squares (half each; an odd one is a blue triangle).
 */
export function biasedLabelCounts(count: number, beta: number): Array<{ label: ShapeLabel; count: number }> {
  requireCount(count);
  requireInUnitInterval('beta', beta);
  const aligned = Math.round(beta * count);
  const misaligned = count - aligned;
  return [
    { label: { colour: 'red', shape: 'triangle' }, count: Math.ceil(aligned / 2) },
    { label: { colour: 'blue', shape: 'square' }, count: Math.floor(aligned / 2) },
    { label: { colour: 'blue', shape: 'triangle' }, count: Math.ceil(misaligned / 2) },
    { label: { colour: 'red', shape: 'square' }, count: Math.floor(misaligned / 2) },
  ];
}

/**
 * A dataset of `count` shapes with colour/shape bias `beta`. Proportions are exact (see
 * biasedLabelCounts), the order is a seeded shuffle, and every image has its own random pose.
 */
export function generateShapes(options: ShapesOptions): ShapesDataset {
  const size = requireSize(options.size ?? DEFAULT_IMAGE_SIZE);
  const count = requireCount(options.count, size);
  const beta = requireInUnitInterval('beta', options.beta);
  const random = new SeededRandom(requireSeed(options.seed));
  // Separate streams: the label order does not shift the poses and vice versa.
  const labelRandom = random.spawn();
  const poseRandom = random.spawn();
  const labels: ShapeLabel[] = [];
  for (const entry of biasedLabelCounts(count, beta)) {
    for (let i = 0; i < entry.count; i++) labels.push({ ...entry.label });
  }
  shuffle(labels, labelRandom);
  const stride = size * size * 3;
  const images = new Float32Array(count * stride);
  labels.forEach((label, i) => renderShape(size, label, poseRandom, images, i * stride));
  return { images, labels, size };
}

// ---------------------------------------------------------------------------------------------
// Out-of-distribution images
// ---------------------------------------------------------------------------------------------

/**
 * Renders one out-of-distribution image into out[offset ..]: `splatter` is 4..10 paint marks
 * (blobs with droplets, or brush strokes) in red, blue or random colours on white, so colour
 * alone never means "shape"; `empty` is white with at most EMPTY_NOISE of darkening per channel;
 * `noise` is uniform random pixels.
 */
export function renderOod(size: number, kind: OodKind, random: SeededRandom, out: Float32Array, offset: number): void {
  requireSize(size);
  requireOneOf('kind', kind, OOD_KINDS);
  requireTarget(out, offset, size);
  const end = offset + size * size * 3;
  switch (kind) {
    case 'empty':
      for (let i = offset; i < end; i++) out[i] = 1 - EMPTY_NOISE * random.uniform();
      return;
    case 'noise':
      for (let i = offset; i < end; i++) out[i] = random.uniform();
      return;
    case 'splatter': {
      fill(out, offset, size, WHITE);
      const marks = 4 + random.integer(7);
      for (let m = 0; m < marks; m++) {
        const colour = splatterColour(random);
        const region = random.uniform() < 0.5 ? blob(size, random) : stroke(size, random);
        paint(out, offset, size, region, colour);
      }
      return;
    }
  }
}

export interface OodOptions {
  count: number;
  /** Image side in pixels, 8..256; default 32. */
  size?: number;
  seed: number;
  /** Kinds to draw, in equal shares (the first ones get one more when count does not divide); default all. */
  kinds?: readonly OodKind[];
}

export interface OodDataset {
  /** NHWC, count * size * size * 3 floats in [0, 1]. */
  images: Float32Array;
  kinds: OodKind[];
  size: number;
}

/** `count` out-of-distribution images, the kinds in exact equal shares, in a seeded order. */
export function generateOod(options: OodOptions): OodDataset {
  const size = requireSize(options.size ?? DEFAULT_IMAGE_SIZE);
  const count = requireCount(options.count, size);
  const choices = options.kinds ?? OOD_KINDS;
  if (!Array.isArray(choices) || choices.length === 0) throw new QdConfigError('kinds', `a non-empty list of ${OOD_KINDS.join(', ')}`, choices);
  choices.forEach((kind, i) => requireOneOf(`kinds[${i}]`, kind, OOD_KINDS));
  const random = new SeededRandom(requireSeed(options.seed));
  const orderRandom = random.spawn();
  const imageRandom = random.spawn();
  const kinds: OodKind[] = [];
  choices.forEach((kind, i) => {
    const share = Math.floor(count / choices.length) + (i < count % choices.length ? 1 : 0);
    for (let k = 0; k < share; k++) kinds.push(kind);
  });
  shuffle(kinds, orderRandom);
  const stride = size * size * 3;
  const images = new Float32Array(count * stride);
  kinds.forEach((kind, i) => renderOod(size, kind, imageRandom, images, i * stride));
  return { images, kinds, size };
}

/** A third red, a third blue (the label colours: colour alone must not mean "shape"), a third random. */
function splatterColour(random: SeededRandom): Rgb {
  const pick = random.integer(3);
  if (pick === 0) return LABEL_RGB.red;
  if (pick === 1) return LABEL_RGB.blue;
  return [random.uniform(), random.uniform(), random.uniform()];
}

/** A round splat anywhere in the image with 3..8 droplets around it. */
function blob(size: number, random: SeededRandom): Region {
  const x = random.uniform() * size;
  const y = random.uniform() * size;
  const radius = size * (0.05 + 0.1 * random.uniform());
  const discs: Region[] = [disc(x, y, radius)];
  const droplets = 3 + random.integer(6);
  for (let d = 0; d < droplets; d++) {
    const angle = random.uniform() * 2 * Math.PI;
    const distance = radius * (1 + 1.2 * random.uniform());
    discs.push(disc(x + distance * Math.cos(angle), y + distance * Math.sin(angle), radius * (0.15 + 0.25 * random.uniform())));
  }
  return union(discs);
}

/** A brush stroke: a bent polyline of 2..4 segments, each a capsule of constant width. */
function stroke(size: number, random: SeededRandom): Region {
  let x = random.uniform() * size;
  let y = random.uniform() * size;
  let angle = random.uniform() * 2 * Math.PI;
  const halfWidth = size * (0.015 + 0.03 * random.uniform());
  const segments = 2 + random.integer(3);
  const parts: Region[] = [];
  for (let s = 0; s < segments; s++) {
    const length = size * (0.15 + 0.25 * random.uniform());
    const nextX = x + length * Math.cos(angle);
    const nextY = y + length * Math.sin(angle);
    parts.push(capsule(x, y, nextX, nextY, halfWidth));
    x = nextX;
    y = nextY;
    angle += (random.uniform() - 0.5) * Math.PI;
  }
  return union(parts);
}

// ---------------------------------------------------------------------------------------------
// Rasterisation
// ---------------------------------------------------------------------------------------------

/** A paintable area: a bounding box (pixels) and an inside test for sample points. */
interface Region {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  contains(x: number, y: number): boolean;
}

/** A convex polygon as the intersection of its edges' half-planes n . p <= c. */
function convexPolygon(vertices: number[]): Region {
  const n = vertices.length / 2;
  let cx = 0;
  let cy = 0;
  for (let k = 0; k < n; k++) {
    cx += vertices[2 * k] / n;
    cy += vertices[2 * k + 1] / n;
  }
  const planes = new Float64Array(3 * n);
  for (let k = 0; k < n; k++) {
    const ax = vertices[2 * k];
    const ay = vertices[2 * k + 1];
    const bx = vertices[(2 * k + 2) % (2 * n)];
    const by = vertices[(2 * k + 3) % (2 * n)];
    // Edge normal, flipped to point away from the centroid whatever the winding.
    let nx = by - ay;
    let ny = ax - bx;
    if (nx * (cx - ax) + ny * (cy - ay) > 0) {
      nx = -nx;
      ny = -ny;
    }
    planes[3 * k] = nx;
    planes[3 * k + 1] = ny;
    planes[3 * k + 2] = nx * ax + ny * ay;
  }
  const xs = vertices.filter((_, i) => i % 2 === 0);
  const ys = vertices.filter((_, i) => i % 2 === 1);
  return {
    x0: Math.min(...xs),
    y0: Math.min(...ys),
    x1: Math.max(...xs),
    y1: Math.max(...ys),
    contains(x, y) {
      for (let k = 0; k < planes.length; k += 3) if (planes[k] * x + planes[k + 1] * y > planes[k + 2]) return false;
      return true;
    },
  };
}

function disc(x: number, y: number, radius: number): Region {
  const r2 = radius * radius;
  return {
    x0: x - radius,
    y0: y - radius,
    x1: x + radius,
    y1: y + radius,
    contains: (px, py) => (px - x) * (px - x) + (py - y) * (py - y) <= r2,
  };
}

/** Points within `halfWidth` of the segment (ax, ay)-(bx, by). */
function capsule(ax: number, ay: number, bx: number, by: number, halfWidth: number): Region {
  const dx = bx - ax;
  const dy = by - ay;
  const length2 = dx * dx + dy * dy || 1;
  const w2 = halfWidth * halfWidth;
  return {
    x0: Math.min(ax, bx) - halfWidth,
    y0: Math.min(ay, by) - halfWidth,
    x1: Math.max(ax, bx) + halfWidth,
    y1: Math.max(ay, by) + halfWidth,
    contains(px, py) {
      const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / length2));
      const ex = px - ax - t * dx;
      const ey = py - ay - t * dy;
      return ex * ex + ey * ey <= w2;
    },
  };
}

/** One region made of several: painted once, so overlaps are not anti-aliased twice. */
function union(parts: Region[]): Region {
  return {
    x0: Math.min(...parts.map((p) => p.x0)),
    y0: Math.min(...parts.map((p) => p.y0)),
    x1: Math.max(...parts.map((p) => p.x1)),
    y1: Math.max(...parts.map((p) => p.y1)),
    contains: (x, y) => parts.some((p) => p.contains(x, y)),
  };
}

function fill(out: Float32Array, offset: number, size: number, rgb: Rgb): void {
  for (let i = offset, end = offset + size * size * 3; i < end; i += 3) {
    out[i] = rgb[0];
    out[i + 1] = rgb[1];
    out[i + 2] = rgb[2];
  }
}

/**
 * Paints `region` in `rgb` over the image: each pixel is blended by its coverage, the share of
 * its SUPERSAMPLING x SUPERSAMPLING sample points inside the region (anti-aliased edges; a
 * fully covered pixel gets exactly `rgb`).
 */
function paint(out: Float32Array, offset: number, size: number, region: Region, rgb: Rgb): void {
  const px0 = Math.max(0, Math.floor(region.x0));
  const py0 = Math.max(0, Math.floor(region.y0));
  const px1 = Math.min(size, Math.ceil(region.x1));
  const py1 = Math.min(size, Math.ceil(region.y1));
  const samples = SUPERSAMPLING * SUPERSAMPLING;
  for (let py = py0; py < py1; py++) {
    for (let px = px0; px < px1; px++) {
      let hits = 0;
      for (const sy of SAMPLE_OFFSETS) for (const sx of SAMPLE_OFFSETS) if (region.contains(px + sx, py + sy)) hits++;
      if (hits === 0) continue;
      const coverage = hits / samples;
      const i = offset + (py * size + px) * 3;
      for (let c = 0; c < 3; c++) out[i + c] = hits === samples ? rgb[c] : out[i + c] + (rgb[c] - out[i + c]) * coverage;
    }
  }
}

/** Fisher-Yates, in place. */
function shuffle<T>(items: T[], random: SeededRandom): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = random.integer(i + 1);
    const swap = items[i];
    items[i] = items[j];
    items[j] = swap;
  }
}

// ---------------------------------------------------------------------------------------------
// Layout conversion
// ---------------------------------------------------------------------------------------------

/** NHWC -> NCHW (channels first, the layout ONNX image models take). */
export function toNchw(images: Float32Array, count: number, size: number): Float32Array {
  return transposeChannels(images, count, size, true);
}

/** NCHW -> NHWC (channels last, the layout of this module and tfjs). */
export function toNhwc(images: Float32Array, count: number, size: number): Float32Array {
  return transposeChannels(images, count, size, false);
}

function transposeChannels(images: Float32Array, count: number, size: number, toChannelsFirst: boolean): Float32Array {
  requireInteger('count', count, 0);
  requireInteger('size', size, 1);
  const pixels = size * size;
  const stride = pixels * 3;
  if (!(images instanceof Float32Array) || images.length !== count * stride) {
    throw new QdConfigError('images', `a Float32Array of count * size * size * 3 = ${count * stride} values`, images);
  }
  const out = new Float32Array(images.length);
  for (let n = 0; n < count; n++) {
    const base = n * stride;
    for (let p = 0; p < pixels; p++) {
      for (let c = 0; c < 3; c++) {
        const hwc = base + p * 3 + c;
        const chw = base + c * pixels + p;
        if (toChannelsFirst) out[chw] = images[hwc];
        else out[hwc] = images[chw];
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

function requireSize(size: number): number {
  return requireInteger('size', size, MIN_IMAGE_SIZE, MAX_IMAGE_SIZE);
}

/** count in [0, MAX_IMAGE_COUNT], and (given the size) no more images than fit one 2 GiB tensor. */
function requireCount(count: number, size?: number): number {
  requireInteger('count', count, 0, MAX_IMAGE_COUNT);
  if (size !== undefined && count * size * size * 3 > MAX_ELEMENTS) {
    requireInteger('count', count, 0, Math.floor(MAX_ELEMENTS / (size * size * 3)));
  }
  return count;
}

function requireSeed(seed: number): number {
  return requireInteger('seed', seed, 0, Number.MAX_SAFE_INTEGER);
}

function requireLabel(label: ShapeLabel): void {
  if (typeof label !== 'object' || label === null) throw new QdConfigError('label', '{ colour: red | blue, shape: triangle | square }', label);
  requireOneOf('label.colour', label.colour, SHAPE_COLOURS);
  requireOneOf('label.shape', label.shape, SHAPE_KINDS);
}

function requireTarget(out: Float32Array, offset: number, size: number): void {
  requireInteger('offset', offset, 0);
  const needed = offset + size * size * 3;
  if (!(out instanceof Float32Array) || out.length < needed) {
    throw new QdConfigError('out', `a Float32Array of at least offset + size * size * 3 = ${needed} values`, out);
  }
}
