// Fault injection for the fake GitHub: the ready-made fault specs (FAULTS) that
// addFault() takes, and the seeded random mode (setRandomFaults()). No HTTP here:
// server.js applies a spec to a request.
//
// A spec is what addFault() takes, minus the matching fields (method, path, graphql,
// operation, times). It names itself with `fault` (the name the request log records)
// and says what to do with one of:
//   status, body | text (+ contentType), headers   a canned answer (nothing charged)
//   destroy: true                                 drop the connection, no answer
//   delayMs: n                                    the real answer, n ms late
//   mangle: 'truncate' | 'reset-mid-body'         the real answer, cut short
//   exhaust: { resource, resetInSeconds }         spend the token's budget for real
//   graphqlRateLimited: { type, remaining }       one GraphQL rate-limit refusal
//   rewrite: { body, text, headers }              functions applied to the answer before it
//                                                 is sent (addFault's rewrite, rewriteText,
//                                                 rewriteHeaders)

import { mulberry32 } from '../lib/random.js';

const DOCS = 'https://docs.github.com/rest';
const SECONDARY_DOCS = 'https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits';
export const SECONDARY_MESSAGE = 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID.';
const HTML = 'text/html; charset=utf-8';

// GitHub's 502 ("Unicorn!") and 504 pages are HTML, whatever the Accept header says.
const UNICORN_502 = `<!DOCTYPE html>
<html>
  <head>
    <meta http-equiv="Content-type" content="text/html; charset=utf-8">
    <title>Unicorn! &middot; GitHub</title>
  </head>
  <body>
    <div class="container">
      <p><strong>We couldn't respond to your request in time.</strong></p>
      <p>Sorry about that. Please try refreshing and contact us if the problem persists.</p>
    </div>
  </body>
</html>
`;
const TIMEOUT_504 = "<html><body><h1>504 Gateway Time-out</h1>\nThe server didn't respond in time.\n</body></html>\n";
// What a broken proxy or a half-written cache might hand back with a JSON content type.
export const MALFORMED_BODY = '<html><body>upstream sent an unexpected answer</body></html>\n{"message": "Server Error", ';

/** The error types of GitHub's GraphQL primary-limit refusal: the older and the 2026 one. */
export const GRAPHQL_RATE_LIMIT_TYPES = Object.freeze(['RATE_LIMITED', 'RATE_LIMIT']);

/**
 * The `errors[0]` of a GraphQL primary-limit refusal of that type for user id `userId`
 * (`who` 'installation' for an installation token: "… for installation ID N.").
 */
export function graphqlRateLimitError(type, userId, who = 'user') {
  if (type === 'RATE_LIMIT') {
    return { type: 'RATE_LIMIT', code: 'graphql_rate_limit', message: `API rate limit already exceeded for ${who} ID ${userId}.` };
  }
  return { type: 'RATE_LIMITED', message: `API rate limit exceeded for ${who} ID ${userId}.` };
}

const validResetSeconds = (s) => {
  if (!Number.isFinite(s) || s < 0) throw new TypeError(`resetInSeconds must be a number ≥ 0, not ${s}`);
  return s;
};

