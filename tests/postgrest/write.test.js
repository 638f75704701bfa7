// Writes through the gateway: insert, bulk insert, upsert (merge / ignore duplicates,
// on_conflict), update, delete, RPC, 64-bit ids, and the raw request forms the C client sends.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { startStack, seedRepository, prRow } from './helpers.js';

const FUNCTIONS = `
create function public.add_numbers(a integer, b integer default 10) returns integer
	language sql immutable as $$ select a + b $$;
create function public.prs_since(min_number integer) returns setof public.pull_requests
	language sql stable as $$ select * from public.pull_requests where number >= min_number order by number $$;
create function public.touch_job(job uuid) returns void
	language sql as $$ update public.progressive_capture_jobs set status = 'processing' where id = job $$;
create function public.count_items(p_json jsonb) returns integer
	language sql immutable as $$ select jsonb_array_length(p_json) $$;
create function public.job_counts() returns table(status text, n bigint)
	language sql stable as $$ select status::text, count(*) from public.progressive_capture_jobs group by 1 order by 1 $$;
`;

let stack;
let db;
let repoId;

before(async () => {
	stack = await startStack({ extraSql: FUNCTIONS });
	db = stack.client();
	repoId = await seedRepository(stack);
});

after(async () => {
	if (stack) await stack.stop();
});

test('insert: 201, empty body by default; select() returns the rows', async () => {
	let r = await db.from('contributors').insert({ github_id: 10, username: 'alice' });
	assert.equal(r.error, null);
	assert.equal(r.status, 201);
	assert.equal(r.data, null);
	r = await db.from('contributors').insert({ github_id: 11, username: 'bob', is_bot: true }).select('github_id, username, is_bot').single();
	assert.equal(r.status, 201);
	assert.deepEqual(r.data, { github_id: 11, username: 'bob', is_bot: true });
	const raw = await stack.fetch('/contributors', { method: 'POST', body: JSON.stringify({ github_id: 12, username: 'carol' }) });
	assert.equal(raw.status, 201);
	assert.equal(raw.text, '');
	assert.equal(raw.headers.get('content-range'), '*/*');
});

test('types: jsonb, text[], timestamptz, booleans, numeric strings for bigint', async () => {
	const r = await stack.fetch('/repositories?select=github_id,topics,is_fork,github_created_at', {
		method: 'POST',
		headers: { Prefer: 'return=representation' },
		body: JSON.stringify({
			github_id: '77', full_name: 'types/repo', owner: 'types', name: 'repo',
			topics: ['c', 'supabase'], is_fork: true, github_created_at: '2023-05-06T07:08:09Z',
		}),
	});
	assert.equal(r.status, 201);
	assert.equal(r.text, '[{"github_id":77,"topics":["c","supabase"],"is_fork":true,"github_created_at":"2023-05-06T07:08:09+00:00"}]');
	const job = await db.from('progressive_capture_jobs').insert({ job_type: 'capture', metadata: { run_url: 'https://x/runs/1', ids: [1, 2] } }).select('metadata, status').single();
	assert.equal(job.error, null);
	assert.deepEqual(job.data, { metadata: { run_url: 'https://x/runs/1', ids: [1, 2] }, status: 'pending' });
});

test('big integer 9007199254740993 round-trips exactly', async () => {
	// The C client sends 64-bit ids as bare JSON integers beyond 2^53.
	const body = '[{"github_id":9007199254740993,"username":"bigid"}]';
	const ins = await stack.fetch('/contributors?columns=github_id,username&select=github_id', {
		method: 'POST', headers: { Prefer: 'return=representation' }, body,
	});
	assert.equal(ins.status, 201);
	assert.equal(ins.text, '[{"github_id":9007199254740993}]');
	const db64 = await stack.sql("select github_id::text from contributors where username = 'bigid'");
	assert.equal(db64.rows[0].github_id, '9007199254740993');
	const get = await stack.fetch('/contributors?select=github_id,username&github_id=eq.9007199254740993');
	assert.equal(get.text, '[{"github_id":9007199254740993,"username":"bigid"}]');
	const upd = await stack.fetch('/contributors?github_id=eq.9007199254740993&select=github_id', {
		method: 'PATCH', headers: { Prefer: 'return=representation' }, body: '{"github_id":9223372036854775807}',
	});
	assert.equal(upd.text, '[{"github_id":9223372036854775807}]');
});

