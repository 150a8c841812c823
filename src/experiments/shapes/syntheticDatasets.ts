import path from 'node:path';
import { loadClassifier, loadGenerator } from '../../models/runtime';
import { judgeProportions } from '../../models/shapes/evaluation';
import { toNhwc } from '../../models/shapes/shapesData';
import { shuffledIndices } from '../../models/shapes/training/batches';
import { defaultModelsDir } from '../../models/runtime/modelPaths';
import { SeededRandom } from '../../qd/random';
import { DEMO_CONTENT } from '../../server/demoContent';
import type { DatasetSummary, ExperimentOptions } from './experimentTypes';

/** Images (NHWC) and shape targets (1 = square) for fine-tuning, with what the report says about them. */
export interface SyntheticDataset {
  summary: DatasetSummary;
  images: Float32Array;
  targets: Float32Array;
  count: number;
}

/** A running platform the experiment talks to over GraphQL (as the admin). */
export interface PlatformClient {
  graphql(query: string, variables?: Record<string, unknown>): Promise<any>;
  stop(): Promise<void>;
}

/** The platform objects every run of the experiment uses. */
export interface ExperimentPlatform {
  platform: PlatformClient;
  projectId: string;
  promptSetId: string;
  generatorId: string;
  scorerId: string;
}

const SHAPES = path.join(defaultModelsDir(), 'shapes');

/** Registers the bundled generator and scorer and the demo's colour x shape prompt set on a fresh platform. */
export async function prepareExperimentPlatform(platform: PlatformClient): Promise<ExperimentPlatform> {
  const register = async (name: string, kind: string, modelPath: string) =>
    (await platform.graphql(`mutation($input: RegisterModelInput!) { registerModel(input: $input) { id } }`, { input: { name, kind, path: modelPath } })).registerModel.id as string;
  const generatorId = await register('shapes-generator', 'GENERATOR', 'shapes/generator');
  const scorerId = await register('shapes-scorer', 'SCORER', 'shapes/scorer');
  const projectId = (await platform.graphql(`mutation { createProject(input: { name: "shapes experiment" }) { id } }`)).createProject.id;
  const { promptSet } = DEMO_CONTENT;
  const promptSetId = (
    await platform.graphql(`mutation($input: CreatePromptSetInput!) { createPromptSet(input: $input) { id } }`, {
      input: { ...promptSet, objectivePositive: [...promptSet.objectivePositive], projectId },
    })
  ).createPromptSet.id;
  return { platform, projectId, promptSetId, generatorId, scorerId };
}

const RUN_QUERY = `query($id: ID!) { run(id: $id) {
  status error algorithm iterations evaluations coverage normQdScore numElites config
  balance(bins: 2) { pairs { counts } }
} }`;
const CELLS_QUERY = `query($id: ID!, $after: String) { run(id: $id) { archive { cells(first: 1000, after: $after) {
  edges { node { measures sample { latent } } } pageInfo { hasNextPage endCursor } } } } }`;

