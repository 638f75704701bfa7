// Errors as Supabase/PostgREST give them: auth (401), schema cache (PGRST20x), payload
// (PGRST102), PostgreSQL SQLSTATEs mapped to HTTP statuses, media types, methods.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { startStack, seedRepository, prRow, KEY } from './helpers.js';
import { statusForSqlState } from './errors.js';

const RAISER = `
create function public.raise_sqlstate(code text) returns integer language plpgsql as $$
begin
	raise exception 'raised %', code using errcode = code, detail = 'some detail', hint = 'some hint';
end $$;
`;

let stack;
let db;
let repoId;

before(async () => {
	stack = await startStack({ extraSql: RAISER });
	db = stack.client();
	repoId = await seedRepository(stack);
	await db.from('contributors').insert({ github_id: 1, username: 'alice' });
});

after(async () => {
	if (stack) await stack.stop();
});

test('401: wrong key, missing key (Supabase gateway), bad bearer (PGRST301)', async () => {
	let r = await stack.client('not-the-key').from('contributors').select('*');
	assert.equal(r.status, 401);
	assert.equal(r.error.message, 'Invalid API key');
	const missing = await fetch(`${stack.rest}/contributors`);
	assert.equal(missing.status, 401);
	assert.deepEqual(await missing.json(), {
		message: 'No API key found in request',
		hint: 'No `apikey` request header or url param was found.',
	});
	const bearer = await fetch(`${stack.rest}/contributors`, { headers: { apikey: KEY, Authorization: 'Bearer something-else' } });
	assert.equal(bearer.status, 401);
	const body = await bearer.json();
	assert.equal(body.code, 'PGRST301');
	assert.match(bearer.headers.get('www-authenticate'), /^Bearer error="invalid_token"/);
	// apikey alone (no Authorization) and apikey as a URL parameter are accepted.
	const alone = await fetch(`${stack.rest}/contributors?select=username`, { headers: { apikey: KEY } });
	assert.equal(alone.status, 200);
	const param = await fetch(`${stack.rest}/contributors?select=username&apikey=${KEY}`);
	assert.equal(param.status, 200);
	assert.deepEqual(await param.json(), [{ username: 'alice' }]);
});

test('409 unique violation (23505) with PostgreSQL details', async () => {
	const r = await db.from('contributors').insert({ github_id: 1, username: 'dupe' });
	assert.equal(r.status, 409);
	assert.equal(r.error.code, '23505');
	assert.equal(r.error.message, 'duplicate key value violates unique constraint "contributors_github_id_key"');
	assert.equal(r.error.details, 'Key (github_id)=(1) already exists.');
	assert.equal(r.error.hint, null);
});

test('409 foreign key violation (23503)', async () => {
	const r = await db.from('pull_requests').insert(prRow('00000000-0000-0000-0000-000000000000', 1));
	assert.equal(r.status, 409);
	assert.equal(r.error.code, '23503');
});

test('400 check violation (23514): review state must be upper case', async () => {
	const pr = await db.from('pull_requests').insert(prRow(repoId, 1)).select('id').single();
	const author = await db.from('contributors').select('id').eq('github_id', 1).single();
	const review = {
		github_id: 55, pull_request_id: pr.data.id, repository_id: repoId, author_id: author.data.id,
		state: 'approved', submitted_at: '2024-01-01T00:00:00Z',
	};
	const r = await db.from('reviews').insert(review);
	assert.equal(r.status, 400);
	assert.equal(r.error.code, '23514');
	assert.match(r.error.message, /violates check constraint "reviews_state_check"/);
	const ok = await db.from('reviews').insert({ ...review, state: 'APPROVED' });
	assert.equal(ok.error, null);
});

test('400 not-null (23502) and invalid input syntax (22P02)', async () => {
	let r = await db.from('contributors').insert({ github_id: 2 });
	assert.equal(r.status, 400);
	assert.equal(r.error.code, '23502');
	r = await db.from('contributors').select('*').eq('github_id', 'abc');
	assert.equal(r.status, 400);
	assert.equal(r.error.code, '22P02');
	assert.equal(r.error.message, 'invalid input syntax for type bigint: "abc"');
});

test('PGRST204: unknown column in the body or in columns=', async () => {
	let r = await db.from('contributors').insert({ github_id: 3, username: 'x', nickname: 'y' });
	assert.equal(r.status, 400);
	assert.deepEqual(r.error, {
		code: 'PGRST204', details: null, hint: null,
		message: "Could not find the 'nickname' column of 'contributors' in the schema cache",
	});
	r = await db.from('contributors').insert([{ github_id: 3, username: 'x' }, { github_id: 4, username: 'z', nickname: 'q' }]);
	assert.equal(r.error.code, 'PGRST204');
	r = await db.from('contributors').update({ nickname: 'q' }).eq('github_id', 1);
	assert.equal(r.error.code, 'PGRST204');
});

