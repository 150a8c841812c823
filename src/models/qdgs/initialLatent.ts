import { SeededRandom } from '../../qd/random';
import type { GenerativeDomain } from './generativeDomain';

/**
 * The best of `count` latents drawn from the prior N(0, sigma^2 I), by objective: where the
 * QDGS paper starts its emitters, so the search begins on a good image instead of the prior's
 * mean. Evaluated in one batch.
 */
export async function bestPriorLatent(domain: GenerativeDomain, count: number, sigma: number, seed: number): Promise<Float64Array> {
  const n = domain.solutionDim;
  const latents = new Float64Array(count * n);
  new SeededRandom(seed).fillNormal(latents, 0, sigma);
  const objectives = new Float64Array(count);
  await domain.evaluate(latents, count, objectives, new Float64Array(count * domain.measureDim));
  let best = 0;
  for (let i = 1; i < count; i++) if (objectives[i] > objectives[best]) best = i;
  return latents.slice(best * n, (best + 1) * n);
}
