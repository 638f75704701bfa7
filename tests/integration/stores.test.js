// The two stores hold the same rows: every command run against PostgreSQL
// (through the PostgREST gateway) and against a SQLite file, and the two
// databases compared column by column, ids aside. And the SQLite schema has
// the columns, keys and checks of db/migrations.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRig } from '../lib/rig.js';
import { dumpDatabase } from '../lib/dump.js';

const scenario = { seed: 61, prs: 12, days: 40, now: Date.now() - 3600e3 };
let pg, lite;
before(async () => {
  pg = await startRig('stores_pg', { scenario, store: 'postgrest' });
  lite = await startRig('stores_lite', { scenario, store: 'sqlite' });
});
after(async () => { await pg?.close(); await lite?.close(); });

const runs = [
  { command: 'pr-all', 'time-range': '3650' },
  { command: 'repository-sync', 'time-range': '30' },
  { command: 'commit-analysis', 'time-range': '30' },
  { command: 'pr-comments', 'time-range': '3650' },
];

for (const api of ['graphql', 'rest']) {
  test(`PostgreSQL and SQLite hold identical rows after every command (${api})`, async () => {
    await pg.db.truncateAll();
    await lite.db.truncateAll();
    for (const inputs of runs) {
      const a = await pg.run({ ...inputs, api });
      const b = await lite.run({ ...inputs, api });
      assert.equal(a.code, 0, a.log);
      assert.equal(b.code, 0, b.log);
      assert.equal(a.outputs.processed, b.outputs.processed, inputs.command);
    }
    const da = await dumpDatabase(pg.db);
    const db = await dumpDatabase(lite.db);
    for (const table of Object.keys(da)) {
      assert.ok(da[table].length > 0 || table === 'commits', `${table} has rows`);
      assert.deepEqual(db[table], da[table], table);
    }
  });
}

async function pgColumns(db) {
  const rows = await db.query(`select table_name as t, column_name as c, is_nullable as n
    from information_schema.columns where table_schema = 'public' order by 1, 2`);
  return rows.map((r) => `${r.t}.${r.c}${r.n === 'NO' ? ' not null' : ''}`);
}

async function sqliteColumns(db) {
  const tables = await db.query(`select name from sqlite_master where type = 'table' order by name`);
  const out = [];
  for (const { name } of tables) {
    const cols = await db.query(`select name, "notnull" as nn, pk from pragma_table_info('${name}')`);
    for (const c of cols) out.push(`${name}.${c.name}${c.nn || c.pk ? ' not null' : ''}`);
  }
  return out.sort();
}

test('the SQLite schema has every column of db/migrations, with the same nullability', async () => {
  assert.deepEqual(await sqliteColumns(lite.db), (await pgColumns(pg.db)).sort());
});

test('the SQLite schema enforces the same keys and checks', async () => {
  const db = lite.db;
  await db.truncateAll();
  await db.query(`insert into repositories (github_id, full_name, owner, name) values (1, 'a/b', 'a', 'b')`);
  await assert.rejects(db.query(`insert into repositories (github_id, full_name, owner, name) values (1, 'c/d', 'c', 'd')`), /UNIQUE/);
  const [repo] = await db.query('select id from repositories');
  assert.match(repo.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  await assert.rejects(db.query(`insert into pull_requests (github_id, number, title, state, repository_id, head_branch, created_at, updated_at)
    values (3, 1, 't', 'draft', '${repo.id}', 'h', 'x', 'x')`), /CHECK/);
  await assert.rejects(db.query(`insert into pull_requests (github_id, number, title, state, repository_id, head_branch, created_at, updated_at)
    values (3, 1, 't', 'open', 'no-such-repository', 'h', 'x', 'x')`), /FOREIGN KEY/);
  await db.truncateAll();
});
