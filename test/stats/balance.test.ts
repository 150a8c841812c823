import { randomUUID } from 'node:crypto';
import { InputError, NotFoundError, UserError } from '../../src/errors';
import { compareBalance, computeBalance, type MeasureAxis } from '../../src/stats/balance';
import { balanceQuery } from '../../src/stats/balanceQuery';
import type { Queryable } from '../../src/stats/balanceTypes';
import { createTestDatabase } from '../support/testDatabase';

type TestDatabase = Awaited<ReturnType<typeof createTestDatabase>>;

/** Reference statistics of a histogram, computed here independently of the SQL. */
function reference(counts: number[]) {
  const bins = counts.length;
  const total = counts.reduce((a, b) => a + b, 0);
  const p = counts.map((n) => (total > 0 ? n / total : 0));
  let h = 0;
  let kl = 0;
  for (const q of p) {
    if (q > 0) {
      h -= q * Math.log(q);
      kl += q * Math.log(q * bins);
    }
  }
  const min = Math.min(...counts);
  return {
    proportions: p,
    entropy: total === 0 ? 0 : bins === 1 ? 1 : h / Math.log(bins),
    kl,
    ratio: min === 0 ? null : Math.max(...counts) / min,
    coverage: counts.filter((n) => n > 0).length / bins,
  };
}

/** The bin of `m` as the platform defines it, or -1 outside [low, high]. */
function binOf(m: number | null, axis: MeasureAxis, bins: number): number {
  if (m === null || !(m >= axis.low && m <= axis.high)) return -1;
  return Math.min(Math.floor(((m - axis.low) / (axis.high - axis.low)) * bins), bins - 1);
}