test('bulk insert with differing keys: postgrest-js adds columns=, missing keys become NULL', async () => {
	const rows = [
		{ github_id: 20, username: 'u20', company: 'ACME' },
		{ github_id: 21, username: 'u21' },
	];
	const r = await db.from('contributors').insert(rows).select('github_id, company, is_bot').order('github_id');
	assert.equal(r.error, null);
	assert.deepEqual(r.data, [
		{ github_id: 20, company: 'ACME', is_bot: false },
		{ github_id: 21, company: null, is_bot: false },
	]);
	const log = stack.gw.log[stack.gw.log.length - 1];
	assert.match(decodeURIComponent(log.query), /columns="github_id","username","company"/);
});

test('missing=default (defaultToNull: false) uses column defaults for absent keys', async () => {
	const r = await db.from('repositories')
		.insert([{ github_id: 30, full_name: 'd/a', owner: 'd', name: 'a', default_branch: 'trunk' }, { github_id: 31, full_name: 'd/b', owner: 'd', name: 'b' }], { defaultToNull: false })
		.select('github_id, default_branch, stargazers_count');
	assert.equal(r.error, null);
	assert.deepEqual(r.data, [
		{ github_id: 30, default_branch: 'trunk', stargazers_count: 0 },
		{ github_id: 31, default_branch: 'main', stargazers_count: 0 },
	]);
	// Without missing=default the absent key is NULL, even where the column has a default.
	const n = await stack.fetch('/repositories?columns=github_id,full_name,owner,name,default_branch&select=default_branch', {
		method: 'POST', headers: { Prefer: 'return=representation' },
		body: JSON.stringify([{ github_id: 32, full_name: 'd/c', owner: 'd', name: 'c' }]),
	});
	assert.equal(n.text, '[{"default_branch":null}]');
});

test('bulk insert is one statement: a bad row rolls back the whole batch', async () => {
	const rows = [prRow(repoId, 900), prRow(repoId, 901, { state: 'bogus' })];
	const r = await db.from('pull_requests').insert(rows);
	assert.equal(r.status, 400);
	assert.equal(r.error.code, '23514');
	const left = await db.from('pull_requests').select('number', { count: 'exact', head: true }).in('number', [900, 901]);
	assert.equal(left.count, 0);
});

test('upsert on github_id: merge-duplicates updates the row', async () => {
	const rows = [prRow(repoId, 1), prRow(repoId, 2)];
	let r = await db.from('pull_requests').upsert(rows, { onConflict: 'github_id' }).select('number, title');
	assert.equal(r.error, null);
	assert.equal(r.status, 201);
	r = await db.from('pull_requests').upsert([prRow(repoId, 1, { title: 'Renamed' })], { onConflict: 'github_id' }).select('number, title');
	assert.equal(r.error, null);
	assert.equal(r.status, 200, 'PostgREST answers 200 when an upsert inserted nothing');
	assert.deepEqual(r.data, [{ number: 1, title: 'Renamed' }]);
	const all = await db.from('pull_requests').select('number, title').in('number', [1, 2]).order('number');
	assert.deepEqual(all.data, [{ number: 1, title: 'Renamed' }, { number: 2, title: 'PR 2' }]);
});

test('upsert on (repository_id, number): the unique pair is the conflict target', async () => {
	const row = prRow(repoId, 3);
	await db.from('pull_requests').insert(row);
	// Same repository and number, new github_id (e.g. a re-created PR) → the pair conflicts.
	const r = await db.from('pull_requests')
		.upsert({ ...row, github_id: 7003, title: 'Replaced' }, { onConflict: 'repository_id,number' })
		.select('github_id, number, title');
	assert.equal(r.error, null);
	assert.deepEqual(r.data, [{ github_id: 7003, number: 3, title: 'Replaced' }]);
	const n = await db.from('pull_requests').select('github_id', { count: 'exact' }).eq('number', 3);
	assert.equal(n.count, 1);
});

test('upsert with ignoreDuplicates leaves existing rows alone', async () => {
	const r = await db.from('pull_requests')
		.upsert([prRow(repoId, 1, { title: 'Ignored' }), prRow(repoId, 4)], { onConflict: 'github_id', ignoreDuplicates: true })
		.select('number, title');
	assert.equal(r.error, null);
	assert.deepEqual(r.data, [{ number: 4, title: 'PR 4' }]);
	const one = await db.from('pull_requests').select('title').eq('number', 1).single();
	assert.equal(one.data.title, 'Renamed');
});

test('upsert without on_conflict uses the primary key', async () => {
	const first = await db.from('contributors').insert({ github_id: 40, username: 'pk' }).select('id').single();
	const r = await db.from('contributors').upsert({ id: first.data.id, github_id: 40, username: 'pk-renamed' }).select('username');
	assert.equal(r.error, null);
	assert.deepEqual(r.data, [{ username: 'pk-renamed' }]);
});

