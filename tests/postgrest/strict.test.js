// What PostgREST refuses, the gateway refuses too, with PostgREST's status and body: a
// gateway more lenient than PostgREST hides the client's bugs (a filter it ignored made a
// PATCH or DELETE touch every row). Expected answers come from PostgREST's own sources and
// specs (QueryParams.hs doctests, QuerySpec/UpdateSpec/InsertSpec/HandlingSpec,
// Preferences.hs, Payload.hs), quoted next to each case; see parse.js and parsec.js.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { startStack, seedRepository, KEY } from './helpers.js';

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

/** PGRST100 as PostgREST words it (QueryParams.hs mapError). */
const pgrst100 = (what, input, column, details) => ({
	code: 'PGRST100', details, hint: null, message: `"failed to parse ${what} (${input})" (line 1, column ${column})`,
});
const NO_OPERATOR = (c) => `unexpected "${c}" expecting "not" or operator (eq, gt, ...)`;

test('a filter without an operator is PGRST100 on GET, PATCH and DELETE; nothing is written', async () => {
	// QuerySpec.hs "fails if an operator is not given": GET /ghostBusters?id=0 →
	// {"code":"PGRST100","details":"unexpected \"0\" expecting \"not\" or operator (eq, gt, ...)",
	//  "hint":null,"message":"\"failed to parse filter (0)\" (line 1, column 1)"}
	const want = pgrst100('filter', '5', 1, NO_OPERATOR('5'));
	let r = await stack.fetch('/contributors?github_id=5');
	assert.equal(r.status, 400);
	assert.equal(r.text, JSON.stringify(want));
	assert.equal(r.headers.get('proxy-status'), 'PostgREST; error=PGRST100');

	r = await stack.fetch('/contributors?github_id=1', { method: 'PATCH', body: '{"username":"mallory"}' });
	assert.equal(r.status, 400);
	assert.deepEqual(r.json, pgrst100('filter', '1', 1, NO_OPERATOR('1')));
	r = await stack.fetch('/contributors?github_id=1', { method: 'DELETE' });
	assert.equal(r.status, 400);
	assert.deepEqual(r.json, pgrst100('filter', '1', 1, NO_OPERATOR('1')));
	assert.deepEqual(await usernames(), ['alice', 'bob', 'carol']);

	// An empty value is a value too (`?a=` has one, `?a` has none and is no filter).
	r = await stack.fetch('/contributors?github_id=');
	assert.deepEqual(r.json, pgrst100('filter', '', 1, 'unexpected end of input expecting "not" or operator (eq, gt, ...)'));
	r = await stack.fetch('/contributors?github_id&select=username&order=github_id');
	assert.equal(r.status, 200);
	assert.equal(r.json.length, 3);
});

test('an unknown operator is PGRST100 naming what could not be read', async () => {
	// QueryParams.hs doctest: parse False "a.b=noop.0" → "failed to parse filter (noop.0)"
	// (line 1, column 1), "unexpected \"o\" expecting \"not\" or operator (eq, gt, ...)"
	let r = await stack.fetch('/contributors?github_id=foo.5', { method: 'DELETE' });
	assert.equal(r.status, 400);
	assert.deepEqual(r.json, pgrst100('filter', 'foo.5', 1, NO_OPERATOR('f')));
	r = await stack.fetch('/contributors?github_id=noop.0', { method: 'PATCH', body: '{"username":"x"}' });
	assert.deepEqual(r.json, pgrst100('filter', 'noop.0', 1, NO_OPERATOR('o')));
	// `not.` then no operator: the error is after "not." (column 5).
	r = await stack.fetch('/contributors?github_id=not.5');
	assert.deepEqual(r.json, pgrst100('filter', 'not.5', 5, 'unexpected "5" expecting operator (eq, gt, ...)'));
	// Doctests: "eq().value" column 4, "in().value" column 3 (unexpected ")" / "(").
	r = await stack.fetch('/contributors?github_id=eq().1');
	assert.deepEqual(r.json, pgrst100('filter', 'eq().1', 4, 'unexpected ")" expecting operator (eq, gt, ...)'));
	r = await stack.fetch('/contributors?github_id=in().1');
	assert.deepEqual(r.json, pgrst100('filter', 'in().1', 3, 'unexpected "(" expecting operator (eq, gt, ...)'));
	// Quantifiers only on eq/gt/gte/lt/lte/like/ilike/match/imatch, and only any/all.
	r = await stack.fetch('/contributors?github_id=neq(any).{1}');
	assert.equal(r.json.code, 'PGRST100');
	r = await stack.fetch('/contributors?github_id=eq(some).{1}');
	assert.equal(r.json.code, 'PGRST100');
	// is takes null, not_null, true, false, unknown (case-insensitive) and nothing else.
	r = await stack.fetch('/contributors?username=is.nul');
	assert.deepEqual(r.json, pgrst100('filter', 'is.nul', 7, 'unexpected end of input expecting isVal: (null, not_null, true, false, unknown)'));
	// Parsec shows a non-ASCII character the way Haskell's `show` does.
	r = await stack.fetch('/contributors?username=%C3%A9');
	assert.deepEqual(r.json, pgrst100('filter', 'é', 1, 'unexpected "\\233" expecting "not" or operator (eq, gt, ...)'));
	assert.deepEqual(await usernames(), ['alice', 'bob', 'carol']);
});

