import type pg from 'pg';
import { notify, type Queryable } from '../db/notifications';
import type { RunConfig } from './runConfig';
import { RUN_CANCEL_CHANNEL, RUN_PROGRESS_CHANNEL, type RunProgressEvent, type RunStatusName } from './runProgress';
import { inTransaction } from './transaction';

/**
 * The SQL of a run's lifecycle as seen by a worker: claim, load the checkpoint, finish or
 * release. Every status change publishes a progress event in the same transaction.
 */

/** A run this worker holds. `attempt` fences its writes: a later claim makes them no-ops. */
export interface ClaimedRun {
  id: string;
  attempt: number;
  config: RunConfig;
}

export type ClaimResult =
  | { claimed: true; run: ClaimedRun }
  /** Nothing to execute: the run ended (possibly just now, when a cancel was pending) or does not exist. */
  | { claimed: false; status: RunStatusName | 'MISSING' };

export interface StoredCheckpoint {
  iteration: number;
  state: Uint8Array;
  /** Wall time the run had spent when the checkpoint was taken (its latest metric up to then). */
  elapsedMs: number;
}

interface RunEventRow {
  id: string;
  status: RunStatusName;
  iteration: number;
  iterations: number;
  evaluations: number;
  qd_score: number;
  norm_qd_score: number;
  coverage: number;
  num_elites: number;
  obj_max: number | null;
  obj_mean: number | null;
  error: string | null;
  evals_per_second: number | null;
  elapsed_ms: number | null;
}

const LATEST_METRIC = 'FROM run_metric m WHERE m.run_id = run.id ORDER BY m.iteration DESC LIMIT 1';
const EVENT_COLUMNS = `id, status, iteration, iterations, evaluations, qd_score, norm_qd_score, coverage, num_elites, obj_max, obj_mean, error,
  (SELECT m.evals_per_second ${LATEST_METRIC}) AS evals_per_second,
  (SELECT m.elapsed_ms ${LATEST_METRIC}) AS elapsed_ms`;

/** SQL condition: the run's heartbeat is older than `param` milliseconds (or was never set). */
const STALE_HEARTBEAT = (param: string) => `COALESCE(heartbeat_at, '-infinity') < now() - make_interval(secs => ${param}::float8 / 1000)`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function publishRunProgress(db: Queryable, event: RunProgressEvent): Promise<void> {
  await notify(db, RUN_PROGRESS_CHANNEL, JSON.stringify(event));
}

function progressEventOf(row: RunEventRow): RunProgressEvent {
  return {
    runId: row.id,
    status: row.status,
    iteration: row.iteration,
    iterations: row.iterations,
    evaluations: row.evaluations,
    qdScore: row.qd_score,
    normQdScore: row.norm_qd_score,
    coverage: row.coverage,
    numElites: row.num_elites,
    objMax: row.obj_max,
    objMean: row.obj_mean,
    evalsPerSecond: row.evals_per_second ?? 0,
    elapsedMs: row.elapsed_ms ?? 0,
    error: row.error,
  };
}

/** Runs an UPDATE ... RETURNING EVENT_COLUMNS and publishes the event of the row it changed. */
async function updateAndPublish(client: pg.PoolClient, sql: string, values: unknown[]): Promise<RunEventRow | undefined> {
  const { rows } = await client.query<RunEventRow>(sql, values);
  if (rows[0]) await publishRunProgress(client, progressEventOf(rows[0]));
  return rows[0];
}

/**
 * Takes a QUEUED run, or a RUNNING one whose worker died (pg-boss hands its job out again).
 * A run with a pending cancel becomes CANCELLED instead.
 */
export async function claimRun(pool: pg.Pool, runId: string, workerId: string, staleAfterMs: number): Promise<ClaimResult> {
  if (!UUID.test(runId)) return { claimed: false, status: 'MISSING' };
  return inTransaction(pool, async (client) => {
    // A RUNNING run whose worker is alive (fresh heartbeat) is not taken: this job is a duplicate.
    const claimed = await client.query<RunEventRow & { config: RunConfig; attempts: number }>(
      `UPDATE run SET status = 'RUNNING', worker_id = $2, attempts = attempts + 1, started_at = COALESCE(started_at, now()), heartbeat_at = now()
        WHERE id = $1 AND NOT cancel_requested
          AND (status = 'QUEUED' OR (status = 'RUNNING' AND ${STALE_HEARTBEAT('$3')}))
        RETURNING ${EVENT_COLUMNS}, config, attempts`,
      [runId, workerId, staleAfterMs],
    );
    const row = claimed.rows[0];
    if (row) {
      await publishRunProgress(client, progressEventOf(row));
      return { claimed: true, run: { id: row.id, attempt: row.attempts, config: row.config } };
    }
    const cancelled = await updateAndPublish(
      client,
      `UPDATE run SET status = 'CANCELLED', finished_at = now()
        WHERE id = $1 AND status IN ('QUEUED', 'RUNNING') AND cancel_requested
        RETURNING ${EVENT_COLUMNS}`,
      [runId],
    );
    if (cancelled) return { claimed: false, status: 'CANCELLED' };
    const { rows } = await client.query<{ status: RunStatusName }>('SELECT status FROM run WHERE id = $1', [runId]);
    return { claimed: false, status: rows[0]?.status ?? 'MISSING' };
  });
}

