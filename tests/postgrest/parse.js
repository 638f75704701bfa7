// Parsers for PostgREST's URL grammar (select, filters, logic trees, order, columns,
// on_conflict), the query string itself, the Prefer header and the Range header.
//
// The grammar is a combinator-for-combinator port of PostgREST 13's
// src/PostgREST/ApiRequest/QueryParams.hs (commit fee0f692, the version with `not_null`
// from #3747) on the Parsec engine in parsec.js, so what PostgREST refuses is refused here
// too, with the same PGRST100 message ("failed to parse filter (5)" (line 1, column 1)) and
// details ("unexpected \"5\" expecting \"not\" or operator (eq, gt, ...)"). Like Parsec's
// P.parse, a parser need not consume its whole input: PostgREST ignores trailing text after
// e.g. `in.(1,2)` or a select item followed by `)`, and so does this port.

import { parseError, invalidRange, invalidPreferences } from './errors.js';
import {
	alt, anyChar, attempt, between, bind, char, choice, digit, eof, label, left, letter, lookAhead, many, many1,
	map, noneOf, notFollowedBy, oneOf, option, optionMaybe, pure, right, runParser, sepBy, sepBy1, seq, string, zero,
} from './parsec.js';

// --- lexical pieces ---------------------------------------------------------------------

const join = (cs) => cs.join('');
const lazy = (f) => (st) => f()(st);
const ws = many(oneOf(' \t'));
const lexeme = (p) => right(ws, left(p, ws));
const pDelimiter = label(char('.'), 'delimiter (.)');

/** pQuotedValue: "..." with backslash escapes. */
const pQuotedValue = map(right(char('"'), left(many(alt(noneOf('\\"'), right(char('\\'), anyChar))), char('"'))), join);

/** pIdentifier: letters, digits, "_", " ", "$"; stripped. */
const pIdentifierChar = alt(letter, digit, oneOf('_ $'));
const pIdentifier = map(many1(pIdentifierChar), (cs) => join(cs).trim());

/** sepByDash: identifiers joined by "-" (a "-" followed by ">" starts a JSON arrow). */
const dash = map(attempt(right(char('-'), notFollowedBy(char('>')))), () => '-');
const sepByDash = (p) => map(sepBy1(p, dash), (parts) => parts.join('-'));

const pFieldName = label(alt(pQuotedValue, sepByDash(pIdentifier)), 'field name (* or [a..z0..9_$])');

const pJsonKeyIdentifier = map(many1(noneOf('(-:.,>)')), (cs) => join(cs).trim());
const pJsonKeyName = label(alt(pQuotedValue, sepByDash(pJsonKeyIdentifier)), 'any non reserved character different from: .,>()');

/** pJsonPath: (-> | ->>) (index | key), repeated. */
const pJsonArrow = alt(attempt(string('->>')), attempt(string('->')));
const pJsonEnd = alt(
	attempt(lookAhead(string('->'))), attempt(lookAhead(string('::'))), attempt(lookAhead(string('.'))),
	attempt(lookAhead(string(','))), attempt(eof));
const pJIdx = left(map(seq(option('+', char('-')), many1(digit)), ([sign, ds]) => Number(sign + join(ds))), pJsonEnd);
const pJsonOperand = alt(attempt(map(pJIdx, (index) => ({ index }))), attempt(map(pJsonKeyName, (key) => ({ key }))));
const pJsonPath = many(map(seq(pJsonArrow, pJsonOperand), ([arrow, operand]) => ({ arrow, ...operand })));

const pField = lexeme(map(seq(pFieldName, option([], pJsonPath)), ([name, path]) => ({ name, path })));

const aliasSeparator = right(char(':'), notFollowedBy(char(':')));
const pAlias = optionMaybe(attempt(left(pFieldName, aliasSeparator)));

// --- select -------------------------------------------------------------------------------

const pEmbedParam = right(char('!'), alt(
	attempt(map(string('left'), () => ({ join: 'left' }))),
	attempt(map(string('inner'), () => ({ join: 'inner' }))),
	attempt(map(pFieldName, (hint) => ({ hint })))));
