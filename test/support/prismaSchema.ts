/**
 * A small parser for the subset of the Prisma schema language that prisma/schema.prisma uses.
 * test/db/schemaDrift.test.ts compares what it returns with the migrated database.
 *
 * It is deliberately strict: any block, attribute, argument or default it does not know is an
 * error, so that a new schema feature cannot slip past the drift test unchecked. Teach it the
 * feature (and the drift test what Prisma creates for it) when the schema starts using one.
 *
 * Understood:
 *   generator / datasource blocks (skipped), `enum` blocks (values, @@map),
 *   `model` blocks with fields `name Type`, `Type?`, `Type[]`, where Type is a scalar
 *   (String Int BigInt Float Boolean DateTime Json Bytes), an enum or a model (a relation);
 *   field attributes @id, @unique, @default(...), @map("..."), @db.Uuid, @db.Timestamptz(n),
 *   @relation(fields: [...], references: [...], onDelete: X, onUpdate: X), optionally named
 *   (`@relation("Name", ...)`, and `@relation("Name")` on the opposite field) so that a model
 *   may have several relations to another one;
 *   block attributes @@id([...]), @@unique([...]), @@index([...]), @@map("...");
 *   `//` and `///` comments.
 */

export const SCALAR_TYPES = ['String', 'Int', 'BigInt', 'Float', 'Boolean', 'DateTime', 'Json', 'Bytes'] as const;
export type ScalarType = (typeof SCALAR_TYPES)[number];

export const REFERENTIAL_ACTIONS = ['Cascade', 'Restrict', 'NoAction', 'SetNull', 'SetDefault'] as const;
export type ReferentialAction = (typeof REFERENTIAL_ACTIONS)[number];

export type NativeType = { name: 'Uuid' } | { name: 'Timestamptz'; precision: number };

/** A field's `@default(...)`; `source` is the argument as written in the schema. */
export type DefaultValue = { source: string } & (
  | { kind: 'autoincrement' }
  | { kind: 'now' }
  | { kind: 'uuid' }
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'enum'; value: string }
);

export interface PrismaEnum {
  name: string;
  /** The PostgreSQL type name (`@@map`, else the enum's name). */
  dbName: string;
  values: string[];
}

export interface ScalarField {
  name: string;
  /** The column name (`@map`, else the field's name). */
  column: string;
  /** A scalar type or the name of an enum. */
  type: string;
  /** The enum, when the field's type is one. */
  enum?: PrismaEnum;
  nativeType?: NativeType;
  optional: boolean;
  list: boolean;
  id: boolean;
  unique: boolean;
  default?: DefaultValue;
}

/** The side of a relation that holds the foreign key: `@relation(fields: [...], references: [...])`. */
export interface Relation {
  field: string;
  /** The relation's name (`@relation("Name", ...)`); it pairs the two sides when one model has several relations to another. */
  name?: string;
  /** The referenced model and its table. */
  model: string;
  table: string;
  columns: string[];
  referencedColumns: string[];
  optional: boolean;
  onDelete?: ReferentialAction;
  onUpdate?: ReferentialAction;
}

/** The other side of a relation (`projects Project[]`, `checkpoint RunCheckpoint?`): no column. */
export interface BackRelation {
  field: string;
  /** The relation's name (`@relation("Name")`), when the relation is named. */
  name?: string;
  model: string;
  optional: boolean;
  list: boolean;
}

export interface PrismaModel {
  name: string;
  /** The table name (`@@map`, else the model's name). */
  table: string;
  fields: ScalarField[];
  relations: Relation[];
  backRelations: BackRelation[];
  /** Primary key columns (`@id` or `@@id`), undefined when the model has none. */
  primaryKey?: string[];
  /** Column lists of `@unique` fields and `@@unique` attributes, in schema order. */
  uniques: string[][];
  /** Column lists of `@@index` attributes, in schema order. */
  indexes: string[][];
}

export interface PrismaSchema {
  enums: PrismaEnum[];
  models: PrismaModel[];
}

export class PrismaSchemaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PrismaSchemaError';
  }
}

// ---------------------------------------------------------------------------------------------
// Syntax: lines, comments, attribute arguments

type Value =
  | { kind: 'string'; value: string; source: string }
  | { kind: 'number'; value: number; source: string }
  | { kind: 'identifier'; name: string; source: string }
  | { kind: 'call'; name: string; args: Argument[]; source: string }
  | { kind: 'array'; items: Value[]; source: string };

