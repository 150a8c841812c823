import { QdConfigError } from '../../src/qd/errors';
import { decodeFloat64, decodeInt32, decodeNumber, encodeFloat64, encodeInt32, encodeNumber } from '../../src/qd/serialization';
import {
  requireAllFinite,
  requireFiniteNumber,
  requireInteger,
  requireInUnitInterval,
  requireLength,
  requireOneOf,
  requirePositive,
  toFloat64Array,
} from '../../src/qd/validation';
import { expectBitwiseEqual, expectConfigError, jsonRoundTrip } from './helpers';

describe('QdConfigError', () => {
  it('carries parameter, allowed values, the received value and a stable code', () => {
    const error = new QdConfigError('sigma0', 'a finite number > 0', -1);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('QdConfigError');
    expect(error.code).toBe('QD_INVALID_CONFIG');
    expect(error.parameter).toBe('sigma0');
    expect(error.allowed).toBe('a finite number > 0');
    expect(error.received).toBe(-1);
    expect(error.message).toBe('Invalid sigma0: expected a finite number > 0, got -1');
  });

  it('describes received values readably', () => {
    const message = (v: unknown) => new QdConfigError('p', 'x', v).message;
    expect(message('foo')).toBe('Invalid p: expected x, got "foo"');
    expect(message(undefined)).toMatch(/got undefined$/);
    expect(message(null)).toMatch(/got null$/);
    expect(message(Number.NaN)).toMatch(/got NaN$/);
    expect(message(new Float64Array(3))).toMatch(/got Float64Array of length 3$/);
    expect(message([1, 2])).toMatch(/got array of length 2$/);
    expect(message({ a: 1 })).toMatch(/got \{"a":1\}$/);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(message(cyclic)).toMatch(/got object$/);
  });
});

describe('validation helpers', () => {
  it('requireInteger', () => {
    expect(requireInteger('k', 3, 1)).toBe(3);
    expect(requireInteger('k', 0, 0, 0)).toBe(0);
    expectConfigError(() => requireInteger('k', 0, 1), 'k', 'an integer >= 1');
    expectConfigError(() => requireInteger('k', 5, 1, 4), 'k', 'an integer in [1, 4]');
    expectConfigError(() => requireInteger('k', 1.5, 1), 'k');
    expectConfigError(() => requireInteger('k', Infinity, 1), 'k');
    expectConfigError(() => requireInteger('k', Number.NaN, 1), 'k');
  });

  it('requireFiniteNumber, requirePositive, requireInUnitInterval', () => {
    expect(requireFiniteNumber('x', -3.5)).toBe(-3.5);
    expectConfigError(() => requireFiniteNumber('x', Infinity), 'x', 'a finite number');
    expectConfigError(() => requireFiniteNumber('x', '1' as unknown as number), 'x');
    expect(requirePositive('x', 1e-300)).toBe(1e-300);
    expectConfigError(() => requirePositive('x', 0), 'x', 'a finite number > 0');
    expectConfigError(() => requirePositive('x', Infinity), 'x');
    expect(requireInUnitInterval('a', 0)).toBe(0);
    expect(requireInUnitInterval('a', 1)).toBe(1);
    expectConfigError(() => requireInUnitInterval('a', 1.0000001), 'a', 'a number in [0, 1]');
    expectConfigError(() => requireInUnitInterval('a', Number.NaN), 'a');
  });

  it('requireOneOf lists the options', () => {
    expect(requireOneOf('mode', 'b', ['a', 'b'])).toBe('b');
    expectConfigError(() => requireOneOf('mode', 'c' as 'a', ['a', 'b']), 'mode', "one of 'a', 'b'");
  });

  it('requireLength, requireAllFinite and toFloat64Array', () => {
    requireLength('v', [1, 2], 2);
    expectConfigError(() => requireLength('v', [1, 2], 3), 'v', '3 values');
    expectConfigError(() => requireLength('v', null as unknown as number[], 3), 'v');
    requireAllFinite('v', [1, -1e308]);
    expectConfigError(() => requireAllFinite('v', [1, 2, -Infinity]), 'v[2]', 'a finite number');
    const source = [1, 2, 3];
    const copy = toFloat64Array('v', source, 3);
    expect(copy).toBeInstanceOf(Float64Array);
    expect(Array.from(copy)).toEqual(source);
    copy[0] = 9;
    expect(source[0]).toBe(1);
    expectConfigError(() => toFloat64Array('v', [1, 2], 3), 'v', '3 values');
    expectConfigError(() => toFloat64Array('v', [1, Number.NaN]), 'v[1]');
  });
});

describe('checkpoint encodings', () => {
  it('round-trips float64 arrays bit for bit through JSON, including -0, infinities and NaN', () => {
    const values = Float64Array.from([0, -0, 1 / 3, -Infinity, Infinity, Number.NaN, 5e-324, -1.7976931348623157e308]);
    const decoded = decodeFloat64(jsonRoundTrip(encodeFloat64(values)));
    expectBitwiseEqual(decoded, values);
    // A view into a larger buffer encodes only its own elements.
    const view = values.subarray(2, 4);
    expectBitwiseEqual(decodeFloat64(encodeFloat64(view)), view);
    expect(decodeFloat64(encodeFloat64(new Float64Array(0))).length).toBe(0);
  });

  it('round-trips int32 arrays and infinite numbers', () => {
    const ints = Int32Array.from([0, -1, 2 ** 31 - 1, -(2 ** 31), 42]);
    expect(Array.from(decodeInt32(jsonRoundTrip(encodeInt32(ints.subarray(1))))).join()).toBe(Array.from(ints.subarray(1)).join());
    for (const v of [-Infinity, Infinity, 0, -2.5]) expect(decodeNumber(jsonRoundTrip(encodeNumber(v)))).toBe(v);
    expect(typeof encodeNumber(-Infinity)).toBe('string');
  });
});
