// PostgREST-compatible gateway (the subset of Supabase's Data API that real clients use)
// in front of a real PostgreSQL, for the progressive-capture test rig.
//
//   import { startGateway } from './postgrest/server.js';
//   const gw = await startGateway({ databaseUrl });   // SUPABASE_URL = gw.url, API at gw.url + '/rest/v1'
//
//   node tests/postgrest/server.js --database-url URL [--port N] [--key K] [--max-rows N] [--random-faults JSON]
//
// Fault injection (faults.js): gw.addFault({ method?, path?, times=1, ...FAULTS.kind(params) }),
// gw.clearFaults(), gw.setRandomFaults({ seed, rate, kinds, maxBurst, slowMs, retryAfter,
// method, path }) | null, gw.faultStats(); startGateway({ randomFaults }) starts in random mode.
// Kinds: unavailable({retryAfter}) 503 PGRST001, gatewayTimeout() 504 HTML, slow(ms) executed
// then answered late, reset() dropped unexecuted, resetAfterCommit() executed+committed then
// dropped, clientError() 400 PGRST100 (random mode only when listed). The log entry's
// `fault` names the kind.
//
// Behaviour follows PostgREST 12/13 (docs/references/api/*.rst, src/PostgREST/*.hs) behind
// Supabase's API gateway key check. Files:
//   server.js  HTTP, auth, routing, transactions, response headers/status
//   parse.js   PostgREST's URL grammar (a port of QueryParams.hs), Prefer and Range headers
//   parsec.js  a small Parsec 3, so parse errors carry PostgREST's exact PGRST100 text
//   query.js   schema-checked plan (embedding via foreign keys) → parameterised SQL
//   schema.js  schema cache (tables, columns, keys, FKs, functions) from the catalogs
//   errors.js  PGRSTxxx errors, Supabase 401s, SQLSTATE → HTTP mapping
//
// Like PostgREST, each request is one SQL statement in one transaction, and the JSON body
// is produced by PostgreSQL (json_agg), so bigint, numeric, timestamptz and jsonb come out
// as PostgREST renders them. Request bodies go to PostgreSQL as raw text (json_to_recordset),
// so 64-bit integers are never rounded through a JS double.
//
// Not implemented (answer is an error or the feature is ignored): many-to-many embedding
// through junction tables, embedding through views (no FK inference on views), computed
// relationships, aggregates (PGRST123, as with Supabase's default), to-many spreads,
// geo+json, CSV request bodies, Prefer: tx=rollback (ignored, as Supabase's db-tx-end=commit),
// Prefer: params=single-object (gone in PostgREST 13, so an invalid preference), JWT
// roles/RLS (the one key acts as service_role), response GUCs (response.headers /
// response.status), EXPLAIN media types, PostgreSQL's "Perhaps you meant …" hint on 42703
// (our 42703 carries hint null).
//
// Known difference: limit/offset on PATCH/DELETE narrow the rows written, as in PostgREST
// 12; PostgREST 13 dropped limited updates/deletes (#3013) and ignores them.

import http from 'node:http';
import { pathToFileURL } from 'node:url';
import pg from 'pg';

import {
	ApiError, fromPgError, pgrstError, invalidBody, invalidRpcMethod, unsupportedMethod, tableNotFound,
	missingApiKey, invalidApiKey, jwtDecodeError, singularityError, invalidRange, mediaTypeError,
	unacceptableSchema, maxAffectedViolation, noRpc, ambiguousRpc, invalidPutFilters, putMatchingPk,
	putLimitNotAllowed, invalidResourcePath, aggregatesNotAllowed,
} from './errors.js';
import { parseQueryParams, parsePrefer, parseRangeHeader, checkStrictPreferences, hasAggregates } from './parse.js';
import { Planner, SqlBuilder, Params, ident, bodyExpr, checkPayloadColumns } from './query.js';
import { loadSchema, suggestTable, functionRelation } from './schema.js';
import { FAULTS as FAULT_SPECS, RandomFaults, cannedAnswer, faultName, matches } from './faults.js';

export { FAULTS, KINDS as FAULT_KINDS, DEFAULT_RANDOM_KINDS } from './faults.js';

const JSON_CT = 'application/json; charset=utf-8';
const MEDIA_CT = {
	json: JSON_CT,
	single: 'application/vnd.pgrst.object+json; charset=utf-8',
	csv: 'text/csv; charset=utf-8',
};

/**
 * Starts the gateway.
 * @param {object} opts
 * @param {string} opts.databaseUrl  postgres://… (required)
 * @param {number} [opts.port=0]     0 = a free port
 * @param {string} [opts.host='127.0.0.1']
 * @param {string} [opts.apiKey='service-role-key']  the one accepted key
 * @param {number} [opts.maxRows=1000]  Supabase's default max_rows (GET and RPC reads)
 * @param {string} [opts.schema='public']
 * @param {number} [opts.poolSize=10]
 * @param {boolean} [opts.listen=true]  reload the schema cache on `NOTIFY pgrst, 'reload schema'`
 * @param {object} [opts.randomFaults]  start with setRandomFaults(opts.randomFaults)
 * @returns {Promise<{url:string, port:number, pool:pg.Pool, reloadSchema:()=>Promise<void>,
 *   log:Array<object>, clearLog:()=>void, close:()=>Promise<void>, addFault:(spec:object)=>object,
 *   clearFaults:()=>void, setRandomFaults:(opts:object|null)=>object|null, faultStats:()=>object}>}
 *
 * Log entry: { seq, time (arrival, ms), method, path, query, status (as computed; 0 when
 * nothing was, e.g. a reset), prefer, bytes, reqBytes, code, ms, fault (name|null),
 * aborted (the client closed the connection before the answer) }.
 */
