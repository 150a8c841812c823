import type { ArchiveStats } from './archives/archive';
import type { Domain } from './domains/domain';
import { QdConfigError } from './errors';
import type { Scheduler } from './schedulers/scheduler';
import { requireInteger } from './validation';

export interface DomainRunProgress extends ArchiveStats {
  iteration: number;
  evaluations: number;
}

export interface DomainRunResult {
  /** Iterations completed by this call (fewer than asked when `shouldStop` ended the loop). */
  iterations: number;
  evaluations: number;
  /** Wall time of the whole loop. */
  seconds: number;
  /** Time spent inside the domain's evaluate (objective, measures and gradients). */
  evaluationSeconds: number;
}

export interface DomainRunOptions {
  every?: number;
  onIteration?: (progress: DomainRunProgress) => void;
  /**
   * Checked after every iteration (after `onIteration`); the loop ends there when it returns
   * true, so the scheduler is always left between iterations (ready to serialize).
   */
  shouldStop?: () => boolean;
}

/**
 * Runs `iterations` iterations of a scheduler on a benchmark domain (askDqd/tellDqd with
 * Jacobians first when the scheduler's emitters are DQD emitters). `onIteration` is called
 * after every `every`-th iteration with the scheduler's statistics.
 */
export function runOnDomain(
  scheduler: Scheduler,
  domain: Domain,
  iterations: number,
  options: DomainRunOptions = {},
): DomainRunResult {
  requireInteger('iterations', iterations, 0);
  if (domain.solutionDim !== scheduler.solutionDim || domain.measureDim !== scheduler.archive.measureDim) {
    throw new QdConfigError('domain', `${scheduler.solutionDim} solution and ${scheduler.archive.measureDim} measure dimensions`, domain.name);
  }
  const every = requireInteger('every', options.every ?? 1, 1);
  const n = domain.solutionDim;
  const k = domain.measureDim;
  const objectives = new Float64Array(scheduler.batchSize);
  const measures = new Float64Array(scheduler.batchSize * k);
  const dqdObjectives = new Float64Array(scheduler.dqdBatchSize);
  const dqdMeasures = new Float64Array(scheduler.dqdBatchSize * k);
  const jacobians = new Float64Array(scheduler.dqdBatchSize * (k + 1) * n);
  let evaluations = 0;
  let evaluationMs = 0;
  let completed = 0;
  const start = performance.now();
  for (let it = 0; it < iterations; it++) {
    if (scheduler.isDqd) {
      const points = scheduler.askDqd();
      const t = performance.now();
      domain.evaluate(points, scheduler.dqdBatchSize, dqdObjectives, dqdMeasures, jacobians);
      evaluationMs += performance.now() - t;
      scheduler.tellDqd(dqdObjectives, dqdMeasures, jacobians);
      evaluations += scheduler.dqdBatchSize;
    }
    const candidates = scheduler.ask();
    const t = performance.now();
    domain.evaluate(candidates, scheduler.batchSize, objectives, measures);
    evaluationMs += performance.now() - t;
    scheduler.tell(objectives, measures);
    evaluations += scheduler.batchSize;
    if (options.onIteration && (scheduler.iteration % every === 0 || it === iterations - 1)) {
      options.onIteration({ iteration: scheduler.iteration, evaluations, ...scheduler.stats() });
    }
    completed += 1;
    if (options.shouldStop?.()) break;
  }
  return { iterations: completed, evaluations, seconds: (performance.now() - start) / 1000, evaluationSeconds: evaluationMs / 1000 };
}
