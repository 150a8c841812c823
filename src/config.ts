import path from 'node:path';
import { defaultModelsDir } from './models/runtime/modelPaths';

/** Everything the server and the worker processes read from the environment, in one place. */
export interface PlatformConfig {
  /** External PostgreSQL; when absent an embedded PostgreSQL is started under `dataDir`. */
  databaseUrl: string | undefined;
  /** Where the embedded PostgreSQL keeps its data (QDGS_DATA_DIR, default ./.qdgs). */
  dataDir: string;
  port: number;
  host: string;
  /** Worker threads that execute runs inside this process (QDGS_WORKERS, default 1; 0 = none). */
  workerPoolSize: number;
  logLevel: string;
  /** A running run whose worker has not been heard of for this long is queued again (QDGS_RUN_STALE_SECONDS, default 60). */
  runStaleAfterMs: number;
  /** The models root: model bundles are registered by paths relative to it and never opened outside it (QDGS_MODELS_DIR, default <project>/models). */
  modelsDir: string;
  /** On the first start against an empty database, register the bundled shapes models and a demo project for the admin (QDGS_DEMO_CONTENT, default true). */
  demoContent: boolean;
}

export class ConfigError extends Error {
  constructor(variable: string, expected: string, received: string) {
    super(`${variable} must be ${expected}; got "${received}"`);
    this.name = 'ConfigError';
  }
}

function integerFrom(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) throw new ConfigError(name, `an integer in [${min}, ${max}]`, text);
  return value;
}

function booleanFrom(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  if (/^(1|true|yes|on)$/i.test(text)) return true;
  if (/^(0|false|no|off)$/i.test(text)) return false;
  throw new ConfigError(name, 'true or false (1/0, yes/no, on/off)', text);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): PlatformConfig {
  return {
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: path.resolve(env.QDGS_DATA_DIR || '.qdgs'),
    port: integerFrom(env, 'PORT', 4000, 0, 65535),
    host: env.HOST || '0.0.0.0',
    workerPoolSize: integerFrom(env, 'QDGS_WORKERS', 1, 0, 64),
    logLevel: env.LOG_LEVEL || 'info',
    runStaleAfterMs: 1000 * integerFrom(env, 'QDGS_RUN_STALE_SECONDS', 60, 1, 86_400),
    modelsDir: path.resolve(env.QDGS_MODELS_DIR || defaultModelsDir()),
    demoContent: booleanFrom(env, 'QDGS_DEMO_CONTENT', true),
  };
}
