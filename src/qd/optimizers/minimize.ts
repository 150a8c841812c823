import { QdConfigError } from '../errors';
import { SeededRandom } from '../random';
import { requireInteger, requirePositive, toFloat64Array } from '../validation';
import { CmaEs } from './cmaEs';
import type { CmaEsOptions } from './cmaEvolutionStrategy';
import { SepCmaEs } from './sepCmaEs';

export interface MinimizeOptions {
  /** Initial step size of every restart. */
  sigma0: number;
  /** Stop once the best value is at or below this (default -Infinity: spend the budget). */
  target?: number;
  /** Evaluation budget over all restarts. */
  maxEvaluations: number;
  /** Restarts after the first run (default 9); each doubles the population (IPOP-CMA-ES). */
  restarts?: number;
  /** Population of the first run; Hansen's default 4 + floor(3 ln n). */
  batchSize?: number;
  separable?: boolean;
  variant?: CmaEsOptions['variant'];
  seed?: number;
}

export interface MinimizeResult {
  best: Float64Array;
  bestValue: number;
  evaluations: number;
  /** Runs started (1 + restarts actually used). */
  runs: number;
  reachedTarget: boolean;
}

/**
 * Black-box minimisation with IPOP-CMA-ES (Auger & Hansen 2005): run CMA-ES from x0 until its
 * stop test fires, then restart with a doubled population, until the target or the budget is
 * reached. `f` receives one candidate (a view; copy it to keep it) and returns its value; a
 * non-finite value is an error. Useful on its own and as the reference use of the ES interface.
 */
export function minimize(f: (x: Float64Array) => number, x0: ArrayLike<number>, options: MinimizeOptions): MinimizeResult {
  const start = toFloat64Array('x0', x0);
  const n = start.length;
  if (n < 1) throw new QdConfigError('x0', 'at least one coordinate', x0);
  const sigma0 = requirePositive('sigma0', options.sigma0);
  const maxEvaluations = requireInteger('maxEvaluations', options.maxEvaluations, 1);
  const restarts = requireInteger('restarts', options.restarts ?? 9, 0);
  const target = options.target ?? -Infinity;
  const random = new SeededRandom(options.seed ?? 0);
  let batchSize = requireInteger('batchSize', options.batchSize ?? 4 + Math.floor(3 * Math.log(n)), 2);

  let best = start.slice();
  let bestValue = Infinity;
  let evaluations = 0;
  let runs = 0;
  while (runs <= restarts && evaluations < maxEvaluations && bestValue > target) {
    runs += 1;
    const esOptions: CmaEsOptions = { dimension: n, batchSize, sigma0, mean0: start, random, variant: options.variant };
    const es = options.separable ? new SepCmaEs(esOptions) : new CmaEs(esOptions);
    const values = new Float64Array(batchSize);
    const order = new Int32Array(batchSize);
    const sortedValues = new Float64Array(batchSize);
    for (;;) {
      const candidates = es.ask();
      for (let i = 0; i < batchSize; i++) {
        const x = candidates.subarray(i * n, i * n + n);
        const value = f(x);
        if (!Number.isFinite(value)) throw new QdConfigError('f(x)', 'a finite number', value);
        values[i] = value;
        order[i] = i;
        if (value < bestValue) {
          bestValue = value;
          best = x.slice();
        }
      }
      evaluations += batchSize;
      order.sort((a, b) => values[a] - values[b] || a - b);
      for (let i = 0; i < batchSize; i++) sortedValues[i] = -values[order[i]];
      es.tell(order, Math.floor(batchSize / 2));
      if (bestValue <= target || evaluations >= maxEvaluations || es.shouldStop(sortedValues, 1)) break;
    }
    batchSize *= 2;
  }
  return { best, bestValue, evaluations, runs, reachedTarget: bestValue <= target };
}
