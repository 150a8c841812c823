/**
 * npm run bench:api [-- --repeats N --json]
 *
 * API latency and throughput against the embedded PostgreSQL (a fresh one in a temporary
 * folder), each next to a baseline measured in the same run on the same data, because these
 * machines are noisy:
 *  - reading a full 50x50 archive (2,500 cells with their elite samples, 3 pages of 1,000) over
 *    GraphQL/HTTP, against the same rows read by one raw SQL query;
 *  - `balance` over a run of 100,000 samples over GraphQL/HTTP, against one SQL pass that only
 *    counts those rows;
 *  - subscription event lag (NOTIFY -> GraphQL runProgress event on a WebSocket client), against
 *    a bare LISTEN/NOTIFY round trip between two PostgreSQL connections;
 *  - archive-delta ingest (cells/s through the worker's flush transaction), against inserting the
 *    same rows into an unindexed table with one INSERT ... SELECT unnest(...);
 *  - a whole sphere run through the platform (startRun -> queue -> worker thread -> flushes ->
 *    subscription sees SUCCEEDED), against the same run in-process with `runOnDomain`.
 */
import '../src/server/productionMode';
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { createClient } from 'graphql-ws';
import pg from 'pg';
import WebSocket from 'ws';
import { SeededRandom } from '../src/qd/random';
import { createScheduler } from '../src/qd/algorithms';
import { runOnDomain } from '../src/qd/runOnDomain';
import { SphereDomain } from '../src/qd/domains/sphere';
import { algorithmConfigOf, resolveRunConfig } from '../src/runs/runConfig';
import { persistFlush } from '../src/runs/flushStore';
import { publishRunProgress, type ClaimedRun } from '../src/runs/runStore';
import type { RunFlush } from '../src/runs/runThreadProtocol';
import type { RunProgressEvent } from '../src/runs/runProgress';
import { startTemporaryPlatform } from '../src/server/temporaryPlatform';

interface Summary {
  p50: number;
  p95: number;
  mean: number;
}

function summarise(samples: number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { p50: at(0.5), p95: at(0.95), mean: samples.reduce((a, b) => a + b, 0) / samples.length };
}

async function timeMs(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

/** Alternates measured and baseline calls so that machine noise hits both alike. */
async function paired(repeats: number, measured: () => Promise<unknown>, baseline: () => Promise<unknown>): Promise<{ measured: Summary; baseline: Summary }> {
  await measured();
  await baseline();
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < repeats; i++) {
    a.push(await timeMs(measured));
    b.push(await timeMs(baseline));
  }
  return { measured: summarise(a), baseline: summarise(b) };
}

const ARCHIVE_CELLS = 50;
const LATENT_DIM = 100;
const BALANCE_SAMPLES = 100_000;

