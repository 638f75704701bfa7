// A fresh database per test file, in either store, with one query interface.
//
//   const db = await freshDatabase('name');                 // PostgreSQL (db/migrations applied)
//   const db = await freshDatabase('name', { migrate: false });  // an empty PostgreSQL database
//   const db = await freshDatabase('name', { store: 'sqlite' });  // a SQLite file (db/sqlite/schema.sql)
//   await db.query(sql, [params])  -> rows, with PostgreSQL's value types for both stores:
//     booleans as true/false, bigint ids as strings, time stamps as Date, JSON as objects
//   await db.count(table, where?)  await db.truncateAll()  await db.close()
//
// The PostgreSQL cluster comes from PC_DATABASE_URL (tests/run.sh starts one);
// without it a throwaway cluster is started with tests/lib/pgtmp.sh. SQLite is
// read with the sqlite3 shell, asynchronously, so the in-process fake servers
// keep answering meanwhile. Keep test SQL to what both dialects take.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { ROOT } from './runner.js';

const run = promisify(execFile);

// bigint columns come back as strings: compare ids exactly, beyond 2^53.
pg.types.setTypeParser(20, (v) => v);

export const TABLES = ['pull_request_captures', 'capture_watermarks', 'progressive_capture_progress',
  'progressive_capture_jobs', 'pull_request_files', 'reviews', 'comments', 'commits', 'pull_requests',
  'contributors', 'repositories'];

export function migrationFiles() {
  const dir = join(ROOT, 'db', 'migrations');
  return readdirSync(dir).filter((f) => f.endsWith('.sql')).sort().map((f) => join(dir, f));
}

export function freshDatabase(name, { store = 'postgrest', migrate = true } = {}) {
  return store === 'sqlite' ? sqliteDatabase(name) : postgresDatabase(name, migrate);
}

// Applies every file of db/migrations, in order, through `db` (a pg Pool or Client).
export async function applyMigrations(db) {
  for (const f of migrationFiles()) await db.query(readFileSync(f, 'utf8'));
}

async function postgresDatabase(name, migrate) {
  let clusterUrl = process.env.PC_DATABASE_URL;
  let ownDir = null;
  if (!clusterUrl) {
    ownDir = mkdtempSync(join(tmpdir(), 'pc-pg-'));
    clusterUrl = execFileSync(join(ROOT, 'tests/lib/pgtmp.sh'), ['start', ownDir], { encoding: 'utf8' }).trim();
  }
  const dbname = `t_${name}_${process.pid}_${Date.now() % 100000}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const admin = new pg.Client({ connectionString: clusterUrl });
  await admin.connect();
  await admin.query(`create database ${dbname}`);
  await admin.end();
  const url = clusterUrl.replace(/\/[^/]*$/, '/' + dbname);
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  pool.on('error', () => {}); // an idle client ended by the teardown's drop database
  if (migrate) await applyMigrations(pool);
  return {
    kind: 'postgrest',
    url,
    pool,
    async query(sql, params) { return (await pool.query(sql, params)).rows; },
    async count(table, where = 'true', params = []) {
      return Number((await pool.query(`select count(*) as n from ${table} where ${where}`, params)).rows[0].n);
    },
    async truncateAll() { await pool.query(`truncate ${TABLES.join(', ')} cascade`); },
    async close() {
      await pool.end();
      if (ownDir) execFileSync(join(ROOT, 'tests/lib/pgtmp.sh'), ['stop', ownDir]);
      else {
        const a = new pg.Client({ connectionString: clusterUrl });
        await a.connect();
        await a.query(`drop database if exists ${dbname} with (force)`);
        await a.end();
      }
    },
  };
}

// Column types SQLite cannot carry, restored by name to what pg returns.
const BOOLS = new Set(['is_fork', 'is_archived', 'is_disabled', 'is_private', 'has_issues', 'has_projects',
  'has_wiki', 'has_pages', 'has_downloads', 'has_discussions', 'is_active', 'is_bot', 'draft', 'mergeable',
  'merged', 'is_direct_commit']);
const BIGINTS = new Set(['github_id', 'repository_github_id', 'author_github_id', 'workflow_run_id']);
const JSONS = new Set(['metadata', 'errors', 'topics']);
const isTime = (k) => k.endsWith('_at') || k === 'watermark';

function pgLike(row) {
  const out = {};
  for (const [k, v] of Object.entries(row)) {
    if (v == null) out[k] = v;
    else if (BOOLS.has(k) && typeof v === 'number') out[k] = v !== 0;
    else if (BIGINTS.has(k) && typeof v === 'number') out[k] = String(v);
    else if (JSONS.has(k) && typeof v === 'string') out[k] = JSON.parse(v);
    else if (isTime(k) && typeof v === 'string') out[k] = new Date(v);
    else out[k] = v;
  }
  return out;
}

function literal(v) {
  if (v == null) return 'NULL';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? '1' : '0';
  return `'${String(v).replace(/'/g, "''")}'`;
}

async function sqliteDatabase(name) {
  const dir = mkdtempSync(join(tmpdir(), `pc-sqlite-${name}-`));
  const path = join(dir, 'capture.db');
  const schema = readFileSync(join(ROOT, 'db/sqlite/schema.sql'), 'utf8');
  const sqlite = async (sql) => {
    // A busy timeout: the binary may be writing at the same moment.
    const child = run('sqlite3', ['-json', '-bail', '-cmd', '.timeout 10000', path],
      { maxBuffer: 256 * 1024 * 1024 });
    child.child.stdin.end(`PRAGMA foreign_keys = ON;\n${sql};\n`);
    const { stdout } = await child;
    // Several statements print several arrays; the last one is the answer.
    const arrays = stdout.trim() === '' ? [] : stdout.trim().split(/\]\n\[/);
    if (arrays.length === 0) return [];
    const last = arrays[arrays.length - 1];
    return JSON.parse((last.startsWith('[') ? '' : '[') + last + (last.endsWith(']') ? '' : ']'));
  };
  await sqlite(schema);
  return {
    kind: 'sqlite',
    path,
    async query(sql, params = []) {
      const text = sql.replace(/\$(\d+)/g, (_, i) => literal(params[Number(i) - 1]));
      return (await sqlite(text)).map(pgLike);
    },
    async count(table, where = 'true', params = []) {
      const [r] = await this.query(`select count(*) as n from ${table} where ${where}`, params);
      return Number(r.n);
    },
    async truncateAll() { await sqlite(TABLES.map((t) => `delete from ${t}`).join(';\n')); },
    async close() { rmSync(dir, { recursive: true, force: true }); },
  };
}
