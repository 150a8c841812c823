import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type PgBoss from 'pg-boss';
import type { Database } from '../../src/db/database';
import { NotificationHub } from '../../src/db/notifications';
import { projectRoot } from '../../src/projectRoot';
import { createScheduler } from '../../src/qd/algorithms';
import type { GridArchive } from '../../src/qd/archives/gridArchive';
import { runOnDomain } from '../../src/qd/runOnDomain';
import type { Scheduler } from '../../src/qd/schedulers/scheduler';
import { SphereDomain } from '../../src/qd/domains/sphere';
import { algorithmConfigOf, resolveRunConfig, type RunConfig, type RunRequest } from '../../src/runs/runConfig';
import { RUN_PROGRESS_CHANNEL, type RunProgressEvent, type RunStatusName } from '../../src/runs/runProgress';
import { enqueueRun, startRunQueue } from '../../src/runs/runQueue';
import { createTestDatabase } from '../support/testDatabase';

export type TestDatabase = Awaited<ReturnType<typeof createTestDatabase>>;

export interface RunRow {
  id: string;
  status: RunStatusName;
  iteration: number;
  iterations: number;
  evaluations: number;
  qd_score: number;
  num_elites: number;
  cancel_requested: boolean;
  worker_id: string | null;
  attempts: number;
  error: string | null;
  started_at: Date | null;
  finished_at: Date | null;
}

/** A test database with the run queue, a LISTEN hub and a recorder of progress events. */
export interface RunTestContext {
  db: TestDatabase;
  boss: PgBoss;
  hub: NotificationHub;
  projectId: string;
  events: RunProgressEvent[];
  close(): Promise<void>;
}

export async function createRunTestContext(): Promise<RunTestContext> {
  const db = await createTestDatabase();
  const boss = await startRunQueue(db.url);
  const hub = new NotificationHub(db.url);
  await hub.start();
  const events: RunProgressEvent[] = [];
  await hub.listen(RUN_PROGRESS_CHANNEL, (payload) => events.push(JSON.parse(payload) as RunProgressEvent));
  const accountId = randomUUID();
  const projectId = randomUUID();
  await db.pool.query('INSERT INTO account (id, name) VALUES ($1, $2)', [accountId, 'runner']);
  await db.pool.query('INSERT INTO project (id, account_id, name) VALUES ($1, $2, $3)', [projectId, accountId, 'runs']);
  return {
    db,
    boss,
    hub,
    projectId,
    events,
    async close() {
      await boss.stop({ graceful: false, wait: true });
      await hub.close();
      await db.drop();
    },
  };
}

export function sphereConfig(request: Omit<RunRequest, 'domain'>): RunConfig {
  return resolveRunConfig({ domain: 'sphere', dim: 10, cells: 20, flushIntervalMs: 20, ...request });
}