export async function startGateway(opts = {}) {
	if (!opts.databaseUrl) throw new Error('startGateway: databaseUrl is required');
	const initialRandom = opts.randomFaults ? new RandomFaults(opts.randomFaults) : null; // validated before anything starts
	const cfg = {
		host: opts.host || '127.0.0.1',
		port: opts.port ?? 0,
		apiKey: opts.apiKey ?? 'service-role-key',
		maxRows: opts.maxRows === undefined ? 1000 : opts.maxRows,
		schema: opts.schema || 'public',
	};
	const pool = new pg.Pool({
		connectionString: opts.databaseUrl,
		max: opts.poolSize || 10,
		options: '-c TimeZone=UTC', // Supabase databases run in UTC
	});
	pool.on('error', () => {}); // an idle client died (e.g. server restart): the pool replaces it

	let cache = await loadSchema(pool, cfg.schema);
	const reloadSchema = async () => { cache = await loadSchema(pool, cfg.schema); };

	// PostgREST reloads its schema cache on NOTIFY pgrst, 'reload schema'.
	let listener = null;
	if (opts.listen !== false) {
		listener = new pg.Client({ connectionString: opts.databaseUrl });
		listener.on('error', () => {});
		try {
			await listener.connect();
			await listener.query('LISTEN pgrst');
			listener.on('notification', (n) => {
				if (!n.payload || n.payload === 'reload schema') reloadSchema().catch(() => {});
			});
		} catch {
			listener = null;
		}
	}

	const log = [];
	let seq = 0;
	const ctx = { cfg, pool, getCache: () => cache };

	// Faults: scripted ones (addFault) first, then the random mode (setRandomFaults).
	const faults = [];
	let random = initialRandom;
	const newStats = () => ({ requests: 0, total: 0, scripted: 0, random: 0, byKind: {} });
	let stats = newStats();
	const takeFault = (method, pathname) => {
		const rel = /^\/rest\/v1(\/.*)?$/.exec(pathname);
		if (!rel || method === 'OPTIONS') return null;
		const paths = [pathname, rel[1] || '/'];
		let hit = null;
		for (const f of faults) {
			if (f.remaining <= 0 || !matches(f, method, paths)) continue;
			f.remaining--;
			f.hits++;
			hit = { spec: f.spec, name: f.name, source: 'scripted' };
			break;
		}
		if (!hit && random && matches(random.options, method, paths)) {
			stats.requests++;
			const spec = random.draw();
			if (spec) hit = { spec, name: faultName(spec), source: 'random' };
		}
		if (hit) {
			stats.total++;
			stats[hit.source]++;
			stats.byKind[hit.name] = (stats.byKind[hit.name] ?? 0) + 1;
		}
		return hit;
	};

	const server = http.createServer((req, res) => {
		const t0 = Date.now();
		const entry = {
			seq: ++seq, time: t0, method: req.method, path: '', query: '', status: 0, prefer: req.headers.prefer || null,
			bytes: 0, reqBytes: 0, code: null, ms: 0, fault: null, aborted: false,
		};
		let pathname = '';
		try {
			const u = new URL(req.url, 'http://gateway');
			pathname = u.pathname;
			entry.path = pathname;
			entry.query = u.search.replace(/^\?/, '');
		} catch { /* handle() answers it */ }
		const fault = takeFault(req.method.toUpperCase(), pathname);
		const spec = fault ? fault.spec : null;
		if (fault) entry.fault = fault.name;
		const gone = () => res.destroyed || req.socket.destroyed;
		const write = (out) => {
			const body = out.body === undefined || out.body === null ? '' : out.body;
			const buf = Buffer.from(body, 'utf8');
			const headers = { ...out.headers };
			if (buf.length || out.status !== 204) headers['Content-Length'] = String(buf.length);
			entry.status = out.status;
			entry.bytes = buf.length;
			entry.code = out.code ?? null;
			entry.ms = Date.now() - t0;
			return { buf, headers };
		};

		// Faults that answer (or drop the connection) without executing the request.
		const canned = spec && spec.kind !== 'slow' && spec.kind !== 'resetAfterCommit' ? spec.kind === 'reset' ? 'reset' : cannedAnswer(spec) : null;
		if (canned) {
			drain(req).then(() => {
				log.push(entry);
				if (canned === 'reset') {
					entry.ms = Date.now() - t0;
					req.socket.destroy();
					return;
				}
				const { buf, headers } = write(canned);
				if (gone()) { entry.aborted = true; return; }
				res.writeHead(canned.status, headers);
				res.end(req.method === 'HEAD' ? undefined : buf);
			});
			return;
		}

		handle(ctx, req, entry)
			.catch((err) => errorResponse(err))
			.then(async (out) => {
				const { buf, headers } = write(out);
				log.push(entry);
				if (spec?.kind === 'slow') await sleep(spec.ms);
				if (gone()) { entry.aborted = true; return; }
				if (spec?.kind === 'resetAfterCommit') {
					req.socket.destroy(); // executed and committed; the answer never leaves
					return;
				}
				res.writeHead(out.status, headers);
				res.end(req.method === 'HEAD' ? undefined : buf);
			})
			.catch(() => { if (!res.destroyed) res.destroy(); });
	});
	server.keepAliveTimeout = 5000;
	await new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(cfg.port, cfg.host, () => { server.off('error', reject); resolve(); });
	});
	const port = server.address().port;
	const url = `http://${cfg.host}:${port}`;

	let closed = false;
	const close = async () => {
		if (closed) return;
		closed = true;
		await new Promise((resolve) => {
			server.close(() => resolve());
			server.closeAllConnections();
		});
		if (listener) await listener.end().catch(() => {});
		await pool.end().catch(() => {});
	};

	return {
		url, port, pool, reloadSchema, log, clearLog: () => { log.length = 0; }, close, get schemaCache() { return cache; },
		/**
		 * Inject a fault: { method?, path? (prefix string or RegExp, on the full path or the
		 * part after /rest/v1), times=1, kind, …params } (see FAULTS), or a canned answer
		 * { …, status, body|text, headers, fault? }. Returns the fault (hits, remaining).
		 */
		addFault(spec) {
			const { method, path, times = 1, ...rest } = spec;
			if (rest.kind !== undefined && !Object.hasOwn(FAULT_SPECS, rest.kind)) throw new TypeError(`addFault: unknown kind ${rest.kind}`);
			if (rest.kind === undefined && rest.status === undefined) throw new TypeError('addFault: a kind or a status is required');
			const f = { method, path, remaining: times, hits: 0, name: faultName(rest), spec: rest };
			faults.push(f);
			return f;
		},
		/** Remove every scripted fault, stop the random mode and zero faultStats(). */
		clearFaults() {
			faults.length = 0;
			random = null;
			stats = newStats();
		},
		/** { seed, rate, kinds, maxBurst, slowMs, retryAfter, method, path } or null (stop). */
		setRandomFaults(opts) {
			random = opts ? new RandomFaults(opts) : null;
			stats = newStats();
			return random ? { ...random.options } : null;
		},
		/** { requests (seen by the random mode), total, scripted, random, byKind, drawn }. */
		faultStats() {
			return { ...stats, byKind: { ...stats.byKind }, drawn: random ? random.drawn.map((d) => ({ ...d })) : [] };
		},
	};
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Reads and discards a request body; resolves when it has ended or the connection is gone. */
function drain(req) {
	return new Promise((resolve) => {
		if (req.complete) { resolve(); return; }
		req.on('end', resolve);
		req.on('close', resolve);
		req.on('error', resolve);
		req.resume();
	});
}