const pEmbedParams = map(seq(optionMaybe(pEmbedParam), optionMaybe(pEmbedParam)), (prms) => ({
	hint: prms.find((x) => x && x.hint !== undefined)?.hint ?? null,
	joinType: prms.find((x) => x && x.join !== undefined)?.join ?? null,
}));

const pRelationSelect = lexeme(bind(pAlias, (alias) => bind(pFieldName, (name) => (name === 'count' ? zero
	: bind(pEmbedParams, ({ hint, joinType }) => map(attempt(lookAhead(string('('))),
		() => ({ type: 'embed', alias, name, hint, joinType, spread: false })))))));

const pSpreadRelationSelect = lexeme(bind(right(string('...'), pFieldName), (name) =>
	bind(pEmbedParams, ({ hint, joinType }) => map(attempt(lookAhead(string('('))),
		() => ({ type: 'embed', alias: null, name, hint, joinType, spread: true })))));

const pSelectEnd = alt(attempt(lookAhead(string(')'))), attempt(lookAhead(string(','))), attempt(eof));
const pCast = optionMaybe(right(string('::'), pIdentifier));
const pAggregation = choice([string('sum'), string('avg'), string('count'), attempt(string('max')), attempt(string('min'))]);

const pFieldSelect = lexeme(alt(
	attempt(map(left(string('*'), pSelectEnd), () => ({ type: 'star' }))),
	attempt(map(seq(pAlias, string('count()'), pCast, pSelectEnd), ([alias, , aggCast]) => ({
		type: 'field', alias, field: { name: '*', path: [] }, cast: null, agg: 'count', aggCast,
	}))),
	map(seq(pAlias, pField, pCast, optionMaybe(attempt(right(char('.'), left(pAggregation, string('()'))))), pCast, pSelectEnd),
		([alias, field, cast, agg, aggCast]) => ({ type: 'field', alias, field, cast, agg, aggCast }))));

const pFieldForest = lazy(() => sepBy(pFieldTree, lexeme(char(','))));
const pChildren = between(char('('), char(')'), pFieldForest);
const pFieldTree = alt(
	map(seq(attempt(pSpreadRelationSelect), pChildren), ([item, children]) => ({ ...item, children })),
	map(seq(attempt(pRelationSelect), pChildren), ([item, children]) => ({ ...item, children })),
	pFieldSelect);

// --- filters and logic trees -----------------------------------------------------------------

// Operators PostgREST 13 knows (QueryParams.hs simpleOperator / quantOperator / pFts) and
// the SQL they become (QueryBuilder.hs). isdistinct has its own parser (pIsDist).
const SIMPLE_OPS = {
	eq: '=', neq: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=',
	like: 'LIKE', ilike: 'ILIKE', match: '~', imatch: '~*',
	cs: '@>', cd: '<@', ov: '&&', sl: '<<', sr: '>>', nxr: '&<', nxl: '&>', adj: '-|-',
	isdistinct: 'IS DISTINCT FROM',
};
const FTS_OPS = { fts: 'to_tsquery', plfts: 'plainto_tsquery', phfts: 'phraseto_tsquery', wfts: 'websearch_to_tsquery' };
export { SIMPLE_OPS, FTS_OPS };

const ops = (names) => alt(...names.map((n) => attempt(string(n))));
const simpleOperator = label(ops(['neq', 'cs', 'cd', 'ov', 'sl', 'sr', 'nxr', 'nxl', 'adj']), 'unknown single value operator');
const quantOperator = label(ops(['eq', 'gte', 'gt', 'lte', 'lt', 'like', 'ilike', 'match', 'imatch']), 'unknown single value operator');

const pListElement = alt(attempt(left(pQuotedValue, notFollowedBy(noneOf(',)')))), map(many(noneOf(',)')), join));
const pListVal = right(lexeme(char('(')), left(sepBy1(pListElement, char(',')), lexeme(char(')'))));
const pSingleVal = map(many(anyChar), join);

