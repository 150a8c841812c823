/**
 * Proves that the hand-written migrations (migrations/*.sql) create exactly the database that
 * Prisma would create from prisma/schema.prisma: the same enums, tables, columns (type,
 * nullability, default), primary keys, unique and plain indexes, and foreign keys, under the
 * same names. A migration that forgets something, a schema change without a migration, or
 * something in the database that the schema does not have turns this test red.
 *
 * Both sides are reduced to the same flat description (`Snapshot`) and compared; each
 * difference is one readable line.
 */
import fs from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { parsePrismaSchema, type PrismaSchema, type ReferentialAction, type ScalarField } from '../support/prismaSchema';
import { createTestDatabase } from '../support/testDatabase';

const SCHEMA_PATH = path.join(__dirname, '..', '..', 'prisma', 'schema.prisma');
const MIGRATION_TABLE = '_qdgs_migration';
/** PostgreSQL's NAMEDATALEN - 1; Prisma shortens longer names by rules that this test does not model. */
const MAX_IDENTIFIER_LENGTH = 63;

// ---------------------------------------------------------------------------------------------
// The common description of a database schema

interface SchemaObject {
  /** The table the object belongs to: its lines are left out when the whole table is missing or unexpected. */
  table?: string;
  properties: Record<string, string>;
}

/** Keyed by `<kind> <name>`, e.g. `column run.status`, `index run_status_idx`. */
type Snapshot = Map<string, SchemaObject>;

function add(snapshot: Snapshot, key: string, object: SchemaObject): void {
  if (snapshot.has(key)) throw new Error(`${key} would be created twice`);
  snapshot.set(key, object);
}

function summary(object: SchemaObject): string {
  const entries = Object.entries(object.properties);
  return entries.length ? ` (${entries.map(([name, value]) => `${name}: ${value}`).join(', ')})` : '';
}

/** One line per difference: expected objects in schema order first, then unexpected ones. */
function compareSnapshots(expected: Snapshot, actual: Snapshot): string[] {
  const tableKeys = [...expected.keys(), ...actual.keys()].filter((key) => key.startsWith('table '));
  const tablesOnOneSide = new Set(tableKeys.filter((key) => !expected.has(key) || !actual.has(key)).map((key) => key.slice('table '.length)));
  const differences: string[] = [];
  for (const [key, wanted] of expected) {
    const found = actual.get(key);
    if (!found) {
      if (!(wanted.table && tablesOnOneSide.has(wanted.table))) differences.push(`missing ${key}${summary(wanted)}`);
      continue;
    }
    const names = new Set([...Object.keys(wanted.properties), ...Object.keys(found.properties)]);
    for (const name of names) {
      const want = wanted.properties[name] ?? '(nothing)';
      const have = found.properties[name] ?? '(nothing)';
      if (want !== have) differences.push(`${key}: ${name} is ${have} in the database, schema.prisma expects ${want}`);
    }
  }
  for (const [key, found] of actual) {
    if (expected.has(key) || (found.table && tablesOnOneSide.has(found.table))) continue;
    differences.push(`unexpected ${key}${summary(found)}, which schema.prisma does not have`);
  }
  return differences;
}

// ---------------------------------------------------------------------------------------------
// What Prisma creates from the schema (PostgreSQL connector)

const ACTION_SQL: Record<ReferentialAction, string> = {
  Cascade: 'CASCADE',
  Restrict: 'RESTRICT',
  NoAction: 'NO ACTION',
  SetNull: 'SET NULL',
  SetDefault: 'SET DEFAULT',
};

