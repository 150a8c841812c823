import fs from 'node:fs';
import type { EmbeddedDatabase } from '../../src/db/embeddedPostgres';

export default async function globalTeardown(): Promise<void> {
  const state = (globalThis as Record<string, unknown>).__qdgsTestPostgres as { server: EmbeddedDatabase; dataDir: string } | undefined;
  if (!state) return;
  await state.server.stop();
  fs.rmSync(state.dataDir, { recursive: true, force: true });
}
