// db/migrations applies to an empty PostgreSQL 15, again over itself, and to a
// Supabase-like database (with its roles), granting the tables to
// service_role only and keeping the job tables behind row-level security.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { freshDatabase, migrationFiles } from '../lib/db.js';

const dbs = [];
after(async () => { for (const d of dbs) await d.close(); });

const apply = async (db) => { for (const f of migrationFiles()) await db.pool.query(readFileSync(f, 'utf8')); };

test('the migrations apply to an empty database and again over themselves', async () => {
  const db = await freshDatabase('migrate_twice');
  dbs.push(db);
  await apply(db);
  const tables = (await db.query(`select table_name from information_schema.tables
    where table_schema = 'public' order by 1`)).map((r) => r.table_name);
  for (const t of ['comments', 'commits', 'contributors', 'progressive_capture_jobs', 'progressive_capture_progress',
    'pull_request_files', 'pull_requests', 'repositories', 'reviews'])
    assert.ok(tables.includes(t), t);
});

test('the conflict keys the action writes on all have unique constraints', async () => {
  const db = await freshDatabase('migrate_keys');
  dbs.push(db);
  const keys = await db.query(`
    select c.conrelid::regclass::text as tbl,
           string_agg(a.attname, ',' order by array_position(c.conkey, a.attnum)) as cols
      from pg_constraint c join pg_attribute a on a.attrelid = c.conrelid and a.attnum = any(c.conkey)
     where c.contype in ('u', 'p') and c.connamespace = 'public'::regnamespace
     group by c.oid, c.conrelid`);
  const have = new Set(keys.map((k) => `${k.tbl}(${k.cols})`));
  for (const k of ['repositories(github_id)', 'contributors(github_id)', 'pull_requests(github_id)',
    'pull_requests(repository_id,number)', 'pull_request_files(pull_request_id,filename)', 'reviews(github_id)',
    'comments(github_id)', 'commits(repository_id,sha)', 'pull_request_captures(pull_request_id,part)',
    'capture_watermarks(repository_id,stream)'])
    assert.ok(have.has(k), `unique ${k}`);
});

test('on a Supabase-like database the tables are granted to service_role only', async () => {
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

test('the checks contributor.info relies on hold', async () => {
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
