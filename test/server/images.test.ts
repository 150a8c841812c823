import path from 'node:path';
import { PNG } from 'pngjs';
import { createAccountWithKey } from '../../src/auth/apiKeys';
import { CONTACT_SHEET_GREYS } from '../../src/images/contactSheet';
import { SampleImageService } from '../../src/images/sampleImageService';
import { bundleSha256 } from '../../src/modelRegistry/modelBundle';
import { loadGenerator, type Generator } from '../../src/models/runtime/generator';
import { projectRoot } from '../../src/projectRoot';
import { resolveRunConfig } from '../../src/runs/runConfig';
import { startTestPlatform, type TestPlatform } from '../support/platformHarness';

/**
 * Sample images and archive contact sheets over real HTTP, rendered by the shipped shapes
 * generator. Generative runs are written directly (rows as a finished run leaves them), so the
 * test does not depend on running an optimisation.
 */

const MODELS_ROOT = path.join(projectRoot(), 'models');
const SIZE = 32;

/** sha256 of the shipped generator's files, as registration records it. */
let generatorSha256 = '';

function generativeConfig(dims: number[], generatorPath = 'shapes/generator', sha256 = generatorSha256) {
  return {
    domain: 'generative',
    algorithm: 'cma_maega',
    dim: 6,
    iterations: 10,
    seed: 1,
    cells: Math.max(...dims),
    dims,
    ranges: dims.map(() => [-1, 1]),
    measureNames: dims.map((_, j) => `measure${j + 1}`),
    flushIntervalMs: 250,
    checkpointIntervalMs: 10_000,
    settings: {},
    generative: {
      generator: { modelId: '00000000-0000-4000-8000-000000000001', name: 'shapes generator', path: generatorPath, sha256, latentDim: 6, imageSize: [SIZE, SIZE] },
      scorer: { modelId: '00000000-0000-4000-8000-000000000002', name: 'shapes scorer', path: 'shapes/scorer', sha256: 'test' },
    },
  };
}

/** A seeded latent: deterministic, roughly standard normal. */
function latentFor(seed: number): Float32Array {
  const z = new Float32Array(6);
  let state = seed * 7919 + 17;
  for (let i = 0; i < 6; i++) {
    let sum = 0;
    for (let k = 0; k < 12; k++) {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      sum += state / 2 ** 31;
    }
    z[i] = sum - 6;
  }
  return z;
}

const latentBytes = (z: Float32Array) => Buffer.from(z.buffer, z.byteOffset, z.byteLength);
const pixel = (png: PNG, x: number, y: number) => Array.from(png.data.subarray((y * png.width + x) * 4, (y * png.width + x) * 4 + 3));

