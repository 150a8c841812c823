import { claimRun, requeueStaleRuns } from '../../src/runs/runStore';
import { enqueueRun } from '../../src/runs/runQueue';
import { createRunTestContext, killWorkerProcesses, insertRun, readRun, sphereConfig, startWorkerProcess, waitFor, type RunTestContext, type WorkerProcess } from './runTestSupport';

describe('worker liveness: heartbeats, duplicate jobs and runs of dead workers', () => {
  let context: RunTestContext;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    context = await createRunTestContext();
  });

  afterAll(async () => {
    await killWorkerProcesses(workers);
    await context?.close();
  });

  it('does not let a duplicate job take a run whose worker is alive, but takes one whose heartbeat is stale', async () => {
    const id = await insertRun(context.db, context.projectId, sphereConfig({ iterations: 10 }));
    await context.db.pool.query(`UPDATE run SET status = 'RUNNING', attempts = 1, worker_id = 'alive', heartbeat_at = now() WHERE id = $1`, [id]);
    expect(await claimRun(context.db.pool, id, 'other', 60_000)).toEqual({ claimed: false, status: 'RUNNING' });
    expect((await readRun(context.db, id)).worker_id).toBe('alive');
    await context.db.pool.query(`UPDATE run SET heartbeat_at = now() - interval '2 minutes' WHERE id = $1`, [id]);
    const claim = await claimRun(context.db.pool, id, 'other', 60_000);
    expect(claim).toMatchObject({ claimed: true, run: { id, attempt: 2 } });
  });

  it('queues a RUNNING run with a stale heartbeat again, with a fresh job, exactly once', async () => {
    const id = await insertRun(context.db, context.projectId, sphereConfig({ iterations: 10 }));
    await context.db.pool.query(`UPDATE run SET status = 'RUNNING', attempts = 1, heartbeat_at = now() - interval '2 minutes' WHERE id = $1`, [id]);
    const enqueue = (runId: string, db: Parameters<typeof enqueueRun>[2]) => enqueueRun(context.boss, runId, db);
    const [first, second] = await Promise.all([requeueStaleRuns(context.db.pool, 60_000, enqueue), requeueStaleRuns(context.db.pool, 60_000, enqueue)]);
    expect([...first, ...second].filter((runId) => runId === id)).toEqual([id]);
    expect((await readRun(context.db, id)).status).toBe('QUEUED');
    const { rows } = await context.db.pool.query(`SELECT count(*)::int AS jobs FROM pgboss.job WHERE data->>'runId' = $1`, [id]);
    expect(rows[0].jobs).toBe(1);
  });

  it('resumes the run of a killed worker process on another worker from its last checkpoint', async () => {
    const env = { ...process.env, DATABASE_URL: context.db.url, QDGS_WORKERS: '1', QDGS_RUN_STALE_SECONDS: '2' };
    const first = startWorkerProcess(env);
    workers.push(first);
    await waitFor('the first worker to start', async () => first.lines.some((line) => line.msg === 'worker started'), 60_000);
    const firstId = String(first.lines.find((line) => line.msg === 'worker started')?.workerId);

    const id = await insertRun(context.db, context.projectId, sphereConfig({ algorithm: 'map_elites', iterations: 1_000_000, checkpointIntervalMs: 100 }));
    await enqueueRun(context.boss, id);
    const checkpointed = await waitFor('a checkpoint of the running run', async () => {
      const { rows } = await context.db.pool.query<{ iteration: number; worker_id: string }>(
        `SELECT c.iteration, r.worker_id FROM run_checkpoint c JOIN run r ON r.id = c.run_id WHERE c.run_id = $1 AND c.iteration > 0`,
        [id],
      );
      return rows[0];
    });
    expect(checkpointed.worker_id).toBe(firstId);
    first.child.kill('SIGKILL');
    await first.exited;
    const killedAt = await readRun(context.db, id);
    expect(killedAt.status).toBe('RUNNING');

    const second = startWorkerProcess(env);
    workers.push(second);
    const resumed = await waitFor('another worker to resume the run', async () => {
      const run = await readRun(context.db, id);
      return run.status === 'RUNNING' && run.worker_id !== firstId && run.attempts === 2 && run.iteration > killedAt.iteration && run;
    }, 60_000);
    expect(resumed.num_elites).toBeGreaterThanOrEqual(killedAt.num_elites);

    await context.db.pool.query(`UPDATE run SET cancel_requested = true WHERE id = $1`, [id]);
    await context.db.pool.query(`SELECT pg_notify('qdgs_run_cancel', $1)`, [id]);
    await waitFor('the resumed run to be cancelled', async () => (await readRun(context.db, id)).status === 'CANCELLED', 20_000);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });
});