function errorResponse(err) {
	const e = err instanceof ApiError ? err : fromPgError(err);
	const headers = { 'Content-Type': JSON_CT, ...e.headers };
	if (e.body.code) headers['Proxy-Status'] = `PostgREST; error=${e.body.code}`;
	return { status: e.status, headers, body: JSON.stringify(e.body), code: e.body.code || null };
}

// --- request handling ----------------------------------------------------------------------

async function handle(ctx, req, entry) {
	const { cfg } = ctx;
	let url;
	try {
		url = new URL(req.url, 'http://gateway');
	} catch {
		throw invalidResourcePath();
	}
	entry.path = url.pathname;
	entry.query = url.search.replace(/^\?/, '');
	const method = req.method.toUpperCase();

	const m = /^\/rest\/v1(?:\/(.*))?$/.exec(url.pathname);
	if (!m) return { status: 404, headers: { 'Content-Type': JSON_CT }, body: JSON.stringify({ message: 'no Route matched with those values' }) };

	if (method === 'OPTIONS') {
		return {
			status: 200,
			headers: {
				'Access-Control-Allow-Origin': '*',
				Allow: 'OPTIONS,GET,HEAD,POST,PUT,PATCH,DELETE',
			},
			body: '',
		};
	}

	authenticate(cfg, req, url);

	// From here the order of the checks is PostgREST's (ApiRequest.userApiRequest): the
	// resource (path), the schema (profile headers), the action (method), the query string,
	// the ranges, the body; then the plan (schema cache, aggregates, media type, Prefer).
	let segments;
	try {
		segments = (m[1] || '').split('/').map(decodeURIComponent);
	} catch {
		throw invalidResourcePath();
	}
	let kind;
	if (segments.length === 1 && segments[0] === '') kind = 'root';
	else if (segments[0] === 'rpc' && segments.length === 2 && segments[1]) kind = 'rpc';
	else if (segments.length === 1) kind = 'table';
	else throw invalidResourcePath();

	const profile = ['POST', 'PUT', 'PATCH', 'DELETE'].includes(method) ? req.headers['content-profile'] : req.headers['accept-profile'];
	if (profile !== undefined && profile !== cfg.schema) throw unacceptableSchema(profile, [cfg.schema]);

	// getAction: a function takes GET/HEAD/POST (PGRST101 otherwise), the root GET/HEAD.
	if (kind === 'rpc' && !['GET', 'HEAD', 'POST'].includes(method)) throw invalidRpcMethod(method);
	if (kind === 'root' && !['GET', 'HEAD'].includes(method)) throw unsupportedMethod(method);
	if (kind === 'table' && !['GET', 'HEAD', 'POST', 'PATCH', 'PUT', 'DELETE'].includes(method)) throw unsupportedMethod(method);

	// A filter without an operator is a function argument only on a read of a function;
	// anywhere else it is PGRST100 (QueryParams.pRequestFilter).
	const isRpcRead = kind === 'rpc' && (method === 'GET' || method === 'HEAD');
	const q = parseQueryParams(url.search, { isRpcRead });

	// getRanges: the Range header counts on GET only; PUT takes no limit/offset (PGRST114).
	if (method === 'GET') parseRangeHeader(req.headers.range);
	const top = q.ranges.get('');
	if (method === 'PUT' && top && (top.limit !== null || top.offset !== 0)) throw putLimitNotAllowed();

	const rawBody = await readBody(req);
	entry.reqBytes = Buffer.byteLength(rawBody);
	// getPayload: the body is read for POST/PUT/PATCH on tables and POST on functions only
	// (a DELETE's body is ignored); columns= applies to POST, PATCH and function POSTs.
	let payload = null;
	if ((kind === 'table' && ['POST', 'PUT', 'PATCH'].includes(method)) || (kind === 'rpc' && method === 'POST')) {
		payload = decodePayload(req, rawBody, { columns: method === 'PUT' ? null : q.columns, isRpc: kind === 'rpc' });
	}

	const cache = ctx.getCache();
	const prefs = parsePrefer(req.headers.prefer, (tz) => cache.timezones.has(tz));
	let table = null;
	if (kind === 'table') {
		table = cache.tables.get(segments[0]);
		if (!table) throw tableNotFound(cfg.schema, segments[0], suggestTable(cache, segments[0]));
	}
	// Supabase runs PostgREST with db-aggregates-enabled = false.
	if (kind !== 'root' && hasAggregates(q.select)) throw aggregatesNotAllowed();
	// Plan.hs: reads and calls negotiate the media type, then check Prefer: handling=strict;
	// mutations check the preferences first (mutateReadPlan).
	const mutation = kind === 'table' && !['GET', 'HEAD'].includes(method);
	if (mutation) checkStrictPreferences(prefs);
	const media = negotiate(req.headers.accept);
	if (!mutation) checkStrictPreferences(prefs);

	if (kind === 'root') return rootInfo(cache);
	if (kind === 'rpc') return handleRpc(ctx, cache, req, method, q, segments[1], payload, prefs, media);
	switch (method) {
		case 'GET': case 'HEAD': return handleRead(ctx, cache, req, method, table, q, prefs, media);
		case 'POST': return handleInsert(ctx, cache, req, table, q, payload, prefs, media, false);
		case 'PUT': return handleInsert(ctx, cache, req, table, q, payload, prefs, media, true);
		case 'PATCH': return handleUpdate(ctx, cache, req, table, q, payload, prefs, media);
		default: return handleDelete(ctx, cache, req, table, q, prefs, media);
	}
}

