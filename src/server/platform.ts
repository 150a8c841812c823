import 'reflect-metadata';
import os from 'node:os';
import type PgBoss from 'pg-boss';
import { ensureAdminAccount } from '../auth/apiKeys';
import type { PlatformConfig } from '../config';
import { openDatabase, type OpenedDatabase } from '../db/database';
import { NotificationHub } from '../db/notifications';
import type { PlatformServices } from '../graphql/context';
import { ModelService } from '../modelRegistry/modelService';
import { SampleImageService } from '../images/sampleImageService';
import { ProjectService } from '../projects/projectService';
import { RunProgressFeed } from '../runs/runProgressFeed';
import { startRunQueue } from '../runs/runQueue';
import { RunService } from '../runs/runService';
import { livenessFor, RunWorkerPool } from '../runs/runWorkerPool';
import { createHttpServer, type PlatformHttpServer } from './app';
import { createDemoContent } from './demoContent';
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
    const projects = new ProjectService(database.prisma);
    const models = new ModelService(database.prisma, config.modelsDir);
    // First start against an empty database: give the new admin something to run.
    if (adminKey && config.demoContent) await createDemoContent({ prisma: database.prisma, projects, models, logger }, adminKey);
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
      modelsDir: config.modelsDir,
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
    const images = new SampleImageService(database, { modelsRoot: config.modelsDir });
    cleanups.push(() => images.close()); // after the HTTP server has stopped (cleanups run in reverse)
    const services: PlatformServices = { database, projects, models, runs: new RunService(database, boss, config.modelsDir), progressFeed, images };
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
