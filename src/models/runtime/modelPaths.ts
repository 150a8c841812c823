import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../projectRoot';
import { describeError, ModelError } from './modelErrors';

/**
 * Where model bundles live. Users name a bundle by a path relative to one models root; the
 * platform must never open anything outside it, whether the path escapes lexically
 * (`../secrets`, `/etc`) or through a symbolic link inside the root that points elsewhere.
 */

/** The models bundled with the project (models/ at the project root), the default models root. */
export function defaultModelsDir(): string {
  return path.join(projectRoot(), 'models');
}

function isInside(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/**
 * The real (symlink-free) absolute path of the bundle directory `relative` under `root`.
 * `relative` may also be an absolute path, accepted only when it lies inside `root`.
 * Throws ModelError PATH_OUTSIDE_ROOT when the path, or the real path it resolves to, lies
 * outside the root; MODEL_NOT_FOUND when it does not exist or is not a directory.
 */
export function resolveModelDir(root: string, relative: string): string {
  if (relative.includes('\0')) {
    throw new ModelError('PATH_OUTSIDE_ROOT', JSON.stringify(relative), 'a model path may not contain NUL characters');
  }
  const lexicalRoot = path.resolve(root);
  const lexicalTarget = path.resolve(lexicalRoot, relative);
  if (!isInside(lexicalRoot, lexicalTarget)) {
    throw new ModelError('PATH_OUTSIDE_ROOT', relative, 'expected a path inside the models root');
  }
  let realRoot: string;
  try {
    realRoot = fs.realpathSync(lexicalRoot);
  } catch (error) {
    throw new ModelError('MODEL_NOT_FOUND', lexicalRoot, `the models root does not exist (${describeError(error)})`, { cause: error });
  }
  let realTarget: string;
  try {
    realTarget = fs.realpathSync(lexicalTarget);
  } catch (error) {
    throw new ModelError('MODEL_NOT_FOUND', relative, 'no model bundle at this path under the models root', { cause: error });
  }
  if (!isInside(realRoot, realTarget)) {
    throw new ModelError('PATH_OUTSIDE_ROOT', relative, 'expected a path inside the models root; it is a symbolic link that leads outside');
  }
  if (!fs.statSync(realTarget).isDirectory()) {
    throw new ModelError('MODEL_NOT_FOUND', relative, 'expected a model bundle directory, found a file');
  }
  return realTarget;
}

/**
 * Reads and parses a JSON file of a bundle. Missing file: MODEL_NOT_FOUND (or `missingCode`,
 * e.g. TOKENIZER_INVALID); unreadable JSON or not an object: MODEL_INVALID (or `invalidCode`).
 */
export function readBundleJson(
  file: string,
  codes: { missing?: 'MODEL_NOT_FOUND' | 'TOKENIZER_INVALID'; invalid?: 'MODEL_INVALID' | 'TOKENIZER_INVALID' } = {},
): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new ModelError(codes.missing ?? 'MODEL_NOT_FOUND', file, `expected this file in the bundle; it cannot be read (${describeError(error)})`, { cause: error });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ModelError(codes.invalid ?? 'MODEL_INVALID', file, `expected JSON (${describeError(error)})`, { cause: error });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ModelError(codes.invalid ?? 'MODEL_INVALID', file, 'expected a JSON object');
  }
  return value as Record<string, unknown>;
}

/** Typed reads of fields of a bundle's JSON file; a wrong field is MODEL_INVALID naming the file and key. */
export const bundleField = {
  string(config: Record<string, unknown>, key: string, file: string, fallback?: string): string {
    const value = config[key] ?? fallback;
    if (typeof value !== 'string' || value.length === 0) {
      throw new ModelError('MODEL_INVALID', file, `expected "${key}" to be a non-empty string, got ${JSON.stringify(value)}`);
    }
    return value;
  },

  positiveInteger(config: Record<string, unknown>, key: string, file: string, fallback?: number): number {
    const value = config[key] ?? fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
      throw new ModelError('MODEL_INVALID', file, `expected "${key}" to be a positive integer, got ${JSON.stringify(value)}`);
    }
    return value;
  },

  /** An array of finite numbers, of exactly `length` entries when given. */
  numbers(config: Record<string, unknown>, key: string, file: string, length?: number, fallback?: readonly number[]): number[] {
    const value = config[key] ?? fallback;
    const ok = Array.isArray(value) && (length === undefined || value.length === length) && value.every((v) => typeof v === 'number' && Number.isFinite(v));
    if (!ok) {
      const shape = length === undefined ? 'an array of numbers' : `an array of ${length} numbers`;
      throw new ModelError('MODEL_INVALID', file, `expected "${key}" to be ${shape}, got ${JSON.stringify(value)}`);
    }
    return (value as number[]).slice();
  },

  stringArray(config: Record<string, unknown>, key: string, file: string): string[] {
    const value = config[key];
    if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === 'string')) {
      throw new ModelError('MODEL_INVALID', file, `expected "${key}" to be a non-empty array of strings, got ${JSON.stringify(value)}`);
    }
    return (value as string[]).slice();
  },
};
