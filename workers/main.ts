import os from 'node:os';
import { loadConfig, type PlatformConfig } from '../src/config';
import { connect } from '../src/db/database';
import { applyMigrations } from '../src/db/migrations';
import { NotificationHub } from '../src/db/notifications';
import { startRunQueue } from '../src/runs/runQueue';
import { livenessFor, RunWorkerPool } from '../src/runs/runWorkerPool';
import { createLogger } from '../src/server/logger';

/**
 * `npm run worker`: a process that only executes runs, next to one or more servers on the same
 * database. It needs DATABASE_URL: the embedded PostgreSQL listens on localhost only and belongs
 * to the server that started it, so scaling out means an external PostgreSQL.
 */
async function main(): Promise<void> {
  let config: PlatformConfig;
  let logger = createLogger('info', 'qdgs-worker');
  try {
    config = loadConfig();
    logger = createLogger(config.logLevel, 'qdgs-worker');
  } catch (error) {
    logger.error({ error: (error as Error).message }, 'invalid configuration');
    process.exit(2);
  }
  const url = config.databaseUrl;
  if (!url) {
    logger.error({}, 'DATABASE_URL is not set: a worker process needs the PostgreSQL URL of the server(s) it works for');
    process.exit(2);
  }

  const workerId = `${os.hostname()}:${process.pid}`;
  const database = connect(url, { applicationName: 'qdgs-worker' });
  await applyMigrations(database.pool);
  const boss = await startRunQueue(url);
  const hub = new NotificationHub(url);
  await hub.start();
  const pool = new RunWorkerPool({ database, boss, hub, modelsDir: config.modelsDir, size: config.workerPoolSize, workerId, logger, liveness: livenessFor(config.runStaleAfterMs) });
  await pool.start();
  logger.info({ workerId, threads: config.workerPoolSize }, 'worker started');

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ workerId, signal }, 'worker stopping');
    try {
      await pool.stop({ release: true });
      await boss.stop({ graceful: true, wait: true });
      await hub.close();
      await database.close();
      logger.info({ workerId }, 'worker stopped');
      process.exit(0);
    } catch (error) {
      logger.error({ workerId, error: (error as Error).message }, 'worker stopped with an error');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  createLogger('info', 'qdgs-worker').error({ error: error instanceof Error ? error.message : String(error) }, 'worker failed to start');
  process.exit(1);
});
