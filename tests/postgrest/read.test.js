// Reads through the gateway, driven by the official client @supabase/postgrest-js:
// select/filters/order/range/count, max-rows, single(), embedding and its anti-join.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { startStack, seedRepository, prRow } from './helpers.js';

let stack;
let db;
let repoId;

before(async () => {
	stack = await startStack();
	db = stack.client();
	repoId = await seedRepository(stack);
	await stack.sql(`insert into contributors (github_id, username) values (1, 'alice'), (2, 'bob'), (3, 'carol, the third'), (4, 'dave "the" fourth')`);
	// 12 pull requests; reviews on PRs 1-4 (PR 1 has two), none on 5-12.
	const rows = Array.from({ length: 12 }, (_, i) => prRow(repoId, i + 1, {
		state: i < 8 ? 'open' : 'closed',
		title: i % 3 === 0 ? `Fix bug ${i + 1}` : `Add feature ${i + 1}`,
		body: i % 4 === 0 ? null : `body ${i + 1}`,
		additions: i * 10,
	}));
	const { error } = await db.from('pull_requests').insert(rows);
	assert.equal(error, null);
	await stack.sql(`
		insert into reviews (github_id, pull_request_id, repository_id, author_id, state, submitted_at)
		select 5000 + p.number * 10 + k, p.id, p.repository_id, (select id from contributors where github_id = 1),
			case when k = 1 then 'APPROVED' else 'COMMENTED' end, '2024-02-01T00:00:00Z'
		from pull_requests p, generate_series(1, 2) k
		where p.number <= 4 and (k = 1 or p.number = 1)`);
	// 1500 commits for max-rows.
	await stack.sql(`
		insert into commits (sha, repository_id, message, authored_at, committed_at)
		select md5(g::text), $1, 'commit ' || g, now(), now() from generate_series(1, 1500) g`, [repoId]);
});

after(async () => {
	if (stack) await stack.stop();
});

test('select with filters, order, limit', async () => {
	const { data, error, status } = await db.from('pull_requests')
		.select('number,title,state')
		.eq('state', 'open')
		.gte('number', 3)
		.order('number', { ascending: false })
		.limit(3);
	assert.equal(error, null);
	assert.equal(status, 200);
	assert.deepEqual(data.map((r) => r.number), [8, 7, 6]);
	assert.deepEqual(Object.keys(data[0]), ['number', 'title', 'state']);
});

test('aliases, neq, lt/lte/gt, like/ilike, is null, not, in', async () => {
	let r = await db.from('pull_requests').select('n:number,t:title').lt('number', 3).order('number');
	assert.deepEqual(r.data, [{ n: 1, t: 'Fix bug 1' }, { n: 2, t: 'Add feature 2' }]);

	r = await db.from('pull_requests').select('number').like('title', 'Fix*').order('number');
	assert.deepEqual(r.data.map((x) => x.number), [1, 4, 7, 10]);

	r = await db.from('pull_requests').select('number').ilike('title', '*FEATURE 1*').order('number');
	assert.deepEqual(r.data.map((x) => x.number), [11, 12]);

	r = await db.from('pull_requests').select('number').is('body', null).order('number');
	assert.deepEqual(r.data.map((x) => x.number), [1, 5, 9]);

	r = await db.from('pull_requests').select('number').not('body', 'is', null).lte('number', 3).order('number');
	assert.deepEqual(r.data.map((x) => x.number), [2, 3]);

	r = await db.from('pull_requests').select('number').neq('state', 'open').order('number');
	assert.deepEqual(r.data.map((x) => x.number), [9, 10, 11, 12]);

	r = await db.from('pull_requests').select('number').in('number', [2, 5, 11]).order('number');
	assert.deepEqual(r.data.map((x) => x.number), [2, 5, 11]);

	r = await db.from('pull_requests').select('number').not('number', 'in', '(1,2,3,4,5,6,7,8,9,10)').order('number');
	assert.deepEqual(r.data.map((x) => x.number), [11, 12]);
});

test('in with a double-quoted value containing a comma', async () => {
	// postgrest-js double-quotes values holding , ( or )
	const { data, error } = await db.from('contributors').select('username').in('username', ['carol, the third', 'bob']).order('username');
	assert.equal(error, null);
	assert.deepEqual(data.map((x) => x.username), ['bob', 'carol, the third']);
	// inside quotes, \" and \\ are escapes
	const raw = await stack.fetch('/contributors?select=username&username=in.(alice,"dave \\"the\\" fourth")&order=username');
	assert.equal(raw.status, 200);
	assert.deepEqual(raw.json.map((x) => x.username), ['alice', 'dave "the" fourth']);
});

