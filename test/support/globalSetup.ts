import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from '../../src/db/embeddedPostgres';

/** One PostgreSQL server for the whole test run; every suite makes its own database on it. */
export default async function globalSetup(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'qdgs-test-'));
  fs.chmodSync(dataDir, 0o777);
  const server = await startEmbeddedPostgres(dataDir);
  process.env.QDGS_TEST_POSTGRES_URL = server.url;
  (globalThis as Record<string, unknown>).__qdgsTestPostgres = { server, dataDir };
}
