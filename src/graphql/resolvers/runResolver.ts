import { Arg, Ctx, FieldResolver, Float, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { runConfigOf } from '../../runs/runService';
import { Connection, decodeIntegerCursor, encodeCursor, pageSize, toConnection } from '../connection';
import type { GraphQLContext } from '../context';
import { Archive } from '../types/archive';
import { Model } from '../types/model';
import { Project } from '../types/project';
import { PromptSet } from '../types/promptSet';
import { Run, RunTimeShare, StartRunInput } from '../types/run';
import { RunMetric } from '../types/runMetric';
import { Sample, sampleFromRow } from '../types/sample';
import { NotFoundError } from '../../errors';
import { contactSheetPath, generatorOfRun } from '../../images/imagePaths';

export const RunMetricConnection = Connection(RunMetric, 'RunMetric');
export const SampleConnection = Connection(Sample, 'Sample');

@Resolver(() => Run)
export class RunResolver {
  @Query(() => Run)
  run(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string) {
    return ctx.runs.getRun(ctx.account.id, id);
  }

  @Mutation(() => Run, { description: 'Validates the configuration, stores the run as QUEUED and puts it on the job queue.' })
  startRun(@Ctx() ctx: GraphQLContext, @Arg('input', () => StartRunInput) input: StartRunInput) {
    return ctx.runs.startRun(ctx.account.id, { ...input, settings: input.settings ? stripNulls(input.settings) : undefined, objective: input.objective ? stripNulls(input.objective) : undefined });
  }

  @Mutation(() => Run, { description: 'Cancels a queued run, or stops a running one at its next iteration boundary keeping what it found.' })
  cancelRun(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string) {
    return ctx.runs.cancelRun(ctx.account.id, id);
  }

  @FieldResolver(() => Float)
  evaluations(@Root() run: Run): number {
    return Number(run.evaluations);
  }

  @FieldResolver(() => Float, { description: 'iteration / iterations, from 0 to 1.' })
  progress(@Root() run: Run): number {
    return run.iterations > 0 ? run.iteration / run.iterations : 0;
  }

  @FieldResolver(() => Project)
  async project(@Root() run: Run, @Ctx() ctx: GraphQLContext) {
    const project = await ctx.loaders.project.load(run.projectId);
    if (!project) throw new NotFoundError('Project', run.projectId);
    return project;
  }

  @FieldResolver(() => PromptSet, { nullable: true })
  promptSet(@Root() run: Run, @Ctx() ctx: GraphQLContext) {
    return run.promptSetId ? ctx.loaders.promptSet.load(run.promptSetId) : null;
  }

  @FieldResolver(() => Model, { nullable: true, description: 'The registered generator of a generative run.' })
  generator(@Root() run: Run, @Ctx() ctx: GraphQLContext) {
    return run.generatorId ? ctx.loaders.model.load(run.generatorId) : null;
  }

  @FieldResolver(() => Model, { nullable: true, description: 'The registered scorer of a generative run.' })
  scorer(@Root() run: Run, @Ctx() ctx: GraphQLContext) {
    return run.scorerId ? ctx.loaders.model.load(run.scorerId) : null;
  }

  @FieldResolver(() => RunTimeShare, { nullable: true, description: 'Where the run\'s time went so far (null until a worker reported it).' })
  timeShare(@Root() run: Run): RunTimeShare | null {
    return timeShareOf(run.timeShare);
  }

  @FieldResolver(() => RunMetricConnection, { description: 'Progress time series, one entry per flush, in iteration order.' })
  async metrics(
    @Root() run: Run,
    @Ctx() ctx: GraphQLContext,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    const page = await ctx.runs.listMetrics(run.id, { first: pageSize(first), afterIteration: decodeIntegerCursor('metric', after) });
    return toConnection({ rows: page.rows.map((row) => ({ ...row, evaluations: Number(row.evaluations) })), hasNextPage: page.hasNextPage }, (row) => encodeCursor('metric', row.iteration));
  }

  @FieldResolver(() => Archive)
  archive(@Root() run: Run): Archive {
    const config = runConfigOf(run as never);
    return Object.assign(new Archive(), {
      runId: run.id,
      dims: config.dims,
      ranges: config.ranges.map(([low, high], j) => ({ name: config.measureNames[j], low, high })),
      numElites: run.numElites,
      coverage: run.coverage,
      qdScore: run.qdScore,
      contactSheetUrl: generatorOfRun(config) && config.dims.length <= 2 ? contactSheetPath(run.id) : null,
    });
  }

  @FieldResolver(() => SampleConnection, { description: 'The run\'s dataset in the order samples were first stored.' })
  async samples(
    @Root() run: Run,
    @Ctx() ctx: GraphQLContext,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
    @Arg('minObjective', () => Float, { nullable: true }) minObjective?: number,
  ) {
    ctx.loaders.runConfig.prime(run.id, runConfigOf(run as never)); // Sample.imageUrl needs it
    const page = await ctx.runs.listSamples(run.id, { first: pageSize(first), afterId: decodeIntegerCursor('sample', after), minObjective });
    return toConnection({ rows: page.rows.map(sampleFromRow), hasNextPage: page.hasNextPage }, (sample) => encodeCursor('sample', sample.id));
  }
}

/** The stored { models, optimizer, database } seconds; a missing or non-numeric part reads 0. */
function timeShareOf(value: unknown): RunTimeShare | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const record = value as Record<string, unknown>;
  const seconds = (key: string) => (typeof record[key] === 'number' && Number.isFinite(record[key]) ? (record[key] as number) : 0);
  return { models: seconds('models'), optimizer: seconds('optimizer'), database: seconds('database') };
}

function stripNulls<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null && v !== undefined)) as T;
}
