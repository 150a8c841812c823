import 'reflect-metadata';
import os from 'node:os';
import type PgBoss from 'pg-boss';
import { ensureAdminAccount } from '../auth/apiKeys';
import type { PlatformConfig } from '../config';
import { openDatabase, type OpenedDatabase } from '../db/database';
import { NotificationHub } from '../db/notifications';
import type { PlatformServices } from '../graphql/context';
import { ProjectService } from '../projects/projectService';
import { RunProgressFeed } from '../runs/runProgressFeed';
import { startRunQueue } from '../runs/runQueue';
import { RunService } from '../runs/runService';
import { livenessFor, RunWorkerPool } from '../runs/runWorkerPool';
import { createHttpServer, type PlatformHttpServer } from './app';
import type { Logger } from './logger';
import { PlatformMetrics } from './metrics';

export interface RunningPlatform {
  url: string;
  port: number;
  database: OpenedDatabase;
  boss: PgBoss;
  /** The admin key, only on the first start against an empty database. */
  adminKey?: string;
  /** Graceful shutdown: stop taking requests, release running jobs after their current flush, close the database. */
  stop(): Promise<void>;
}

/**
 * The composition root of a server process: database (embedded when no DATABASE_URL), admin
 * account, job queue, LISTEN/NOTIFY hub, run worker pool and the HTTP/WebSocket server.
 */
export async function startPlatform(config: PlatformConfig, logger: Logger): Promise<RunningPlatform> {
  const started = Date.now();
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 20, applicationName: 'qdgs-server' });
  const cleanups: Array<() => Promise<void>> = [() => database.close()];
  const stopAll = async () => {
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((error) => logger.error({ err: error }, 'error during shutdown'));
    }
  };
  try {
    if (database.embedded) logger.info({ dataDir: config.dataDir, clusterDir: database.embedded.clusterDir, port: database.embedded.port }, 'embedded PostgreSQL started');
    const adminKey = await ensureAdminAccount(database.prisma);
    const boss = await startRunQueue(database.url);
    cleanups.push(() => boss.stop({ graceful: true, wait: true, timeout: 30_000 }));
    const hub = new NotificationHub(database.url);
    await hub.start();
    cleanups.push(() => hub.close());
    const progressFeed = new RunProgressFeed(hub);
    await progressFeed.start();
    cleanups.push(() => progressFeed.stop());
    const metrics = new PlatformMetrics(database);
    const pool = new RunWorkerPool({
      database,
      boss,
      hub,
      size: config.workerPoolSize,
      workerId: `${os.hostname()}:${process.pid}`,
      logger,
      onFlush: (info) => metrics.recordFlush(info),
      liveness: livenessFor(config.runStaleAfterMs),
    });
    await pool.start();
    cleanups.push(() => pool.stop({ release: true }));
    const services: PlatformServices = { database, projects: new ProjectService(database.prisma), runs: new RunService(database, boss), progressFeed };
    const server: PlatformHttpServer = await createHttpServer({
      services,
      logger,
      metrics,
      isReady: async () => {
        await database.pool.query('SELECT 1');
        return true;
      },
    });
    const port = await server.listen(config.port, config.host);
    cleanups.push(() => server.close());
    const url = `http://localhost:${port}/graphql`;
    logger.info({ url, workers: config.workerPoolSize, startupMs: Date.now() - started }, 'QDGS server ready');
    return { url, port, database, boss, adminKey, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