export async function loadCheckpoint(pool: pg.Pool, runId: string): Promise<StoredCheckpoint | undefined> {
  const { rows } = await pool.query<{ iteration: number; state: Buffer; elapsed_ms: number | null }>(
    `SELECT c.iteration, c.state,
            (SELECT m.elapsed_ms FROM run_metric m WHERE m.run_id = c.run_id AND m.iteration <= c.iteration ORDER BY m.iteration DESC LIMIT 1) AS elapsed_ms
       FROM run_checkpoint c WHERE c.run_id = $1`,
    [runId],
  );
  const row = rows[0];
  if (!row) return undefined;
  // A copy with its own ArrayBuffer: pg may return a slice of a shared pool, which must not be transferred.
  return { iteration: row.iteration, state: new Uint8Array(row.state), elapsedMs: row.elapsed_ms ?? 0 };
}

/** Ends a run this worker holds; false when another attempt took it over meanwhile. */
export async function finishRun(pool: pg.Pool, run: ClaimedRun, status: 'SUCCEEDED' | 'FAILED' | 'CANCELLED', error: string | null = null): Promise<boolean> {
  const row = await inTransaction(pool, (client) =>
    updateAndPublish(
      client,
      `UPDATE run SET status = $3, error = $4, finished_at = now()
        WHERE id = $1 AND attempts = $2 AND status = 'RUNNING'
        RETURNING ${EVENT_COLUMNS}`,
      [run.id, run.attempt, status, error],
    ),
  );
  return row !== undefined;
}

/** Records what the run's models run on ('cpu' / 'cuda') and why a requested GPU was not used. */
export async function recordExecutionDevice(pool: pg.Pool, run: ClaimedRun, executionProvider: string, deviceNote: string | null): Promise<void> {
  await pool.query(`UPDATE run SET execution_provider = $3, device_note = $4 WHERE id = $1 AND attempts = $2`, [run.id, run.attempt, executionProvider, deviceNote]);
}

/** Hands a run back to the queue (its job is retried later, by any worker). */
export async function releaseRun(pool: pg.Pool, run: ClaimedRun): Promise<boolean> {
  const row = await inTransaction(pool, (client) =>
    updateAndPublish(
      client,
      `UPDATE run SET status = 'QUEUED'
        WHERE id = $1 AND attempts = $2 AND status = 'RUNNING'
        RETURNING ${EVENT_COLUMNS}`,
      [run.id, run.attempt],
    ),
  );
  return row !== undefined;
}

/** The run's current state as a progress event (what a new subscriber receives first). */
export async function readRunProgress(db: Queryable, runId: string): Promise<RunProgressEvent | undefined> {
  const { rows } = (await db.query(`SELECT ${EVENT_COLUMNS} FROM run WHERE id = $1`, [runId])) as { rows: RunEventRow[] };
  return rows[0] ? progressEventOf(rows[0]) : undefined;
}

/**
 * Cancels a QUEUED run at once (publishing its final event), or flags a RUNNING one and tells
 * its worker through RUN_CANCEL_CHANNEL; both in one transaction. Returns the resulting status,
 * or undefined when the run had already ended.
 */
export async function requestCancel(pool: pg.Pool, runId: string): Promise<'CANCELLED' | 'RUNNING' | undefined> {
  return inTransaction(pool, async (client) => {
    const cancelled = await updateAndPublish(
      client,
      `UPDATE run SET status = 'CANCELLED', finished_at = now(), cancel_requested = true
        WHERE id = $1 AND status = 'QUEUED'
        RETURNING ${EVENT_COLUMNS}`,
      [runId],
    );
    if (cancelled) return 'CANCELLED';
    const { rowCount } = await client.query(`UPDATE run SET cancel_requested = true WHERE id = $1 AND status = 'RUNNING'`, [runId]);
    if (!rowCount) return undefined;
    await notify(client, RUN_CANCEL_CHANNEL, runId);
    return 'RUNNING';
  });
}

/** Refreshes the heartbeat of runs this worker holds; returns the ids it no longer holds. */
export async function heartbeat(pool: pg.Pool, runs: readonly ClaimedRun[]): Promise<string[]> {
  if (runs.length === 0) return [];
  const { rows } = await pool.query<{ id: string }>(
    `UPDATE run r SET heartbeat_at = now()
       FROM unnest($1::uuid[], $2::int[]) AS h(id, attempt)
      WHERE r.id = h.id AND r.attempts = h.attempt AND r.status = 'RUNNING'
      RETURNING r.id`,
    [runs.map((run) => run.id), runs.map((run) => run.attempt)],
  );
  const held = new Set(rows.map((row) => row.id));
  return runs.filter((run) => !held.has(run.id)).map((run) => run.id);
}

/**
 * Queues again every RUNNING run whose heartbeat is stale (its worker died without releasing it)
 * with a fresh job, in one transaction; any worker then resumes it from its last checkpoint.
 * Concurrent reapers are safe: each run's UPDATE succeeds for one of them only.
 */
export async function requeueStaleRuns(pool: pg.Pool, staleAfterMs: number, enqueue: (runId: string, db: { executeSql(text: string, values: unknown[]): Promise<{ rows: unknown[] }> }) => Promise<unknown>): Promise<string[]> {
  return inTransaction(pool, async (client) => {
    const { rows } = await client.query<RunEventRow>(
      `UPDATE run SET status = 'QUEUED'
        WHERE id IN (SELECT id FROM run WHERE status = 'RUNNING' AND ${STALE_HEARTBEAT('$1')} FOR UPDATE SKIP LOCKED)
        RETURNING ${EVENT_COLUMNS}`,
      [staleAfterMs],
    );
    const db = { executeSql: async (text: string, values: unknown[]) => ({ rows: (await client.query(text, values)).rows }) };
    for (const row of rows) {
      await enqueue(row.id, db);
      await publishRunProgress(client, progressEventOf(row));
    }
    return rows.map((row) => row.id);
  });
}
