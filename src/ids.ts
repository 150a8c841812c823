import { InputError } from './errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids of projects, prompt sets and runs are UUIDs; anything else is a user error naming the field. */
export function requireUuid(field: string, value: string): string {
  if (!UUID.test(value)) throw new InputError(field, `must be an id (a UUID); got "${value.length > 64 ? `${value.slice(0, 64)}...` : value}"`);
  return value.toLowerCase();
}
