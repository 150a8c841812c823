-- Liveness of running runs: the worker holding a run refreshes heartbeat_at (every flush and on a
-- timer); a RUNNING run whose heartbeat is stale lost its worker and is queued again.
ALTER TABLE "run" ADD COLUMN "heartbeat_at" TIMESTAMPTZ(3);