interface Argument {
  /** The name of a named argument (`onDelete: Cascade`), undefined for a positional one. */
  name?: string;
  value: Value;
}

interface Attribute {
  /** Without the `@`/`@@`, e.g. `default`, `db.Uuid`, `index`. */
  name: string;
  /** undefined when written without parentheses. */
  args?: Argument[];
  line: number;
}

interface FieldSyntax {
  name: string;
  type: string;
  optional: boolean;
  list: boolean;
  attributes: Attribute[];
  line: number;
}

interface BlockSyntax {
  kind: 'model' | 'enum';
  name: string;
  line: number;
  fields: FieldSyntax[];
  /** Enum values, for `enum` blocks. */
  values: { name: string; line: number }[];
  attributes: Attribute[];
}

/** Removes a `//` or `///` comment, leaving `//` inside string literals alone. */
function stripComment(line: string): string {
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '/' && line[i + 1] === '/') return line.slice(0, i);
  }
  return line;
}

/** Reads one line of a block from left to right. */
class Scanner {
  private pos = 0;

  constructor(
    private readonly text: string,
    private readonly line: number,
  ) {}

  error(message: string): PrismaSchemaError {
    return new PrismaSchemaError(`schema.prisma line ${this.line}: ${message} (in "${this.text.trim()}")`);
  }

  skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos])) this.pos++;
  }

  atEnd(): boolean {
    this.skipSpace();
    return this.pos >= this.text.length;
  }

  peek(): string {
    this.skipSpace();
    return this.text[this.pos] ?? '';
  }

  /** Consumes `token` when it comes next (after white space). */
  accept(token: string): boolean {
    this.skipSpace();
    if (!this.text.startsWith(token, this.pos)) return false;
    this.pos += token.length;
    return true;
  }

  expect(token: string): void {
    if (!this.accept(token)) throw this.error(`expected "${token}" at column ${this.pos + 1}`);
  }

  identifier(): string {
    this.skipSpace();
    const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.pos));
    if (!match) throw this.error(`expected a name at column ${this.pos + 1}`);
    this.pos += match[0].length;
    return match[0];
  }

  value(): Value {
    this.skipSpace();
    const start = this.pos;
    const rest = this.text.slice(this.pos);
    const c = this.peek();
    if (c === '"') {
      const match = /^"(?:[^"\\]|\\.)*"/.exec(rest);
      if (!match) throw this.error('unterminated string');
      this.pos += match[0].length;
      return { kind: 'string', value: JSON.parse(match[0]) as string, source: match[0] };
    }
    const number = /^-?\d+(?:\.\d+)?(?![\w.])/.exec(rest);
    if (number) {
      this.pos += number[0].length;
      return { kind: 'number', value: Number(number[0]), source: number[0] };
    }
    if (c === '[') {
      this.expect('[');
      const items: Value[] = [];
      if (!this.accept(']')) {
        do items.push(this.value());
        while (this.accept(','));
        this.expect(']');
      }
      return { kind: 'array', items, source: this.text.slice(start, this.pos) };
    }
    const name = this.identifier();
    if (this.peek() === '(') {
      const args = this.arguments();
      return { kind: 'call', name, args, source: this.text.slice(start, this.pos) };
    }
    return { kind: 'identifier', name, source: name };
  }

  /** `( [name:] value, ... )` */
  arguments(): Argument[] {
    this.expect('(');
    const args: Argument[] = [];
    if (this.accept(')')) return args;
    do {
      this.skipSpace();
      const named = /^([A-Za-z_][A-Za-z0-9_]*)\s*:/.exec(this.text.slice(this.pos));
      if (named) this.pos += named[0].length;
      args.push({ name: named?.[1], value: this.value() });
    } while (this.accept(','));
    this.expect(')');
    return args;
  }

  /** `@name`, `@db.Name`, `@@name`, each with optional arguments. */
  attribute(prefix: '@' | '@@'): Attribute {
    this.expect(prefix);
    if (prefix === '@' && this.text[this.pos] === '@') throw this.error('a block attribute (@@) must be on a line of its own');
    let name = this.identifier();
    if (this.text[this.pos] === '.') {
      this.pos++;
      name += `.${this.identifier()}`;
    }
    const args = this.text[this.pos] === '(' ? this.arguments() : undefined;
    return { name, args, line: this.line };
  }
}