test('every operator PostgREST knows still works, with not. and quantifiers', async () => {
	const ok = [
		'github_id=eq.1', 'github_id=neq.1', 'github_id=gt.1', 'github_id=gte.1', 'github_id=lt.3', 'github_id=lte.3',
		'username=like.a*', 'username=ilike.A*', 'username=match.^a', 'username=imatch.^A', 'github_id=in.(1,2)',
		'username=is.null', 'username=is.NOT_NULL', 'username=isdistinct.alice',
		'github_id=eq(any).{1,2}', 'username=like(all).{a*,*e}', 'github_id=not.in.(1,2)', 'username=not.is.null',
		'username=fts.alice', 'username=plfts(simple).alice', 'username=phfts.alice', 'username=wfts.alice',
	];
	for (const f of ok) {
		const r = await stack.fetch(`/contributors?select=username&${f}`);
		assert.equal(r.status, 200, `${f}: ${r.text}`);
	}
	for (const f of ['cs', 'cd', 'ov', 'sl', 'sr', 'nxr', 'nxl', 'adj']) {
		// Range/array operators parse; PostgreSQL then judges the types (42883 here, not PGRST100).
		const r = await stack.fetch(`/contributors?select=username&github_id=${f}.{1}`);
		assert.notEqual(r.json?.code, 'PGRST100', `${f}: ${r.text}`);
	}
});

test('postgrest-js: a misspelt operator or a bare or() item is refused, the table is untouched', async () => {
	let r = await db.from('contributors').delete().filter('github_id', 'equals', 1);
	assert.equal(r.status, 400);
	// Parsec reports the alternative that read furthest: "eq" matched, then "u" stopped it.
	assert.deepEqual(r.error, pgrst100('filter', 'equals.1', 3, 'unexpected "u" expecting operator (eq, gt, ...)'));
	r = await db.from('contributors').delete().filter('github_id', 'is', 1);
	assert.deepEqual(r.error, pgrst100('filter', 'is.1', 4, 'unexpected "1" expecting isVal: (null, not_null, true, false, unknown)'));
	r = await db.from('contributors').update({ username: 'x' }).or('github_id.1');
	assert.equal(r.status, 400);
	// ?or=(github_id.1) is parsed as "or(github_id.1)": columns count from the "o".
	assert.deepEqual(r.error, pgrst100('logic tree', '(github_id.1)', 14, NO_OPERATOR('1')));
	r = await db.from('contributors').select('username').not('username', 'is', 'maybe');
	assert.equal(r.error.code, 'PGRST100');
	assert.deepEqual(await usernames(), ['alice', 'bob', 'carol']);
	r = await db.from('contributors').select('username').filter('github_id', 'in', '(1,3)').order('github_id');
	assert.deepEqual(r.data, [{ username: 'alice' }, { username: 'carol' }]);
});

