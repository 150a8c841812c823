import os from 'node:os';
import type pg from 'pg';
import type { RunProgressEvent } from './runProgress';
import { publishRunProgress, type ClaimedRun } from './runStore';
import type { ArchiveDelta, RunFlush } from './runThreadProtocol';
import { inTransaction } from './transaction';

export interface FlushResult {
  /** False when another attempt took the run over: nothing was written. */
  persisted: boolean;
  cancelRequested: boolean;
}

/**
 * Writes one flush of a run in one transaction: the run's progress (fenced by the claim's
 * attempt), the changed samples and archive cells, thresholds, a metric row, the checkpoint,
 * and a progress NOTIFY that is delivered on commit. A reader sees the archive and the run's
 * statistics of the same iteration.
 *
 * Replays after a resume from an older checkpoint are harmless: an elite is only replaced by a
 * better one, thresholds only rise (elitist and annealed thresholds never decrease), and
 * metrics of an iteration are written once.
 */
export async function persistFlush(pool: pg.Pool, run: ClaimedRun, flush: RunFlush): Promise<FlushResult> {
  return inTransaction(pool, async (client) => {
    const { stats } = flush;
    const objMax = finiteOrNull(stats.objMax);
    const objMean = finiteOrNull(stats.objMean);
    const progress = await client.query<{ cancel_requested: boolean; iterations: number }>(
      `UPDATE run SET iteration = $3, evaluations = $4, qd_score = $5, norm_qd_score = $6, coverage = $7, num_elites = $8, obj_max = $9, obj_mean = $10,
              heartbeat_at = now(),
              time_share = jsonb_build_object(
                'models', COALESCE((time_share->>'models')::float8, 0) + $11,
                'optimizer', COALESCE((time_share->>'optimizer')::float8, 0) + $12,
                'database', COALESCE((time_share->>'database')::float8, 0) + $13)
        WHERE id = $1 AND attempts = $2 AND status = 'RUNNING'
        RETURNING cancel_requested, iterations`,
      [
        run.id, run.attempt, flush.iteration, flush.evaluations, stats.qdScore, stats.normQdScore, stats.coverage, stats.numElites, objMax, objMean,
        flush.timeSpent.models, flush.timeSpent.optimizer, flush.timeSpent.database,
      ],
    );
    const row = progress.rows[0];
    if (!row) return { persisted: false, cancelRequested: false };

    if (flush.delta.count > 0) await upsertElites(client, run, flush.delta);
    if (flush.delta.thresholdCells.length > 0) await raiseThresholds(client, run.id, flush.delta.thresholdCells, flush.delta.thresholdValues);
    const elapsedMs = Math.round(flush.elapsedMs);
    await client.query(
      `INSERT INTO run_metric (run_id, iteration, evaluations, qd_score, norm_qd_score, coverage, num_elites, obj_max, obj_mean, evals_per_second, elapsed_ms)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (run_id, iteration) DO NOTHING`,
      [run.id, flush.iteration, flush.evaluations, stats.qdScore, stats.normQdScore, stats.coverage, stats.numElites, objMax, objMean, flush.evalsPerSecond, elapsedMs],
    );
    if (flush.checkpoint) {
      await client.query(
        `INSERT INTO run_checkpoint (run_id, iteration, state, updated_at) VALUES ($1, $2, $3, now())
         ON CONFLICT (run_id) DO UPDATE SET iteration = excluded.iteration, state = excluded.state, updated_at = excluded.updated_at`,
        [run.id, flush.iteration, Buffer.from(flush.checkpoint.buffer, flush.checkpoint.byteOffset, flush.checkpoint.byteLength)],
      );
    }
    const event: RunProgressEvent = {
      runId: run.id,
      status: 'RUNNING',
      iteration: flush.iteration,
      iterations: row.iterations,
      evaluations: flush.evaluations,
      qdScore: stats.qdScore,
      normQdScore: stats.normQdScore,
      coverage: stats.coverage,
      numElites: stats.numElites,
      objMax,
      objMean,
      evalsPerSecond: flush.evalsPerSecond,
      elapsedMs,
      error: null,
    };
    await publishRunProgress(client, event);
    return { persisted: true, cancelRequested: row.cancel_requested };
  });
}

/**
 * One statement: upsert the samples (an elite only ever improves), point the archive cells at
 * the samples that changed, and raise the thresholds of the cells whose stored elite stayed.
 * Per-cell rows are slices of flat arrays: measures and coordinates by ordinality, latents
 * (Float32, little-endian) by byte offset into one bytea.
 */
