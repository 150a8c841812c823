import type { Archive } from '../archives/archive';
import { QdConfigError } from '../errors';
import { CmaEs } from '../optimizers/cmaEs';
import { LmMaEs } from '../optimizers/lmMaEs';
import { SepCmaEs } from '../optimizers/sepCmaEs';
import { CMA_VARIANTS, type CmaVariant, type EvolutionStrategy } from '../optimizers/evolutionStrategy';
import { SeededRandom } from '../random';
import { createRanker } from '../rankers/createRanker';
import type { Ranker, RankerName } from '../rankers/ranker';
import { requireInteger, requireOneOf, requirePositive, toFloat64Array } from '../validation';
import { SELECTION_RULES, type Emitter, type EmitterFeedback, type EmitterState, type RestartRule, type SelectionRule } from './emitter';
import { checkFeedback, countAdded, parentCount, requireRestartRule, restartRuleFires, sampleRestartPoint } from './emitterSupport';

export type EvolutionStrategyName = 'cma_es' | 'sep_cma_es' | 'lm_ma_es';
export const EVOLUTION_STRATEGIES: readonly EvolutionStrategyName[] = ['cma_es', 'sep_cma_es', 'lm_ma_es'];

export interface EvolutionStrategyEmitterOptions {
  archive: Archive;
  x0: ArrayLike<number>;
  sigma0: number;
  batchSize?: number;
  es?: EvolutionStrategyName;
  /** 'imp' (CMA-MAE) or '2imp' (CMA-ME's two-stage improvement ranking). */
  ranker?: RankerName;
  selectionRule?: SelectionRule;
  restartRule?: RestartRule;
  variant?: CmaVariant;
  /** Full CMA-ES only: lazy eigendecomposition gap factor (see CmaEsOptions.lazyGapFactor). */
  lazyGapFactor?: number;
  /** Full CMA-ES only: see CmaEsOptions.boundEigenCost. */
  boundEigenCost?: boolean;
  seed?: number;
}

/**
 * An evolution strategy steered by archive improvement: CMA-ME (Fontaine et al. 2020) with the
 * '2imp' ranker over an elitist archive, CMA-MAE (Fontaine & Nikolaidis 2023) with the 'imp'
 * ranker over an annealing archive. Each tell ranks the emitter's candidates, updates the ES
 * with the top `mu` (selection 'mu': half the batch; 'filter': those that entered the archive)
 * and restarts from a uniformly drawn elite when the ES stops or the restart rule fires.
 */
export class EvolutionStrategyEmitter implements Emitter {
  readonly archive: Archive;
  readonly solutionDim: number;
  readonly batchSize: number;
  readonly selectionRule: SelectionRule;
  readonly restartRule: RestartRule;
  readonly es: EvolutionStrategy;
  private readonly ranker: Ranker;
  private readonly x0: Float64Array;
  private restartCount = 0;
  private generationsSinceRestart = 0;

  constructor(options: EvolutionStrategyEmitterOptions) {
    this.archive = options.archive;
    this.solutionDim = options.archive.solutionDim;
    this.x0 = toFloat64Array('x0', options.x0, this.solutionDim);
    const batchSize = options.batchSize === undefined ? undefined : requireInteger('batchSize', options.batchSize, 2);
    const esName = requireOneOf('es', options.es ?? 'cma_es', EVOLUTION_STRATEGIES);
    const esOptions = {
      dimension: this.solutionDim,
      batchSize,
      sigma0: requirePositive('sigma0', options.sigma0),
      mean0: this.x0,
      random: new SeededRandom(options.seed ?? 0),
      variant: requireOneOf('variant', options.variant ?? 'tutorial', CMA_VARIANTS),
      lazyGapFactor: options.lazyGapFactor,
      boundEigenCost: options.boundEigenCost,
    };
    this.es = esName === 'cma_es' ? new CmaEs(esOptions) : esName === 'sep_cma_es' ? new SepCmaEs(esOptions) : new LmMaEs(esOptions);
    this.batchSize = this.es.batchSize;
    this.ranker = createRanker(options.ranker ?? '2imp');
    this.selectionRule = requireOneOf('selectionRule', options.selectionRule ?? 'filter', SELECTION_RULES);
    this.restartRule = requireRestartRule(options.restartRule ?? 'no_improvement');
  }

  get restarts(): number {
    return this.restartCount;
  }

  ask(out?: Float64Array): Float64Array {
    return this.es.ask(out);
  }

  tell(feedback: EmitterFeedback): void {
    checkFeedback(feedback, this.batchSize, this.solutionDim);
    const ranking = this.ranker.rank(feedback.status, feedback.value);
    const added = countAdded(feedback);
    this.es.tell(ranking.indices, parentCount(this.selectionRule, this.batchSize, added));
    this.generationsSinceRestart += 1;
    if (this.es.shouldStop(ranking.values, ranking.width) || restartRuleFires(this.restartRule, added, this.generationsSinceRestart)) {
      this.es.reset(sampleRestartPoint(this.archive, this.x0));
      this.ranker.reset();
      this.restartCount += 1;
      this.generationsSinceRestart = 0;
    }
  }

  serialize(): EmitterState {
    return {
      kind: 'evolution_strategy',
      es: this.es.serialize(),
      restarts: this.restartCount,
      generationsSinceRestart: this.generationsSinceRestart,
    };
  }

  restore(state: EmitterState): void {
    if (state.kind !== 'evolution_strategy') throw new QdConfigError('checkpoint.emitter.kind', "'evolution_strategy'", state.kind);
    this.es.restore(state.es as never);
    this.restartCount = state.restarts as number;
    this.generationsSinceRestart = state.generationsSinceRestart as number;
  }
}