/** Supabase's gateway: `apikey` must be the key; a Bearer token, if any, must be it too. */
function authenticate(cfg, req, url) {
	const apikey = req.headers.apikey ?? url.searchParams.get('apikey');
	if (apikey === undefined || apikey === null || apikey === '') throw missingApiKey();
	if (apikey !== cfg.apiKey) throw invalidApiKey();
	const auth = req.headers.authorization;
	if (!auth) return;
	const bm = /^bearer(?:\s+(.*))?$/i.exec(auth.trim());
	if (!bm) return;
	const token = (bm[1] || '').trim();
	if (token === '') throw jwtDecodeError('Empty JWT is sent in Authorization header');
	if (token === cfg.apiKey) return;
	const parts = token.split('.').length;
	throw jwtDecodeError(parts === 3 ? 'JWT cryptographic operation failed' : `Expected 3 parts in JWT; got ${parts}`);
}

function readBody(req) {
	return new Promise((resolve, reject) => {
		const chunks = [];
		req.on('data', (c) => chunks.push(c));
		req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
		req.on('error', reject);
		req.on('close', () => { if (!req.complete) reject(new Error('request aborted')); });
	});
}

/** Accept header → 'json' | 'single' | 'csv' (406 PGRST107 when none is available). */
function negotiate(accept) {
	if (!accept || !accept.trim()) return 'json';
	const list = accept.split(',').map((s, i) => {
		const [type, ...params] = s.split(';').map((x) => x.trim());
		const qp = params.find((p) => /^q=/.test(p));
		return { type: type.toLowerCase(), q: qp ? Number(qp.slice(2)) : 1, i };
	}).filter((x) => x.type).sort((a, b) => b.q - a.q || a.i - b.i);
	for (const { type } of list) {
		if (type === 'application/json' || type === 'application/vnd.pgrst.array+json' || type === '*/*') return 'json';
		if (type === 'application/vnd.pgrst.object+json' || type === 'application/vnd.pgrst.object') return 'single';
		if (type === 'text/csv') return 'csv';
	}
	throw mediaTypeError(list.map((x) => x.type));
}

/** Request body → { raw JSON text, keys of the first object (for PGRST102/204 checks) }. */
function decodePayload(req, rawBody, { columns, isRpc }) {
	const ct = (req.headers['content-type'] || 'application/json').split(';')[0].trim().toLowerCase();
	if (ct === 'application/x-www-form-urlencoded') {
		const obj = Object.fromEntries(new URLSearchParams(rawBody));
		return { raw: JSON.stringify(obj), keys: Object.keys(obj), kind: 'object' };
	}
	if (ct !== 'application/json' && ct !== '*/*') throw invalidBody(`Content-Type not acceptable: ${ct}`);
	if (columns) return { raw: rawBody, keys: columns, kind: 'raw' };
	if (rawBody === '' && isRpc) return { raw: '{}', keys: [], kind: 'object' }; // Payload.hs: LBS.null reqBody && isProc
	let parsed;
	try {
		// Only the structure is inspected here; the raw text goes to PostgreSQL, which
		// parses numbers exactly (64-bit ids are never rounded through a JS double).
		parsed = JSON.parse(rawBody);
	} catch {
		throw invalidBody('Empty or invalid json');
	}
	if (Array.isArray(parsed)) {
		if (!parsed.length) return { raw: '[]', keys: [], kind: 'array' };
		const first = parsed[0];
		if (!isPlainObject(first)) throw invalidBody('All object keys must match');
		const keys = Object.keys(first);
		const canon = [...keys].sort().join('\u0000');
		for (const o of parsed) {
			if (!isPlainObject(o) || Object.keys(o).sort().join('\u0000') !== canon) throw invalidBody('All object keys must match');
		}
		return { raw: rawBody, keys, kind: 'array', parsed };
	}
	if (isPlainObject(parsed)) return { raw: rawBody, keys: Object.keys(parsed), kind: 'object', parsed };
	return { raw: '[]', keys: [], kind: 'array' }; // scalars are truncated to [] like PostgREST
}

const isPlainObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Runs `fn(client)` in one transaction; `fn` returns { result, rollback }. */
async function inTransaction(ctx, { readOnly, prefs }, fn) {
	let client;
	try {
		client = await ctx.pool.connect();
	} catch (err) {
		throw pgrstError(503, 'PGRST000', 'Database connection error. Retrying the connection.', String(err.message || err));
	}
	let broken = null;
	try {
		await client.query(readOnly ? 'BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY' : 'BEGIN ISOLATION LEVEL READ COMMITTED');
		if (prefs.timezone) await client.query("SELECT set_config('timezone', $1, true)", [prefs.timezone]);
		const { result, rollback } = await fn(client);
		// Like Supabase (db-tx-end = commit), Prefer: tx=rollback is not honoured.
		await client.query(rollback ? 'ROLLBACK' : 'COMMIT');
		return result;
	} catch (err) {
		if (!(err && err.code && /^[0-9A-Z]{5}$/.test(err.code)) && !(err instanceof ApiError)) broken = err;
		try { await client.query('ROLLBACK'); } catch (e) { broken = broken || e; }
		throw err;
	} finally {
		client.release(broken || undefined);
	}
}

/** Preference-Applied for the preferences this kind of request honours. */
function prefApplied(prefs, allowed) {
	const out = [];
	const add = (k, v) => { if (v !== undefined) out.push(`${k}=${v}`); };
	if (allowed.includes('resolution')) add('resolution', prefs.resolution);
	if (allowed.includes('missing')) add('missing', prefs.missing);
	if (allowed.includes('return')) add('return', prefs.return);
	add('count', prefs.count);
	add('handling', prefs.handling);
	add('timezone', prefs.timezone);
	if (allowed.includes('max-affected')) add('max-affected', prefs.maxAffected);
	return out.length ? { 'Preference-Applied': out.join(', ') } : {};
}

/** Content-Range value: "lower-upper/total", "*" range when empty. */
function contentRange(lower, upper, total) {
	const range = total !== 0 && lower <= upper ? `${lower}-${upper}` : '*';
	return `${range}/${total === null || total === undefined ? '*' : total}`;
}

/** Top-level range from limit/offset, the Range header (GET only) and max-rows. */
function topRange(ctx, req, method, q) {
	const qr = q.ranges.get('') || { offset: 0, limit: null };
	let lower = qr.offset;
	let upper = qr.limit === null ? Infinity : qr.offset + qr.limit - 1;
	if (method === 'GET') { // RangeQuery/getRanges: the Range header counts on GET only
		const h = parseRangeHeader(req.headers.range);
		if (h) {
			lower = Math.max(lower, h.lower);
			upper = Math.min(upper, h.upper === null ? Infinity : h.upper);
		}
	}
	let limit = upper === Infinity ? null : Math.max(0, upper - lower + 1);
	const max = ctx.cfg.maxRows;
	if (max !== null && max !== undefined && max > 0) limit = limit === null ? max : Math.min(limit, max);
	return { offset: lower, limit };
}

function readStatus(offset, pageTotal, total) {
	const lower = offset;
	const upper = lower + pageTotal - 1;
	if (total !== null && lower > total) {
		throw invalidRange(`An offset of ${lower} was requested, but there are only ${total} rows.`);
	}
	const status = total !== null && 1 + upper - lower < total ? 206 : 200;
	return { status, range: contentRange(lower, upper, total) };
}

// --- GET / HEAD --------------------------------------------------------------------------

async function handleRead(ctx, cache, req, method, table, q, prefs, media) {
	const planner = new Planner(cache);
	const root = planner.buildTree(table, q.select);
	planner.applyQuery(root, q);
	root.range = topRange(ctx, req, method, q);
	const p = new Params();
	const b = new SqlBuilder(cache.schema, p);
	const select = b.rootSelect(root);
	const count = prefs.count
		? `(SELECT pg_catalog.count(*) FROM ${b.fromSql(root)}${b.rootWhere(root)})`
		: 'NULL::int8';
	const text = `WITH pgrst_source AS (${select}) SELECT ${count} AS total, pg_catalog.count(_postgrest_t) AS page_total, ` +
		`${bodyExpr(method === 'HEAD' ? 'none' : media)} AS body FROM (SELECT * FROM pgrst_source) _postgrest_t`;
	const row = await inTransaction(ctx, { readOnly: true, prefs }, async (client) => {
		const r = await client.query({ text, values: p.values });
		return { result: r.rows[0] };
	});
	const total = row.total === null ? null : Number(row.total);
	const pageTotal = Number(row.page_total);
	if (media === 'single' && pageTotal !== 1) throw singularityError(pageTotal);
	const { status, range } = readStatus(root.range.offset, pageTotal, total);
	return {
		status,
		headers: {
			'Content-Type': MEDIA_CT[media],
			'Content-Range': range,
			'Content-Location': `/${table.name}${q.canonical ? '?' + q.canonical : ''}`,
			...prefApplied(prefs, []),
		},
		body: row.body,
	};
}

// --- POST / PUT ----------------------------------------------------------------------------

/** Tree for the representation of written rows (select= over pgrst_source). */
function representationTree(cache, table, q) {
	const planner = new Planner(cache);
	const root = planner.buildTree(table, q.select);
	planner.applyQuery(root, { ...q, filters: q.filters.filter((f) => f.embedPath.length), logic: q.logic.filter((l) => l.embedPath.length), order: q.order.filter((o) => o.embedPath.length) });
	root.expandStar = true;
	root.fromSql = `pgrst_source AS ${ident(root.alias)}`;
	return root;
}

