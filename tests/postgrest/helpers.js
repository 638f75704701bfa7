// Shared setup for the gateway's tests: a throwaway PostgreSQL (tests/lib/pgtmp.sh) with
// the product's schema, the gateway in front of it, and the official Supabase client.

import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { PostgrestClient } from '@supabase/postgrest-js';

import { startGateway } from './server.js';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
export const PGTMP = join(here, '..', 'lib', 'pgtmp.sh');
export const MIGRATION = join(here, '..', '..', 'db', 'migrations', '001_core.sql');
export const KEY = 'service-role-key';

/** Starts PostgreSQL, applies 001_core.sql (+ extra SQL), starts the gateway. */
export async function startStack({ extraSql = '', gateway = {} } = {}) {
	const dir = await mkdtemp(join(tmpdir(), 'pgrst-test-'));
	const { stdout } = await run(PGTMP, ['start', dir]);
	const databaseUrl = stdout.trim().split('\n').pop();
	const stack = { dir, databaseUrl, gw: null };
	try {
		const c = new pg.Client({ connectionString: databaseUrl });
		await c.connect();
		try {
			await c.query(await readFile(MIGRATION, 'utf8'));
			if (extraSql) await c.query(extraSql);
		} finally {
			await c.end();
		}
		stack.gw = await startGateway({ databaseUrl, ...gateway });
	} catch (err) {
		await run(PGTMP, ['stop', dir]).catch(() => {});
		throw err;
	}
	stack.rest = `${stack.gw.url}/rest/v1`;
	stack.client = (key = KEY) => new PostgrestClient(stack.rest, { headers: { apikey: key, Authorization: `Bearer ${key}` } });
	stack.sql = (text, values) => stack.gw.pool.query(text, values);
	/** Plain fetch against /rest/v1 with the key headers; returns { status, headers, text, json }. */
	stack.fetch = async (path, { method = 'GET', headers = {}, body } = {}) => {
		const res = await fetch(stack.rest + path, {
			method,
			headers: { apikey: KEY, Authorization: `Bearer ${KEY}`, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...headers },
			body,
		});
		const text = await res.text();
		let json;
		try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
		return { status: res.status, headers: res.headers, text, json };
	};
	stack.stop = async () => {
		if (stack.gw) await stack.gw.close();
		await run(PGTMP, ['stop', dir]);
	};
	return stack;
}

/** Inserts one repository and returns its id (uuid). */
export async function seedRepository(stack, { githubId = 1, fullName = 'octo/repo' } = {}) {
	const [owner, name] = fullName.split('/');
	const r = await stack.sql(
		'insert into repositories (github_id, full_name, owner, name) values ($1, $2, $3, $4) returning id',
		[githubId, fullName, owner, name]);
	return r.rows[0].id;
}

/** A pull_requests row as the capture writes it. */
export function prRow(repositoryId, n, extra = {}) {
	return {
		github_id: 1000 + n,
		number: n,
		title: `PR ${n}`,
		state: 'open',
		repository_id: repositoryId,
		head_branch: `feature-${n}`,
		created_at: '2024-01-01T00:00:00Z',
		updated_at: '2024-01-02T00:00:00Z',
		...extra,
	};
}
