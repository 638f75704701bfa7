// Parsers for PostgREST's URL grammar (select, filters, logic trees, order, columns),
// the Prefer header and the Range header. Follows PostgREST's ApiRequest/QueryParams.hs;
// parse failures become PGRST100 errors shaped like PostgREST's Parsec messages.

import { parseError, aggregatesNotAllowed, invalidRange, invalidPreferences } from './errors.js';

class Fail extends Error {
	constructor(pos, details) {
		super(details);
		this.pos = pos;
		this.details = details;
	}
}

class Cursor {
	constructor(s) {
		this.s = s;
		this.i = 0;
	}
	eof() { return this.i >= this.s.length; }
	peek(n = 0) { return this.s[this.i + n]; }
	starts(str) { return this.s.startsWith(str, this.i); }
	fail(details) { throw new Fail(this.i, details); }
	expect(ch, what = `"${ch}"`) {
		if (this.peek() !== ch) this.fail(this.unexpected() + ` expecting ${what}`);
		this.i++;
	}
	unexpected() {
		return this.eof() ? 'unexpected end of input' : `unexpected ${JSON.stringify(this.peek())}`;
	}
	ws() { while (this.peek() === ' ' || this.peek() === '\t') this.i++; }
}

/** Runs a parser over the whole input; a failure becomes PGRST100 naming `what`. */
function run(what, input, fn) {
	const c = new Cursor(input);
	try {
		return fn(c);
	} catch (e) {
		if (e instanceof Fail) throw parseError(what, input, e.pos + 1, e.details);
		throw e;
	}
}

const IDENT_CHAR = /[\p{L}\p{N}_ $]/u;

/** A quoted value: "..." with backslash escapes. */
function pQuoted(c) {
	c.expect('"');
	let out = '';
	for (;;) {
		if (c.eof()) c.fail('unexpected end of input expecting "\\""');
		const ch = c.peek();
		if (ch === '"') { c.i++; return out; }
		if (ch === '\\') {
			c.i++;
			if (c.eof()) c.fail('unexpected end of input');
		}
		out += c.peek();
		c.i++;
	}
}

/** Field name: a quoted value, or identifiers ([letters digits _ $ space]) joined by dashes. */
export function pFieldName(c) {
	if (c.peek() === '"') return pQuoted(c);
	const parts = [];
	for (;;) {
		let ident = '';
		while (!c.eof() && IDENT_CHAR.test(c.peek())) ident += c.s[c.i++];
		if (!ident) c.fail(c.unexpected() + ' expecting field name (* or [a..z0..9_$])');
		parts.push(ident.trim());
		if (c.peek() === '-' && c.peek(1) !== '>' && c.peek(1) !== undefined && IDENT_CHAR.test(c.peek(1))) {
			c.i++;
			continue;
		}
		break;
	}
	return parts.join('-');
}

/** JSON path: (-> | ->>) (index | key), repeated. */
function pJsonPath(c) {
	const path = [];
	for (;;) {
		let arrow;
		if (c.starts('->>')) arrow = '->>';
		else if (c.starts('->')) arrow = '->';
		else return path;
		c.i += arrow.length;
		const m = /^-?\d+/.exec(c.s.slice(c.i));
		if (m) {
			const after = c.s.slice(c.i + m[0].length);
			if (after === '' || /^(->|::|\.|,|\))/.test(after)) {
				c.i += m[0].length;
				path.push({ arrow, index: Number(m[0]) });
				continue;
			}
		}
		path.push({ arrow, key: pFieldName(c) });
	}
}

/** A field: name plus optional JSON path (whitespace around it ignored). */
function pField(c) {
	c.ws();
	const name = pFieldName(c);
	const path = pJsonPath(c);
	c.ws();
	return { name, path };
}

function pIdentifier(c) {
	let s = '';
	while (!c.eof() && IDENT_CHAR.test(c.peek())) s += c.s[c.i++];
	if (!s.trim()) c.fail(c.unexpected() + ' expecting letter or digit');
	return s.trim();
}

// --- select ------------------------------------------------------------------------------

const AGGREGATES = new Set(['count', 'sum', 'avg', 'max', 'min']);

/**
 * select= → list of items:
 *   { type: 'star' }
 *   { type: 'field', alias, field: {name, path}, cast }
 *   { type: 'embed', alias, name, hint, joinType, spread, children }
 */
export function parseSelect(input) {
	return run('select parameter', input, (c) => {
		const items = pForest(c, true);
		if (!c.eof()) c.fail(c.unexpected() + ' expecting "," or end of input');
		return items;
	});
}