test('or / and with nested conditions', async () => {
	let r = await db.from('pull_requests').select('number').or('number.eq.1,and(state.eq.closed,additions.gte.100)').order('number');
	assert.equal(r.error, null);
	assert.deepEqual(r.data.map((x) => x.number), [1, 11, 12]);
	r = await db.from('pull_requests').select('number').or('number.in.(2,3),title.like.*bug 10').order('number');
	assert.deepEqual(r.data.map((x) => x.number), [2, 3, 10]);
	const raw = await stack.fetch('/pull_requests?select=number&not.and=(number.gt.2,number.lt.12)&order=number');
	assert.deepEqual(raw.json.map((x) => x.number), [1, 2, 12]);
	const nested = await stack.fetch('/pull_requests?select=number&and=(state.eq.open,or(number.eq.2,number.eq.9,body.not.is.null))&number=lt.5&order=number');
	assert.deepEqual(nested.json.map((x) => x.number), [2, 3, 4]);
});

test('order with nullsfirst / nullslast and several keys', async () => {
	const r = await stack.fetch('/pull_requests?select=number,body&number=lte.5&order=body.desc.nullslast,number.asc');
	assert.equal(r.status, 200);
	assert.deepEqual(r.json.map((x) => x.number), [4, 3, 2, 1, 5]);
	const f = await stack.fetch('/pull_requests?select=number&number=lte.5&order=body.asc.nullsfirst,number.desc');
	assert.deepEqual(f.json.map((x) => x.number), [5, 1, 2, 3, 4]);
});

test('range() and count=exact: Content-Range, 206 when partial', async () => {
	const { data, count, status, error } = await db.from('pull_requests').select('number', { count: 'exact' }).order('number').range(2, 5);
	assert.equal(error, null);
	assert.equal(status, 206);
	assert.equal(count, 12);
	assert.deepEqual(data.map((x) => x.number), [3, 4, 5, 6]);
	const raw = await stack.fetch('/pull_requests?select=number&order=number&offset=2&limit=4', { headers: { Prefer: 'count=exact' } });
	assert.equal(raw.headers.get('content-range'), '2-5/12');
	assert.equal(raw.headers.get('preference-applied'), 'count=exact');
	const all = await stack.fetch('/pull_requests?select=number', { headers: { Prefer: 'count=exact' } });
	assert.equal(all.status, 200);
	assert.equal(all.headers.get('content-range'), '0-11/12');
});

test('Content-Range without count, and on empty results', async () => {
	let r = await stack.fetch('/pull_requests?select=number&limit=15');
	assert.equal(r.status, 200);
	assert.equal(r.headers.get('content-range'), '0-11/*');
	assert.equal(r.headers.get('content-type'), 'application/json; charset=utf-8');
	r = await stack.fetch('/pull_requests?select=number&number=gt.100');
	assert.equal(r.headers.get('content-range'), '*/*');
	assert.equal(r.text, '[]');
	r = await stack.fetch('/pull_requests?select=number&number=gt.100', { headers: { Prefer: 'count=exact' } });
	assert.equal(r.headers.get('content-range'), '*/0');
	assert.equal(r.status, 200);
	r = await stack.fetch('/pull_requests?select=number&offset=50', { headers: { Prefer: 'count=exact' } });
	assert.equal(r.status, 416);
	assert.equal(r.json.code, 'PGRST103');
	assert.equal(r.json.details, 'An offset of 50 was requested, but there are only 12 rows.');
});

test('Range header (Range-Unit: items)', async () => {
	const r = await stack.fetch('/pull_requests?select=number&order=number', {
		headers: { Range: '0-4', 'Range-Unit': 'items', Prefer: 'count=exact' },
	});
	assert.equal(r.status, 206);
	assert.equal(r.headers.get('content-range'), '0-4/12');
	assert.deepEqual(r.json.map((x) => x.number), [1, 2, 3, 4, 5]);
	const open = await stack.fetch('/pull_requests?select=number&order=number', { headers: { Range: '10-' } });
	assert.equal(open.headers.get('content-range'), '10-11/*');
	const bad = await stack.fetch('/pull_requests?select=number', { headers: { Range: '5-2' } });
	assert.equal(bad.status, 416);
	assert.equal(bad.json.code, 'PGRST103');
});

