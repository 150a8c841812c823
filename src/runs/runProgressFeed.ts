import type { NotificationHub } from '../db/notifications';
import { RUN_PROGRESS_CHANNEL, TERMINAL_STATUSES, type RunProgressEvent } from './runProgress';

/** How many undelivered events a slow subscriber may hold; older progress is dropped first. */
const MAX_BUFFERED_EVENTS = 256;

/**
 * Fans the progress NOTIFYs of all runs out to per-run subscribers of this process. One LISTEN
 * serves every subscription; progress events are snapshots, so a subscriber that falls behind
 * loses intermediate ones (never the final status).
 */
export class RunProgressFeed {
  private readonly subscribers = new Map<string, Set<(event: RunProgressEvent) => void>>();
  private stopListening: (() => Promise<void>) | undefined;

  constructor(private readonly hub: NotificationHub) {}

  async start(): Promise<void> {
    this.stopListening = await this.hub.listen(RUN_PROGRESS_CHANNEL, (payload) => {
      let event: RunProgressEvent;
      try {
        event = JSON.parse(payload) as RunProgressEvent;
      } catch {
        return;
      }
      for (const deliver of this.subscribers.get(event.runId) ?? []) deliver(event);
    });
  }

  async stop(): Promise<void> {
    await this.stopListening?.();
    for (const set of this.subscribers.values()) for (const deliver of set) deliver(CLOSED);
    this.subscribers.clear();
  }

  /**
   * Events of one run, starting with `initial` (the current state read by the caller AFTER
   * subscribing, so nothing between the read and the subscription is lost), ending after the
   * first event with a terminal status.
   */
  subscribe(runId: string, readInitial: () => Promise<RunProgressEvent>): AsyncIterableIterator<RunProgressEvent> {
    const queue: RunProgressEvent[] = [];
    let wake: (() => void) | undefined;
    let done = false;
    const deliver = (event: RunProgressEvent) => {
      if (event === CLOSED) done = true;
      else {
        queue.push(event);
        if (queue.length > MAX_BUFFERED_EVENTS) queue.splice(0, queue.length - MAX_BUFFERED_EVENTS);
      }
      wake?.();
    };
    let set = this.subscribers.get(runId);
    if (!set) this.subscribers.set(runId, (set = new Set()));
    set.add(deliver);
    const unsubscribe = () => {
      done = true;
      set.delete(deliver);
      if (set.size === 0 && this.subscribers.get(runId) === set) this.subscribers.delete(runId);
      wake?.();
    };
    let initial: Promise<RunProgressEvent> | undefined = readInitial();
    let lastIteration = -1;
    const iterator: AsyncIterableIterator<RunProgressEvent> = {
      [Symbol.asyncIterator]() {
        return iterator;
      },
      async next() {
        if (initial) {
          const first = initial;
          initial = undefined;
          try {
            const event = await first;
            lastIteration = event.iteration;
            if (isTerminal(event)) unsubscribe();
            return { value: event, done: false };
          } catch (error) {
            unsubscribe();
            throw error;
          }
        }
        for (;;) {
          // Events older than the snapshot (queued before it was read) are dropped.
          while (queue.length && queue[0].iteration < lastIteration && !isTerminal(queue[0])) queue.shift();
          const event = queue.shift();
          if (event) {
            lastIteration = event.iteration;
            if (isTerminal(event)) unsubscribe();
            return { value: event, done: false };
          }
          if (done) return { value: undefined, done: true };
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
        }
      },
      async return() {
        unsubscribe();
        return { value: undefined, done: true };
      },
    };
    return iterator;
  }
}

const CLOSED = { runId: '' } as RunProgressEvent;

function isTerminal(event: RunProgressEvent): boolean {
  return TERMINAL_STATUSES.includes(event.status);
}
