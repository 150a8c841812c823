import { ALGORITHMS, resolveSettings, type AlgorithmConfig, type AlgorithmName, type AlgorithmSettings } from '../qd/algorithms';
import type { Domain } from '../qd/domains/domain';
import { SphereDomain } from '../qd/domains/sphere';
import { SELECTION_RULES } from '../qd/emitters/emitter';
import { decodeNumber, encodeNumber } from '../qd/serialization';
import { InputError } from '../errors';

export const RUN_DOMAINS = ['sphere'] as const;
export type RunDomain = (typeof RUN_DOMAINS)[number];

/** Hyperparameter overrides; names and meanings are those of `npm run bench:qd`'s flags. */
export type SettingsOverrides = {
  [K in keyof AlgorithmSettings]?: K extends 'restartRule' ? string : AlgorithmSettings[K] extends string ? string : AlgorithmSettings[K];
};

/** What a user asks for when starting a run; everything but the domain has a default. */
export interface RunRequest {
  domain: string;
  algorithm?: string;
  /** Solution dimension of the sphere domain. */
  dim?: number;
  iterations?: number;
  seed?: number;
  /** Grid cells per measure axis. */
  cells?: number;
  /** Progress and archive changes are written at most this often (milliseconds). */
  flushIntervalMs?: number;
  /** The optimiser's state is saved with a flush when this much time passed since the last save. */
  checkpointIntervalMs?: number;
  settings?: SettingsOverrides;
}

/** The fully resolved configuration stored on the Run (JSON-safe: -Infinity is written as "-Infinity"). */
export interface RunConfig {
  domain: RunDomain;
  algorithm: AlgorithmName;
  dim: number;
  iterations: number;
  seed: number;
  cells: number;
  dims: number[];
  ranges: Array<[number, number]>;
  measureNames: string[];
  flushIntervalMs: number;
  checkpointIntervalMs: number;
  settings: Record<keyof AlgorithmSettings, number | string | boolean>;
}

export const RUN_DEFAULTS = { algorithm: 'cma_maega', dim: 100, iterations: 2000, seed: 1, cells: 100, flushIntervalMs: 250, checkpointIntervalMs: 10_000 } as const;

export const RUN_LIMITS = {
  dim: [1, 10_000],
  iterations: [1, 10_000_000],
  seed: [0, 2_147_483_647],
  cells: [1, 1000],
  flushIntervalMs: [20, 600_000],
  checkpointIntervalMs: [0, 86_400_000],
  emitters: [1, 1000],
  batchSize: [1, 100_000],
} as const;

const ENUM_SETTINGS: Record<string, readonly string[]> = {
  es: ['cma_es', 'sep_cma_es', 'lm_ma_es'],
  ranker: ['imp', '2imp'],
  selectionRule: SELECTION_RULES,
  gradientOptimizer: ['gradient_ascent', 'adam'],
  variant: ['tutorial', 'pyribs'],
};
const POSITIVE_SETTINGS = ['sigma0', 'learningRate', 'isoSigma', 'lineSigma'] as const;

function integerIn(field: string, value: number | undefined, fallback: number, [min, max]: readonly [number, number]): number {
  const resolved = value ?? fallback;
  if (!Number.isInteger(resolved) || resolved < min || resolved > max) throw new InputError(field, `must be an integer from ${min} to ${max}; got ${resolved}`);
  return resolved;
}

function resolveRestartRule(text: string | undefined): AlgorithmSettings['restartRule'] | undefined {
  if (text === undefined || text === 'basic' || text === 'no_improvement') return text;
  const generations = Number(text);
  if (!/^\d+$/.test(text) || generations < 1) throw new InputError('settings.restartRule', `must be "basic", "no_improvement" or a whole number of generations >= 1; got "${text}"`);
  return generations;
}

