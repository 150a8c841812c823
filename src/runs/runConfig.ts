import { ALGORITHMS, resolveSettings, type AlgorithmConfig, type AlgorithmName, type AlgorithmSettings } from '../qd/algorithms';
import { SphereDomain } from '../qd/domains/sphere';
import { SELECTION_RULES } from '../qd/emitters/emitter';
import { decodeNumber, encodeNumber } from '../qd/serialization';
import { InputError } from '../errors';
import { integerIn } from './requestFields';
import type { GenerativeSettings } from './generativeRunConfig';
import { GENERATIVE_DEFAULTS, GENERATIVE_REQUEST_FIELDS, generativeAlgorithmDefaults, resolveGenerativeSettings, type GenerativeRequest, type GenerativeResources } from './generativeRunRequest';

export const RUN_DOMAINS = ['sphere', 'generative'] as const;
export type RunDomain = (typeof RUN_DOMAINS)[number];

/** Hyperparameter overrides; names and meanings are those of `npm run bench:qd`'s flags. */
export type SettingsOverrides = {
  [K in keyof AlgorithmSettings]?: K extends 'restartRule' ? string : AlgorithmSettings[K] extends string ? string : AlgorithmSettings[K];
};

/** The fields every domain's run request has. */
export interface BaseRunRequest {
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

/** What a user asks for when starting a run; everything but the domain has a default. */
export type RunRequest = GenerativeRequest;

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
  /** Present exactly when domain is "generative". */
  generative?: GenerativeSettings;
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
export function resolveRunConfig(request: RunRequest, resources?: GenerativeResources): RunConfig {
  if (!(RUN_DOMAINS as readonly string[]).includes(request.domain)) {
    throw new InputError('domain', `must be one of ${RUN_DOMAINS.join(', ')}; got "${request.domain}"`);
  }
  const algorithm = (request.algorithm ?? RUN_DEFAULTS.algorithm) as AlgorithmName;
  if (!ALGORITHMS.includes(algorithm)) throw new InputError('algorithm', `must be one of ${ALGORITHMS.join(', ')}; got "${request.algorithm}"`);
  const generative = request.domain === 'generative';
  if (generative) {
    for (const field of ['dim', 'cells'] as const) {
      if (request[field] != null) throw new InputError(field, `does not apply to generative runs: the generator's latent size and the prompt set's measure resolutions set it`);
    }
  } else {
    for (const field of GENERATIVE_REQUEST_FIELDS) {
      if (request[field] != null) throw new InputError(field, 'applies only to generative runs');
    }
  }
  const iterations = integerIn('iterations', request.iterations, generative ? GENERATIVE_DEFAULTS.iterations : RUN_DEFAULTS.iterations, RUN_LIMITS.iterations);
  const seed = integerIn('seed', request.seed, RUN_DEFAULTS.seed, RUN_LIMITS.seed);
  const flushIntervalMs = integerIn('flushIntervalMs', request.flushIntervalMs, RUN_DEFAULTS.flushIntervalMs, RUN_LIMITS.flushIntervalMs);
  const checkpointIntervalMs = integerIn('checkpointIntervalMs', request.checkpointIntervalMs, RUN_DEFAULTS.checkpointIntervalMs, RUN_LIMITS.checkpointIntervalMs);
  const overrides = request.settings ?? {};
  validateSettings(overrides);

  let space: { dim: number; cells: number; dims: number[]; ranges: Array<[number, number]>; measureNames: string[] };
  let generativeSettings: GenerativeSettings | undefined;
  let domainDefaults: Partial<AlgorithmSettings> = {};
  if (generative) {
    if (!resources) throw new InputError('promptSetId', 'is required for generative runs, with generatorId and scorerId');
    generativeSettings = resolveGenerativeSettings(request, resources);
    const measures = resources.promptSet.measures;
    space = {
      dim: resources.generator.latentDim,
      cells: Math.max(...measures.map((m) => m.resolution)),
      dims: measures.map((m) => m.resolution),
      ranges: measures.map((m) => [m.low, m.high]),
      measureNames: measures.map((m) => m.name),
    };
    domainDefaults = generativeAlgorithmDefaults(algorithm, generativeSettings);
  } else {
    const dim = integerIn('dim', request.dim, RUN_DEFAULTS.dim, RUN_LIMITS.dim);
    const cells = integerIn('cells', request.cells, RUN_DEFAULTS.cells, RUN_LIMITS.cells);
    const ranges = new SphereDomain(dim).measureRanges;
    space = { dim, cells, dims: ranges.map(() => cells), ranges, measureNames: ranges.map((_, j) => `measure${j + 1}`) };
  }
  const settings = resolveSettings({
    algorithm,
    solutionDim: space.dim,
    dims: space.dims,
    ranges: space.ranges,
    seed,
    ...domainDefaults,
    ...(overrides as Partial<AlgorithmSettings>),
    restartRule: resolveRestartRule(overrides.restartRule) ?? domainDefaults.restartRule,
  });
  const stored = {} as RunConfig['settings'];
  for (const [key, value] of Object.entries(settings) as Array<[keyof AlgorithmSettings, AlgorithmSettings[keyof AlgorithmSettings]]>) {
    stored[key] = typeof value === 'number' ? encodeNumber(value) : value;
  }
  return {
    domain: request.domain as RunDomain,
    algorithm,
    ...space,
    iterations,
    seed,
    flushIntervalMs,
    checkpointIntervalMs,
    settings: stored,
    ...(generativeSettings ? { generative: generativeSettings } : {}),
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