/** As PostgreSQL prints an identifier inside an expression (keywords aside). */
function quoteIdentifier(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

function checkedName(name: string): string {
  if (Buffer.byteLength(name) > MAX_IDENTIFIER_LENGTH) {
    throw new Error(`"${name}" is longer than PostgreSQL's ${MAX_IDENTIFIER_LENGTH} bytes: teach the drift test Prisma's rule for shortening names`);
  }
  return name;
}

/** Key-sorted JSON, so that jsonb defaults compare as values rather than as text. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function jsonDefault(text: string): string {
  return `${quoteLiteral(canonicalJson(JSON.parse(text)))}::jsonb (as JSON)`;
}

function expectedColumnType(field: ScalarField): string {
  const element = ((): string => {
    if (field.enum) return field.enum.dbName;
    switch (field.type) {
      case 'String':
        return field.nativeType?.name === 'Uuid' ? 'uuid' : 'text';
      case 'Int':
        return 'integer';
      case 'BigInt':
        return 'bigint';
      case 'Float':
        return 'double precision';
      case 'Boolean':
        return 'boolean';
      case 'DateTime':
        return field.nativeType?.name === 'Timestamptz' ? `timestamp(${field.nativeType.precision}) with time zone` : 'timestamp(3) without time zone';
      case 'Json':
        return 'jsonb';
      case 'Bytes':
        return 'bytea';
      default:
        throw new Error(`no PostgreSQL type known for Prisma type ${field.type}`);
    }
  })();
  return field.list ? `${element}[]` : element;
}

/** The column default as PostgreSQL prints it (information_schema.columns.column_default). */
function expectedColumnDefault(field: ScalarField, table: string, type: string): string {
  const value = field.default;
  if (!value) return 'none';
  switch (value.kind) {
    case 'autoincrement': // SERIAL / BIGSERIAL
      return `nextval(${quoteLiteral(quoteIdentifier(checkedName(`${table}_${field.column}_seq`)))}::regclass)`;
    case 'now':
      return 'CURRENT_TIMESTAMP';
    case 'uuid': // generated by Prisma Client, not by the database
      return 'none';
    case 'boolean':
      return String(value.value);
    case 'enum':
      return `${quoteLiteral(value.value)}::${quoteIdentifier(type)}`;
    case 'string':
      return field.type === 'Json' ? jsonDefault(value.value) : `${quoteLiteral(value.value)}::${type}`;
    case 'number': {
      // PostgreSQL prints a non-negative integer or decimal constant as written, anything else with a cast.
      const { source } = value;
      if (/^-?\d+$/.test(source)) {
        const integer = BigInt(source);
        if (integer < -(2n ** 31n) || integer >= 2n ** 31n) return `'${integer}'::bigint`;
        return integer < 0n ? `'${integer}'::integer` : String(integer);
      }
      return source.startsWith('-') ? `'${source}'::numeric` : source;
    }
  }
}

function list(columns: string[]): string {
  return columns.join(', ');
}

function expectedSnapshot(schema: PrismaSchema): Snapshot {
  const snapshot: Snapshot = new Map();
  for (const definition of schema.enums) add(snapshot, `enum ${checkedName(definition.dbName)}`, { properties: { labels: list(definition.values) } });
  for (const model of schema.models) {
    const table = checkedName(model.table);
    add(snapshot, `table ${table}`, { properties: {} });
    for (const field of model.fields) {
      const type = expectedColumnType(field);
      add(snapshot, `column ${table}.${checkedName(field.column)}`, {
        table,
        properties: {
          type,
          // Prisma creates list columns without NOT NULL.
          nullable: field.optional || field.list ? 'yes' : 'no',
          default: expectedColumnDefault(field, table, type),
          identity: 'no',
          generated: 'no',
        },
      });
    }
    if (model.primaryKey) add(snapshot, `primary key ${checkedName(`${table}_pkey`)}`, { table, properties: { table, columns: list(model.primaryKey) } });
    const index = (columns: string[], unique: boolean) => {
      const name = checkedName(`${table}_${columns.join('_')}_${unique ? 'key' : 'idx'}`);
      add(snapshot, `index ${name}`, { table, properties: { table, columns: list(columns), unique: unique ? 'yes' : 'no', method: 'btree', where: 'none', include: 'none' } });
    };
    for (const columns of model.uniques) index(columns, true);
    for (const columns of model.indexes) index(columns, false);
    for (const relation of model.relations) {
      add(snapshot, `foreign key ${checkedName(`${table}_${relation.columns.join('_')}_fkey`)}`, {
        table,
        properties: {
          table,
          columns: list(relation.columns),
          references: `${relation.table}(${list(relation.referencedColumns)})`,
          'on delete': ACTION_SQL[relation.onDelete ?? (relation.optional ? 'SetNull' : 'Restrict')],
          'on update': ACTION_SQL[relation.onUpdate ?? 'Cascade'],
          deferrable: 'no',
          match: 'SIMPLE',
        },
      });
    }
  }
  return snapshot;
}

// ---------------------------------------------------------------------------------------------
// What the database has (schema public, without the migration bookkeeping table)

interface ColumnRow {
  table_name: string;
  column_name: string;
  data_type: string;
  udt_name: string;
  datetime_precision: number | null;
  is_nullable: 'YES' | 'NO';
  column_default: string | null;
  is_identity: 'YES' | 'NO';
  identity_generation: string | null;
  is_generated: string;
  generation_expression: string | null;
  element_data_type: string | null;
  element_udt_name: string | null;
  element_datetime_precision: number | null;
  type_modifier: number;
}

function typeOf(dataType: string, udtName: string, precision: number | null): string {
  if (dataType === 'USER-DEFINED') return udtName;
  if (dataType.startsWith('timestamp')) return dataType.replace('timestamp', `timestamp(${precision ?? 6})`);
  return dataType;
}

function columnType(row: ColumnRow): string {
  if (row.data_type !== 'ARRAY') return typeOf(row.data_type, row.udt_name, row.datetime_precision);
  if (!row.element_data_type || !row.element_udt_name) throw new Error(`no element type found for array column ${row.table_name}.${row.column_name}`);
  // information_schema.element_types has no precision for timestamp arrays; the column's type modifier holds it.
  const precision = row.element_datetime_precision ?? (row.type_modifier >= 0 ? row.type_modifier : null);
  return `${typeOf(row.element_data_type, row.element_udt_name, precision)}[]`;
}

function columnDefault(row: ColumnRow, type: string): string {
  const text = row.column_default;
  if (text === null) return 'none';
  const json = type === 'jsonb' ? /^'((?:[^']|'')*)'::jsonb$/.exec(text) : null;
  if (json) {
    try {
      return jsonDefault(json[1].replace(/''/g, "'"));
    } catch {
      return text;
    }
  }
  return text;
}

