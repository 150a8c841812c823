import DataLoader from 'dataloader';
import type { Database } from '../db/database';
import type { Measure, Model, Project, PromptSet } from '../db/generated/client';
import { samplesByIds, type SampleRow } from '../runs/datasetQueries';
import type { RunConfig } from '../runs/runConfig';

/**
 * Per-request batch loaders: resolvers of list items (cells -> samples, runs -> projects ...)
 * go through these so that a page costs one query per relation, not one per row.
 */
export interface Loaders {
  project: DataLoader<string, Project | null>;
  /** Registered models by id (runs -> generator / scorer). */
  model: DataLoader<string, Model | null>;
  promptSet: DataLoader<string, PromptSet | null>;
  promptSetsByProject: DataLoader<string, PromptSet[]>;
  measuresByPromptSet: DataLoader<string, Measure[]>;
  sample: DataLoader<number, SampleRow | null>;
  /** Stored run configurations by run id (samples -> whether their run has images). */
  runConfig: DataLoader<string, RunConfig | null>;
}

function byKey<K, V>(keys: readonly K[], rows: V[], keyOf: (row: V) => K, keyString: (key: K) => string = String): Array<V | null> {
  const map = new Map(rows.map((row) => [keyString(keyOf(row)), row]));
  return keys.map((key) => map.get(keyString(key)) ?? null);
}

function groupBy<V>(keys: readonly string[], rows: V[], keyOf: (row: V) => string): V[][] {
  const groups = new Map<string, V[]>(keys.map((key) => [key, []]));
  for (const row of rows) groups.get(keyOf(row))?.push(row);
  return keys.map((key) => groups.get(key) ?? []);
}

export function createLoaders(database: Database): Loaders {
  const { prisma } = database;
  return {
    project: new DataLoader(async (ids) => byKey(ids, await prisma.project.findMany({ where: { id: { in: [...ids] } } }), (row) => row.id)),
    model: new DataLoader(async (ids) => byKey(ids, await prisma.model.findMany({ where: { id: { in: [...ids] } } }), (row) => row.id)),
    promptSet: new DataLoader(async (ids) => byKey(ids, await prisma.promptSet.findMany({ where: { id: { in: [...ids] } } }), (row) => row.id)),
    promptSetsByProject: new DataLoader(async (projectIds) =>
      groupBy(projectIds, await prisma.promptSet.findMany({ where: { projectId: { in: [...projectIds] } }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] }), (row) => row.projectId),
    ),
    measuresByPromptSet: new DataLoader(async (ids) =>
      groupBy(ids, await prisma.measure.findMany({ where: { promptSetId: { in: [...ids] } }, orderBy: { position: 'asc' } }), (row) => row.promptSetId),
    ),
    sample: new DataLoader(async (ids) => byKey(ids, await samplesByIds(database.pool, ids), (row) => row.id)),
    runConfig: new DataLoader(async (ids) =>
      byKey(ids, await prisma.run.findMany({ where: { id: { in: [...ids] } }, select: { id: true, config: true } }), (row) => row.id).map((row) => (row ? (row.config as unknown as RunConfig) : null)),
    ),
  };
}
