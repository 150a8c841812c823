import PgBoss from 'pg-boss';

/** The pg-boss queue that carries runs from `startRun` to whichever worker process claims them. */
export const RUN_QUEUE = 'qdgs-run';

export interface RunJob {
  runId: string;
}

/** A run must finish (or be released) within this window, else pg-boss hands it to another worker. */
const RUN_EXPIRY_HOURS = 23;

export interface RunQueueOptions {
  /** How often an idle worker polls for a new job (pg-boss allows >= 0.5 s). */
  pollingIntervalSeconds?: number;
  /** Maintenance (expiry, retention) only needs to run in one kind of process; the server and workers all may. */
  supervise?: boolean;
}

export async function startRunQueue(databaseUrl: string, options: RunQueueOptions = {}): Promise<PgBoss> {
  const boss = new PgBoss({
    connectionString: databaseUrl,
    max: 4,
    application_name: 'qdgs-queue',
    supervise: options.supervise ?? true,
    schedule: false,
  });
  boss.on('error', () => {}); // transient connection errors; pg-boss retries by itself
  await boss.start();
  await boss.createQueue(RUN_QUEUE, { name: RUN_QUEUE, policy: 'standard', retryLimit: 5, retryDelay: 1, expireInHours: RUN_EXPIRY_HOURS });
  return boss;
}

/**
 * Enqueues a run. Pass `db` to insert the job inside the caller's transaction, so that a run
 * row and its job are written together or not at all.
 */
export async function enqueueRun(boss: PgBoss, runId: string, db?: PgBoss.Db): Promise<string> {
  const id = await boss.send(RUN_QUEUE, { runId } satisfies RunJob, { db, expireInHours: RUN_EXPIRY_HOURS });
  if (!id) throw new Error(`the queue refused run ${runId}`);
  return id;
}
