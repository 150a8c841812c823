/**
 * npm run bench:qd:table -- [--dims 100,1000] [--seeds 1,2,3] [--iterations 2000] [--rows a,b] [--jobs 1] [--out FILE] [--from FILE]
 *
 * Runs the sphere benchmark matrix of shared/anchors/sphere-benchmark.md (each configuration
 * in its own process through bench/qd) and prints a markdown table of our medians over seeds
 * beside pyribs v0.8.3's reference numbers. Wall times are those of the first seed's run; run
 * with --jobs 1 on an otherwise idle machine when the times matter (two runs side by side on
 * 2 vCPUs take roughly twice as long). Results are appended to a JSONL file; --from renders a
 * table from such a file without running anything; --times FILE takes the wall times (seed 1)
 * from another results file, e.g. a timing-only rerun on an idle machine. With --repeat N each
 * run is repeated N times and the table quotes the median wall time (runs are deterministic, so
 * the scores of repeats are identical and counted once).
 */
import { execFile } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs, promisify } from 'node:util';

const run = promisify(execFile);

interface Row {
  id: string;
  label: string;
  args: string[];
  /** pyribs reference: [normQD, coverage, wall s] at dim 100 and 1000 (null: not measured). */
  reference: Record<number, [number, number, number | null] | null>;
}

const ROWS: Row[] = [
  { id: 'cma_maega', label: 'cma_maega', args: ['--algorithm', 'cma_maega'], reference: { 100: [75.31, 0.9996, 17.8], 1000: [75.31, 0.9996, 51.5] } },
  { id: 'cma_mega', label: 'cma_mega', args: ['--algorithm', 'cma_mega'], reference: { 100: [75.34, 1.0, 12.3], 1000: [75.35, 1.0, 42.8] } },
  { id: 'cma_mae', label: 'cma_mae (sep-CMA-ES)', args: ['--algorithm', 'cma_mae'], reference: { 100: [58.6, 0.7686, 12.0], 1000: [2.89, 0.03, 50.1] } },
  { id: 'cma_mae_full', label: 'cma_mae (full CMA-ES)', args: ['--algorithm', 'cma_mae', '--es', 'cma_es'], reference: { 100: [56.34, 0.7366, null], 1000: null } },
  { id: 'cma_me', label: 'cma_me (imp, filter, no_improvement)', args: ['--algorithm', 'cma_me'], reference: { 100: [42.84, 0.5201, 15.8], 1000: [1.69, 0.0187, 184.1] } },
  { id: 'cma_me_basic', label: 'cma_me (basic)', args: ['--algorithm', 'cma_me_basic'], reference: { 100: [39.32, 0.466, null], 1000: null } },
  { id: 'map_elites', label: 'map_elites', args: ['--algorithm', 'map_elites'], reference: { 100: [33.24, 0.4009, 3.8], 1000: [1.52, 0.017, 39.5] } },
  { id: 'line_map_elites', label: 'line_map_elites', args: ['--algorithm', 'line_map_elites'], reference: { 100: null, 1000: null } },
  { id: 'random', label: 'random (prior N(0, I))', args: ['--algorithm', 'random'], reference: { 100: null, 1000: null } },
];

