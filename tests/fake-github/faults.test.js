// Fault injection of the fake: every preset of FAULTS (status, body, headers, what
// it does to the budget and the connection, its name in the log), the log fields a
// test checks a client's waiting with (rateLimitViolations), and the seeded random
// mode (setRandomFaults: determinism, rate, kinds, bursts, faultStats).

import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, beforeEach, describe, it } from 'node:test';
import { getJson, ghHeaders, graphql, parseLinkHeader, rateLimitViolations } from './helpers.js';
import { generateScenario } from './scenario.js';
import { DEFAULT_RANDOM_KINDS, FAULTS, RANDOM_KINDS, startFakeGitHub } from './server.js';

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const TOKEN = 'ghp_test_token';
const scn = generateScenario({ seed: 11, now: NOW, prs: 6 });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let gh;
let R;

before(async () => {
  gh = await startFakeGitHub({ scenario: scn, tokens: [TOKEN] });
  R = `${gh.url}/repos/acme/widgets`;
});
after(() => gh.close());
beforeEach(() => {
  gh.clearLog();
  gh.clearFaults();
  gh.setRateLimit(TOKEN, 'core', { remaining: 5000, reset: Math.floor(Date.now() / 1000) + 3600 });
  gh.setRateLimit(TOKEN, 'graphql', { remaining: 5000, reset: Math.floor(Date.now() / 1000) + 3600 });
});

const nowS = () => Math.floor(Date.now() / 1000);
const isJson = (t) => {
  try {
    JSON.parse(t);
    return true;
  } catch {
    return false;
  }
};

/** GET with node:http: status, headers, the bytes received, and how the body ended. */
function rawGet(url) {
  return new Promise((resolve) => {
    const req = http.get(url, { headers: ghHeaders(), agent: false }, (res) => {
      const chunks = [];
      let ended = 'end';
      res.on('data', (d) => chunks.push(d));
      res.on('aborted', () => { ended = 'aborted'; });
      res.on('error', () => { ended = 'error'; });
      res.on('close', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks), ended: res.complete ? 'end' : ended === 'end' ? 'incomplete' : ended }));
    });
    req.on('error', (e) => resolve({ error: e }));
  });
}