/** Root filters (for PATCH/DELETE/PUT), resolved against the select tree for embeds. */
function rootWhereSql(cache, b, table, q) {
	const planner = new Planner(cache);
	const tree = planner.buildTree(table, q.select);
	const conds = [];
	for (const f of q.filters) if (!f.embedPath.length) conds.push(planner.resolveFilter(tree, f.field, f.expr));
	for (const l of q.logic) if (!l.embedPath.length) conds.push(planner.resolveLogic(tree, l.tree));
	for (const o of q.order) {
		if (!o.embedPath.length) tree.order = o.terms.filter((t) => !t.relation).map((t) => { planner.checkColumn(tree, t.field.name); return t; });
	}
	tree.where = conds;
	return { where: b.whereParts(tree), tree };
}

async function runMutation(ctx, cache, { table, q, prefs, media, mutationSql, p, b, xmax, pkLocation, maxAffected = false, put = false }) {
	const rep = prefs.return === 'representation';
	let repSelect = 'SELECT * FROM pgrst_source';
	if (rep) {
		const tree = representationTree(cache, table, q);
		repSelect = b.rootSelect(tree, { withWhere: true, withOrder: false, withRange: false });
	}
	const loc = pkLocation && table.pk.length
		? `(SELECT json_build_array(${table.pk.map((c) => `s.${ident(c)}::text`).join(', ')}) FROM pgrst_source s LIMIT 1)::text`
		: 'NULL::text';
	const inserted = xmax ? '(SELECT pg_catalog.count(*) FROM pgrst_source WHERE pgrst_source.pgrst_inserted)' : 'NULL::int8';
	const text = `WITH pgrst_source AS (${mutationSql}) SELECT pg_catalog.count(_postgrest_t) AS page_total, ` +
		`${rep ? bodyExpr(media) : "''"} AS body, ${loc} AS loc, ${inserted} AS inserted FROM (${repSelect}) _postgrest_t`;
	return inTransaction(ctx, { readOnly: false, prefs }, async (client) => {
		const r = await client.query({ text, values: p.values });
		const row = r.rows[0];
		const out = { pageTotal: Number(row.page_total), body: row.body, loc: row.loc, inserted: row.inserted === null ? null : Number(row.inserted) };
		if (media === 'single' && rep && out.pageTotal !== 1) throw singularityError(out.pageTotal);
		if (prefs.handling === 'strict' && prefs.maxAffected !== undefined && out.pageTotal > prefs.maxAffected && maxAffected) {
			throw maxAffectedViolation(out.pageTotal);
		}
		if (put && out.pageTotal !== 1) throw putMatchingPk();
		return { result: out };
	});
}

async function handleInsert(ctx, cache, req, table, q, payload, prefs, media, isPut) {
	const columns = payload.keys;
	checkPayloadColumns(table, columns);
	const p = new Params();
	const b = new SqlBuilder(cache.schema, p);
	const alias = ident(table.name);
	let conflict = '';
	let resolution = prefs.resolution;
	let putWhere = '';
	if (isPut) {
		const pk = table.pk;
		const filters = q.filters.filter((f) => !f.embedPath.length);
		const ok = pk.length && !q.logic.length && filters.length === pk.length &&
			filters.every((f) => !f.field.path.length && f.expr.op === 'eq' && !f.expr.negate && !f.expr.quant) &&
			new Set(filters.map((f) => f.field.name)).size === pk.length && filters.every((f) => pk.includes(f.field.name));
		if (!ok) throw invalidPutFilters();
		if (payload.kind !== 'object') throw putMatchingPk();
		putWhere = ' WHERE ' + filters.map((f) => `pgrst_body.${ident(f.field.name)} = ${p.add(f.expr.value)}`).join(' AND ');
		if (!pk.every((c) => columns.includes(c))) throw putMatchingPk();
		resolution = 'merge-duplicates';
	}
	const confCols = isPut ? table.pk : (q.onConflict || table.pk);
	if (resolution && confCols.length) {
		for (const c of confCols) {
			if (!table.columns.has(c)) throw new ApiError(400, { code: '42703', details: null, hint: null, message: `column "${c}" does not exist` });
		}
		conflict = ` ON CONFLICT(${confCols.map(ident).join(', ')}) ` + (resolution === 'ignore-duplicates' || !columns.length
			? 'DO NOTHING'
			: 'DO UPDATE SET ' + columns.map((c) => `${ident(c)} = EXCLUDED.${ident(c)}`).join(', '));
	}
	const xmax = resolution === 'merge-duplicates' && (table.kind === 'r' || table.kind === 'p');
	const mutationSql = `INSERT INTO ${b.qi(table)} AS ${alias}${columns.length ? `(${columns.map(ident).join(', ')})` : ''} ` +
		`SELECT ${columns.map((c) => `pgrst_body.${ident(c)}`).join(', ')} ` +
		b.fromJsonBody(payload.raw, columns, table, { applyDefaults: prefs.missing === 'default' }) +
		putWhere + conflict +
		` RETURNING ${alias}.*${xmax ? `, (${alias}.xmax = 0) AS pgrst_inserted` : ''}`;
	const out = await runMutation(ctx, cache, {
		table, q, prefs, media, mutationSql, p, b, xmax, pkLocation: prefs.return === 'headers-only', put: isPut,
	});
	const rep = prefs.return === 'representation';
	const headers = {};
	if (isPut) {
		const status = rep ? (out.inserted > 0 ? 201 : 200) : 204;
		if (rep) headers['Content-Type'] = MEDIA_CT[media];
		Object.assign(headers, prefApplied(prefs, ['return']));
		return { status, headers, body: rep ? out.body : '' };
	}
	if (out.loc && out.pageTotal === 1) {
		const vals = JSON.parse(out.loc);
		headers.Location = `/${table.name}?` + table.pk.map((c, i) => `${encodeURIComponent(c)}=${encodeURIComponent(`eq.${vals[i]}`)}`).join('&');
	}
	headers['Content-Range'] = contentRange(1, 0, prefs.count ? out.pageTotal : null);
	const showResolution = table.pk.length || q.onConflict;
	Object.assign(headers, prefApplied(showResolution ? prefs : { ...prefs, resolution: undefined }, ['resolution', 'missing', 'return']));
	if (rep) headers['Content-Type'] = MEDIA_CT[media];
	const status = prefs.resolution === 'merge-duplicates' && out.inserted !== null && out.inserted <= 0 ? 200 : 201;
	return { status, headers, body: rep ? out.body : '' };
}