interface Result {
  row: string;
  dim: number;
  seed: number;
  variant: string;
  normQdScore: number;
  coverage: number;
  seconds: number;
  objectiveSeconds: number;
  iterations: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      dims: { type: 'string', default: '100,1000' },
      seeds: { type: 'string', default: '1,2,3' },
      iterations: { type: 'string', default: '2000' },
      rows: { type: 'string' },
      variant: { type: 'string', default: 'tutorial' },
      jobs: { type: 'string', default: '1' },
      out: { type: 'string' },
      from: { type: 'string' },
      extra: { type: 'string', default: '' },
      times: { type: 'string' },
      repeat: { type: 'string', default: '1' },
    },
  });
  const dims = values.dims!.split(',').map(Number);
  const rows = values.rows ? ROWS.filter((r) => values.rows!.split(',').includes(r.id)) : ROWS;
  const timings = values.times ? readResults(values.times) : undefined;
  if (values.from) {
    printTable(readResults(values.from), rows, dims, timings);
    return;
  }
  const seeds = values.seeds!.split(',').map(Number);
  const out = values.out ?? join('bench', 'results', `sphere-${new Date().toISOString().replace(/[:.]/g, '-')}.jsonl`);
  if (!existsSync(dirname(out))) mkdirSync(dirname(out), { recursive: true });
  const tasks: Array<() => Promise<void>> = [];
  for (const dim of dims) {
    for (const row of rows) {
      if (dim !== 100 && row.reference[dim] === null && row.id !== 'line_map_elites' && row.id !== 'random') continue;
      for (const seed of seeds) for (let repeat = 0; repeat < Number(values.repeat); repeat++) {
        tasks.push(async () => {
          const args = [join(__dirname, 'qd.js'), ...row.args, '--dim', String(dim), '--seed', String(seed), '--iterations', values.iterations!, '--variant', values.variant!, '--json'];
          if (values.extra) args.push(...values.extra.split(' '));
          const { stdout } = await run(process.execPath, args, { maxBuffer: 1 << 20 });
          const report = JSON.parse(stdout.trim().split('\n').pop()!);
          const result: Result = { row: row.id, dim, seed, variant: values.variant!, normQdScore: report.normQdScore, coverage: report.coverage, seconds: report.seconds, objectiveSeconds: report.objectiveSeconds, iterations: report.iterations };
          appendFileSync(out, JSON.stringify(result) + '\n');
          console.error(`${row.id} dim ${dim} seed ${seed}: normQD ${result.normQdScore.toFixed(2)} coverage ${result.coverage.toFixed(4)} ${result.seconds.toFixed(1)} s`);
        });
      }
    }
  }
  const jobs = Number(values.jobs);
  let next = 0;
  await Promise.all(
    Array.from({ length: jobs }, async () => {
      while (next < tasks.length) await tasks[next++]();
    }),
  );
  console.error(`results: ${out}`);
  printTable(readResults(out), rows, dims, timings);
}

function readResults(file: string): Result[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as Result);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function printTable(results: Result[], rows: Row[], dims: number[], timings?: Result[]): void {
  const header = ['algorithm'];
  for (const dim of dims) header.push(`dim ${dim} normQD (ours / pyribs)`, 'coverage (ours / pyribs)', 'wall s (ours / pyribs)', 'outside objective');
  console.log(`| ${header.join(' | ')} |`);
  console.log(`|${header.map(() => '---').join('|')}|`);
  for (const row of rows) {
    const cells = [row.label];
    for (const dim of dims) {
      const mine = results.filter((r) => r.row === row.id && r.dim === dim);
      const ref = row.reference[dim] ?? null;
      if (mine.length === 0) {
        cells.push('—', '—', '—', '—');
        continue;
      }
      const timed = timings?.filter((r) => r.row === row.id && r.dim === dim) ?? [];
      const timedRuns = timed.length > 0 ? timed : mine;
      const firstSeed = Math.min(...timedRuns.map((r) => r.seed));
      const firstRuns = timedRuns.filter((r) => r.seed === firstSeed);
      const first = { seconds: median(firstRuns.map((r) => r.seconds)), objectiveSeconds: median(firstRuns.map((r) => r.objectiveSeconds)) };
      const perSeed = [...new Map(mine.map((r) => [r.seed, r])).values()];
      const normQd = median(perSeed.map((r) => r.normQdScore));
      const spread = `${Math.min(...perSeed.map((r) => r.normQdScore)).toFixed(2)}–${Math.max(...perSeed.map((r) => r.normQdScore)).toFixed(2)}`;
      cells.push(
        `${normQd.toFixed(2)} [${spread}] / ${ref ? ref[0].toFixed(2) : '—'}`,
        `${median(perSeed.map((r) => r.coverage)).toFixed(4)} / ${ref ? ref[1].toFixed(4) : '—'}`,
        `${first.seconds.toFixed(1)} / ${ref && ref[2] !== null ? ref[2].toFixed(1) : '—'}${ref && ref[2] !== null ? ` (${(first.seconds / ref[2]).toFixed(2)}x)` : ''}`,
        `${((100 * (first.seconds - first.objectiveSeconds)) / first.seconds).toFixed(0)}%`,
      );
    }
    console.log(`| ${cells.join(' | ')} |`);
  }
  console.log(`\n${results.length} runs, ${results[0]?.iterations ?? '?'} iterations x 540 evaluations each; normQD and coverage: median over seeds [min–max]; wall time: first seed (median of its repeats).`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