describe('FAULTS presets', () => {
  it('lists every preset the README documents', () => {
    assert.deepEqual(Object.keys(FAULTS).sort(), ['graphqlRateLimited', 'malformedJson', 'primaryExhausted', 'reset', 'resetMidBody',
      'secondaryRateLimit', 'serverError', 'slow', 'timeout', 'tooManyRequests', 'truncatedJson'].sort());
    assert.deepEqual([...RANDOM_KINDS].sort(), Object.keys(FAULTS).sort());
    assert.ok(!DEFAULT_RANDOM_KINDS.includes('slow'));
  });

  it('serverError: 500/503 JSON, 502/504 HTML; uncharged; named server-<status>', async () => {
    const before = gh.getRateLimit(TOKEN, 'core').remaining;
    for (const status of [500, 502, 503, 504]) {
      gh.addFault({ path: '/repos/acme/widgets/pulls', ...FAULTS.serverError(status) });
      const r = await getJson(`${R}/pulls`);
      assert.equal(r.status, status);
      if (status === 500 || status === 503) {
        assert.match(r.headers.get('content-type'), /^application\/json/);
        assert.equal(typeof r.body.message, 'string');
        assert.match(r.body.documentation_url, /^https:\/\/docs\.github\.com/);
      } else {
        assert.match(r.headers.get('content-type'), /^text\/html/);
        assert.ok(!isJson(r.text), `${status} body is not JSON`);
        assert.match(r.text, /<html>/);
      }
      assert.equal(gh.log.at(-1).fault, `server-${status}`);
      assert.equal(gh.log.at(-1).cost, 0);
    }
    assert.equal((await getJson(`${R}/pulls`)).status, 200);
    assert.equal(gh.log.at(-1).fault, null);
    assert.equal(gh.getRateLimit(TOKEN, 'core').remaining, before - 1);
    // The old GraphQL timeout preset is still a JSON 502.
    gh.addFault({ graphql: true, ...FAULTS.timeout() });
    const t = await graphql(gh, '{ viewer { login } }');
    assert.equal(t.status, 502);
    assert.match(t.body.message, /couldn't respond to your request in time/);
    assert.equal(gh.log.at(-1).fault, 'timeout');
  });

  it('secondaryRateLimit: 403 or 429, retry-after only when given, budget left > 0', async () => {
    const cases = [
      [{ status: 403, retryAfter: 3 }, 403, '3'],
      [{ status: 429, retryAfter: null }, 429, null],
      [{ status: 429, retryAfter: 1 }, 429, '1'],
      [{ status: 403 }, 403, null],
      [2, 403, '2'], // the older numeric form
    ];
    for (const [arg, status, retryAfter] of cases) {
      gh.addFault({ path: '/repos/acme/widgets', ...FAULTS.secondaryRateLimit(arg) });
      const r = await getJson(R);
      assert.equal(r.status, status, JSON.stringify(arg));
      assert.equal(r.headers.get('retry-after'), retryAfter, JSON.stringify(arg));
      assert.match(r.body.message, /^You have exceeded a secondary rate limit\. Please wait a few minutes before you try again/);
      assert.match(r.body.documentation_url, /^https:\/\/docs\.github\.com\//);
      assert.ok(Number(r.headers.get('x-ratelimit-remaining')) > 0);
      const rec = gh.log.at(-1);
      assert.equal(rec.fault, `secondary-${status}`);
      assert.equal(rec.rateLimited, true);
      assert.equal(rec.retryAfter, retryAfter === null ? null : Number(retryAfter));
      assert.ok(rec.rateRemaining > 0);
    }
    gh.addFault({ graphql: true, ...FAULTS.tooManyRequests(4) });
    const g = await graphql(gh, '{ viewer { login } }');
    assert.equal(g.status, 429);
    assert.equal(g.headers.get('retry-after'), '4');
    assert.equal(gh.log.at(-1).fault, 'secondary-429');
    assert.throws(() => FAULTS.secondaryRateLimit({ status: 500 }), /403 or 429/);
  });

  it('primaryExhausted: the budget is really spent, every request refused until the reset, then served', async () => {
    const t0 = Date.now();
    gh.addFault({ path: '/repos/acme/widgets/pulls', ...FAULTS.primaryExhausted({ resetInSeconds: 1 }) });
    gh.addFault({ graphql: true, ...FAULTS.primaryExhausted({ resetInSeconds: 1 }) });
    const r = await getJson(`${R}/pulls`);
    assert.equal(r.status, 403);
    assert.equal(r.body.message, 'API rate limit exceeded for user ID 1.');
    assert.equal(r.headers.get('x-ratelimit-remaining'), '0');
    assert.equal(r.headers.get('x-ratelimit-resource'), 'core');
    const reset = Number(r.headers.get('x-ratelimit-reset'));
    assert.ok(reset * 1000 >= t0 + 1000 && reset * 1000 <= Date.now() + 2000, `reset ${reset}`);
    assert.deepEqual([gh.log.at(-1).fault, gh.log.at(-1).rateLimited, gh.log.at(-1).rateRemaining], ['primary-exhausted', true, 0]);
    assert.equal(gh.getRateLimit(TOKEN, 'core').remaining, 0);

    const g = await graphql(gh, '{ viewer { login } }');
    assert.equal(g.status, 200);
    assert.equal(g.body.errors[0].type, 'RATE_LIMITED');
    assert.equal(g.headers.get('x-ratelimit-remaining'), '0');
    assert.equal(gh.log.at(-1).fault, 'primary-exhausted');
    const gReset = Number(g.headers.get('x-ratelimit-reset'));

    // Later requests (any REST route; GraphQL too) are refused, by the budget, not by a fault.
    const again = await getJson(R);
    assert.equal(again.status, 403);
    assert.equal(again.headers.get('x-ratelimit-reset'), String(reset));
    assert.equal(gh.log.at(-1).fault, null);
    assert.equal((await graphql(gh, '{ viewer { login } }')).body.errors[0].type, 'RATE_LIMITED');
    // Still refused just before the reset …
    const wait = reset * 1000 - Date.now() - 150;
    if (wait > 0) await sleep(wait);
    if (Date.now() < reset * 1000 - 20) assert.equal((await getJson(R)).status, 403);
    // … and served once it has passed, with a fresh window.
    await sleep(Math.max(0, reset * 1000 - Date.now()) + 20);
    const ok = await getJson(R);
    assert.equal(ok.status, 200);
    assert.ok(Number(ok.headers.get('x-ratelimit-remaining')) > 0);
    await sleep(Math.max(0, gReset * 1000 - Date.now()) + 20);
    assert.equal((await graphql(gh, '{ viewer { login } }')).body.data.viewer.login, 'fake-user-1');
    // Only the requests made on purpose before the resets break the rule.
    const early = rateLimitViolations(gh.log).map((v) => v.request.seq);
    const served = gh.log.filter((x) => x.status === 200 && !x.rateLimited).map((x) => x.seq);
    assert.ok(served.length === 2 && served.every((q) => !early.includes(q)));
  });

  it('primaryExhausted of another resource spends that budget and serves the request', async () => {
    gh.addFault({ path: '/repos/acme/widgets', ...FAULTS.primaryExhausted({ resource: 'graphql', resetInSeconds: 30 }) });
    assert.equal((await getJson(R)).status, 200);
    assert.equal(gh.log.at(-1).fault, 'primary-exhausted');
    assert.equal(gh.getRateLimit(TOKEN, 'graphql').remaining, 0);
    assert.equal((await graphql(gh, '{ viewer { login } }')).body.errors[0].type, 'RATE_LIMITED');
  });

  it('graphqlRateLimited: one 200 RATE_LIMITED with remaining 0 and a reset 1 s away; the budget is untouched', async () => {
    gh.addFault(FAULTS.graphqlRateLimited());
    assert.equal((await getJson(R)).status, 200, 'REST requests do not match');
    const t0 = Date.now();
    const g = await graphql(gh, '{ viewer { login } }');
    assert.equal(g.status, 200);
    assert.deepEqual(g.body, { errors: [{ type: 'RATE_LIMITED', message: 'API rate limit exceeded for user ID 1.' }] });
    assert.equal(g.headers.get('x-ratelimit-remaining'), '0');
    const reset = Number(g.headers.get('x-ratelimit-reset'));
    assert.ok(reset * 1000 >= t0 + 1000 && reset * 1000 <= t0 + 2100, `reset ${reset}`);
    assert.deepEqual([gh.log.at(-1).fault, gh.log.at(-1).rateLimited, gh.log.at(-1).cost], ['graphql-rate-limited', true, 0]);
    assert.equal(gh.getRateLimit(TOKEN, 'graphql').remaining, 5000);
    assert.equal((await graphql(gh, '{ viewer { login } }')).body.data.viewer.login, 'fake-user-1');
  });

  it('graphqlRateLimited({ type: "RATE_LIMIT", remaining }): the 2026 shape, x-ratelimit-remaining as given', async () => {
    gh.addFault(FAULTS.graphqlRateLimited({ type: 'RATE_LIMIT', remaining: 37 }));
    const t0 = Date.now();
    const g = await graphql(gh, '{ viewer { login } }');
    assert.equal(g.status, 200);
    assert.deepEqual(g.body, { errors: [{ type: 'RATE_LIMIT', code: 'graphql_rate_limit', message: 'API rate limit already exceeded for user ID 1.' }] });
    assert.equal(g.headers.get('x-ratelimit-remaining'), '37');
    assert.equal(g.headers.get('x-ratelimit-used'), '4963');
    const reset = Number(g.headers.get('x-ratelimit-reset'));
    assert.ok(reset * 1000 >= t0 + 1000 && reset * 1000 <= t0 + 2100, `reset ${reset}`);
    const rec = gh.log.at(-1);
    assert.deepEqual([rec.fault, rec.rateLimited, rec.rateRemaining, rec.cost], ['graphql-rate-limited', true, 37, 0]);
    assert.equal(gh.getRateLimit(TOKEN, 'graphql').remaining, 5000);
    // The older type with a non-zero remaining, too; bad options are refused.
    gh.addFault(FAULTS.graphqlRateLimited({ remaining: 5 }));
    const old = await graphql(gh, '{ viewer { login } }');
    assert.equal(old.body.errors[0].type, 'RATE_LIMITED');
    assert.equal(old.headers.get('x-ratelimit-remaining'), '5');
    assert.equal(gh.log.at(-1).rateLimited, true);
    assert.throws(() => FAULTS.graphqlRateLimited({ type: 'RATE' }), /RATE_LIMITED or RATE_LIMIT/);
    assert.throws(() => FAULTS.graphqlRateLimited({ remaining: -1 }), /remaining/);
  });

  it('a spent GraphQL budget answers in the shape setGraphqlRateLimitType chose; a 403 with such errors is a refusal', async () => {
    assert.equal(gh.graphqlRateLimitType, 'RATE_LIMITED');
    gh.setRateLimit(TOKEN, 'graphql', { remaining: 0, reset: nowS() + 30 });
    try {
      gh.setGraphqlRateLimitType('RATE_LIMIT');
      const g = await graphql(gh, '{ viewer { login } }');
      assert.deepEqual(g.body, { errors: [{ type: 'RATE_LIMIT', code: 'graphql_rate_limit', message: 'API rate limit already exceeded for user ID 1.' }] });
      assert.equal(g.headers.get('x-ratelimit-remaining'), '0');
      assert.deepEqual([gh.log.at(-1).rateLimited, gh.log.at(-1).fault], [true, null]);
      gh.setGraphqlRateLimitType('RATE_LIMITED');
      assert.equal((await graphql(gh, '{ viewer { login } }')).body.errors[0].type, 'RATE_LIMITED');
      assert.throws(() => gh.setGraphqlRateLimitType('nope'), /RATE_LIMITED or RATE_LIMIT/);
    } finally {
      gh.setGraphqlRateLimitType('RATE_LIMITED');
    }
    await assert.rejects(startFakeGitHub({ scenario: scn, graphqlRateLimitType: 'x' }), /graphqlRateLimitType/);
    gh.addFault({ graphql: true, status: 403, body: { errors: [{ type: 'RATE_LIMIT', code: 'graphql_rate_limit', message: 'API rate limit already exceeded for user ID 1.' }] } });
    await graphql(gh, '{ viewer { login } }');
    assert.deepEqual([gh.log.at(-1).status, gh.log.at(-1).rateLimited], [403, true]);
  });

  it('slow: the real answer, late; a client that gives up first is logged as aborted', async () => {
    gh.addFault({ path: '/repos/acme/widgets/pulls/1', times: 2, ...FAULTS.slow(400) });
    const t0 = Date.now();
    await assert.rejects(fetch(`${R}/pulls/1`, { headers: ghHeaders(), signal: AbortSignal.timeout(100) }));
    assert.equal(gh.log.at(-1).fault, 'slow'); // logged at arrival
    const r = await getJson(`${R}/pulls/1`);
    assert.ok(Date.now() - t0 >= 400, `took ${Date.now() - t0} ms`);
    assert.equal(r.status, 200);
    assert.equal(r.body.number, 1);
    assert.equal(gh.log.length, 2);
    assert.deepEqual(gh.log.map((x) => [x.fault, x.status, x.aborted]), [['slow', 200, true], ['slow', 200, false]]);
  });

  it('resetMidBody: headers with the full content-length, half the body, then a dead socket', async () => {
    gh.addFault({ path: '/repos/acme/widgets/pulls', ...FAULTS.resetMidBody() });
    const r = await rawGet(`${R}/pulls?state=all`);
    assert.equal(r.status, 200);
    const length = Number(r.headers['content-length']);
    assert.ok(r.body.length < length && r.body.length > 0, `${r.body.length} of ${length}`);
    assert.notEqual(r.ended, 'end');
    assert.equal(gh.log.at(-1).fault, 'reset-mid-body');
    gh.addFault({ path: '/repos/acme/widgets/pulls', ...FAULTS.resetMidBody() });
    const res = await fetch(`${R}/pulls`, { headers: ghHeaders() });
    await assert.rejects(res.text());
    assert.equal((await getJson(`${R}/pulls`)).status, 200);
  });

  it('truncatedJson: 200, a well-framed body that is the first half of the real JSON', async () => {
    const whole = (await getJson(`${R}/pulls?state=all`)).text;
    gh.addFault({ path: '/repos/acme/widgets/pulls', ...FAULTS.truncatedJson() });
    const r = await rawGet(`${R}/pulls?state=all`);
    assert.equal(r.status, 200);
    assert.equal(r.ended, 'end');
    assert.equal(Number(r.headers['content-length']), r.body.length);
    assert.equal(r.body.length, Math.floor(Buffer.byteLength(whole) / 2));
    assert.ok(whole.startsWith(r.body.toString('utf8')));
    assert.ok(!isJson(r.body.toString('utf8')));
    assert.equal(gh.log.at(-1).fault, 'truncated-json');
    // GraphQL too; a 304 becomes a cut 200.
    gh.addFault({ graphql: true, ...FAULTS.truncatedJson() });
    await assert.rejects(graphql(gh, '{ viewer { login } }'), SyntaxError);
    const etag = (await getJson(`${R}/pulls/1`)).headers.get('etag');
    gh.addFault({ path: '/repos/acme/widgets/pulls/1', ...FAULTS.truncatedJson() });
    const c = await getJson(`${R}/pulls/1`, { headers: { 'if-none-match': etag } });
    assert.equal(c.status, 200);
    assert.ok(c.text.length > 0 && !isJson(c.text));
  });

  it('malformedJson: 200 with a JSON content type and a body that is not JSON', async () => {
    gh.addFault({ path: '/repos/acme/widgets/pulls/2', ...FAULTS.malformedJson() });
    const r = await getJson(`${R}/pulls/2`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /^application\/json/);
    assert.equal(Number(r.headers.get('content-length')), Buffer.byteLength(r.text));
    assert.ok(r.text.length > 0 && !isJson(r.text));
    assert.deepEqual([gh.log.at(-1).fault, gh.log.at(-1).cost], ['malformed-json', 0]);
  });

  it('reset and custom faults are named in the log', async () => {
    gh.addFault({ path: '/repos/acme/widgets/pulls/3', ...FAULTS.reset() });
    await assert.rejects(fetch(`${R}/pulls/3`, { headers: ghHeaders() }));
    assert.deepEqual([gh.log.at(-1).fault, gh.log.at(-1).status], ['reset', 0]);
    gh.addFault({ path: '/repos/acme/widgets/pulls/3', status: 418, body: { message: 'teapot' } });
    gh.addFault({ path: '/repos/acme/widgets/pulls/3', fault: 'mine', status: 500, body: { message: 'x' } });
    assert.equal((await getJson(`${R}/pulls/3`)).status, 418);
    assert.equal(gh.log.at(-1).fault, 'custom-418');
    assert.equal((await getJson(`${R}/pulls/3`)).status, 500);
    assert.equal(gh.log.at(-1).fault, 'mine');
    const stats = gh.faultStats();
    assert.deepEqual([stats.total, stats.scripted, stats.random], [3, 3, 0]);
    assert.deepEqual(stats.byFault, { reset: 1, 'custom-418': 1, mine: 1 });
    assert.deepEqual(stats.byKind, { reset: 1, custom: 2 });
  });
});

describe('answer rewrites (addFault rewrite / rewriteText / rewriteHeaders)', () => {
  const PR_QUERY = `query Pr($n: Int!) { repository(owner: "acme", name: "widgets") { pullRequest(number: $n) {
    number fullDatabaseId files(first: 100) { nodes { path } } reviews(first: 100) { nodes { fullDatabaseId body } } } } }`;
  const prWithReviews = () => scn.pulls.find((p) => p.reviews.length >= 2 && p.files.length >= 1);

  it('REST: the real answer, charged as usual, rewritten; named "rewrite"; content-length and ETag follow', async () => {
    const real = await getJson(`${R}/pulls/1`);
    const before = gh.getRateLimit(TOKEN, 'core').remaining;
    let seen = null;
    const f = gh.addFault({
      path: '/repos/acme/widgets/pulls/1',
      rewrite: (body, info) => {
        seen = info;
        return { ...body, number: 2 }; // a PR answer for another number than the one asked for
      },
    });
    const r = await rawGet(`${R}/pulls/1?x=y`);
    const body = JSON.parse(r.body.toString('utf8'));
    assert.equal(r.status, 200);
    assert.equal(body.number, 2);
    assert.equal(body.id, real.body.id, 'the rest is the real answer');
    assert.equal(Number(r.headers['content-length']), r.body.length);
    assert.notEqual(r.headers.etag, real.headers.get('etag'), 'the ETag is that of what was sent');
    assert.equal(gh.getRateLimit(TOKEN, 'core').remaining, before - 1, 'charged as usual');
    assert.deepEqual([gh.log.at(-1).fault, gh.log.at(-1).cost, gh.log.at(-1).status, gh.log.at(-1).bytes], ['rewrite', 1, 200, r.body.length]);
    assert.deepEqual(seen, { method: 'GET', path: '/repos/acme/widgets/pulls/1', query: { x: 'y' },
      route: 'GET /repos/{owner}/{repo}/pulls/{pull_number}', status: 200 });
    assert.equal(f.hits, 1);
    assert.equal((await getJson(`${R}/pulls/1`)).body.number, 1, 'once (times = 1)');
    // Edited in place (the function returns nothing) works too, and `fault` names it.
    gh.addFault({ path: '/repos/acme/widgets/pulls/1', fault: 'wrong-number', rewrite: (b) => { b.number = 99; } });
    assert.equal((await getJson(`${R}/pulls/1`)).body.number, 99);
    assert.equal(gh.log.at(-1).fault, 'wrong-number');
    assert.throws(() => gh.addFault({ rewrite: 'nope' }), /rewrite must be a function/);
  });

  it('rewriteHeaders: a Link whose next page is on another host; the log reads the rewritten headers', async () => {
    const real = await getJson(`${R}/pulls?state=all&per_page=2`);
    const next = parseLinkHeader(real.headers.get('link')).next;
    assert.ok(next.startsWith(gh.url));
    gh.addFault({
      path: '/repos/acme/widgets/pulls',
      rewriteHeaders: (h, info) => {
        assert.equal(info.status, 200);
        assert.equal(Number(h['content-length']) > 0, true, 'the headers given include content-length');
        return { ...h, link: h.link.replaceAll(gh.url, 'http://elsewhere.example:8443'), 'x-ratelimit-remaining': '7' };
      },
    });
    const r = await getJson(`${R}/pulls?state=all&per_page=2`);
    assert.equal(parseLinkHeader(r.headers.get('link')).next, next.replace(gh.url, 'http://elsewhere.example:8443'));
    assert.deepEqual(r.body, real.body);
    assert.equal(r.headers.get('x-ratelimit-remaining'), '7');
    assert.deepEqual([gh.log.at(-1).fault, gh.log.at(-1).rateRemaining, gh.log.at(-1).cost], ['rewrite', 7, 1]);
  });

  it('GraphQL: nulls in a nodes list, a null connection, a null fullDatabaseId; info has the query', async () => {
    const pr = prWithReviews();
    const real = await graphql(gh, PR_QUERY, { n: pr.number });
    const used = gh.getRateLimit(TOKEN, 'graphql').used;
    let seen = null;
    gh.addFault({
      graphql: true,
      operation: 'Pr',
      rewrite: (body, info) => {
        seen = info;
        const p = body.data.repository.pullRequest;
        p.reviews.nodes.splice(1, 0, null); // an item the viewer cannot see
        p.reviews.nodes[0].fullDatabaseId = null;
        p.files = null; // a nullable connection, null as a whole
        return body;
      },
    });
    const r = await graphql(gh, PR_QUERY, { n: pr.number });
    const p = r.body.data.repository.pullRequest;
    assert.equal(p.files, null);
    assert.equal(p.reviews.nodes.length, pr.reviews.length + 1);
    assert.equal(p.reviews.nodes[1], null);
    assert.equal(p.reviews.nodes[0].fullDatabaseId, null);
    assert.deepEqual(p.reviews.nodes.slice(2), real.body.data.repository.pullRequest.reviews.nodes.slice(1));
    assert.equal(seen.graphqlQuery, PR_QUERY);
    assert.deepEqual(seen.variables, { n: pr.number });
    assert.deepEqual([seen.method, seen.path, seen.status, seen.operation], ['POST', '/graphql', 200, 'Pr']);
    const rec = gh.log.at(-1);
    assert.deepEqual([rec.fault, rec.cost > 0, rec.cost === rec.queryCost], ['rewrite', true, true]);
    assert.equal(gh.getRateLimit(TOKEN, 'graphql').used, used + rec.cost, 'charged as usual');
    // Another operation does not match.
    gh.addFault({ graphql: true, operation: 'Other', rewrite: () => ({ data: null }) });
    assert.deepEqual((await graphql(gh, PR_QUERY, { n: pr.number })).body, real.body);
  });

  it('rewriteText: an answer padded past a size, framed by a content-length that matches', async () => {
    const size = 3 * 1024 * 1024;
    gh.addFault({ path: '/repos/acme/widgets/pulls/2', rewriteText: (t) => t + ' '.repeat(size - Buffer.byteLength(t)) });
    const r = await rawGet(`${R}/pulls/2`);
    assert.equal(r.status, 200);
    assert.equal(r.body.length, size);
    assert.equal(Number(r.headers['content-length']), size);
    assert.equal(JSON.parse(r.body.toString('utf8')).number, 2, 'still JSON (trailing white space)');
    assert.equal(gh.log.at(-1).bytes, size);
    // Text that is no longer JSON is sent as it is.
    gh.addFault({ graphql: true, rewriteText: (t) => t.slice(0, -1) + ',' });
    await assert.rejects(graphql(gh, '{ viewer { login } }'), SyntaxError);
  });

  it('any status: a real 404, a canned 500 given a retry-after; a rewritten body can be a refusal', async () => {
    gh.addFault({ path: '/repos/acme/widgets/pulls/9999', rewrite: (b, info) => ({ ...b, seen: info.status }) });
    const nf = await getJson(`${R}/pulls/9999`);
    assert.deepEqual([nf.status, nf.body.message, nf.body.seen], [404, 'Not Found', 404]);
    assert.deepEqual([gh.log.at(-1).fault, gh.log.at(-1).cost], ['rewrite', 1]);

    gh.addFault({ path: '/repos/acme/widgets', ...FAULTS.serverError(500), rewriteHeaders: (h) => ({ ...h, 'retry-after': '2' }) });
    const se = await getJson(R);
    assert.deepEqual([se.status, se.headers.get('retry-after')], [500, '2']);
    assert.deepEqual([gh.log.at(-1).fault, gh.log.at(-1).retryAfter], ['server-500', 2]);

    gh.addFault({ graphql: true, rewriteText: () => JSON.stringify({ errors: [{ type: 'RATE_LIMITED', message: 'API rate limit exceeded for user ID 1.' }] }) });
    await graphql(gh, '{ viewer { login } }');
    assert.equal(gh.log.at(-1).rateLimited, true, 'the log reads what was sent');
  });

  it('rewriteHeaders that drops content-length sends the answer chunked; times counts rewrites', async () => {
    gh.addFault({ path: '/repos/acme/widgets/pulls/3', times: 2, rewriteHeaders: (h) => { delete h['content-length']; return h; } });
    for (let i = 0; i < 2; i++) {
      const r = await rawGet(`${R}/pulls/3`);
      assert.equal(r.headers['transfer-encoding'], 'chunked');
      assert.equal(r.headers['content-length'], undefined);
      assert.equal(JSON.parse(r.body.toString('utf8')).number, 3);
    }
    const r = await rawGet(`${R}/pulls/3`);
    assert.equal(r.headers['transfer-encoding'], undefined);
    assert.equal(gh.log.map((x) => x.fault).join(), 'rewrite,rewrite,');
  });
});

describe('the log tells whether a client waited', () => {
  it('every record has its arrival time; rateLimitViolations flags a request inside a retry-after', async () => {
    gh.addFault({ path: '/repos/acme/widgets', ...FAULTS.secondaryRateLimit({ status: 429, retryAfter: 1 }) });
    const t0 = Date.now();
    await getJson(R);
    await getJson(`${R}/pulls`); // too soon
    await getJson(`${gh.url}/rate_limit`); // ignored
    assert.ok(gh.log.every((x) => Number.isInteger(x.time) && x.time >= t0 - 5 && x.time <= Date.now()));
    const v = rateLimitViolations(gh.log);
    assert.equal(v.length, 1);
    assert.equal(v[0].refusal.fault, 'secondary-429');
    assert.equal(v[0].request.path, '/repos/acme/widgets/pulls');
    assert.ok(v[0].earlyMs > 500);
  });

  it('rateLimitViolations: primary waits for the reset of the same resource; no retry-after means a minute', () => {
    const rec = (seq, time, extra) => ({ seq, time, token: 't', resource: 'core', route: 'GET /x', rateLimited: false,
      retryAfter: null, rateRemaining: 10, rateReset: 2000, ...extra });
    const log = [
      rec(1, 1_000_000, { rateLimited: true, rateRemaining: 0, rateReset: 1005 }), // primary: until 1 005 000
      rec(2, 1_002_000, { resource: 'graphql' }), // another resource: fine
      rec(3, 1_004_000), // too soon
      rec(4, 1_005_000, { rateLimited: true }), // secondary without retry-after: a minute
      rec(5, 1_050_000, { token: 'other' }), // another token: fine
      rec(6, 1_064_000), // too soon
      rec(7, 1_066_000, { route: 'GET /rate_limit' }),
    ];
    const v = rateLimitViolations(log).map((x) => [x.refusal.seq, x.request.seq]);
    assert.deepEqual(v, [[1, 3], [4, 6]]);
    assert.deepEqual(rateLimitViolations(log, { noRetryAfterMs: 30_000 }).map((x) => x.request.seq), [3]);
  });

  it('rateLimitViolations: a GraphQL 200 refusal (either type) is primary, whatever remaining says: wait for its reset', () => {
    const rec = (seq, time, extra) => ({ seq, time, token: 't', resource: 'graphql', route: '/graphql', status: 200,
      rateLimited: false, retryAfter: null, rateRemaining: 4000, rateReset: 9999, ...extra });
    const log = [
      rec(1, 1_000_000, { rateLimited: true, rateRemaining: 37, rateReset: 1005 }), // RATE_LIMIT, remaining 37: until 1 005 000
      rec(2, 1_001_000, { resource: 'core', route: 'GET /x' }), // another resource: fine
      rec(3, 1_003_000), // too soon
      rec(4, 1_006_000), // after the reset: fine (not a minute)
    ];
    assert.deepEqual(rateLimitViolations(log).map((x) => [x.refusal.seq, x.request.seq]), [[1, 3]]);
  });
});

describe('seeded random faults', () => {
  const QUERY = 'query Viewer { viewer { login } }';
  /** A fixed mix of REST and GraphQL requests; returns what the client saw. */
  async function workload(n) {
    const seen = [];
    for (let i = 0; i < n; i++) {
      try {
        if (i % 3 === 2) {
          const res = await fetch(gh.graphqlUrl, { method: 'POST', headers: { ...ghHeaders(), 'content-type': 'application/json' }, body: JSON.stringify({ query: QUERY }) });
          seen.push(`${res.status}:${(await res.text()).length > 0}`);
        } else {
          const res = await fetch(`${R}/pulls/${1 + (i % 5)}`, { headers: ghHeaders() });
          seen.push(`${res.status}:${(await res.text()).length > 0}`);
        }
      } catch {
        seen.push('error');
      }
    }
    return seen;
  }
  const faultsOf = (log) => log.map((x) => `${x.seq - log[0].seq}:${x.fault}`);

  it('same seed and same requests → same faults; another seed → others', async () => {
    const kinds = ['serverError', 'timeout', 'secondaryRateLimit', 'graphqlRateLimited', 'reset', 'resetMidBody', 'truncatedJson', 'malformedJson'];
    const run = async (seed) => {
      gh.clearLog();
      gh.setRandomFaults({ seed, rate: 0.4, kinds, maxBurst: 3 });
      const seen = await workload(60);
      return { seen, faults: faultsOf(gh.log), stats: gh.faultStats() };
    };
    const a = await run(42);
    const b = await run(42);
    const c = await run(43);
    assert.deepEqual(b.faults, a.faults);
    assert.deepEqual(b.seen, a.seen);
    assert.deepEqual(b.stats, a.stats);
    assert.notDeepEqual(c.faults, a.faults);
    assert.equal(a.stats.requests, 60);
    assert.equal(a.stats.random, a.stats.total);
    assert.ok(a.stats.total >= 12 && a.stats.total <= 45, `${a.stats.total} faults in 60`);
    assert.equal(Object.values(a.stats.byKind).reduce((x, y) => x + y, 0), a.stats.total);
    assert.equal(a.stats.total, gh.log.length === 0 ? 0 : a.faults.filter((f) => !f.endsWith(':null')).length);
    // graphqlRateLimited only ever hits GraphQL requests.
    const log = (await run(42), gh.log);
    for (const x of log) if (x.fault === 'graphql-rate-limited') assert.equal(x.path, '/graphql');
  });

  it('rate 0 never, rate 1 always (but never /rate_limit); a 5xx repeats in bursts of at most maxBurst', async () => {
    gh.setRandomFaults({ seed: 1, rate: 0 });
    await workload(9);
    assert.ok(gh.log.every((x) => x.fault === null));
    assert.equal(gh.faultStats().total, 0);

    gh.clearLog();
    gh.setRandomFaults({ seed: 7, rate: 1, kinds: ['serverError'], maxBurst: 3 });
    await getJson(`${gh.url}/rate_limit`);
    await workload(30);
    assert.equal(gh.log[0].fault, null);
    const rest = gh.log.slice(1);
    assert.ok(rest.every((x) => /^server-50[0234]$/.test(x.fault) && x.status === Number(x.fault.slice(7))));
    // Bursts: the drawn record says which faults repeat the previous one; no run is longer than 3.
    const drawn = gh.faultStats().drawn;
    assert.equal(drawn.length, 30);
    let run = 0;
    let longest = 0;
    for (const d of drawn) {
      run = d.burst ? run + 1 : 1;
      longest = Math.max(longest, run);
    }
    assert.ok(longest >= 2 && longest <= 3, `longest burst ${longest}`);
    for (let i = 1; i < drawn.length; i++) if (drawn[i].burst) assert.equal(drawn[i].fault, drawn[i - 1].fault);
  });

  it('filters, kinds, slowMs, and a spent budget wins over random faults', async () => {
    gh.setRandomFaults({ seed: 3, rate: 1, kinds: ['graphqlRateLimited', 'truncatedJson'], path: '/repos/acme/widgets/pulls/2' });
    assert.equal((await getJson(`${R}/pulls/1`)).status, 200);
    assert.equal(gh.log.at(-1).fault, null);
    await getJson(`${R}/pulls/2`);
    assert.equal(gh.log.at(-1).fault, 'truncated-json', 'graphqlRateLimited is never drawn for REST');

    gh.setRandomFaults({ seed: 3, rate: 1, kinds: ['slow'], slowMs: 300 });
    const t0 = Date.now();
    assert.equal((await getJson(`${R}/pulls/1`)).status, 200);
    assert.ok(Date.now() - t0 >= 300);
    assert.equal(gh.log.at(-1).fault, 'slow');

    gh.setRandomFaults({ seed: 3, rate: 1, kinds: ['primaryExhausted', 'secondaryRateLimit'] });
    for (let i = 0; i < 6; i++) await getJson(`${R}/pulls/1`);
    const refusals = gh.log.slice(-6);
    const first = refusals.findIndex((x) => x.fault === 'primary-exhausted');
    assert.ok(first >= 0);
    for (const x of refusals.slice(first + 1)) {
      assert.equal(x.status, 403);
      assert.equal(x.fault, null, 'drawn but dropped: the budget is spent');
      assert.equal(x.rateRemaining, 0);
    }
    const reset = refusals[first].rateReset;
    assert.ok(reset * 1000 - Date.now() <= 3000 && reset * 1000 > Date.now() - 2000);
    for (const x of refusals.slice(0, first)) {
      assert.match(x.fault, /^secondary-(403|429)$/);
      assert.equal(x.retryAfter, 1);
    }

    assert.throws(() => gh.setRandomFaults({ kinds: ['nope'] }), /unknown kind nope/);
    assert.throws(() => gh.setRandomFaults({ rate: 2 }), /rate/);
    assert.equal(gh.setRandomFaults(null), null);
    gh.setRateLimit(TOKEN, 'core', { remaining: 5000 });
    assert.equal((await getJson(`${R}/pulls/1`)).status, 200);
    assert.equal(gh.log.at(-1).fault, null);
  });

  it('startFakeGitHub({ randomFaults }) starts in random mode; a bad option fails before listening', async () => {
    const other = await startFakeGitHub({ scenario: scn, tokens: [TOKEN], randomFaults: { seed: 1, rate: 1, kinds: ['timeout'] } });
    try {
      assert.equal((await getJson(`${other.url}/repos/acme/widgets`)).status, 502);
      assert.equal(other.faultStats().byFault.timeout, 1);
    } finally {
      await other.close();
    }
    await assert.rejects(startFakeGitHub({ scenario: scn, randomFaults: { kinds: ['nope'] } }), /unknown kind/);
  });
});
