/**
 * npm run bench:qd -- --domain sphere --algorithm cma_maega --dim 100 --iterations 2000 --seed 1 [--json]
 *
 * Runs one quality-diversity algorithm on a benchmark domain and reports the final archive
 * (the result archive for CMA-MAE / CMA-MAEGA) and the wall time. Per-algorithm defaults follow
 * pyribs v0.8.3's sphere example (shared/anchors/sphere-benchmark.md); every hyperparameter can
 * be overridden with a flag of the same name.
 */
import { parseArgs } from 'node:util';
import { ALGORITHMS, createScheduler, resolveSettings, type AlgorithmConfig, type AlgorithmName } from '../src/qd/algorithms';
import { ArmDomain } from '../src/qd/domains/arm';
import type { Domain } from '../src/qd/domains/domain';
import { SphereDomain } from '../src/qd/domains/sphere';
import { QdConfigError } from '../src/qd/errors';
import { runOnDomain } from '../src/qd/runOnDomain';

const DOMAINS = ['sphere', 'arm'] as const;

const USAGE = `Usage: npm run bench:qd -- [options]
  --domain sphere|arm          benchmark domain (default sphere)
  --algorithm NAME             ${ALGORITHMS.join(', ')} (default cma_maega)
  --dim N                      solution dimension (default 100)
  --iterations N               iterations (default 2000)
  --seed N                     seed (default 1)
  --cells N                    grid cells per measure axis (default 100)
  --every N                    print progress every N iterations (default: off)
  --json                       print one JSON line
 Hyperparameter overrides (defaults per algorithm):
  --emitters N --batch-size N --sigma0 X --archive-learning-rate A --threshold-min T
  --es cma_es|sep_cma_es|lm_ma_es --ranker imp|2imp --selection-rule mu|filter
  --restart-rule basic|no_improvement|N --learning-rate X --gradient-optimizer gradient_ascent|adam
  --iso-sigma X --line-sigma X --variant tutorial|pyribs --lazy-gap-factor X --no-eigen-bound`;

function main(): void {
  const { values } = parseArgs({
    options: {
      domain: { type: 'string', default: 'sphere' },
      algorithm: { type: 'string', default: 'cma_maega' },
      dim: { type: 'string', default: '100' },
      iterations: { type: 'string', default: '2000' },
      seed: { type: 'string', default: '1' },
      cells: { type: 'string', default: '100' },
      every: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
      emitters: { type: 'string' },
      'batch-size': { type: 'string' },
      sigma0: { type: 'string' },
      'archive-learning-rate': { type: 'string' },
      'threshold-min': { type: 'string' },
      es: { type: 'string' },
      ranker: { type: 'string' },
      'selection-rule': { type: 'string' },
      'restart-rule': { type: 'string' },
      'learning-rate': { type: 'string' },
      'gradient-optimizer': { type: 'string' },
      'iso-sigma': { type: 'string' },
      'line-sigma': { type: 'string' },
      variant: { type: 'string' },
      'lazy-gap-factor': { type: 'string' },
      'no-eigen-bound': { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const number = (name: string, text: string | undefined): number | undefined => {
    if (text === undefined) return undefined;
    const value = Number(text);
    if (text.trim() === '' || Number.isNaN(value)) throw new QdConfigError(`--${name}`, 'a number', text);
    return value;
  };
  const domainName = values.domain as (typeof DOMAINS)[number];
  if (!DOMAINS.includes(domainName)) throw new QdConfigError('--domain', DOMAINS.join(' or '), values.domain);
  const dim = number('dim', values.dim)!;
  const domain: Domain = domainName === 'sphere' ? new SphereDomain(dim) : new ArmDomain(dim);
  const cells = number('cells', values.cells)!;
  const restartRule = values['restart-rule'];
  const config: AlgorithmConfig = {
    algorithm: values.algorithm as AlgorithmName,
    solutionDim: domain.solutionDim,
    dims: domain.measureRanges.map(() => cells),
    ranges: domain.measureRanges,
    seed: number('seed', values.seed)!,
    emitters: number('emitters', values.emitters),
    batchSize: number('batch-size', values['batch-size']),
    sigma0: number('sigma0', values.sigma0),
    archiveLearningRate: number('archive-learning-rate', values['archive-learning-rate']),
    thresholdMin: number('threshold-min', values['threshold-min']),
    es: values.es as AlgorithmConfig['es'],
    ranker: values.ranker as AlgorithmConfig['ranker'],
    selectionRule: values['selection-rule'] as AlgorithmConfig['selectionRule'],
    restartRule: restartRule === undefined || restartRule === 'basic' || restartRule === 'no_improvement' ? restartRule : number('restart-rule', restartRule),
    learningRate: number('learning-rate', values['learning-rate']),
    gradientOptimizer: values['gradient-optimizer'] as AlgorithmConfig['gradientOptimizer'],
    isoSigma: number('iso-sigma', values['iso-sigma']),
    lineSigma: number('line-sigma', values['line-sigma']),
    variant: values.variant as AlgorithmConfig['variant'],
    lazyGapFactor: number('lazy-gap-factor', values['lazy-gap-factor']),
    boundEigenCost: values['no-eigen-bound'] ? false : undefined,
  };
  const settings = resolveSettings(config);
  const scheduler = createScheduler(config);
  const iterations = number('iterations', values.iterations)!;
  const every = number('every', values.every);
  const result = runOnDomain(scheduler, domain, iterations, {
    every: every ?? 1,
    onIteration: every
      ? (p) => console.error(`iteration ${p.iteration}: normQD ${p.normQdScore.toFixed(2)} coverage ${p.coverage.toFixed(4)} objMax ${p.objMax.toFixed(3)}`)
      : undefined,
  });
  const stats = scheduler.stats();
  const report = {
    algorithm: config.algorithm,
    domain: domain.name,
    dim,
    iterations,
    evaluations: result.evaluations,
    qdScore: stats.qdScore,
    normQdScore: stats.normQdScore,
    coverage: stats.coverage,
    objMax: stats.objMax,
    seconds: result.seconds,
    objectiveSeconds: result.evaluationSeconds,
    seed: config.seed,
    variant: settings.variant,
    restarts: scheduler.emitters.reduce((sum, e) => sum + e.restarts, 0),
  };
  if (values.json) {
    console.log(JSON.stringify(report));
    return;
  }
  console.log(`${report.algorithm} on ${report.domain} (dim ${dim}), ${iterations} iterations, ${report.evaluations} evaluations, seed ${report.seed}`);
  console.log(`  normalised QD score ${report.normQdScore.toFixed(2)}  (QD score ${report.qdScore.toFixed(1)})`);
  console.log(`  coverage            ${(100 * report.coverage).toFixed(2)}%`);
  console.log(`  best objective      ${report.objMax.toFixed(4)}`);
  console.log(`  wall time           ${report.seconds.toFixed(2)} s (${((100 * (report.seconds - report.objectiveSeconds)) / report.seconds).toFixed(1)}% outside the objective function)`);
  console.log(`  restarts            ${report.restarts}`);
}

try {
  main();
} catch (error) {
  if (error instanceof QdConfigError) {
    console.error(`error [${error.code}]: ${error.message}\n\n${USAGE}`);
    process.exit(2);
  }
  throw error;
}