/** A deterministic generator in [0, 1) (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const unit = (name: string): MeasureAxis => ({ name, low: 0, high: 1 });

describe('dataset balance statistics', () => {
  let db: TestDatabase;
  let projectId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    const accountId = randomUUID();
    projectId = randomUUID();
    await db.pool.query(`INSERT INTO account (id, name) VALUES ($1, 'balance tests')`, [accountId]);
    await db.pool.query(`INSERT INTO project (id, account_id, name) VALUES ($1, $2, 'balance')`, [projectId, accountId]);
  });

  afterAll(async () => {
    await db.drop();
  });

  /** A new run of its own for each test. */
  async function createRun(ranges: Array<[number, number]> = [[0, 1]]): Promise<string> {
    const id = randomUUID();
    const config = { ranges, measureNames: ranges.map((_, j) => `measure${j + 1}`) };
    await db.pool.query(`INSERT INTO run (id, project_id, domain, algorithm, config, seed, iterations) VALUES ($1, $2, 'sphere', 'random', $3, 1, 1)`, [
      id,
      projectId,
      JSON.stringify(config),
    ]);
    return id;
  }

  /** Inserts one sample per entry; null becomes a NULL measure value, 'NaN' a NaN. */
  async function insertSamples(runId: string, measures: Array<Array<number | null | 'NaN'>>): Promise<void> {
    await db.pool.query(
      `INSERT INTO sample (run_id, latent, objective, measures, iteration)
       SELECT $1, '\\x', 0, ARRAY(SELECT v::float8 FROM jsonb_array_elements_text(e) WITH ORDINALITY AS t(v, i) ORDER BY i), 0
       FROM jsonb_array_elements($2::jsonb) AS e`,
      [runId, JSON.stringify(measures)],
    );
  }

  /** `counts[i]` samples at the centre of bin i of [0, 1] split into counts.length bins. */
  function atCentres(counts: number[]): number[][] {
    return counts.flatMap((n, i) => Array.from({ length: n }, () => [(i + 0.5) / counts.length]));
  }

  it('finds a perfectly uniform dataset uniform', async () => {
    const runId = await createRun();
    await insertSamples(runId, atCentres([3, 3, 3, 3]));
    const balance = await computeBalance(db.pool, runId, [unit('age')], 4);
    expect(balance).toMatchObject({ runId, bins: 4, samples: 12, pairs: [] });
    const [measure] = balance.measures;
    expect(measure).toMatchObject({ index: 0, name: 'age', low: 0, high: 1, counts: [3, 3, 3, 3], proportions: [0.25, 0.25, 0.25, 0.25], maxMinRatio: 1, coverage: 1, outOfRange: 0 });
    expect(measure.entropy).toBeCloseTo(1, 12);
    expect(measure.klFromUniform).toBeCloseTo(0, 12);
  });

  it('gives the exact entropy, KL divergence and max/min ratio of a skewed dataset', async () => {
    const runId = await createRun();
    const counts = [5, 3, 1, 1];
    await insertSamples(runId, atCentres(counts));
    const [measure] = (await computeBalance(db.pool, runId, [unit('m')], 4)).measures;
    // H = -(0.5 ln 0.5 + 0.3 ln 0.3 + 2 * 0.1 ln 0.1), normalised by ln 4.
    const h = -(0.5 * Math.log(0.5) + 0.3 * Math.log(0.3) + 2 * 0.1 * Math.log(0.1));
    expect(measure.counts).toEqual(counts);
    expect(measure.proportions).toEqual([0.5, 0.3, 0.1, 0.1]);
    expect(measure.entropy).toBeCloseTo(h / Math.log(4), 12);
    expect(measure.entropy).toBeCloseTo(0.8427376486136672, 12);
    expect(measure.klFromUniform).toBeCloseTo(0.5 * Math.log(2) + 0.3 * Math.log(1.2) + 2 * 0.1 * Math.log(0.4), 12);
    expect(measure.klFromUniform).toBeCloseTo(Math.log(4) - h, 12);
    expect(measure.maxMinRatio).toBe(5);
    expect(measure.coverage).toBe(1);
  });

  it('keeps KL finite and reports no max/min ratio when a bin is empty', async () => {
    const runId = await createRun();
    await insertSamples(runId, atCentres([6, 3, 1, 0]));
    const [measure] = (await computeBalance(db.pool, runId, [unit('m')], 4)).measures;
    const expected = reference([6, 3, 1, 0]);
    expect(measure.counts).toEqual([6, 3, 1, 0]);
    expect(measure.maxMinRatio).toBeNull();
    expect(measure.coverage).toBe(0.75);
    expect(Number.isFinite(measure.klFromUniform)).toBe(true);
    expect(measure.klFromUniform).toBeCloseTo(0.6 * Math.log(2.4) + 0.3 * Math.log(1.2) + 0.1 * Math.log(0.4), 12);
    expect(measure.entropy).toBeCloseTo(expected.entropy, 12);
  });

  it('gives entropy 0 and KL ln(bins) when every sample is in one bin', async () => {
    const runId = await createRun();
    await insertSamples(runId, atCentres([0, 0, 7, 0, 0]));
    const [measure] = (await computeBalance(db.pool, runId, [unit('m')], 5)).measures;
    expect(measure.entropy).toBeCloseTo(0, 12);
    expect(measure.klFromUniform).toBeCloseTo(Math.log(5), 12);
    expect(measure.coverage).toBe(0.2);
  });

  it('puts m == low in the first bin and m == high in the last, and counts values outside the range apart', async () => {
    const runId = await createRun([[-1, 1]]);
    const axis = { name: 'm', low: -1, high: 1 };
    // Bin edges of [-1, 1] in 4 bins: -1, -0.5, 0, 0.5, 1.
    await insertSamples(runId, [[-1], [-0.5], [0], [0.5], [1], [1], [-1.000001], [1.000001], [-50], [null], ['NaN']]);
    const balance = await computeBalance(db.pool, runId, [axis], 4);
    expect(balance.samples).toBe(11);
    const [measure] = balance.measures;
    expect(measure.counts).toEqual([1, 1, 1, 3]);
    expect(measure.outOfRange).toBe(5);
    expect(measure.proportions).toEqual([1 / 6, 1 / 6, 1 / 6, 3 / 6]);
    expect(measure.maxMinRatio).toBe(3);
  });

  it('builds the joint table of two measures, rows by the first measure, leaving out samples outside either range', async () => {
    const runId = await createRun([[0, 1], [0, 10]]);
    const axes = [unit('hue'), { name: 'size', low: 0, high: 10 }];
    await insertSamples(runId, [
      [0.1, 1], // (0, 0)
      [0.2, 2], // (0, 0)
      [0.1, 9], // (0, 2)
      [0.5, 5], // (1, 1)
      [0.9, 1], // (2, 0)
      [0.9, 10], // (2, 2): m == high
      [1, 0], // (2, 0)
      [0.5, 11], // size out of range: only hue counts it
      [2, 5], // hue out of range: only size counts it
    ]);
    const balance = await computeBalance(db.pool, runId, axes, 3);
    expect(balance.measures[0]).toMatchObject({ counts: [3, 2, 3], outOfRange: 1 });
    expect(balance.measures[1]).toMatchObject({ counts: [4, 2, 2], outOfRange: 1 });
    expect(balance.pairs).toHaveLength(1);
    const [pair] = balance.pairs;
    expect(pair.first).toBe(0);
    expect(pair.second).toBe(1);
    expect(pair.counts).toEqual([
      [2, 0, 1],
      [0, 1, 0],
      [2, 0, 1],
    ]);
    expect(pair.proportions).toEqual(pair.counts.map((row) => row.map((n) => n / 7)));
    expect(pair.coverage).toBeCloseTo(5 / 9, 12);
    const p = [2, 1, 1, 2, 1].map((n) => n / 7);
    expect(pair.entropy).toBeCloseTo(-p.reduce((s, q) => s + q * Math.log(q), 0) / Math.log(9), 12);
  });

  it('reports an empty run as all zeros, with no max/min ratio', async () => {
    const runId = await createRun([[0, 1], [0, 1]]);
    const balance = await computeBalance(db.pool, runId, [unit('a'), unit('b')], 3);
    expect(balance.samples).toBe(0);
    for (const measure of balance.measures) {
      expect(measure).toMatchObject({ counts: [0, 0, 0], proportions: [0, 0, 0], entropy: 0, klFromUniform: 0, maxMinRatio: null, coverage: 0, outOfRange: 0 });
    }
    expect(balance.pairs).toEqual([{ first: 0, second: 1, counts: [[0, 0, 0], [0, 0, 0], [0, 0, 0]], proportions: [[0, 0, 0], [0, 0, 0], [0, 0, 0]], entropy: 0, coverage: 0 }]);
  });

  it('handles a single bin', async () => {
    const runId = await createRun();
    await insertSamples(runId, [[0.2], [0.7], [3]]);
    const [measure] = (await computeBalance(db.pool, runId, [unit('m')], 1)).measures;
    expect(measure).toMatchObject({ counts: [2], proportions: [1], entropy: 1, klFromUniform: 0, maxMinRatio: 1, coverage: 1, outOfRange: 1 });
  });

  it('gives every pair of three measures, and matches a reference computation on random data', async () => {
    const axes: MeasureAxis[] = [
      { name: 'x', low: 0, high: 1 },
      { name: 'y', low: -2, high: 2 },
      { name: 'z', low: 10, high: 20 },
    ];
    const runId = await createRun(axes.map((a) => [a.low, a.high]));
    const next = random(7);
    // Some values fall outside each range (about 10%), and z is skewed towards its low end.
    const samples = Array.from({ length: 500 }, () => [next() * 1.1 - 0.05, next() * 4.4 - 2.2, 10 + 10.5 * next() ** 2]);
    await insertSamples(runId, samples);
    const bins = 5;
    const balance = await computeBalance(db.pool, runId, axes, bins);
    expect(balance.samples).toBe(500);
    expect(balance.measures.map((m) => [m.index, m.name])).toEqual([[0, 'x'], [1, 'y'], [2, 'z']]);
    expect(balance.pairs.map((p) => [p.first, p.second])).toEqual([[0, 1], [0, 2], [1, 2]]);

    const binned = samples.map((s) => s.map((m, j) => binOf(m, axes[j], bins)));
    axes.forEach((axis, j) => {
      const counts = new Array<number>(bins).fill(0);
      for (const b of binned) if (b[j] >= 0) counts[b[j]]++;
      const expected = reference(counts);
      const measure = balance.measures[j];
      expect(measure.counts).toEqual(counts);
      expect(measure.outOfRange).toBe(binned.filter((b) => b[j] < 0).length);
      expect(measure.outOfRange).toBeGreaterThan(0);
      measure.proportions.forEach((p, i) => expect(p).toBeCloseTo(expected.proportions[i], 14));
      expect(measure.entropy).toBeCloseTo(expected.entropy, 12);
      expect(measure.klFromUniform).toBeCloseTo(expected.kl, 12);
      if (expected.ratio === null) expect(measure.maxMinRatio).toBeNull();
      else expect(measure.maxMinRatio).toBeCloseTo(expected.ratio, 12);
      expect(measure.coverage).toBe(expected.coverage);
    });
    for (const pair of balance.pairs) {
      const table = Array.from({ length: bins }, () => new Array<number>(bins).fill(0));
      for (const b of binned) if (b[pair.first] >= 0 && b[pair.second] >= 0) table[b[pair.first]][b[pair.second]]++;
      expect(pair.counts).toEqual(table);
      const expected = reference(table.flat());
      expect(pair.entropy).toBeCloseTo(expected.entropy, 12);
      expect(pair.coverage).toBe(expected.coverage);
      pair.proportions.flat().forEach((p, i) => expect(p).toBeCloseTo(expected.proportions[i], 14));
    }
  });

  it('works on a checked-out client as well as on the pool', async () => {
    const runId = await createRun();
    await insertSamples(runId, atCentres([1, 2]));
    const client = await db.pool.connect();
    try {
      const balance = await computeBalance(client, runId, [unit('m')], 2);
      expect(balance.measures[0].counts).toEqual([1, 2]);
    } finally {
      client.release();
    }
  });

  describe('validation', () => {
    /** A database that must never be asked anything. */
    const noQueries: Queryable = {
      query: (() => {
        throw new Error('no query may run before validation passes');
      }) as unknown as Queryable['query'],
    };
    const runId = randomUUID();

    async function inputError(promise: Promise<unknown>): Promise<UserError> {
      const error = await promise.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(InputError);
      expect((error as UserError).code).toBe('BAD_USER_INPUT');
      return error as UserError;
    }

    it.each([0, 101, 2.5, -3, Number.NaN])('rejects %p bins', async (bins) => {
      const error = await inputError(computeBalance(noQueries, runId, [unit('m')], bins));
      expect(error.field).toBe('bins');
      expect(error.message).toMatch(/^bins must be an integer from 1 to 100/);
    });

    it('rejects a call without axes', async () => {
      expect((await inputError(computeBalance(noQueries, runId, [], 10))).field).toBe('axes');
    });

    it.each([
      [1, 1],
      [2, 1],
      [0, Number.POSITIVE_INFINITY],
      [Number.NaN, 1],
      [-Number.MAX_VALUE, Number.MAX_VALUE],
    ])('rejects the range [%p, %p]', async (low, high) => {
      const error = await inputError(computeBalance(noQueries, runId, [unit('a'), { name: 'b', low, high }], 10));
      expect(error.field).toBe('axes[1]');
    });

    it('rejects a run id that is not a UUID', async () => {
      expect((await inputError(computeBalance(noQueries, "x'; DROP TABLE sample; --", [unit('m')], 10))).field).toBe('runId');
    });

    it('says when the run does not exist', async () => {
      await expect(computeBalance(db.pool, randomUUID(), [unit('m')], 10)).rejects.toBeInstanceOf(NotFoundError);
    });

    it('checks every run of a comparison before querying', async () => {
      expect((await inputError(compareBalance(noQueries, [], 10))).field).toBe('runIds');
      expect((await inputError(compareBalance(noQueries, [{ runId, axes: [unit('m')] }], 0))).field).toBe('bins');
      expect((await inputError(compareBalance(noQueries, [{ runId, axes: [unit('m')] }, { runId, axes: [{ name: 'm', low: 1, high: 0 }] }], 4))).field).toBe('runs[1].axes[0]');
      const error = await inputError(compareBalance(noQueries, [{ runId, axes: [unit('m')] }, { runId, axes: [unit('a'), unit('b')] }], 4));
      expect(error.field).toBe('runIds');
      expect(error.message).toMatch(/same number of measures; got 1, 2/);
    });
  });

  it('compares runs, in the order given', async () => {
    const qdgs = await createRun([[0, 1], [0, 1]]);
    const randomRun = await createRun([[0, 1], [0, 1]]);
    // QDGS: one sample in each of the 2 x 2 cells; random sampling: three quarters in one cell.
    await insertSamples(qdgs, [[0.25, 0.25], [0.25, 0.75], [0.75, 0.25], [0.75, 0.75]]);
    await insertSamples(randomRun, [[0.25, 0.25], [0.3, 0.3], [0.1, 0.2], [0.75, 0.75]]);
    const axes = [unit('a'), unit('b')];
    const [second, first] = await compareBalance(db.pool, [{ runId: randomRun, axes }, { runId: qdgs, axes }], 2);
    expect(second.runId).toBe(randomRun);
    expect(first.runId).toBe(qdgs);
    expect(first.measures.map((m) => m.entropy)).toEqual([1, 1]);
    expect(first.pairs[0]).toMatchObject({ counts: [[1, 1], [1, 1]], entropy: 1, coverage: 1 });
    expect(second.measures[0].counts).toEqual([3, 1]);
    expect(second.pairs[0]).toMatchObject({ counts: [[3, 0], [0, 1]], coverage: 0.5 });
    expect(second.pairs[0].entropy).toBeLessThan(first.pairs[0].entropy);
    expect(second.measures[0].klFromUniform).toBeGreaterThan(first.measures[0].klFromUniform);
  });

  it('reads 100,000 samples in one pass, and only the run rows through the run_id index', async () => {
    const big = await createRun([[-1, 1], [-1, 1]]);
    await db.pool.query(
      `INSERT INTO sample (run_id, latent, objective, measures, iteration)
       SELECT $1, '\\x', 0, ARRAY[sin(i * 0.37), cos(i * 0.11) * 1.05], 0 FROM generate_series(1, 100000) AS i`,
      [big],
    );
    const small = await createRun([[-1, 1], [-1, 1]]);
    await insertSamples(small, [[0, 0], [0.5, 0.5]]);
    await db.pool.query('ANALYZE sample');
    const axes = [{ name: 'a', low: -1, high: 1 }, { name: 'b', low: -1, high: 1 }];

    const times: number[] = [];
    let balance = await computeBalance(db.pool, big, axes, 10);
    for (let i = 0; i < 5; i++) {
      const start = process.hrtime.bigint();
      balance = await computeBalance(db.pool, big, axes, 10);
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    times.sort((a, b) => a - b);
    console.log(`computeBalance, 100,000 samples, 2 measures, 10 bins: median ${times[2].toFixed(1)} ms (min ${times[0].toFixed(1)}, max ${times[4].toFixed(1)})`);
    expect(balance.samples).toBe(100_000);
    expect(balance.measures[0].counts.reduce((a, b) => a + b, 0)).toBe(100_000);
    expect(balance.measures[1].outOfRange).toBeGreaterThan(0);
    expect(balance.pairs[0].counts.flat().reduce((a, b) => a + b, 0)).toBe(100_000 - balance.measures[1].outOfRange);

    // The plan of a small run among the 100,000 rows reads `sample` once, through an index on run_id.
    const { text, values } = balanceQuery(small, axes, 10);
    const { rows } = await db.pool.query(`EXPLAIN (FORMAT JSON) ${text}`, values);
    const scans: Array<{ type: string; index?: string }> = [];
    const walk = (node: Record<string, unknown>) => {
      if (node['Relation Name'] === 'sample') scans.push({ type: node['Node Type'] as string, index: node['Index Name'] as string | undefined });
      for (const child of (node.Plans as Array<Record<string, unknown>> | undefined) ?? []) walk(child);
    };
    walk(rows[0]['QUERY PLAN'][0].Plan);
    expect(scans).toHaveLength(1);
    expect(scans[0].index).toMatch(/^sample_run_id_(cell_index_key|id_idx)$/);
  });
});