// --- PATCH / DELETE --------------------------------------------------------------------

function mutationRange(b, table, alias, q, where, tree) {
	const r = q.ranges.get('');
	if (!r || (r.limit === null && !r.offset)) return where;
	// PostgREST limits PATCH/DELETE through the rows' identity; ctid for plain tables.
	const inner = `SELECT ${alias}.ctid FROM ${b.qi(table)} AS ${alias}${where.length ? ' WHERE ' + where.join(' AND ') : ''}` +
		b.orderSql(tree) + b.limitSql({ offset: r.offset, limit: r.limit });
	return [`${alias}.ctid = ANY(ARRAY(${inner}))`];
}

async function handleUpdate(ctx, cache, req, table, q, payload, prefs, media) {
	const columns = payload.keys;
	checkPayloadColumns(table, columns);
	const p = new Params();
	const b = new SqlBuilder(cache.schema, p);
	const alias = ident(table.name);
	let mutationSql;
	if (columns.length) {
		const { where: w0, tree } = rootWhereSql(cache, b, table, q);
		const where = mutationRange(b, table, alias, q, w0, tree);
		const whereSql = where.length ? ` WHERE ${where.join(' AND ')}` : '';
		mutationSql = `UPDATE ${b.qi(table)} AS ${alias} SET ${columns.map((c) => `${ident(c)} = pgrst_body.${ident(c)}`).join(', ')} ` +
			b.fromJsonBody(payload.raw, columns, table, { applyDefaults: prefs.missing === 'default', limitOne: true }) +
			`${whereSql} RETURNING ${alias}.*`;
	} else {
		// A body without keys ({}, [] or [{}]) updates nothing: PostgREST runs
		// "SELECT … FROM t WHERE false" and its filters never reach the SQL (QueryBuilder.hs
		// mutatePlanToQuery Update, `null uCols`), answering 204 with Content-Range */*
		// (UpdateSpec.hs "when patching with an empty body").
		mutationSql = `SELECT ${alias}.* FROM ${b.qi(table)} AS ${alias} WHERE false`;
	}
	const out = await runMutation(ctx, cache, { table, q, prefs, media, mutationSql, p, b, xmax: false, maxAffected: true });
	const rep = prefs.return === 'representation';
	const headers = {
		'Content-Range': contentRange(0, out.pageTotal - 1, prefs.count ? out.pageTotal : null),
		...prefApplied(prefs, ['return', 'missing', 'max-affected']),
	};
	if (rep) headers['Content-Type'] = MEDIA_CT[media];
	return { status: rep ? 200 : 204, headers, body: rep ? out.body : '' };
}

async function handleDelete(ctx, cache, req, table, q, prefs, media) {
	const p = new Params();
	const b = new SqlBuilder(cache.schema, p);
	const alias = ident(table.name);
	const { where: w0, tree } = rootWhereSql(cache, b, table, q);
	const where = mutationRange(b, table, alias, q, w0, tree);
	const mutationSql = `DELETE FROM ${b.qi(table)} AS ${alias}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} RETURNING ${alias}.*`;
	const out = await runMutation(ctx, cache, { table, q, prefs, media, mutationSql, p, b, xmax: false, maxAffected: true });
	const rep = prefs.return === 'representation';
	const headers = {
		'Content-Range': contentRange(1, 0, prefs.count ? out.pageTotal : null),
		...prefApplied(prefs, ['return', 'max-affected']),
	};
	if (rep) headers['Content-Type'] = MEDIA_CT[media];
	return { status: rep ? 200 : 204, headers, body: rep ? out.body : '' };
}

// --- RPC -----------------------------------------------------------------------------------

function chooseFunction(cache, name, keys, isPostJson, isPost) {
	const cands = cache.functions.get(name) || [];
	const keySet = new Set(keys);
	const named = cands.filter((f) => f.params.every((prm) => prm.name) &&
		keys.every((k) => f.params.some((prm) => prm.name === k)) &&
		f.params.every((prm) => !prm.required || keySet.has(prm.name)));
	let matches = named;
	if (!matches.length && isPost) {
		matches = cands.filter((f) => f.params.length === 1 && !f.params[0].name && /^jsonb?$/.test(f.params[0].type));
	}
	if (!matches.length) throw noRpc(cache.schema, name, keys, isPostJson);
	if (matches.length > 1) {
		throw ambiguousRpc(matches.map((f) => `${cache.schema}.${f.name}(${f.params.map((prm) => `${prm.name} => ${prm.type}`).join(', ')})`));
	}
	return matches[0];
}

