import client from 'prom-client';
import type { Database } from '../db/database';

/** Prometheus metrics of one process, served at /metrics. */
export class PlatformMetrics {
  readonly registry = new client.Registry();
  readonly evaluations: client.Counter;
  readonly flushSeconds: client.Histogram;
  readonly flushedCells: client.Counter;
  readonly requests: client.Counter<'operation'>;

  constructor(database: Database) {
    client.collectDefaultMetrics({ register: this.registry, prefix: 'qdgs_process_' });
    this.evaluations = new client.Counter({ name: 'qdgs_evaluations_total', help: 'Objective evaluations persisted by the run workers of this process.', registers: [this.registry] });
    this.flushSeconds = new client.Histogram({
      name: 'qdgs_flush_duration_seconds',
      help: 'Time to write one flush (cells, samples, metrics, checkpoint) in one transaction.',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [this.registry],
    });
    this.flushedCells = new client.Counter({ name: 'qdgs_flushed_cells_total', help: 'Archive cells written by the run workers of this process.', registers: [this.registry] });
    this.requests = new client.Counter({ name: 'qdgs_graphql_operations_total', help: 'GraphQL operations served, by operation type.', labelNames: ['operation'], registers: [this.registry] });
    new client.Gauge({
      name: 'qdgs_runs',
      help: 'Runs in the database by status (all accounts).',
      labelNames: ['status'],
      registers: [this.registry],
      async collect() {
        const { rows } = await database.pool.query<{ status: string; count: number }>(
          `SELECT s.status::text AS status, count(r.id)::int AS count
           FROM unnest(enum_range(NULL::run_status)) AS s(status) LEFT JOIN run r ON r.status = s.status GROUP BY s.status`,
        );
        this.reset();
        for (const row of rows) this.set({ status: row.status }, row.count);
      },
    });
  }

  /** What a run worker pool reports after each flush. */
  recordFlush(info: { cells: number; ms: number; evaluations?: number }): void {
    this.flushSeconds.observe(info.ms / 1000);
    this.flushedCells.inc(info.cells);
    if (info.evaluations) this.evaluations.inc(info.evaluations);
  }
}