/** Inserts a QUEUED run with `config` written as is (so tests can store configs the engine rejects). */
export async function insertRun(db: Database, projectId: string, config: RunConfig, columns: { cancelRequested?: boolean } = {}): Promise<string> {
  const id = randomUUID();
  await db.pool.query(
    `INSERT INTO run (id, project_id, domain, algorithm, config, seed, iterations, cancel_requested) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [id, projectId, config.domain, config.algorithm, JSON.stringify(config), config.seed, config.iterations, columns.cancelRequested ?? false],
  );
  return id;
}

export async function queueRun(context: RunTestContext, config: RunConfig, columns?: { cancelRequested?: boolean }): Promise<string> {
  const id = await insertRun(context.db, context.projectId, config, columns);
  await enqueueRun(context.boss, id);
  return id;
}

export async function readRun(db: Database, id: string): Promise<RunRow> {
  const { rows } = await db.pool.query<RunRow>('SELECT * FROM run WHERE id = $1', [id]);
  if (!rows[0]) throw new Error(`run ${id} does not exist`);
  return rows[0];
}

/** Polls `probe` until it returns a value other than undefined/false; fails with `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    last = value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${String(last)})`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export async function waitForStatus(db: Database, id: string, statuses: RunStatusName[], timeoutMs?: number): Promise<RunRow> {
  return waitFor(`run ${id} to be ${statuses.join(' or ')}`, async () => {
    const run = await readRun(db, id);
    return statuses.includes(run.status) && run;
  }, timeoutMs);
}

/** The same run, uninterrupted, in this process: runs are deterministic. */
export function replayRun(config: RunConfig): Scheduler {
  const scheduler = createScheduler(algorithmConfigOf(config));
  runOnDomain(scheduler, new SphereDomain(config.dim), config.iterations);
  return scheduler;
}

interface StoredCell {
  index: number;
  coordinates: number[];
  objective: number;
  measures: number[];
  threshold: number;
  iteration: number;
  sample_objective: number;
  sample_measures: number[];
  latent: Buffer;
}

/** Checks the stored archive of a finished run against the in-process replay, cell by cell. */
export async function expectStoredArchiveToMatch(db: Database, runId: string, scheduler: Scheduler): Promise<void> {
  const run = await readRun(db, runId);
  const stats = scheduler.stats();
  expect(run.qd_score).toBe(stats.qdScore);
  expect(run.num_elites).toBe(stats.numElites);
  const { rows } = await db.pool.query<StoredCell>(
    `SELECT c.index, c.coordinates, c.objective, c.measures, c.threshold, c.iteration, s.objective AS sample_objective, s.measures AS sample_measures, s.latent
       FROM archive_cell c JOIN sample s ON s.id = c.sample_id AND s.run_id = c.run_id AND s.cell_index = c.index
      WHERE c.run_id = $1 ORDER BY c.index`,
    [runId],
  );
  const { rows: counts } = await db.pool.query<{ cells: number; samples: number }>(
    'SELECT (SELECT count(*) FROM archive_cell WHERE run_id = $1) AS cells, (SELECT count(*) FROM sample WHERE run_id = $1) AS samples',
    [runId],
  );
  expect(counts[0]).toEqual({ cells: run.num_elites, samples: run.num_elites });
  expect(rows).toHaveLength(run.num_elites);

  const result = scheduler.resultArchive ?? scheduler.archive;
  const elites = result.elites();
  const expectedCells = Array.from(elites.cells).sort((a, b) => a - b);
  expect(rows.map((row) => row.index)).toEqual(expectedCells);
  const k = result.measureDim;
  const n = result.solutionDim;
  const slotOf = new Map(Array.from(elites.cells, (cell, slot) => [cell, slot]));
  for (const row of rows) {
    const slot = slotOf.get(row.index) as number;
    expect(row.objective).toBe(elites.objectives[slot]);
    expect(row.sample_objective).toBe(row.objective);
    expect(row.measures).toEqual(Array.from(elites.measures.subarray(slot * k, slot * k + k)));
    expect(row.sample_measures).toEqual(row.measures);
    expect(row.threshold).toBe(scheduler.archive.threshold(row.index));
    expect(row.iteration).toBe(elites.iterations[slot]);
    expect(row.coordinates).toEqual((scheduler.archive as GridArchive).coordinates(row.index));
    const latent = new Float32Array(row.latent.buffer.slice(row.latent.byteOffset, row.latent.byteOffset + row.latent.byteLength));
    expect(Array.from(latent)).toEqual(Array.from(elites.solutions.subarray(slot * n, slot * n + n), Math.fround));
  }
}

export interface WorkerProcess {
  child: ChildProcess;
  lines: Array<Record<string, unknown>>;
  exited: Promise<number | null>;
}

/** `npm run worker` as a child process; its JSON log lines are collected in `lines`. */
export function startWorkerProcess(env: NodeJS.ProcessEnv): WorkerProcess {
  const child = spawn(process.execPath, [path.join(projectRoot(), 'dist', 'workers', 'main.js')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Array<Record<string, unknown>> = [];
  let buffered = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    const complete = buffered.split('\n');
    buffered = complete.pop() ?? '';
    for (const line of complete) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
  });
  child.stderr?.resume();
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, lines, exited };
}

/** Kills (SIGKILL) the worker processes still running and waits until every one has exited. */
export async function killWorkerProcesses(workers: readonly WorkerProcess[]): Promise<void> {
  for (const worker of workers) if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
  await Promise.all(workers.map((worker) => worker.exited));
}
