import { Field, ObjectType, type ClassType } from 'type-graphql';
import { InputError } from '../errors';

export const DEFAULT_PAGE_SIZE = 50;
/** The largest page a client may ask for; a full 50x50 archive is three pages. */
export const MAX_PAGE_SIZE = 1000;

@ObjectType({ description: 'Relay cursor pagination state.' })
export class PageInfo {
  @Field()
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true, description: 'Pass as `after` to get the next page.' })
  endCursor!: string | null;
}

export interface ConnectionShape<T> {
  edges: Array<{ cursor: string; node: T }>;
  nodes: T[];
  pageInfo: PageInfo;
}

/** A Relay connection type (`edges { cursor node }`, `nodes`, `pageInfo`) for `node`. */
export function Connection<T extends object>(node: ClassType<T>, name: string): ClassType<ConnectionShape<T>> {
  @ObjectType(`${name}Edge`)
  class Edge {
    @Field()
    cursor!: string;

    @Field(() => node)
    node!: T;
  }

  @ObjectType(`${name}Connection`)
  class ConnectionType {
    @Field(() => [Edge])
    edges!: Edge[];

    @Field(() => [node], { description: 'The nodes of `edges`, for clients that do not need cursors.' })
    nodes!: T[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;
  }
  return ConnectionType;
}

/** Checks `first` (1..MAX_PAGE_SIZE, default DEFAULT_PAGE_SIZE). */
export function pageSize(first: number | null | undefined, field = 'first'): number {
  const size = first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) throw new InputError(field, `must be an integer from 1 to ${MAX_PAGE_SIZE}; got ${size}`);
  return size;
}

/** Cursors are opaque to clients: base64url of `<kind>:<key>`, checked on the way back in. */
export function encodeCursor(kind: string, key: string | number | bigint): string {
  return Buffer.from(`${kind}:${key}`).toString('base64url');
}

export function decodeCursor(kind: string, cursor: string | null | undefined, field = 'after'): string | undefined {
  if (cursor == null) return undefined;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!text.startsWith(`${kind}:`) || text.length === kind.length + 1) throw new InputError(field, `is not a cursor of this list; pass an endCursor or edge cursor from the same field`);
  return text.slice(kind.length + 1);
}

export function decodeIntegerCursor(kind: string, cursor: string | null | undefined, field = 'after'): number | undefined {
  const key = decodeCursor(kind, cursor, field);
  if (key === undefined) return undefined;
  const value = Number(key);
  if (!Number.isSafeInteger(value)) throw new InputError(field, 'is not a cursor of this list; pass an endCursor or edge cursor from the same field');
  return value;
}

export function toConnection<T>(page: { rows: T[]; hasNextPage: boolean }, cursorOf: (row: T) => string): ConnectionShape<T> {
  const edges = page.rows.map((node) => ({ cursor: cursorOf(node), node }));
  return { edges, nodes: page.rows, pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.length ? edges[edges.length - 1].cursor : null } };
}
