import type { AlgorithmName, AlgorithmSettings } from '../qd/algorithms';
import { GRADIENT_METHODS, RUN_DEVICES, type GeneratorReference, type GenerativeSettings, type GradientMethod, type ModelReference, type ObjectiveTerms } from './generativeRunConfig';
import { integerIn, numberIn, oneOf } from './requestFields';
import type { BaseRunRequest } from './runConfig';

/** The options of a generative (QDGS) run request; all but the models and prompt set have defaults. */
export interface GenerativeRequest extends BaseRunRequest {
  generatorId?: string | null;
  scorerId?: string | null;
  gradient?: string | null;
  /** Finite-difference step, or ES sigma (default 0.01 / 0.1). */
  gradientStep?: number | null;
  gradientSamples?: number | null;
  objective?: Partial<ObjectiveTerms> | null;
  initialSamples?: number | null;
  priorSigma?: number | null;
  device?: string | null;
  maxBatch?: number | null;
}

export const GENERATIVE_REQUEST_FIELDS = ['generatorId', 'scorerId', 'gradient', 'gradientStep', 'gradientSamples', 'objective', 'initialSamples', 'priorSigma', 'device', 'maxBatch'] as const;

/** What the service looked up for a generative run: the registered models and the prompt set. */
export interface GenerativeResources {
  generator: GeneratorReference;
  scorer: ModelReference;
  promptSet: {
    objectivePositive: string[];
    objectiveNegative: string[];
    measures: Array<{ name: string; lowPrompt: string; highPrompt: string; low: number; high: number; resolution: number }>;
  };
}

/** The QDGS paper's shapes configuration (Fontaine et al. 2024), where it has one. */
export const GENERATIVE_DEFAULTS = {
  iterations: 70_000,
  /** Chosen by measurement on the shapes run (README, "Choosing the defaults"): at equal model evaluations ES gave the higher QD score. */
  gradient: 'antithetic_es' as GradientMethod,
  gradientStep: { finite_differences: 0.01, antithetic_es: 0.1 } as Record<GradientMethod, number>,
  gradientSamples: 3,
  initialSamples: 512,
  priorSigma: 1,
  device: 'cpu' as const,
  maxBatch: 1024,
  objective: { regularizationWeight: 0, marginWeight: 0, margin: 0.1, marginMemory: 100 },
};

export const GENERATIVE_LIMITS = {
  gradientSamples: [1, 10_000],
  initialSamples: [0, 100_000],
  maxBatch: [1, 65_536],
  marginMemory: [1, 100_000],
} as const;

export function resolveGenerativeSettings(request: GenerativeRequest, resources: GenerativeResources): GenerativeSettings {
  const gradient = oneOf('gradient', request.gradient, GENERATIVE_DEFAULTS.gradient, GRADIENT_METHODS);
  const objective = request.objective ?? {};
  const latentDim = resources.generator.latentDim;
  return {
    generator: resources.generator,
    scorer: resources.scorer,
    prompts: {
      objectivePositive: resources.promptSet.objectivePositive,
      objectiveNegative: resources.promptSet.objectiveNegative,
      measures: resources.promptSet.measures.map(({ name, lowPrompt, highPrompt }) => ({ name, lowPrompt, highPrompt })),
    },
    gradient,
    gradientStep: numberIn('gradientStep', request.gradientStep, GENERATIVE_DEFAULTS.gradientStep[gradient], [0, 1e6], true),
    gradientSamples: integerIn('gradientSamples', request.gradientSamples, GENERATIVE_DEFAULTS.gradientSamples, GENERATIVE_LIMITS.gradientSamples),
    objective: {
      regularizationWeight: numberIn('objective.regularizationWeight', objective.regularizationWeight, GENERATIVE_DEFAULTS.objective.regularizationWeight, [0, 1e6]),
      latentNormThreshold: numberIn('objective.latentNormThreshold', objective.latentNormThreshold, Math.sqrt(latentDim), [0, 1e6]),
      marginWeight: numberIn('objective.marginWeight', objective.marginWeight, GENERATIVE_DEFAULTS.objective.marginWeight, [0, 1e6]),
      margin: numberIn('objective.margin', objective.margin, GENERATIVE_DEFAULTS.objective.margin, [0, Math.PI]),
      marginMemory: integerIn('objective.marginMemory', objective.marginMemory, GENERATIVE_DEFAULTS.objective.marginMemory, GENERATIVE_LIMITS.marginMemory),
    },
    initialSamples: integerIn('initialSamples', request.initialSamples, GENERATIVE_DEFAULTS.initialSamples, GENERATIVE_LIMITS.initialSamples),
    priorSigma: numberIn('priorSigma', request.priorSigma, GENERATIVE_DEFAULTS.priorSigma, [0, 1e6], true),
    device: oneOf('device', request.device, GENERATIVE_DEFAULTS.device, RUN_DEVICES),
    maxBatch: integerIn('maxBatch', request.maxBatch, GENERATIVE_DEFAULTS.maxBatch, GENERATIVE_LIMITS.maxBatch),
  };
}

/** Model evaluations (images) of one gradient point: the point plus its perturbations. */
export function evaluationsPerGradientPoint(settings: GenerativeSettings): number {
  return 1 + (settings.gradient === 'finite_differences' ? 2 * settings.generator.latentDim : 2 * settings.gradientSamples);
}

/**
 * Engine defaults of generative runs, under the user's overrides: the paper's shapes setting
 * (one gradient-arborescence emitter with 3 branches, sigma0 0.5, emitter learning rate 0.5,
 * archive learning rate 0.02, threshold_min 0). The random baseline samples the latent prior
 * and spends as many model evaluations per iteration as a default CMA-MAEGA iteration.
 */
export function generativeAlgorithmDefaults(algorithm: AlgorithmName, settings: GenerativeSettings): Partial<AlgorithmSettings> {
  const branches = 3;
  switch (algorithm) {
    case 'random':
      return { emitters: 1, batchSize: evaluationsPerGradientPoint(settings) + branches, sigma0: settings.priorSigma };
    case 'cma_mega':
      return { emitters: 1, batchSize: branches, sigma0: 0.5, learningRate: 0.5, restartRule: 'no_improvement' };
    case 'cma_maega':
      return { emitters: 1, batchSize: branches, sigma0: 0.5, learningRate: 0.5, archiveLearningRate: 0.02, thresholdMin: 0, restartRule: 'no_improvement' };
    case 'cma_mae':
      return { sigma0: 0.5, archiveLearningRate: 0.02, thresholdMin: 0 };
    default:
      return { sigma0: 0.5 };
  }
}
