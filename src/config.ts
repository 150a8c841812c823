import path from 'node:path';

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

export function loadConfig(env: NodeJS.ProcessEnv = process.env): PlatformConfig {
  return {
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: path.resolve(env.QDGS_DATA_DIR || '.qdgs'),
    port: integerFrom(env, 'PORT', 4000, 0, 65535),
    host: env.HOST || '0.0.0.0',
    workerPoolSize: integerFrom(env, 'QDGS_WORKERS', 1, 0, 64),
    logLevel: env.LOG_LEVEL || 'info',
    runStaleAfterMs: 1000 * integerFrom(env, 'QDGS_RUN_STALE_SECONDS', 60, 1, 86_400),
  };
}
