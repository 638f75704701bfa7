// A fresh PostgreSQL database per test file, with the schema of db/migrations.
//
//   const db = await freshDatabase('pr_details');  // { url, pool, close() }
//
// The cluster comes from PC_DATABASE_URL (tests/run.sh starts one); without it
// a throwaway cluster is started with tests/lib/pgtmp.sh and stopped on close.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { ROOT } from './runner.js';

// bigint columns come back as strings: compare ids exactly, beyond 2^53.
pg.types.setTypeParser(20, (v) => v);

export function migrationFiles() {
  const dir = join(ROOT, 'db', 'migrations');
  return readdirSync(dir).filter((f) => f.endsWith('.sql')).sort().map((f) => join(dir, f));
}

export async function freshDatabase(name) {
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
  for (const f of migrationFiles()) await pool.query(readFileSync(f, 'utf8'));
  return {
    url,
    pool,
    async query(sql, params) { return (await pool.query(sql, params)).rows; },
    async count(table, where = 'true', params = []) {
      return Number((await pool.query(`select count(*)::int as n from ${table} where ${where}`, params)).rows[0].n);
    },
    async truncateAll() {
      await pool.query(`truncate repositories, contributors, pull_requests, pull_request_files, reviews,
        comments, commits, progressive_capture_jobs, progressive_capture_progress cascade`);
    },
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