test('logic trees, order, select, columns, on_conflict: PostgREST\'s parse errors', async () => {
	// QueryParams.hs doctests (pLogicTree, pOrder, pFieldForest).
	let r = await stack.fetch('/contributors?or=()');
	assert.deepEqual(r.json, pgrst100('logic tree', '()', 4,
		'unexpected ")" expecting field name (* or [a..z0..9_$]), negation operator (not) or logic operator (and, or)'));
	r = await stack.fetch('/contributors?or=(github_id.eq.1,not.xor(github_id.eq.2))');
	assert.deepEqual(r.json, pgrst100('logic tree', '(github_id.eq.1,not.xor(github_id.eq.2))', 23,
		'unexpected "x" expecting logic operator (and, or)'));
	r = await stack.fetch('/contributors?order=github_id.ac');
	assert.deepEqual(r.json, pgrst100('order', 'github_id.ac', 11, 'unexpected "c" expecting "asc", "desc", "nullsfirst" or "nullslast"'));
	r = await stack.fetch('/contributors?order=github_id.asc.nullslasttt');
	assert.deepEqual(r.json, pgrst100('order', 'github_id.asc.nullslasttt', 24, 'unexpected \'t\' expecting "," or end of input'));
	// order= with an empty value is parsed (and refused), not skipped.
	r = await stack.fetch('/contributors?order=');
	assert.deepEqual(r.json, pgrst100('order', '', 1, 'unexpected end of input expecting field name (* or [a..z0..9_$])'));
	r = await stack.fetch('/contributors?select=username,login[]');
	assert.deepEqual(r.json, pgrst100('select parameter', 'username,login[]', 15,
		'unexpected \'[\' expecting letter, digit, "-", "->>", "->", "::", ".", ")", "," or end of input'));
	r = await stack.fetch('/contributors?select=username::');
	assert.deepEqual(r.json, pgrst100('select parameter', 'username::', 11, 'unexpected end of input expecting letter or digit'));
	r = await stack.fetch('/contributors?columns=github_id,', { method: 'POST', body: '{"github_id":9}' });
	assert.deepEqual(r.json, pgrst100('columns parameter', 'github_id,', 11,
		'unexpected end of input expecting field name (* or [a..z0..9_$])'));
	r = await stack.fetch('/contributors?on_conflict=(github_id)', { method: 'POST', body: '{"github_id":9}', headers: { Prefer: 'resolution=merge-duplicates' } });
	assert.deepEqual(r.json, pgrst100('on_conflict parameter', '(github_id)', 1,
		'unexpected "(" expecting field name (* or [a..z0..9_$])'));
	// Aggregates are off on Supabase (db-aggregates-enabled = false).
	r = await stack.fetch('/contributors?select=github_id.sum()');
	assert.deepEqual(r.json, { code: 'PGRST123', details: null, hint: null, message: 'Use of aggregate functions is not allowed' });
	// An empty select is a row without columns.
	r = await stack.fetch('/contributors?select=&github_id=eq.1');
	assert.deepEqual(r.json, [{}]);
});

test('the query string is read as PostgREST reads it', async () => {
	// http-types parseQuery: ";" separates pairs like "&" (a raw ";" in a value must be %3B).
	let r = await stack.fetch('/contributors?select=username;github_id=eq.2');
	assert.deepEqual(r.json, [{ username: 'bob' }]);
	r = await stack.fetch('/contributors?select=username&username=eq.a;github_id=2');
	assert.deepEqual(r.json, pgrst100('filter', '2', 1, NO_OPERATOR('2')));
	r = await stack.fetch('/contributors?select=username&username=eq.a%3Bb');
	assert.deepEqual(r.json, []);
	// Query-string errors come before the schema cache (ApiRequest before Plan).
	r = await stack.fetch('/no_such_table?id=5');
	assert.equal(r.json.code, 'PGRST100');
	// limit/offset are read with Haskell's readMaybe: "(2)" is 2, "two" is ignored; a
	// negative limit is 416 PGRST103, a negative offset reaches PostgreSQL (2201X).
	r = await stack.fetch('/contributors?select=username&order=github_id&limit=(2)');
	assert.equal(r.json.length, 2);
	r = await stack.fetch('/contributors?select=username&limit=two');
	assert.equal(r.json.length, 3);
	r = await stack.fetch('/contributors?limit=-1');
	assert.equal(r.status, 416);
	assert.equal(r.json.code, 'PGRST103');
	r = await stack.fetch('/contributors?offset=-1');
	assert.equal(r.status, 400);
	assert.deepEqual(r.json, { code: '2201X', details: null, hint: null, message: 'OFFSET must not be negative' });
	// RangeQuery.rangeParse takes "0-4" only; "items=0-4" is ignored.
	r = await stack.fetch('/contributors?select=username', { headers: { Range: 'items=0-0' } });
	assert.equal(r.json.length, 3);
});

test('RPC: a bare value is an argument on GET only; on POST it is a filter and needs an operator', async () => {
	let r = await stack.fetch('/rpc/echo_int?x=41');
	assert.equal(r.status, 200);
	assert.equal(r.text, '41');
	r = await db.rpc('echo_int', { x: 42 }, { get: true });
	assert.equal(r.data, 42);
	r = await stack.fetch('/rpc/echo_int?x=41', { method: 'POST', body: '{"x":1}' });
	assert.deepEqual(r.json, pgrst100('filter', '41', 1, NO_OPERATOR('4')));
	// Even on GET, a value that starts like an operator must be one.
	r = await stack.fetch('/rpc/echo_int?x=in.41');
	assert.equal(r.json.code, 'PGRST100');
	// Only GET, HEAD and POST on a function (getAction: any other method is PGRST101).
	r = await stack.fetch('/rpc/echo_int', { method: 'PROPFIND' });
	assert.deepEqual(r.json, { code: 'PGRST101', details: null, hint: null, message: 'Cannot use the PROPFIND method on RPC' });
});

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

