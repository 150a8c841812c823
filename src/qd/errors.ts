/**
 * Error thrown for an invalid configuration or input of the quality-diversity library.
 * `parameter` names what was wrong and `allowed` states the accepted values, so callers (the
 * GraphQL layer, the CLI) can turn it into a user-facing message with a stable code.
 */
export class QdConfigError extends Error {
  readonly code = 'QD_INVALID_CONFIG';

  constructor(
    readonly parameter: string,
    readonly allowed: string,
    readonly received: unknown,
  ) {
    super(`Invalid ${parameter}: expected ${allowed}, got ${describe(received)}`);
    this.name = 'QdConfigError';
  }
}

function describe(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined || value === null) return String(value);
  if (ArrayBuffer.isView(value)) return `${value.constructor.name} of length ${(value as Float64Array).length}`;
  if (Array.isArray(value)) return `array of length ${value.length}`;
  try {
    return JSON.stringify(value);
  } catch {
    return typeof value;
  }
}
