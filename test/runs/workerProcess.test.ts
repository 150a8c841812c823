import pino from 'pino';
import type { RunLogger } from '../../src/runs/runLogger';
import { createRunTestContext, killWorkerProcesses, queueRun, sphereConfig, startWorkerProcess, waitFor, waitForStatus, type RunTestContext, type WorkerProcess } from './runTestSupport';

// The server hands its pino logger to the pool: it must fit the pool's logger interface.
const serverLogger: RunLogger = pino({ enabled: false });

describe('worker processes (npm run worker)', () => {
  let context: RunTestContext;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    context = await createRunTestContext();
  });

  afterAll(async () => {
    await killWorkerProcesses(workers);
    await context?.close();
  });

  it('exits with code 2 and says why when DATABASE_URL is missing', async () => {
    const worker = startWorkerProcess({ ...process.env, DATABASE_URL: '' });
    workers.push(worker);
    expect(await worker.exited).toBe(2);
    expect(worker.lines.at(-1)).toMatchObject({ level: 'error', msg: expect.stringContaining('DATABASE_URL') });
    expect(serverLogger).toBeDefined();
  });

  it('two processes split the queued runs between them and both exit 0 on SIGTERM', async () => {
    const env = { ...process.env, DATABASE_URL: context.db.url, QDGS_WORKERS: '1' };
    const pair = [startWorkerProcess(env), startWorkerProcess(env)];
    workers.push(...pair);
    await waitFor('both workers to start', async () => pair.every((worker) => worker.lines.some((line) => line.msg === 'worker started')), 60_000);

    const ids: string[] = [];
    for (let seed = 1; seed <= 6; seed++) ids.push(await queueRun(context, sphereConfig({ algorithm: 'cma_maega', iterations: 100, seed })));
    const runs = [];
    for (const id of ids) runs.push(await waitForStatus(context.db, id, ['SUCCEEDED', 'FAILED', 'CANCELLED'], 120_000));
    expect(runs.map((run) => run.status)).toEqual(ids.map(() => 'SUCCEEDED'));
    const workerIds = new Set(runs.map((run) => run.worker_id));
    expect(workerIds.size).toBe(2);
    for (const worker of pair) {
      expect(workerIds).toContain(`${worker.lines.find((line) => line.msg === 'worker started')?.workerId}`);
      expect(worker.lines.filter((line) => line.msg === 'run claimed').length).toBeGreaterThan(0);
    }

    for (const worker of pair) worker.child.kill('SIGTERM');
    expect(await Promise.all(pair.map((worker) => worker.exited))).toEqual([0, 0]);
    for (const worker of pair) expect(worker.lines.at(-1)).toMatchObject({ level: 'info', msg: 'worker stopped' });
  });
});
