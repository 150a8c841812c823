import fs from 'node:fs';
import path from 'node:path';
import { parsePrismaSchema, PrismaSchemaError } from '../support/prismaSchema';

const HEADER = `
generator client {
  provider = "prisma-client"
}

datasource db {
  provider = "postgresql"
}
`;

/** A one-model schema around `body` (the lines inside `model Thing { ... }`). */
function thing(body: string): string {
  return `${HEADER}\nmodel Thing {\n  id String @id @default(uuid()) @db.Uuid\n${body}\n}\n`;
}

describe('parsePrismaSchema', () => {
  it('reads the project schema', () => {
    const schema = parsePrismaSchema(fs.readFileSync(path.join(__dirname, '..', '..', 'prisma', 'schema.prisma'), 'utf8'));
    expect(schema.enums).toEqual([
      { name: 'RunStatus', dbName: 'run_status', values: ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'] },
      { name: 'ModelKind', dbName: 'model_kind', values: ['GENERATOR', 'SCORER', 'CLASSIFIER'] },
    ]);
    const run = schema.models.find((model) => model.name === 'Run')!;
    expect(run.table).toBe('run');
    expect(run.primaryKey).toEqual(['id']);
    expect(run.indexes).toEqual([['project_id', 'created_at'], ['prompt_set_id'], ['status'], ['generator_id'], ['scorer_id']]);
    expect(run.fields.find((field) => field.name === 'status')).toMatchObject({ column: 'status', type: 'RunStatus', optional: false, default: { kind: 'enum', value: 'QUEUED' } });
    expect(run.fields.find((field) => field.name === 'createdAt')).toMatchObject({ column: 'created_at', nativeType: { name: 'Timestamptz', precision: 3 }, default: { kind: 'now' } });
    expect(run.relations).toEqual([
      { field: 'project', model: 'Project', table: 'project', columns: ['project_id'], referencedColumns: ['id'], optional: false, onDelete: 'Cascade' },
      { field: 'promptSet', model: 'PromptSet', table: 'prompt_set', columns: ['prompt_set_id'], referencedColumns: ['id'], optional: true, onDelete: 'Restrict' },
      { field: 'generator', name: 'RunGenerator', model: 'Model', table: 'model', columns: ['generator_id'], referencedColumns: ['id'], optional: true, onDelete: 'Restrict' },
      { field: 'scorer', name: 'RunScorer', model: 'Model', table: 'model', columns: ['scorer_id'], referencedColumns: ['id'], optional: true, onDelete: 'Restrict' },
    ]);
    expect(run.backRelations.map((relation) => relation.field)).toEqual(['metrics', 'cells', 'samples', 'checkpoint']);
    const model = schema.models.find((m) => m.name === 'Model')!;
    expect(model.backRelations).toEqual([
      { field: 'generatorRuns', name: 'RunGenerator', model: 'Run', optional: false, list: true },
      { field: 'scorerRuns', name: 'RunScorer', model: 'Run', optional: false, list: true },
    ]);
    expect(model.fields.find((field) => field.name === 'kind')).toMatchObject({ column: 'kind', type: 'ModelKind', enum: { dbName: 'model_kind' } });
    const cell = schema.models.find((model) => model.name === 'ArchiveCell')!;
    expect(cell.primaryKey).toEqual(['run_id', 'index']);
    expect(cell.uniques).toEqual([['sample_id']]);
    expect(cell.fields.find((field) => field.name === 'measures')).toMatchObject({ type: 'Float', list: true, optional: false });
  });

  it('reads @@index, @@unique, @@map, @map, defaults and comments', () => {
    const schema = parsePrismaSchema(
      thing(`  /// a doc comment
  label   String  @default("a // not a comment") // a comment
  score   Float   @default(-0.5) @map("the_score")
  count   BigInt  @default(autoincrement())
  flag    Boolean @default(true)
  data    Json    @default("{}")
  tags    String[]
  seen    DateTime?

  @@unique([label, score])
  @@index([score, label])
  @@index([count])
  @@map("thing")`),
    );
    const [model] = schema.models;
    expect(model.table).toBe('thing');
    expect(model.indexes).toEqual([['the_score', 'label'], ['count']]);
    expect(model.uniques).toEqual([['label', 'the_score']]);
    expect(model.fields.map((field) => [field.column, field.default?.kind ?? null, field.optional, field.list])).toEqual([
      ['id', 'uuid', false, false],
      ['label', 'string', false, false],
      ['the_score', 'number', false, false],
      ['count', 'autoincrement', false, false],
      ['flag', 'boolean', false, false],
      ['data', 'string', false, false],
      ['tags', null, false, true],
      ['seen', null, true, false],
    ]);
    expect(model.fields[1].default).toEqual({ source: '"a // not a comment"', kind: 'string', value: 'a // not a comment' });
    expect(model.fields[2].default).toEqual({ source: '-0.5', kind: 'number', value: -0.5 });
  });

  it('pairs several relations between two models by their names', () => {
    const schema = parsePrismaSchema(
      `${thing('  firstId String\n  secondId String?\n  first Other @relation("First", fields: [firstId], references: [id])\n  second Other? @relation(name: "Second", fields: [secondId], references: [id], onDelete: SetNull)')}` +
        `model Other {\n  id String @id\n  asFirst Thing[] @relation("First")\n  asSecond Thing[] @relation(name: "Second")\n}`,
    );
    const [model, other] = schema.models;
    expect(model.relations.map((r) => [r.field, r.name, r.columns, r.onDelete ?? null])).toEqual([
      ['first', 'First', ['firstId'], null],
      ['second', 'Second', ['secondId'], 'SetNull'],
    ]);
    expect(other.backRelations.map((b) => [b.field, b.name])).toEqual([
      ['asFirst', 'First'],
      ['asSecond', 'Second'],
    ]);
  });

  const twoRelations = (firstName: string, secondName: string, backs: string) =>
    `${thing(`  aId String\n  bId String\n  a Other @relation(${firstName}fields: [aId], references: [id])\n  b Other @relation(${secondName}fields: [bId], references: [id])`)}model Other {\n  id String @id\n${backs}\n}`;

  it.each([
    ['an unknown field attribute', thing('  updated DateTime @updatedAt'), /unsupported field attribute @updatedAt on Thing.updated/],
    ['an unknown block attribute', thing('  name String\n  @@fulltext([name])'), /unsupported block attribute @@fulltext in model Thing/],
    ['a named index', thing('  name String\n  @@index([name], map: "by_name")'), /unsupported argument "map" of @index on model Thing/],
    ['a sort order in an index', thing('  name String\n  @@index([name(sort: Desc)])'), /unsupported entry name\(sort: Desc\)/],
    ['an argument of @unique', thing('  name String @unique(length: 10)'), /unsupported argument "length" of @unique on Thing.name/],
    ['an unknown native type', thing('  name String @db.VarChar(10)'), /unsupported native type @db.VarChar on Thing.name/],
    ['a database-generated default', thing('  name String @default(dbgenerated("gen()"))'), /unsupported @default\(dbgenerated\("gen\(\)"\)\) on Thing.name/],
    ['an unknown type', thing('  amount Decimal'), /unknown type Decimal of Thing.amount/],
    ['an enum value with @map', `${HEADER}enum Colour {\n  RED @map("red")\n}`, /unsupported syntax after enum value RED/],
    ['a view', `${HEADER}view Totals {\n  id Int @unique\n}`, /unsupported block "view"/],
    ['two unnamed relations between the same models', twoRelations('', '', '  as Thing[]\n  bs Thing[]'), /Thing has several relations to Other; name each one/],
    ['two relations with the same name', twoRelations('"x", ', '"x", ', '  as Thing[] @relation("x")'), /Thing has two relations to Other named "x"/],
    ['a named relation whose opposite field has another name', twoRelations('"x", ', '"y", ', '  as Thing[] @relation("x")\n  bs Thing[] @relation("z")'), /relation "y" Thing.b needs exactly one opposite field on Other, found 0/],
    ['a relation named twice', `${thing('  others Other[] @relation("link")')}model Other {\n  id Int @id\n  thingId String\n  thing Thing @relation("link", name: "link", fields: [thingId], references: [id])\n}`, /the relation on Other.thing is named twice/],
    ['two unnamed arguments of @relation', `${thing('  others Other[]')}model Other {\n  id Int @id\n  thingId String\n  thing Thing @relation("a", "b", fields: [thingId], references: [id])\n}`, /@relation on Other.thing takes 0 to 1 unnamed argument/],
  ])('throws on %s', (_what, source, message) => {
    expect(() => parsePrismaSchema(source)).toThrow(PrismaSchemaError);
    expect(() => parsePrismaSchema(source)).toThrow(message);
  });
});
