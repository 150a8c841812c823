import { createScheduler } from '../qd/algorithms';
import type { Scheduler, SchedulerState } from '../qd/schedulers/scheduler';
import { ArchiveDeltaTracker } from './archiveDeltaTracker';
import { algorithmConfigOf } from './runConfig';
import { openRunDomain, type OpenedRunDomain } from './runDomain';
import { noTimeSpent, runIterations, type RunTimeSpent } from './runIterations';
import { ControlSlot, StopReason, type RunFlush, type RunLoopEnd, type RunThreadInput, type RunThreadMessage } from './runThreadProtocol';

export type PostRunMessage = (message: RunThreadMessage) => void;

/**
 * The body of a run thread: opens the domain (loading models for generative runs), builds the
 * scheduler (from the checkpoint when there is one), runs the remaining iterations and posts
 * flushes, then how the loop ended. The host talks to it only through `input.control`.
 */
export async function executeRunLoop(input: RunThreadInput, post: PostRunMessage): Promise<void> {
  const control = new Int32Array(input.control);
  let flusher: RunFlusher | undefined;
  let opened: OpenedRunDomain | undefined;
  try {
    opened = await openRunDomain(input.config, input.modelsDir);
    if (opened.executionProvider) post({ kind: 'started', executionProvider: opened.executionProvider, deviceNote: opened.deviceNote ?? null });
    const x0 = input.checkpoint ? undefined : await opened.initialSolution();
    const scheduler = createScheduler({ ...algorithmConfigOf(input.config), ...(x0 ? { x0 } : {}) });
    if (input.checkpoint) scheduler.restore(JSON.parse(new TextDecoder().decode(input.checkpoint)) as SchedulerState);
    opened.resumeAt(scheduler.iteration);
    const spent = noTimeSpent();
    const running = new RunFlusher(scheduler, opened, spent, input, control, post);
    flusher = running;
    const stopReason = () => Atomics.load(control, ControlSlot.STOP);
    // The iteration boundary: the only place where the run flushes and obeys a stop request.
    const atBoundary = () => {
      running.flushIfDue();
      return stopReason() !== StopReason.NONE;
    };
    await runIterations(scheduler, opened.domain, Math.max(0, input.config.iterations - scheduler.iteration), atBoundary, spent);
    const end: RunLoopEnd =
      scheduler.iteration >= input.config.iterations ? 'completed' : stopReason() === StopReason.RELEASE ? 'released' : 'cancelled';
    flusher.flush({ final: true, checkpoint: end === 'released' });
    post({ kind: 'ended', end });
  } catch (error) {
    try {
      flusher?.flush({ final: true, checkpoint: false });
    } catch {
      // The original error is the one worth reporting.
    }
    post({ kind: 'failed', error: error instanceof Error ? error.message : String(error) });
  } finally {
    await opened?.dispose().catch(() => {});
  }
}

/** Turns the scheduler's state into flushes at the configured pace, one unacknowledged at a time. */
class RunFlusher {
  private readonly tracker: ArchiveDeltaTracker;
  private readonly startedAt = performance.now();
  private readonly startIteration: number;
  private readonly startEvaluations: number;
  private lastFlushAt = this.startedAt;
  private lastCheckpointAt = this.startedAt;
  private posted = 0;
  /** Time spent up to the previous flush, to post only what each flush adds. */
  private reported = noTimeSpent();

  constructor(
    private readonly scheduler: Scheduler,
    private readonly opened: OpenedRunDomain,
    private readonly spent: RunTimeSpent,
    private readonly input: RunThreadInput,
    private readonly control: Int32Array,
    private readonly post: PostRunMessage,
  ) {
    this.tracker = new ArchiveDeltaTracker(scheduler);
    this.startIteration = scheduler.iteration;
    this.startEvaluations = opened.evaluationsAt(scheduler, scheduler.iteration);
  }

  flushIfDue(): void {
    if (performance.now() - this.lastFlushAt >= this.input.config.flushIntervalMs) this.flush({ final: false, checkpoint: false });
  }

  /** `checkpoint: true` forces one; otherwise one is added when checkpointIntervalMs has passed. */
  flush(options: { final: boolean; checkpoint: boolean }): void {
    const started = performance.now();
    this.waitForAcknowledgement();
    const now = performance.now();
    const seconds = (now - this.startedAt) / 1000;
    const iteration = this.scheduler.iteration;
    const evaluations = this.opened.evaluationsAt(this.scheduler, iteration);
    const withCheckpoint = options.checkpoint || (!options.final && now - this.lastCheckpointAt >= this.input.config.checkpointIntervalMs);
    const flush: RunFlush = {
      iteration,
      evaluations,
      elapsedMs: this.input.elapsedMsBefore + (now - this.startedAt),
      evalsPerSecond: seconds > 0 ? (evaluations - this.startEvaluations) / seconds : 0,
      stats: this.scheduler.stats(),
      delta: this.tracker.take(),
      final: options.final,
      timeSpent: noTimeSpent(),
    };
    if (withCheckpoint) {
      flush.checkpoint = new TextEncoder().encode(JSON.stringify(this.scheduler.serialize()));
      this.lastCheckpointAt = now;
    }
    this.spent.database += (performance.now() - started) / 1000;
    for (const key of ['models', 'optimizer', 'database'] as const) {
      flush.timeSpent[key] = this.spent[key] - this.reported[key];
      this.reported[key] = this.spent[key];
    }
    this.post({ kind: 'flush', flush });
    this.posted += 1;
    this.lastFlushAt = performance.now();
  }

  /** Blocks while the previous flush is unacknowledged, so a slow database slows the run instead of filling memory. */
  private waitForAcknowledgement(): void {
    for (;;) {
      const acknowledged = Atomics.load(this.control, ControlSlot.ACKNOWLEDGED);
      if (acknowledged >= this.posted) return;
      Atomics.wait(this.control, ControlSlot.ACKNOWLEDGED, acknowledged);
    }
  }
}
