import { RUN_CANCEL_CHANNEL } from '../../src/runs/runProgress';
import type { RunFlushInfo } from '../../src/runs/runExecution';
import { RunWorkerPool } from '../../src/runs/runWorkerPool';
import {
  createRunTestContext,
  expectStoredArchiveToMatch,
  queueRun,
  readRun,
  replayRun,
  sphereConfig,
  waitFor,
  waitForStatus,
  type RunTestContext,
} from './runTestSupport';

describe('RunWorkerPool', () => {
  let context: RunTestContext;
  let pool: RunWorkerPool;
  const flushes: RunFlushInfo[] = [];

  beforeAll(async () => {
    context = await createRunTestContext();
    pool = new RunWorkerPool({ database: context.db, boss: context.boss, hub: context.hub, size: 2, workerId: 'test-worker', onFlush: (info) => flushes.push(info) });
    await pool.start();
  });

  afterAll(async () => {
    await pool?.stop({ release: true });
    await context?.close();
  });

  it.each([
    ['cma_maega', 60],
    ['map_elites', 300],
  ])('executes a %s run to SUCCEEDED and stores exactly the archive of an in-process replay', async (algorithm, iterations) => {
    const config = sphereConfig({ algorithm, iterations, seed: 3 });
    const id = await queueRun(context, config);
    const run = await waitForStatus(context.db, id, ['SUCCEEDED', 'FAILED', 'CANCELLED']);
    expect(run).toMatchObject({ status: 'SUCCEEDED', iteration: iterations, worker_id: 'test-worker', attempts: 1, error: null });
    expect(run.started_at).not.toBeNull();
    expect(run.finished_at).not.toBeNull();
    const replay = replayRun(config);
    expect(run.evaluations).toBe(iterations * (replay.batchSize + replay.dqdBatchSize));
    await expectStoredArchiveToMatch(context.db, id, replay);

    const { rows: metrics } = await context.db.pool.query<{ iteration: number; evaluations: number; elapsed_ms: number }>(
      'SELECT iteration, evaluations, elapsed_ms FROM run_metric WHERE run_id = $1 ORDER BY id',
      [id],
    );
    expect(metrics.length).toBeGreaterThanOrEqual(1);
    for (let i = 1; i < metrics.length; i++) {
      expect(metrics[i].iteration).toBeGreaterThan(metrics[i - 1].iteration);
      expect(metrics[i].evaluations).toBeGreaterThan(metrics[i - 1].evaluations);
    }
    expect(metrics[metrics.length - 1].iteration).toBe(iterations);

    const events = await waitFor('the final progress event', async () => {
      const mine = context.events.filter((event) => event.runId === id);
      return mine.at(-1)?.status === 'SUCCEEDED' && mine;
    });
    expect(events[0].status).toBe('RUNNING');
    expect(events.filter((event) => event.status !== 'RUNNING')).toHaveLength(1);
    for (let i = 1; i < events.length; i++) expect(events[i].iteration).toBeGreaterThanOrEqual(events[i - 1].iteration);
    expect(events.at(-1)).toMatchObject({ iteration: iterations, iterations, qdScore: run.qd_score, numElites: run.num_elites, error: null });
    expect(flushes.some((flush) => flush.runId === id && flush.cells > 0)).toBe(true);
  });

  it('cancels a running run at the next iteration boundary and keeps what it found', async () => {
    const id = await queueRun(context, sphereConfig({ algorithm: 'cma_maega', iterations: 1_000_000 }));
    await waitFor('progress of the long run', async () => {
      const run = await readRun(context.db, id);
      return run.status === 'RUNNING' && run.num_elites > 0;
    });
    const requested = Date.now();
    await context.db.pool.query('UPDATE run SET cancel_requested = true WHERE id = $1', [id]);
    await context.db.pool.query('SELECT pg_notify($1, $2)', [RUN_CANCEL_CHANNEL, id]);
    const run = await waitForStatus(context.db, id, ['CANCELLED', 'SUCCEEDED', 'FAILED'], 30_000);
    const latency = Date.now() - requested;
    expect(run.status).toBe('CANCELLED');
    expect(latency).toBeLessThan(10_000);
    expect(run.iteration).toBeLessThan(1_000_000);
    expect(run.num_elites).toBeGreaterThan(0);
    const { rows } = await context.db.pool.query<{ cells: number }>('SELECT count(*) AS cells FROM archive_cell WHERE run_id = $1', [id]);
    expect(rows[0].cells).toBe(run.num_elites);
    await waitFor('the CANCELLED event', async () => context.events.filter((event) => event.runId === id).at(-1)?.status === 'CANCELLED');
    expect(pool.activeRunIds).not.toContain(id);
  });

  it('marks a run FAILED with the error text when the engine rejects its stored config', async () => {
    const config = sphereConfig({ algorithm: 'map_elites', iterations: 10 });
    config.settings.emitters = 0;
    const id = await queueRun(context, config);
    const run = await waitForStatus(context.db, id, ['FAILED', 'SUCCEEDED', 'CANCELLED']);
    expect(run.status).toBe('FAILED');
    expect(run.error).toMatch(/emitters/);
    expect(run.num_elites).toBe(0);
    expect(run.finished_at).not.toBeNull();
    await waitFor('the FAILED event', async () => context.events.filter((event) => event.runId === id).at(-1)?.error === run.error);
  });

  it('cancels a QUEUED run with a pending cancel without executing it', async () => {
    const id = await queueRun(context, sphereConfig({ algorithm: 'map_elites', iterations: 10 }), { cancelRequested: true });
    const run = await waitForStatus(context.db, id, ['CANCELLED', 'SUCCEEDED', 'FAILED']);
    expect(run).toMatchObject({ status: 'CANCELLED', attempts: 0, iteration: 0 });
  });

  it('executes two runs at once with two threads', async () => {
    const ids = await Promise.all([1, 2].map((seed) => queueRun(context, sphereConfig({ algorithm: 'cma_maega', iterations: 1_000_000, seed }))));
    await waitFor('both runs running', async () => ids.every((id) => pool.activeRunIds.includes(id)));
    for (const id of ids) {
      await context.db.pool.query('UPDATE run SET cancel_requested = true WHERE id = $1', [id]);
      await context.db.pool.query('SELECT pg_notify($1, $2)', [RUN_CANCEL_CHANNEL, id]);
    }
    for (const id of ids) expect((await waitForStatus(context.db, id, ['CANCELLED', 'SUCCEEDED', 'FAILED'])).status).toBe('CANCELLED');
  });
});
