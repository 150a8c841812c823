import { QdConfigError } from '../../qd/errors';
import { requireOneOf } from '../../qd/validation';
import { OOD_KINDS, SHAPE_COLOURS, SHAPE_KINDS, type OodKind, type ShapeColour, type ShapeKind, type ShapeLabel } from './shapesData';

/**
 * The language the shapes scorer is trained on: captions and paraphrases of the prompts users
 * write ("A red shape.", "A triangle with 3 edges.", "A regular square or a triangle.", ...).
 * Every caption comes from one table row (text, predicate), so whether a caption truly
 * describes an image with a given label is known exactly: that is what the scorer's contrastive
 * training pairs and the evaluation of prompt accuracy rest on.
 */

/** What an image shows: a shape with its label, or an out-of-distribution kind. */
export type CaptionSubject = ShapeLabel | OodKind;

interface CaptionRule {
  text: string;
  matches: (subject: CaptionSubject) => boolean;
}

const isShape = (subject: CaptionSubject): subject is ShapeLabel => typeof subject !== 'string';
const anyShape = (subject: CaptionSubject) => isShape(subject);
const ofColour = (colour: ShapeColour) => (subject: CaptionSubject) => isShape(subject) && subject.colour === colour;
const ofShape = (shape: ShapeKind) => (subject: CaptionSubject) => isShape(subject) && subject.shape === shape;
const ofLabel = (colour: ShapeColour, shape: ShapeKind) => (subject: CaptionSubject) => isShape(subject) && subject.colour === colour && subject.shape === shape;
const ofOod = (kind: OodKind) => (subject: CaptionSubject) => subject === kind;

const rules = (texts: string[], matches: CaptionRule['matches']): CaptionRule[] => texts.map((text) => ({ text, matches }));

const CORNERS: Record<ShapeKind, { words: string; digit: string }> = { triangle: { words: 'three', digit: '3' }, square: { words: 'four', digit: '4' } };

const colourRules = SHAPE_COLOURS.flatMap((colour) =>
  rules(
    [
      `A ${colour} shape.`,
      `Something ${colour}.`,
      `A ${colour} figure.`,
      `A ${colour} object on a white background.`,
      `A ${colour} shape on a white background.`,
      `A picture of a ${colour} shape.`,
    ],
    ofColour(colour),
  ),
);

const shapeRules = SHAPE_KINDS.flatMap((shape) => {
  const { words, digit } = CORNERS[shape];
  const texts = [
    `A ${shape}.`,
    `A rotated ${shape}.`,
    `A picture of a ${shape}.`,
    `A ${shape} on a white background.`,
    `A shape with ${words} corners.`,
    `A shape with ${words} sides.`,
    `A shape with ${digit} corners.`,
    `A polygon with ${digit} edges.`,
  ];
  if (shape === 'triangle') texts.push('A triangle with 3 edges.', 'A triangle with three sides.');
  else texts.push('A square or diamond with 4 edges.', 'A diamond.', 'A tilted square.', 'A square with four sides.');
  return rules(texts, ofShape(shape));
});

const labelRules = SHAPE_COLOURS.flatMap((colour) =>
  SHAPE_KINDS.flatMap((shape) => {
    const texts = [
      `A ${colour} ${shape}.`,
      `A picture of a ${colour} ${shape}.`,
      `A ${colour} ${shape} on a white background.`,
      `A rotated ${colour} ${shape}.`,
      `A ${colour} shape with ${CORNERS[shape].words} corners.`,
    ];
    if (shape === 'square') texts.push(`A ${colour} diamond.`);
    return rules(texts, ofLabel(colour, shape));
  }),
);

const anyShapeRules = rules(
  [
    'A regular square or a triangle.',
    'A triangle or a square.',
    'A simple geometric shape.',
    'A single shape on a white background.',
    'A colored shape on a white background.',
    'A red or blue shape.',
  ],
  anyShape,
);