test('on_conflict without a matching unique constraint: 42P10 (400)', async () => {
	const r = await db.from('pull_requests').upsert(prRow(repoId, 5), { onConflict: 'title' });
	assert.equal(r.status, 400);
	assert.equal(r.error.code, '42P10');
	assert.equal(r.error.message, 'there is no unique or exclusion constraint matching the ON CONFLICT specification');
});

test('raw C-client upsert: on_conflict + columns + Prefer merge-duplicates,return=representation + select', async () => {
	const body = JSON.stringify([prRow(repoId, 10), prRow(repoId, 11)]);
	const cols = Object.keys(prRow(repoId, 10)).join(',');
	const path = `/pull_requests?on_conflict=github_id&columns=${cols}&select=id,github_id`;
	const headers = { Prefer: 'resolution=merge-duplicates,return=representation' };
	const r1 = await stack.fetch(path, { method: 'POST', headers, body });
	assert.equal(r1.status, 201);
	assert.equal(r1.headers.get('content-type'), 'application/json; charset=utf-8');
	assert.equal(r1.headers.get('preference-applied'), 'resolution=merge-duplicates, return=representation');
	assert.equal(r1.json.length, 2);
	assert.deepEqual(r1.json.map((x) => x.github_id), [1010, 1011]);
	assert.match(r1.json[0].id, /^[0-9a-f-]{36}$/);
	assert.deepEqual(Object.keys(r1.json[0]), ['id', 'github_id']);
	// Re-sending the batch updates in place: same ids, status 200.
	const r2 = await stack.fetch(path, { method: 'POST', headers, body });
	assert.equal(r2.status, 200);
	assert.deepEqual(r2.json, r1.json);
	// return=minimal: no body.
	const r3 = await stack.fetch(path, { method: 'POST', headers: { Prefer: 'resolution=merge-duplicates,return=minimal' }, body });
	assert.equal(r3.text, '');
	assert.equal(r3.headers.get('preference-applied'), 'resolution=merge-duplicates, return=minimal');
});

test('return=headers-only gives a Location built from the primary key', async () => {
	const r = await stack.fetch('/contributors', { method: 'POST', headers: { Prefer: 'return=headers-only' }, body: '{"github_id":50,"username":"loc"}' });
	assert.equal(r.status, 201);
	const id = (await stack.sql("select id from contributors where username = 'loc'")).rows[0].id;
	assert.equal(r.headers.get('location'), `/contributors?id=eq.${id}`);
});

test('update (PATCH) with filters; 204 by default, rows with select()', async () => {
	let r = await db.from('pull_requests').update({ state: 'closed', closed_at: '2024-03-01T00:00:00Z' }).in('number', [10, 11]);
	assert.equal(r.error, null);
	assert.equal(r.status, 204);
	r = await db.from('pull_requests').update({ title: 'Edited' }).eq('number', 10).select('number, title, state, closed_at');
	assert.equal(r.status, 200);
	assert.deepEqual(r.data, [{ number: 10, title: 'Edited', state: 'closed', closed_at: '2024-03-01T00:00:00+00:00' }]);
	const none = await stack.fetch('/pull_requests?number=eq.999', { method: 'PATCH', headers: { Prefer: 'return=representation' }, body: '{"title":"x"}' });
	assert.equal(none.status, 200);
	assert.equal(none.text, '[]');
	// The progress row is PATCHed by id; the trigger bumps updated_at.
	const job = await db.from('progressive_capture_jobs').insert({ job_type: 'capture' }).select('id').single();
	const prog = await db.from('progressive_capture_progress').insert({ job_id: job.data.id, total_items: 10 }).select('id, updated_at').single();
	const p2 = await db.from('progressive_capture_progress').update({ processed_items: 4, current_item: 'PR #4' }).eq('id', prog.data.id).select('processed_items, current_item').single();
	assert.deepEqual(p2.data, { processed_items: 4, current_item: 'PR #4' });
});

test('PATCH with Prefer max-affected + handling=strict refuses and rolls back', async () => {
	const r = await stack.fetch('/pull_requests?number=in.(10,11)', {
		method: 'PATCH', headers: { Prefer: 'handling=strict, max-affected=1' }, body: '{"title":"too many"}',
	});
	assert.equal(r.status, 400);
	assert.equal(r.json.code, 'PGRST124');
	const titles = await db.from('pull_requests').select('title').in('number', [10, 11]);
	assert.ok(titles.data.every((x) => x.title !== 'too many'));
});

