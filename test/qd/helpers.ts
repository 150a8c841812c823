import { QdConfigError } from '../../src/qd/errors';

/**
 * Runs `fn`, expects a QdConfigError naming `parameter`, and checks the message states the
 * allowed values (`allowed` substring, when given) as well as the parameter name.
 */
export function expectConfigError(fn: () => unknown, parameter: string, allowed?: string | RegExp): QdConfigError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  if (!(caught instanceof QdConfigError)) {
    throw new Error(`expected a QdConfigError for ${parameter}, got ${caught === undefined ? 'no error' : String(caught)}`);
  }
  expect(caught.parameter).toBe(parameter);
  expect(caught.code).toBe('QD_INVALID_CONFIG');
  expect(caught.message).toContain(`Invalid ${parameter}: expected `);
  expect(caught.message).toContain(caught.allowed);
  expect(caught.allowed.length).toBeGreaterThan(0);
  if (typeof allowed === 'string') expect(caught.allowed).toContain(allowed);
  else if (allowed) expect(caught.allowed).toMatch(allowed);
  return caught;
}

/** Bitwise equality of two float arrays (distinguishes -0, NaN payloads; exact, not approximate). */
export function expectBitwiseEqual(actual: Float64Array, expected: Float64Array): void {
  expect(actual.length).toBe(expected.length);
  const a = Buffer.from(actual.buffer, actual.byteOffset, actual.byteLength);
  const b = Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength);
  if (!a.equals(b)) {
    const i = actual.findIndex((v, k) => !Object.is(v, expected[k]));
    throw new Error(`arrays differ first at index ${i}: ${actual[i]} vs ${expected[i]}`);
  }
}

/** Element-wise closeness with an absolute tolerance. */
export function expectAllClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance = 1e-12): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    if (!(Math.abs(actual[i] - expected[i]) <= tolerance)) {
      throw new Error(`index ${i}: ${actual[i]} differs from ${expected[i]} by more than ${tolerance}`);
    }
  }
}

/** Deep copy through JSON, as a checkpoint stored on disk or sent over the wire would be. */
export function jsonRoundTrip<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