const ciChar = (c) => alt(char(c), char(c.toUpperCase()));
const ciString = (s) => map(seq(...Array.from(s).map(ciChar)), join);
const pIsVal = label(alt(...['null', 'not_null', 'true', 'false', 'unknown'].map((v) => attempt(map(ciString(v), () => v)))),
	'isVal: (null, not_null, true, false, unknown)');

/** pOpExpr: [not.]operator.value (value parser depends on the context). */
function pOpExpr(pSVal) {
	const pIn = map(right(attempt(right(string('in'), pDelimiter)), pListVal), (values) => ({ op: 'in', values: values.length === 1 && values[0] === '' ? [] : values }));
	const pIs = map(right(attempt(right(string('is'), pDelimiter)), pIsVal), (value) => ({ op: 'is', value }));
	const pIsDist = map(right(attempt(right(string('isdistinct'), pDelimiter)), pSVal), (value) => ({ op: 'isdistinct', quant: null, value }));
	const pFts = bind(ops(['fts', 'plfts', 'phfts', 'wfts']), (op) =>
		bind(optionMaybe(attempt(between(char('('), char(')'), pIdentifier))), (lang) =>
			map(right(pDelimiter, pSVal), (value) => ({ op, lang, value }))));
	const pSimpleOp = bind(simpleOperator, (op) => map(right(pDelimiter, pSVal), (value) => ({ op, quant: null, value })));
	const pQuantOp = bind(quantOperator, (op) =>
		bind(optionMaybe(attempt(between(char('('), char(')'), alt(attempt(string('any')), string('all'))))), (quant) =>
			map(right(pDelimiter, pSVal), (value) => ({ op, quant, value }))));
	const pOperation = label(alt(pIn, pIs, pIsDist, attempt(pFts), attempt(pSimpleOp), attempt(pQuantOp)), 'operator (eq, gt, ...)');
	const pNegate = alt(attempt(map(right(string('not'), pDelimiter), () => true)), pure(false));
	return bind(pNegate, (negate) => map(pOperation, (operation) => ({ negate, ...operation })));
}

const pPgArray = map(seq(string('{'), many(noneOf('{}')), string('}')), ([a, b, c]) => a + join(b) + c);
const pLogicSingleVal = alt(attempt(left(pQuotedValue, notFollowedBy(noneOf(',)')))), attempt(pPgArray), map(many(noneOf(',)')), join));

const pLogicFilter = map(seq(left(pField, pDelimiter), pOpExpr(pLogicSingleVal)), ([field, expr]) => ({ type: 'filter', field, expr }));
const pNot = label(alt(attempt(map(right(string('not'), pDelimiter), () => true)), pure(false)), 'negation operator (not)');
const pLogicOp = label(alt(attempt(string('and')), string('or')), 'logic operator (and, or)');
const pLogicTree = lazy(() => alt(
	attempt(pLogicFilter),
	map(seq(pNot, pLogicOp, right(lexeme(char('(')), left(sepBy1(pLogicTree, lexeme(char(','))), lexeme(char(')'))))),
		([negate, op, children]) => ({ type: 'expr', negate, op, children }))));

// --- order, columns, paths --------------------------------------------------------------------

const pOrdDir = alt(attempt(right(pDelimiter, string('asc'))), attempt(right(pDelimiter, string('desc'))));
const pNulls = alt(
	attempt(map(right(pDelimiter, string('nullsfirst')), () => 'first')),
	attempt(map(right(pDelimiter, string('nullslast')), () => 'last')));
const pOrderEnd = alt(attempt(lookAhead(char(','))), attempt(eof));
const pOrderTail = seq(optionMaybe(pOrdDir), alt(left(optionMaybe(pNulls), pOrderEnd), map(pOrderEnd, () => null)));
const pOrderTerm = map(seq(pField, pOrderTail), ([field, [dir, nulls]]) => ({ relation: null, field, dir, nulls }));
const pOrderRelationTerm = map(seq(pFieldName, between(char('('), char(')'), pField), pOrderTail),
	([relation, field, [dir, nulls]]) => ({ relation, field, dir, nulls }));
