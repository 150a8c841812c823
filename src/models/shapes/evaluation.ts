import { SeededRandom } from '../../qd/random';
import type { Classifier, Generator, Scorer } from '../runtime';
import { generateOod, generateShapes, SHAPE_COLOUR_RGB, toNchw, type ShapeLabel } from './shapesData';

/** The prompts of the paper's shapes experiment, used for zero-shot checks of the scorer. */
export const SHAPES_PROMPTS = {
  red: 'A red shape.',
  blue: 'A blue shape.',
  triangle: 'A triangle with 3 edges.',
  square: 'A square or diamond with 4 edges.',
  quality: 'A regular square or a triangle.',
} as const;

export interface ScorerEvaluation {
  images: number;
  colourAccuracy: number;
  shapeAccuracy: number;
  /** P(a random shape image scores higher on the quality prompt than a random splatter/empty/noise image). */
  qualityAuc: number;
  meanQualityShapes: number;
  meanQualityOod: number;
}

export interface OracleEvaluation {
  images: number;
  colourAccuracy: number;
  shapeAccuracy: number;
}

export interface GroupProportions {
  redTriangle: number;
  blueTriangle: number;
  redSquare: number;
  blueSquare: number;
}

function dot(a: Float32Array, ai: number, b: Float32Array, bi: number, dim: number): number {
  let sum = 0;
  for (let k = 0; k < dim; k++) sum += a[ai * dim + k] * b[bi * dim + k];
  return sum;
}

/** Zero-shot accuracy of the scorer on held-out balanced images, and how it ranks out-of-distribution images. */
export async function evaluateScorer(scorer: Scorer, options: { count: number; size: number; seed: number }): Promise<ScorerEvaluation> {
  const data = generateShapes({ count: options.count, size: options.size, beta: 0.5, seed: options.seed });
  const ood = generateOod({ count: Math.round(options.count * 0.3), size: options.size, seed: options.seed + 1 });
  const prompts = [SHAPES_PROMPTS.red, SHAPES_PROMPTS.blue, SHAPES_PROMPTS.triangle, SHAPES_PROMPTS.square, SHAPES_PROMPTS.quality];
  const { embeddings: text } = await scorer.embedTexts(prompts);
  const dim = scorer.embedDim;
  const images = await scorer.embedImages(toNchw(data.images, options.count, options.size), options.count, options.size, options.size);
  const oodCount = ood.kinds.length;
  const oodImages = await scorer.embedImages(toNchw(ood.images, oodCount, options.size), oodCount, options.size, options.size);
  let colour = 0;
  let shape = 0;
  const qualityShapes = new Float64Array(options.count);
  for (let i = 0; i < options.count; i++) {
    const label = data.labels[i];
    const saysRed = dot(images, i, text, 0, dim) > dot(images, i, text, 1, dim);
    const saysTriangle = dot(images, i, text, 2, dim) > dot(images, i, text, 3, dim);
    if (saysRed === (label.colour === 'red')) colour++;
    if (saysTriangle === (label.shape === 'triangle')) shape++;
    qualityShapes[i] = dot(images, i, text, 4, dim);
  }
  const qualityOod = Float64Array.from({ length: oodCount }, (_, i) => dot(oodImages, i, text, 4, dim));
  let ordered = 0;
  for (const s of qualityShapes) for (const o of qualityOod) ordered += s > o ? 1 : s === o ? 0.5 : 0;
  const mean = (values: Float64Array) => values.reduce((a, b) => a + b, 0) / values.length;
  return {
    images: options.count,
    colourAccuracy: colour / options.count,
    shapeAccuracy: shape / options.count,
    qualityAuc: ordered / (qualityShapes.length * qualityOod.length),
    meanQualityShapes: mean(qualityShapes),
    meanQualityOod: mean(qualityOod),
  };
}

/** The oracle's accuracy on held-out balanced real images. */
export async function evaluateOracle(oracle: Classifier, options: { count: number; size: number; seed: number }): Promise<OracleEvaluation> {
  const data = generateShapes({ count: options.count, size: options.size, beta: 0.5, seed: options.seed });
  const probabilities = await oracle.classify(toNchw(data.images, options.count, options.size), options.count);
  let colour = 0;
  let shape = 0;
  data.labels.forEach((label: ShapeLabel, i: number) => {
    if (probabilities[2 * i] > 0.5 === (label.colour === 'blue')) colour++;
    if (probabilities[2 * i + 1] > 0.5 === (label.shape === 'square')) shape++;
  });
  return { images: options.count, colourAccuracy: colour / options.count, shapeAccuracy: shape / options.count };
}

/** Colour x shape shares of images as judged by the oracle (probability > 0.5). */
export async function judgeProportions(oracle: Classifier, images: Float32Array /* NCHW */, count: number): Promise<GroupProportions> {
  const probabilities = await oracle.classify(images, count);
  const counts = { redTriangle: 0, blueTriangle: 0, redSquare: 0, blueSquare: 0 };
  for (let i = 0; i < count; i++) {
    const blue = probabilities[2 * i] > 0.5;
    const square = probabilities[2 * i + 1] > 0.5;
    counts[`${blue ? 'blue' : 'red'}${square ? 'Square' : 'Triangle'}` as keyof GroupProportions] += 1;
  }
  return { redTriangle: counts.redTriangle / count, blueTriangle: counts.blueTriangle / count, redSquare: counts.redSquare / count, blueSquare: counts.blueSquare / count };
}

const BLUE_SHARE = (rgb: readonly number[]) => rgb[2] / (rgb[0] + rgb[2]);

/**
 * Share of images whose shape colour lies in the middle third between the red and the blue of
 * the data (purple blends a generator makes between its two modes). The oracle, trained on
 * real images only, still calls each of them red or blue, so this says how much of a judged
 * proportion rests on such images. Colour position of an image: blue / (red + blue) over its
 * non-white pixels, rescaled so the data's red is 0 and its blue is 1.
 */
export function colourBlendShare(images: Float32Array /* NCHW [0, 1] */, count: number, size: number): number {
  const red = BLUE_SHARE(SHAPE_COLOUR_RGB.red);
  const blue = BLUE_SHARE(SHAPE_COLOUR_RGB.blue);
  const plane = size * size;
  let blends = 0;
  for (let i = 0; i < count; i++) {
    let r = 0;
    let b = 0;
    for (let p = 0; p < plane; p++) {
      const base = i * 3 * plane + p;
      const R = images[base];
      const G = images[base + plane];
      const B = images[base + 2 * plane];
      if (R + G + B < 2.4) {
        r += R;
        b += B;
      }
    }
    if (r + b === 0) continue;
    const position = (b / (r + b) - red) / (blue - red);
    if (position > 1 / 3 && position < 2 / 3) blends++;
  }
  return blends / count;
}

/** `count` images from the generator's prior N(0, I), NCHW. */
export async function samplePrior(generator: Generator, count: number, seed: number): Promise<{ z: Float32Array; images: Float32Array }> {
  const random = new SeededRandom(seed);
  const z = Float32Array.from({ length: count * generator.latentDim }, () => random.normal());
  return { z, images: await generator.generate(z, count) };
}