/** Ready-made faults for addFault({ method?, path?, graphql?, operation?, times?, ...FAULTS.x() }). */
export const FAULTS = Object.freeze({
  /**
   * 500 and 503: GitHub's JSON error; 502 and 504: GitHub's HTML pages (not JSON).
   * Log name `server-<status>`.
   */
  serverError: (status = 500) => {
    const name = `server-${status}`;
    if (status === 502) return { fault: name, status, text: UNICORN_502, contentType: HTML };
    if (status === 504) return { fault: name, status, text: TIMEOUT_504, contentType: HTML };
    const message = status === 503
      ? 'No server is currently available to service your request. Sorry about that. Please try resubmitting your request and contact us if the problem persists.'
      : 'Server Error';
    return { fault: name, status, body: { message, documentation_url: DOCS, status: String(status) } };
  },
  /** 502 with JSON, as GitHub answers a GraphQL query that ran out of time. Log name `timeout`. */
  timeout: () => ({
    fault: 'timeout',
    status: 502,
    body: { message: "We couldn't respond to your request in time. Sorry about that. Please try resubmitting your request and contact us if the problem persists.", documentation_url: DOCS },
  }),
  /**
   * A secondary rate limit: 403 or 429, GitHub's message, `retry-after` only when
   * retryAfter is a number; the x-ratelimit-* headers are the token's real budget
   * (remaining > 0 unless it is really spent). Log name `secondary-403` / `secondary-429`.
   * `secondaryRateLimit(n)` (a number) is `{ status: 403, retryAfter: n }`;
   * `secondaryRateLimit()` is `{ status: 403, retryAfter: 1 }`.
   */
  secondaryRateLimit: (opts = 1) => {
    const { status = 403, retryAfter = null } = typeof opts === 'number' || opts === null ? { retryAfter: opts } : opts;
    if (status !== 403 && status !== 429) throw new TypeError(`secondaryRateLimit: status 403 or 429, not ${status}`);
    const headers = {};
    if (retryAfter !== null && retryAfter !== undefined) headers['retry-after'] = String(retryAfter);
    return {
      fault: `secondary-${status}`,
      status,
      headers,
      body: { message: SECONDARY_MESSAGE, documentation_url: SECONDARY_DOCS, status: String(status) },
    };
  },
  /** A secondary rate limit answered 429 with `retry-after` (default 1). Log name `secondary-429`. */
  tooManyRequests: (retryAfterSeconds = 1) => FAULTS.secondaryRateLimit({ status: 429, retryAfter: retryAfterSeconds }),
  /**
   * Spends the token's `resource` budget for real: remaining 0 until
   * reset = ceil(now + resetInSeconds) (epoch seconds), after which it is full again.
   * `resource` defaults to the request's own ('core' for REST, 'graphql' for /graphql).
   * The request is then answered as GitHub answers a spent budget (REST 403 "API rate
   * limit exceeded for user ID N." with x-ratelimit-remaining 0, GraphQL 200
   * RATE_LIMITED), and so is every later request until the reset. Log name
   * `primary-exhausted` (on the first refusal only; later ones are real refusals).
   */
  primaryExhausted: ({ resource, resetInSeconds = 60 } = {}) => ({
    fault: 'primary-exhausted',
    exhaust: { resource, resetInSeconds: validResetSeconds(resetInSeconds) },
  }),
  /**
   * One GraphQL HTTP 200 refusal for the primary limit, in either of GitHub's shapes
   * (CONVENTIONS E): type 'RATE_LIMITED' (default) `{"errors":[{"type":"RATE_LIMITED",
   * "message":"API rate limit exceeded for user ID N."}]}`, or type 'RATE_LIMIT' (2026)
   * `{"errors":[{"type":"RATE_LIMIT","code":"graphql_rate_limit","message":"API rate
   * limit already exceeded for user ID N."}]}`. x-ratelimit-remaining is `remaining`
   * (default 0; GitHub has sent non-zero values on such answers), x-ratelimit-reset 1–2 s
   * away. The budget itself is left alone. Matches GraphQL requests only.
   * Log name `graphql-rate-limited`.
   */
  graphqlRateLimited: ({ type = 'RATE_LIMITED', remaining = 0 } = {}) => {
    if (!GRAPHQL_RATE_LIMIT_TYPES.includes(type)) {
      throw new TypeError(`graphqlRateLimited: type ${GRAPHQL_RATE_LIMIT_TYPES.join(' or ')}, not ${type}`);
    }
    if (!Number.isInteger(remaining) || remaining < 0) throw new TypeError(`graphqlRateLimited: remaining must be an integer ≥ 0, not ${remaining}`);
    return { fault: 'graphql-rate-limited', graphql: true, graphqlRateLimited: { type, remaining } };
  },
  /** The real answer (charged as usual), `ms` late. Log name `slow`. */
  slow: (ms = 2000) => ({ fault: 'slow', delayMs: ms }),
  /** Drop the connection without an answer. Log name `reset`. */
  reset: () => ({ fault: 'reset', destroy: true }),
  /**
   * The real answer's status line, headers (with the full content-length) and half its
   * body; then the socket is destroyed. Log name `reset-mid-body`.
   */
  resetMidBody: () => ({ fault: 'reset-mid-body', mangle: 'reset-mid-body' }),
  /**
   * HTTP 200 with the first half of the real answer's JSON (charged as usual), framed
   * by a content-length that matches what is sent. Log name `truncated-json`.
   */
  truncatedJson: () => ({ fault: 'truncated-json', mangle: 'truncate' }),
  /** HTTP 200, content-type application/json, a body that is not JSON. Log name `malformed-json`. */
  malformedJson: () => ({ fault: 'malformed-json', status: 200, text: MALFORMED_BODY, contentType: 'application/json; charset=utf-8' }),
});

/** The preset a spec came from (faultStats() counts by it), from its log name. */
export function kindOfFault(name) {
  if (!name) return null;
  if (name.startsWith('server-')) return 'serverError';
  if (name.startsWith('secondary-')) return 'secondaryRateLimit';
  const kinds = {
    timeout: 'timeout', 'primary-exhausted': 'primaryExhausted', 'graphql-rate-limited': 'graphqlRateLimited',
    slow: 'slow', reset: 'reset', 'reset-mid-body': 'resetMidBody', 'truncated-json': 'truncatedJson',
    'malformed-json': 'malformedJson',
  };
  return kinds[name] ?? 'custom';
}

