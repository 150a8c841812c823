import type PgBoss from 'pg-boss';
import type { Database } from '../db/database';
import type { Run, RunMetric } from '../db/generated/client';
import { listCells, listSamples, type CellRow, type SampleRow } from './datasetQueries';
import { ConflictError, NotFoundError } from '../errors';
import { requireUuid } from '../ids';
import { pageOf, type Page, type PageOf } from '../projects/projectService';
import { ProjectService } from '../projects/projectService';
import { defaultModelsDir } from '../models/runtime/modelPaths';
import { ModelService } from '../modelRegistry/modelService';
import { lookupGenerativeResources } from './generativeResources';
import { resolveRunConfig, type RunConfig, type RunRequest } from './runConfig';
import { enqueueRun } from './runQueue';
import { RUN_QUEUED_CHANNEL, type RunProgressEvent } from './runProgress';
import { readRunProgress, requestCancel } from './runStore';

export interface StartRunInput extends RunRequest {
  projectId: string;
  promptSetId?: string | null;
}

/** Starting, cancelling and reading runs on behalf of an account. */
export class RunService {
  private readonly projects: ProjectService;

  private readonly models: ModelService;

  constructor(
    private readonly database: Database,
    private readonly boss: PgBoss,
    /** The models root generative runs' models are registered under. */
    modelsRoot: string = defaultModelsDir(),
  ) {
    this.projects = new ProjectService(database.prisma);
    this.models = new ModelService(database.prisma, modelsRoot);
  }

  /** Validates everything, then writes the run and its queue job in one transaction. */
  async startRun(accountId: string, input: StartRunInput): Promise<Run> {
    const generative = input.domain === 'generative';
    // Requests that need no lookup are checked before anything is read.
    const early = generative ? undefined : resolveRunConfig(input);
    const project = await this.projects.getProject(accountId, input.projectId, 'input.projectId');
    const resources = generative ? await lookupGenerativeResources(this.database.prisma, this.models, accountId, project.id, input) : undefined;
    const config = early ?? resolveRunConfig(input, resources);
    if (input.promptSetId != null && !resources) {
      const promptSet = await this.projects.getPromptSet(accountId, input.promptSetId, 'input.promptSetId');
      if (promptSet.projectId !== project.id) throw new NotFoundError('PromptSet', input.promptSetId);
    }
    return this.database.prisma.$transaction(async (tx) => {
      const run = await tx.run.create({
        data: {
          projectId: project.id,
          promptSetId: input.promptSetId ?? null,
          generatorId: config.generative?.generator.modelId ?? null,
          scorerId: config.generative?.scorer.modelId ?? null,
          domain: config.domain,
          algorithm: config.algorithm,
          config: config as unknown as object,
          seed: config.seed,
          iterations: config.iterations,
        },
      });
      await enqueueRun(this.boss, run.id, { executeSql: async (text, values) => ({ rows: await tx.$queryRawUnsafe<unknown[]>(text, ...values) }) });
      await tx.$executeRawUnsafe('SELECT pg_notify($1, $2)', RUN_QUEUED_CHANNEL, run.id); // delivered on commit
      return run;
    });
  }

  async getRun(accountId: string, id: string, field = 'id'): Promise<Run> {
    const run = await this.database.prisma.run.findFirst({ where: { id: requireUuid(field, id), project: { accountId } } });
    if (!run) throw new NotFoundError('Run', id);
    return run;
  }

  /**
   * A queued run is cancelled at once; a running one is asked to stop at its next iteration
   * boundary (its worker keeps what it found and marks it CANCELLED). A finished run is a CONFLICT.
   */
  async cancelRun(accountId: string, id: string): Promise<Run> {
    const run = await this.getRun(accountId, id);
    const outcome = await requestCancel(this.database.pool, run.id);
    if (!outcome) {
      const current = await this.getRun(accountId, id);
      throw new ConflictError(`Run ${run.id} is already ${current.status}; only queued or running runs can be cancelled`, 'id');
    }
    return this.getRun(accountId, id);
  }

  /** The run's current state as a progress event; NOT_FOUND for another account's run. */
  async readProgress(accountId: string, id: string, field = 'id'): Promise<RunProgressEvent> {
    const run = await this.getRun(accountId, id, field);
    const event = await readRunProgress(this.database.pool, run.id);
    if (!event) throw new NotFoundError('Run', id);
    return event;
  }

  async listRuns(projectId: string, page: Page): Promise<PageOf<Run>> {
    const rows = await this.database.prisma.run.findMany({
      where: { projectId },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: page.first + 1,
      ...(page.after ? { cursor: { id: requireUuid('after', page.after) }, skip: 1 } : {}),
    });
    return pageOf(rows, page.first);
  }

  async listMetrics(runId: string, page: { first: number; afterIteration?: number }): Promise<PageOf<RunMetric>> {
    const rows = await this.database.prisma.runMetric.findMany({
      where: { runId, ...(page.afterIteration !== undefined ? { iteration: { gt: page.afterIteration } } : {}) },
      orderBy: { iteration: 'asc' },
      take: page.first + 1,
    });
    return pageOf(rows, page.first);
  }

  listCells(runId: string, page: { first: number; afterIndex?: number; minObjective?: number | null }): Promise<PageOf<CellRow>> {
    return listCells(this.database.pool, runId, page);
  }

  listSamples(runId: string, page: { first: number; afterId?: number; minObjective?: number | null }): Promise<PageOf<SampleRow>> {
    return listSamples(this.database.pool, runId, page);
  }
}

export function runConfigOf(run: Run): RunConfig {
  return run.config as unknown as RunConfig;
}
