/**
 * npm run bench:qdgs [-- --iterations N --algorithms cma_maega,random --gradient antithetic_es --seed N --json]
 *
 * An algorithm may carry engine overrides and its own iteration count:
 * `cma_maega+batchSize=13+selectionRule=mu+iterations=35000`.
 *
 * The QDGS paper's shapes experiment on the bundled models, through the whole platform (an
 * embedded PostgreSQL in a temporary folder, startRun, the worker thread, flushes): for each
 * algorithm, one run of the paper's configuration (default 70,000 iterations; the random
 * baseline gets as many model evaluations), then
 *  - wall time, model evaluations per second, and the share of the run thread's time spent in
 *    the models, in the optimiser and on the database;
 *  - coverage and normalised QD score of the dataset (the passive elitist archive);
 *  - the colour x shape proportions of the dataset as judged by the attribute oracle (the
 *    shapes analogue of the paper's Table 1), and the share of colour blends among them;
 *  - normalised QD score against wall time (from the run's metrics), to compare gradient methods;
 *  - overhead against the floor measured in the same process: the same model evaluations in the
 *    same batch shapes straight through onnxruntime (no optimiser, no database).
 * With --json: one JSON line per algorithm.
 */
import '../src/server/productionMode';
import 'reflect-metadata';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createGradientEstimator, embedPrompts, GenerativeDomain, QdgsObjective } from '../src/models/qdgs';
import { loadClassifier, loadGenerator, loadScorer } from '../src/models/runtime';
import { colourBlendShare, judgeProportions, type GroupProportions } from '../src/models/shapes/evaluation';
import { projectRoot } from '../src/projectRoot';
import { SeededRandom } from '../src/qd/random';
import { DEMO_CONTENT } from '../src/server/demoContent';
import { startTemporaryPlatform, type TemporaryPlatform } from '../src/server/temporaryPlatform';

interface AlgorithmResult {
  algorithm: string;
  iterations: number;
  evaluations: number;
  seconds: number;
  evalsPerSecond: number;
  coverage: number;
  normQdScore: number;
  timeShare: { models: number; optimizer: number; database: number };
  proportions: GroupProportions;
  elites: number;
  blendShare: number;
  /** Model evaluations per second of the floor (models alone, same batch shapes, same process). */
  floorEvalsPerSecond: number;
  /** Run wall time over the time the floor needs for the same evaluations. */
  overheadRatio: number;
  /** [seconds since the run started, normalised QD score] at every tenth of the run. */
  qdScoreOverTime: Array<[number, number]>;
}

const MODELS = path.join(projectRoot(), 'models', 'shapes');
const RUN_QUERY = `query($id: ID!) { run(id: $id) {
  status error iterations evaluations coverage normQdScore numElites startedAt finishedAt config
  timeShare { models optimizer database }
  metrics(first: 1000) { edges { node { elapsedMs normQdScore } } }
} }`;
const CELLS_QUERY = `query($id: ID!, $after: String) { run(id: $id) { archive { cells(first: 1000, after: $after) {
  edges { node { sample { latent } } } pageInfo { hasNextPage endCursor } } } } }`;

