/** QDGS on real models: objective and measures from language prompts, gradient estimators, the latent-space domain. */
export { sphericalDistance, promptLoss } from './sphericalDistance';
export { embedPrompts, splitPhrases, type PromptEmbeddings, type PromptTexts } from './promptEmbeddings';
export { QdgsObjective, latentPenalty } from './qdgsObjective';
export type { ObjectiveTerms } from './objectiveTerms';
export { SolutionMemory } from './solutionMemory';
export { AntitheticEvolutionStrategy, CentralDifferences, createGradientEstimator, GRADIENT_METHODS, type GradientEstimator, type GradientMethod } from './gradientEstimators';
export { GenerativeDomain } from './generativeDomain';
export { bestPriorLatent } from './initialLatent';