function syntheticFlush(iteration: number, cells: Int32Array, random: SeededRandom): RunFlush {
  const count = cells.length;
  const objectives = new Float64Array(count).map(() => 100 * random.uniform());
  const measures = new Float64Array(2 * count).map(() => random.uniform() * 2 - 1);
  const solutions = new Float32Array(count * LATENT_DIM).map(() => random.normal());
  return {
    iteration,
    evaluations: iteration * 540,
    elapsedMs: iteration * 10,
    evalsPerSecond: 54_000,
    timeSpent: { models: 0.2, optimizer: 0.02, database: 0.01 },
    stats: { numElites: count, coverage: count / 2500, qdScore: 1, normQdScore: 1, objMax: 100, objMean: 50 },
    delta: {
      count,
      cells,
      objectives,
      measures,
      solutions,
      thresholds: objectives.map((value) => value - 1),
      iterations: new Int32Array(count).fill(iteration),
      thresholdCells: new Int32Array(0),
      thresholdValues: new Float64Array(0),
    },
    final: false,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { repeats: { type: 'string', default: '30' }, json: { type: 'boolean', default: false } } });
  const repeats = Number(values.repeats);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const bench = await startTemporaryPlatform('api');
  const { platform, databaseUrl, key, graphql } = bench;
  const pool = platform.database.pool;
  const raw = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  try {
    const projectId = (await graphql(`mutation { createProject(input: { name: "bench" }) { id } }`)).createProject.id;
    // Runs that hold synthetic archives: written directly, RUNNING and without a queue job, so no worker touches them.
    const startRun = async (cells: number): Promise<ClaimedRun> => {
      const config = resolveRunConfig({ domain: 'sphere', dim: LATENT_DIM, cells });
      const run = await platform.database.prisma.run.create({
        data: { projectId, domain: 'sphere', algorithm: config.algorithm, config: config as unknown as object, seed: 1, iterations: config.iterations, status: 'RUNNING', attempts: 1 },
      });
      return { id: run.id, attempt: 1, config };
    };
    const random = new SeededRandom(1);

    // 1. Ingest: 40 flushes of 250 changed cells each into a 50x50 archive (latent dim 100).
    log('ingest ...');
    const ingestRun = await startRun(ARCHIVE_CELLS);
    await raw.query('CREATE UNLOGGED TABLE bench_rows (run_id uuid, cell_index int, latent bytea, objective float8, measures float8[], iteration int)');
    const flushes = 40;
    const perFlush = 250;
    let ingestMs = 0;
    let baselineMs = 0;
    for (let f = 0; f < flushes; f++) {
      const cells = Int32Array.from({ length: perFlush }, (_, i) => (f * perFlush + i * 7) % 2500);
      const flush = syntheticFlush(f + 1, cells, random);
      ingestMs += await timeMs(() => persistFlush(pool, ingestRun, flush));
      const d = flush.delta;
      baselineMs += await timeMs(() =>
        raw.query(
          `INSERT INTO bench_rows SELECT $1::uuid, t.c, substring($3::bytea FROM (t.o - 1)::int * 400 + 1 FOR 400), t.obj, ($4::float8[])[(2 * t.o - 1)::int:(2 * t.o)::int], $5
             FROM unnest($2::int[], $6::float8[]) WITH ORDINALITY AS t(c, obj, o)`,
          [ingestRun.id, Array.from(d.cells), Buffer.from(d.solutions.buffer), Array.from(d.measures), f + 1, Array.from(d.objectives)],
        ),
      );
    }
    const ingest = { cellsPerSecond: (flushes * perFlush * 1000) / ingestMs, baselineCellsPerSecond: (flushes * perFlush * 1000) / baselineMs, flushMs: ingestMs / flushes };

    // 2. Full 50x50 archive read.
    log('archive read ...');
    const archiveRun = await startRun(ARCHIVE_CELLS);
    await persistFlush(pool, archiveRun, syntheticFlush(1, Int32Array.from({ length: 2500 }, (_, i) => i), random));
    const readArchive = async () => {
      let after: string | null = null;
      let total = 0;
      do {
        const page: any = (
          await graphql(`query($id: ID!, $after: String) { run(id: $id) { archive { cells(first: 1000, after: $after) { nodes { index coordinates objective measures threshold sample { id objective } } pageInfo { hasNextPage endCursor } } } } }`, { id: archiveRun.id, after })
        ).run.archive.cells;
        total += page.nodes.length;
        after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      } while (after);
      if (total !== 2500) throw new Error(`read ${total} cells`);
    };
    const readArchiveSql = () => raw.query('SELECT c.index, c.coordinates, c.objective, c.measures, c.threshold, s.id, s.objective FROM archive_cell c JOIN sample s ON s.id = c.sample_id WHERE c.run_id = $1 ORDER BY c.index', [archiveRun.id]);
    const archive = await paired(repeats, readArchive, readArchiveSql);

    // 3. Balance over 100,000 samples.
    log('balance ...');
    const balanceRun = await startRun(ARCHIVE_CELLS);
    await pool.query(
      `INSERT INTO sample (run_id, cell_index, latent, objective, measures, iteration)
       SELECT $1, NULL, '\\x'::bytea, random() * 100, ARRAY[random() * 2 - 1, (random() * 2 - 1) * random()], 1 FROM generate_series(1, $2)`,
      [balanceRun.id, BALANCE_SAMPLES],
    );
    await pool.query('ANALYZE sample');
    const balanceQuery = `query($id: ID!) { run(id: $id) { balance(bins: 10) { samples measures { counts entropy klFromUniform maxMinRatio coverage } pairs { counts entropy coverage } } } }`;
    const balance = await paired(repeats, () => graphql(balanceQuery, { id: balanceRun.id }), () => raw.query('SELECT count(*) FROM sample WHERE run_id = $1', [balanceRun.id]));

    // 4. Subscription lag: NOTIFY -> WebSocket client, against bare LISTEN/NOTIFY.
    log('subscription lag ...');
    const client = createClient({ url: platform.url.replace('http', 'ws'), webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${key}` } });
    const received: Array<(event: RunProgressEvent) => void> = [];
    const firstEvent = new Promise<void>((resolve) => received.push(() => resolve()));
    const unsubscribe = client.subscribe<{ runProgress: RunProgressEvent }>(
      { query: `subscription($id: ID!) { runProgress(runId: $id) { runId status iteration } }`, variables: { id: archiveRun.id } },
      { next: (result) => received.shift()?.(result.data!.runProgress as RunProgressEvent), error: (error) => log(`subscription error: ${JSON.stringify(error)}`), complete: () => {} },
    );
    await firstEvent; // the snapshot
    const listener = new pg.Client({ connectionString: databaseUrl });
    await listener.connect();
    await listener.query('LISTEN bench_lag');
    const bareWaiters: Array<() => void> = [];
    listener.on('notification', () => bareWaiters.shift()?.());
    const event: RunProgressEvent = { runId: archiveRun.id, status: 'RUNNING', iteration: 0, iterations: 2000, evaluations: 0, qdScore: 0, normQdScore: 0, coverage: 0, numElites: 0, objMax: null, objMean: null, evalsPerSecond: 0, elapsedMs: 0, error: null };
    let iteration = 1;
    const lag = await paired(
      Math.max(repeats, 100),
      () => {
        const arrived = new Promise<void>((resolve) => received.push(() => resolve()));
        return publishRunProgress(raw, { ...event, iteration: iteration++ }).then(() => arrived);
      },
      () => {
        const arrived = new Promise<void>((resolve) => bareWaiters.push(resolve));
        return raw.query(`SELECT pg_notify('bench_lag', 'x')`).then(() => arrived);
      },
    );
    unsubscribe();
    await client.dispose();
    await listener.end();

    // 5. A whole run through the platform against the same run in-process.
    log('end-to-end run ...');
    const runInput = { projectId, domain: 'sphere', algorithm: 'cma_maega', dim: 100, iterations: 2000, cells: 100, seed: 1 };
    const platformRunMs = await timeMs(async () => {
      const id = (await graphql(`mutation($input: StartRunInput!) { startRun(input: $input) { id } }`, { input: runInput })).startRun.id;
      const runClient = createClient({ url: platform.url.replace('http', 'ws'), webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${key}` } });
      await new Promise<void>((resolve, reject) =>
        runClient.subscribe<{ runProgress: RunProgressEvent }>(
          { query: `subscription($id: ID!) { runProgress(runId: $id) { status } }`, variables: { id } },
          { next: (result) => (result.data?.runProgress.status === 'SUCCEEDED' ? resolve() : undefined), error: reject, complete: () => resolve() },
        ),
      );
      await runClient.dispose();
    });
    const inProcessConfig = resolveRunConfig(runInput);
    const inProcessMs = await timeMs(async () => runOnDomain(createScheduler(algorithmConfigOf(inProcessConfig)), new SphereDomain(inProcessConfig.dim), inProcessConfig.iterations));
    const endToEnd = { platformMs: platformRunMs, inProcessMs, ratio: platformRunMs / inProcessMs };

    const results = {
      archiveRead: { ...archive, ratio: archive.measured.p50 / archive.baseline.p50 },
      balance100k: { ...balance, ratio: balance.measured.p50 / balance.baseline.p50 },
      subscriptionLag: { ...lag, ratio: lag.measured.p50 / lag.baseline.p50 },
      ingest: { ...ingest, ratio: ingest.baselineCellsPerSecond / ingest.cellsPerSecond },
      endToEndRun: endToEnd,
    };
    if (values.json) {
      console.log(JSON.stringify(results));
    } else {
      const row = (name: string, r: { measured: Summary; baseline: Summary }, baseline: string) =>
        console.log(`${name.padEnd(34)} p50 ${r.measured.p50.toFixed(1).padStart(7)} ms  p95 ${r.measured.p95.toFixed(1).padStart(7)} ms   baseline (${baseline}) p50 ${r.baseline.p50.toFixed(2)} ms  -> ${(r.measured.p50 / r.baseline.p50).toFixed(1)}x`);
      row('full 50x50 archive over GraphQL', archive, 'one SQL query');
      row('balance, 100,000 samples', balance, 'SQL count(*)');
      row('subscription event lag', lag, 'bare LISTEN/NOTIFY');
      console.log(`${'archive-delta ingest'.padEnd(34)} ${Math.round(ingest.cellsPerSecond)} cells/s (${ingest.flushMs.toFixed(1)} ms per 250-cell flush)   baseline (unindexed INSERT) ${Math.round(ingest.baselineCellsPerSecond)} cells/s -> ${results.ingest.ratio.toFixed(1)}x slower`);
      console.log(`${'cma_maega run, dim 100, 2000 its'.padEnd(34)} ${(endToEnd.platformMs / 1000).toFixed(2)} s through the platform (queue pick-up included)   baseline (in-process runOnDomain) ${(endToEnd.inProcessMs / 1000).toFixed(2)} s -> ${endToEnd.ratio.toFixed(2)}x`);
    }
  } finally {
    await raw.end();
    await bench.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