const pOrder = sepBy1(lexeme(alt(attempt(pOrderRelationTerm), pOrderTerm)), char(','));

const pColumns = sepBy1(pFieldName, lexeme(char(',')));
const pTreePath = map(seq(sepBy1(pFieldName, pDelimiter), option([], pJsonPath)),
	([names, path]) => ({ embedPath: names.slice(0, -1), field: { name: names[names.length - 1], path } }));
const pLogicPath = map(sepBy1(pFieldName, pDelimiter), (names) => {
	const op = names[names.length - 1];
	const rest = names.slice(0, -1);
	return { embedPath: rest.filter((n) => n !== 'not'), op: rest.includes('not') ? `not.${op}` : op };
});

/** P.parse p ("failed to parse <what> (<shown>)") input, mapped to PGRST100 like mapError. */
function run(p, what, shown, input = shown) {
	const r = runParser(p, input);
	if (!r.ok) throw parseError(what, shown, r.col, r.details, r.line);
	return r.value;
}

export const parseSelect = (s) => run(pFieldForest, 'select parameter', s);
export const parseColumns = (what, s) => run(pColumns, what, s);
export const parseOrder = (s) => run(pOrder, 'order', s);
export const parseTreePath = (k) => run(pTreePath, 'tree path', k);
/** A filter value; on a read of a function, a value without an operator is an argument (null). */
export function parseFilterValue(v, isRpcRead = false) {
	return run(isRpcRead ? alt(pOpExpr(pSingleVal), pure(null)) : pOpExpr(pSingleVal), 'filter', v);
}
/** ?or=(…): parsed as op + value, so positions count from the start of "or(…" (QueryParams.hs). */
export const parseLogicTree = (op, v) => run(pLogicTree, 'logic tree', v, op + v);
export const parseLogicPath = (k) => run(pLogicPath, 'logic path', k);

/** Does a select tree use an aggregate (count(), col.sum(), …)? */
export const hasAggregates = (items) => items.some((i) => (i.type === 'field' && i.agg) || (i.type === 'embed' && hasAggregates(i.children)));

// --- the query string ---------------------------------------------------------------------

/** urlDecode True (http-types): "+" is a space, %XX a byte (a bad escape stays as is); bytes read as UTF-8. */
function urlDecode(s) {
	const raw = Buffer.from(s, 'utf8');
	const bytes = [];
	const hex = (b) => (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66);
	for (let k = 0; k < raw.length; k++) {
		const b = raw[k];
		if (b === 0x2b) bytes.push(0x20);
		else if (b === 0x25 && k + 2 < raw.length && hex(raw[k + 1]) && hex(raw[k + 2])) {
			bytes.push(parseInt(String.fromCharCode(raw[k + 1], raw[k + 2]), 16));
			k += 2;
		} else bytes.push(b);
	}
	return Buffer.from(bytes).toString('utf8');
}

/**
 * HTTP.parseQueryReplacePlus True: pairs separated by "&" *or* ";", a value only when
 * there is an "=" (`?a` has none, `?a=` an empty one).
 */
export function parseQueryString(search) {
	const q = search.startsWith('?') ? search.slice(1) : search;
	if (q === '') return [];
	return q.split(/[&;]/).filter((piece, k, all) => !(piece === '' && k === all.length - 1)).map((piece) => {
		const eq = piece.indexOf('=');
		return eq < 0 ? [urlDecode(piece), null] : [urlDecode(piece.slice(0, eq)), urlDecode(piece.slice(eq + 1))];
	});
}

/** Network.HTTP.Base.urlEncode over UTF-8 bytes: only ASCII alphanumerics and -_.~ stay. */
function urlEncode(s) {
	let out = '';
	for (const b of Buffer.from(s, 'utf8')) {
		const c = String.fromCharCode(b);
		out += /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
	}
	return out;
}