async function handleRpc(ctx, cache, req, method, q, name, payload, prefs, media) {
	let args;
	let argsRaw;
	const isPost = method === 'POST';
	if (isPost) {
		const ct = (req.headers['content-type'] || 'application/json').split(';')[0].trim().toLowerCase();
		if (payload.kind !== 'object' && ct === 'application/json') {
			args = { keys: [], raw: payload.raw, whole: true };
		} else {
			args = { keys: payload.keys, raw: payload.raw };
		}
		argsRaw = payload.raw;
	} else {
		const obj = Object.fromEntries(q.params);
		args = { keys: Object.keys(obj), raw: JSON.stringify(obj) };
		argsRaw = args.raw;
	}
	const fn = chooseFunction(cache, name, args.keys, isPost, isPost);
	const p = new Params();
	const b = new SqlBuilder(cache.schema, p);
	const qfn = `${ident(cache.schema)}.${ident(fn.name)}`;
	let call;
	let from = '';
	if (fn.params.length === 1 && !fn.params[0].name) {
		call = `${qfn}(${p.add(argsRaw)}::${fn.params[0].type})`;
	} else if (args.keys.length) {
		const typed = args.keys.map((k) => `${ident(k)} ${fn.params.find((prm) => prm.name === k).type}`).join(', ');
		from = `json_to_record(${p.add(args.raw)}::json) AS pgrst_args(${typed})`;
		call = `${qfn}(${args.keys.map((k) => `${fn.params.find((prm) => prm.name === k).variadic ? 'VARIADIC ' : ''}${ident(k)} := pgrst_args.${ident(k)}`).join(', ')})`;
	} else {
		call = `${qfn}()`;
	}
	const scalar = fn.returns !== 'composite';
	const source = scalar
		? `SELECT ${call} AS pgrst_scalar${from ? ` FROM ${from}` : ''}`
		: `SELECT pgrst_call.* FROM ${from ? `${from}, LATERAL ` : ''}${call} AS pgrst_call`;

	let select;
	let countSql = 'NULL::int8';
	let range = { offset: 0, limit: null };
	if (scalar) {
		const rr = fn.retset ? topRange(ctx, req, method, q) : { offset: 0, limit: null };
		range = rr;
		select = `SELECT pgrst_call.pgrst_scalar FROM pgrst_source AS pgrst_call${b.limitSql(rr)}`;
		if (prefs.count) countSql = '(SELECT pg_catalog.count(*) FROM pgrst_source)';
	} else {
		const planner = new Planner(cache);
		const rel = functionRelation(fn);
		const root = planner.buildTree(rel, q.select, { alias: 'pgrst_call' });
		root.fromSql = 'pgrst_source AS pgrst_call';
		planner.applyQuery(root, { ...q, filters: q.filters, logic: q.logic });
		root.range = fn.retset ? topRange(ctx, req, method, q) : { offset: 0, limit: null };
		range = root.range;
		select = b.rootSelect(root);
		if (prefs.count) countSql = `(SELECT pg_catalog.count(*) FROM pgrst_source AS pgrst_call${b.rootWhere(root)})`;
	}
	const single = !fn.retset;
	const text = `WITH pgrst_source AS (${source}) SELECT ${countSql} AS total, pg_catalog.count(_postgrest_t) AS page_total, ` +
		`${method === 'HEAD' || fn.returns === 'void' ? "''" : bodyExpr(media, { scalar, single })} AS body FROM (${select}) _postgrest_t`;
	const readOnly = method !== 'POST' || fn.volatility !== 'v';
	const row = await inTransaction(ctx, { readOnly, prefs }, async (client) => {
		const r = await client.query({ text, values: p.values });
		const out = r.rows[0];
		if (media === 'single' && fn.retset && Number(out.page_total) !== 1) throw singularityError(Number(out.page_total));
		return { result: out };
	});
	if (fn.returns === 'void') {
		return { status: 204, headers: prefApplied(prefs, []), body: '' };
	}
	const total = row.total === null ? null : Number(row.total);
	const { status, range: cr } = readStatus(range.offset, Number(row.page_total), total);
	return {
		status,
		headers: { 'Content-Type': MEDIA_CT[media], 'Content-Range': cr, ...prefApplied(prefs, []) },
		body: row.body,
	};
}

/** GET /rest/v1/ : a minimal OpenAPI description listing the exposed tables and functions. */
function rootInfo(cache) {
	const paths = { '/': {} };
	for (const t of cache.tables.keys()) paths[`/${t}`] = {};
	for (const f of cache.functions.keys()) paths[`/rpc/${f}`] = {};
	const doc = { swagger: '2.0', info: { title: 'PostgREST-compatible test gateway', version: '12' }, basePath: '/', paths };
	return { status: 200, headers: { 'Content-Type': 'application/openapi+json; charset=utf-8' }, body: JSON.stringify(doc) };
}

// --- CLI -----------------------------------------------------------------------------------

async function main(argv) {
	const opts = {};
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		const next = () => {
			if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
			return argv[++i];
		};
		if (a === '--database-url') opts.databaseUrl = next();
		else if (a === '--port') opts.port = Number(next());
		else if (a === '--key') opts.apiKey = next();
		else if (a === '--max-rows') opts.maxRows = Number(next());
		else if (a === '--host') opts.host = next();
		else if (a === '--schema') opts.schema = next();
		else if (a === '--random-faults') opts.randomFaults = JSON.parse(next());
		else throw new Error(`unknown argument ${a}`);
	}
	if (!opts.databaseUrl) throw new Error('usage: server.js --database-url URL [--port N] [--key K] [--max-rows N] [--random-faults JSON]');
	const gw = await startGateway(opts);
	process.stdout.write(`listening ${gw.url}\n`);
	const stop = () => { gw.close().then(() => process.exit(0), () => process.exit(1)); };
	process.once('SIGTERM', stop);
	process.once('SIGINT', stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
	main(process.argv.slice(2)).catch((err) => {
		process.stderr.write(`postgrest gateway: ${err.message}\n`);
		process.exit(1);
	});
}