const oodRules = [
  ...rules(
    [
      'Splatters of colors.',
      'Paint splatters.',
      'Splashes of paint.',
      'Random blobs and strokes of paint.',
      'A messy splatter of colors.',
      'Colorful paint strokes on a white background.',
    ],
    ofOod('splatter'),
  ),
  ...rules(['An empty image.', 'A blank white image.', 'A plain white background.', 'An empty white canvas.', 'Nothing at all.'], ofOod('empty')),
  ...rules(['Random noise.', 'Static noise.', 'A noisy image.', 'Random colored pixels.', 'Television static.'], ofOod('noise')),
];

const RULES: readonly CaptionRule[] = [...colourRules, ...shapeRules, ...labelRules, ...anyShapeRules, ...oodRules];

/** Rules by normalised text; a duplicate would make captionMatches ambiguous, so it fails at load. */
const RULE_BY_KEY = new Map<string, CaptionRule>();
for (const rule of RULES) {
  const key = normaliseCaption(rule.text);
  if (RULE_BY_KEY.has(key)) throw new Error(`duplicate caption in the shapes caption table: ${rule.text}`);
  RULE_BY_KEY.set(key, rule);
}

/** Every caption the scorer is trained on, each once. */
export const ALL_CAPTIONS: readonly string[] = RULES.map((rule) => rule.text);

/** Every caption that correctly describes a shape image with `label`. */
export function captionsFor(label: ShapeLabel): string[] {
  requireSubject(label);
  return RULES.filter((rule) => rule.matches(label)).map((rule) => rule.text);
}

/** Every caption that correctly describes an out-of-distribution image of `kind`. */
export function oodCaptions(kind: OodKind): string[] {
  requireSubject(kind);
  return RULES.filter((rule) => rule.matches(kind)).map((rule) => rule.text);
}

/** Whether `caption` is one of ALL_CAPTIONS (compared case-insensitively, trailing . ! ? optional). */
export function isKnownCaption(caption: string): boolean {
  return typeof caption === 'string' && RULE_BY_KEY.has(normaliseCaption(caption));
}

/**
 * Whether `caption` correctly describes an image with `subject` (a shape label or an OOD kind).
 * Exact for every caption of ALL_CAPTIONS (compared as in isKnownCaption); any other text throws
 * a QdConfigError, since its truth is unknown rather than false.
 */
export function captionMatches(caption: string, subject: CaptionSubject): boolean {
  requireSubject(subject);
  const rule = typeof caption === 'string' ? RULE_BY_KEY.get(normaliseCaption(caption)) : undefined;
  if (!rule) throw new QdConfigError('caption', 'one of the shapes captions (ALL_CAPTIONS)', caption);
  return rule.matches(subject);
}

/** Lower-cased words, with each of . , ! ? split off as a token of its own. */
export function tokenize(caption: string): string[] {
  return caption
    .toLowerCase()
    .replace(/[.,!?]/g, ' $& ')
    .split(/\s+/)
    .filter((token) => token.length > 0);
}

/** The sorted distinct tokens (see tokenize) of `captions`. */
export function vocabulary(captions: readonly string[]): string[] {
  const tokens = new Set<string>();
  for (const caption of captions) for (const token of tokenize(caption)) tokens.add(token);
  return [...tokens].sort();
}

/** Tokens joined by single spaces, without trailing sentence punctuation. */
function normaliseCaption(caption: string): string {
  const tokens = tokenize(caption);
  while (tokens.length > 0 && ['.', '!', '?'].includes(tokens[tokens.length - 1])) tokens.pop();
  return tokens.join(' ');
}

function requireSubject(subject: CaptionSubject): void {
  if (typeof subject === 'string') {
    requireOneOf('kind', subject, OOD_KINDS);
    return;
  }
  if (typeof subject !== 'object' || subject === null) throw new QdConfigError('label', '{ colour: red | blue, shape: triangle | square } or an OOD kind', subject);
  requireOneOf('label.colour', subject.colour, SHAPE_COLOURS);
  requireOneOf('label.shape', subject.shape, SHAPE_KINDS);
}
