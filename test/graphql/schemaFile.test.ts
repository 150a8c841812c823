import fs from 'node:fs';
import { printSchemaFile } from '../../src/graphql/printSchemaFile';
import { SCHEMA_FILE } from '../../src/graphql/schema';

describe('schema/schema.graphql', () => {
  it('is what the code emits (run `npm run schema:emit` after changing the API)', async () => {
    const emitted = await printSchemaFile();
    const checkedIn = fs.readFileSync(SCHEMA_FILE, 'utf8');
    expect(checkedIn).toBe(emitted);
  });

  it('holds the root fields users rely on', async () => {
    const sdl = await printSchemaFile();
    for (const field of ['projects(', 'project(id: ID!)', 'run(id: ID!)', 'createProject(', 'createPromptSet(', 'startRun(', 'cancelRun(id: ID!)', 'runProgress(runId: ID!)', 'compareBalance(']) {
      expect(sdl).toContain(field);
    }
  });
});