async function waitForRun(bench: TemporaryPlatform, id: string, log: (line: string) => void): Promise<any> {
  let lastLog = 0;
  for (;;) {
    const run = (await bench.graphql(RUN_QUERY, { id })).run;
    if (run.status === 'SUCCEEDED') return run;
    if (run.status === 'FAILED' || run.status === 'CANCELLED') throw new Error(`run ${id} ended ${run.status}: ${run.error}`);
    if (Date.now() - lastLog > 30_000) {
      lastLog = Date.now();
      const progress = (await bench.graphql(`query($id: ID!) { run(id: $id) { iteration coverage } }`, { id })).run;
      log(`  iteration ${progress.iteration}, coverage ${(100 * progress.coverage).toFixed(1)}%`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function eliteLatents(bench: TemporaryPlatform, id: string): Promise<number[][]> {
  const latents: number[][] = [];
  let after: string | null = null;
  for (;;) {
    const page: any = (await bench.graphql(CELLS_QUERY, { id, after })).run.archive.cells;
    for (const edge of page.edges) latents.push(edge.node.sample.latent);
    if (!page.pageInfo.hasNextPage) return latents;
    after = page.pageInfo.endCursor;
  }
}

/** Oracle proportions and colour-blend share of the elites' images. */
async function judgeDataset(latents: number[][]): Promise<{ proportions: GroupProportions; blendShare: number }> {
  const generator = await loadGenerator(path.join(MODELS, 'generator'), { maxBatch: 1024 });
  const oracle = await loadClassifier(path.join(MODELS, 'oracle'), { maxBatch: 1024 });
  try {
    const images = await generator.generate(Float32Array.from(latents.flat()), latents.length);
    return { proportions: await judgeProportions(oracle, images, latents.length), blendShare: colourBlendShare(images, latents.length, generator.imageSize[0]) };
  } finally {
    await generator.dispose();
    await oracle.dispose();
  }
}

/**
 * Model evaluations per second with nothing else running: `iterations` iterations' worth of the
 * run's batch shapes (the gradient points with their perturbations, then the branches).
 */
async function measureFloor(config: any, iterations: number): Promise<number> {
  const settings = config.generative;
  const generator = await loadGenerator(path.join(MODELS, 'generator'), { maxBatch: settings.maxBatch });
  const scorer = await loadScorer(path.join(MODELS, 'scorer'), { maxBatch: settings.maxBatch });
  try {
    const prompts = await embedPrompts(scorer, settings.prompts);
    const gradients = createGradientEstimator(settings.gradient, { latentDim: generator.latentDim, step: settings.gradientStep, samples: settings.gradientSamples, seed: 1 });
    const domain = new GenerativeDomain(generator, scorer, new QdgsObjective(prompts, settings.objective), gradients);
    const n = generator.latentDim;
    const k = domain.measureDim;
    const dqd = config.algorithm === 'cma_mega' || config.algorithm === 'cma_maega' ? config.settings.emitters : 0;
    const batch = config.settings.emitters * config.settings.batchSize;
    const random = new SeededRandom(1);
    const points = random.fillNormal(new Float64Array(Math.max(dqd, batch) * n));
    const started = performance.now();
    const before = domain.modelEvaluations;
    for (let it = 0; it < iterations; it++) {
      if (dqd > 0) await domain.evaluate(points, dqd, new Float64Array(dqd), new Float64Array(dqd * k), new Float64Array(dqd * (k + 1) * n));
      await domain.evaluate(points, batch, new Float64Array(batch), new Float64Array(batch * k));
    }
    return (domain.modelEvaluations - before) / ((performance.now() - started) / 1000);
  } finally {
    await generator.dispose();
    await scorer.dispose();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      iterations: { type: 'string', default: '70000' },
      algorithms: { type: 'string', default: 'cma_maega,random' },
      gradient: { type: 'string' },
      seed: { type: 'string', default: '1' },
      json: { type: 'boolean', default: false },
    },
  });
  const iterations = Number(values.iterations);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const bench = await startTemporaryPlatform('qdgs');
  const results: AlgorithmResult[] = [];
  try {
    const register = async (name: string, kind: string, modelPath: string) =>
      (await bench.graphql(`mutation($input: RegisterModelInput!) { registerModel(input: $input) { id } }`, { input: { name, kind, path: modelPath } })).registerModel.id as string;
    const generatorId = await register('shapes-generator', 'GENERATOR', 'shapes/generator');
    const scorerId = await register('shapes-scorer', 'SCORER', 'shapes/scorer');
    const projectId = (await bench.graphql(`mutation { createProject(input: { name: "bench qdgs" }) { id } }`)).createProject.id;
    const promptSetId = (
      await bench.graphql(`mutation($input: CreatePromptSetInput!) { createPromptSet(input: $input) { id } }`, {
        input: { ...DEMO_CONTENT.promptSet, objectivePositive: [...DEMO_CONTENT.promptSet.objectivePositive], projectId },
      })
    ).createPromptSet.id;

    for (const spec of values.algorithms!.split(',')) {
      const [algorithm, ...overrides] = spec.split('+');
      const settings: Record<string, string | number> = Object.fromEntries(overrides.map((pair) => pair.split('=')).map(([key, value]) => [key, Number.isNaN(Number(value)) ? value : Number(value)]));
      const runIterations = typeof settings.iterations === 'number' ? settings.iterations : iterations;
      delete settings.iterations;
      log(`${spec}: ${runIterations} iterations ...`);
      const input = { projectId, promptSetId, generatorId, scorerId, domain: 'generative', algorithm, iterations: runIterations, seed: Number(values.seed), settings, ...(values.gradient ? { gradient: values.gradient } : {}) };
      const id = (await bench.graphql(`mutation($input: StartRunInput!) { startRun(input: $input) { id } }`, { input })).startRun.id;
      const run = await waitForRun(bench, id, log);
      const seconds = (Date.parse(run.finishedAt) - Date.parse(run.startedAt)) / 1000;
      const spent = run.timeShare;
      const threadSeconds = spent.models + spent.optimizer + spent.database;
      log(`  judging ${run.numElites} elites with the oracle, measuring the floor ...`);
      const { proportions, blendShare } = await judgeDataset(await eliteLatents(bench, id));
      const floorEvalsPerSecond = await measureFloor(run.config, Math.min(runIterations, 2000));
      const metrics = run.metrics.edges.map((edge: any) => edge.node);
      const qdScoreOverTime: Array<[number, number]> = [];
      for (let tenth = 1; tenth <= 10; tenth++) {
        const metric = metrics[Math.min(metrics.length - 1, Math.ceil((tenth * metrics.length) / 10) - 1)];
        if (metric) qdScoreOverTime.push([Math.round(metric.elapsedMs / 100) / 10, Math.round(metric.normQdScore * 100) / 100]);
      }
      results.push({
        algorithm: spec,
        iterations: run.iterations,
        evaluations: run.evaluations,
        seconds,
        evalsPerSecond: run.evaluations / seconds,
        coverage: run.coverage,
        normQdScore: run.normQdScore,
        timeShare: { models: spent.models / threadSeconds, optimizer: spent.optimizer / threadSeconds, database: spent.database / threadSeconds },
        proportions,
        elites: run.numElites,
        blendShare,
        floorEvalsPerSecond,
        overheadRatio: seconds / (run.evaluations / floorEvalsPerSecond),
        qdScoreOverTime,
      });
      if (values.json) console.log(JSON.stringify(results[results.length - 1]));
    }
  } finally {
    await bench.stop();
  }
  if (values.json) return;
  const percent = (x: number) => `${(100 * x).toFixed(1)}%`;
  for (const r of results) {
    console.log(`\n${r.algorithm} (${r.iterations} iterations, gradient ${values.gradient ?? 'default'})`);
    console.log(`  wall time            ${r.seconds.toFixed(1)} s, ${r.evaluations} model evaluations, ${Math.round(r.evalsPerSecond)} evaluations/s`);
    console.log(`  floor (models alone) ${Math.round(r.floorEvalsPerSecond)} evaluations/s -> run takes ${r.overheadRatio.toFixed(2)}x the floor`);
    console.log(`  thread time share    models ${percent(r.timeShare.models)}, optimizer ${percent(r.timeShare.optimizer)}, database ${percent(r.timeShare.database)}`);
    console.log(`  dataset              ${r.elites} elites, coverage ${percent(r.coverage)}, normalised QD score ${r.normQdScore.toFixed(2)}`);
    const p = r.proportions;
    console.log(`  oracle proportions   red triangle ${percent(p.redTriangle)}, blue triangle ${percent(p.blueTriangle)}, red square ${percent(p.redSquare)}, blue square ${percent(p.blueSquare)} (colour blends ${percent(r.blendShare)})`);
    console.log(`  QD score over time   ${r.qdScoreOverTime.map(([s, q]) => `${s}s:${q}`).join('  ')}`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
