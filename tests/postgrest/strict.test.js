// What PostgREST refuses, the gateway refuses too, with PostgREST's status and body: a
// gateway more lenient than PostgREST hides the client's bugs (a filter it ignored made a
// PATCH or DELETE touch every row). Expected answers come from PostgREST's own sources and
// specs (QueryParams.hs doctests, QuerySpec/UpdateSpec/InsertSpec/HandlingSpec,
// Preferences.hs, Payload.hs), quoted next to each case; see parse.js and parsec.js.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { startStack, seedRepository } from './helpers.js';

const EXTRA = `
create table public.defaults_only (id bigint generated always as identity primary key, note text default 'n');
create function public.echo_int(x integer) returns integer language sql immutable as $$ select x $$;
`;

let stack;
let db;

before(async () => {
	stack = await startStack({ extraSql: EXTRA });
	db = stack.client();
	await seedRepository(stack);
	const r = await db.from('contributors').insert([
		{ github_id: 1, username: 'alice' }, { github_id: 2, username: 'bob' }, { github_id: 3, username: 'carol' },
	]);
	assert.equal(r.error, null);
});

after(async () => {
	if (stack) await stack.stop();
});

const usernames = async () => (await stack.sql('select username from contributors order by github_id')).rows.map((r) => r.username);

test('PATCH with an empty body ({}, [], [{}]) updates nothing: 204 */*, or 200 [] with return=representation', async () => {
	// UpdateSpec.hs "when patching with an empty body": 204, Content-Range */*; 200 "[]" with
	// return=representation. The filters are not even used (SELECT … WHERE false), so a
	// value PostgreSQL would refuse does not matter.
	for (const body of ['{}', '[]', '[{}]']) {
		const r = await stack.fetch('/contributors?github_id=eq.1', { method: 'PATCH', body });
		assert.equal(r.status, 204, `${body}: ${r.text}`);
		assert.equal(r.text, '');
		assert.equal(r.headers.get('content-range'), '*/*');
	}
	let r = await stack.fetch('/contributors?id=eq.not-a-uuid', { method: 'PATCH', body: '{}' });
	assert.equal(r.status, 204);
	r = await stack.fetch('/contributors?select=username&github_id=eq.1', { method: 'PATCH', body: '{}', headers: { Prefer: 'return=representation' } });
	assert.equal(r.status, 200);
	assert.equal(r.text, '[]');
	assert.equal(r.headers.get('content-range'), '*/*');
	r = await db.from('contributors').update({}).eq('github_id', 2);
	assert.equal(r.error, null);
	assert.equal(r.status, 204);
	r = await db.from('contributors').update({}).eq('github_id', 2).select('username');
	assert.equal(r.status, 200);
	assert.deepEqual(r.data, []);
	assert.deepEqual(await usernames(), ['alice', 'bob', 'carol']);
});
