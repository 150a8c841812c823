import { DateTimeISOResolver, JSONResolver } from 'graphql-scalars';
import { ArchiveStatistics } from './archiveStatistics';
import { Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import { RunStatus } from './runStatus';

@ObjectType({ description: 'Wall-clock seconds a run spent in each part of its loop.' })
export class RunTimeShare {
  @Field(() => Float, { description: 'Running the generator and scorer (ONNX sessions).' })
  models!: number;

  @Field(() => Float, { description: 'The quality-diversity optimiser (ask/tell, archive updates).' })
  optimizer!: number;

  @Field(() => Float, { description: 'Writing flushes and checkpoints.' })
  database!: number;
}

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

  @Field(() => String, { nullable: true, description: 'What the run\'s models actually ran on: "cpu" or "cuda" (null before a worker loaded them, and for runs without models).' })
  executionProvider!: string | null;

  @Field(() => String, { nullable: true, description: 'Why the device differs from the one asked for, e.g. why a GPU request runs on the CPU.' })
  deviceNote!: string | null;

  /** JSON in the database; exposed as RunTimeShare by RunResolver.timeShare. */
  timeShare!: unknown;

  projectId!: string;
  promptSetId!: string | null;
  generatorId!: string | null;
  scorerId!: string | null;
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

@InputType({ description: 'Optional terms of the QDGS objective f = 100 - 50 (L+ - L- + w_reg R(z) + w_u U(x)).' })
export class ObjectiveTermsInput {
  @Field(() => Float, { nullable: true, description: 'w_reg (default 0): weight of R(z) = (max(|z|, q) - q)^2.' })
  regularizationWeight?: number;

  @Field(() => Float, { nullable: true, description: 'q (default sqrt(latent size)).' })
  latentNormThreshold?: number;

  @Field(() => Float, { nullable: true, description: 'w_u (default 0): weight of U(x) = max(0, margin - distance to the nearest recent solution).' })
  marginWeight?: number;

  @Field(() => Float, { nullable: true, description: 'Default 0.1 (radians of spherical distance).' })
  margin?: number;

  @Field(() => Int, { nullable: true, description: 'Recent solutions U(x) remembers (default 100).' })
  marginMemory?: number;
}

@InputType()
export class StartRunInput {
  @Field(() => ID)
  projectId!: string;

  @Field(() => ID, { nullable: true, description: 'Required for "generative" runs: its prompts define the objective and the measures (ranges and resolutions too).' })
  promptSetId?: string | null;

  @Field({ description: '"generative" (QDGS over a registered generator and scorer) or "sphere" (the benchmark of `npm run bench:qd`).' })
  domain!: string;

  @Field(() => String, { nullable: true, description: 'map_elites, line_map_elites, cma_me, cma_me_imp, cma_me_basic, cma_mae, cma_mega, cma_maega (default) or random (prior samples: the Rand baseline).' })
  algorithm?: string;

  @Field(() => Int, { nullable: true, description: 'Sphere only: solution dimension (default 100).' })
  dim?: number;

  @Field(() => Int, { nullable: true, description: 'Default 2000 (sphere) or 70000 (generative, as in the QDGS paper).' })
  iterations?: number;

  @Field(() => Int, { nullable: true, description: 'Default 1; the same seed and settings reproduce a run exactly.' })
  seed?: number;

  @Field(() => Int, { nullable: true, description: 'Sphere only: grid cells per measure axis (default 100).' })
  cells?: number;

  @Field(() => Int, { nullable: true, description: 'Progress and archive changes are written at most this often (default 250 ms).' })
  flushIntervalMs?: number;

  @Field(() => Int, { nullable: true, description: 'The optimiser state is checkpointed this often (default 10 s).' })
  checkpointIntervalMs?: number;

  @Field(() => RunSettingsInput, { nullable: true, description: 'Engine overrides. Generative defaults: the paper\'s shapes setting (1 emitter, 3 branches, sigma0 0.5, learningRate 0.5, archiveLearningRate 0.02, thresholdMin 0).' })
  settings?: RunSettingsInput | null;

  @Field(() => ID, { nullable: true, description: 'Generative: a registered GENERATOR model.' })
  generatorId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Generative: a registered SCORER model (CLIP-style).' })
  scorerId?: string | null;

  @Field(() => String, { nullable: true, description: 'Generative: how gradients are estimated: antithetic_es (default, 2 x gradientSamples evaluations per gradient point) or finite_differences (central, 2 x latent size evaluations).' })
  gradient?: string | null;

  @Field(() => Float, { nullable: true, description: 'Generative: finite-difference step (default 0.01) or ES sigma (default 0.1).' })
  gradientStep?: number | null;

  @Field(() => Int, { nullable: true, description: 'Generative, antithetic_es: antithetic pairs per gradient (default 3).' })
  gradientSamples?: number | null;

  @Field(() => ObjectiveTermsInput, { nullable: true, description: 'Generative: optional objective terms (off by default, as in the paper\'s shapes setting).' })
  objective?: ObjectiveTermsInput | null;

  @Field(() => Int, { nullable: true, description: 'Generative: the search starts from the best of this many prior samples (default 512; 0 = the prior mean).' })
  initialSamples?: number | null;

  @Field(() => Float, { nullable: true, description: 'Generative: standard deviation of the latent prior (default 1).' })
  priorSigma?: number | null;

  @Field(() => String, { nullable: true, description: 'Generative: cpu (default) or gpu (CUDA when installed, else the CPU, noted on the run as deviceNote).' })
  device?: string | null;

  @Field(() => Int, { nullable: true, description: 'Generative: rows per onnxruntime call (default 1024).' })
  maxBatch?: number | null;
}
