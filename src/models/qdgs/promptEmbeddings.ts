import type { Scorer } from '../runtime/scorer';

/** The prompts of a run as text: a prompt may hold several phrases separated by "|". */
export interface PromptTexts {
  objectivePositive: readonly string[];
  objectiveNegative: readonly string[];
  measures: ReadonlyArray<{ lowPrompt: string; highPrompt: string }>;
}

/**
 * Unit text embeddings of every phrase, grouped the way the losses use them: each group is
 * phrases x D values, and a group's loss is the sum of the distances to its phrases.
 */
export interface PromptEmbeddings {
  dim: number;
  /** Every phrase of every positive objective prompt (L(x, P+) sums over all of them). */
  positive: Float32Array;
  /** Every phrase of every negative objective prompt (empty: no negative term). */
  negative: Float32Array;
  /** Per measure: the low pole A_j and the high pole B_j, m_j = L(x, A_j) - L(x, B_j). */
  measures: Array<{ low: Float32Array; high: Float32Array }>;
  /** Words the scorer's vocabulary lacks (they were encoded as its unknown token). */
  unknownWords: string[];
}

export function splitPhrases(prompt: string): string[] {
  return prompt
    .split('|')
    .map((phrase) => phrase.trim())
    .filter((phrase) => phrase.length > 0);
}

/** Embeds all phrases in one scorer call (prompts are embedded once per run). */
export async function embedPrompts(scorer: Scorer, prompts: PromptTexts): Promise<PromptEmbeddings> {
  const groups: string[][] = [prompts.objectivePositive.flatMap(splitPhrases), prompts.objectiveNegative.flatMap(splitPhrases)];
  for (const measure of prompts.measures) groups.push(splitPhrases(measure.lowPrompt), splitPhrases(measure.highPrompt));
  const { embeddings, unknownWords } = await scorer.embedTexts(groups.flat());
  const dim = scorer.embedDim;
  let start = 0;
  const slices = groups.map((phrases) => {
    const slice = embeddings.slice(start * dim, (start + phrases.length) * dim);
    start += phrases.length;
    return slice;
  });
  return {
    dim,
    positive: slices[0],
    negative: slices[1],
    measures: prompts.measures.map((_, j) => ({ low: slices[2 + 2 * j], high: slices[3 + 2 * j] })),
    unknownWords,
  };
}
