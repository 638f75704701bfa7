// db/migrations applies to an empty PostgreSQL 15, again over itself with the
// same result, and to a Supabase-like database (with its roles), granting the
// tables to service_role only and keeping the job tables behind row-level
// security. (On contributor.info's own database: compat_schema.test.js.)
// PostgreSQL only.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { applyMigrations, freshDatabase } from '../lib/db.js';
import { STORE } from '../lib/rig.js';
import { catalog } from '../compat/catalog.js';
import { UPSERT_KEYS } from '../compat/written.js';

const skip = STORE === 'sqlite' && 'PostgreSQL only';
const dbs = [];
after(async () => { for (const d of dbs) await d.close(); });

// Applies the migrations on a connection of its own; returns what they RAISEd.
async function apply(db) {
  const client = new pg.Client({ connectionString: db.url });
  const notices = [];
  client.on('notice', (n) => notices.push(n));
  await client.connect();
  try {
    await applyMigrations(client);
  } finally {
    await client.end();
  }
  return notices;
}

test('the migrations apply to an empty database and again over themselves, with the same result', { skip }, async () => {
  const db = await freshDatabase('migrate_twice', { migrate: false });
  dbs.push(db);
  const first = await apply(db);
  const once = await catalog(db);
  const second = await apply(db);
  assert.deepEqual(await catalog(db), once);
  for (const n of [...first, ...second]) {
    assert.notEqual(n.severity, 'WARNING', n.message);
    assert.doesNotMatch(n.message, /^progressive-capture: added/, 'nothing to complete on our own tables');
  }
  for (const t of ['comments', 'commits', 'contributors', 'progressive_capture_jobs', 'progressive_capture_progress',
    'pull_request_files', 'pull_requests', 'repositories', 'reviews', 'pull_request_captures', 'capture_watermarks'])
    assert.ok(`${t}.id` in once.columns, t);
});

test('the conflict keys the action writes on all have unique constraints', { skip }, async () => {
  const db = await freshDatabase('migrate_keys');
  dbs.push(db);
  const keys = await db.query(`
    select c.conrelid::regclass::text as tbl,
           string_agg(a.attname, ',' order by array_position(c.conkey, a.attnum)) as cols
      from pg_constraint c join pg_attribute a on a.attrelid = c.conrelid and a.attnum = any(c.conkey)
     where c.contype in ('u', 'p') and c.connamespace = 'public'::regnamespace
     group by c.oid, c.conrelid`);
  const have = new Set(keys.map((k) => `${k.tbl}(${k.cols})`));
  for (const k of [...UPSERT_KEYS.map(([t, cols]) => `${t}(${cols.join(',')})`), 'pull_requests(repository_id,number)'])
    assert.ok(have.has(k), `unique ${k}`);
});

test('on a Supabase-like database the tables are granted to service_role only', { skip }, async () => {
  const db = await freshDatabase('migrate_supabase');
  dbs.push(db);
  // Supabase's API roles; freshDatabase already applied the migrations before they existed.
  await db.pool.query(`do $$ begin
    if not exists (select 1 from pg_roles where rolname = 'service_role') then create role service_role bypassrls; end if;
    if not exists (select 1 from pg_roles where rolname = 'anon') then create role anon; end if;
    if not exists (select 1 from pg_roles where rolname = 'authenticated') then create role authenticated; end if;
    end $$`);
  await apply(db);
  const grants = await db.query(`select table_name, grantee, string_agg(privilege_type, ',' order by privilege_type) as p
    from information_schema.role_table_grants where table_schema = 'public' and grantee in ('service_role', 'anon', 'authenticated')
    group by 1, 2 order by 1, 2`);
  assert.ok(grants.length >= 11);
  for (const g of grants) {
    assert.equal(g.grantee, 'service_role', `${g.table_name} granted to ${g.grantee}`);
    assert.equal(g.p, 'DELETE,INSERT,SELECT,UPDATE');
  }
  const rls = await db.query(`select relname from pg_class where relrowsecurity and relnamespace = 'public'::regnamespace order by 1`);
  assert.deepEqual(rls.map((r) => r.relname), ['capture_watermarks', 'progressive_capture_jobs',
    'progressive_capture_progress', 'pull_request_captures', 'pull_request_files']);
});

test('the checks contributor.info relies on hold', { skip }, async () => {
  const db = await freshDatabase('migrate_checks');
  dbs.push(db);
  const [repo] = await db.query(`insert into repositories (github_id, full_name, owner, name) values (1, 'a/b', 'a', 'b') returning id`);
  const [user] = await db.query(`insert into contributors (github_id, username) values (2, 'u') returning id`);
  const [pr] = await db.query(`insert into pull_requests (github_id, number, title, state, repository_id, head_branch, created_at, updated_at)
    values (3, 1, 't', 'merged', $1, 'h', now(), now()) returning id`, [repo.id]);
  await assert.rejects(db.query(`insert into pull_requests (github_id, number, title, state, repository_id, head_branch, created_at, updated_at)
    values (4, 2, 't', 'draft', $1, 'h', now(), now())`, [repo.id]), /pull_requests_state_check/);
  await assert.rejects(db.query(`insert into reviews (github_id, pull_request_id, repository_id, author_id, state, submitted_at)
    values (5, $1, $2, $3, 'approved', now())`, [pr.id, repo.id, user.id]), /reviews_state_check/);
  await assert.rejects(db.query(`insert into comments (github_id, repository_id, body, created_at, updated_at, comment_type)
    values (6, $1, 'b', now(), now(), 'issue')`, [repo.id]), /comments_comment_type_check/);
  await assert.rejects(db.query(`insert into reviews (github_id, pull_request_id, repository_id, author_id, state)
    values (7, $1, $2, $3, 'PENDING')`, [pr.id, repo.id, user.id]), /submitted_at/);
});