test('max-rows silently caps GET at 1000; count=exact shows the real total', async () => {
	const { data, count, status, error } = await db.from('commits').select('sha', { count: 'exact' });
	assert.equal(error, null);
	assert.equal(data.length, 1000);
	assert.equal(count, 1500);
	assert.equal(status, 206);
	const raw = await stack.fetch('/commits?select=sha&offset=1200', { headers: { Prefer: 'count=exact' } });
	assert.equal(raw.json.length, 300);
	assert.equal(raw.headers.get('content-range'), '1200-1499/1500');
	const plain = await stack.fetch('/commits?select=sha&limit=5000');
	assert.equal(plain.json.length, 1000);
	assert.equal(plain.headers.get('content-range'), '0-999/*');
	assert.equal(plain.status, 200);
});

test('single() and maybeSingle()', async () => {
	let r = await db.from('pull_requests').select('number,title').eq('number', 4).single();
	assert.equal(r.error, null);
	assert.deepEqual(r.data, { number: 4, title: 'Fix bug 4' });
	r = await db.from('pull_requests').select('number').eq('number', 404).single();
	assert.equal(r.status, 406);
	assert.equal(r.error.code, 'PGRST116');
	assert.equal(r.error.details, 'The result contains 0 rows');
	r = await db.from('pull_requests').select('number').eq('state', 'closed').single();
	assert.equal(r.status, 406);
	assert.equal(r.error.details, 'The result contains 4 rows');
	r = await db.from('pull_requests').select('number').eq('number', 404).maybeSingle();
	assert.equal(r.error, null);
	assert.equal(r.data, null);
	const raw = await stack.fetch('/pull_requests?select=number&number=eq.4', { headers: { Accept: 'application/vnd.pgrst.object+json' } });
	assert.equal(raw.headers.get('content-type'), 'application/vnd.pgrst.object+json; charset=utf-8');
	assert.equal(raw.text, '{"number":4}');
});

test('embedding: to-many and to-one via foreign keys, with hints and aliases', async () => {
	const { data, error } = await db.from('pull_requests')
		.select('number, repositories(full_name), reviews(github_id, state)')
		.lte('number', 2)
		.order('number')
		.order('github_id', { referencedTable: 'reviews' });
	assert.equal(error, null);
	assert.deepEqual(data, [
		{ number: 1, repositories: { full_name: 'octo/repo' }, reviews: [{ github_id: 5011, state: 'APPROVED' }, { github_id: 5012, state: 'COMMENTED' }] },
		{ number: 2, repositories: { full_name: 'octo/repo' }, reviews: [{ github_id: 5021, state: 'APPROVED' }] },
	]);
	const r = await db.from('reviews').select('github_id, author:contributors!author_id(username)').eq('github_id', 5011).single();
	assert.deepEqual(r.data, { github_id: 5011, author: { username: 'alice' } });
	// Embedded filters narrow the embedded rows, not the parents.
	const f = await db.from('pull_requests').select('number, reviews(state)').lte('number', 2).eq('reviews.state', 'COMMENTED').order('number');
	assert.deepEqual(f.data, [{ number: 1, reviews: [{ state: 'COMMENTED' }] }, { number: 2, reviews: [] }]);
});

test('embedding anti-join: reviews=is.null, and !inner', async () => {
	// The bulk planner's question: which PRs have no reviews yet?
	const { data, error } = await db.from('pull_requests').select('number, reviews(id)').is('reviews', null).order('number');
	assert.equal(error, null);
	assert.deepEqual(data.map((x) => x.number), [5, 6, 7, 8, 9, 10, 11, 12]);
	assert.deepEqual(data[0].reviews, []);
	const raw = await stack.fetch('/pull_requests?select=id,number,reviews(id)&reviews=not.is.null&order=number', { headers: { Prefer: 'count=exact' } });
	assert.deepEqual(raw.json.map((x) => x.number), [1, 2, 3, 4]);
	assert.equal(raw.headers.get('content-range'), '0-3/4');
	const inner = await db.from('pull_requests').select('number, reviews!inner(state)', { count: 'exact' }).eq('reviews.state', 'COMMENTED');
	assert.equal(inner.error, null);
	assert.equal(inner.count, 1);
	assert.deepEqual(inner.data, [{ number: 1, reviews: [{ state: 'COMMENTED' }] }]);
	// An empty embed only filters: it adds no key.
	const onlyFilter = await stack.fetch('/pull_requests?select=number,reviews!inner()&number=lte.3&order=number');
	assert.deepEqual(onlyFilter.json, [{ number: 1 }, { number: 2 }, { number: 3 }]);
});

