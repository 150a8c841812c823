/**
 * Exact, JSON-safe encodings of typed arrays for checkpoints. Base64 of the raw bytes keeps
 * every bit (including -0, +-Infinity and NaN payloads), which plain JSON numbers do not.
 */

export function encodeFloat64(values: Float64Array): string {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64');
}

export function decodeFloat64(encoded: string): Float64Array {
  const bytes = Buffer.from(encoded, 'base64');
  const out = new Float64Array(bytes.byteLength / 8);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

export function encodeInt32(values: Int32Array): string {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64');
}

export function decodeInt32(encoded: string): Int32Array {
  const bytes = Buffer.from(encoded, 'base64');
  const out = new Int32Array(bytes.byteLength / 4);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

/** Encodes a number that may be infinite (JSON has no Infinity). */
export function encodeNumber(value: number): number | string {
  return Number.isFinite(value) ? value : String(value);
}

export function decodeNumber(value: number | string): number {
  return typeof value === 'number' ? value : Number(value);
}
