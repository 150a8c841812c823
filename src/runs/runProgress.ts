/** The NOTIFY channels of run execution; every server instance LISTENs on them. */
export const RUN_PROGRESS_CHANNEL = 'qdgs_run_progress';
export const RUN_CANCEL_CHANNEL = 'qdgs_run_cancel';
/** Sent when a run is enqueued, so idle workers fetch it now instead of at their next poll. */
export const RUN_QUEUED_CHANNEL = 'qdgs_run_queued';

export type RunStatusName = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
export const TERMINAL_STATUSES: readonly RunStatusName[] = ['SUCCEEDED', 'FAILED', 'CANCELLED'];

/** One progress event of a run, as published after each flush (and on every status change). */
export interface RunProgressEvent {
  runId: string;
  status: RunStatusName;
  iteration: number;
  iterations: number;
  evaluations: number;
  qdScore: number;
  normQdScore: number;
  coverage: number;
  numElites: number;
  objMax: number | null;
  objMean: number | null;
  evalsPerSecond: number;
  elapsedMs: number;
  error: string | null;
}
