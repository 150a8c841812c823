import type { GradientMethod } from '../models/qdgs/gradientEstimators';
import type { ObjectiveTerms } from '../models/qdgs/objectiveTerms';

export { GRADIENT_METHODS, type GradientMethod } from '../models/qdgs/gradientEstimators';
export type { ObjectiveTerms } from '../models/qdgs/objectiveTerms';

/**
 * The part of a stored RunConfig that only QDGS runs on real models have (`domain: "generative"`):
 * which registered models, the prompt set's text (copied, so a run stays reproducible when the
 * prompt set is edited), how gradients are estimated and the objective's optional terms.
 */

export const RUN_DEVICES = ['cpu', 'gpu'] as const;
export type RunDevice = (typeof RUN_DEVICES)[number];

/** A registered model as a run uses it: the bundle path is relative to the models root. */
export interface ModelReference {
  modelId: string;
  name: string;
  path: string;
  /** sha256 of the bundle at registration; the worker refuses files that changed since. */
  sha256: string;
}

export interface GeneratorReference extends ModelReference {
  latentDim: number;
  /** [height, width] */
  imageSize: [number, number];
}

export interface RunPrompts {
  objectivePositive: string[];
  objectiveNegative: string[];
  /** One per measure axis, in the prompt set's order: m = L(x, lowPrompt) - L(x, highPrompt). */
  measures: Array<{ name: string; lowPrompt: string; highPrompt: string }>;
}

export interface GenerativeSettings {
  generator: GeneratorReference;
  scorer: ModelReference;
  prompts: RunPrompts;
  gradient: GradientMethod;
  /** Finite-difference step h, or the ES perturbation sigma. */
  gradientStep: number;
  /** Antithetic pairs per ES gradient estimate. */
  gradientSamples: number;
  objective: ObjectiveTerms;
  /** The search starts from the best of this many prior samples (0: from the prior's mean). */
  initialSamples: number;
  /** Standard deviation of the generator's latent prior (random baseline and initial samples). */
  priorSigma: number;
  device: RunDevice;
  /** Rows per onnxruntime call. */
  maxBatch: number;
}
