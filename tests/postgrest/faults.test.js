// Fault injection of the gateway: each kind (what the client sees, whether the request
// was executed, what the log says), matching by method and path prefix, and the seeded
// random mode (determinism, rate, kinds, bursts, faultStats).

import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';

import { startStack, KEY } from './helpers.js';
import { DEFAULT_RANDOM_KINDS, FAULTS, FAULT_KINDS, startGateway } from './server.js';

let stack;
let gw;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const isJson = (t) => {
	try {
		JSON.parse(t);
		return true;
	} catch {
		return false;
	}
};

before(async () => {
	stack = await startStack();
	gw = stack.gw;
});

after(async () => {
	if (stack) await stack.stop();
});

beforeEach(() => {
	gw.clearFaults();
	gw.clearLog();
});

const contributor = (id) => JSON.stringify({ github_id: id, username: `user-${id}` });
const rowsOf = async (id) => (await stack.sql('select username from contributors where github_id = $1', [id])).rows.length;
/** POST one contributor; resolves to the answer, or { error } when the connection failed. */
const post = (id, headers = {}, signal) => stack.fetch('/contributors', { method: 'POST', body: contributor(id), headers, signal }).catch((error) => ({ error }));

/** A request whose answer is only partly read: fetch with an abort signal. */
function fetchWithTimeout(path, ms, init = {}) {
	return fetch(stack.rest + path, {
		...init,
		headers: { apikey: KEY, Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json', ...(init.headers ?? {}) },
		signal: AbortSignal.timeout(ms),
	});
}

test('the kinds', () => {
	assert.deepEqual([...FAULT_KINDS].sort(), ['clientError', 'gatewayTimeout', 'reset', 'resetAfterCommit', 'slow', 'unavailable']);
	assert.deepEqual([...DEFAULT_RANDOM_KINDS].sort(), ['gatewayTimeout', 'reset', 'resetAfterCommit', 'unavailable']);
	assert.throws(() => gw.addFault({ kind: 'nope' }), /unknown kind nope/);
	assert.throws(() => gw.addFault({ path: '/x' }), /kind or a status/);
});

test('unavailable: 503 PGRST001, nothing executed; Retry-After only when given', async () => {
	gw.addFault({ method: 'POST', path: '/contributors', ...FAULTS.unavailable() });
	const r = await post(1);
	assert.equal(r.status, 503);
	assert.equal(r.text, '{"code":"PGRST001","details":null,"hint":null,"message":"Database client error. Retrying the connection."}');
	assert.match(r.headers.get('content-type'), /^application\/json/);
	assert.equal(r.headers.get('retry-after'), null);
	assert.equal(await rowsOf(1), 0);
	assert.deepEqual([gw.log.at(-1).fault, gw.log.at(-1).status, gw.log.at(-1).code], ['unavailable', 503, 'PGRST001']);
	gw.addFault({ path: '/contributors', ...FAULTS.unavailable({ retryAfter: 2 }) });
	const db = stack.client();
	const s = await db.from('contributors').select('username');
	assert.equal(s.status, 503);
	assert.equal(s.error.code, 'PGRST001');
	assert.equal(gw.log.at(-1).fault, 'unavailable');
	const again = await post(1);
	assert.equal(again.status, 201);
	assert.equal(gw.log.at(-1).fault, null);
	assert.equal(await rowsOf(1), 1);
});

test('gatewayTimeout: 504 with an HTML body, nothing executed', async () => {
	gw.addFault({ path: '/rest/v1/contributors', ...FAULTS.gatewayTimeout() });
	const r = await post(2);
	assert.equal(r.status, 504);
	assert.match(r.headers.get('content-type'), /^text\/html/);
	assert.ok(!isJson(r.text));
	assert.match(r.text, /504 Gateway Time-out/);
	assert.equal(await rowsOf(2), 0);
	assert.equal(gw.log.at(-1).fault, 'gatewayTimeout');
});

test('clientError: 400 PGRST100, nothing executed', async () => {
	gw.addFault({ path: '/contributors', ...FAULTS.clientError() });
	const r = await post(3);
	assert.equal(r.status, 400);
	assert.equal(r.json.code, 'PGRST100');
	assert.deepEqual(Object.keys(r.json), ['code', 'details', 'hint', 'message']);
	assert.match(r.json.message, /failed to parse/);
	assert.equal(await rowsOf(3), 0);
	assert.deepEqual([gw.log.at(-1).fault, gw.log.at(-1).code], ['clientError', 'PGRST100']);
});

test('reset: the connection drops and the request was not executed', async () => {
	gw.addFault({ method: 'POST', path: '/contributors', ...FAULTS.reset() });
	const r = await post(4);
	assert.ok(r.error, 'the request failed');
	assert.equal(await rowsOf(4), 0);
	assert.deepEqual([gw.log.at(-1).fault, gw.log.at(-1).status], ['reset', 0]);
	assert.equal((await post(4)).status, 201);
	assert.equal(await rowsOf(4), 1);
});

test('resetAfterCommit: the write is committed but never acknowledged; an upsert retry is safe', async () => {
	gw.addFault({ method: 'POST', path: '/contributors', ...FAULTS.resetAfterCommit() });
	const r = await post(5);
	assert.ok(r.error, 'the request failed');
	assert.equal(await rowsOf(5), 1, 'the row is there');
	assert.deepEqual([gw.log.at(-1).fault, gw.log.at(-1).status], ['resetAfterCommit', 201]);
	// A plain insert retried would now be a 409; an idempotent upsert is fine.
	const dup = await post(5);
	assert.equal(dup.status, 409);
	const up = await stack.fetch('/contributors?on_conflict=github_id', {
		method: 'POST', body: contributor(5), headers: { Prefer: 'resolution=merge-duplicates' },
	});
	assert.equal(up.status, 200, 'an upsert that only updates is a 200');
	assert.equal(await rowsOf(5), 1);
});

test('slow: executed at once, answered late; a client that gives up is logged as aborted', async () => {
	gw.addFault({ method: 'POST', path: '/contributors', ...FAULTS.slow(500) });
	const t0 = Date.now();
	await assert.rejects(fetchWithTimeout('/contributors', 150, { method: 'POST', body: contributor(6) }));
	assert.equal(await rowsOf(6), 1, 'the write happened although the client gave up');
	assert.equal(gw.log.at(-1).fault, 'slow');
	await sleep(Math.max(0, t0 + 550 - Date.now()));
	assert.equal(gw.log.at(-1).aborted, true);
	gw.addFault({ method: 'GET', path: /^\/contributors/, ...FAULTS.slow(300) });
	const t1 = Date.now();
	const r = await stack.fetch('/contributors?github_id=eq.6&select=username');
	assert.ok(Date.now() - t1 >= 300);
	assert.deepEqual(r.json, [{ username: 'user-6' }]);
	assert.deepEqual([gw.log.at(-1).fault, gw.log.at(-1).aborted], ['slow', false]);
});

test('matching: method, path prefix (with or without /rest/v1, or a RegExp), times, hits; OPTIONS never', async () => {
	const f = gw.addFault({ method: 'GET', path: '/pull_requests', times: 2, ...FAULTS.unavailable() });
	assert.equal((await stack.fetch('/contributors?select=username')).status, 200);
	assert.equal((await post(7)).status, 201);
	assert.equal((await stack.fetch('/pull_requests?select=number')).status, 503);
	assert.equal((await stack.fetch('/pull_requests?select=number')).status, 503);
	assert.equal((await stack.fetch('/pull_requests?select=number')).status, 200);
	assert.deepEqual([f.hits, f.remaining], [2, 0]);
	gw.addFault({ ...FAULTS.gatewayTimeout() });
	assert.equal((await stack.fetch('/', { method: 'OPTIONS' })).status, 200);
	assert.equal((await stack.fetch('/commits?select=sha')).status, 504);
	gw.addFault({ status: 418, body: { code: 'X', message: 'teapot' } });
	const t = await stack.fetch('/commits?select=sha');
	assert.equal(t.status, 418);
	assert.equal(gw.log.at(-1).fault, 'custom-418');
	const s = gw.faultStats();
	assert.deepEqual([s.total, s.scripted, s.random], [4, 4, 0]);
	assert.deepEqual(s.byKind, { unavailable: 2, gatewayTimeout: 1, 'custom-418': 1 });
});

test('random faults: same seed and same requests → same faults; another seed → others', async () => {
	const kinds = ['unavailable', 'gatewayTimeout', 'reset', 'resetAfterCommit', 'clientError'];
	const run = async (seed) => {
		await stack.sql('delete from contributors where github_id >= 1000');
		gw.clearLog();
		gw.setRandomFaults({ seed, rate: 0.4, kinds, maxBurst: 3 });
		const seen = [];
		for (let i = 0; i < 40; i++) {
			const r = i % 2 ? await stack.fetch(`/contributors?github_id=eq.${1000 + i - 1}&select=username`).catch((error) => ({ error }))
				: await stack.fetch('/contributors?on_conflict=github_id', { method: 'POST', body: contributor(1000 + i), headers: { Prefer: 'resolution=merge-duplicates' } }).catch((error) => ({ error }));
			seen.push(r.error ? 'error' : r.status);
		}
		const rows = (await stack.sql('select github_id from contributors where github_id >= 1000 order by 1')).rows.map((x) => Number(x.github_id));
		return { seen, faults: gw.log.map((x) => x.fault), stats: gw.faultStats(), rows };
	};
	const a = await run(2024);
	const b = await run(2024);
	const c = await run(2025);
	assert.deepEqual(b.faults, a.faults);
	assert.deepEqual(b.seen, a.seen);
	assert.deepEqual(b.stats, a.stats);
	assert.deepEqual(b.rows, a.rows);
	assert.notDeepEqual(c.faults, a.faults);
	assert.equal(a.stats.requests, 40);
	assert.ok(a.stats.total >= 8 && a.stats.total <= 32, `${a.stats.total} faults in 40`);
	assert.equal(a.faults.filter((x) => x !== null).length, a.stats.total);
	// What was written is exactly what was executed: no fault, or resetAfterCommit.
	const written = a.faults.map((x, i) => (i % 2 === 0 && (x === null || x === 'resetAfterCommit') ? 1000 + i : null)).filter((x) => x !== null);
	assert.deepEqual(a.rows, written);
});

test('random faults: rate 0 and 1, default kinds, bursts of at most maxBurst, slowMs, filters', async () => {
	gw.setRandomFaults({ seed: 9, rate: 0 });
	for (let i = 0; i < 5; i++) await stack.fetch('/commits?select=sha');
	assert.ok(gw.log.every((x) => x.fault === null));

	gw.setRandomFaults({ seed: 9, rate: 1 });
	for (let i = 0; i < 30; i++) await stack.fetch('/commits?select=sha').catch(() => {});
	const stats = gw.faultStats();
	assert.equal(stats.total, 30);
	for (const k of Object.keys(stats.byKind)) assert.ok(DEFAULT_RANDOM_KINDS.includes(k), k);

	gw.setRandomFaults({ seed: 5, rate: 1, kinds: ['unavailable', 'gatewayTimeout'], maxBurst: 4 });
	for (let i = 0; i < 30; i++) await stack.fetch('/commits?select=sha');
	let runLen = 0;
	let longest = 0;
	for (const d of gw.faultStats().drawn) {
		runLen = d.burst ? runLen + 1 : 1;
		longest = Math.max(longest, runLen);
	}
	assert.ok(longest >= 2 && longest <= 4, `longest burst ${longest}`);

	gw.clearLog();
	gw.setRandomFaults({ seed: 5, rate: 1, kinds: ['slow'], slowMs: 250, method: 'GET', path: '/commits' });
	const t0 = Date.now();
	assert.equal((await stack.fetch('/commits?select=sha')).status, 200);
	assert.ok(Date.now() - t0 >= 250);
	assert.equal((await stack.fetch('/pull_requests?select=number')).status, 200);
	assert.deepEqual(gw.log.map((x) => x.fault), ['slow', null]);

	assert.throws(() => gw.setRandomFaults({ kinds: ['bogus'] }), /unknown kind bogus/);
	assert.throws(() => gw.setRandomFaults({ rate: -1 }), /rate/);
	assert.equal(gw.setRandomFaults(null), null);
	assert.equal((await stack.fetch('/commits?select=sha')).status, 200);
});

test('a reset during a request body upload still leaves nothing written', async () => {
	gw.addFault({ method: 'POST', path: '/contributors', ...FAULTS.reset() });
	const url = new URL(`${stack.rest}/contributors`);
	const err = await new Promise((resolve) => {
		const req = http.request(url, { method: 'POST', headers: { apikey: KEY, 'Content-Type': 'application/json' } }, () => resolve(null));
		req.on('error', resolve);
		req.write('[');
		setTimeout(() => req.end(`${contributor(8)}]`), 50);
	});
	assert.ok(err, 'the connection was dropped');
	assert.equal(await rowsOf(8), 0);
});

test('startGateway({ randomFaults }) starts in random mode; a bad option fails before anything starts', async () => {
	const other = await startGateway({ databaseUrl: stack.databaseUrl, listen: false, randomFaults: { seed: 1, rate: 1, kinds: ['gatewayTimeout'] } });
	try {
		const r = await fetch(`${other.url}/rest/v1/commits?select=sha`, { headers: { apikey: KEY } });
		assert.equal(r.status, 504);
		assert.deepEqual(other.faultStats().byKind, { gatewayTimeout: 1 });
	} finally {
		await other.close();
	}
	await assert.rejects(startGateway({ databaseUrl: stack.databaseUrl, randomFaults: { kinds: ['nope'] } }), /unknown kind/);
});
