import { ALGORITHMS, ALGORITHM_DEFAULTS, createScheduler, resolveSettings, type AlgorithmConfig, type AlgorithmName } from '../../src/qd/algorithms';
import { EvolutionStrategyEmitter } from '../../src/qd/emitters/evolutionStrategyEmitter';
import { GaussianEmitter } from '../../src/qd/emitters/gaussianEmitter';
import { GradientArborescenceEmitter } from '../../src/qd/emitters/gradientArborescenceEmitter';
import { IsoLineEmitter } from '../../src/qd/emitters/isoLineEmitter';
import { PriorSamplingEmitter } from '../../src/qd/emitters/priorSamplingEmitter';
import { CmaEs } from '../../src/qd/optimizers/cmaEs';
import { GradientAscent } from '../../src/qd/optimizers/gradientAscent';
import { SepCmaEs } from '../../src/qd/optimizers/sepCmaEs';
import { expectConfigError } from './helpers';

const config = (algorithm: AlgorithmName, extra: Partial<AlgorithmConfig> = {}): AlgorithmConfig => ({
  algorithm,
  solutionDim: 6,
  dims: [10, 10],
  ranges: [
    [-15.36, 15.36],
    [-15.36, 15.36],
  ],
  seed: 1,
  ...extra,
});

describe('resolveSettings: defaults of spec section 5', () => {
  // The table of the sphere benchmark spec (pyribs v0.8.3 examples/sphere.py), 540 evaluations per iteration.
  const table: Record<string, object> = {
    map_elites: { emitters: 1, batchSize: 540, sigma0: 0.5, archiveLearningRate: 1 },
    cma_me: { emitters: 15, batchSize: 36, sigma0: 0.5, archiveLearningRate: 1, es: 'cma_es', ranker: '2imp', selectionRule: 'filter', restartRule: 'no_improvement' },
    cma_me_basic: { emitters: 15, batchSize: 36, sigma0: 0.5, archiveLearningRate: 1, es: 'cma_es', ranker: '2imp', selectionRule: 'mu', restartRule: 'basic' },
    cma_mae: { emitters: 15, batchSize: 36, sigma0: 0.5, archiveLearningRate: 0.01, thresholdMin: 0, es: 'sep_cma_es', ranker: 'imp', selectionRule: 'mu', restartRule: 'basic' },
    cma_mega: {
      emitters: 15,
      batchSize: 35,
      sigma0: 10,
      archiveLearningRate: 1,
      learningRate: 1,
      gradientOptimizer: 'gradient_ascent',
      ranker: '2imp',
      selectionRule: 'mu',
      restartRule: 'no_improvement',
      normalizeGradients: true,
    },
    cma_maega: {
      emitters: 15,
      batchSize: 35,
      sigma0: 10,
      archiveLearningRate: 0.01,
      thresholdMin: 0,
      learningRate: 1,
      gradientOptimizer: 'gradient_ascent',
      ranker: 'imp',
      selectionRule: 'filter',
      restartRule: 'basic',
      normalizeGradients: true,
    },
  };

  it.each(Object.keys(table))('%s', (algorithm) => {
    const settings = resolveSettings(config(algorithm as AlgorithmName));
    expect(settings).toMatchObject(table[algorithm]);
    expect(settings.variant).toBe('tutorial');
    const perIteration = settings.emitters * (settings.batchSize + (algorithm.endsWith('ega') ? 1 : 0));
    expect(perIteration).toBe(540);
  });

  it('accepts the spec harness name cma_me_imp as an alias of cma_me', () => {
    expect(resolveSettings(config('cma_me_imp'))).toEqual(resolveSettings(config('cma_me')));
  });

  it('covers every algorithm and keeps 540 evaluations per iteration for the extra presets', () => {
    expect([...ALGORITHMS].sort()).toEqual(Object.keys(ALGORITHM_DEFAULTS).sort());
    for (const algorithm of ['line_map_elites', 'random'] as const) {
      const s = resolveSettings(config(algorithm));
      expect(s.emitters * s.batchSize).toBe(540);
    }
    expect(resolveSettings(config('random')).sigma0).toBe(1);
  });

  it('lets explicit settings override the defaults, ignoring undefined ones', () => {
    const s = resolveSettings(config('cma_mae', { es: 'cma_es', batchSize: 20, sigma0: undefined, variant: 'pyribs' }));
    expect(s).toMatchObject({ es: 'cma_es', batchSize: 20, sigma0: 0.5, variant: 'pyribs', ranker: 'imp' });
    // The defaults table itself is not modified.
    expect(ALGORITHM_DEFAULTS.cma_mae.es).toBe('sep_cma_es');
  });

  it('rejects an unknown algorithm name, naming the algorithm parameter', () => {
    const error = expectConfigError(() => resolveSettings(config('nsga2' as AlgorithmName)), 'algorithm', "'map_elites'");
    for (const name of ALGORITHMS) expect(error.message).toContain(`'${name}'`);
    expectConfigError(() => createScheduler(config('' as AlgorithmName)), 'algorithm');
  });
});

