import { createAccountWithKey } from '../../src/auth/apiKeys';
import { bundleSha256 } from '../../src/modelRegistry/modelBundle';
import { startTestPlatform, type TestPlatform } from '../support/platformHarness';
import { projectRoot } from '../../src/projectRoot';
import path from 'node:path';

const REGISTER = `mutation($input: RegisterModelInput!) { registerModel(input: $input) { id name kind path sha256 details createdAt } }`;
const MODELS = `query($kind: ModelKind, $first: Int, $after: String) {
  models(kind: $kind, first: $first, after: $after) { nodes { name kind path } pageInfo { hasNextPage endCursor } }
}`;
const SHAPES = path.join(projectRoot(), 'models', 'shapes');

describe('GraphQL API: registered models', () => {
  let t: TestPlatform;
  let otherKey: string;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    t = await startTestPlatform({ workers: 0 });
    otherKey = (await createAccountWithKey(t.platform.database.prisma, 'other')).key;
  });
  afterAll(() => t.stop());

  it('registers the three bundled models after loading them, with what loading found and the bundle hash', async () => {
    const cases = [
      { name: 'shapes-generator', kind: 'GENERATOR', path: 'shapes/generator', details: { latentDim: 6, imageSize: [32, 32], provider: 'cpu' } },
      { name: 'shapes-scorer', kind: 'SCORER', path: './shapes//scorer/', details: { embedDim: 32, imageSize: 32, vocabularySize: 60, unknownTestWords: ['photo'], provider: 'cpu' } },
      { name: 'shapes-oracle', kind: 'CLASSIFIER', path: 'shapes/oracle', details: { labels: ['blue', 'square'], imageSize: [32, 32], provider: 'cpu' } },
    ];
    for (const { details, ...input } of cases) {
      const { data, errors } = await t.request(REGISTER, { input });
      expect(errors).toBeUndefined();
      const model = data!.registerModel;
      const normalised = input.path.split('/').filter((part) => part && part !== '.').join('/');
      expect(model).toMatchObject({ name: input.name, kind: input.kind, path: normalised, details });
      expect(model.sha256).toBe(await bundleSha256(path.join(SHAPES, normalised.slice('shapes/'.length))));
      expect(new Date(model.createdAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
      ids[input.name] = model.id;
    }
    const fetched = await t.request(`query($id: ID!) { model(id: $id) { name kind path details } }`, { id: ids['shapes-scorer'] });
    expect(fetched.data?.model).toMatchObject({ name: 'shapes-scorer', kind: 'SCORER', path: 'shapes/scorer', details: { embedDim: 32 } });
  });

  it('lists models oldest first, filtered by kind, in pages', async () => {
    const all = await t.request(MODELS, {});
    expect(all.data?.models.nodes.map((m: { name: string }) => m.name)).toEqual(['shapes-generator', 'shapes-scorer', 'shapes-oracle']);
    for (const [kind, name] of [['GENERATOR', 'shapes-generator'], ['SCORER', 'shapes-scorer'], ['CLASSIFIER', 'shapes-oracle']]) {
      const { data } = await t.request(MODELS, { kind });
      expect(data?.models.nodes).toEqual([{ name, kind, path: `shapes/${name.slice('shapes-'.length)}` }]);
    }
    const first = await t.request(MODELS, { first: 2 });
    expect(first.data?.models.pageInfo.hasNextPage).toBe(true);
    const second = await t.request(MODELS, { first: 2, after: first.data?.models.pageInfo.endCursor });
    expect(second.data?.models).toEqual({ nodes: [{ name: 'shapes-oracle', kind: 'CLASSIFIER', path: 'shapes/oracle' }], pageInfo: { hasNextPage: false, endCursor: expect.any(String) } });
    const badKind = await t.request(MODELS, { kind: 'VOCODER' });
    expect(badKind.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(badKind.errors?.[0].message).toMatch(/"VOCODER" does not exist in "ModelKind" enum/);
    expect(badKind.status).toBe(400);
  });

  it('refuses a duplicate name with CONFLICT on input.name', async () => {
    const { errors } = await t.request(REGISTER, { input: { name: ' shapes-oracle ', kind: 'CLASSIFIER', path: 'shapes/oracle' } });
    expect(errors?.[0].extensions).toEqual({ code: 'CONFLICT', field: 'input.name' });
    expect(errors?.[0].message).toContain('shapes-oracle');
  });

  it('refuses paths outside the root, missing bundles and bundles of another kind with BAD_USER_INPUT on input.path, writing nothing', async () => {
    const before = await t.platform.database.prisma.model.count();
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ kind: 'GENERATOR', path: '../package.json' }, /^input\.path PATH_OUTSIDE_ROOT: \.\.\/package\.json: expected a path inside the models root/],
      [{ kind: 'GENERATOR', path: '/etc' }, /^input\.path PATH_OUTSIDE_ROOT: /],
      [{ kind: 'GENERATOR', path: 'shapes/nothing-here' }, /^input\.path MODEL_NOT_FOUND: shapes\/nothing-here: no model bundle at this path/],
      [{ kind: 'GENERATOR', path: 'shapes/scorer' }, /^input\.path MODEL_NOT_FOUND: shapes\/scorer\/generator\.json: expected this file in the bundle/],
      [{ kind: 'SCORER', path: 'shapes/oracle' }, /^input\.path MODEL_NOT_FOUND: shapes\/oracle\/config\.json: /],
      [{ kind: 'CLASSIFIER', path: 'shapes/REPORT.md' }, /^input\.path MODEL_NOT_FOUND: shapes\/REPORT\.md: expected a model bundle directory/],
    ];
    for (const [input, message] of cases) {
      const { errors } = await t.request(REGISTER, { input: { name: 'broken', ...input } });
      expect({ input, extensions: errors?.[0].extensions }).toEqual({ input, extensions: { code: 'BAD_USER_INPUT', field: 'input.path' } });
      expect(errors?.[0].message).toMatch(message);
      // Server paths stay on the server.
      expect(errors?.[0].message).not.toContain(projectRoot());
    }
    const empty = await t.request(REGISTER, { input: { name: '  ', kind: 'GENERATOR', path: 'shapes/generator' } });
    expect(empty.errors?.[0].extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input.name' });
    expect(await t.platform.database.prisma.model.count()).toBe(before);
  });

  it('keeps accounts apart: another account neither lists nor fetches the models, and may reuse their names', async () => {
    const listed = await t.request(MODELS, {}, otherKey);
    expect(listed.data?.models.nodes).toEqual([]);
    const foreign = await t.request(`query($id: ID!) { model(id: $id) { id } }`, { id: ids['shapes-generator'] }, otherKey);
    const missing = await t.request(`query($id: ID!) { model(id: $id) { id } }`, { id: '00000000-0000-4000-8000-000000000000' }, otherKey);
    expect(foreign.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect(missing.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect(foreign.errors?.[0].message.replace(ids['shapes-generator'], 'ID')).toBe(missing.errors?.[0].message.replace('00000000-0000-4000-8000-000000000000', 'ID'));
    const badId = await t.request(`{ model(id: "nope") { id } }`);
    expect(badId.errors?.[0].extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'id' });
    const own = await t.request(REGISTER, { input: { name: 'shapes-generator', kind: 'GENERATOR', path: 'shapes/generator' } }, otherKey);
    expect(own.errors).toBeUndefined();
    expect(own.data?.registerModel.id).not.toBe(ids['shapes-generator']);
    expect((await t.request(MODELS, {})).data?.models.nodes).toHaveLength(3);
  });

  it('shows a run\'s models, execution provider, device note and time share, and keeps referenced models from being deleted', async () => {
    const { prisma } = t.platform.database;
    const project = (await t.request(`mutation { createProject(input: { name: "models on runs" }) { id } }`)).data!.createProject;
    const run = await prisma.run.create({ data: { projectId: project.id, domain: 'sphere', algorithm: 'cma_maega', config: {}, seed: 1, iterations: 10 } });
    const RUN = `query($id: ID!) { run(id: $id) { generator { name kind } scorer { name } executionProvider deviceNote timeShare { models optimizer database } } }`;
    const bare = await t.request(RUN, { id: run.id });
    expect(bare.errors).toBeUndefined();
    expect(bare.data?.run).toEqual({ generator: null, scorer: null, executionProvider: null, deviceNote: null, timeShare: null });

    await prisma.run.update({
      where: { id: run.id },
      data: {
        generatorId: ids['shapes-generator'],
        scorerId: ids['shapes-scorer'],
        executionProvider: 'cpu',
        deviceNote: 'GPU requested; the CUDA execution provider is not installed',
        timeShare: { models: 1.25, optimizer: 0.5, database: 0.125 },
      },
    });
    const full = await t.request(RUN, { id: run.id });
    expect(full.data?.run).toEqual({
      generator: { name: 'shapes-generator', kind: 'GENERATOR' },
      scorer: { name: 'shapes-scorer' },
      executionProvider: 'cpu',
      deviceNote: 'GPU requested; the CUDA execution provider is not installed',
      timeShare: { models: 1.25, optimizer: 0.5, database: 0.125 },
    });
    await expect(prisma.model.delete({ where: { id: ids['shapes-scorer'] } })).rejects.toThrow();
    expect(await prisma.model.count({ where: { id: ids['shapes-scorer'] } })).toBe(1);
  });
});
