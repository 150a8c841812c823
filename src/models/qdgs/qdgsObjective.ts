import type { ObjectiveTerms } from './objectiveTerms';
import type { PromptEmbeddings } from './promptEmbeddings';
import { SolutionMemory } from './solutionMemory';
import { promptLoss } from './sphericalDistance';

/**
 * The QDGS objective and measures of images, from their unit image embeddings e(x):
 *   f(z) = 100 - 50 * (L(x, P+) - L(x, P-) + w_reg * R(z) + w_u * U(x))
 *   m_j(z) = L(x, A_j) - L(x, B_j)
 * with L the summed spherical distance to a group of phrases, R(z) = (max(|z|, q) - q)^2 and
 * U the margin term of SolutionMemory (see DESIGN.md and Fontaine et al., QDGS, 2024).
 */
export class QdgsObjective {
  readonly measureDim: number;
  private readonly memory: SolutionMemory;

  constructor(
    private readonly prompts: PromptEmbeddings,
    private readonly terms: ObjectiveTerms,
  ) {
    this.measureDim = prompts.measures.length;
    this.memory = new SolutionMemory(terms.marginWeight > 0 ? terms.marginMemory : 0, prompts.dim);
  }

  /**
   * Scores `count` rows: `embeddings` (count x D) of the images generated from `latents`
   * (count x latentDim, row-major). Writes objectives[i] and measures[i * k + j].
   */
  score(embeddings: Float32Array, latents: Float64Array, latentDim: number, count: number, objectives: Float64Array, measures: Float64Array): void {
    const { dim, positive, negative } = this.prompts;
    const { regularizationWeight, latentNormThreshold, marginWeight, margin } = this.terms;
    const k = this.measureDim;
    for (let i = 0; i < count; i++) {
      let loss = promptLoss(embeddings, i, positive, dim);
      if (negative.length > 0) loss -= promptLoss(embeddings, i, negative, dim);
      if (regularizationWeight !== 0) loss += regularizationWeight * latentPenalty(latents, i * latentDim, latentDim, latentNormThreshold);
      if (marginWeight !== 0) loss += marginWeight * this.memory.marginPenalty(embeddings, i, margin);
      objectives[i] = 100 - 50 * loss;
      for (let j = 0; j < k; j++) {
        const poles = this.prompts.measures[j];
        measures[i * k + j] = promptLoss(embeddings, i, poles.low, dim) - promptLoss(embeddings, i, poles.high, dim);
      }
    }
  }

  /** Adds rows of `embeddings` to the margin term's memory of recent solutions (no-op when w_u = 0). */
  remember(embeddings: Float32Array, from: number, count: number): void {
    this.memory.remember(embeddings, from, count);
  }
}

/** R(z) = (max(|z|, q) - q)^2: zero inside the typical set of the latent prior. */
export function latentPenalty(latents: ArrayLike<number>, offset: number, latentDim: number, threshold: number): number {
  let squared = 0;
  for (let i = 0; i < latentDim; i++) squared += latents[offset + i] * latents[offset + i];
  const excess = Math.max(Math.sqrt(squared), threshold) - threshold;
  return excess * excess;
}
