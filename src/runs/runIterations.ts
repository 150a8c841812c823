import type { Scheduler } from '../qd/schedulers/scheduler';
import type { EvaluationDomain } from './runDomain';

/** Where a run thread's time went (seconds). */
export interface RunTimeSpent {
  /** Inside the domain's evaluate: the models (or the benchmark function). */
  models: number;
  /** ask / tell: emitters, rankers, archives. */
  optimizer: number;
  /** Building flushes and waiting for the host to persist them. */
  database: number;
}

export function noTimeSpent(): RunTimeSpent {
  return { models: 0, optimizer: 0, database: 0 };
}

/**
 * Runs up to `iterations` iterations (askDqd/tellDqd with Jacobians first for DQD schedulers),
 * awaiting the domain only when it is asynchronous. `atBoundary` runs after every iteration; the
 * loop ends there when it returns true, leaving the scheduler between iterations. Adds the time
 * of evaluations and of ask/tell to `spent`.
 */
export async function runIterations(scheduler: Scheduler, domain: EvaluationDomain, iterations: number, atBoundary: () => boolean, spent: RunTimeSpent): Promise<void> {
  const k = domain.measureDim;
  const n = domain.solutionDim;
  const objectives = new Float64Array(scheduler.batchSize);
  const measures = new Float64Array(scheduler.batchSize * k);
  const dqdObjectives = new Float64Array(scheduler.dqdBatchSize);
  const dqdMeasures = new Float64Array(scheduler.dqdBatchSize * k);
  const jacobians = new Float64Array(scheduler.dqdBatchSize * (k + 1) * n);
  const evaluate = async (solutions: Float64Array, count: number, o: Float64Array, m: Float64Array, j?: Float64Array) => {
    const started = performance.now();
    const pending = domain.evaluate(solutions, count, o, m, j);
    if (pending) await pending;
    spent.models += (performance.now() - started) / 1000;
  };
  const timed = <T>(step: () => T): T => {
    const started = performance.now();
    const result = step();
    spent.optimizer += (performance.now() - started) / 1000;
    return result;
  };
  for (let it = 0; it < iterations; it++) {
    if (scheduler.isDqd) {
      const points = timed(() => scheduler.askDqd());
      await evaluate(points, scheduler.dqdBatchSize, dqdObjectives, dqdMeasures, jacobians);
      timed(() => scheduler.tellDqd(dqdObjectives, dqdMeasures, jacobians));
    }
    const candidates = timed(() => scheduler.ask());
    await evaluate(candidates, scheduler.batchSize, objectives, measures);
    timed(() => scheduler.tell(objectives, measures));
    if (atBoundary()) return;
  }
}
