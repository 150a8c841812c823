import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { projectRoot } from '../projectRoot';

export interface Migration {
  version: number;
  name: string;
  /** The file name without `.sql`, e.g. `0001_initial`. */
  id: string;
  sql: string;
  checksum: string;
}

export const MIGRATIONS_DIR = path.join(projectRoot(), 'migrations');

/** Any fixed 64-bit number works; it only has to be the same in every process of the platform. */
const MIGRATION_LOCK_KEY = 7_260_412_031;

export class MigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationError';
  }
}

/** Reads `NNNN_name.sql` files in version order. */
export function readMigrations(directory = MIGRATIONS_DIR): Migration[] {
  const migrations = fs
    .readdirSync(directory)
    .filter((file) => file.endsWith('.sql'))
    .map((file) => {
      const match = /^(\d+)_([\w-]+)\.sql$/.exec(file);
      if (!match) throw new MigrationError(`migration file "${file}" must be named NNNN_name.sql`);
      const sql = fs.readFileSync(path.join(directory, file), 'utf8');
      return { version: Number(match[1]), name: match[2], id: file.slice(0, -4), sql, checksum: createHash('sha256').update(sql).digest('hex') };
    })
    .sort((a, b) => a.version - b.version);
  for (let i = 1; i < migrations.length; i++) {
    if (migrations[i].version === migrations[i - 1].version) throw new MigrationError(`two migrations have version ${migrations[i].version}`);
  }
  return migrations;
}

/**
 * Applies pending migrations, each in its own transaction, while holding a session advisory
 * lock so that several processes starting at once apply each migration exactly once. An
 * applied migration whose file has changed since is an error: history is never rewritten.
 */
export async function applyMigrations(pool: pg.Pool, migrations = readMigrations()): Promise<Migration[]> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS "_qdgs_migration" (
      "version" INTEGER PRIMARY KEY, "name" TEXT NOT NULL, "checksum" TEXT NOT NULL,
      "applied_at" TIMESTAMPTZ NOT NULL DEFAULT now())`);
    const { rows } = await client.query<{ version: number; name: string; checksum: string }>('SELECT version, name, checksum FROM "_qdgs_migration"');
    const applied = new Map(rows.map((row) => [row.version, row]));
    const pending: Migration[] = [];
    for (const migration of migrations) {
      const done = applied.get(migration.version);
      if (!done) pending.push(migration);
      else if (done.checksum !== migration.checksum) {
        throw new MigrationError(`migration ${migration.id} was changed after it was applied; add a new migration instead`);
      }
    }
    for (const migration of pending) {
      await client.query('BEGIN');
      try {
        await client.query(migration.sql);
        await client.query('INSERT INTO "_qdgs_migration" (version, name, checksum) VALUES ($1, $2, $3)', [migration.version, migration.name, migration.checksum]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new MigrationError(`migration ${migration.id} failed: ${(error as Error).message}`);
      }
    }
    return pending;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => {});
    client.release();
  }
}
