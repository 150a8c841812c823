import { createAccountWithKey } from '../../src/auth/apiKeys';
import { startTestPlatform, type TestPlatform } from '../support/platformHarness';

const CREATE_PROJECT = `mutation($input: CreateProjectInput!) { createProject(input: $input) { id name description createdAt } }`;
const CREATE_PROMPT_SET = `mutation($input: CreatePromptSetInput!) {
  createPromptSet(input: $input) { id name objectivePositive objectiveNegative measures { name lowPrompt highPrompt low high resolution } project { id } }
}`;

function shapesPromptSet(projectId: string, overrides: Record<string, unknown> = {}) {
  return {
    projectId,
    name: 'shapes',
    objectivePositive: ['A regular square or a triangle.'],
    objectiveNegative: ['Splatters of colors. | An empty image.'],
    measures: [
      { name: 'colour', lowPrompt: 'A red shape.', highPrompt: 'A blue shape.', low: -0.1, high: 0.1, resolution: 50 },
      { name: 'shape', lowPrompt: 'A triangle with 3 edges.', highPrompt: 'A square or diamond with 4 edges.', low: -0.1, high: 0.1, resolution: 50 },
    ],
    ...overrides,
  };
}

describe('GraphQL API: projects, prompt sets, auth and bad input', () => {
  let t: TestPlatform;
  let otherKey: string;

  beforeAll(async () => {
    t = await startTestPlatform({ workers: 0 });
    otherKey = (await createAccountWithKey(t.platform.database.prisma, 'other')).key;
  });
  afterAll(() => t.stop());

  it('refuses requests without a valid API key (401, UNAUTHENTICATED)', async () => {
    for (const key of [null, 'qdgs_not-a-real-key']) {
      const response = await t.request('{ viewer { id } }', {}, key);
      expect(response.status).toBe(401);
      expect(response.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    }
    const ok = await t.request('{ viewer { name isAdmin } }');
    expect(ok.data?.viewer).toEqual({ name: 'admin', isAdmin: true });
  });

  it('creates projects and pages through them with cursors', async () => {
    const names = ['alpha', 'beta', 'gamma', 'delta', 'epsilon'];
    for (const name of names) {
      const { data, errors } = await t.request(CREATE_PROJECT, { input: { name, description: `${name} project` } });
      expect(errors).toBeUndefined();
      expect(data?.createProject).toMatchObject({ name, description: `${name} project` });
    }
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const { data }: { data?: Record<string, any> } = await t.request(`query($after: String) { projects(first: 2, after: $after) { edges { cursor node { name } } pageInfo { hasNextPage endCursor } } }`, { after });
      const page: { edges: Array<{ node: { name: string } }>; pageInfo: { hasNextPage: boolean; endCursor: string } } = data!.projects;
      seen.push(...page.edges.map((edge: { node: { name: string } }) => edge.node.name));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(names);
  });

  it('keeps accounts apart: another account\'s project answers NOT_FOUND exactly like a missing id', async () => {
    const { data } = await t.request(CREATE_PROJECT, { input: { name: 'private' } });
    const id = data!.createProject.id;
    const foreign = await t.request(`query($id: ID!) { project(id: $id) { id } }`, { id }, otherKey);
    const missing = await t.request(`query($id: ID!) { project(id: $id) { id } }`, { id: '00000000-0000-4000-8000-000000000000' }, otherKey);
    expect(foreign.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect(missing.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect(foreign.errors?.[0].message.replace(id, 'ID')).toBe(missing.errors?.[0].message.replace('00000000-0000-4000-8000-000000000000', 'ID'));
    const list = await t.request('{ projects { nodes { id } } }', {}, otherKey);
    expect(list.data?.projects.nodes).toEqual([]);
    const promptSet = await t.request(CREATE_PROMPT_SET, { input: shapesPromptSet(id) }, otherKey);
    expect(promptSet.errors?.[0].extensions).toMatchObject({ code: 'NOT_FOUND' });
    const run = await t.request(`mutation($id: ID!) { startRun(input: { projectId: $id, domain: "sphere" }) { id } }`, { id }, otherKey);
    expect(run.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });

  it('stores prompt sets with their measures', async () => {
    const project = (await t.request(CREATE_PROJECT, { input: { name: 'shapes project' } })).data!.createProject;
    const { data, errors } = await t.request(CREATE_PROMPT_SET, { input: shapesPromptSet(project.id) });
    expect(errors).toBeUndefined();
    expect(data?.createPromptSet).toMatchObject({
      name: 'shapes',
      objectiveNegative: ['Splatters of colors. | An empty image.'],
      measures: [{ name: 'colour', lowPrompt: 'A red shape.', resolution: 50 }, { name: 'shape', low: -0.1, high: 0.1 }],
      project: { id: project.id },
    });
    const again = await t.request(CREATE_PROMPT_SET, { input: shapesPromptSet(project.id) });
    expect(again.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', field: 'input.name' });
    const listed = await t.request(`query($id: ID!) { project(id: $id) { promptSets { name measures { name } } } }`, { id: project.id });
    expect(listed.data?.project.promptSets).toEqual([{ name: 'shapes', measures: [{ name: 'colour' }, { name: 'shape' }] }]);
  });

  it('refuses bad prompt sets with BAD_USER_INPUT naming the field, and writes nothing', async () => {
    const project = (await t.request(CREATE_PROJECT, { input: { name: 'bad inputs' } })).data!.createProject;
    const base = shapesPromptSet(project.id);
    const measure = base.measures[0];
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ name: '   ' }, 'input.name'],
      [{ objectivePositive: [] }, 'input.objectivePositive'],
      [{ objectivePositive: [''] }, 'input.objectivePositive[0]'],
      [{ objectivePositive: ['a'.repeat(5000)] }, 'input.objectivePositive[0]'],
      [{ objectiveNegative: ['good | '] }, 'input.objectiveNegative[0]'],
      [{ measures: [] }, 'input.measures'],
      [{ measures: [{ ...measure, low: 0.1, high: 0.1 }] }, 'input.measures[0].low'],
      [{ measures: [{ ...measure, low: 0.2, high: -0.1 }] }, 'input.measures[0].low'],
      [{ measures: [{ ...measure, resolution: 0 }] }, 'input.measures[0].resolution'],
      [{ measures: [{ ...measure, resolution: 100_000 }] }, 'input.measures[0].resolution'],
      [{ measures: [measure, { ...measure, highPrompt: '' }] }, 'input.measures[1].name'],
      [{ projectId: 'not-an-id' }, 'input.projectId'],
    ];
    for (const [overrides, field] of cases) {
      const { errors } = await t.request(CREATE_PROMPT_SET, { input: { ...base, ...overrides } });
      expect({ field, extensions: errors?.[0].extensions }).toEqual({ field, extensions: { code: 'BAD_USER_INPUT', field } });
      expect(errors?.[0].message.startsWith(field)).toBe(true);
    }
    const { data } = await t.request(`query($id: ID!) { project(id: $id) { promptSets { id } } }`, { id: project.id });
    expect(data?.project.promptSets).toEqual([]);
    const count = await t.platform.database.prisma.measure.count();
    expect(count).toBe(2); // only the measures of the valid prompt set of the previous test
  });

  it('refuses malformed ids, oversized pages and foreign cursors', async () => {
    const badId = await t.request(`{ run(id: "1; DROP TABLE run") { id } }`);
    expect(badId.errors?.[0].extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'id' });
    const bigPage = await t.request(`{ projects(first: 100000) { nodes { id } } }`);
    expect(bigPage.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
    const zeroPage = await t.request(`{ projects(first: 0) { nodes { id } } }`);
    expect(zeroPage.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const cursor = await t.request(`{ projects(after: "bm9wZQ") { nodes { id } } }`);
    expect(cursor.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });

  it('refuses too deep and too costly queries before running them', async () => {
    const deep = await t.request(`{ projects { nodes { promptSets { project { promptSets { project { promptSets { project { promptSets { project { promptSets { project { id } } } } } } } } } } } } }`);
    expect(deep.errors?.[0].extensions?.code).toBe('QUERY_TOO_COMPLEX');
    expect(deep.errors?.[0].message).toMatch(/levels deep/);
    const costly = await t.request(`{ projects(first: 1000) { nodes { runs(first: 1000) { nodes { samples(first: 1000) { nodes { id } } } } } } }`);
    expect(costly.errors?.[0].extensions?.code).toBe('QUERY_TOO_COMPLEX');
    expect(costly.data ?? null).toBeNull();
  });
});
