import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { loadConfig } from '../../src/config';
import { projectRoot } from '../../src/projectRoot';
import { DEMO_CONTENT } from '../../src/server/demoContent';
import { startPlatform, type RunningPlatform } from '../../src/server/platform';
import { createEmptyDatabase, dropDatabase } from '../support/testDatabase';

/** A logger whose JSON lines land in `lines`. */
function capturingLogger(lines: Array<Record<string, any>>): pino.Logger {
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line.trim()) lines.push(JSON.parse(line));
      done();
    },
  });
  return pino({ level: 'info' }, stream);
}

async function graphql(platform: RunningPlatform, key: string, query: string) {
  const response = await fetch(platform.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify({ query }) });
  const body = (await response.json()) as { data?: Record<string, any>; errors?: unknown[] };
  expect(body.errors).toBeUndefined();
  return body.data!;
}

const DEMO_QUERY = `{
  models { nodes { name kind path details } }
  projects { nodes { name description promptSets { name objectivePositive objectiveNegative measures { name lowPrompt highPrompt low high resolution } } } }
}`;

describe('demo content on a fresh start', () => {
  let database: { url: string; name: string };
  const configFor = (overrides: Record<string, unknown> = {}) => ({ ...loadConfig({}), databaseUrl: database.url, port: 0, host: '127.0.0.1', workerPoolSize: 0, ...overrides });

  beforeEach(async () => {
    database = await createEmptyDatabase();
  });
  afterEach(async () => {
    await dropDatabase(database.name);
  });

  it('registers the bundled models and creates the demo project for the new admin, once', async () => {
    const logs: Array<Record<string, any>> = [];
    const first = await startPlatform(configFor(), capturingLogger(logs));
    const adminKey = first.adminKey!;
    try {
      expect(adminKey).toBeDefined();
      const data = await graphql(first, adminKey, DEMO_QUERY);
      expect(data.models.nodes).toEqual([
        { name: 'shapes-generator', kind: 'GENERATOR', path: 'shapes/generator', details: { latentDim: 6, imageSize: [32, 32], provider: 'cpu' } },
        { name: 'shapes-scorer', kind: 'SCORER', path: 'shapes/scorer', details: expect.objectContaining({ embedDim: 32, imageSize: 32 }) },
        { name: 'shapes-oracle', kind: 'CLASSIFIER', path: 'shapes/oracle', details: expect.objectContaining({ labels: ['blue', 'square'] }) },
      ]);
      expect(data.projects.nodes).toEqual([
        {
          name: 'Shapes demo',
          description: DEMO_CONTENT.project.description,
          promptSets: [
            {
              name: 'shapes',
              objectivePositive: ['A regular square or a triangle.'],
              objectiveNegative: [],
              measures: [
                { name: 'colour', lowPrompt: 'A red shape.', highPrompt: 'A blue shape.', low: -0.9, high: 0.9, resolution: 50 },
                { name: 'shape', lowPrompt: 'A triangle with 3 edges.', highPrompt: 'A square or diamond with 4 edges.', low: -0.9, high: 0.9, resolution: 50 },
              ],
            },
          ],
        },
      ]);
      expect(logs.find((line) => line.msg === 'demo content created for the admin account')).toMatchObject({
        level: 30,
        models: ['shapes-generator', 'shapes-scorer', 'shapes-oracle'],
        project: 'Shapes demo',
        promptSet: 'shapes',
      });
    } finally {
      await first.stop();
    }

    const second = await startPlatform(configFor(), capturingLogger(logs));
    try {
      expect(second.adminKey).toBeUndefined();
      const data = await graphql(second, adminKey, DEMO_QUERY);
      expect(data.models.nodes).toHaveLength(3);
      expect(data.projects.nodes).toHaveLength(1);
      const { prisma } = second.database;
      expect([await prisma.model.count(), await prisma.project.count(), await prisma.promptSet.count(), await prisma.measure.count()]).toEqual([3, 1, 1, 2]);
    } finally {
      await second.stop();
    }
  }, 60_000);

  it('starts without the models, with a warning for each, when the models root lacks the bundles', async () => {
    const emptyRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'qdgs-no-models-'));
    const logs: Array<Record<string, any>> = [];
    const platform = await startPlatform(configFor({ modelsDir: emptyRoot }), capturingLogger(logs));
    try {
      const data = await graphql(platform, platform.adminKey!, DEMO_QUERY);
      expect(data.models.nodes).toEqual([]);
      expect(data.projects.nodes.map((project: { name: string }) => project.name)).toEqual(['Shapes demo']);
      const warnings = logs.filter((line) => line.level === 40);
      expect(warnings.map((line) => line.model)).toEqual(['shapes-generator', 'shapes-scorer', 'shapes-oracle']);
      expect(warnings[0].reason).toMatch(/^input\.path MODEL_NOT_FOUND: shapes\/generator: /);
    } finally {
      await platform.stop();
      fs.rmSync(emptyRoot, { recursive: true, force: true });
    }
  }, 60_000);

  it('creates nothing when demo content is switched off (QDGS_DEMO_CONTENT=false)', async () => {
    expect(loadConfig({ QDGS_DEMO_CONTENT: 'false' }).demoContent).toBe(false);
    expect(loadConfig({}).demoContent).toBe(true);
    expect(loadConfig({}).modelsDir).toBe(path.join(projectRoot(), 'models'));
    expect(loadConfig({ QDGS_MODELS_DIR: 'some/models' }).modelsDir).toBe(path.resolve('some/models'));
    expect(() => loadConfig({ QDGS_DEMO_CONTENT: 'maybe' })).toThrow(/QDGS_DEMO_CONTENT must be true or false/);
    const platform = await startPlatform(configFor({ demoContent: false }), capturingLogger([]));
    try {
      const data = await graphql(platform, platform.adminKey!, DEMO_QUERY);
      expect([data.models.nodes, data.projects.nodes]).toEqual([[], []]);
    } finally {
      await platform.stop();
    }
  }, 60_000);
});
