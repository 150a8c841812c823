import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ExecutionResult } from 'graphql';
import { PNG } from 'pngjs';
import { projectRoot } from '../../src/projectRoot';
import { writeGeneratorBundle } from '../models/tinyBundles';
import { startTestPlatform, type TestPlatform } from '../support/platformHarness';

const REGISTER = `mutation($input: RegisterModelInput!) { registerModel(input: $input) { id name kind sha256 } }`;
const START_RUN = `mutation($input: StartRunInput!) { startRun(input: $input) { id status domain algorithm config } }`;
const RUN_RESULT = `query($id: ID!) {
  run(id: $id) {
    status error iteration evaluations numElites coverage qdScore executionProvider deviceNote
    generator { name } scorer { name }
    timeShare { models optimizer database }
    archive { contactSheetUrl cells(first: 1000) { edges { node { index objective measures sample { id imageUrl } } } } }
    balance(bins: 2) { samples pairs { counts coverage } }
  }
}`;

const SHAPES_PROMPT_SET = {
  name: 'shapes',
  objectivePositive: ['A regular square or a triangle.'],
  measures: [
    { name: 'colour', lowPrompt: 'A red shape.', highPrompt: 'A blue shape.', low: -0.9, high: 0.9, resolution: 20 },
    { name: 'shape', lowPrompt: 'A triangle with 3 edges.', highPrompt: 'A square or diamond with 4 edges.', low: -0.9, high: 0.9, resolution: 20 },
  ],
};