export { mulberry32 }; // the seeded generator, for callers of the random mode

/** Every kind the random mode knows. */
export const RANDOM_KINDS = Object.freeze([
  'serverError', 'timeout', 'secondaryRateLimit', 'tooManyRequests', 'primaryExhausted', 'graphqlRateLimited',
  'slow', 'reset', 'resetMidBody', 'truncatedJson', 'malformedJson',
]);
/** The default: all but `slow` (which needs slowMs above the client's timeout). */
export const DEFAULT_RANDOM_KINDS = Object.freeze(RANDOM_KINDS.filter((k) => k !== 'slow'));
const BURST_KINDS = new Set(['serverError', 'timeout']); // the 5xx kinds

/**
 * The seeded random mode. draw() is called once for every eligible request, in
 * arrival order; the faults it returns depend only on the seed and on the sequence of
 * (REST | GraphQL) requests it has seen.
 */
export class RandomFaults {
  constructor({
    seed = 1, rate = 0.1, kinds = DEFAULT_RANDOM_KINDS, maxBurst = 1, slowMs = 2000, retryAfter = 1,
    method, path, graphql,
  } = {}) {
    if (!Number.isFinite(rate) || rate < 0 || rate > 1) throw new TypeError(`setRandomFaults: rate must be in [0, 1], not ${rate}`);
    if (!Array.isArray(kinds) || kinds.length === 0) throw new TypeError('setRandomFaults: kinds must be a non-empty array');
    for (const k of kinds) {
      if (!RANDOM_KINDS.includes(k)) throw new TypeError(`setRandomFaults: unknown kind ${k} (known: ${RANDOM_KINDS.join(', ')})`);
    }
    if (!Number.isInteger(maxBurst) || maxBurst < 1) throw new TypeError(`setRandomFaults: maxBurst must be an integer ≥ 1, not ${maxBurst}`);
    this.options = { seed, rate, kinds: [...kinds], maxBurst, slowMs, retryAfter, method, path, graphql };
    this.rng = mulberry32(seed);
    this.burst = null; // { left, spec }
    this.requests = 0; // eligible requests seen
    this.drawn = []; // every fault drawn: { request (1-based among eligible ones), fault, kind, burst }
  }

  /** Whether a request is eligible (filters given to setRandomFaults; /rate_limit never). */
  eligible(method, paths, isGraphql) {
    const o = this.options;
    if (paths[0] === '/rate_limit' || paths[0] === '/rate_limit/') return false;
    if (o.method && o.method.toUpperCase() !== method) return false;
    if (o.graphql !== undefined && o.graphql !== isGraphql) return false;
    if (o.path && !paths.some((p) => (o.path instanceof RegExp ? o.path.test(p) : p.startsWith(o.path)))) return false;
    return true;
  }

  /** The fault spec for the next eligible request, or null. */
  draw({ graphql: isGraphql }) {
    this.requests++;
    if (this.burst && this.burst.left > 0) {
      this.burst.left--;
      const spec = { ...this.burst.spec, burst: true };
      this.drawn.push({ request: this.requests, fault: spec.fault, kind: spec.kind, burst: true });
      return spec;
    }
    this.burst = null;
    if (this.rng() >= this.options.rate) return null;
    const applicable = this.options.kinds.filter((k) => k !== 'graphqlRateLimited' || isGraphql);
    if (applicable.length === 0) return null;
    const kind = applicable[Math.floor(this.rng() * applicable.length)];
    const spec = { ...this.build(kind), kind };
    if (BURST_KINDS.has(kind) && this.options.maxBurst > 1) {
      const extra = Math.floor(this.rng() * this.options.maxBurst); // 0 .. maxBurst-1 more
      if (extra > 0) this.burst = { left: extra, spec };
    }
    this.drawn.push({ request: this.requests, fault: spec.fault, kind, burst: false });
    return spec;
  }

  build(kind) {
    const o = this.options;
    switch (kind) {
      case 'serverError': return FAULTS.serverError([500, 502, 503, 504][Math.floor(this.rng() * 4)]);
      case 'secondaryRateLimit': return FAULTS.secondaryRateLimit({ status: this.rng() < 0.5 ? 403 : 429, retryAfter: o.retryAfter });
      case 'tooManyRequests': return FAULTS.secondaryRateLimit({ status: 429, retryAfter: o.retryAfter });
      case 'primaryExhausted': return FAULTS.primaryExhausted({ resetInSeconds: 1 + Math.floor(this.rng() * 2) });
      case 'slow': return FAULTS.slow(o.slowMs);
      default: return FAULTS[kind]();
    }
  }
}
