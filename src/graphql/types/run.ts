import { DateTimeISOResolver, JSONResolver } from 'graphql-scalars';
import { ArchiveStatistics } from './archiveStatistics';
import { Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import { RunStatus } from './runStatus';

@ObjectType({ implements: ArchiveStatistics, description: 'One optimisation run: its configuration, status, progress and results.' })
export class Run extends ArchiveStatistics {
  @Field(() => ID)
  id!: string;

  @Field()
  domain!: string;

  @Field()
  algorithm!: string;

  @Field(() => JSONResolver, { description: 'Every setting the run used, defaults filled in (-Infinity is written "-Infinity").' })
  config!: unknown;

  @Field(() => Int)
  seed!: number;

  @Field(() => RunStatus)
  status!: RunStatus;

  @Field(() => Int)
  iteration!: number;

  @Field(() => Int)
  iterations!: number;

  /** bigint in the database; exposed as a Float by RunResolver.evaluations. */
  evaluations!: bigint | number;

  @Field({ description: 'True once cancelRun was called; the run stops at its next iteration boundary.' })
  cancelRequested!: boolean;

  @Field(() => String, { nullable: true, description: 'The worker process that ran it last.' })
  workerId!: string | null;

  @Field(() => Int, { description: 'How many times a worker claimed it (more than 1 after a release or crash).' })
  attempts!: number;

  @Field(() => String, { nullable: true, description: 'Why the run FAILED.' })
  error!: string | null;

  @Field(() => DateTimeISOResolver)
  createdAt!: Date;

  @Field(() => DateTimeISOResolver, { nullable: true })
  startedAt!: Date | null;

  @Field(() => DateTimeISOResolver, { nullable: true })
  finishedAt!: Date | null;

  projectId!: string;
  promptSetId!: string | null;
}

@InputType({ description: 'Hyperparameter overrides; names and defaults are those of `npm run bench:qd` (see README).' })
export class RunSettingsInput {
  @Field(() => Int, { nullable: true })
  emitters?: number;

  @Field(() => Int, { nullable: true })
  batchSize?: number;

  @Field(() => Float, { nullable: true })
  sigma0?: number;

  @Field(() => Float, { nullable: true })
  archiveLearningRate?: number;

  @Field(() => Float, { nullable: true })
  thresholdMin?: number;

  @Field(() => String, { nullable: true, description: 'cma_es, sep_cma_es or lm_ma_es' })
  es?: string;

  @Field(() => String, { nullable: true, description: 'imp or 2imp' })
  ranker?: string;

  @Field(() => String, { nullable: true, description: 'mu or filter' })
  selectionRule?: string;

  @Field(() => String, { nullable: true, description: 'basic, no_improvement or a number of generations' })
  restartRule?: string;

  @Field(() => Float, { nullable: true })
  learningRate?: number;

  @Field(() => String, { nullable: true, description: 'gradient_ascent or adam' })
  gradientOptimizer?: string;

  @Field(() => Boolean, { nullable: true })
  normalizeGradients?: boolean;

  @Field(() => Float, { nullable: true })
  isoSigma?: number;

  @Field(() => Float, { nullable: true })
  lineSigma?: number;

  @Field(() => String, { nullable: true, description: 'tutorial or pyribs' })
  variant?: string;

  @Field(() => Float, { nullable: true })
  lazyGapFactor?: number;

  @Field(() => Boolean, { nullable: true })
  boundEigenCost?: boolean;
}

@InputType()
export class StartRunInput {
  @Field(() => ID)
  projectId!: string;

  @Field(() => ID, { nullable: true })
  promptSetId?: string | null;

  @Field({ description: 'The domain to optimise: "sphere" (the benchmark of `npm run bench:qd`).' })
  domain!: string;

  @Field(() => String, { nullable: true, description: 'map_elites, line_map_elites, cma_me, cma_me_imp, cma_me_basic, cma_mae, cma_mega, cma_maega (default) or random.' })
  algorithm?: string;

  @Field(() => Int, { nullable: true, description: 'Solution dimension (default 100).' })
  dim?: number;

  @Field(() => Int, { nullable: true, description: 'Default 2000.' })
  iterations?: number;

  @Field(() => Int, { nullable: true, description: 'Default 1; the same seed and settings reproduce a run exactly.' })
  seed?: number;

  @Field(() => Int, { nullable: true, description: 'Grid cells per measure axis (default 100).' })
  cells?: number;

  @Field(() => Int, { nullable: true, description: 'Progress and archive changes are written at most this often (default 250 ms).' })
  flushIntervalMs?: number;

  @Field(() => Int, { nullable: true, description: 'The optimiser state is checkpointed this often (default 10 s).' })
  checkpointIntervalMs?: number;

  @Field(() => RunSettingsInput, { nullable: true })
  settings?: RunSettingsInput | null;
}