async function waitForEnd(t: TestPlatform, id: string, timeoutMs = 120_000): Promise<Record<string, any>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = (await t.request(`query($id: ID!) { run(id: $id) { status } }`, { id })).data!.run;
    if (!['QUEUED', 'RUNNING'].includes(run.status)) return (await t.request(RUN_RESULT, { id })).data!.run;
    if (Date.now() > deadline) throw new Error(`run ${id} did not end in time`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('QDGS runs on the bundled shapes models over GraphQL', () => {
  let t: TestPlatform;
  let projectId: string;
  let promptSetId: string;
  let generatorId: string;
  let scorerId: string;

  beforeAll(async () => {
    t = await startTestPlatform({ workers: 1 });
    const register = async (name: string, kind: string, modelPath: string) => {
      const result = await t.request(REGISTER, { input: { name, kind, path: modelPath } });
      expect(result.errors).toBeUndefined();
      return result.data!.registerModel.id as string;
    };
    generatorId = await register('shapes-generator', 'GENERATOR', 'shapes/generator');
    scorerId = await register('shapes-scorer', 'SCORER', 'shapes/scorer');
    projectId = (await t.request(`mutation { createProject(input: { name: "shapes" }) { id } }`)).data!.createProject.id;
    const promptSet = await t.request(`mutation($input: CreatePromptSetInput!) { createPromptSet(input: $input) { id } }`, { input: { projectId, ...SHAPES_PROMPT_SET } });
    expect(promptSet.errors).toBeUndefined();
    promptSetId = promptSet.data!.createPromptSet.id;
  });
  afterAll(() => t.stop());

  it('runs CMA-MAEGA while streaming progress, and serves elites, PNG images and a balance that covers the colour x shape quadrants', async () => {
    const started = await t.request(START_RUN, {
      input: { projectId, promptSetId, generatorId, scorerId, domain: 'generative', iterations: 400, seed: 3, flushIntervalMs: 50 },
    });
    expect(started.errors).toBeUndefined();
    const run = started.data!.startRun;
    expect(run).toMatchObject({ status: 'QUEUED', domain: 'generative', algorithm: 'cma_maega' });
    expect(run.config).toMatchObject({
      dim: 6,
      dims: [20, 20],
      ranges: [[-0.9, 0.9], [-0.9, 0.9]],
      measureNames: ['colour', 'shape'],
      settings: { emitters: 1, batchSize: 3, sigma0: 0.5, learningRate: 0.5, archiveLearningRate: 0.02, thresholdMin: 0 },
      generative: { gradient: 'antithetic_es', gradientSamples: 3, initialSamples: 512, device: 'cpu', generator: { name: 'shapes-generator', latentDim: 6 } },
    });

    const events: Array<Record<string, any>> = [];
    await new Promise<void>((resolve, reject) => {
      t.wsClient().subscribe<Record<string, any>>(
        { query: `subscription($id: ID!) { runProgress(runId: $id) { status iteration evaluations coverage numElites } }`, variables: { id: run.id } },
        {
          next: (result: ExecutionResult<Record<string, any>>) => {
            if (result.errors) reject(new Error(JSON.stringify(result.errors)));
            else events.push(result.data!.runProgress);
          },
          error: reject,
          complete: resolve,
        },
      );
    });
    const final = events[events.length - 1];
    expect(final).toMatchObject({ status: 'SUCCEEDED', iteration: 400 });
    expect(events.filter((e) => e.status === 'RUNNING').length).toBeGreaterThan(1);
    // 512 initial prior samples, then per iteration 1 gradient point + 3 antithetic ES pairs + 3 branches.
    expect(final.evaluations).toBe(512 + 400 * 10);

    const result = await waitForEnd(t, run.id);
    expect(result).toMatchObject({ status: 'SUCCEEDED', executionProvider: 'cpu', deviceNote: null, generator: { name: 'shapes-generator' }, scorer: { name: 'shapes-scorer' } });
    expect(result.timeShare.models).toBeGreaterThan(result.timeShare.optimizer);
    const cells = result.archive.cells.edges.map((edge: any) => edge.node);
    expect(cells.length).toBe(result.numElites);
    expect(cells.length).toBeGreaterThan(20);
    for (const cell of cells) expect(cell.objective).toBeGreaterThan(0);

    // Every colour x shape quadrant of the measure space holds samples.
    const [pair] = result.balance.pairs;
    expect(pair.coverage).toBe(1);
    expect(pair.counts.flat().every((count: number) => count > 0)).toBe(true);

    const image = await t.get(cells[0].sample.imageUrl);
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/png');
    const png = PNG.sync.read(Buffer.from(await image.arrayBuffer()));
    expect([png.width, png.height]).toEqual([32, 32]);
    const sheet = await t.get(result.archive.contactSheetUrl);
    expect(sheet.status).toBe(200);
    expect(PNG.sync.read(Buffer.from(await sheet.arrayBuffer())).width).toBeGreaterThanOrEqual(20 * 32);
  });

  it('runs the random baseline with as many model evaluations per iteration as CMA-MAEGA', async () => {
    const started = await t.request(START_RUN, { input: { projectId, promptSetId, generatorId, scorerId, domain: 'generative', algorithm: 'random', iterations: 30, seed: 4 } });
    expect(started.errors).toBeUndefined();
    expect(started.data!.startRun.config.settings).toMatchObject({ emitters: 1, batchSize: 10, sigma0: 1 });
    const result = await waitForEnd(t, started.data!.startRun.id);
    expect(result).toMatchObject({ status: 'SUCCEEDED', evaluations: 512 + 30 * 10 });
    expect(result.numElites).toBeGreaterThan(10);
  });

  it('falls back to the CPU when a GPU is requested but CUDA is absent, and says so on the run (finite-difference gradients)', async () => {
    const started = await t.request(START_RUN, {
      input: { projectId, promptSetId, generatorId, scorerId, domain: 'generative', iterations: 5, device: 'gpu', initialSamples: 0, gradient: 'finite_differences' },
    });
    expect(started.errors).toBeUndefined();
    const result = await waitForEnd(t, started.data!.startRun.id);
    expect(result.status).toBe('SUCCEEDED');
    expect(result.evaluations).toBe(5 * (1 + 2 * 6 + 3)); // central differences: 2 rows per latent coordinate
    expect(result.executionProvider).toBe('cpu');
    expect(result.deviceNote).toMatch(/GPU requested but the models ran on the CPU/);
  });

  it('rejects bad generative requests with the field at fault and writes nothing', async () => {
    const base = { projectId, promptSetId, generatorId, scorerId, domain: 'generative' };
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ generatorId: null }, 'input.generatorId', /is required/],
      [{ generatorId: scorerId }, 'input.generatorId', /must name a GENERATOR model/],
      [{ scorerId: generatorId }, 'input.scorerId', /must name a SCORER model/],
      [{ promptSetId: null }, 'input.promptSetId', /is required/],
      [{ gradient: 'exact' }, 'gradient', /finite_differences, antithetic_es/],
      [{ device: 'tpu' }, 'device', /cpu, gpu/],
      [{ dim: 10 }, 'dim', /does not apply to generative runs/],
      [{ initialSamples: -1 }, 'initialSamples', /integer from 0/],
      [{ objective: { marginWeight: -1 } }, 'objective.marginWeight', />= 0/],
    ];
    for (const [change, field, message] of cases) {
      const result = await t.request(START_RUN, { input: { ...base, ...change } });
      expect(result.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field } });
      expect(result.errors![0].message).toMatch(message);
    }
    const sphere = await t.request(START_RUN, { input: { projectId, domain: 'sphere', gradient: 'finite_differences' } });
    expect(sphere.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'gradient' } });
    const unknownWords = await t.request(`mutation($input: CreatePromptSetInput!) { createPromptSet(input: $input) { id } }`, {
      input: { projectId, ...SHAPES_PROMPT_SET, name: 'crimson', measures: [{ ...SHAPES_PROMPT_SET.measures[0], lowPrompt: 'A crimson shape.' }] },
    });
    const rejected = await t.request(START_RUN, { input: { ...base, promptSetId: unknownWords.data!.createPromptSet.id } });
    expect(rejected.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'input.promptSetId' } });
    expect(rejected.errors![0].message).toMatch(/"crimson"/);
    const runs = await t.request(`query($id: ID!) { project(id: $id) { runs(first: 100) { edges { node { id } } } } }`, { id: projectId });
    expect(runs.data!.project.runs.edges).toHaveLength(3);
  });
});

