// The command-line form: node tests/postgrest/server.js --database-url URL [--port N] [--key K] [--max-rows N]

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

import { startStack } from './helpers.js';

const SERVER = fileURLToPath(new URL('./server.js', import.meta.url));
let stack;

before(async () => {
	stack = await startStack();
	await stack.sql(`insert into contributors (github_id, username) select g, 'user' || g from generate_series(1, 8) g`);
});

after(async () => {
	if (stack) await stack.stop();
});

test('prints one "listening" line, serves, and exits on SIGTERM', async () => {
	const child = spawn(process.execPath, [SERVER, '--database-url', stack.databaseUrl, '--port', '0', '--key', 'cli-key', '--max-rows', '5'], {
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let out = '';
	let err = '';
	child.stderr.on('data', (d) => { err += d; });
	const url = await new Promise((resolve, reject) => {
		child.stdout.on('data', (d) => {
			out += d;
			const nl = out.indexOf('\n');
			if (nl >= 0) resolve(out.slice(0, nl));
		});
		child.once('exit', (code) => reject(new Error(`exited ${code}: ${err}`)));
	});
	assert.match(url, /^listening http:\/\/127\.0\.0\.1:\d+$/);
	const base = url.replace(/^listening /, '');
	const res = await fetch(`${base}/rest/v1/contributors?select=github_id&order=github_id`, {
		headers: { apikey: 'cli-key', Authorization: 'Bearer cli-key', Prefer: 'count=exact' },
	});
	assert.equal(res.status, 206);
	assert.equal(res.headers.get('content-range'), '0-4/8');
	assert.equal((await res.json()).length, 5);
	const denied = await fetch(`${base}/rest/v1/contributors`, { headers: { apikey: 'service-role-key' } });
	assert.equal(denied.status, 401);
	child.kill('SIGTERM');
	const [code] = await once(child, 'exit');
	assert.equal(code, 0);
	assert.equal(out.trim().split('\n').length, 1, 'exactly one line on stdout');
});

test('refuses to start without --database-url', async () => {
	const child = spawn(process.execPath, [SERVER], { stdio: ['ignore', 'pipe', 'pipe'] });
	let err = '';
	child.stderr.on('data', (d) => { err += d; });
	const [code] = await once(child, 'exit');
	assert.notEqual(code, 0);
	assert.match(err, /--database-url/);
});
