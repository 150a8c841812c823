import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connect, type Database } from '../../src/db/database';
import { applyMigrations, MigrationError, readMigrations } from '../../src/db/migrations';
import { createEmptyDatabase, dropDatabase } from '../support/testDatabase';

describe('migrations', () => {
  let database: Database;
  let name: string;

  beforeEach(async () => {
    const created = await createEmptyDatabase();
    name = created.name;
    database = connect(created.url);
  });

  afterEach(async () => {
    await database.close();
    await dropDatabase(name);
  });

  it('applies every migration once, even when several processes start at the same time', async () => {
    const results = await Promise.all([applyMigrations(database.pool), applyMigrations(database.pool), applyMigrations(database.pool)]);
    const appliedCounts = results.map((applied) => applied.length).sort();
    expect(appliedCounts).toEqual([0, 0, readMigrations().length]);
    const { rows } = await database.pool.query('SELECT version FROM "_qdgs_migration" ORDER BY version');
    expect(rows.map((row) => row.version)).toEqual(readMigrations().map((m) => m.version));
    expect(await applyMigrations(database.pool)).toEqual([]);
  });

  it('rolls a failing migration back completely and reports which one failed', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qdgs-migrations-'));
    fs.writeFileSync(path.join(dir, '0001_good.sql'), 'CREATE TABLE good (id int);');
    fs.writeFileSync(path.join(dir, '0002_bad.sql'), 'CREATE TABLE half (id int); SELECT no_such_function();');
    await expect(applyMigrations(database.pool, readMigrations(dir))).rejects.toThrow(/0002_bad failed/);
    const { rows } = await database.pool.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1");
    expect(rows.map((row) => row.table_name)).toEqual(['_qdgs_migration', 'good']);
  });

  it('refuses to run when an applied migration was edited afterwards', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qdgs-migrations-'));
    fs.writeFileSync(path.join(dir, '0001_first.sql'), 'CREATE TABLE first (id int);');
    await applyMigrations(database.pool, readMigrations(dir));
    fs.writeFileSync(path.join(dir, '0001_first.sql'), 'CREATE TABLE first (id bigint);');
    await expect(applyMigrations(database.pool, readMigrations(dir))).rejects.toThrow(MigrationError);
  });

  it('rejects badly named or duplicate migration files', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qdgs-migrations-'));
    fs.writeFileSync(path.join(dir, 'first.sql'), '');
    expect(() => readMigrations(dir)).toThrow(/NNNN_name.sql/);
    fs.rmSync(path.join(dir, 'first.sql'));
    fs.writeFileSync(path.join(dir, '0001_a.sql'), '');
    fs.writeFileSync(path.join(dir, '0001_b.sql'), '');
    expect(() => readMigrations(dir)).toThrow(/two migrations have version 1/);
  });
});