describe('a generator that returns NaN mid-run', () => {
  let t: TestPlatform;
  let modelsDir: string;

  beforeAll(async () => {
    modelsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'qdgs-nan-models-'));
    fs.cpSync(path.join(projectRoot(), 'models', 'shapes', 'scorer'), path.join(modelsDir, 'scorer'), { recursive: true });
    writeGeneratorBundle(path.join(modelsDir, 'flaky-generator'), { latentDim: 6, height: 32, width: 32, nanWhenFirstLatentAtLeast: 2.5 });
    t = await startTestPlatform({ workers: 1, modelsDir });
  });
  afterAll(async () => {
    await t.stop();
    fs.rmSync(modelsDir, { recursive: true, force: true });
  });

  it('fails the run with the model error stored on it and keeps the elites found before', async () => {
    const register = async (name: string, kind: string, modelPath: string) => (await t.request(REGISTER, { input: { name, kind, path: modelPath } })).data!.registerModel.id as string;
    const generatorId = await register('flaky', 'GENERATOR', 'flaky-generator');
    const scorerId = await register('scorer', 'SCORER', 'scorer');
    const projectId = (await t.request(`mutation { createProject(input: { name: "flaky" }) { id } }`)).data!.createProject.id;
    const promptSetId = (await t.request(`mutation($input: CreatePromptSetInput!) { createPromptSet(input: $input) { id } }`, { input: { projectId, ...SHAPES_PROMPT_SET } })).data!
      .createPromptSet.id;
    // Prior samples with z0 >= 2.5 (0.6% of them) poison the batch they are in.
    const started = await t.request(START_RUN, {
      input: { projectId, promptSetId, generatorId, scorerId, domain: 'generative', algorithm: 'random', iterations: 100_000, initialSamples: 0, seed: 2, flushIntervalMs: 20, settings: { batchSize: 4 } },
    });
    expect(started.errors).toBeUndefined();
    const result = await waitForEnd(t, started.data!.startRun.id);
    expect(result.status).toBe('FAILED');
    expect(result.error).toMatch(/NaN/);
    expect(result.error).toMatch(/flaky-generator/);
    expect(result.iteration).toBeGreaterThan(0);
    expect(result.numElites).toBeGreaterThan(0);
    expect(result.archive.cells.edges).toHaveLength(result.numElites);
  });
});
