import { InputError } from '../errors';

/** The value (or its default) when it is an integer in [min, max]; else an InputError naming the field. */
export function integerIn(field: string, value: number | undefined | null, fallback: number, [min, max]: readonly [number, number]): number {
  const resolved = value ?? fallback;
  if (!Number.isInteger(resolved) || resolved < min || resolved > max) throw new InputError(field, `must be an integer from ${min} to ${max}; got ${resolved}`);
  return resolved;
}

/** The value (or its default) when it is a finite number in [min, max]; else an InputError naming the field. */
export function numberIn(field: string, value: number | undefined | null, fallback: number, [min, max]: readonly [number, number], exclusiveMin = false): number {
  const resolved = value ?? fallback;
  const aboveMin = exclusiveMin ? resolved > min : resolved >= min;
  if (!(Number.isFinite(resolved) && aboveMin && resolved <= max)) {
    throw new InputError(field, `must be a number ${exclusiveMin ? '>' : '>='} ${min} and <= ${max}; got ${resolved}`);
  }
  return resolved;
}

/** The value (or its default) when it is one of `allowed`; else an InputError listing them. */
export function oneOf<T extends string>(field: string, value: string | undefined | null, fallback: T, allowed: readonly T[]): T {
  const resolved = value ?? fallback;
  if (!(allowed as readonly string[]).includes(resolved)) throw new InputError(field, `must be one of ${allowed.join(', ')}; got "${resolved}"`);
  return resolved as T;
}