describe('createScheduler', () => {
  it('builds MAP-Elites: one Gaussian emitter of 540 over an elitist archive', () => {
    const s = createScheduler(config('map_elites'));
    expect(s.emitters).toHaveLength(1);
    expect(s.emitters[0]).toBeInstanceOf(GaussianEmitter);
    expect(s.batchSize).toBe(540);
    expect(s.resultArchive).toBeNull();
    expect(s.archive.learningRate).toBe(1);
    expect(s.archive.thresholdMin).toBe(-Infinity);
    expect(s.archive.cells).toBe(100);
  });

  it('builds CMA-ME with 15 full CMA-ES emitters of 36', () => {
    const s = createScheduler(config('cma_me'));
    expect(s.emitters).toHaveLength(15);
    expect(s.batchSize).toBe(540);
    for (const e of s.emitters) {
      expect(e).toBeInstanceOf(EvolutionStrategyEmitter);
      const es = (e as EvolutionStrategyEmitter).es;
      expect(es).toBeInstanceOf(CmaEs);
      expect(es.sigma).toBe(0.5);
      expect((e as EvolutionStrategyEmitter).selectionRule).toBe('filter');
    }
    expect(s.resultArchive).toBeNull();
  });

  it('builds CMA-MAE: sep-CMA-ES emitters over an annealing archive plus an elitist result archive', () => {
    const s = createScheduler(config('cma_mae'));
    expect(s.archive.learningRate).toBe(0.01);
    expect(s.archive.thresholdMin).toBe(0);
    expect(s.resultArchive).not.toBeNull();
    expect(s.resultArchive?.learningRate).toBe(1);
    expect(s.resultArchive?.thresholdMin).toBe(-Infinity);
    expect(s.resultArchive?.cells).toBe(100);
    expect((s.emitters[0] as EvolutionStrategyEmitter).es).toBeInstanceOf(SepCmaEs);
    expect(createScheduler(config('cma_mae', { es: 'cma_es' })).emitters.every((e) => (e as EvolutionStrategyEmitter).es instanceof CmaEs)).toBe(true);
  });

  it('builds CMA-MEGA / CMA-MAEGA: 15 gradient-arborescence emitters, 15 + 525 evaluations', () => {
    for (const algorithm of ['cma_mega', 'cma_maega'] as const) {
      const s = createScheduler(config(algorithm));
      expect(s.isDqd).toBe(true);
      expect(s.dqdBatchSize).toBe(15);
      expect(s.batchSize).toBe(525);
      for (const e of s.emitters) {
        expect(e).toBeInstanceOf(GradientArborescenceEmitter);
        const g = e as GradientArborescenceEmitter;
        expect(g.optimizer).toBeInstanceOf(GradientAscent);
        expect(g.coefficientEs.sigma).toBe(10);
        expect(g.coefficientEs.dimension).toBe(3);
        expect(g.normalizeGradients).toBe(true);
      }
      expect(s.resultArchive === null).toBe(algorithm === 'cma_mega');
    }
  });

  it('builds the line-MAP-Elites and random-sampling baselines', () => {
    expect(createScheduler(config('line_map_elites')).emitters.every((e) => e instanceof IsoLineEmitter)).toBe(true);
    expect(createScheduler(config('random')).emitters[0]).toBeInstanceOf(PriorSamplingEmitter);
  });

  it('seeds emitters differently from one another, reproducibly from the seed', () => {
    const a = createScheduler(config('cma_me'));
    const b = createScheduler(config('cma_me'));
    const xa = a.ask().slice();
    expect(Array.from(b.ask())).toEqual(Array.from(xa));
    // Two emitters of one scheduler do not propose the same candidates.
    expect(Array.from(xa.subarray(0, 36 * 6))).not.toEqual(Array.from(xa.subarray(36 * 6, 72 * 6)));
    expect(Array.from(createScheduler(config('cma_me', { seed: 2 })).ask())).not.toEqual(Array.from(xa));
  });

  it('starts from x0 and validates the configuration', () => {
    const s = createScheduler(config('cma_mega', { x0: [1, 2, 3, 4, 5, 6] }));
    expect(Array.from(s.askDqd().subarray(0, 6))).toEqual([1, 2, 3, 4, 5, 6]);
    expectConfigError(() => createScheduler(config('map_elites', { solutionDim: 0 })), 'solutionDim');
    expectConfigError(() => createScheduler(config('map_elites', { seed: -1 })), 'seed');
    expectConfigError(() => createScheduler(config('map_elites', { emitters: 0 })), 'emitters');
    expectConfigError(() => createScheduler(config('map_elites', { x0: [1, 2] })), 'x0', '6 values');
    expectConfigError(() => createScheduler(config('map_elites', { dims: [10] })), 'ranges');
    expectConfigError(() => createScheduler(config('cma_mae', { archiveLearningRate: 2 })), 'learningRate');
  });
});
