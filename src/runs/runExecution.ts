import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type pg from 'pg';
import { projectRoot } from '../projectRoot';
import { persistFlush } from './flushStore';
import { recordExecutionDevice, type ClaimedRun, type StoredCheckpoint } from './runStore';
import { ControlSlot, StopReason, createControlBuffer, type RunFlush, type RunThreadInput, type RunThreadMessage } from './runThreadProtocol';

/** How one execution of a run ended. */
export type RunOutcome =
  | { kind: 'completed' }
  | { kind: 'cancelled' }
  | { kind: 'released' }
  | { kind: 'failed'; error: string }
  /** Another attempt claimed the run meanwhile; this one wrote nothing after that. */
  | { kind: 'lost' };

export interface RunFlushInfo {
  runId: string;
  /** Archive cells written (changed elites plus threshold-only changes). */
  cells: number;
  /** Time to persist the flush. */
  ms: number;
  /** Evaluations done since the previous flush of this execution (or since the checkpoint it resumed from). */
  evaluations: number;
}

export interface RunExecutionOptions {
  pool: pg.Pool;
  run: ClaimedRun;
  checkpoint?: StoredCheckpoint;
  /** The models root of generative runs' bundle paths. */
  modelsDir: string;
  onFlush?: (info: RunFlushInfo) => void;
}

/**
 * Worker threads cannot run TypeScript, and jest does not transform worker entries: the thread
 * always runs the build output (`npm run build`).
 */
export function runThreadPath(): string {
  return path.join(projectRoot(), 'dist', 'workers', 'runThread.js');
}

export function assertRunThreadBuilt(): void {
  const entry = runThreadPath();
  if (!fs.existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` before executing runs`);
}

/**
 * The host side of one run's worker thread: persists its flushes one at a time (acknowledging
 * each, which lets the thread post the next), forwards stop requests, and settles `outcome`
 * once the thread has exited. `outcome` rejects when persisting failed (the database), so the
 * caller can hand the run back for a retry.
 */
export class RunExecution {
  readonly outcome: Promise<RunOutcome>;
  readonly runId: string;
  private readonly control: Int32Array;
  private readonly thread: Worker;
  private acknowledged = 0;
  private lastFlushedIteration: number;
  /** Messages are handled strictly in order; each link waits for the previous one. */
  private handled: Promise<void> = Promise.resolve();
  private result: RunOutcome | undefined;
  private persistError: unknown;
  private abandoned = false;

  constructor(private readonly options: RunExecutionOptions) {
    const { run, checkpoint } = options;
    this.runId = run.id;
    this.lastFlushedIteration = checkpoint?.iteration ?? 0;
    const controlBuffer = createControlBuffer();
    this.control = new Int32Array(controlBuffer);
    const input: RunThreadInput = {
      runId: run.id,
      config: run.config,
      checkpoint: checkpoint?.state,
      elapsedMsBefore: checkpoint?.elapsedMs ?? 0,
      control: controlBuffer,
      modelsDir: options.modelsDir,
    };
    this.thread = new Worker(runThreadPath(), {
      workerData: input,
      transferList: checkpoint ? [checkpoint.state.buffer as ArrayBuffer] : [],
      name: `qdgs-run-${run.id}`,
    });
    this.outcome = new Promise<RunOutcome>((resolve, reject) => {
      this.thread.on('message', (message: RunThreadMessage) => {
        this.handled = this.handled.then(() => this.handle(message));
      });
      this.thread.on('error', (error) => {
        this.result ??= { kind: 'failed', error: `the run thread crashed: ${error.message}` };
      });
      this.thread.on('exit', (code) => {
        void this.handled.then(() => {
          if (this.persistError !== undefined) reject(this.persistError);
          else resolve(this.result ?? { kind: 'failed', error: `the run thread exited with code ${code} before reporting how the run ended` });
        });
      });
    });
  }

  /** Asks the thread to stop at its next iteration boundary; the first reason given wins. */
  stop(reason: 'cancel' | 'release'): void {
    const value = reason === 'cancel' ? StopReason.CANCEL : StopReason.RELEASE;
    Atomics.compareExchange(this.control, ControlSlot.STOP, StopReason.NONE, value);
  }

  /** Ends the thread at once (after `outcome` settled this only frees a thread that hangs). */
  async terminate(): Promise<void> {
    await this.thread.terminate();
  }

  private async handle(message: RunThreadMessage): Promise<void> {
    if (this.abandoned) return;
    switch (message.kind) {
      case 'started':
        try {
          await recordExecutionDevice(this.options.pool, this.options.run, message.executionProvider, message.deviceNote);
        } catch (error) {
          // Like a failed flush: the run goes back to the queue for a retry.
          this.persistError = error;
          this.abandon(undefined);
        }
        return;
      case 'flush':
        await this.persist(message.flush);
        return;
      case 'ended':
        this.result = { kind: message.end };
        return;
      case 'failed':
        this.result = { kind: 'failed', error: message.error };
        return;
    }
  }

  private async persist(flush: RunFlush): Promise<void> {
    const started = performance.now();
    try {
      const { persisted, cancelRequested } = await persistFlush(this.options.pool, this.options.run, flush);
      if (!persisted) {
        this.abandon({ kind: 'lost' });
        return;
      }
      if (cancelRequested) this.stop('cancel');
    } catch (error) {
      this.persistError = error;
      this.abandon(undefined);
      return;
    }
    this.acknowledged += 1;
    Atomics.store(this.control, ControlSlot.ACKNOWLEDGED, this.acknowledged);
    Atomics.notify(this.control, ControlSlot.ACKNOWLEDGED);
    // Every iteration costs the same number of evaluations, so the share since the last flush is exact.
    const evaluations = flush.iteration > 0 ? Math.round((flush.evaluations * (flush.iteration - this.lastFlushedIteration)) / flush.iteration) : 0;
    this.lastFlushedIteration = flush.iteration;
    this.options.onFlush?.({ runId: this.runId, cells: flush.delta.count + flush.delta.thresholdCells.length, ms: performance.now() - started, evaluations });
  }

  /** Nothing more of this thread can be written: end it without waiting for the next boundary. */
  private abandon(result: RunOutcome | undefined): void {
    this.abandoned = true;
    this.result = result;
    void this.thread.terminate();
  }
}
