import { defaultModelsDir } from '../models/runtime/modelPaths';
import type PgBoss from 'pg-boss';
import type { Database } from '../db/database';
import type { NotificationHub } from '../db/notifications';
import { assertRunThreadBuilt, RunExecution, type RunFlushInfo, type RunOutcome } from './runExecution';
import { silentLogger, type RunLogger } from './runLogger';
import { RUN_CANCEL_CHANNEL, RUN_QUEUED_CHANNEL } from './runProgress';
import { enqueueRun, RUN_QUEUE, type RunJob } from './runQueue';
import { claimRun, finishRun, heartbeat, loadCheckpoint, releaseRun, requeueStaleRuns, type ClaimedRun } from './runStore';

export interface RunWorkerPoolOptions {
  database: Database;
  boss: PgBoss;
  hub: NotificationHub;
  /** Runs executed at once, one worker thread each (default 1; 0: this process executes no runs). */
  size?: number;
  /** Names this process in `run.worker_id`, e.g. `hostname:pid`. */
  workerId: string;
  logger?: RunLogger;
  /** Called after every persisted flush (for metrics). */
  onFlush?: (info: RunFlushInfo) => void;
  liveness?: Partial<RunLiveness>;
  /** The models root generative runs' bundle paths are relative to (default: the project's models/). */
  modelsDir?: string;
}

/** How workers notice each other's death (all processes of a deployment should agree). */
export interface RunLiveness {
  /** A RUNNING run whose heartbeat is older than this lost its worker and is queued again. */
  staleAfterMs: number;
  /** How often a worker refreshes the heartbeats of its runs (besides every flush). */
  heartbeatMs: number;
  /** How often a worker looks for runs with a stale heartbeat. */
  reapEveryMs: number;
}

export function livenessFor(staleAfterMs: number): RunLiveness {
  return { staleAfterMs, heartbeatMs: Math.max(50, Math.round(staleAfterMs / 6)), reapEveryMs: Math.max(50, Math.round(staleAfterMs / 4)) };
}

export const DEFAULT_LIVENESS = livenessFor(60_000);

/** Thrown from the job handler so that pg-boss retries the job later (a released run). */
export class RunReleasedError extends Error {
  constructor(runId: string, workerId: string) {
    super(`run ${runId} was released by worker ${workerId}; it is executed again later`);
    this.name = 'RunReleasedError';
  }
}

/** How long `stop` waits for pg-boss to record the retry of each released job. */
const RELEASED_JOB_WAIT_MS = 10_000;

/**
 * Executes queued runs: `size` pg-boss workers on RUN_QUEUE, each claiming one run at a time
 * and executing it on a worker thread (RunExecution). Cancels arrive by NOTIFY on
 * RUN_CANCEL_CHANNEL and through every flush's `cancel_requested`.
 */
export class RunWorkerPool {
  private readonly size: number;
  private readonly logger: RunLogger;
  private readonly executions = new Map<string, RunExecution>();
  private readonly claims = new Map<string, ClaimedRun>();
  private readonly liveness: RunLiveness;
  private timers: NodeJS.Timeout[] = [];
  private readonly handlers = new Set<Promise<void>>();
  private readonly releasedJobs = new Set<string>();
  private workerIds: string[] = [];
  private stopCancelListener: (() => Promise<void>) | undefined;
  private stopQueuedListener: (() => Promise<void>) | undefined;
  private state: 'created' | 'started' | 'stopping' | 'stopped' = 'created';
  private releasing = false;

  constructor(private readonly options: RunWorkerPoolOptions) {
    this.size = options.size ?? 1;
    if (!Number.isInteger(this.size) || this.size < 0) throw new Error(`the run worker pool size must be an integer >= 0; got ${options.size}`);
    this.logger = options.logger ?? silentLogger;
    this.liveness = { ...DEFAULT_LIVENESS, ...options.liveness };
    if (this.size > 0) assertRunThreadBuilt();
  }

  get workerId(): string {
    return this.options.workerId;
  }

  /** Runs executing in this process now. */
  get activeRunIds(): string[] {
    return [...this.executions.keys()];
  }

  async start(): Promise<void> {
    if (this.state !== 'created') throw new Error(`the run worker pool was already ${this.state}`);
    this.state = 'started';
    if (this.size === 0) return;
    const { boss, hub } = this.options;
    this.stopCancelListener = await hub.listen(RUN_CANCEL_CHANNEL, (runId) => this.executions.get(runId.trim())?.stop('cancel'));
    for (let slot = 0; slot < this.size; slot++) {
      const id = await boss.work<RunJob>(RUN_QUEUE, { batchSize: 1, pollingIntervalSeconds: 0.5, includeMetadata: true }, (jobs) => this.track(jobs));
      this.workerIds.push(id);
    }
    this.stopQueuedListener = await hub.listen(RUN_QUEUED_CHANNEL, () => {
      for (const id of this.workerIds) boss.notifyWorker(id);
    });
    this.timers.push(
      setInterval(() => void this.refreshHeartbeats(), this.liveness.heartbeatMs).unref(),
      setInterval(() => void this.requeueStaleRuns(), this.liveness.reapEveryMs).unref(),
    );
    void this.requeueStaleRuns();
  }