test('embedding errors: ambiguous (PGRST201, 300) and missing relationship (PGRST200)', async () => {
	let r = await db.from('pull_requests').select('number, contributors(username)');
	assert.equal(r.status, 300);
	assert.equal(r.error.code, 'PGRST201');
	assert.equal(r.error.message, "Could not embed because more than one relationship was found for 'pull_requests' and 'contributors'");
	assert.ok(Array.isArray(r.error.details));
	assert.match(r.error.hint, /'contributors!pull_requests_author_id_fkey'/);
	r = await db.from('contributors').select('username, repositories(full_name)');
	assert.equal(r.status, 400);
	assert.equal(r.error.code, 'PGRST200');
	r = await db.from('pull_requests').select('number').eq('nothere.state', 'x');
	assert.equal(r.error.code, 'PGRST108');
	r = await db.from('pull_requests').select('number, reviews(id)').eq('reviews', 'x');
	assert.equal(r.error.code, 'PGRST120');
});

test('unknown column in select or filter: 42703', async () => {
	let r = await db.from('pull_requests').select('number,nope');
	assert.equal(r.status, 400);
	assert.equal(r.error.code, '42703');
	assert.equal(r.error.message, 'column pull_requests.nope does not exist');
	r = await db.from('pull_requests').select('number').eq('nope', 1);
	assert.equal(r.error.code, '42703');
	r = await db.from('pull_requests').select('number').order('nope');
	assert.equal(r.error.code, '42703');
});

test('HEAD with count, casts, JSON paths, CSV', async () => {
	const { count, data, error, status } = await db.from('pull_requests').select('*', { count: 'exact', head: true });
	assert.equal(error, null);
	assert.equal(status, 200);
	assert.equal(count, 12);
	assert.equal(data, null);
	const cast = await stack.fetch('/pull_requests?select=number::text&number=eq.3');
	assert.deepEqual(cast.json, [{ number: '3' }]);
	await stack.sql(`insert into progressive_capture_jobs (job_type, metadata) values ('capture', '{"run": {"url": "https://x/1"}, "n": 5}')`);
	const jp = await stack.fetch('/progressive_capture_jobs?select=job_type,url:metadata->run->>url,metadata->n&metadata->>n=eq.5');
	assert.deepEqual(jp.json, [{ job_type: 'capture', url: 'https://x/1', n: 5 }]);
	const csv = await stack.fetch('/contributors?select=github_id,username&order=github_id&limit=2', { headers: { Accept: 'text/csv' } });
	assert.equal(csv.headers.get('content-type'), 'text/csv; charset=utf-8');
	assert.equal(csv.text, 'github_id,username\n1,alice\n2,bob');
});

test('timestamps come back as PostgREST renders them (UTC ISO 8601)', async () => {
	const r = await stack.fetch('/pull_requests?select=created_at&number=eq.1');
	assert.equal(r.text, '[{"created_at":"2024-01-01T00:00:00+00:00"}]');
});

test('request log records every call', async () => {
	stack.gw.clearLog();
	await db.from('pull_requests').select('number').eq('number', 1);
	await db.from('nope').select('*');
	const log = stack.gw.log;
	assert.equal(log.length, 2);
	assert.equal(log[0].method, 'GET');
	assert.equal(log[0].path, '/rest/v1/pull_requests');
	assert.equal(log[0].query, 'select=number&number=eq.1');
	assert.equal(log[0].status, 200);
	assert.equal(log[0].code, null);
	assert.ok(log[0].bytes > 0);
	assert.equal(log[1].status, 404);
	assert.equal(log[1].code, 'PGRST205');
	assert.ok(log[1].seq > log[0].seq);
});

test('embedded or= and order/limit on embedded resources', async () => {
	const r = await stack.fetch('/pull_requests?select=number,reviews(github_id)&number=eq.1&reviews.or=(state.eq.COMMENTED,github_id.eq.0)');
	assert.deepEqual(r.json, [{ number: 1, reviews: [{ github_id: 5012 }] }]);
	const l = await stack.fetch('/pull_requests?select=number,reviews(github_id)&number=eq.1&reviews.order=github_id.desc&reviews.limit=1');
	assert.deepEqual(l.json, [{ number: 1, reviews: [{ github_id: 5012 }] }]);
	const ord = await stack.fetch('/reviews?select=github_id,pr:pull_requests(number)&order=pr(number).desc,github_id&limit=2');
	assert.deepEqual(ord.json, [{ github_id: 5041, pr: { number: 4 } }, { github_id: 5031, pr: { number: 3 } }]);
	const bad = await stack.fetch('/pull_requests?select=number,reviews(github_id)&order=reviews(github_id)');
	assert.equal(bad.json.code, 'PGRST118');
});