async function runToCompletion(p: ExperimentPlatform, input: Record<string, unknown>): Promise<{ id: string; run: any }> {
  const id = (await p.platform.graphql(`mutation($input: StartRunInput!) { startRun(input: $input) { id } }`, {
    input: { projectId: p.projectId, promptSetId: p.promptSetId, generatorId: p.generatorId, scorerId: p.scorerId, domain: 'generative', ...input },
  })).startRun.id as string;
  for (;;) {
    const run = (await p.platform.graphql(RUN_QUERY, { id })).run;
    if (run.status === 'SUCCEEDED') return { id, run };
    if (run.status === 'FAILED' || run.status === 'CANCELLED') throw new Error(`run ${id} ended ${run.status}: ${run.error}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function elitesOf(p: ExperimentPlatform, id: string): Promise<Array<{ latent: number[]; measures: number[] }>> {
  const elites: Array<{ latent: number[]; measures: number[] }> = [];
  let after: string | null = null;
  for (;;) {
    const page: any = (await p.platform.graphql(CELLS_QUERY, { id, after })).run.archive.cells;
    for (const edge of page.edges) elites.push({ latent: edge.node.sample.latent, measures: edge.node.measures });
    if (!page.pageInfo.hasNextPage) return elites;
    after = page.pageInfo.endCursor;
  }
}

interface LabelledRun {
  id: string;
  run: any;
  latents: number[][];
  targets: number[];
}

/** The run's elites labelled by the shape measure (the second): triangle below one threshold, square from another, the rest dropped. */
async function labelledRun(p: ExperimentPlatform, options: ExperimentOptions, input: Record<string, unknown>): Promise<LabelledRun> {
  const { id, run } = await runToCompletion(p, input);
  const latents: number[][] = [];
  const targets: number[] = [];
  for (const elite of await elitesOf(p, id)) {
    const shape = elite.measures[1];
    if (shape < options.triangleBelow) targets.push(0);
    else if (shape >= options.squareFrom) targets.push(1);
    else continue;
    latents.push(elite.latent);
  }
  return { id, run, latents, targets };
}

/**
 * The two synthetic datasets of one seed, both made by platform runs from the bundled (biased)
 * generator: the QDGS run's archive and the random baseline's archive, the latter given the same
 * number of model evaluations. Both are labelled from the shape measure and cut to the smaller
 * one's size (a seeded subsample), then rendered by the generator and judged by the oracle.
 */
export async function produceSyntheticDatasets(p: ExperimentPlatform, options: ExperimentOptions, seed: number): Promise<{ qdgs: SyntheticDataset; random: SyntheticDataset }> {
  const qdgs = await labelledRun(p, options, { algorithm: 'cma_maega', iterations: options.iterations, seed, settings: options.qdgsSettings });
  const perIteration = (qdgs.run.evaluations - qdgs.run.config.generative.initialSamples) / qdgs.run.iterations;
  const random = await labelledRun(p, options, { algorithm: 'random', iterations: options.iterations, seed, settings: { batchSize: perIteration } });
  const count = Math.min(qdgs.latents.length, random.latents.length);
  const generator = await loadGenerator(path.join(SHAPES, 'generator'), { maxBatch: 1024 });
  const oracle = await loadClassifier(path.join(SHAPES, 'oracle'), { maxBatch: 1024 });
  try {
    const build = async (method: 'qdgs' | 'random', labelled: LabelledRun): Promise<SyntheticDataset> => {
      const keep = Array.from(shuffledIndices(labelled.latents.length, new SeededRandom(seed))).slice(0, count).sort((a, b) => a - b);
      const targets = Float32Array.from(keep.map((i) => labelled.targets[i]));
      const [height, width] = generator.imageSize;
      if (height !== options.size || width !== options.size) throw new Error(`--size ${options.size} does not match the generator's ${height} x ${width} images`);
      const nchw = await generator.generate(Float32Array.from(keep.flatMap((i) => labelled.latents[i])), count);
      const probabilities = await oracle.classify(nchw, count);
      let agree = 0;
      for (let i = 0; i < count; i++) if (probabilities[2 * i + 1] > 0.5 === (targets[i] === 1)) agree += 1;
      const run = labelled.run;
      return {
        images: toNhwc(nchw, count, options.size),
        targets,
        count,
        summary: {
          method,
          seed,
          runId: labelled.id,
          algorithm: run.algorithm,
          iterations: run.iterations,
          evaluations: run.evaluations,
          coverage: run.coverage,
          normQdScore: run.normQdScore,
          elites: run.numElites,
          kept: count,
          squareShare: targets.reduce((sum, t) => sum + t, 0) / Math.max(1, count),
          labelAgreement: agree / Math.max(1, count),
          oracleProportions: await judgeProportions(oracle, nchw, count),
          balance: run.balance.pairs[0].counts,
        },
      };
    };
    return { qdgs: await build('qdgs', qdgs), random: await build('random', random) };
  } finally {
    await generator.dispose();
    await oracle.dispose();
  }
}
