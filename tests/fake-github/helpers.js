// Small HTTP helpers for tests that talk to the fake (or to any GitHub-like API):
// a Link-header parser, a paginator that follows rel="next", and a GraphQL call.
// They use global fetch (Node 20) and hold no state.

export { wellFormed } from './scenario.js'; // lone surrogates → U+FFFD, what a database can hold

export const DEFAULT_TOKEN = 'ghp_test_token';

/** Headers a well-behaved client sends. */
export function ghHeaders(token = DEFAULT_TOKEN, extra = {}) {
  const h = {
    'user-agent': 'fake-github-tests',
    accept: 'application/vnd.github+json',
    'x-github-api-version': '2022-11-28',
    ...extra,
  };
  if (token) h.authorization = `Bearer ${token}`;
  return h;
}

/** Parse `Link: <url>; rel="next", <url>; rel="last"` into { next: url, last: url, ... }. */
export function parseLinkHeader(header) {
  const out = {};
  if (!header) return out;
  for (const part of header.split(/,\s*(?=<)/)) {
    const m = /^<([^>]*)>\s*;\s*rel="([^"]+)"\s*$/.exec(part.trim());
    if (m) for (const rel of m[2].split(/\s+/)) out[rel] = m[1];
  }
  return out;
}

/** GET a URL; resolves to { status, headers, body (parsed JSON or null), text }. */
export async function getJson(url, { token = DEFAULT_TOKEN, headers = {} } = {}) {
  const res = await fetch(url, { headers: ghHeaders(token, headers) });
  const text = await res.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  return { status: res.status, headers: res.headers, body, text };
}

/**
 * Follow rel="next" from `url` until there is none. Resolves to
 * { items (all pages concatenated), pages (number of requests), links (each page's parsed Link) }.
 * Throws on a non-200 answer.
 */
export async function fetchAllPages(url, opts = {}) {
  const items = [];
  const links = [];
  let next = url;
  let pages = 0;
  while (next) {
    const r = await getJson(next, opts);
    if (r.status !== 200) throw new Error(`GET ${next} → ${r.status}: ${r.text}`);
    pages++;
    items.push(...(Array.isArray(r.body) ? r.body : r.body.workflow_runs ?? []));
    const link = parseLinkHeader(r.headers.get('link'));
    links.push(link);
    next = link.next;
    if (pages > 10_000) throw new Error('pagination does not end');
  }
  return { items, pages, links };
}

/** POST a GraphQL query; resolves to { status, headers, body }. */
export async function graphql(gh, query, variables = {}, { token = DEFAULT_TOKEN, operationName } = {}) {
  const res = await fetch(gh.graphqlUrl ?? gh, {
    method: 'POST',
    headers: { ...ghHeaders(token), 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables, ...(operationName ? { operationName } : {}) }),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
}

/**
 * Requests that came too soon after a rate-limit refusal (a log record with
 * `rateLimited`), as GitHub's rules say (CONVENTIONS B1): with a retry-after, none of
 * the token's requests before `time + retryAfter` s; without one, for a spent primary
 * budget (x-ratelimit-remaining 0, or a GraphQL 200 refusal, RATE_LIMITED or RATE_LIMIT,
 * whatever its x-ratelimit-remaining says), none for the same resource before
 * `rateReset` (epoch s); otherwise (a secondary limit without retry-after) none before
 * `time + noRetryAfterMs`. `time` is the refused request's arrival, so the check is
 * lenient by the time the answer took. `ignore(record)` skips requests (GET
 * /rate_limit by default). Returns [{ refusal, request, earlyMs }], empty when the
 * client behaved.
 */
export function rateLimitViolations(log, { noRetryAfterMs = 60_000, slackMs = 0, ignore = (r) => r.route === 'GET /rate_limit' } = {}) {
  const out = [];
  const records = [...log].sort((a, b) => a.seq - b.seq);
  for (const refusal of records) {
    if (!refusal.rateLimited) continue;
    let notBefore;
    let sameResourceOnly = false;
    // A primary refusal: remaining 0, or a GraphQL 200 whose errors say RATE_LIMITED or
    // RATE_LIMIT, whatever x-ratelimit-remaining says (GitHub has sent non-zero values).
    const primary = refusal.rateRemaining === 0 || (refusal.resource === 'graphql' && refusal.status === 200);
    if (refusal.retryAfter !== null && refusal.retryAfter !== undefined) notBefore = refusal.time + refusal.retryAfter * 1000;
    else if (primary && refusal.rateReset !== null && refusal.rateReset !== undefined) {
      notBefore = refusal.rateReset * 1000;
      sameResourceOnly = true;
    } else notBefore = refusal.time + noRetryAfterMs;
    for (const request of records) {
      if (request.seq <= refusal.seq || request.token !== refusal.token || ignore(request)) continue;
      if (sameResourceOnly && request.resource !== refusal.resource) continue;
      if (request.time < notBefore - slackMs) out.push({ refusal, request, earlyMs: notBefore - request.time });
    }
  }
  return out;
}
