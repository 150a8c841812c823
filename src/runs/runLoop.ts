import { createScheduler } from '../qd/algorithms';
import { runOnDomain } from '../qd/runOnDomain';
import type { Scheduler, SchedulerState } from '../qd/schedulers/scheduler';
import { ArchiveDeltaTracker } from './archiveDeltaTracker';
import { algorithmConfigOf, createRunDomain } from './runConfig';
import { ControlSlot, StopReason, type RunFlush, type RunLoopEnd, type RunThreadInput, type RunThreadMessage } from './runThreadProtocol';

export type PostRunMessage = (message: RunThreadMessage) => void;

/**
 * The body of a run thread: builds the scheduler (from the checkpoint when there is one) and
 * the domain, runs the remaining iterations and posts flushes, then how the loop ended.
 * Synchronous from start to end; the host talks to it only through `input.control`.
 */
export function executeRunLoop(input: RunThreadInput, post: PostRunMessage): void {
  const control = new Int32Array(input.control);
  let flusher: RunFlusher | undefined;
  try {
    const scheduler = createScheduler(algorithmConfigOf(input.config));
    if (input.checkpoint) scheduler.restore(JSON.parse(new TextDecoder().decode(input.checkpoint)) as SchedulerState);
    const domain = createRunDomain(input.config);
    const running = new RunFlusher(scheduler, input, control, post);
    flusher = running;
    const stopReason = () => Atomics.load(control, ControlSlot.STOP);
    runOnDomain(scheduler, domain, Math.max(0, input.config.iterations - scheduler.iteration), {
      // The iteration boundary: the only place where the run flushes and obeys a stop request.
      shouldStop: () => {
        running.flushIfDue();
        return stopReason() !== StopReason.NONE;
      },
    });
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
  }
}

/** Turns the scheduler's state into flushes at the configured pace, one unacknowledged at a time. */
class RunFlusher {
  private readonly tracker: ArchiveDeltaTracker;
  private readonly evaluationsPerIteration: number;
  private readonly startedAt = performance.now();
  private readonly startIteration: number;
  private lastFlushAt = this.startedAt;
  private lastCheckpointAt = this.startedAt;
  private posted = 0;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly input: RunThreadInput,
    private readonly control: Int32Array,
    private readonly post: PostRunMessage,
  ) {
    this.tracker = new ArchiveDeltaTracker(scheduler);
    this.evaluationsPerIteration = scheduler.batchSize + scheduler.dqdBatchSize;
    this.startIteration = scheduler.iteration;
  }

  flushIfDue(): void {
    if (performance.now() - this.lastFlushAt >= this.input.config.flushIntervalMs) this.flush({ final: false, checkpoint: false });
  }

  /** `checkpoint: true` forces one; otherwise one is added when checkpointIntervalMs has passed. */
  flush(options: { final: boolean; checkpoint: boolean }): void {
    this.waitForAcknowledgement();
    const now = performance.now();
    const seconds = (now - this.startedAt) / 1000;
    const iteration = this.scheduler.iteration;
    const withCheckpoint = options.checkpoint || (!options.final && now - this.lastCheckpointAt >= this.input.config.checkpointIntervalMs);
    const flush: RunFlush = {
      iteration,
      evaluations: iteration * this.evaluationsPerIteration,
      elapsedMs: this.input.elapsedMsBefore + (now - this.startedAt),
      evalsPerSecond: seconds > 0 ? ((iteration - this.startIteration) * this.evaluationsPerIteration) / seconds : 0,
      stats: this.scheduler.stats(),
      delta: this.tracker.take(),
      final: options.final,
    };
    if (withCheckpoint) {
      flush.checkpoint = new TextEncoder().encode(JSON.stringify(this.scheduler.serialize()));
      this.lastCheckpointAt = now;
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