test('bodies: objects, arrays, empty ones, mismatched keys, non-objects (Payload.hs, InsertSpec.hs)', async () => {
	// "empty objects": {} and [{}, {}] insert rows of defaults.
	let r = await stack.fetch('/defaults_only', { method: 'POST', body: '{}' });
	assert.equal(r.status, 201);
	r = await stack.fetch('/defaults_only?select=note', { method: 'POST', body: '[{}, {}]', headers: { Prefer: 'return=representation' } });
	assert.deepEqual(r.json, [{ note: 'n' }, { note: 'n' }]);
	// "returns empty array when no items inserted, and return=rep"
	r = await stack.fetch('/defaults_only', { method: 'POST', body: '[]', headers: { Prefer: 'return=representation' } });
	assert.equal(r.status, 201);
	assert.deepEqual(r.json, []);
	// "rejects json array that isn't exclusivily composed of objects" / "… different keys"
	const keys = { code: 'PGRST102', details: null, hint: null, message: 'All object keys must match' };
	r = await stack.fetch('/contributors', { method: 'POST', body: '[{"github_id":100,"username":"x"}, 123]' });
	assert.deepEqual(r.json, keys);
	r = await stack.fetch('/contributors', { method: 'POST', body: '[{"github_id":100},{"github_id":101,"username":"y"}]' });
	assert.deepEqual(r.json, keys);
	r = await stack.fetch('/contributors?github_id=eq.1', { method: 'PATCH', body: '[{"username":"a"},{"login":"b"}]' });
	assert.deepEqual(r.json, keys);
	// A body that is not JSON is PGRST102 even before the table is looked up; only a
	// function POST takes an empty body (as {}); whitespace is not empty.
	const invalid = { code: 'PGRST102', details: null, hint: null, message: 'Empty or invalid json' };
	r = await stack.fetch('/no_such_table', { method: 'PATCH', body: '{' });
	assert.deepEqual(r.json, invalid);
	r = await stack.fetch('/rpc/echo_int', { method: 'POST', body: ' ' });
	assert.deepEqual(r.json, invalid);
	// A DELETE's body is not read at all.
	r = await stack.fetch('/defaults_only?id=eq.1', { method: 'DELETE', body: 'not json' });
	assert.equal(r.status, 204);
	// columns= is a set: a repeated name counts once.
	r = await stack.fetch('/contributors?columns=github_id,username,username', { method: 'POST', body: '{"github_id":7,"username":"dave"}' });
	assert.equal(r.status, 201);
	await stack.sql('delete from contributors where github_id = 7');
});

test('Prefer: only exact preferences count; handling=strict lists the others (PGRST122)', async () => {
	// Preferences.hs: items are split on "," and stripped, then compared whole.
	let r = await stack.fetch('/contributors?github_id=eq.1&select=username', {
		method: 'PATCH', body: '{"username":"alice"}', headers: { Prefer: 'return = representation' },
	});
	assert.equal(r.status, 204);
	r = await stack.fetch('/contributors?select=username', {
		headers: { Prefer: 'handling=strict, return = representation, count=exact,, params=single-object, max-affected=abc' },
	});
	assert.equal(r.status, 400);
	// HandlingSpec.hs: {"code":"PGRST122","details":"Invalid preferences: …","hint":null,
	// "message":"Invalid preferences given with handling=strict"}. An empty item is one too;
	// params=single-object is gone in PostgREST 13 (#3757); any max-affected= is accepted.
	assert.deepEqual(r.json, {
		code: 'PGRST122', details: 'Invalid preferences: return = representation, , params=single-object', hint: null,
		message: 'Invalid preferences given with handling=strict',
	});
	r = await stack.fetch('/contributors?select=username', { headers: { Prefer: 'handling=lenient, anything' } });
	assert.equal(r.status, 200);
	r = await stack.fetch('/contributors?select=username', { headers: { Prefer: 'handling=strict, timezone=Nowhere/Never' } });
	assert.equal(r.json.details, 'Invalid preferences: timezone=Nowhere/Never');
	r = await stack.fetch('/contributors?select=username', { headers: { Prefer: 'handling=strict, timezone=UTC, count=exact, tx=rollback' } });
	assert.equal(r.status, 200);
});

test('the key still comes off the query string before PostgREST parses it', async () => {
	const res = await fetch(`${stack.rest}/contributors?select=username&github_id=eq.1&apikey=${KEY}`);
	assert.equal(res.status, 200);
	assert.deepEqual(await res.json(), [{ username: 'alice' }]);
});