function readBlocks(source: string): BlockSyntax[] {
  const blocks: BlockSyntax[] = [];
  let current: BlockSyntax | undefined;
  let inConfigBlock = false;
  source.split(/\r?\n/).forEach((rawLine, index) => {
    const lineNumber = index + 1;
    const text = stripComment(rawLine).trim();
    if (!text) return;
    const scanner = new Scanner(text, lineNumber);
    if (text === '}') {
      if (!current && !inConfigBlock) throw scanner.error('"}" outside a block');
      current = undefined;
      inConfigBlock = false;
      return;
    }
    if (inConfigBlock) {
      if (!/^\w+\s*=\s*\S/.test(text)) throw scanner.error('expected "key = value" in a generator or datasource block');
      return;
    }
    if (!current) {
      const header = /^(\w+)\s+(\w+)\s*\{$/.exec(text);
      if (!header) throw scanner.error('expected a block such as "model Name {"');
      const [, kind, name] = header;
      if (kind === 'generator' || kind === 'datasource') inConfigBlock = true;
      else if (kind === 'model' || kind === 'enum') {
        current = { kind, name, line: lineNumber, fields: [], values: [], attributes: [] };
        blocks.push(current);
      } else throw scanner.error(`unsupported block "${kind}"`);
      return;
    }
    if (text.startsWith('@@')) {
      current.attributes.push(scanner.attribute('@@'));
    } else if (current.kind === 'enum') {
      const name = scanner.identifier();
      if (!scanner.atEnd()) throw scanner.error(`unsupported syntax after enum value ${name}`);
      current.values.push({ name, line: lineNumber });
    } else {
      const name = scanner.identifier();
      const type = scanner.identifier();
      const optional = scanner.accept('?');
      const list = !optional && scanner.accept('[]');
      if (scanner.peek() === '?' || scanner.peek() === '[') throw scanner.error('unsupported type modifier');
      const attributes: Attribute[] = [];
      while (!scanner.atEnd()) {
        if (scanner.peek() !== '@') throw scanner.error(`unexpected "${scanner.peek()}"`);
        attributes.push(scanner.attribute('@'));
      }
      current.fields.push({ name, type, optional, list, attributes, line: lineNumber });
    }
  });
  if (current || inConfigBlock) throw new PrismaSchemaError('schema.prisma: the last block is not closed');
  return blocks;
}

// ---------------------------------------------------------------------------------------------
// Meaning: types, attributes, relations

function fail(line: number, message: string): never {
  throw new PrismaSchemaError(`schema.prisma line ${line}: ${message}`);
}

/**
 * The attribute's arguments, checking that there are exactly the named/positional ones expected
 * (`positional: [min, max]` allows a range of unnamed arguments).
 */
function argumentsOf(
  attribute: Attribute,
  where: string,
  allowed: { positional: number | readonly [number, number]; named?: readonly string[]; required?: readonly string[] },
): { positional: Value[]; named: Map<string, Value> } {
  const label = `@${attribute.name} on ${where}`;
  const args = attribute.args ?? [];
  const positional = args.filter((arg) => arg.name === undefined).map((arg) => arg.value);
  const named = new Map<string, Value>();
  for (const arg of args) {
    if (arg.name === undefined) continue;
    if (!allowed.named?.includes(arg.name)) fail(attribute.line, `unsupported argument "${arg.name}" of ${label}`);
    if (named.has(arg.name)) fail(attribute.line, `argument "${arg.name}" given twice in ${label}`);
    named.set(arg.name, arg.value);
  }
  const [min, max] = typeof allowed.positional === 'number' ? [allowed.positional, allowed.positional] : allowed.positional;
  if (positional.length < min || positional.length > max) {
    fail(attribute.line, `${label} takes ${min === max ? min : `${min} to ${max}`} unnamed argument(s), got ${positional.length}`);
  }
  for (const name of allowed.required ?? []) if (!named.has(name)) fail(attribute.line, `${label} needs "${name}"`);
  return { positional, named };
}

function stringArgument(value: Value, line: number, what: string): string {
  if (value.kind !== 'string') fail(line, `${what} must be a string, got ${value.source}`);
  return value.value;
}

function nameList(value: Value, line: number, what: string): string[] {
  if (value.kind !== 'array' || value.items.length === 0) fail(line, `${what} must be a non-empty list of field names, got ${value.source}`);
  return value.items.map((item) => {
    if (item.kind !== 'identifier') fail(line, `${what}: unsupported entry ${item.source} (only plain field names are understood)`);
    return item.name;
  });
}

function referentialAction(value: Value, line: number): ReferentialAction {
  const action = value.kind === 'identifier' ? REFERENTIAL_ACTIONS.find((a) => a === value.name) : undefined;
  if (!action) fail(line, `unknown referential action ${value.source}`);
  return action;
}

function parseDefault(value: Value, field: FieldSyntax, where: string, enumDefinition: PrismaEnum | undefined): DefaultValue {
  const { source } = value;
  const bad = (): never => fail(field.line, `unsupported @default(${source}) on ${where} (${field.type}${field.list ? '[]' : ''})`);
  if (field.list) bad();
  if (value.kind === 'call') {
    if (value.args.length) bad();
    if (value.name === 'autoincrement' && (field.type === 'Int' || field.type === 'BigInt')) return { source, kind: 'autoincrement' };
    if (value.name === 'now' && field.type === 'DateTime') return { source, kind: 'now' };
    if (value.name === 'uuid' && field.type === 'String') return { source, kind: 'uuid' };
    return bad();
  }
  if (value.kind === 'string' && (field.type === 'String' || field.type === 'Json')) return { source, kind: 'string', value: value.value };
  if (value.kind === 'number') {
    if (field.type === 'Float' || ((field.type === 'Int' || field.type === 'BigInt') && Number.isInteger(value.value))) return { source, kind: 'number', value: value.value };
    return bad();
  }
  if (value.kind === 'identifier') {
    if (field.type === 'Boolean' && (value.name === 'true' || value.name === 'false')) return { source, kind: 'boolean', value: value.name === 'true' };
    if (enumDefinition) {
      if (!enumDefinition.values.includes(value.name)) fail(field.line, `@default(${source}) on ${where}: ${value.name} is not a value of enum ${enumDefinition.name}`);
      return { source, kind: 'enum', value: value.name };
    }
  }
  return bad();
}

function parseNativeType(attribute: Attribute, field: FieldSyntax, where: string): NativeType {
  if (attribute.name === 'db.Uuid' && field.type === 'String') {
    argumentsOf(attribute, where, { positional: 0 });
    return { name: 'Uuid' };
  }
  if (attribute.name === 'db.Timestamptz' && field.type === 'DateTime') {
    const [precision] = argumentsOf(attribute, where, { positional: 1 }).positional;
    if (precision.kind !== 'number' || !Number.isInteger(precision.value) || precision.value < 0 || precision.value > 6) {
      fail(attribute.line, `@db.Timestamptz on ${where} needs a precision from 0 to 6`);
    }
    return { name: 'Timestamptz', precision: precision.value };
  }
  return fail(attribute.line, `unsupported native type @${attribute.name} on ${where} (${field.type})`);
}

function parseEnum(block: BlockSyntax): PrismaEnum {
  let dbName: string | undefined;
  for (const attribute of block.attributes) {
    if (attribute.name !== 'map') fail(attribute.line, `unsupported block attribute @@${attribute.name} in enum ${block.name}`);
    if (dbName !== undefined) fail(attribute.line, `@@map given twice in enum ${block.name}`);
    dbName = stringArgument(argumentsOf(attribute, `enum ${block.name}`, { positional: 1 }).positional[0], attribute.line, '@@map');
  }
  const values = block.values.map((value) => value.name);
  const duplicate = values.find((value, i) => values.indexOf(value) !== i);
  if (duplicate) fail(block.line, `enum ${block.name} lists ${duplicate} twice`);
  if (!values.length) fail(block.line, `enum ${block.name} has no values`);
  return { name: block.name, dbName: dbName ?? block.name, values };
}

interface ModelDraft {
  model: PrismaModel;
  block: BlockSyntax;
}

function parseModelFields(block: BlockSyntax, enums: Map<string, PrismaEnum>, modelNames: Set<string>): PrismaModel {
  const model: PrismaModel = { name: block.name, table: block.name, fields: [], relations: [], backRelations: [], uniques: [], indexes: [] };
  const seen = new Set<string>();
  for (const field of block.fields) {
    const where = `${block.name}.${field.name}`;
    if (seen.has(field.name)) fail(field.line, `field ${where} is defined twice`);
    seen.add(field.name);
    const once = new Set<string>();
    for (const attribute of field.attributes) {
      if (once.has(attribute.name)) fail(attribute.line, `@${attribute.name} given twice on ${where}`);
      once.add(attribute.name);
    }
    if (modelNames.has(field.type)) continue; // relations are read once every model's columns are known
    const enumDefinition = enums.get(field.type);
    if (!enumDefinition && !(SCALAR_TYPES as readonly string[]).includes(field.type)) fail(field.line, `unknown type ${field.type} of ${where}`);
    const scalar: ScalarField = { name: field.name, column: field.name, type: field.type, optional: field.optional, list: field.list, id: false, unique: false };
    if (enumDefinition) scalar.enum = enumDefinition;
    for (const attribute of field.attributes) {
      switch (attribute.name) {
        case 'id':
          argumentsOf(attribute, where, { positional: 0 });
          scalar.id = true;
          break;
        case 'unique':
          argumentsOf(attribute, where, { positional: 0 });
          scalar.unique = true;
          break;
        case 'map':
          scalar.column = stringArgument(argumentsOf(attribute, where, { positional: 1 }).positional[0], attribute.line, `@map on ${where}`);
          break;
        case 'default':
          scalar.default = parseDefault(argumentsOf(attribute, where, { positional: 1 }).positional[0], field, where, enumDefinition);
          break;
        default:
          if (attribute.name.startsWith('db.')) scalar.nativeType = parseNativeType(attribute, field, where);
          else fail(attribute.line, `unsupported field attribute @${attribute.name} on ${where}`);
      }
    }
    if (scalar.id && (scalar.optional || scalar.list)) fail(field.line, `@id field ${where} cannot be optional or a list`);
    model.fields.push(scalar);
  }
  const columns = model.fields.map((f) => f.column);
  const duplicateColumn = columns.find((c, i) => columns.indexOf(c) !== i);
  if (duplicateColumn) fail(block.line, `two fields of ${block.name} map to column ${duplicateColumn}`);
  return model;
}

function columnsOf(model: PrismaModel, fieldNames: string[], line: number, what: string): string[] {
  return fieldNames.map((name) => {
    const field = model.fields.find((f) => f.name === name);
    if (!field) fail(line, `${what}: ${model.name} has no scalar field ${name}`);
    return field.column;
  });
}

function parseModelAttributes({ model, block }: ModelDraft): void {
  const idFields = model.fields.filter((f) => f.id);
  if (idFields.length > 1) fail(block.line, `${block.name} has more than one @id field (use @@id)`);
  if (idFields.length) model.primaryKey = [idFields[0].column];
  for (const field of model.fields) if (field.unique) model.uniques.push([field.column]);
  let mapped = false;
  for (const attribute of block.attributes) {
    const where = `model ${block.name}`;
    switch (attribute.name) {
      case 'map': {
        if (mapped) fail(attribute.line, `@@map given twice in ${where}`);
        mapped = true;
        model.table = stringArgument(argumentsOf(attribute, where, { positional: 1 }).positional[0], attribute.line, '@@map');
        break;
      }
      case 'id':
      case 'unique':
      case 'index': {
        const [list] = argumentsOf(attribute, where, { positional: 1 }).positional;
        const columns = columnsOf(model, nameList(list, attribute.line, `@@${attribute.name}`), attribute.line, `@@${attribute.name} in ${where}`);
        if (attribute.name === 'id') {
          if (model.primaryKey) fail(attribute.line, `${where} has two primary keys`);
          model.primaryKey = columns;
        } else (attribute.name === 'unique' ? model.uniques : model.indexes).push(columns);
        break;
      }
      default:
        fail(attribute.line, `unsupported block attribute @@${attribute.name} in ${where}`);
    }
  }
}

function parseRelations({ model, block }: ModelDraft, models: Map<string, PrismaModel>): void {
  for (const field of block.fields) {
    const target = models.get(field.type);
    if (!target) continue;
    const where = `${block.name}.${field.name}`;
    const relation = field.attributes.find((a) => a.name === 'relation');
    const other = field.attributes.find((a) => a.name !== 'relation');
    if (other) fail(other.line, `unsupported attribute @${other.name} on relation field ${where}`);
    const relationArgs = relation?.args ?? [];
    const holdsKey = relationArgs.some((arg) => arg.name === 'fields' || arg.name === 'references');
    if (!relation || !holdsKey) {
      // The opposite side: no column; `@relation("Name")` / `@relation(name: "Name")` only names it.
      const name = relation ? relationName(argumentsOf(relation, where, { positional: [0, 1], named: ['name'] }), relation.line, where) : undefined;
      model.backRelations.push({ field: field.name, ...(name !== undefined && { name }), model: target.name, optional: field.optional, list: field.list });
      continue;
    }
    const relationArguments = argumentsOf(relation, where, { positional: [0, 1], named: ['name', 'fields', 'references', 'onDelete', 'onUpdate'], required: ['fields', 'references'] });
    const { named } = relationArguments;
    const name = relationName(relationArguments, relation.line, where);
    if (field.list) fail(relation.line, `list relation field ${where} cannot hold the foreign key`);
    const fields = nameList(named.get('fields')!, relation.line, `fields of ${where}`);
    const references = nameList(named.get('references')!, relation.line, `references of ${where}`);
    if (fields.length !== references.length) fail(relation.line, `${where}: fields and references differ in length`);
    const columns = columnsOf(model, fields, relation.line, `fields of ${where}`);
    if (!field.optional && fields.some((name) => model.fields.find((f) => f.name === name)?.optional)) {
      fail(relation.line, `${where} is required but one of its fields is optional`);
    }
    const onDelete = named.get('onDelete');
    const onUpdate = named.get('onUpdate');
    model.relations.push({
      field: field.name,
      ...(name !== undefined && { name }),
      model: target.name,
      table: target.table,
      columns,
      referencedColumns: columnsOf(target, references, relation.line, `references of ${where}`),
      optional: field.optional,
      ...(onDelete && { onDelete: referentialAction(onDelete, relation.line) }),
      ...(onUpdate && { onUpdate: referentialAction(onUpdate, relation.line) }),
    });
  }
}

/** The relation name given as `@relation("Name", ...)` or `@relation(name: "Name", ...)`, if any. */
function relationName({ positional, named }: { positional: Value[]; named: Map<string, Value> }, line: number, where: string): string | undefined {
  if (positional.length && named.has('name')) fail(line, `the relation on ${where} is named twice`);
  const value = positional[0] ?? named.get('name');
  return value === undefined ? undefined : stringArgument(value, line, `the relation name on ${where}`);
}

/**
 * Each relation needs exactly one field on each side, paired by the relation's name (absent
 * names pair with each other). Several relations between the same two models must be named,
 * each name used once, as Prisma requires.
 */
function checkRelationPairs(models: PrismaModel[]): void {
  const label = (name: string | undefined) => (name === undefined ? 'unnamed relation' : `relation "${name}"`);
  for (const model of models) {
    for (const relation of model.relations) {
      const parallel = model.relations.filter((r) => r.model === relation.model);
      if (parallel.length > 1 && parallel.some((r) => r.name === undefined)) {
        throw new PrismaSchemaError(`schema.prisma: ${model.name} has several relations to ${relation.model}; name each one (@relation("Name", ...))`);
      }
      if (parallel.filter((r) => r.name === relation.name).length > 1) {
        throw new PrismaSchemaError(`schema.prisma: ${model.name} has two relations to ${relation.model} named "${relation.name}"`);
      }
      const target = models.find((m) => m.name === relation.model)!;
      const backs = target.backRelations.filter((b) => b.model === model.name && b.name === relation.name);
      if (target !== model && backs.length !== 1) {
        throw new PrismaSchemaError(
          `schema.prisma: ${label(relation.name)} ${model.name}.${relation.field} needs exactly one opposite field on ${target.name}, found ${backs.length}`,
        );
      }
    }
    for (const back of model.backRelations) {
      const owner = models.find((m) => m.name === back.model)!;
      if (!owner.relations.some((r) => r.model === model.name && r.name === back.name)) {
        throw new PrismaSchemaError(
          `schema.prisma: ${model.name}.${back.field} (${label(back.name)}) has no opposite field with @relation(fields: ..., references: ...) on ${owner.name}`,
        );
      }
    }
  }
}

export function parsePrismaSchema(source: string): PrismaSchema {
  const blocks = readBlocks(source);
  const names = new Set<string>();
  for (const block of blocks) {
    if (names.has(block.name)) fail(block.line, `${block.name} is defined twice`);
    names.add(block.name);
  }
  const enums = new Map(blocks.filter((b) => b.kind === 'enum').map((b) => [b.name, parseEnum(b)] as const));
  const modelBlocks = blocks.filter((b) => b.kind === 'model');
  const modelNames = new Set(modelBlocks.map((b) => b.name));
  const drafts: ModelDraft[] = modelBlocks.map((block) => ({ block, model: parseModelFields(block, enums, modelNames) }));
  drafts.forEach(parseModelAttributes);
  const models = new Map(drafts.map((d) => [d.model.name, d.model]));
  for (const draft of drafts) parseRelations(draft, models);
  checkRelationPairs([...models.values()]);
  return { enums: [...enums.values()], models: [...models.values()] };
}