/** qsCanonical: pairs sorted by key, urlEncodeVars (values of one key joined by ","). */
function canonical(pairs) {
	const sorted = pairs.map(([k, v]) => [k, v ?? '']).map((p, i) => [...p, i])
		.sort((a, b) => Buffer.compare(Buffer.from(a[0]), Buffer.from(b[0])) || a[2] - b[2]);
	const out = [];
	const done = new Set();
	for (const [k] of sorted) {
		if (done.has(k)) continue;
		done.add(k);
		out.push(`${urlEncode(k)}=${sorted.filter((p) => p[0] === k).map((p) => urlEncode(p[1])).join(',')}`);
	}
	return out.join('&');
}

/**
 * Haskell's readMaybe :: Maybe Integer (limit/offset): surrounding spaces, parentheses and
 * one leading "-" are allowed, as are 0x/0o literals; anything else is Nothing (ignored).
 */
export function readInteger(s) {
	let t = s.trim();
	while (t.startsWith('(') && t.endsWith(')')) t = t.slice(1, -1).trim();
	let neg = false;
	if (t.startsWith('-')) {
		neg = true;
		t = t.slice(1).trimStart();
	}
	let n;
	if (/^[0-9]+$/.test(t)) n = BigInt(t);
	else if (/^0[xX][0-9a-fA-F]+$/.test(t) || /^0[oO][0-7]+$/.test(t)) n = BigInt(t.toLowerCase());
	else return null;
	return Number(neg ? -n : n);
}

const RESERVED = new Set(['select', 'columns', 'on_conflict']);
const RESERVED_EMBEDDABLE = new Set(['order', 'limit', 'offset', 'and', 'or']);
const lastWord = (k) => k.split('.').pop();

/**
 * Splits and parses a query string as PostgREST's QueryParams.parse does: orders, logic
 * trees, columns, select, filters, on_conflict — in that order, the first error wins.
 * @param {string} search raw query string ("?a=b&…")
 * @param {{isRpcRead?: boolean}} opts  GET/HEAD of a function: values without an operator are arguments
 */
export function parseQueryParams(search, { isRpcRead = false } = {}) {
	// Supabase's API gateway takes the key from ?apikey=; PostgREST never sees it.
	const pairs = parseQueryString(search).filter(([k]) => k !== 'apikey');
	const withValue = pairs.filter(([, v]) => v !== null);
	const lookup = (name) => {
		const hit = pairs.find(([k]) => k === name);
		return hit ? hit[1] : null;
	};

	const order = withValue.filter(([k]) => lastWord(k) === 'order').map(([k, v]) => {
		const { embedPath } = parseTreePath(k);
		return { embedPath, terms: parseOrder(v) };
	});
	const logic = withValue.filter(([k]) => ['and', 'or'].includes(lastWord(k))).map(([k, v]) => {
		const { embedPath, op } = parseLogicPath(k);
		return { embedPath, tree: parseLogicTree(op, v) };
	});
	const columnsRaw = lookup('columns');
	// qsColumns is a Set: duplicates collapse.
	const columns = columnsRaw === null ? null : [...new Set(parseColumns('columns parameter', columnsRaw))];
	const select = parseSelect(lookup('select') ?? '*');

	const filters = [];
	const params = [];
	for (const [k, v] of withValue) {
		if (RESERVED.has(k) || RESERVED_EMBEDDABLE.has(lastWord(k))) continue;
		const { embedPath, field } = parseTreePath(k);
		const expr = parseFilterValue(v, isRpcRead);
		if (expr === null) params.push([field.name, v]); // NoOpExpr: a function argument
		else filters.push({ embedPath, field, expr, key: k, value: v });
	}
	const onConflictRaw = lookup('on_conflict');
	const onConflict = onConflictRaw === null ? null : parseColumns('on_conflict parameter', onConflictRaw);

	// limit/offset: a value readMaybe cannot read is ignored; the last of a key wins.
	const ranges = new Map(); // embedPath.join('.') → { offset, limit, embedPath }
	for (const [k, v] of withValue) {
		const last = lastWord(k);
		if (last !== 'limit' && last !== 'offset') continue;
		const n = readInteger(v);
		if (n === null) continue;
		const { embedPath } = parseTreePath(k.split('.').slice(0, -1).concat('limit').join('.'));
		const key = embedPath.join('.');
		if (!ranges.has(key)) ranges.set(key, { offset: 0, limit: null, embedPath });
		ranges.get(key)[last] = n;
	}
	for (const r of ranges.values()) {
		// RangeQuery.hs: a negative limit is an empty range → 416 PGRST103 (getRanges).
		// A negative offset is passed on and PostgreSQL refuses it (2201X, 400).
		if (r.limit !== null && r.limit < 0) throw invalidRange('Limit should be greater than or equal to zero.');
	}

	return { select, columns, onConflict, filters, logic, order, ranges, params, canonical: canonical(pairs) };
}

