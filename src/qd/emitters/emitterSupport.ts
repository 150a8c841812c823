import type { Archive } from '../archives/archive';
import { QdConfigError } from '../errors';
import { requireInteger } from '../validation';
import type { SeededRandom } from '../random';
import type { EmitterFeedback, EmitterState, RestartRule, SelectionRule } from './emitter';

/** Checks a restart rule: 'basic', 'no_improvement' or a positive generation count. */
export function requireRestartRule(rule: RestartRule): RestartRule {
  if (rule === 'basic' || rule === 'no_improvement') return rule;
  if (typeof rule === 'number') return requireInteger('restartRule', rule, 1);
  throw new QdConfigError('restartRule', "'basic', 'no_improvement' or a positive integer of generations", rule);
}

/** Candidates of an emitter's slice that entered the archive (status > 0). */
export function countAdded(feedback: EmitterFeedback): number {
  let added = 0;
  for (let i = 0; i < feedback.count; i++) if (feedback.status[i] > 0) added++;
  return added;
}

export function parentCount(rule: SelectionRule, batchSize: number, added: number): number {
  return rule === 'filter' ? added : Math.floor(batchSize / 2);
}

/** Whether an emitter's restart rule (beyond the ES's own stop test) fires this generation. */
export function restartRuleFires(rule: RestartRule, added: number, generationsSinceRestart: number): boolean {
  if (rule === 'no_improvement') return added === 0;
  if (typeof rule === 'number') return generationsSinceRestart >= rule;
  return false;
}

/** One elite drawn uniformly from the archive, or `fallback` when the archive is empty. */
export function sampleRestartPoint(archive: Archive, fallback: Float64Array): Float64Array {
  if (archive.empty) return fallback.slice();
  const point = new Float64Array(archive.solutionDim);
  archive.sampleSolutionsInto(point, 1);
  return point;
}

export function checkFeedback(feedback: EmitterFeedback, batchSize: number, solutionDim: number): void {
  if (feedback.count !== batchSize) throw new QdConfigError('feedback.count', `${batchSize} (the emitter's batch size)`, feedback.count);
  if (feedback.solutions.length !== batchSize * solutionDim) {
    throw new QdConfigError('feedback.solutions', `${batchSize * solutionDim} values`, feedback.solutions);
  }
}

/** Checkpoint of an emitter whose only state is its random stream. */
export function serializeRandomOnly(kind: string, random: SeededRandom): EmitterState {
  return { kind, random: random.serialize() };
}

export function restoreRandomOnly(kind: string, state: EmitterState, random: SeededRandom): void {
  if (state?.kind !== kind) throw new QdConfigError('checkpoint.emitter.kind', `'${kind}'`, state?.kind);
  random.restore(state.random as never);
}
