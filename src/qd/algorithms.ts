import { GridArchive } from './archives/gridArchive';
import type { Emitter, RestartRule, SelectionRule } from './emitters/emitter';
import { EvolutionStrategyEmitter, type EvolutionStrategyName } from './emitters/evolutionStrategyEmitter';
import { GaussianEmitter } from './emitters/gaussianEmitter';
import { GradientArborescenceEmitter } from './emitters/gradientArborescenceEmitter';
import { IsoLineEmitter } from './emitters/isoLineEmitter';
import { PriorSamplingEmitter } from './emitters/priorSamplingEmitter';
import type { CmaVariant } from './optimizers/evolutionStrategy';
import type { GradientOptimizerName } from './optimizers/gradientOptimizer';
import { SeededRandom } from './random';
import type { RankerName } from './rankers/ranker';
import { Scheduler } from './schedulers/scheduler';
import { requireInteger, requireOneOf, toFloat64Array } from './validation';

export type AlgorithmName = 'map_elites' | 'line_map_elites' | 'cma_me' | 'cma_me_imp' | 'cma_me_basic' | 'cma_mae' | 'cma_mega' | 'cma_maega' | 'random';
/** `cma_me_imp` is the spec's name for `cma_me` (an alias). */
export const ALGORITHMS: readonly AlgorithmName[] = ['map_elites', 'line_map_elites', 'cma_me', 'cma_me_imp', 'cma_me_basic', 'cma_mae', 'cma_mega', 'cma_maega', 'random'];

/** Hyperparameters of a preset; every field has a per-algorithm default (see ALGORITHM_DEFAULTS). */
export interface AlgorithmSettings {
  /** Number of emitters. */
  emitters: number;
  /** Candidates per emitter per iteration (DQD emitters add one gradient point each). */
  batchSize: number;
  /** Mutation sigma (map_elites), prior sigma (random), initial ES sigma (CMA family; coefficient ES for *_mega). */
  sigma0: number;
  /** Annealing learning rate of the search archive; 1 = elitist. */
  archiveLearningRate: number;
  /** Threshold of empty cells in the annealing archive. */
  thresholdMin: number;
  es: EvolutionStrategyName;
  ranker: RankerName;
  selectionRule: SelectionRule;
  restartRule: RestartRule;
  /** Step size of the gradient optimiser (CMA-MEGA / CMA-MAEGA). */
  learningRate: number;
  gradientOptimizer: GradientOptimizerName;
  normalizeGradients: boolean;
  isoSigma: number;
  lineSigma: number;
  /** 'tutorial': textbook CMA-ES; 'pyribs': pyribs v0.8.3's deviations, to reproduce its numbers. */
  variant: CmaVariant;
  /** Full CMA-ES: eigendecomposition lazy-gap factor (pyribs / pycma: 0.5). */
  lazyGapFactor: number;
  /** Full CMA-ES: cap the decompositions' cost at that of sampling (false = pyribs' schedule). */
  boundEigenCost: boolean;
}

const COMMON: AlgorithmSettings = {
  emitters: 15,
  batchSize: 36,
  sigma0: 0.5,
  archiveLearningRate: 1,
  thresholdMin: -Infinity,
  es: 'cma_es',
  ranker: '2imp',
  selectionRule: 'filter',
  restartRule: 'no_improvement',
  learningRate: 1,
  gradientOptimizer: 'gradient_ascent',
  normalizeGradients: true,
  isoSigma: 0.01,
  lineSigma: 0.2,
  variant: 'tutorial',
  lazyGapFactor: 0.5,
  boundEigenCost: true,
};

/**
 * Per-algorithm defaults: pyribs v0.8.3's examples/sphere.py (540 evaluations per iteration),
 * as tabulated in shared/anchors/sphere-benchmark.md.
 */
export const ALGORITHM_DEFAULTS: Record<AlgorithmName, AlgorithmSettings> = {
  map_elites: { ...COMMON, emitters: 1, batchSize: 540 },
  line_map_elites: { ...COMMON, emitters: 1, batchSize: 540, isoSigma: 0.5, lineSigma: 0.2 },
  cma_me: { ...COMMON },
  cma_me_imp: { ...COMMON },
  cma_me_basic: { ...COMMON, selectionRule: 'mu', restartRule: 'basic' },
  cma_mae: { ...COMMON, archiveLearningRate: 0.01, thresholdMin: 0, es: 'sep_cma_es', ranker: 'imp', selectionRule: 'mu', restartRule: 'basic' },
  cma_mega: { ...COMMON, batchSize: 35, sigma0: 10, selectionRule: 'mu', restartRule: 'no_improvement' },
  cma_maega: { ...COMMON, batchSize: 35, sigma0: 10, archiveLearningRate: 0.01, thresholdMin: 0, ranker: 'imp', selectionRule: 'filter', restartRule: 'basic' },
  random: { ...COMMON, emitters: 1, batchSize: 540, sigma0: 1 },
};

