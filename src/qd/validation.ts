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
