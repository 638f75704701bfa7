// Protocol behaviour of the fake: auth, User-Agent, API versions, primary rate
// limits (REST and GraphQL), conditional requests, latency, faults, dispatches,
// the request log, keep-alive shutdown and the CLI.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import http from 'node:http';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { after, before, beforeEach, describe, it } from 'node:test';
import { getJson, ghHeaders, graphql } from './helpers.js';
import { generateScenario } from './scenario.js';
import { FAULTS, startFakeGitHub, tokenFingerprint } from './server.js';

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const TOKEN = 'ghp_test_token';
const OTHER = 'ghs_second_token';
const scn = generateScenario({ seed: 5, now: NOW, prs: 8 });
let gh;
let R;

before(async () => {
  gh = await startFakeGitHub({ scenario: scn, tokens: [TOKEN, OTHER] });
  R = `${gh.url}/repos/acme/widgets`;
});
after(() => gh.close());
beforeEach(() => {
  gh.clearLog();
  gh.clearFaults();
  gh.setLatency(0);
});

/** A raw request with exactly the headers given (fetch always adds a User-Agent). */
function rawGet(url, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text }));
    });
    req.on('error', reject);
  });
}

const rate = (h) => ({
  limit: Number(h.get('x-ratelimit-limit')),
  remaining: Number(h.get('x-ratelimit-remaining')),
  used: Number(h.get('x-ratelimit-used')),
  reset: Number(h.get('x-ratelimit-reset')),
  resource: h.get('x-ratelimit-resource'),
});

describe('authentication and request hygiene', () => {
  it('a missing User-Agent is refused with GitHub\'s 403 text', async () => {
    const r = await rawGet(`${R}/pulls`, { authorization: `Bearer ${TOKEN}` });
    assert.equal(r.status, 403);
    assert.match(r.text, /^Request forbidden by administrative rules\. Please make sure your request has a User-Agent header/);
    assert.equal(gh.log.at(-1).status, 403);
    assert.equal(gh.log.at(-1).userAgent, null);
  });

  it('"Bearer" and "token" schemes are accepted; an unknown token is 401 Bad credentials', async () => {
    for (const scheme of ['Bearer', 'token', 'bearer']) {
      const r = await getJson(R, { token: null, headers: { authorization: `${scheme} ${TOKEN}` } });
      assert.equal(r.status, 200, scheme);
    }
    const bad = await getJson(R, { token: 'ghp_wrong' });
    assert.equal(bad.status, 401);
    assert.equal(bad.body.message, 'Bad credentials');
    assert.match(bad.body.documentation_url, /^https:\/\/docs\.github\.com/);
  });

  it('no Authorization: allowed at the unauthenticated limit, logged as token ""', async () => {
    const r = await getJson(`${R}/pulls/1`, { token: null });
    assert.equal(r.status, 200);
    assert.equal(rate(r.headers).limit, 60);
    assert.equal(gh.log.at(-1).token, '');
  });

  it('X-GitHub-Api-Version: 2022-11-28 and 2026-03-10 are selected, anything else is 400', async () => {
    let r = await getJson(R);
    assert.equal(r.headers.get('x-github-api-version-selected'), '2022-11-28');
    r = await getJson(R, { headers: { 'x-github-api-version': '2026-03-10' } });
    assert.equal(r.headers.get('x-github-api-version-selected'), '2026-03-10');
    r = await getJson(R, { headers: { 'x-github-api-version': '2019-01-01' } });
    assert.equal(r.status, 400);
    assert.match(r.body.message, /X-GitHub-Api-Version/);
  });

  it('every answer carries the GitHub headers', async () => {
    const r = await getJson(`${R}/pulls`);
    assert.equal(r.headers.get('content-type'), 'application/json; charset=utf-8');
    assert.ok(r.headers.get('x-github-request-id'));
    for (const h of ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-used', 'x-ratelimit-reset', 'x-ratelimit-resource']) {
      assert.ok(r.headers.get(h) !== null, h);
    }
  });

  it('malformed JSON bodies are 400 "Problems parsing JSON", not a crash', async () => {
    const r = await fetch(`${R}/actions/workflows/capture.yml/dispatches`, {
      method: 'POST', headers: ghHeaders(TOKEN), body: '{"ref": ',
    });
    assert.equal(r.status, 400);
    assert.equal((await r.json()).message, 'Problems parsing JSON');
    const g = await fetch(gh.graphqlUrl, { method: 'POST', headers: ghHeaders(TOKEN), body: 'not json' });
    assert.equal(g.status, 400);
    assert.equal((await g.json()).message, 'Problems parsing JSON');
    assert.equal((await getJson(R)).status, 200, 'still serving');
  });

  it('odd requests get GitHub-style answers, never a crash', async () => {
    assert.equal((await getJson(`${gh.url}/repos/%E0%A4%A/widgets`)).status, 404);
    assert.equal((await getJson(`${R}/pulls?per_page=abc&page=-3`)).body.length > 0, true);
    const del = await fetch(`${R}/pulls/1`, { method: 'DELETE', headers: ghHeaders() });
    assert.equal(del.status, 404);
    const head = await fetch(`${R}/pulls/1`, { method: 'HEAD', headers: ghHeaders() });
    assert.equal(head.status, 200);
    assert.ok(head.headers.get('etag'));
    const raw = await rawGet(`${gh.url}//repos//acme`, { 'user-agent': 'x' });
    assert.equal(raw.status, 404);
    assert.equal((await getJson(R)).status, 200, 'still serving');
  });
});

