// Fault injection for the PostgREST-compatible gateway: the ready-made fault specs
// (FAULTS, for addFault) and the seeded random mode (setRandomFaults). No HTTP here:
// server.js applies a spec to a request.
//
// A spec is { kind, …params }; its log name (the `fault` field of the request log) is
// the kind. Kinds:
//   unavailable      503 PGRST001 (the database is unreachable; nothing is executed)
//   gatewayTimeout   504 with an HTML body, as Supabase's edge answers (nothing executed)
//   slow             the request is executed at once; its answer is sent `ms` later
//   reset            the connection is dropped; the request is NOT executed
//   resetAfterCommit the request is executed and committed, then the connection is
//                    dropped before the answer (a write that happened, unacknowledged)
//   clientError      400 PGRST100 (nothing executed); random mode only when asked
// A spec with `status` and no kind is a canned answer (log name `custom-<status>`).

import { mulberry32 } from '../lib/random.js';

const JSON_CT = 'application/json; charset=utf-8';

/** PostgREST's error body (aeson: keys sorted). */
const pgrstBody = (code, message, details = null, hint = null) => JSON.stringify({ code, details, hint, message });

// The HTML page Supabase's edge (Cloudflare) returns when the upstream does not answer in time.
export const GATEWAY_TIMEOUT_HTML = `<html>
<head><title>504 Gateway Time-out</title></head>
<body>
<center><h1>504 Gateway Time-out</h1></center>
<hr><center>cloudflare</center>
</body>
</html>
`;

/** Ready-made faults: gw.addFault({ method?, path?, times?, ...FAULTS.x() }). */
export const FAULTS = Object.freeze({
	/** 503 PGRST001; `Retry-After` only when retryAfter (seconds) is given. */
	unavailable: ({ retryAfter = null } = {}) => ({ kind: 'unavailable', retryAfter }),
	/** 504, text/html (not JSON). */
	gatewayTimeout: () => ({ kind: 'gatewayTimeout' }),
	/** Executed at once, answered `ms` later. */
	slow: (ms = 2000) => ({ kind: 'slow', ms }),
	/** Connection dropped, request not executed. */
	reset: () => ({ kind: 'reset' }),
	/** Executed and committed, then the connection is dropped before the answer. */
	resetAfterCommit: () => ({ kind: 'resetAfterCommit' }),
	/** 400 PGRST100, nothing executed. */
	clientError: () => ({ kind: 'clientError' }),
});

export const KINDS = Object.freeze(Object.keys(FAULTS));
/** What setRandomFaults draws from unless told: the transient faults, not slow, not clientError. */
export const DEFAULT_RANDOM_KINDS = Object.freeze(['unavailable', 'gatewayTimeout', 'reset', 'resetAfterCommit']);
const BURST_KINDS = new Set(['unavailable', 'gatewayTimeout']); // the 5xx kinds

/** The canned answer of a kind that answers without executing, or null. */
export function cannedAnswer(spec) {
	switch (spec.kind) {
		case 'unavailable': {
			const headers = { 'Content-Type': JSON_CT, 'Proxy-Status': 'PostgREST; error=PGRST001' };
			if (spec.retryAfter !== null && spec.retryAfter !== undefined) headers['Retry-After'] = String(spec.retryAfter);
			return { status: 503, headers, body: pgrstBody('PGRST001', 'Database client error. Retrying the connection.'), code: 'PGRST001' };
		}
		case 'gatewayTimeout':
			return { status: 504, headers: { 'Content-Type': 'text/html; charset=utf-8' }, body: GATEWAY_TIMEOUT_HTML, code: null };
		case 'clientError':
			return {
				status: 400,
				headers: { 'Content-Type': JSON_CT, 'Proxy-Status': 'PostgREST; error=PGRST100' },
				body: pgrstBody('PGRST100', '"failed to parse filter (eq)" (line 1, column 3)',
					'unexpected end of input expecting "(", digit or operator'),
				code: 'PGRST100',
			};
		default:
			if (spec.kind === undefined && spec.status !== undefined) {
				const text = spec.text ?? (spec.body === undefined || spec.body === null ? '' : JSON.stringify(spec.body));
				return { status: spec.status, headers: { 'Content-Type': spec.contentType ?? JSON_CT, ...(spec.headers ?? {}) }, body: text, code: spec.body?.code ?? null };
			}
			return null;
	}
}

/** The log name of a spec. */
export const faultName = (spec) => spec.fault ?? spec.kind ?? `custom-${spec.status}`;

export { mulberry32 }; // the seeded generator, for callers of the random mode

/**
 * The seeded random mode. draw() is called once per eligible request in arrival order;
 * what it returns depends only on the seed and on the number of requests seen.
 */
export class RandomFaults {
	constructor({ seed = 1, rate = 0.1, kinds = DEFAULT_RANDOM_KINDS, maxBurst = 1, slowMs = 2000, retryAfter = null, method, path } = {}) {
		if (!Number.isFinite(rate) || rate < 0 || rate > 1) throw new TypeError(`setRandomFaults: rate must be in [0, 1], not ${rate}`);
		if (!Array.isArray(kinds) || kinds.length === 0) throw new TypeError('setRandomFaults: kinds must be a non-empty array');
		for (const k of kinds) {
			if (!KINDS.includes(k)) throw new TypeError(`setRandomFaults: unknown kind ${k} (known: ${KINDS.join(', ')})`);
		}
		if (!Number.isInteger(maxBurst) || maxBurst < 1) throw new TypeError(`setRandomFaults: maxBurst must be an integer ≥ 1, not ${maxBurst}`);
		this.options = { seed, rate, kinds: [...kinds], maxBurst, slowMs, retryAfter, method, path };
		this.rng = mulberry32(seed);
		this.burst = null;
		this.requests = 0;
		this.drawn = []; // { request (1-based among eligible ones), kind, burst }
	}

	/** The spec for the next eligible request, or null. */
	draw() {
		this.requests++;
		if (this.burst && this.burst.left > 0) {
			this.burst.left--;
			this.drawn.push({ request: this.requests, kind: this.burst.spec.kind, burst: true });
			return { ...this.burst.spec };
		}
		this.burst = null;
		if (this.rng() >= this.options.rate) return null;
		const kind = this.options.kinds[Math.floor(this.rng() * this.options.kinds.length)];
		const spec = kind === 'slow' ? FAULTS.slow(this.options.slowMs)
			: kind === 'unavailable' ? FAULTS.unavailable({ retryAfter: this.options.retryAfter })
				: FAULTS[kind]();
		if (BURST_KINDS.has(kind) && this.options.maxBurst > 1) {
			const extra = Math.floor(this.rng() * this.options.maxBurst);
			if (extra > 0) this.burst = { left: extra, spec };
		}
		this.drawn.push({ request: this.requests, kind, burst: false });
		return spec;
	}
}

/** Whether a spec's method/path filters take a request (path: prefix or RegExp, on either form). */
export function matches(f, method, paths) {
	if (f.method && f.method.toUpperCase() !== method) return false;
	if (!f.path) return true;
	return paths.some((p) => (f.path instanceof RegExp ? f.path.test(p) : p.startsWith(f.path)));
}
