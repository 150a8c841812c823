/** Public API of the quality-diversity library (pure computation: no I/O, no database, no ONNX). */
export { QdConfigError } from './errors';
export { SeededRandom, type RandomState } from './random';

export { AddStatus, type AddResult, type AddOptions, type Archive, type ArchiveStats, type EliteBatch } from './archives/archive';
export { CellArchive, type CellArchiveOptions, type CellArchiveState } from './archives/cellArchive';
export { GridArchive, type GridArchiveOptions } from './archives/gridArchive';
export { CvtArchive, type CvtArchiveOptions } from './archives/cvtArchive';
export { kMeans } from './archives/kMeans';

export type { EvolutionStrategy, EvolutionStrategyState, CmaVariant } from './optimizers/evolutionStrategy';
export { CmaEvolutionStrategy, type CmaEsOptions } from './optimizers/cmaEvolutionStrategy';
export { CmaEs } from './optimizers/cmaEs';
export { SepCmaEs } from './optimizers/sepCmaEs';
export { LmMaEs, type LmMaEsOptions } from './optimizers/lmMaEs';
export type { GradientOptimizer, GradientOptimizerName } from './optimizers/gradientOptimizer';
export { GradientAscent } from './optimizers/gradientAscent';
export { Adam, type AdamOptions } from './optimizers/adam';
export { minimize, type MinimizeOptions, type MinimizeResult } from './optimizers/minimize';
export { symmetricEigen } from './linalg/symmetricEigen';

export type { Ranker, Ranking, RankerName } from './rankers/ranker';
export { ImprovementRanker } from './rankers/improvementRanker';
export { TwoStageImprovementRanker } from './rankers/twoStageImprovementRanker';
export { createRanker } from './rankers/createRanker';

export { isDqdEmitter, type Emitter, type DqdEmitter, type EmitterFeedback, type DqdFeedback, type EmitterState, type RestartRule, type SelectionRule } from './emitters/emitter';
export { GaussianEmitter, type GaussianEmitterOptions } from './emitters/gaussianEmitter';
export { IsoLineEmitter, type IsoLineEmitterOptions } from './emitters/isoLineEmitter';
export { PriorSamplingEmitter, type PriorSamplingEmitterOptions } from './emitters/priorSamplingEmitter';
export { EvolutionStrategyEmitter, type EvolutionStrategyEmitterOptions, type EvolutionStrategyName } from './emitters/evolutionStrategyEmitter';
export { GradientArborescenceEmitter, type GradientArborescenceEmitterOptions } from './emitters/gradientArborescenceEmitter';

export { Scheduler, type SchedulerOptions, type SchedulerState } from './schedulers/scheduler';

export type { Domain } from './domains/domain';
export { SphereDomain, SPHERE_BOUND, SPHERE_OPTIMUM } from './domains/sphere';
export { ArmDomain } from './domains/arm';

export { ALGORITHMS, ALGORITHM_DEFAULTS, createScheduler, resolveSettings, type AlgorithmName, type AlgorithmConfig, type AlgorithmSettings } from './algorithms';
export { runOnDomain, type DomainRunProgress, type DomainRunResult } from './runOnDomain';