describe('images of generative runs over HTTP', () => {
  let t: TestPlatform;
  let projectId: string;
  let generator: Generator;
  let otherKey: string;
  let runId: string;
  /** cell coordinates -> sample id and latent */
  const elites: Array<{ coordinates: [number, number]; id: number; z: Float32Array }> = [];

  const sql = (text: string, values: unknown[] = []) => t.platform.database.pool.query(text, values);

  async function insertRun(config: object, status = 'SUCCEEDED', project = projectId): Promise<string> {
    const { rows } = await sql(
      `INSERT INTO run (id, project_id, domain, algorithm, config, seed, iterations, status) VALUES (gen_random_uuid(), $1, $2, 'cma_maega', $3, 1, 10, $4::run_status) RETURNING id`,
      [project, (config as { domain: string }).domain, JSON.stringify(config), status],
    );
    return rows[0].id;
  }

  async function insertElite(run: string, dims: number[], coordinates: number[], z: Float32Array, objective = 1): Promise<number> {
    const index = coordinates.reduce((flat, c, j) => flat * dims[j] + c, 0);
    const { rows } = await sql(`INSERT INTO sample (run_id, cell_index, latent, objective, measures, iteration) VALUES ($1, $2, $3, $4, $5, 1) RETURNING id`, [run, index, latentBytes(z), objective, coordinates.map(() => 0)]);
    const id = Number(rows[0].id);
    await sql(`INSERT INTO archive_cell (run_id, index, coordinates, objective, measures, threshold, sample_id, iteration) VALUES ($1, $2, $3, $4, $5, NULL, $6, 1)`, [run, index, coordinates, objective, coordinates.map(() => 0), id]);
    return id;
  }

  async function expected(z: Float32Array): Promise<Float32Array> {
    return generator.generate(z, 1);
  }

  /** Every pixel of the decoded PNG region equals the generator's image rounded to 8 bits (within 1 for float noise). */
  function expectImage(png: PNG, left: number, top: number, image: Float32Array) {
    let worst = 0;
    for (let y = 0; y < SIZE; y++) {
      for (let x = 0; x < SIZE; x++) {
        const got = pixel(png, left + x, top + y);
        for (let c = 0; c < 3; c++) worst = Math.max(worst, Math.abs(got[c] - Math.round(image[c * SIZE * SIZE + y * SIZE + x] * 255)));
      }
    }
    expect(worst).toBeLessThanOrEqual(1);
  }

  beforeAll(async () => {
    t = await startTestPlatform({ workers: 0 });
    generatorSha256 = await bundleSha256(path.join(MODELS_ROOT, 'shapes', 'generator'));
    generator = await loadGenerator(path.join(MODELS_ROOT, 'shapes', 'generator'));
    projectId = (await t.request(`mutation { createProject(input: { name: "images" }) { id } }`)).data!.createProject.id;
    otherKey = (await createAccountWithKey(t.platform.database.prisma, 'someone else')).key;
    runId = await insertRun(generativeConfig([4, 4]));
    for (const [n, coordinates] of ([[0, 0], [3, 1], [1, 3], [2, 2]] as Array<[number, number]>).entries()) {
      const z = latentFor(n + 1);
      elites.push({ coordinates, id: await insertElite(runId, [4, 4], coordinates, z), z });
    }
  });
  afterAll(async () => {
    await generator?.dispose();
    await t?.stop();
  });

  it('serves a sample as the PNG its generator makes of the latent, with caching headers and 304 on a matching ETag', async () => {
    const { id, z } = elites[1];
    const response = await t.get(`/images/runs/${runId}/samples/${id}.png`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    expect(response.headers.get('cache-control')).toMatch(/^private, max-age=\d+, immutable$/);
    const etag = response.headers.get('etag');
    expect(etag).toMatch(/^"s\d+-[\w-]+"$/);
    const png = PNG.sync.read(Buffer.from(await response.arrayBuffer()));
    expect([png.width, png.height]).toEqual([SIZE, SIZE]);
    const image = await expected(z);
    expectImage(png, 0, 0, image);
    // A real picture, not a flat colour: the comparison above could not pass by accident.
    expect(new Set(Array.from(png.data.filter((_, i) => i % 4 === 0))).size).toBeGreaterThan(4);

    const again = await t.get(`/images/runs/${runId}/samples/${id}.png`, { headers: { 'if-none-match': etag! } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    const other = await t.get(`/images/runs/${runId}/samples/${elites[0].id}.png`, { headers: { 'if-none-match': etag! } });
    expect(other.status).toBe(200);
    expect(other.headers.get('etag')).not.toBe(etag);
  });

  it('answers 401 without a key, 404 for another account and for missing samples, 400 for malformed ids', async () => {
    const errorOf = async (response: Response) => ({ status: response.status, type: response.headers.get('content-type'), ...((await response.json()) as { error: { code: string; message: string } }).error });
    const samplePath = `/images/runs/${runId}/samples/${elites[0].id}.png`;
    expect(await errorOf(await t.get(samplePath, { key: null }))).toMatchObject({ status: 401, code: 'UNAUTHENTICATED', type: expect.stringMatching(/json/) });
    expect(await errorOf(await t.get(samplePath, { key: 'qdgs_not-a-key' }))).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    expect(await errorOf(await t.get(samplePath, { key: otherKey }))).toMatchObject({ status: 404, code: 'NOT_FOUND', message: `Run ${runId} was not found` });
    expect(await errorOf(await t.get(`/images/runs/${runId}/archive.png`, { key: otherKey }))).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    expect(await errorOf(await t.get(`/images/runs/${runId}/samples/987654321.png`))).toMatchObject({ status: 404, code: 'NOT_FOUND', message: 'Sample 987654321 was not found' });
    // A sample of another run (of the same account) is not found under this run.
    const secondRun = await insertRun(generativeConfig([4, 4]));
    const foreignSample = await insertElite(secondRun, [4, 4], [0, 0], latentFor(9));
    expect(await errorOf(await t.get(`/images/runs/${runId}/samples/${foreignSample}.png`))).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    expect((await t.get(`/images/runs/${secondRun}/samples/${foreignSample}.png`)).status).toBe(200);
    expect(await errorOf(await t.get(`/images/runs/${runId}/samples/abc.png`))).toMatchObject({ status: 400, code: 'BAD_USER_INPUT', message: expect.stringMatching(/^sampleId must be a positive integer/) });
    expect(await errorOf(await t.get(`/images/runs/${runId}/samples/0.png`))).toMatchObject({ status: 400, code: 'BAD_USER_INPUT' });
    expect(await errorOf(await t.get(`/images/runs/not-a-uuid/samples/1.png`))).toMatchObject({ status: 400, code: 'BAD_USER_INPUT', message: expect.stringMatching(/^runId must be an id/) });
  });

  it('lays the archive out on the measure grid: first measure left to right, second bottom to top, empty cells grey', async () => {
    const response = await t.get(`/images/runs/${runId}/archive.png`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    const png = PNG.sync.read(Buffer.from(await response.arrayBuffer()));
    const side = 4 * SIZE + 3;
    expect([png.width, png.height]).toEqual([side, side]);
    const origin = ([x, y]: number[]) => ({ left: x * (SIZE + 1), top: (3 - y) * (SIZE + 1) });
    for (const { coordinates, z } of elites) {
      const { left, top } = origin(coordinates);
      expectImage(png, left, top, await expected(z));
    }
    const { empty, separator } = CONTACT_SHEET_GREYS;
    for (const coordinates of [[0, 3], [3, 0], [1, 1]]) {
      const { left, top } = origin(coordinates);
      for (const [dx, dy] of [[0, 0], [SIZE - 1, SIZE - 1], [SIZE >> 1, 3]]) expect(pixel(png, left + dx, top + dy)).toEqual([empty, empty, empty]);
    }
    expect(pixel(png, SIZE, 5)).toEqual([separator, separator, separator]);
    expect(pixel(png, 5, SIZE)).toEqual([separator, separator, separator]);

    const etag = response.headers.get('etag')!;
    expect((await t.get(`/images/runs/${runId}/archive.png`, { headers: { 'if-none-match': etag } })).status).toBe(304);

    const small = await t.get(`/images/runs/${runId}/archive.png?cell=16&grid=false`);
    expect(small.status).toBe(200);
    expect(small.headers.get('etag')).not.toBe(etag);
    const smallPng = PNG.sync.read(Buffer.from(await small.arrayBuffer()));
    expect([smallPng.width, smallPng.height]).toEqual([64, 64]);

    const tooSmall = await t.get(`/images/runs/${runId}/archive.png?cell=4`);
    expect(tooSmall.status).toBe(400);
    expect(((await tooSmall.json()) as any).error).toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringMatching(/^cell must be a whole number of pixels from 8 to 256/) });
  });

  it('draws a 1-measure archive as a single row and refuses archives of 3 measures', async () => {
    const rowRun = await insertRun(generativeConfig([5]));
    const z = latentFor(42);
    await insertElite(rowRun, [5], [3], z);
    const png = PNG.sync.read(Buffer.from(await (await t.get(`/images/runs/${rowRun}/archive.png`)).arrayBuffer()));
    expect([png.width, png.height]).toEqual([5 * SIZE + 4, SIZE]);
    expectImage(png, 3 * (SIZE + 1), 0, await expected(z));
    expect(pixel(png, 0, 0)).toEqual([CONTACT_SHEET_GREYS.empty, CONTACT_SHEET_GREYS.empty, CONTACT_SHEET_GREYS.empty]);

    const cubeRun = await insertRun(generativeConfig([2, 2, 2]));
    const sampleId = await insertElite(cubeRun, [2, 2, 2], [1, 0, 1], latentFor(3));
    const refused = await t.get(`/images/runs/${cubeRun}/archive.png`);
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as any).error).toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringMatching(/^Contact sheets need 1 or 2 measures; run \S+ has 3/) });
    expect((await t.get(`/images/runs/${cubeRun}/samples/${sampleId}.png`)).status).toBe(200); // its samples still have images

    // A running run's elites may still be replaced: clients must revalidate.
    const runningRun = await insertRun(generativeConfig([4, 4]), 'RUNNING');
    const runningSample = await insertElite(runningRun, [4, 4], [0, 0], latentFor(8));
    for (const url of [`/images/runs/${runningRun}/samples/${runningSample}.png`, `/images/runs/${runningRun}/archive.png`]) {
      expect((await t.get(url)).headers.get('cache-control')).toBe('private, max-age=0, must-revalidate');
    }
  });

  it('refuses runs that are not generative, and says so when the generator bundle is missing', async () => {
    const sphereRun = await insertRun(resolveRunConfig({ domain: 'sphere', dim: 6, cells: 4 }));
    const sampleId = await insertElite(sphereRun, [4, 4], [1, 1], latentFor(5));
    for (const url of [`/images/runs/${sphereRun}/samples/${sampleId}.png`, `/images/runs/${sphereRun}/archive.png`]) {
      const response = await t.get(url);
      expect(response.status).toBe(400);
      expect(((await response.json()) as any).error).toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringMatching(/only generative runs .* have images/) });
    }
    // Missing, outside the models root, or not the files the run was registered with.
    for (const [generatorPath, sha256] of [['shapes/no-such-generator', generatorSha256], ['../../etc', generatorSha256], ['shapes/generator', 'f'.repeat(64)]]) {
      const brokenRun = await insertRun(generativeConfig([4, 4], generatorPath, sha256));
      const brokenSample = await insertElite(brokenRun, [4, 4], [0, 0], latentFor(6));
      const response = await t.get(`/images/runs/${brokenRun}/samples/${brokenSample}.png`);
      expect(response.status).toBe(503);
      const { error } = (await response.json()) as any;
      expect(error.code).toBe('MODEL_UNAVAILABLE');
      expect(error.message).not.toContain(MODELS_ROOT); // no server paths in the answer
    }
  });

  it('exposes Sample.imageUrl and Archive.contactSheetUrl through GraphQL, null for runs without images', async () => {
    const query = `query($id: ID!) { run(id: $id) {
      archive { contactSheetUrl cells(first: 100) { nodes { coordinates sample { id imageUrl } } } }
      samples(first: 100) { nodes { id imageUrl } } } }`;
    const result = await t.request(query, { id: runId });
    expect(result.errors).toBeUndefined();
    const run = result.data!.run;
    expect(run.archive.contactSheetUrl).toBe(`/images/runs/${runId}/archive.png`);
    expect(run.samples.nodes).toHaveLength(elites.length);
    for (const sample of run.samples.nodes) expect(sample.imageUrl).toBe(`/images/runs/${runId}/samples/${sample.id}.png`);
    expect(run.archive.cells.nodes).toHaveLength(elites.length);
    for (const cell of run.archive.cells.nodes) {
      const elite = elites.find((e) => e.coordinates.join() === cell.coordinates.join())!;
      expect(cell.sample.imageUrl).toBe(`/images/runs/${runId}/samples/${elite.id}.png`);
    }
    // The URL works as given, with the same key.
    const fetched = await t.get(run.archive.cells.nodes[0].sample.imageUrl);
    expect(fetched.status).toBe(200);
    expect(fetched.headers.get('content-type')).toBe('image/png');

    const sphereRun = await insertRun(resolveRunConfig({ domain: 'sphere', dim: 6, cells: 4 }));
    await insertElite(sphereRun, [4, 4], [2, 3], latentFor(7));
    const sphere = (await t.request(query, { id: sphereRun })).data!.run;
    expect(sphere.archive.contactSheetUrl).toBeNull();
    expect(sphere.samples.nodes).toHaveLength(1);
    expect(sphere.samples.nodes[0].imageUrl).toBeNull();
    expect(sphere.archive.cells.nodes[0].sample.imageUrl).toBeNull();

    const cubeRun = await insertRun(generativeConfig([2, 2, 2]));
    expect((await t.request(query, { id: cubeRun })).data!.run.archive.contactSheetUrl).toBeNull();
  });

  it('renders a finished sheet once, and again when the archive changes; shares one generator load between concurrent requests', async () => {
    let loads = 0;
    let generateCalls = 0;
    const images = new SampleImageService(t.platform.database, {
      modelsRoot: MODELS_ROOT,
      loadGenerator: async (dir, options) => {
        loads++;
        const loaded = await loadGenerator(dir, options);
        return { ...loaded, generate: (z, batch) => (generateCalls++, loaded.generate(z, batch)), dispose: () => loaded.dispose() };
      },
    });
    try {
      const account = (await t.platform.database.prisma.project.findUniqueOrThrow({ where: { id: projectId } })).accountId;
      const run = await insertRun(generativeConfig([4, 4]));
      const ids = [];
      for (const [n, coordinates] of [[0, 0], [1, 0], [2, 0]].entries()) ids.push(await insertElite(run, [4, 4], coordinates, latentFor(20 + n)));
      const [a, b, c] = await Promise.all([images.renderSample(account, run, ids[0]), images.renderSample(account, run, ids[1]), images.renderContactSheet(account, run)]);
      expect(loads).toBe(1);
      expect(PNG.sync.read(a).width).toBe(SIZE);
      expect(b.equals(a)).toBe(false);
      expect(PNG.sync.read(c).width).toBe(4 * SIZE + 3);
      expect(generateCalls).toBe(3); // one per sample, one chunk for the sheet's 3 elites
      expect((await images.renderContactSheet(account, run)).equals(c)).toBe(true);
      expect((await images.renderSample(account, run, ids[0])).equals(a)).toBe(true);
      expect(generateCalls).toBe(3); // both served from the caches

      // A better elite replaces the sample of cell (0, 0) in place, as a running run's flush does.
      await sql(`UPDATE sample SET latent = $2, objective = 2, iteration = 2 WHERE id = $1`, [ids[0], latentBytes(latentFor(99))]);
      await sql(`UPDATE archive_cell SET objective = 2, iteration = 2 WHERE sample_id = $1`, [ids[0]]);
      const replaced = await images.renderSample(account, run, ids[0]);
      expect(replaced.equals(a)).toBe(false);
      expectImage(PNG.sync.read(replaced), 0, 0, await expected(latentFor(99)));
      const sheet = PNG.sync.read(await images.renderContactSheet(account, run));
      expect(generateCalls).toBe(5);
      expectImage(sheet, 0, 3 * (SIZE + 1), await expected(latentFor(99)));
    } finally {
      await images.close();
    }
  });
});
