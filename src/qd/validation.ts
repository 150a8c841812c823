import { QdConfigError } from './errors';

/** Argument checking shared by every component; each throws a QdConfigError naming the parameter. */

export function requireInteger(parameter: string, value: number, min: number, max = Infinity): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === Infinity ? `an integer >= ${min}` : `an integer in [${min}, ${max}]`;
    throw new QdConfigError(parameter, range, value);
  }
  return value;
}

export function requireFiniteNumber(parameter: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new QdConfigError(parameter, 'a finite number', value);
  }
  return value;
}

export function requirePositive(parameter: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new QdConfigError(parameter, 'a finite number > 0', value);
  }
  return value;
}

export function requireInUnitInterval(parameter: string, value: number): number {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
    throw new QdConfigError(parameter, 'a number in [0, 1]', value);
  }
  return value;
}

export function requireOneOf<T extends string>(parameter: string, value: T, options: readonly T[]): T {
  if (!options.includes(value)) {
    throw new QdConfigError(parameter, `one of ${options.map((o) => `'${o}'`).join(', ')}`, value);
  }
  return value;
}

export function requireLength(parameter: string, values: ArrayLike<number>, length: number): void {
  if (values === null || values === undefined || typeof values.length !== 'number' || values.length !== length) {
    throw new QdConfigError(parameter, `${length} values`, values);
  }
}

/** Throws unless every value is finite (no NaN, no +-Infinity); names the first bad index. */
export function requireAllFinite(parameter: string, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw new QdConfigError(`${parameter}[${i}]`, 'a finite number', values[i]);
    }
  }
}

export function toFloat64Array(parameter: string, values: ArrayLike<number>, length?: number): Float64Array {
  if (length !== undefined) requireLength(parameter, values, length);
  const copy = Float64Array.from(values);
  requireAllFinite(parameter, copy);
  return copy;
}

/** Checks measure ranges: `count` [low, high] pairs (any positive count when omitted) of finite numbers, low < high. */
export function requireRanges(ranges: Array<[number, number]>, count?: number): void {
  if (!Array.isArray(ranges) || ranges.length < 1 || (count !== undefined && ranges.length !== count)) {
    throw new QdConfigError('ranges', `${count ?? 'a non-empty list of'} [low, high] pairs, one per measure`, ranges);
  }
  ranges.forEach((range, i) => {
    if (!Array.isArray(range) || range.length !== 2 || !Number.isFinite(range[0]) || !Number.isFinite(range[1]) || !(range[0] < range[1])) {
      throw new QdConfigError(`ranges[${i}]`, 'a [low, high] pair of finite numbers with low < high', range);
    }
  });
}

/**
 * Checks that a checkpoint was taken from a component of the same configuration: each entry is
 * [field, value in the checkpoint, value here]; a mismatch names `${scope}.${field}`.
 */
export function requireMatchingCheckpoint(scope: string, fields: Array<[string, unknown, unknown]>): void {
  for (const [name, got, want] of fields) {
    if (got !== want) throw new QdConfigError(`checkpoint.${scope}.${name}`, String(want), got);
  }
}
