import { RunWorkerPool } from '../../src/runs/runWorkerPool';
import { createRunTestContext, expectStoredArchiveToMatch, queueRun, readRun, replayRun, sphereConfig, waitFor, waitForStatus, type RunTestContext } from './runTestSupport';

describe('releasing a run on shutdown', () => {
  let context: RunTestContext;
  const pools: RunWorkerPool[] = [];

  beforeAll(async () => {
    context = await createRunTestContext();
  });

  afterAll(async () => {
    for (const pool of pools) await pool.stop({ release: true });
    await context?.close();
  });

  function startPool(workerId: string): Promise<RunWorkerPool> {
    const pool = new RunWorkerPool({ database: context.db, boss: context.boss, hub: context.hub, size: 1, workerId });
    pools.push(pool);
    return pool.start().then(() => pool);
  }

  it('checkpoints and requeues a running run; another pool resumes it to the result of an uninterrupted run', async () => {
    // No periodic checkpoints: the one the release writes is the only one.
    const config = sphereConfig({ algorithm: 'cma_maega', iterations: 1000, seed: 5, checkpointIntervalMs: 86_400_000 });
    const id = await queueRun(context, config);
    const first = await startPool('first');
    await waitFor('the run to make progress', async () => {
      const run = await readRun(context.db, id);
      return run.status === 'RUNNING' && run.iteration >= 10;
    });
    await first.stop({ release: true });

    const released = await readRun(context.db, id);
    expect(released).toMatchObject({ status: 'QUEUED', worker_id: 'first', attempts: 1, finished_at: null });
    expect(released.iteration).toBeLessThan(config.iterations);
    const { rows: checkpoints } = await context.db.pool.query<{ iteration: number; bytes: number }>(
      'SELECT iteration, octet_length(state) AS bytes FROM run_checkpoint WHERE run_id = $1',
      [id],
    );
    expect(checkpoints).toHaveLength(1);
    expect(checkpoints[0].iteration).toBe(released.iteration);
    expect(checkpoints[0].bytes).toBeGreaterThan(0);
    const { rows: cells } = await context.db.pool.query<{ cells: number }>('SELECT count(*) AS cells FROM archive_cell WHERE run_id = $1', [id]);
    expect(cells[0].cells).toBe(released.num_elites);
    await waitFor('the QUEUED event', async () => context.events.filter((event) => event.runId === id).at(-1)?.status === 'QUEUED');

    await startPool('second');
    const run = await waitForStatus(context.db, id, ['SUCCEEDED', 'FAILED', 'CANCELLED'], 120_000);
    expect(run).toMatchObject({ status: 'SUCCEEDED', worker_id: 'second', attempts: 2, iteration: config.iterations });
    await expectStoredArchiveToMatch(context.db, id, replayRun(config));

    const { rows: metrics } = await context.db.pool.query<{ iteration: number }>('SELECT iteration FROM run_metric WHERE run_id = $1 ORDER BY iteration', [id]);
    expect(metrics.at(-1)?.iteration).toBe(config.iterations);
  });

  it('releases a run that was claimed just before the pool stopped, with a checkpoint of where it stopped', async () => {
    for (const earlier of pools) await earlier.stop({ release: true });
    const config = sphereConfig({ algorithm: 'map_elites', iterations: 1_000_000, seed: 6 });
    const id = await queueRun(context, config);
    const pool = await startPool('third');
    await waitFor('the run to be claimed', async () => pool.activeRunIds.includes(id));
    await pool.stop({ release: true });
    const run = await readRun(context.db, id);
    expect(run).toMatchObject({ status: 'QUEUED', worker_id: 'third' });
    const { rows } = await context.db.pool.query<{ iteration: number }>('SELECT iteration FROM run_checkpoint WHERE run_id = $1', [id]);
    expect(rows[0]?.iteration).toBe(run.iteration);
  });
});