const ACTION_CODES: Record<string, string> = { a: 'NO ACTION', r: 'RESTRICT', c: 'CASCADE', n: 'SET NULL', d: 'SET DEFAULT' };
const MATCH_CODES: Record<string, string> = { s: 'SIMPLE', f: 'FULL', p: 'PARTIAL' };
const CONSTRAINT_KINDS: Record<string, string> = { c: 'CHECK', u: 'UNIQUE constraint', x: 'EXCLUDE', t: 'constraint trigger' };

async function databaseSnapshot(pool: pg.Pool): Promise<Snapshot> {
  const snapshot: Snapshot = new Map();

  const enums = await pool.query<{ name: string; labels: string[] }>(`
    SELECT t.typname::text AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS labels
    FROM pg_type t
    JOIN pg_namespace n ON n.oid = t.typnamespace
    JOIN pg_enum e ON e.enumtypid = t.oid
    WHERE n.nspname = 'public'
    GROUP BY t.typname
    ORDER BY t.typname`);
  for (const row of enums.rows) add(snapshot, `enum ${row.name}`, { properties: { labels: list(row.labels) } });

  const tables = await pool.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables
     WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> $1
     ORDER BY table_name`,
    [MIGRATION_TABLE],
  );
  for (const row of tables.rows) add(snapshot, `table ${row.table_name}`, { properties: {} });

  const columns = await pool.query<ColumnRow>(
    `SELECT c.table_name, c.column_name, c.data_type, c.udt_name, c.datetime_precision, c.is_nullable, c.column_default,
            c.is_identity, c.identity_generation, c.is_generated, c.generation_expression,
            e.data_type AS element_data_type, e.udt_name AS element_udt_name, e.datetime_precision AS element_datetime_precision,
            a.atttypmod AS type_modifier
     FROM information_schema.columns c
     JOIN information_schema.tables t
       ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
     LEFT JOIN information_schema.element_types e
       ON e.object_catalog = c.table_catalog AND e.object_schema = c.table_schema AND e.object_name = c.table_name
      AND e.object_type = 'TABLE' AND e.collection_type_identifier = c.dtd_identifier
     JOIN pg_attribute a
       ON a.attrelid = format('%I.%I', c.table_schema, c.table_name)::regclass AND a.attname = c.column_name
     WHERE c.table_schema = 'public' AND c.table_name <> $1
     ORDER BY c.table_name, c.ordinal_position`,
    [MIGRATION_TABLE],
  );
  for (const row of columns.rows) {
    const type = columnType(row);
    add(snapshot, `column ${row.table_name}.${row.column_name}`, {
      table: row.table_name,
      properties: {
        type,
        nullable: row.is_nullable === 'YES' ? 'yes' : 'no',
        default: columnDefault(row, type),
        identity: row.is_identity === 'YES' ? (row.identity_generation ?? 'yes') : 'no',
        generated: row.is_generated === 'ALWAYS' ? `ALWAYS AS (${row.generation_expression})` : 'no',
      },
    });
  }

  // Primary keys, foreign keys and any other constraint (NOT NULL is a column property above).
  const constraints = await pool.query<{
    name: string;
    type: string;
    table_name: string;
    columns: string[];
    referenced_table: string | null;
    referenced_schema: string | null;
    referenced_columns: string[];
    on_delete: string;
    on_update: string;
    match_type: string;
    deferrable: boolean;
    definition: string;
  }>(
    `SELECT con.conname::text AS name, con.contype::text AS type, t.relname::text AS table_name,
            ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY AS k(attnum, position)
                  JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum ORDER BY k.position) AS columns,
            rt.relname::text AS referenced_table, rn.nspname::text AS referenced_schema,
            ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY AS k(attnum, position)
                  JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum ORDER BY k.position) AS referenced_columns,
            con.confdeltype::text AS on_delete, con.confupdtype::text AS on_update, con.confmatchtype::text AS match_type,
            con.condeferrable AS deferrable, pg_get_constraintdef(con.oid) AS definition
     FROM pg_constraint con
     JOIN pg_class t ON t.oid = con.conrelid
     JOIN pg_namespace n ON n.oid = t.relnamespace
     LEFT JOIN pg_class rt ON rt.oid = con.confrelid
     LEFT JOIN pg_namespace rn ON rn.oid = rt.relnamespace
     WHERE n.nspname = 'public' AND t.relname <> $1 AND con.contype <> 'n'
     ORDER BY t.relname, con.conname`,
    [MIGRATION_TABLE],
  );
  for (const row of constraints.rows) {
    const table = row.table_name;
    if (row.type === 'p') {
      add(snapshot, `primary key ${row.name}`, { table, properties: { table, columns: list(row.columns) } });
    } else if (row.type === 'f') {
      const schemaPrefix = row.referenced_schema === 'public' ? '' : `${row.referenced_schema}.`;
      add(snapshot, `foreign key ${row.name}`, {
        table,
        properties: {
          table,
          columns: list(row.columns),
          references: `${schemaPrefix}${row.referenced_table}(${list(row.referenced_columns)})`,
          'on delete': ACTION_CODES[row.on_delete] ?? row.on_delete,
          'on update': ACTION_CODES[row.on_update] ?? row.on_update,
          deferrable: row.deferrable ? 'yes' : 'no',
          match: MATCH_CODES[row.match_type] ?? row.match_type,
        },
      });
    } else {
      // Prisma creates unique indexes, never UNIQUE constraints, CHECK or EXCLUDE constraints.
      add(snapshot, `constraint ${row.name}`, { table, properties: { table, kind: CONSTRAINT_KINDS[row.type] ?? row.type, definition: row.definition } });
    }
  }

  // Every index but the primary keys' (those are checked as constraints above).
  const indexes = await pool.query<{ name: string; table_name: string; is_unique: boolean; method: string; predicate: string | null; columns: string[]; included: string[] }>(
    `SELECT i.relname::text AS name, t.relname::text AS table_name, ix.indisunique AS is_unique, am.amname::text AS method,
            pg_get_expr(ix.indpred, ix.indrelid) AS predicate,
            ARRAY(
              SELECT COALESCE(a.attname::text, pg_get_indexdef(ix.indexrelid, k.i + 1, true))
                     || CASE WHEN ix.indoption[k.i] & 1 = 1 THEN ' DESC' ELSE '' END
                     || CASE WHEN (ix.indoption[k.i] & 1 = 1) = (ix.indoption[k.i] & 2 = 2) THEN ''
                             WHEN ix.indoption[k.i] & 2 = 2 THEN ' NULLS FIRST' ELSE ' NULLS LAST' END
              FROM generate_series(0, ix.indnkeyatts - 1) AS k(i)
              LEFT JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = ix.indkey[k.i] AND ix.indkey[k.i] <> 0
              ORDER BY k.i) AS columns,
            ARRAY(
              SELECT a.attname::text
              FROM generate_series(ix.indnkeyatts, ix.indnatts - 1) AS k(i)
              JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = ix.indkey[k.i]
              ORDER BY k.i) AS included
     FROM pg_index ix
     JOIN pg_class i ON i.oid = ix.indexrelid
     JOIN pg_class t ON t.oid = ix.indrelid
     JOIN pg_namespace n ON n.oid = t.relnamespace
     JOIN pg_am am ON am.oid = i.relam
     WHERE n.nspname = 'public' AND t.relname <> $1 AND NOT ix.indisprimary
     ORDER BY t.relname, i.relname`,
    [MIGRATION_TABLE],
  );
  for (const row of indexes.rows) {
    add(snapshot, `index ${row.name}`, {
      table: row.table_name,
      properties: {
        table: row.table_name,
        columns: list(row.columns),
        unique: row.is_unique ? 'yes' : 'no',
        method: row.method,
        where: row.predicate ?? 'none',
        include: row.included.length ? list(row.included) : 'none',
      },
    });
  }
  return snapshot;
}

// ---------------------------------------------------------------------------------------------

type TestDatabase = Awaited<ReturnType<typeof createTestDatabase>>;

describe('schema drift: the migrated database matches prisma/schema.prisma', () => {
  const schemaSource = fs.readFileSync(SCHEMA_PATH, 'utf8');
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    await database?.drop();
  });

  it('has exactly the enums, tables, columns, keys, indexes and foreign keys of the schema', async () => {
    const expected = expectedSnapshot(parsePrismaSchema(schemaSource));
    const actual = await databaseSnapshot(database.pool);
    expect(compareSnapshots(expected, actual)).toEqual([]);
    // A guard against comparing two empty descriptions.
    expect([...expected.keys()].filter((key) => key.startsWith('table ')).length).toBeGreaterThanOrEqual(10);
    expect(actual.size).toBe(expected.size);
  });

  it('reports a schema change that has no migration', async () => {
    const changed = schemaSource
      .replace(/^(\s+error\s+String\?)$/m, '$1\n  priority Int @default(-1)')
      .replace('  @@index([status])\n', '  @@index([status, createdAt])\n')
      .replace('onDelete: Restrict)', 'onDelete: SetNull)');
    expect(changed).not.toBe(schemaSource);
    const differences = compareSnapshots(expectedSnapshot(parsePrismaSchema(changed)), await databaseSnapshot(database.pool));
    expect(differences).toEqual([
      "missing column run.priority (type: integer, nullable: no, default: '-1'::integer, identity: no, generated: no)",
      'missing index run_status_created_at_idx (table: run, columns: status, created_at, unique: no, method: btree, where: none, include: none)',
      'foreign key run_prompt_set_id_fkey: on delete is RESTRICT in the database, schema.prisma expects SET NULL',
      'unexpected index run_status_idx (table: run, columns: status, unique: no, method: btree, where: none, include: none), which schema.prisma does not have',
    ]);
  });

  it('reports what a migration forgot or added beyond the schema', async () => {
    const drifted = await createTestDatabase();
    try {
      await drifted.pool.query(`
        DROP INDEX run_status_idx;
        ALTER TABLE measure ALTER COLUMN name DROP NOT NULL;
        ALTER TABLE sample DROP COLUMN labels;
        ALTER TABLE sample ALTER COLUMN objective TYPE real;
        ALTER TABLE api_key ALTER COLUMN created_at TYPE timestamp(3);
        ALTER TABLE run ALTER COLUMN attempts SET DEFAULT 1;
        ALTER TABLE run_metric DROP CONSTRAINT run_metric_run_id_fkey;
        ALTER TABLE run_metric ADD CONSTRAINT run_metric_run_id_fkey FOREIGN KEY (run_id) REFERENCES run(id) ON DELETE CASCADE;
        DROP INDEX project_account_id_created_at_idx;
        CREATE INDEX project_account_id_created_at_idx ON project (created_at, account_id);
        ALTER TABLE account ADD COLUMN nickname text;
        ALTER TABLE account ADD CONSTRAINT account_name_check CHECK (name <> '');
        CREATE TABLE stray (id integer PRIMARY KEY, note text);
        ALTER TYPE run_status ADD VALUE 'PAUSED';
      `);
      const differences = compareSnapshots(expectedSnapshot(parsePrismaSchema(schemaSource)), await databaseSnapshot(drifted.pool));
      expect(differences).toEqual([
        'enum run_status: labels is QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED, PAUSED in the database, schema.prisma expects QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED',
        'column api_key.created_at: type is timestamp(3) without time zone in the database, schema.prisma expects timestamp(3) with time zone',
        'index project_account_id_created_at_idx: columns is created_at, account_id in the database, schema.prisma expects account_id, created_at',
        'column measure.name: nullable is yes in the database, schema.prisma expects no',
        'column run.attempts: default is 1 in the database, schema.prisma expects 0',
        'missing index run_status_idx (table: run, columns: status, unique: no, method: btree, where: none, include: none)',
        'foreign key run_metric_run_id_fkey: on update is NO ACTION in the database, schema.prisma expects CASCADE',
        'column sample.objective: type is real in the database, schema.prisma expects double precision',
        'missing column sample.labels (type: jsonb, nullable: no, default: \'{}\'::jsonb (as JSON), identity: no, generated: no)',
        'unexpected table stray, which schema.prisma does not have',
        'unexpected column account.nickname (type: text, nullable: yes, default: none, identity: no, generated: no), which schema.prisma does not have',
        "unexpected constraint account_name_check (table: account, kind: CHECK, definition: CHECK ((name <> ''::text))), which schema.prisma does not have",
      ]);
    } finally {
      await drifted.drop();
    }
  });
});