function validateSettings(overrides: SettingsOverrides): void {
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined || value === null) continue;
    const field = `settings.${key}`;
    if (key in ENUM_SETTINGS) {
      if (!ENUM_SETTINGS[key].includes(value as string)) throw new InputError(field, `must be one of ${ENUM_SETTINGS[key].join(', ')}; got "${value}"`);
    } else if (key === 'emitters' || key === 'batchSize') {
      integerIn(field, value as number, 0, RUN_LIMITS[key]);
    } else if ((POSITIVE_SETTINGS as readonly string[]).includes(key)) {
      if (!(Number.isFinite(value) && (value as number) > 0)) throw new InputError(field, `must be a finite number > 0; got ${value}`);
    } else if (key === 'archiveLearningRate') {
      if (!(Number.isFinite(value) && (value as number) > 0 && (value as number) <= 1)) throw new InputError(field, `must be in (0, 1]; got ${value}`);
    } else if (key === 'thresholdMin' || key === 'lazyGapFactor') {
      if (!Number.isFinite(value) || (key === 'lazyGapFactor' && (value as number) < 0)) throw new InputError(field, `must be a finite number${key === 'lazyGapFactor' ? ' >= 0' : ''}; got ${value}`);
    } else if (key !== 'normalizeGradients' && key !== 'boundEigenCost' && key !== 'restartRule') {
      throw new InputError(field, 'is not a setting of the engine');
    }
  }
}

/** Checks a run request and fills in every default; throws InputError naming the offending field. */
export function resolveRunConfig(request: RunRequest): RunConfig {
  if (!(RUN_DOMAINS as readonly string[]).includes(request.domain)) {
    throw new InputError('domain', `must be one of ${RUN_DOMAINS.join(', ')}; got "${request.domain}"`);
  }
  const algorithm = (request.algorithm ?? RUN_DEFAULTS.algorithm) as AlgorithmName;
  if (!ALGORITHMS.includes(algorithm)) throw new InputError('algorithm', `must be one of ${ALGORITHMS.join(', ')}; got "${request.algorithm}"`);
  const dim = integerIn('dim', request.dim, RUN_DEFAULTS.dim, RUN_LIMITS.dim);
  const iterations = integerIn('iterations', request.iterations, RUN_DEFAULTS.iterations, RUN_LIMITS.iterations);
  const seed = integerIn('seed', request.seed, RUN_DEFAULTS.seed, RUN_LIMITS.seed);
  const cells = integerIn('cells', request.cells, RUN_DEFAULTS.cells, RUN_LIMITS.cells);
  const flushIntervalMs = integerIn('flushIntervalMs', request.flushIntervalMs, RUN_DEFAULTS.flushIntervalMs, RUN_LIMITS.flushIntervalMs);
  const checkpointIntervalMs = integerIn('checkpointIntervalMs', request.checkpointIntervalMs, RUN_DEFAULTS.checkpointIntervalMs, RUN_LIMITS.checkpointIntervalMs);
  const overrides = request.settings ?? {};
  validateSettings(overrides);
  const domain = new SphereDomain(dim);
  const settings = resolveSettings({
    algorithm,
    solutionDim: dim,
    dims: domain.measureRanges.map(() => cells),
    ranges: domain.measureRanges,
    seed,
    ...(overrides as Partial<AlgorithmSettings>),
    restartRule: resolveRestartRule(overrides.restartRule),
  });
  const stored = {} as RunConfig['settings'];
  for (const [key, value] of Object.entries(settings) as Array<[keyof AlgorithmSettings, AlgorithmSettings[keyof AlgorithmSettings]]>) {
    stored[key] = typeof value === 'number' ? encodeNumber(value) : value;
  }
  return {
    domain: 'sphere',
    algorithm,
    dim,
    iterations,
    seed,
    cells,
    dims: domain.measureRanges.map(() => cells),
    ranges: domain.measureRanges,
    measureNames: domain.measureRanges.map((_, j) => `measure${j + 1}`),
    flushIntervalMs,
    checkpointIntervalMs,
    settings: stored,
  };
}

/** The engine configuration of a stored run (what `createScheduler` takes). */
export function algorithmConfigOf(config: RunConfig): AlgorithmConfig {
  const settings = {} as Record<string, unknown>;
  for (const [key, value] of Object.entries(config.settings)) {
    settings[key] = typeof value === 'string' && (key === 'thresholdMin' || /^-?Infinity$/.test(value)) ? decodeNumber(value) : value;
  }
  return { ...(settings as Partial<AlgorithmSettings>), algorithm: config.algorithm, solutionDim: config.dim, dims: config.dims, ranges: config.ranges, seed: config.seed };
}

export function createRunDomain(config: RunConfig): Domain {
  switch (config.domain) {
    case 'sphere':
      return new SphereDomain(config.dim);
  }
}
