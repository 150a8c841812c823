import type { Scheduler } from '../qd/schedulers/scheduler';
import { SphereDomain } from '../qd/domains/sphere';
import type { RunConfig } from './runConfig';
import { openGenerativeRunDomain } from './generativeRunDomain';

/** What a run's loop evaluates solutions with: a benchmark function (sync) or real models (async). */
export interface EvaluationDomain {
  readonly solutionDim: number;
  readonly measureDim: number;
  /** Writes objectives (count), measures (count x k) and, when given, Jacobians (count x (1 + k) x n). */
  evaluate(solutions: Float64Array, count: number, objectives: Float64Array, measures: Float64Array, jacobians?: Float64Array): void | Promise<void>;
}

/** A run's domain, ready inside its worker thread. */
export interface OpenedRunDomain {
  domain: EvaluationDomain;
  /** What ran the models ('cpu' / 'cuda'); absent for benchmark functions. */
  executionProvider?: string;
  /** Why the requested device was not used, when it was not. */
  deviceNote?: string;
  /** Where a fresh scheduler starts (undefined: the origin). */
  initialSolution(): Promise<Float64Array | undefined>;
  /** Evaluations done once `iteration` iterations of `scheduler` are complete (resumable: a function of the iteration). */
  evaluationsAt(scheduler: Scheduler, iteration: number): number;
  /** Seconds spent inside models so far (0 for benchmark functions). */
  modelSeconds(): number;
  /** Called with the scheduler's iteration before the loop starts (a resumed run is past 0). */
  resumeAt(iteration: number): void;
  dispose(): Promise<void>;
}

/** Opens the domain of a stored run config; generative domains load their models from `modelsDir`. */
export async function openRunDomain(config: RunConfig, modelsDir: string): Promise<OpenedRunDomain> {
  switch (config.domain) {
    case 'sphere': {
      const domain = new SphereDomain(config.dim);
      return {
        domain,
        initialSolution: async () => undefined,
        evaluationsAt: (scheduler, iteration) => iteration * (scheduler.batchSize + scheduler.dqdBatchSize),
        modelSeconds: () => 0,
        resumeAt: () => {},
        dispose: async () => {},
      };
    }
    case 'generative':
      return openGenerativeRunDomain(config, modelsDir);
  }
}