function pForest(c, top) {
	const items = [];
	c.ws();
	if (!top && c.peek() === ')') return items; // empty embed: rel()
	for (;;) {
		items.push(pItem(c));
		c.ws();
		if (c.peek() === ',') { c.i++; c.ws(); continue; }
		return items;
	}
}

function pEmbedParams(c) {
	let hint = null;
	let joinType = null;
	for (let k = 0; k < 2 && c.peek() === '!'; k++) {
		c.i++;
		const p = pFieldName(c);
		if (p === 'inner' || p === 'left') joinType = p;
		else hint = p;
	}
	return { hint, joinType };
}

function pItem(c) {
	c.ws();
	if (c.starts('...')) {
		c.i += 3;
		const name = pFieldName(c);
		const { hint, joinType } = pEmbedParams(c);
		c.expect('(');
		const children = pForest(c, false);
		c.expect(')', '")"');
		return { type: 'embed', alias: null, name, hint, joinType, spread: true, children };
	}
	if (c.peek() === '*') {
		c.i++;
		c.ws();
		if (!c.eof() && c.peek() !== ',' && c.peek() !== ')') c.fail(c.unexpected() + ' expecting ")", "," or end of input');
		return { type: 'star' };
	}
	let alias = null;
	const save = c.i;
	try {
		const a = pFieldName(c);
		if (c.peek() === ':' && c.peek(1) !== ':') { c.i++; alias = a; } else c.i = save;
	} catch (e) {
		if (!(e instanceof Fail)) throw e;
		c.i = save;
	}
	if (c.starts('count()')) throw aggregatesNotAllowed();
	const name = pFieldName(c);
	if (c.peek() === '!' || c.peek() === '(') {
		const { hint, joinType } = pEmbedParams(c);
		c.expect('(');
		const children = pForest(c, false);
		c.ws();
		c.expect(')', '")"');
		return { type: 'embed', alias, name, hint, joinType, spread: false, children };
	}
	const path = pJsonPath(c);
	let cast = null;
	if (c.starts('::')) {
		c.i += 2;
		cast = pIdentifier(c);
	}
	const m = /^\.(\w+)\(/.exec(c.s.slice(c.i));
	if (m && AGGREGATES.has(m[1])) throw aggregatesNotAllowed();
	c.ws();
	if (!c.eof() && c.peek() !== ',' && c.peek() !== ')') {
		c.fail(c.unexpected() + ' expecting letter, digit, "-", "->>", "->", "::", ")", "," or end of input');
	}
	return { type: 'field', alias, field: { name, path }, cast };
}

// --- filters -------------------------------------------------------------------------------

const SIMPLE_OPS = {
	eq: '=', neq: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=',
	like: 'LIKE', ilike: 'ILIKE', match: '~', imatch: '~*',
	cs: '@>', cd: '<@', ov: '&&', sl: '<<', sr: '>>', nxr: '&<', nxl: '&>', adj: '-|-',
	isdistinct: 'IS DISTINCT FROM',
};
const QUANTIFIABLE = new Set(['eq', 'gt', 'gte', 'lt', 'lte', 'like', 'ilike', 'match', 'imatch']);
const FTS_OPS = { fts: 'to_tsquery', plfts: 'plainto_tsquery', phfts: 'phraseto_tsquery', wfts: 'websearch_to_tsquery' };
export { SIMPLE_OPS, FTS_OPS };

/** Does a query value look like a filter (rather than an RPC argument)? */
export function hasOperator(v) {
	const first = v.split('.')[0];
	const parts = v.split('.');
	if (first === 'not' && parts.length > 1) return true;
	if (first === 'is' || first === 'in') return true;
	if (SIMPLE_OPS[first] || FTS_OPS[first]) return true;
	const m = /^(\w+)\((\w*)\)$/.exec(first);
	if (m && (FTS_OPS[m[1]] || (QUANTIFIABLE.has(m[1]) && (m[2] === 'any' || m[2] === 'all')))) return true;
	const p = v.split('(');
	return p.length > 1 && !!FTS_OPS[p[0]];
}

/**
 * Operator expression: [not.]op.value →
 *   { negate, op: 'in', values } | { negate, op: 'is', value: 'null'|'not_null'|'unknown'|'true'|'false' }
 *   | { negate, op: <simple>, quant: 'any'|'all'|null, value } | { negate, op: 'fts'…, lang, value }
 * @param {'single'|'logic'} mode how the value ends: rest of input, or at , or )
 */
function pOpExpr(c, mode) {
	let negate = false;
	if (c.starts('not.')) { negate = true; c.i += 4; }
	if (c.starts('in.')) {
		c.i += 3;
		return { negate, op: 'in', values: pListVal(c) };
	}
	if (c.starts('is.')) {
		c.i += 3;
		const m = /^(null|not_null|unknown|true|false)/i.exec(c.s.slice(c.i));
		if (!m) c.fail(c.unexpected() + ' expecting null or trilean value (unknown, true, false)');
		c.i += m[0].length;
		if (mode === 'single' && !c.eof()) c.fail(c.unexpected() + ' expecting end of input');
		return { negate, op: 'is', value: m[1].toLowerCase() };
	}
	const start = c.i;
	const dot = c.s.indexOf('.', c.i);
	if (dot < 0) {
		c.i = c.s.length;
		c.fail(`unexpected end of input expecting delimiter (.)`);
	}
	const opStr = c.s.slice(c.i, dot);
	const m = /^(\w+)(?:\(([\w $]*)\))?$/.exec(opStr);
	let op = null;
	let quant = null;
	let lang = null;
	if (m && FTS_OPS[m[1]]) {
		op = m[1];
		lang = m[2] === undefined ? null : m[2].trim();
		if (lang === '') { c.i = start + m[1].length + 1; c.fail('unexpected ")" expecting letter or digit'); }
	} else if (m && SIMPLE_OPS[m[1]]) {
		op = m[1];
		if (m[2] !== undefined) {
			if (!QUANTIFIABLE.has(op) || (m[2] !== 'any' && m[2] !== 'all')) {
				c.fail(`unknown single value operator ${opStr}`);
			}
			quant = m[2];
		}
	} else {
		c.fail(`unknown single value operator ${opStr}`);
	}
	c.i = dot + 1;
	const value = mode === 'single' ? pRest(c) : pLogicVal(c);
	return lang !== null || FTS_OPS[op] ? { negate, op, lang, value } : { negate, op, quant, value };
}

function pRest(c) {
	const v = c.s.slice(c.i);
	c.i = c.s.length;
	return v;
}

function pListVal(c) {
	c.ws();
	c.expect('(');
	c.ws();
	const out = [];
	for (;;) {
		const save = c.i;
		let v = null;
		if (c.peek() === '"') {
			try {
				v = pQuoted(c);
				if (!c.eof() && c.peek() !== ',' && c.peek() !== ')') { c.i = save; v = null; }
			} catch (e) {
				if (!(e instanceof Fail)) throw e;
				c.i = save;
				v = null;
			}
		}
		if (v === null) {
			v = '';
			while (!c.eof() && c.peek() !== ',' && c.peek() !== ')') v += c.s[c.i++];
		}
		out.push(v);
		if (c.peek() === ',') { c.i++; continue; }
		break;
	}
	c.expect(')', '")"');
	c.ws();
	// `in.()` is an empty list, not a list holding one empty string.
	return out.length === 1 && out[0] === '' ? [] : out;
}

function pLogicVal(c) {
	const save = c.i;
	if (c.peek() === '"') {
		try {
			const v = pQuoted(c);
			if (c.eof() || c.peek() === ',' || c.peek() === ')') return v;
		} catch (e) {
			if (!(e instanceof Fail)) throw e;
		}
		c.i = save;
	}
	if (c.peek() === '{') {
		const close = c.s.indexOf('}', c.i);
		const inner = close < 0 ? null : c.s.slice(c.i, close + 1);
		if (inner && !inner.slice(1).includes('{')) {
			c.i = close + 1;
			return inner;
		}
	}
	let v = '';
	while (!c.eof() && c.peek() !== ',' && c.peek() !== ')') v += c.s[c.i++];
	return v;
}

/** Query key → embed path + field, e.g. "reviews.state" or "metadata->>x". */
export function parseTreePath(key) {
	return run('tree path', key, (c) => {
		const names = [pFieldName(c)];
		while (c.peek() === '.') {
			c.i++;
			names.push(pFieldName(c));
		}
		const path = pJsonPath(c);
		if (!c.eof()) c.fail(c.unexpected() + ' expecting "->>", "->", delimiter (.) or end of input');
		return { embedPath: names.slice(0, -1), field: { name: names[names.length - 1], path } };
	});
}

/** A filter value: [not.]op.value */
export function parseFilterValue(value) {
	return run('filter', value, (c) => pOpExpr(c, 'single'));
}

/**
 * Logic tree: or=(a.eq.1,and(b.gt.2,c.is.null)). Returns
 *   { type: 'expr', negate, op: 'and'|'or', children } | { type: 'filter', field, expr }
 */
export function parseLogicTree(op, value) {
	const input = op + value;
	const c = new Cursor(input);
	try {
		const tree = pLogicExpr(c);
		c.ws();
		if (!c.eof()) c.fail(c.unexpected() + ' expecting end of input');
		return tree;
	} catch (e) {
		if (e instanceof Fail) throw parseError('logic tree', value, Math.max(1, e.pos - op.length + 1), e.details);
		throw e;
	}
}

function pLogicExpr(c) {
	c.ws();
	let negate = false;
	if (c.starts('not.')) { negate = true; c.i += 4; }
	let op;
	if (c.starts('and')) { op = 'and'; c.i += 3; } else if (c.starts('or')) { op = 'or'; c.i += 2; } else {
		c.fail(c.unexpected() + ' expecting logic operator (and, or)');
	}
	c.ws();
	c.expect('(');
	const children = [];
	for (;;) {
		c.ws();
		children.push(pLogicItem(c));
		c.ws();
		if (c.peek() === ',') { c.i++; continue; }
		break;
	}
	c.expect(')', '")"');
	return { type: 'expr', negate, op, children };
}

function pLogicItem(c) {
	const save = c.i;
	try {
		const field = pField(c);
		c.expect('.', 'delimiter (.)');
		const expr = pOpExpr(c, 'logic');
		if (!c.eof() && c.peek() !== ',' && c.peek() !== ')') c.fail(c.unexpected() + ' expecting "," or ")"');
		return { type: 'filter', field, expr };
	} catch (e) {
		if (!(e instanceof Fail)) throw e;
		c.i = save;
		if (/^(not\.)?(and|or)\s*\(/.test(c.s.slice(c.i))) return pLogicExpr(c);
		throw e;
	}
}

/** Logic key: "or", "not.and", "reviews.or" → { embedPath, op: 'or'|'not.or'|… } */
export function parseLogicPath(key) {
	return run('logic path', key, (c) => {
		const names = [pFieldName(c)];
		while (c.peek() === '.') { c.i++; names.push(pFieldName(c)); }
		if (!c.eof()) c.fail(c.unexpected() + ' expecting delimiter (.) or end of input');
		const op = names[names.length - 1];
		const rest = names.slice(0, -1);
		const negated = rest.includes('not');
		return { embedPath: rest.filter((n) => n !== 'not'), op: negated ? `not.${op}` : op };
	});
}

// --- order ---------------------------------------------------------------------------------

/** order=a.desc.nullslast,rel(col).asc → [{ relation, field, dir, nulls }] */
export function parseOrder(input) {
	return run('order', input, (c) => {
		const terms = [];
		for (;;) {
			c.ws();
			const term = { relation: null, field: null, dir: null, nulls: null };
			const save = c.i;
			let relDone = false;
			try {
				const rel = pFieldName(c);
				if (c.peek() === '(') {
					c.i++;
					term.relation = rel;
					term.field = pField(c);
					c.expect(')', '")"');
					relDone = true;
				} else c.i = save;
			} catch (e) {
				if (!(e instanceof Fail)) throw e;
				c.i = save;
			}
			if (!relDone) term.field = pField(c);
			if (c.starts('.asc') && !/^\.asc\w/.test(c.s.slice(c.i))) { term.dir = 'asc'; c.i += 4; } else if (c.starts('.desc') && !/^\.desc\w/.test(c.s.slice(c.i))) { term.dir = 'desc'; c.i += 5; }
			if (c.starts('.nullsfirst')) { term.nulls = 'first'; c.i += 11; } else if (c.starts('.nullslast')) { term.nulls = 'last'; c.i += 10; }
			c.ws();
			if (c.peek() === '.') {
				c.i++;
				c.fail(c.unexpected() + (term.dir ? ' expecting "nullsfirst" or "nullslast"' : ' expecting "asc", "desc", "nullsfirst" or "nullslast"'));
			}
			if (!c.eof() && c.peek() !== ',') c.fail(c.unexpected() + ' expecting delimiter (.), "," or end of input');
			terms.push(term);
			if (c.peek() === ',') { c.i++; continue; }
			return terms;
		}
	});
}

/** columns= / on_conflict= → list of names. */
export function parseColumns(what, input) {
	return run(what, input, (c) => {
		const out = [];
		for (;;) {
			c.ws();
			out.push(pFieldName(c));
			c.ws();
			if (c.peek() === ',') { c.i++; continue; }
			if (!c.eof()) c.fail(c.unexpected() + ' expecting "," or end of input');
			return out;
		}
	});
}

// --- whole query string --------------------------------------------------------------------

const RESERVED = new Set(['select', 'columns', 'on_conflict']);
const RESERVED_EMBEDDABLE = new Set(['order', 'limit', 'offset', 'and', 'or']);

/**
 * Splits and parses a query string as PostgREST does.
 * @param {URLSearchParams} sp
 */
export function parseQueryParams(sp) {
	const pairs = [...sp.entries()];
	const q = {
		select: parseSelect(sp.has('select') ? sp.get('select') : '*'),
		columns: sp.has('columns') ? parseColumns('columns parameter', sp.get('columns')) : null,
		onConflict: sp.has('on_conflict') ? parseColumns('on_conflict parameter', sp.get('on_conflict')) : null,
		filters: [], // { embedPath, field, expr, key, value }
		logic: [], // { embedPath, tree }
		order: [], // { embedPath, terms }
		ranges: new Map(), // embedPath.join('.') → { offset, limit }
		params: [], // [key, value] pairs that are not filters (RPC arguments)
		canonical: pairs.map(([k, v]) => [k, v]).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
			.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&'),
	};
	const lastSeg = (k) => k.split('.').pop();
	const rangeOf = (path) => {
		const key = path.join('.');
		if (!q.ranges.has(key)) q.ranges.set(key, { offset: 0, limit: null, embedPath: path });
		return q.ranges.get(key);
	};
	for (const [k, v] of pairs) {
		if (RESERVED.has(k)) continue;
		const last = lastSeg(k);
		if (RESERVED_EMBEDDABLE.has(last)) {
			const embedPath = k.split('.').slice(0, -1);
			if (last === 'order') {
				if (v === '') continue;
				q.order.push({ embedPath, terms: parseOrder(v) });
			} else if (last === 'limit' || last === 'offset') {
				if (!/^-?\d+$/.test(v)) continue; // like PostgREST's readMaybe: not a number → ignored
				const n = Number(v);
				if (last === 'limit') {
					if (n < 0) throw invalidRange('Limit should be greater than or equal to zero.');
					rangeOf(embedPath).limit = n;
				} else if (n >= 0) rangeOf(embedPath).offset = n;
			} else {
				const { embedPath: ep, op } = parseLogicPath(k);
				q.logic.push({ embedPath: ep, tree: parseLogicTree(op, v) });
			}
			continue;
		}
		if (k.includes('.') || hasOperator(v)) {
			const { embedPath, field } = parseTreePath(k);
			q.filters.push({ embedPath, field, expr: parseFilterValue(v), key: k, value: v });
		} else {
			q.params.push([k, v]);
		}
	}
	return q;
}

// --- headers -------------------------------------------------------------------------------

const PREFS = {
	return: ['minimal', 'headers-only', 'representation'],
	resolution: ['merge-duplicates', 'ignore-duplicates'],
	count: ['exact', 'planned', 'estimated'],
	missing: ['default', 'null'],
	handling: ['strict', 'lenient'],
	tx: ['commit', 'rollback'],
	params: ['single-object'],
};

/**
 * Prefer header(s) → { return, resolution, count, missing, handling, tx, timezone, maxAffected }.
 * With handling=strict, unknown preferences are a PGRST122 error.
 */
export function parsePrefer(header, validTimezone = () => true) {
	const prefs = {};
	const invalid = [];
	const raw = Array.isArray(header) ? header.join(',') : (header || '');
	for (const part of raw.split(',')) {
		const p = part.trim();
		if (!p) continue;
		const eq = p.indexOf('=');
		const k = eq < 0 ? p : p.slice(0, eq).trim();
		const v = eq < 0 ? '' : p.slice(eq + 1).trim();
		if (PREFS[k] && PREFS[k].includes(v)) {
			if (!(k in prefs)) prefs[k] = v;
		} else if (k === 'timezone' && v && validTimezone(v)) {
			if (!('timezone' in prefs)) prefs.timezone = v;
		} else if (k === 'max-affected' && /^\d+$/.test(v)) {
			if (!('maxAffected' in prefs)) prefs.maxAffected = Number(v);
		} else {
			invalid.push(p);
		}
	}
	if (prefs.handling === 'strict' && invalid.length) throw invalidPreferences(invalid);
	return prefs;
}

/** Range header "0-19" (optionally "items=0-19") → { lower, upper|null } or null. */
export function parseRangeHeader(value) {
	if (!value) return null;
	const m = /^(?:items=)?(\d+)-(\d*)$/.exec(String(value).trim());
	if (!m) return null;
	const lower = Number(m[1]);
	const upper = m[2] === '' ? null : Number(m[2]);
	if (upper !== null && lower > upper) {
		throw invalidRange('The lower boundary must be lower than or equal to the upper boundary in the Range header.');
	}
	return { lower, upper };
}