// --- headers -------------------------------------------------------------------------------

// Preferences.hs (PostgREST 13: params=single-object was removed, #3757).
const ACCEPTED = new Map([
	['resolution=merge-duplicates', ['resolution', 'merge-duplicates']], ['resolution=ignore-duplicates', ['resolution', 'ignore-duplicates']],
	['return=representation', ['return', 'representation']], ['return=minimal', ['return', 'minimal']], ['return=headers-only', ['return', 'headers-only']],
	['count=exact', ['count', 'exact']], ['count=planned', ['count', 'planned']], ['count=estimated', ['count', 'estimated']],
	['tx=commit', ['tx', 'commit']], ['tx=rollback', ['tx', 'rollback']],
	['missing=default', ['missing', 'default']], ['missing=null', ['missing', 'null']],
	['handling=strict', ['handling', 'strict']], ['handling=lenient', ['handling', 'lenient']],
]);
const bsStrip = (s) => s.replace(/^[ \t\n\v\f\r\u00a0]+|[ \t\n\v\f\r\u00a0]+$/g, '');

/**
 * Prefer header(s) → { return, resolution, count, missing, handling, tx, timezone, maxAffected, invalid }.
 * Like Preferences.fromHeaders: every comma-separated item is stripped and must match a
 * known preference exactly ("return = minimal" does not); the first of each kind wins;
 * only the first timezone= counts; any max-affected= is accepted.
 * With handling=strict the invalid ones are a PGRST122 error (throwStrict).
 */
export function parsePrefer(header, validTimezone = () => true) {
	const raw = header === undefined || header === null ? [] : Array.isArray(header) ? header : [header];
	const items = raw.flatMap((h) => (h === '' ? [] : h.split(','))).map(bsStrip);
	const prefs = {};
	for (const it of items) {
		const hit = ACCEPTED.get(it);
		if (hit && !(hit[0] in prefs)) prefs[hit[0]] = hit[1];
	}
	const tz = items.find((it) => it.startsWith('timezone='));
	const tzAccepted = tz !== undefined && validTimezone(tz.slice('timezone='.length));
	if (tzAccepted) prefs.timezone = tz.slice('timezone='.length);
	const ma = items.find((it) => it.startsWith('max-affected='));
	if (ma !== undefined) {
		const n = readInteger(ma.slice('max-affected='.length));
		if (n !== null) prefs.maxAffected = n;
	}
	prefs.invalid = items.filter((it) => !ACCEPTED.has(it) && !(it.startsWith('timezone=') && tzAccepted) && !it.startsWith('max-affected='));
	return prefs;
}

/** With Prefer: handling=strict, unknown preferences are refused (400 PGRST122). */
export function checkStrictPreferences(prefs) {
	if (prefs.handling === 'strict' && prefs.invalid.length) throw invalidPreferences(prefs.invalid);
}

/**
 * Range header → { lower, upper|null } or null (RangeQuery.hs rangeParse: exactly
 * ^[0-9]+-[0-9]*$, anything else, e.g. "items=0-9", is ignored).
 */
export function parseRangeHeader(value) {
	if (value === undefined || value === null) return null;
	const m = /^([0-9]+)-([0-9]*)$/.exec(String(value));
	if (!m) return null;
	const lower = Number(m[1]);
	const upper = m[2] === '' ? null : Number(m[2]);
	if (upper !== null && lower > upper) {
		throw invalidRange('The lower boundary must be lower than or equal to the upper boundary in the Range header.');
	}
	return { lower, upper };
}