export interface AlgorithmConfig extends Partial<AlgorithmSettings> {
  algorithm: AlgorithmName;
  solutionDim: number;
  /** Grid cells per measure. */
  dims: number[];
  ranges: Array<[number, number]>;
  seed: number;
  /** Starting point; zeros by default. */
  x0?: ArrayLike<number>;
}

/** Fills in the per-algorithm defaults. */
export function resolveSettings(config: AlgorithmConfig): AlgorithmSettings {
  const algorithm = requireOneOf('algorithm', config.algorithm, ALGORITHMS);
  const defaults = ALGORITHM_DEFAULTS[algorithm];
  const settings = { ...defaults };
  for (const key of Object.keys(defaults) as Array<keyof AlgorithmSettings>) {
    if (config[key] !== undefined) (settings as Record<string, unknown>)[key] = config[key];
  }
  return settings;
}

/**
 * Builds the scheduler of a named algorithm: the search archive, the result archive of the
 * annealing algorithms (elitist, same grid), and the emitters, all seeded from `seed`.
 */
export function createScheduler(config: AlgorithmConfig): Scheduler {
  const settings = resolveSettings(config);
  const { algorithm } = config;
  const n = requireInteger('solutionDim', config.solutionDim, 1);
  requireInteger('emitters', settings.emitters, 1);
  requireInteger('batchSize', settings.batchSize, 1);
  const x0 = config.x0 === undefined ? new Float64Array(n) : toFloat64Array('x0', config.x0, n);
  const seeds = new SeededRandom(requireInteger('seed', config.seed, 0, Number.MAX_SAFE_INTEGER));
  const grid = { solutionDim: n, dims: config.dims, ranges: config.ranges };
  const annealing = settings.archiveLearningRate < 1;
  const archive = new GridArchive({
    ...grid,
    learningRate: settings.archiveLearningRate,
    thresholdMin: annealing ? settings.thresholdMin : -Infinity,
    seed: seeds.nextUint32(),
  });
  const resultArchive = annealing ? new GridArchive({ ...grid, seed: seeds.nextUint32() }) : undefined;

  const emitters: Emitter[] = [];
  for (let i = 0; i < settings.emitters; i++) {
    const seed = seeds.nextUint32();
    const common = { archive, x0, batchSize: settings.batchSize, seed };
    switch (algorithm) {
      case 'map_elites':
        emitters.push(new GaussianEmitter({ ...common, sigma: settings.sigma0 }));
        break;
      case 'line_map_elites':
        emitters.push(new IsoLineEmitter({ ...common, isoSigma: settings.isoSigma, lineSigma: settings.lineSigma }));
        break;
      case 'random':
        emitters.push(new PriorSamplingEmitter({ archive, mean: x0, sigma: settings.sigma0, batchSize: settings.batchSize, seed }));
        break;
      case 'cma_me':
      case 'cma_me_imp':
      case 'cma_me_basic':
      case 'cma_mae':
        emitters.push(
          new EvolutionStrategyEmitter({
            ...common,
            sigma0: settings.sigma0,
            es: settings.es,
            ranker: settings.ranker,
            selectionRule: settings.selectionRule,
            restartRule: settings.restartRule,
            variant: settings.variant,
            lazyGapFactor: settings.lazyGapFactor,
            boundEigenCost: settings.boundEigenCost,
          }),
        );
        break;
      case 'cma_mega':
      case 'cma_maega':
        emitters.push(
          new GradientArborescenceEmitter({
            ...common,
            sigma0: settings.sigma0,
            learningRate: settings.learningRate,
            gradientOptimizer: settings.gradientOptimizer,
            normalizeGradients: settings.normalizeGradients,
            ranker: settings.ranker,
            selectionRule: settings.selectionRule,
            restartRule: settings.restartRule,
            variant: settings.variant,
          }),
        );
        break;
    }
  }
  return new Scheduler({ archive, emitters, resultArchive });
}