async function upsertElites(client: pg.PoolClient, run: ClaimedRun, delta: ArchiveDelta): Promise<void> {
  const measureDim = delta.measures.length / delta.count;
  const latentBytes = (delta.solutions.length / delta.count) * Float32Array.BYTES_PER_ELEMENT;
  const dims = run.config.dims;
  await client.query(
    `WITH input AS (
       SELECT t.cell_index, t.objective, t.threshold, t.iteration, t.ord::int AS ord
         FROM unnest($2::int[], $3::float8[], $4::float8[], $5::int[]) WITH ORDINALITY AS t(cell_index, objective, threshold, iteration, ord)
     ), stored AS (
       INSERT INTO sample (run_id, cell_index, latent, objective, measures, iteration)
       SELECT $1::uuid, i.cell_index, substring($6::bytea FROM (i.ord - 1) * $7::int + 1 FOR $7::int), i.objective,
              ($8::float8[])[((i.ord - 1) * $9::int + 1):(i.ord * $9::int)], i.iteration
         FROM input i
       ON CONFLICT (run_id, cell_index) DO UPDATE
         SET latent = excluded.latent, objective = excluded.objective, measures = excluded.measures, iteration = excluded.iteration, created_at = now()
         WHERE excluded.objective > sample.objective
       RETURNING id, cell_index
     ), cells AS (
       INSERT INTO archive_cell (run_id, index, coordinates, objective, measures, threshold, sample_id, iteration)
       SELECT $1::uuid, i.cell_index, ($10::int[])[((i.ord - 1) * $11::int + 1):(i.ord * $11::int)], i.objective,
              ($8::float8[])[((i.ord - 1) * $9::int + 1):(i.ord * $9::int)], i.threshold, s.id, i.iteration
         FROM stored s JOIN input i ON i.cell_index = s.cell_index
       ON CONFLICT (run_id, index) DO UPDATE
         SET coordinates = excluded.coordinates, objective = excluded.objective, measures = excluded.measures,
             threshold = GREATEST(archive_cell.threshold, excluded.threshold), sample_id = excluded.sample_id, iteration = excluded.iteration
       RETURNING index
     )
     UPDATE archive_cell c SET threshold = GREATEST(c.threshold, i.threshold)
       FROM input i
      WHERE c.run_id = $1 AND c.index = i.cell_index AND i.cell_index NOT IN (SELECT cell_index FROM stored)`,
    [
      run.id,
      Array.from(delta.cells),
      Array.from(delta.objectives),
      Array.from(delta.thresholds),
      Array.from(delta.iterations),
      littleEndianBytes(delta.solutions),
      latentBytes,
      Array.from(delta.measures),
      measureDim,
      Array.from(gridCoordinates(delta.cells, dims)),
      dims.length,
    ],
  );
}

async function raiseThresholds(client: pg.PoolClient, runId: string, cells: Int32Array, thresholds: Float64Array): Promise<void> {
  await client.query(
    `UPDATE archive_cell c SET threshold = GREATEST(c.threshold, u.threshold)
       FROM unnest($2::int[], $3::float8[]) AS u(cell_index, threshold)
      WHERE c.run_id = $1 AND c.index = u.cell_index`,
    [runId, Array.from(cells), Array.from(thresholds)],
  );
}

/** Row-major grid coordinates (the last axis varies fastest, as GridArchive numbers cells). */
function gridCoordinates(cells: Int32Array, dims: readonly number[]): Int32Array {
  const k = dims.length;
  const out = new Int32Array(cells.length * k);
  for (let i = 0; i < cells.length; i++) {
    let rest = cells[i];
    for (let d = k - 1; d >= 0; d--) {
      out[i * k + d] = rest % dims[d];
      rest = Math.floor(rest / dims[d]);
    }
  }
  return out;
}

/** The stored latent format is Float32 little-endian whatever this machine's byte order. */
function littleEndianBytes(values: Float32Array): Buffer {
  if (os.endianness() === 'LE') return Buffer.from(values.buffer, values.byteOffset, values.byteLength);
  const bytes = Buffer.alloc(values.byteLength);
  for (let i = 0; i < values.length; i++) bytes.writeFloatLE(values[i], i * Float32Array.BYTES_PER_ELEMENT);
  return bytes;
}

function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}