test('PGRST205: unknown table (404) with a hint for a near miss', async () => {
	let r = await db.from('no_such_table').select('*');
	assert.equal(r.status, 404);
	assert.deepEqual(r.error, {
		code: 'PGRST205', details: null, hint: null,
		message: "Could not find the table 'public.no_such_table' in the schema cache",
	});
	r = await db.from('contributor').select('*');
	assert.equal(r.error.hint, "Perhaps you meant the table 'public.contributors'");
	const raw = await stack.fetch('/no_such_table', { method: 'POST', body: '{}' });
	assert.equal(raw.status, 404);
	assert.deepEqual(raw.json, {
		code: 'PGRST205', details: null, hint: null,
		message: "Could not find the table 'public.no_such_table' in the schema cache",
	});
});

test('PGRST102: invalid JSON, mismatched keys without columns=', async () => {
	let r = await stack.fetch('/contributors', { method: 'POST', body: '{"github_id": 5,' });
	assert.equal(r.status, 400);
	assert.equal(r.text, '{"code":"PGRST102","details":null,"hint":null,"message":"Empty or invalid json"}');
	r = await stack.fetch('/contributors', { method: 'POST', body: '' });
	assert.equal(r.json.message, 'Empty or invalid json');
	r = await stack.fetch('/contributors', { method: 'POST', body: '[{"github_id":5,"username":"a"},{"github_id":6}]' });
	assert.equal(r.status, 400);
	assert.deepEqual(r.json, { code: 'PGRST102', details: null, hint: null, message: 'All object keys must match' });
});

test('PGRST100: unparsable query parameters', async () => {
	let r = await stack.fetch('/contributors?select=id,,username');
	assert.equal(r.status, 400);
	assert.equal(r.json.code, 'PGRST100');
	r = await stack.fetch('/contributors?or=(github_id.eq.1');
	assert.equal(r.json.code, 'PGRST100');
	r = await stack.fetch('/contributors?github_id=is.maybe');
	assert.equal(r.json.code, 'PGRST100');
	r = await stack.fetch('/contributors?order=github_id.sideways');
	assert.equal(r.json.code, 'PGRST100');
});

test('SQLSTATE → HTTP status, as PostgREST maps them', async () => {
	const cases = {
		P0001: 400, 23505: 409, 23503: 409, 23502: 400, 23514: 400, '22P02': 400,
		'42P01': 404, 42883: 404, 42501: 403, '08006': 503, 53300: 503, 53400: 500,
		57014: 500, '57P01': 503, 25006: 405, 40001: 500, XX000: 500, P0002: 500, 42703: 400,
	};
	for (const [code, status] of Object.entries(cases)) {
		const r = await db.rpc('raise_sqlstate', { code });
		assert.equal(r.status, status, `SQLSTATE ${code}`);
		assert.deepEqual(r.error, { code, details: 'some detail', hint: 'some hint', message: `raised ${code}` });
		assert.equal(statusForSqlState(code), status);
	}
});

test('Accept: unsupported media type → 406 PGRST107', async () => {
	const r = await stack.fetch('/contributors', { headers: { Accept: 'application/xml' } });
	assert.equal(r.status, 406);
	assert.equal(r.json.code, 'PGRST107');
});

test('unsupported methods: 405', async () => {
	let r = await stack.fetch('/contributors', { method: 'PROPFIND' });
	assert.equal(r.status, 405);
	assert.equal(r.json.code, 'PGRST117');
	r = await stack.fetch('/rpc/raise_sqlstate', { method: 'PATCH', body: '{}' });
	assert.equal(r.status, 405);
	assert.equal(r.json.code, 'PGRST101');
	r = await stack.fetch('/contributors?username=eq.alice', { method: 'PUT', body: '{"username":"alice"}' });
	assert.equal(r.status, 405);
	assert.equal(r.json.code, 'PGRST105');
});

test('error responses are JSON with PostgREST headers; the gateway survives garbage', async () => {
	const r = await stack.fetch('/contributors', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '\u0000\u0001' });
	assert.equal(r.status, 400);
	assert.equal(r.headers.get('content-type'), 'application/json; charset=utf-8');
	assert.equal(r.headers.get('proxy-status'), 'PostgREST; error=PGRST102');
	const weird = await fetch(`${stack.rest}/%E0%A4%A?select=((((`, { headers: { apikey: KEY } });
	assert.ok(weird.status >= 400 && weird.status < 500);
	const outside = await fetch(`${stack.gw.url}/auth/v1/user`, { headers: { apikey: KEY } });
	assert.equal(outside.status, 404);
	const ok = await db.from('contributors').select('username').eq('github_id', 1);
	assert.deepEqual(ok.data, [{ username: 'alice' }]);
});

test('close() ends promptly with keep-alive connections open', async () => {
	const extra = await import('./server.js').then((m) => m.startGateway({ databaseUrl: stack.databaseUrl }));
	const res = await fetch(`${extra.url}/rest/v1/contributors?select=username`, { headers: { apikey: KEY } });
	assert.equal(res.status, 200);
	await res.text();
	const t0 = Date.now();
	await extra.close();
	assert.ok(Date.now() - t0 < 1000, `close took ${Date.now() - t0} ms`);
});