  /**
   * Stops taking runs. `release: true`: running runs stop at their next iteration boundary,
   * persist a final flush with a checkpoint and go back to the queue (any worker resumes them).
   * `release: false`: waits for the running runs to end. Call before stopping `boss`.
   */
  async stop(options: { release: boolean }): Promise<void> {
    if (this.state === 'stopping' || this.state === 'stopped') return;
    this.state = 'stopping';
    this.releasing = options.release;
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    for (const id of this.workerIds) await this.options.boss.offWork({ id });
    if (options.release) for (const execution of this.executions.values()) execution.stop('release');
    while (this.handlers.size > 0) await Promise.allSettled([...this.handlers]);
    await this.waitForReleasedJobs();
    await Promise.all([...this.executions.values()].map((execution) => execution.terminate()));
    await this.stopCancelListener?.();
    await this.stopQueuedListener?.();
    this.state = 'stopped';
  }

  private track(jobs: PgBoss.JobWithMetadata<RunJob>[]): Promise<void> {
    const handler = (async () => {
      for (const job of jobs) await this.execute(job);
    })();
    this.handlers.add(handler);
    const forget = () => this.handlers.delete(handler);
    handler.then(forget, forget);
    return handler;
  }

  private async execute(job: PgBoss.JobWithMetadata<RunJob>): Promise<void> {
    const { pool } = this.options.database;
    const runId = String(job.data?.runId ?? '');
    if (this.state !== 'started') return this.release(job, runId, undefined);
    const claim = await claimRun(pool, runId, this.workerId, this.liveness.staleAfterMs);
    if (!claim.claimed) {
      this.logger.info({ runId, status: claim.status, workerId: this.workerId }, 'run skipped');
      return;
    }
    const run = claim.run;
    this.logger.info({ runId, attempt: run.attempt, workerId: this.workerId }, 'run claimed');
    let outcome: RunOutcome;
    try {
      outcome = await this.executeThread(run);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.logger.error({ runId, workerId: this.workerId, error: message }, 'run interrupted');
      // The database failed under the run: hand it back if possible; pg-boss retries the job.
      await releaseRun(pool, run).catch(() => false);
      throw error;
    }
    switch (outcome.kind) {
      case 'completed':
        await finishRun(pool, run, 'SUCCEEDED');
        this.logger.info({ runId, workerId: this.workerId }, 'run succeeded');
        return;
      case 'cancelled':
        await finishRun(pool, run, 'CANCELLED');
        this.logger.info({ runId, workerId: this.workerId }, 'run cancelled');
        return;
      case 'failed':
        await finishRun(pool, run, 'FAILED', outcome.error);
        this.logger.warn({ runId, workerId: this.workerId, error: outcome.error }, 'run failed');
        return;
      case 'lost':
        this.logger.warn({ runId, workerId: this.workerId }, 'run taken over by another attempt');
        return;
      case 'released':
        return this.release(job, runId, run);
    }
  }

  private async executeThread(run: ClaimedRun): Promise<RunOutcome> {
    const checkpoint = await loadCheckpoint(this.options.database.pool, run.id);
    const execution = new RunExecution({ pool: this.options.database.pool, run, checkpoint, modelsDir: this.options.modelsDir ?? defaultModelsDir(), onFlush: this.options.onFlush });
    this.executions.set(run.id, execution);
    this.claims.set(run.id, run);
    // A stop that began while the run was being claimed did not see this execution.
    if (this.releasing) execution.stop('release');
    try {
      return await execution.outcome;
    } finally {
      if (this.executions.get(run.id) === execution) {
        this.executions.delete(run.id);
        this.claims.delete(run.id);
      }
    }
  }

  /**
   * Puts the run back in the queue. Throwing makes pg-boss retry the job after its retry delay;
   * a job without retries left is replaced by a fresh one instead, so releases never strand a run.
   */
  private async release(job: PgBoss.JobWithMetadata<RunJob>, runId: string, run: ClaimedRun | undefined): Promise<void> {
    if (run) await releaseRun(this.options.database.pool, run);
    this.logger.info({ runId, workerId: this.workerId, attempt: run?.attempt }, 'run released');
    if (job.retryCount >= job.retryLimit) {
      await enqueueRun(this.options.boss, runId);
      return;
    }
    this.releasedJobs.add(job.id);
    throw new RunReleasedError(runId, this.workerId);
  }

  private async refreshHeartbeats(): Promise<void> {
    try {
      const lost = await heartbeat(this.options.database.pool, [...this.claims.values()]);
      for (const runId of lost) this.logger.warn({ runId, workerId: this.workerId }, 'run no longer held by this worker');
    } catch (error) {
      this.logger.warn({ workerId: this.workerId, error: (error as Error).message }, 'heartbeat failed');
    }
  }

  private async requeueStaleRuns(): Promise<void> {
    if (this.state !== 'started') return;
    try {
      const requeued = await requeueStaleRuns(this.options.database.pool, this.liveness.staleAfterMs, (runId, db) => enqueueRun(this.options.boss, runId, db));
      for (const runId of requeued) this.logger.warn({ runId, workerId: this.workerId }, 'run of a dead worker queued again');
    } catch (error) {
      this.logger.warn({ workerId: this.workerId, error: (error as Error).message }, 'looking for runs of dead workers failed');
    }
  }

  /** pg-boss records a handler's failure without awaiting it; wait so that stopping `boss` next cannot lose it. */
  private async waitForReleasedJobs(): Promise<void> {
    const deadline = Date.now() + RELEASED_JOB_WAIT_MS;
    for (const id of this.releasedJobs) {
      while (Date.now() < deadline) {
        const job = await this.options.boss.getJobById(RUN_QUEUE, id).catch(() => null);
        if (!job || job.state !== 'active') break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    this.releasedJobs.clear();
  }
}
