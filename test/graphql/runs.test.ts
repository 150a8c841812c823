import type { ExecutionResult } from 'graphql';
import { startTestPlatform, type TestPlatform } from '../support/platformHarness';

const START_RUN = `mutation($input: StartRunInput!) { startRun(input: $input) { id status domain algorithm seed iterations config } }`;
const RUN_STATE = `query($id: ID!) { run(id: $id) { id status iteration iterations evaluations qdScore coverage numElites objMax error cancelRequested } }`;

async function waitFor<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('GraphQL API: runs over HTTP and WebSocket', () => {
  let t: TestPlatform;
  let projectId: string;

  beforeAll(async () => {
    t = await startTestPlatform({ workers: 1 });
    projectId = (await t.request(`mutation { createProject(input: { name: "sphere runs" }) { id } }`)).data!.createProject.id;
  });
  afterAll(() => t.stop());

  it('runs a small sphere run to completion while subscribed, then serves its archive, samples, metrics and balance', async () => {
    const started = await t.request(START_RUN, { input: { projectId, domain: 'sphere', algorithm: 'cma_maega', dim: 10, iterations: 150, cells: 20, seed: 7, flushIntervalMs: 20 } });
    expect(started.errors).toBeUndefined();
    const run = started.data!.startRun;
    expect(run).toMatchObject({ status: 'QUEUED', domain: 'sphere', algorithm: 'cma_maega', seed: 7, iterations: 150 });
    expect(run.config).toMatchObject({ dim: 10, cells: 20, dims: [20, 20], settings: { batchSize: 35, archiveLearningRate: 0.01, emitters: 15 } });

    const events: Array<Record<string, any>> = [];
    await new Promise<void>((resolve, reject) => {
      t.wsClient().subscribe<Record<string, any>>(
        { query: `subscription($id: ID!) { runProgress(runId: $id) { runId status iteration iterations evaluations qdScore coverage numElites objMax objMean evalsPerSecond elapsedMs } }`, variables: { id: run.id } },
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
    const last = events[events.length - 1];
    expect(last).toMatchObject({ runId: run.id, status: 'SUCCEEDED', iteration: 150, iterations: 150 });
    expect(events.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < events.length; i++) expect(events[i].iteration).toBeGreaterThanOrEqual(events[i - 1].iteration);
    expect(last.numElites).toBeGreaterThan(0);
    expect(last.evaluations).toBe(150 * 15 * (35 + 1));

    const metrics = await (await fetch(t.url.replace(/graphql$/, 'metrics'))).text();
    expect(metrics).toContain(`qdgs_evaluations_total ${150 * 540}`);
    expect(metrics).toMatch(/qdgs_runs\{status="SUCCEEDED"\} 1/);
    expect(Number(/qdgs_flush_duration_seconds_count (\d+)/.exec(metrics)?.[1])).toBeGreaterThanOrEqual(2);

    const state = (await t.request(RUN_STATE, { id: run.id })).data!.run;
    expect(state).toMatchObject({ status: 'SUCCEEDED', iteration: 150, numElites: last.numElites, qdScore: last.qdScore });

    // The whole archive, page by page; every cell's elite sample is loaded in one batch per page.
    const cells: Array<Record<string, any>> = [];
    let after: string | null = null;
    for (;;) {
      const page: any = (
        await t.request(`query($id: ID!, $after: String) { run(id: $id) { archive { dims ranges { low high } numElites coverage
          cells(first: 100, after: $after) { nodes { index coordinates objective measures threshold sample { id objective measures latent iteration } } pageInfo { hasNextPage endCursor } } } } }`, { id: run.id, after })
      ).data!.run.archive;
      expect(page.dims).toEqual([20, 20]);
      cells.push(...page.cells.nodes);
      if (!page.cells.pageInfo.hasNextPage) break;
      after = page.cells.pageInfo.endCursor;
    }
    expect(cells.length).toBe(state.numElites);
    expect(new Set(cells.map((cell) => cell.index)).size).toBe(cells.length);
    for (const cell of cells) {
      expect(cell.index).toBe(cell.coordinates[0] * 20 + cell.coordinates[1]);
      expect(cell.sample.objective).toBeCloseTo(cell.objective, 10);
      expect(cell.sample.measures).toEqual(cell.measures);
      expect(cell.sample.latent).toHaveLength(10);
    }
    expect(Math.max(...cells.map((cell) => cell.objective))).toBeCloseTo(state.objMax, 10);
    const best = (await t.request(`query($id: ID!) { run(id: $id) { archive { cells(first: 1000, minObjective: 90) { nodes { objective } } } } }`, { id: run.id })).data!.run.archive.cells.nodes;
    expect(best.length).toBe(cells.filter((cell) => cell.objective >= 90).length);

    const samples = (await t.request(`query($id: ID!) { run(id: $id) { samples(first: 1000) { nodes { id cellIndex } } metrics(first: 1000) { nodes { iteration qdScore } } } }`, { id: run.id })).data!.run;
    expect(samples.samples.nodes).toHaveLength(cells.length);
    const iterations = samples.metrics.nodes.map((metric: { iteration: number }) => metric.iteration);
    expect(iterations[iterations.length - 1]).toBe(150);
    expect([...iterations].sort((a, b) => a - b)).toEqual(iterations);

    const balance = (await t.request(`query($id: ID!) { run(id: $id) { balance(bins: 4) { samples measures { name counts proportions entropy klFromUniform coverage } pairs { first second counts coverage } } } }`, { id: run.id })).data!.run.balance;
    expect(balance.samples).toBe(cells.length);
    expect(balance.measures).toHaveLength(2);
    expect(balance.measures[0].counts.reduce((a: number, b: number) => a + b, 0)).toBeLessThanOrEqual(cells.length);
    expect(balance.pairs).toHaveLength(1);

    const compared = await t.request(`query($ids: [ID!]!) { compareBalance(runIds: $ids, bins: 4) { runId samples } }`, { ids: [run.id, run.id] });
    expect(compared.data?.compareBalance).toEqual([{ runId: run.id, samples: cells.length }, { runId: run.id, samples: cells.length }]);
  });

  it('cancels a running run at the next iteration boundary and keeps what it found', async () => {
    const { data } = await t.request(START_RUN, { input: { projectId, domain: 'sphere', algorithm: 'map_elites', dim: 20, iterations: 1_000_000, cells: 20, flushIntervalMs: 50 } });
    const id = data!.startRun.id;
    await waitFor(async () => {
      const run = (await t.request(RUN_STATE, { id })).data!.run;
      return run.status === 'RUNNING' && run.numElites > 0 ? run : undefined;
    }, 'the run to make progress');
    const cancelled = await t.request(`mutation($id: ID!) { cancelRun(id: $id) { id cancelRequested } }`, { id });
    expect(cancelled.data?.cancelRun).toEqual({ id, cancelRequested: true });
    const final = await waitFor(async () => {
      const run = (await t.request(RUN_STATE, { id })).data!.run;
      return run.status === 'CANCELLED' ? run : undefined;
    }, 'the run to stop', 20_000);
    expect(final.iteration).toBeLessThan(1_000_000);
    expect(final.numElites).toBeGreaterThan(0);
    const cells = (await t.request(`query($id: ID!) { run(id: $id) { archive { cells(first: 1000) { nodes { index } } } } }`, { id })).data!.run.archive.cells.nodes;
    expect(cells.length).toBe(final.numElites);
    const again = await t.request(`mutation($id: ID!) { cancelRun(id: $id) { id } }`, { id });
    expect(again.errors?.[0].extensions?.code).toBe('CONFLICT');
  });

  it('cancels a queued run at once', async () => {
    const t2 = await startTestPlatform({ workers: 0 });
    try {
      const project = (await t2.request(`mutation { createProject(input: { name: "p" }) { id } }`)).data!.createProject.id;
      const id = (await t2.request(START_RUN, { input: { projectId: project, domain: 'sphere', iterations: 10 } })).data!.startRun.id;
      const { data } = await t2.request(`mutation($id: ID!) { cancelRun(id: $id) { status finishedAt } }`, { id });
      expect(data?.cancelRun.status).toBe('CANCELLED');
      expect(data?.cancelRun.finishedAt).not.toBeNull();
    } finally {
      await t2.stop();
    }
  });

  it('refuses bad run configurations with BAD_USER_INPUT naming the field, and writes nothing', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ domain: 'faces' }, 'domain'],
      [{ domain: 'sphere', algorithm: 'cma_xyz' }, 'algorithm'],
      [{ domain: 'sphere', iterations: -5 }, 'iterations'],
      [{ domain: 'sphere', dim: 0 }, 'dim'],
      [{ domain: 'sphere', cells: 5000 }, 'cells'],
      [{ domain: 'sphere', settings: { es: 'adam' } }, 'settings.es'],
      [{ domain: 'sphere', settings: { sigma0: -1 } }, 'settings.sigma0'],
      [{ domain: 'sphere', settings: { archiveLearningRate: 1.5 } }, 'settings.archiveLearningRate'],
      [{ domain: 'sphere', settings: { restartRule: 'sometimes' } }, 'settings.restartRule'],
      [{ domain: 'sphere', promptSetId: 'nope' }, 'input.promptSetId'],
    ];
    const before = await t.platform.database.prisma.run.count();
    for (const [input, field] of cases) {
      const { errors } = await t.request(START_RUN, { input: { projectId, ...input } });
      expect({ field, extensions: errors?.[0].extensions }).toEqual({ field, extensions: { code: 'BAD_USER_INPUT', field } });
    }
    expect(await t.platform.database.prisma.run.count()).toBe(before);
  });

  it('refuses subscriptions without a valid key and to runs of other accounts', async () => {
    const client = t.wsClient('qdgs_wrong');
    const outcome = await new Promise<unknown>((resolve) => {
      client.subscribe({ query: `subscription { runProgress(runId: "00000000-0000-4000-8000-000000000000") { status } }` }, { next: resolve, error: resolve, complete: () => resolve('complete') });
    });
    expect(String((outcome as { code?: number }).code ?? outcome)).toMatch(/4403/);
    const missing = await new Promise<ExecutionResult | unknown>((resolve) => {
      t.wsClient().subscribe({ query: `subscription { runProgress(runId: "00000000-0000-4000-8000-000000000000") { status } }` }, { next: resolve, error: resolve, complete: () => resolve('complete') });
    });
    const errors = Array.isArray(missing) ? missing : (missing as ExecutionResult).errors;
    expect(errors?.[0]).toMatchObject({ extensions: { code: 'NOT_FOUND' } });
  });
});