describe('primary rate limits', () => {
  it('REST: one point per request, per token, with headers; /rate_limit is free', async () => {
    const a = rate((await getJson(R, { token: OTHER })).headers);
    const b = rate((await getJson(`${R}/pulls`, { token: OTHER })).headers);
    assert.equal(a.resource, 'core');
    assert.equal(b.remaining, a.remaining - 1);
    assert.equal(b.used, a.used + 1);
    assert.equal(b.limit, 5000);
    const rl = await getJson(`${gh.url}/rate_limit`, { token: OTHER });
    assert.equal(rl.body.resources.core.remaining, b.remaining);
    assert.equal(rl.body.resources.core.used, b.used);
    assert.equal(rl.body.rate.remaining, b.remaining);
    assert.ok(rl.body.resources.graphql);
    const again = await getJson(`${gh.url}/rate_limit`, { token: OTHER });
    assert.equal(again.body.resources.core.remaining, b.remaining, '/rate_limit costs nothing');
    assert.equal(gh.log.at(-1).resource, 'none');
    assert.equal(gh.log.at(-1).cost, 0);
  });

  it('REST: at 0 remaining → 403 "API rate limit exceeded", until the reset passes', async () => {
    const nowS = Math.floor(Date.now() / 1000);
    gh.setRateLimit(TOKEN, 'core', { remaining: 1, reset: nowS + 600 });
    assert.equal((await getJson(R)).status, 200);
    const r = await getJson(R);
    assert.equal(r.status, 403);
    assert.equal(r.body.message, 'API rate limit exceeded for user ID 1.');
    assert.equal(r.headers.get('x-ratelimit-remaining'), '0');
    assert.equal(rate(r.headers).reset, nowS + 600);
    assert.equal(gh.log.at(-1).status, 403);

    gh.setRateLimit(TOKEN, 'core', { reset: nowS - 1 }); // the window has ended
    const ok = await getJson(R);
    assert.equal(ok.status, 200);
    assert.equal(rate(ok.headers).remaining, 4999);
    assert.ok(rate(ok.headers).reset >= nowS + 3599);
  });

  it('GraphQL: separate budget; when spent, HTTP 200 with a RATE_LIMITED error', async () => {
    const coreBefore = gh.getRateLimit(TOKEN, 'core').remaining;
    gh.setRateLimit(TOKEN, 'graphql', { remaining: 1 });
    const ok = await graphql(gh, '{ rateLimit { cost remaining } }');
    assert.deepEqual(ok.body.data.rateLimit, { cost: 1, remaining: 0 });
    assert.equal(ok.headers.get('x-ratelimit-resource'), 'graphql');
    const r = await graphql(gh, '{ repository(owner:"acme",name:"widgets"){ name } }');
    assert.equal(r.status, 200);
    assert.equal(r.body.errors[0].type, 'RATE_LIMITED');
    assert.equal(r.body.errors[0].message, 'API rate limit exceeded for user ID 1.');
    assert.equal(r.body.data, undefined);
    assert.equal(r.headers.get('x-ratelimit-remaining'), '0');
    assert.equal(gh.getRateLimit(TOKEN, 'core').remaining, coreBefore, 'core untouched');
    gh.setRateLimit(TOKEN, 'graphql', { remaining: 5000 });
  });
});