test('delete with filters', async () => {
	await db.from('pull_request_files').insert([
		{ pull_request_id: (await db.from('pull_requests').select('id').eq('number', 10).single()).data.id, filename: 'a.c', status: 'modified' },
	]);
	const pr = (await db.from('pull_requests').select('id').eq('number', 10).single()).data.id;
	await db.from('pull_request_files').insert({ pull_request_id: pr, filename: 'b.c', status: 'added' });
	let r = await db.from('pull_request_files').delete().eq('pull_request_id', pr).not('filename', 'in', '("a.c")');
	assert.equal(r.error, null);
	assert.equal(r.status, 204);
	r = await db.from('pull_request_files').select('filename').eq('pull_request_id', pr);
	assert.deepEqual(r.data, [{ filename: 'a.c' }]);
	r = await db.from('pull_request_files').delete().eq('pull_request_id', pr).select('filename');
	assert.equal(r.status, 200);
	assert.deepEqual(r.data, [{ filename: 'a.c' }]);
});

test('rpc: scalar, defaults, set of rows with filters, table, void, single jsonb argument', async () => {
	let r = await db.rpc('add_numbers', { a: 1, b: 2 });
	assert.equal(r.error, null);
	assert.equal(r.data, 3);
	r = await db.rpc('add_numbers', { a: 5 });
	assert.equal(r.data, 15);
	r = await db.rpc('add_numbers', { a: 7 }, { get: true });
	assert.equal(r.data, 17);
	r = await db.rpc('prs_since', { min_number: 10 }).select('number').lte('number', 11);
	assert.equal(r.error, null);
	assert.deepEqual(r.data, [{ number: 10 }, { number: 11 }]);
	r = await db.rpc('count_items', { p_json: [{ a: 1 }, { a: 2 }, { a: 3 }] });
	assert.equal(r.data, 3);
	const job = await db.from('progressive_capture_jobs').insert({ job_type: 'rpc' }).select('id').single();
	r = await db.rpc('touch_job', { job: job.data.id });
	assert.equal(r.error, null);
	assert.equal(r.status, 204);
	assert.equal(r.data, null);
	r = await db.rpc('job_counts');
	assert.equal(r.error, null);
	assert.ok(Array.isArray(r.data));
	assert.ok(r.data.some((x) => x.status === 'processing' && x.n >= 1));
	r = await db.rpc('no_such_function', { x: 1 });
	assert.equal(r.status, 404);
	assert.equal(r.error.code, 'PGRST202');
	assert.equal(r.error.message, 'Could not find the function public.no_such_function(x) in the schema cache');
	r = await db.rpc('add_numbers', { wrong: 1 });
	assert.equal(r.error.code, 'PGRST202');
});

test('rpc: volatile function over GET runs read-only (405, 25006)', async () => {
	const job = await db.from('progressive_capture_jobs').insert({ job_type: 'rpc' }).select('id').single();
	const r = await stack.fetch(`/rpc/touch_job?job=${job.data.id}`);
	assert.equal(r.status, 405);
	assert.equal(r.json.code, '25006');
});

test('schema cache: new tables need reloadSchema()', async () => {
	await stack.sql('create table public.late_table (id int primary key, v text)');
	let r = await db.from('late_table').select('*');
	assert.equal(r.error.code, 'PGRST205');
	await stack.gw.reloadSchema();
	r = await db.from('late_table').insert({ id: 1, v: 'x' }).select();
	assert.equal(r.error, null);
	assert.deepEqual(r.data, [{ id: 1, v: 'x' }]);
});

test("schema cache: NOTIFY pgrst, 'reload schema' reloads it, like PostgREST", async () => {
	await stack.sql('create table public.notified_table (id bigint generated by default as identity primary key, v text default $$d$$)');
	await stack.sql("notify pgrst, 'reload schema'");
	let r;
	for (let i = 0; i < 50; i++) {
		r = await db.from('notified_table').insert([{ v: 'a' }, {}], { defaultToNull: false }).select('id, v');
		if (!r.error) break;
		await new Promise((res) => setTimeout(res, 20));
	}
	assert.equal(r.error, null);
	assert.deepEqual(r.data, [{ id: 1, v: 'a' }, { id: 2, v: 'd' }]);
});

test('representation of written rows can embed related rows', async () => {
	const r = await db.from('pull_requests')
		.upsert(prRow(repoId, 20), { onConflict: 'github_id' })
		.select('number, repositories(full_name), reviews(id)')
		.single();
	assert.equal(r.error, null);
	assert.deepEqual(r.data, { number: 20, repositories: { full_name: 'octo/repo' }, reviews: [] });
});
