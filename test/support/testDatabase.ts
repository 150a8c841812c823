import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { connect, ensureDatabase, type Database } from '../../src/db/database';
import { applyMigrations } from '../../src/db/migrations';

export function testServerUrl(): string {
  const url = process.env.QDGS_TEST_POSTGRES_URL;
  if (!url) throw new Error('QDGS_TEST_POSTGRES_URL is not set: run the tests through jest (test/support/globalSetup.ts)');
  return url;
}

/** A fresh, empty database on the test server (no migrations applied). Returns its URL. */
export async function createEmptyDatabase(): Promise<{ url: string; name: string }> {
  const name = `test_${randomUUID().replace(/-/g, '')}`;
  return { url: await ensureDatabase(testServerUrl(), name), name };
}

/** A fresh database with every migration applied, connected. `drop()` closes and removes it. */
export async function createTestDatabase(): Promise<Database & { name: string; drop(): Promise<void> }> {
  const { url, name } = await createEmptyDatabase();
  const database = connect(url);
  await applyMigrations(database.pool);
  return {
    ...database,
    name,
    async drop() {
      await database.close();
      await dropDatabase(name);
    },
  };
}

export async function dropDatabase(name: string): Promise<void> {
  const client = new pg.Client({ connectionString: testServerUrl() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