describe('a GitHub without GraphQL', () => {
  it('graphql: false → POST /graphql is 404 Not Found, charged nothing; REST unchanged; setGraphql switches', async () => {
    const other = await startFakeGitHub({ scenario: scn, tokens: [TOKEN], graphql: false });
    try {
      assert.equal(other.graphqlEnabled, false);
      const before = other.getRateLimit(TOKEN, 'graphql');
      const r = await graphql(other, '{ viewer { login } }');
      assert.equal(r.status, 404);
      assert.deepEqual(r.body, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
      assert.match(r.headers.get('content-type'), /^application\/json/);
      assert.equal(r.headers.get('x-ratelimit-remaining'), null, 'no budget headers');
      const rec = other.log.at(-1);
      assert.deepEqual([rec.status, rec.cost, rec.route, rec.rateLimited], [404, 0, '/graphql', false]);
      assert.deepEqual(other.getRateLimit(TOKEN, 'graphql'), before);
      assert.equal((await graphql(other, '{ viewer { login } }', {}, { token: null })).status, 404, 'without a token too');
      const rest = await getJson(`${other.url}/repos/acme/widgets/pulls/1`);
      assert.deepEqual([rest.status, rest.body.number], [200, 1]);
      other.setGraphql(true);
      assert.equal((await graphql(other, '{ viewer { login } }')).body.data.viewer.login, 'fake-user-1');
      other.setGraphql(false);
      assert.equal((await graphql(other, '{ viewer { login } }')).status, 404);
    } finally {
      await other.close();
    }
    assert.equal(gh.graphqlEnabled, true, 'the default');
  });
});

describe('answers the review needed that canned faults already express', () => {
  it('a canned redirect (301 GET, 307 POST /graphql) to another port: Location exact, nothing charged; a follower lands there', async () => {
    const other = await startFakeGitHub({ scenario: scn, tokens: [TOKEN] });
    try {
      const to = `${other.url}/repositories/${scn.repo.id}`;
      const before = gh.getRateLimit(TOKEN, 'core').remaining;
      // GitHub's answer for a renamed or transferred repository.
      const moved = { message: 'Moved Permanently', url: to, documentation_url: 'https://docs.github.com/rest/guides/best-practices-for-using-the-rest-api#follow-redirects' };
      gh.addFault({ path: '/repos/acme/widgets', times: 2, status: 301, headers: { location: to }, body: moved });
      const m = await fetch(R, { headers: ghHeaders(TOKEN), redirect: 'manual' });
      assert.equal(m.status, 301);
      assert.equal(m.headers.get('location'), to);
      assert.deepEqual(await m.json(), moved);
      assert.deepEqual([gh.log.at(-1).fault, gh.log.at(-1).cost], ['custom-301', 0]);
      assert.equal(gh.getRateLimit(TOKEN, 'core').remaining, before);
      // fetch follows it (and, to another origin, drops the Authorization header, as curl also does).
      const f = await fetch(R, { headers: ghHeaders(TOKEN) });
      assert.equal(f.status, 200);
      assert.equal((await f.json()).full_name, 'acme/widgets');
      assert.equal(other.log.at(-1).path, `/repositories/${scn.repo.id}`);
      assert.equal(other.log.at(-1).token, '', 'no token crossed to the other origin');

      gh.addFault({ graphql: true, status: 307, headers: { location: other.graphqlUrl } });
      const g = await fetch(gh.graphqlUrl, { method: 'POST', redirect: 'manual', headers: { ...ghHeaders(TOKEN), 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ viewer { login } }' }) });
      assert.deepEqual([g.status, g.headers.get('location'), gh.log.at(-1).fault], [307, other.graphqlUrl, 'custom-307']);
    } finally {
      await other.close();
    }
  });

  it('a bad token is 401 "Bad credentials" on GraphQL too; a missing repository is REST 404 and GraphQL null + NOT_FOUND at ["repository"]', async () => {
    const g = await graphql(gh, '{ viewer { login } }', {}, { token: 'ghp_revoked' });
    assert.equal(g.status, 401);
    assert.equal(g.body.message, 'Bad credentials');
    assert.equal(gh.log.at(-1).cost, 0);
    const rest = await getJson(`${gh.url}/repos/acme/gone`);
    assert.deepEqual([rest.status, rest.body.message], [404, 'Not Found']);
    const q = await graphql(gh, '{ repository(owner: "acme", name: "gone") { name pullRequest(number: 1) { number } } }');
    assert.equal(q.status, 200);
    assert.deepEqual(q.body.data, { repository: null });
    assert.equal(q.body.errors.length, 1);
    assert.deepEqual(q.body.errors[0].type, 'NOT_FOUND');
    assert.deepEqual(q.body.errors[0].path, ['repository']);
    assert.equal(q.body.errors[0].message, "Could not resolve to a Repository with the name 'acme/gone'.");
  });
});

describe('conditional requests', () => {
  it('ETag + If-None-Match → 304, no body, no point; logged', async () => {
    const first = await getJson(`${R}/pulls/1`);
    const etag = first.headers.get('etag');
    assert.match(etag, /^W\/"[0-9a-f]{40}"$/);
    const before = rate(first.headers).remaining;
    const res = await fetch(`${R}/pulls/1`, { headers: ghHeaders(TOKEN, { 'if-none-match': etag }) });
    assert.equal(res.status, 304);
    assert.equal(await res.text(), '');
    assert.equal(rate(res.headers).remaining, before, '304 is free');
    const rec = gh.log.at(-1);
    assert.equal(rec.status, 304);
    assert.equal(rec.ifNoneMatch, true);
    assert.equal(rec.cost, 0);
    // The strong form of the same tag matches too; a stale tag does not.
    const strong = await fetch(`${R}/pulls/1`, { headers: ghHeaders(TOKEN, { 'if-none-match': etag.slice(2) }) });
    assert.equal(strong.status, 304);
    const stale = await fetch(`${R}/pulls/1`, { headers: ghHeaders(TOKEN, { 'if-none-match': 'W/"0000"' }) });
    assert.equal(stale.status, 200);
    assert.equal(rate(stale.headers).remaining, before - 1);
  });

  it('pages have distinct ETags; a changed scenario changes the ETag', async () => {
    const p1 = await getJson(`${R}/pulls?state=all&per_page=2&page=1`);
    const p2 = await getJson(`${R}/pulls?state=all&per_page=2&page=2`);
    assert.notEqual(p1.headers.get('etag'), p2.headers.get('etag'));
    const e1 = (await getJson(`${R}/pulls/2`)).headers.get('etag');
    const copy = structuredClone(scn);
    copy.pulls[1].title = 'Edited title';
    copy.pulls[1].updated_at = '2026-01-15T11:00:00Z';
    gh.setScenario(copy);
    try {
      const r = await fetch(`${R}/pulls/2`, { headers: ghHeaders(TOKEN, { 'if-none-match': e1 }) });
      assert.equal(r.status, 200);
      assert.equal((await r.json()).title, 'Edited title');
    } finally {
      gh.setScenario(scn);
    }
  });

  it('If-Modified-Since on a single resource → 304 when not modified since', async () => {
    const r = await getJson(`${R}/pulls/1`);
    const lm = r.headers.get('last-modified');
    assert.ok(lm);
    const res = await fetch(`${R}/pulls/1`, { headers: ghHeaders(TOKEN, { 'if-modified-since': lm }) });
    assert.equal(res.status, 304);
  });
});

describe('latency, faults, log', () => {
  it('latencyMs delays every answer', async () => {
    gh.setLatency(120);
    const t = Date.now();
    await getJson(R);
    await graphql(gh, '{ rateLimit { remaining } }');
    assert.ok(Date.now() - t >= 240, `took ${Date.now() - t} ms`);
  });

  it('faults: a secondary rate limit once, then normal service', async () => {
    const f = gh.addFault({ path: '/repos/acme/widgets/pulls', ...FAULTS.secondaryRateLimit(2) });
    const r = await getJson(`${R}/pulls`);
    assert.equal(r.status, 403);
    assert.equal(r.headers.get('retry-after'), '2');
    assert.match(r.body.message, /secondary rate limit/);
    assert.equal((await getJson(`${R}/pulls`)).status, 200);
    assert.equal(f.hits, 1);
  });

  it('faults: GraphQL 502 by operation name, and a dropped connection', async () => {
    gh.addFault({ graphql: true, operation: 'Big', ...FAULTS.timeout() });
    const r = await graphql(gh, 'query Big { rateLimit { cost } }'); // named in the text only
    assert.equal(r.status, 502);
    // A REST fault given as /repos/… also hits the /repositories/{id}/… pages of Link headers.
    gh.addFault({ path: '/repos/acme/widgets/pulls', status: 500, body: { message: 'boom' } });
    assert.equal((await getJson(`${gh.url}/repositories/${scn.repo.id}/pulls?page=2`)).status, 500);
    gh.addFault({ path: '/repos/acme/widgets/pulls/1', ...FAULTS.reset() });
    await assert.rejects(fetch(`${R}/pulls/1`, { headers: ghHeaders() }));
    assert.equal((await getJson(`${R}/pulls/1`)).status, 200);
  });

  it('one log record per request, with a token fingerprint (never the token)', async () => {
    await getJson(`${R}/pulls?state=all&per_page=2`, { headers: { 'x-github-api-version': '2022-11-28' } });
    const rec = gh.log.at(-1);
    assert.equal(gh.log.length, 1);
    assert.deepEqual(Object.keys(rec).sort(), ['apiVersion', 'bytes', 'cost', 'ifNoneMatch', 'method', 'operation', 'path',
      'query', 'resource', 'route', 'seq', 'status', 'time', 'token', 'userAgent', 'queryCost', 'nodeCount',
      'fault', 'retryAfter', 'rateRemaining', 'rateReset', 'rateLimited', 'aborted', 'auth', 'app', 'installation', 'minted'].sort());
    assert.deepEqual([rec.auth, rec.app, rec.installation, rec.minted], ['token', null, null, null]);
    assert.equal(rec.fault, null);
    assert.equal(rec.rateLimited, false);
    assert.equal(rec.rateRemaining, gh.getRateLimit(TOKEN, 'core').remaining);
    assert.equal(rec.method, 'GET');
    assert.equal(rec.path, '/repos/acme/widgets/pulls');
    assert.deepEqual(rec.query, { state: 'all', per_page: '2' });
    assert.equal(rec.route, 'GET /repos/{owner}/{repo}/pulls');
    assert.equal(rec.status, 200);
    assert.equal(rec.resource, 'core');
    assert.equal(rec.cost, 1);
    assert.equal(rec.token, tokenFingerprint(TOKEN));
    assert.ok(!JSON.stringify(gh.log).includes(TOKEN));
    assert.equal(rec.apiVersion, '2022-11-28');
    assert.equal(rec.userAgent, 'fake-github-tests');
    assert.ok(rec.bytes > 0);
    await graphql(gh, 'query Q { rateLimit { cost } }');
    assert.equal(gh.log.at(-1).operation, 'Q');
    gh.clearLog();
    assert.equal(gh.log.length, 0);
  });
});

describe('workflow dispatch', () => {
  it('204 by default, 200 with run details when asked; runs can be read back', async () => {
    const post = (body, token = TOKEN) => fetch(`${R}/actions/workflows/capture.yml/dispatches`, {
      method: 'POST', headers: { ...ghHeaders(token), 'content-type': 'application/json' }, body: JSON.stringify(body),
    });
    const n = gh.dispatches.length;
    const a = await post({ ref: 'main', inputs: { pr_numbers: '1,2,3' } });
    assert.equal(a.status, 204);
    assert.equal(await a.text(), '');
    const b = await post({ ref: 'main', inputs: { job_id: 'x' }, return_run_details: true });
    assert.equal(b.status, 200);
    const details = await b.json();
    assert.deepEqual(Object.keys(details).sort(), ['html_url', 'run_url', 'workflow_run_id']);
    assert.equal(gh.dispatches.length, n + 2);
    const d = gh.dispatches.at(-1);
    assert.equal(d.workflow_id, 'capture.yml');
    assert.deepEqual(d.inputs, { job_id: 'x' });
    assert.equal(d.run_id, details.workflow_run_id);
    assert.equal(d.token, tokenFingerprint(TOKEN));

    const run = await getJson(details.run_url);
    assert.equal(run.status, 200);
    assert.equal(run.body.id, details.workflow_run_id);
    assert.equal(run.body.event, 'workflow_dispatch');
    assert.equal(run.body.status, 'queued');
    gh.updateRun(details.workflow_run_id, { status: 'completed', conclusion: 'success' });
    assert.equal((await getJson(details.run_url)).body.conclusion, 'success');
    const list = await getJson(`${R}/actions/workflows/capture.yml/runs`);
    assert.equal(list.body.total_count, 2);

    assert.equal((await post({ inputs: {} })).status, 422);
    assert.equal((await post({ ref: 'no-such-branch' })).status, 422);
    assert.equal((await post({ ref: 'main' }, null)).status, 401);
  });
});

describe('several repositories, shutdown, CLI', () => {
  it('serves several scenarios side by side', async () => {
    const other = generateScenario({ seed: 9, owner: 'Zeta', name: 'Tools', prs: 3, now: NOW });
    const two = await startFakeGitHub({ scenarios: [scn, other] });
    try {
      assert.equal((await getJson(`${two.url}/repos/zeta/tools/pulls/3`)).body.id, other.pulls[2].id);
      assert.equal((await getJson(`${two.url}/repos/acme/widgets/pulls/3`)).body.id, scn.pulls[2].id);
      assert.equal(two.scenario, scn);
      assert.equal(two.scenarios.length, 2);
    } finally {
      await two.close();
    }
  });

  it('close() returns promptly even with an idle keep-alive connection', async () => {
    const s = await startFakeGitHub({ scenario: scn });
    const agent = new http.Agent({ keepAlive: true });
    await new Promise((resolve, reject) => {
      http.get(`${s.url}/repos/acme/widgets`, { agent, headers: { 'user-agent': 'x' } }, (res) => {
        res.resume();
        res.on('end', resolve);
      }).on('error', reject);
    });
    const t = Date.now();
    await s.close();
    agent.destroy();
    assert.ok(Date.now() - t < 1000);
  });

  it('CLI prints "listening <url>" first and stops on SIGTERM', async () => {
    const script = fileURLToPath(new URL('./server.js', import.meta.url));
    const child = spawn(process.execPath, [script, '--port', '0', '--seed', '3', '--prs', '4', '--token', 'cli_token'],
      { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      let out = '';
      child.stdout.setEncoding('utf8');
      while (!out.includes('\n')) {
        const [chunk] = await once(child.stdout, 'data');
        out += chunk;
      }
      const line = out.split('\n')[0];
      assert.match(line, /^listening http:\/\/127\.0\.0\.1:\d+$/);
      const url = line.slice('listening '.length);
      const r = await getJson(`${url}/repos/acme/widgets/pulls?state=all`, { token: 'cli_token' });
      assert.equal(r.status, 200);
      assert.equal(r.body.length, 4);
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = await once(child, 'exit');
    assert.equal(code, 0);
  });
});
