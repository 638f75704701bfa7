// GitHub App authentication on the fake: the app's JWT checked as GitHub checks it
// (RS256 with the app's public key, iss = app id or client id, exp at most 10 minutes
// ahead, iat not in the future), the app endpoints (GET /app, GET
// /repos/{o}/{r}/installation, GET /app/installations/{id}, POST …/access_tokens), and
// installation tokens that work as ordinary tokens on REST and GraphQL with their
// installation's budget until they expire. A JWT signed by universal-github-app-jwt
// with the committed test key is accepted; a tampered one is not.

import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, it } from 'node:test';
import githubAppJwt from 'universal-github-app-jwt';
import { JWT_ERRORS, signAppJwt, TEST_APP } from './apps.js';
import { example } from './examples.js';
import { getJson, ghHeaders, graphql } from './helpers.js';
import { generateScenario } from './scenario.js';
import { startFakeGitHub } from './server.js';

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const DOCS = 'https://docs.github.com/rest';
let gh;
let widgets;
let gadgets;
let other;

const APP = {
  appId: TEST_APP.appId, clientId: TEST_APP.clientId, slug: TEST_APP.slug, publicKeyPem: TEST_APP.publicKeyPem,
  installations: [{ id: 5001, account: 'acme', repositories: 'all', permissions: { contents: 'read', pull_requests: 'read', actions: 'write' } }],
};

beforeEach(async () => {
  widgets = generateScenario({ seed: 1, now: NOW, prs: 6, name: 'widgets' });
  gadgets = generateScenario({ seed: 2, now: NOW, prs: 3, name: 'gadgets' });
  other = generateScenario({ seed: 3, now: NOW, prs: 2, owner: 'zeta', name: 'tools' });
  gh = await startFakeGitHub({ scenarios: [widgets, gadgets, other], apps: [APP], installationRateLimit: { core: 700, graphql: 300 } });
});
afterEach(() => gh.close());

const jwt = (over = {}) => signAppJwt({ privateKey: TEST_APP.privateKeyPem, iss: TEST_APP.appId, ...over });
const nowS = () => Math.floor(Date.now() / 1000);
const get = (path, token) => getJson(`${gh.url}${path}`, { token });

async function post(path, token, body = {}, headers = {}) {
  const res = await fetch(`${gh.url}${path}`, {
    method: 'POST', headers: { ...ghHeaders(token), 'content-type': 'application/json', ...headers }, body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
}

const mint = (body = {}, headers = {}) => post('/app/installations/5001/access_tokens', jwt(), body, headers);

describe('the app\'s JWT', () => {
  it('GET /app with a JWT signed by the test key (iss: app id or client id): the "integration" shape', async () => {
    for (const iss of [TEST_APP.appId, String(TEST_APP.appId), TEST_APP.clientId]) {
      const r = await get('/app', jwt({ iss }));
      assert.equal(r.status, 200, String(iss));
      assert.deepEqual([r.body.id, r.body.slug, r.body.client_id], [TEST_APP.appId, TEST_APP.slug, TEST_APP.clientId]);
    }
    const r = await get('/app', jwt());
    for (const k of Object.keys(example('integration'))) assert.ok(k in r.body, k);
    assert.equal(r.body.owner.login, 'acme');
    const rec = gh.log.at(-1);
    assert.deepEqual([rec.auth, rec.app, rec.installation, rec.route], ['app', TEST_APP.appId, null, 'GET /app']);
  });

  it('universal-github-app-jwt (PKCS#8 and PKCS#1 keys) signs JWTs the fake accepts; a tampered one is refused', async () => {
    for (const privateKey of [TEST_APP.privateKeyPkcs8Pem, TEST_APP.privateKeyPem]) {
      const { token } = await githubAppJwt({ id: TEST_APP.appId, privateKey });
      assert.equal((await get('/app', token)).status, 200);
      const [h, p, sig] = token.split('.');
      const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
      const forged = Buffer.from(JSON.stringify({ ...claims, exp: claims.exp + 60 })).toString('base64url');
      const r = await get('/app', `${h}.${forged}.${sig}`);
      assert.deepEqual(r.body, { message: JWT_ERRORS.undecodable, documentation_url: DOCS, status: '401' });
      const flipped = `${h}.${p}.${sig.slice(0, -4)}${sig.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
      assert.equal((await get('/app', flipped)).status, 401);
    }
    const { token: byClientId } = await githubAppJwt({ id: TEST_APP.clientId, privateKey: TEST_APP.privateKeyPkcs8Pem });
    assert.equal((await get('/app', byClientId)).status, 200);
  });

  it('refuses as GitHub does: another key, unknown iss, exp too far or past, iat in the future or not an integer, not RS256', async () => {
    const { privateKey: otherKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const t = nowS();
    const cases = [
      [signAppJwt({ privateKey: otherKey, iss: TEST_APP.appId }), JWT_ERRORS.undecodable],
      [jwt({ iss: 999 }), JWT_ERRORS.undecodable],
      [jwt({ iss: 'Iv23liNOPE' }), JWT_ERRORS.undecodable],
      [jwt({ alg: 'HS256' }), JWT_ERRORS.undecodable],
      [jwt({ exp: t + 660 }), JWT_ERRORS.expTooFar],
      [jwt({ iat: t - 700, exp: t - 100 }), JWT_ERRORS.expired],
      [jwt({ exp: `${t + 300}` }), JWT_ERRORS.expired],
      [jwt({ iat: t + 30, exp: t + 300 }), JWT_ERRORS.iat],
      [jwt({ iat: t - 0.5 }), JWT_ERRORS.iat],
      [jwt({ payload: { iat: null } }), JWT_ERRORS.iat],
      ['eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln', JWT_ERRORS.undecodable],
    ];
    for (const [token, message] of cases) {
      const r = await get('/app', token);
      assert.deepEqual([r.status, r.body.message], [401, message], message);
      assert.equal(gh.log.at(-1).auth, 'refused');
    }
    // GitHub's own recipe: iat 60 s back and exp 10 minutes ahead (exp - iat = 660) is fine.
    assert.equal((await get('/app', jwt({ iat: t - 60, exp: t + 600 }))).status, 200);
    // A JWT is sent with Bearer; under "token" it is no credential GitHub knows.
    const res = await fetch(`${gh.url}/app`, { headers: { ...ghHeaders(null), authorization: `token ${jwt()}` } });
    assert.equal((await res.json()).message, 'Bad credentials');
    // A clock allowance, when a test wants one.
    gh.setAppOptions({ jwtLeewaySeconds: 60 });
    assert.equal((await get('/app', jwt({ iat: t + 30, exp: t + 300 }))).status, 200);
  });

  it('a JWT reaches only the app endpoints; a plain token is refused on them', async () => {
    assert.deepEqual((await get('/repos/acme/widgets/pulls', jwt())).body.message, 'Resource not accessible by integration');
    assert.equal((await get('/repos/acme/widgets/pulls', jwt())).status, 403);
    const g = await graphql(gh, '{ viewer { login } }', {}, { token: jwt() });
    assert.equal(g.status, 403);
    const pat = await get('/app', 'ghp_test_token');
    assert.deepEqual([pat.status, pat.body.message], [401, JWT_ERRORS.undecodable]);
    assert.equal((await get('/repos/acme/widgets/installation', 'ghp_test_token')).status, 401);
  });
});

describe('installations', () => {
  it('GET /repos/{o}/{r}/installation: the installation that reaches it; 404 where the app is not installed', async () => {
    const r = await get('/repos/acme/widgets/installation', jwt());
    assert.equal(r.status, 200);
    for (const k of Object.keys(example('installation'))) assert.ok(k in r.body, k);
    assert.deepEqual([r.body.id, r.body.app_id, r.body.account.login, r.body.repository_selection, r.body.target_type],
      [5001, TEST_APP.appId, 'acme', 'all', 'Organization']);
    assert.equal(r.body.access_tokens_url, `${gh.url}/app/installations/5001/access_tokens`);
    const none = await get('/repos/zeta/tools/installation', jwt());
    assert.deepEqual(none.body, { message: 'Not Found',
      documentation_url: 'https://docs.github.com/rest/apps/apps#get-a-repository-installation-for-the-authenticated-app', status: '404' });
    // A renamed repository redirects here too (the OpenAPI description lists 301).
    gh.renameRepo('acme/widgets', 'sprockets');
    const moved = await fetch(`${gh.url}/repos/acme/widgets/installation`, { headers: ghHeaders(jwt()), redirect: 'manual' });
    assert.equal(moved.status, 301);
  });

  it('GET /app/installations/{id}: the base-installation shape; 404 for another app\'s', async () => {
    const r = await get('/app/installations/5001', jwt());
    assert.equal(r.status, 200);
    for (const k of Object.keys(example('baseInstallation'))) assert.ok(k in r.body, k);
    assert.equal((await get('/app/installations/42', jwt())).status, 404);
  });
});

describe('installation access tokens', () => {
  it('POST …/access_tokens: 201 with token, expires_at (one hour), permissions, repository_selection', async () => {
    const before = Date.now();
    const r = await mint();
    assert.equal(r.status, 201);
    assert.deepEqual(Object.keys(r.body).sort(), ['expires_at', 'permissions', 'repository_selection', 'token']);
    assert.equal(r.body.repository_selection, 'all');
    assert.deepEqual(r.body.permissions, { metadata: 'read', contents: 'read', pull_requests: 'read', actions: 'write' });
    const exp = Date.parse(r.body.expires_at);
    assert.ok(exp >= before + 3_600_000 && exp <= Date.now() + 3_601_000, r.body.expires_at);
    assert.match(r.body.expires_at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    // GitHub's new format by default: a ghs_ JWT of about 520 characters; the classic one on request.
    assert.match(r.body.token, /^ghs_[A-Za-z0-9._]{36,}$/);
    assert.equal(r.body.token.split('.').length, 3);
    assert.ok(r.body.token.length >= 500 && r.body.token.length <= 540, String(r.body.token.length));
    const classic = await mint({}, { 'x-github-stateless-s2s-token': 'disabled' });
    assert.match(classic.body.token, /^ghs_[A-Za-z0-9]{36}$/);
    const rec = gh.log.at(-1);
    assert.equal(rec.minted, gh.tokenFingerprint(classic.body.token));
    assert.ok(!JSON.stringify(gh.log).includes(classic.body.token), 'the log never holds a token');
    assert.equal(gh.installationTokens().length, 2);
  });

  it('repositories / repository_ids narrow the token; asking beyond the installation is 422 with GitHub\'s words', async () => {
    const r = await mint({ repositories: ['gadgets'], permissions: { contents: 'read' } });
    assert.equal(r.status, 201);
    assert.equal(r.body.repository_selection, 'selected');
    assert.deepEqual(r.body.repositories.map((x) => x.full_name), ['acme/gadgets']);
    assert.deepEqual(r.body.permissions, { contents: 'read' });
    const t = r.body.token;
    assert.equal((await get('/repos/acme/gadgets/pulls', t)).status, 200);
    assert.equal((await get('/repos/acme/widgets/pulls', t)).status, 404, 'outside the token: 404');
    const g = await graphql(gh, '{ a: repository(owner: "acme", name: "widgets") { id } b: repository(owner: "acme", name: "gadgets") { name } }', {}, { token: t });
    assert.deepEqual(g.body.data, { a: null, b: { name: 'gadgets' } });
    assert.equal(g.body.errors[0].type, 'NOT_FOUND');
    const ids = await mint({ repository_ids: [widgets.repo.id] });
    assert.deepEqual(ids.body.repositories.map((x) => x.id), [widgets.repo.id]);
    const far = await mint({ repositories: ['tools'] });
    assert.deepEqual([far.status, far.body.message], [422, 'There is at least one repository that does not exist or is not accessible to the parent installation.']);
    const more = await mint({ permissions: { contents: 'write' } });
    assert.deepEqual([more.status, more.body.message], [422, 'The permissions requested are not granted to this installation.']);
    assert.equal((await post('/app/installations/9/access_tokens', jwt())).status, 404);
    assert.equal((await post('/app/installations/5001/access_tokens', 'ghp_test_token')).status, 401);
  });

  it('works as a token on REST and GraphQL with the installation\'s own budget, shared by every token it mints', async () => {
    const a = (await mint()).body.token;
    const b = (await mint()).body.token;
    const r = await get('/repos/acme/widgets/pulls/1', a);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('x-ratelimit-limit'), '700');
    assert.equal((await get('/repos/acme/widgets/pulls/1', b)).headers.get('x-ratelimit-used'), '2', 'one budget per installation');
    assert.equal(gh.getRateLimit(a, 'core').used, 2);
    assert.equal(gh.getRateLimit('ghp_test_token', 'core').used, 0, 'the plain token is untouched');
    const g = await graphql(gh, '{ rateLimit { limit } repository(owner: "acme", name: "widgets") { pullRequest(number: 1) { number } } }', {}, { token: a });
    assert.deepEqual(g.body.data, { rateLimit: { limit: 300 }, repository: { pullRequest: { number: 1 } } });
    assert.equal((await get('/repos/zeta/tools/pulls', a)).status, 404, 'not installed on zeta');
    const rec = gh.log.at(-1);
    assert.deepEqual([rec.auth, rec.app, rec.installation, rec.token], ['installation', TEST_APP.appId, 5001, gh.tokenFingerprint(a)]);
    gh.setRateLimit({ installation: 5001 }, 'core', { remaining: 0 });
    const spent = await get('/repos/acme/widgets', b);
    assert.deepEqual([spent.status, spent.body.message], [403, 'API rate limit exceeded for installation ID 5001.']);
  });

  it('expires after its lifetime: then 401 Bad credentials; the log tells the tokens apart, so renewals can be counted', async () => {
    gh.setAppOptions({ installationTokenLifetimeMs: 1000 });
    const t0 = Date.now();
    const first = (await mint()).body;
    const exp = Date.parse(first.expires_at);
    assert.ok(exp >= t0 + 1000 && exp <= Date.now() + 2000, first.expires_at);
    assert.equal((await get('/repos/acme/widgets', first.token)).status, 200);
    await new Promise((res) => setTimeout(res, exp - Date.now() + 50));
    const late = await get('/repos/acme/widgets', first.token);
    assert.deepEqual([late.status, late.body.message], [401, 'Bad credentials']);
    const second = (await mint()).body;
    assert.equal((await get('/repos/acme/widgets', second.token)).status, 200);
    const used = new Set(gh.log.filter((x) => x.auth === 'installation').map((x) => x.token));
    assert.equal(used.size, 2, 'two installation tokens served requests');
    assert.equal(gh.log.filter((x) => x.route === 'POST /app/installations/{installation_id}/access_tokens').length, 2);
    assert.deepEqual(gh.installationTokens().map((x) => x.expired), [true, false]);
    gh.revokeInstallationToken(second.token);
    assert.equal((await get('/repos/acme/widgets', second.token)).status, 401);
  });

  it('its permissions apply: dispatching needs actions: write; the run is by the app\'s bot', async () => {
    const ro = (await mint({ permissions: { actions: 'read', contents: 'read' } })).body.token;
    const refused = await post('/repos/acme/widgets/actions/workflows/capture.yml/dispatches', ro, { ref: 'main' });
    assert.deepEqual([refused.status, refused.body.message], [403, 'Resource not accessible by integration']);
    assert.equal((await get('/repos/acme/widgets/actions/workflows/capture.yml/runs', ro)).status, 200);
    const rw = (await mint()).body.token;
    const ok = await post('/repos/acme/widgets/actions/workflows/capture.yml/dispatches', rw, { ref: 'main', return_run_details: true });
    assert.equal(ok.status, 200);
    assert.equal((await get(`/repos/acme/widgets/actions/runs/${ok.body.workflow_run_id}`, rw)).body.actor.login, `${TEST_APP.slug}[bot]`);
  });
});

describe('the app endpoints as GitHub\'s OpenAPI description has them', () => {
  // @octokit/openapi's description of api.github.com: each operation's path, method, the
  // statuses it documents, and the properties its answer's schema requires.
  const spec = JSON.parse(readFileSync(fileURLToPath(import.meta.resolve('@octokit/openapi/generated/api.github.com.json')), 'utf8'));
  const deref = (s) => (s?.$ref ? deref(s.$ref.split('/').slice(1).reduce((o, k) => o[k], spec)) : s);
  const required = (schema) => {
    const s = deref(schema);
    return [...(s.required ?? []), ...(s.allOf ?? []).flatMap((x) => deref(x).required ?? [])];
  };
  const op = (method, path) => {
    const o = spec.paths[path]?.[method.toLowerCase()];
    assert.ok(o, `${method} ${path} is in the description`);
    return o;
  };
  const answer = (o, status) => deref(deref(o.responses[String(status)])?.content?.['application/json']?.schema);

  it('GET /app, GET /repos/{o}/{r}/installation, GET /app/installations/{id}, POST …/access_tokens: documented statuses, required fields', async () => {
    const cases = [
      ['GET', '/app', '/app', 200],
      ['GET', '/repos/{owner}/{repo}/installation', '/repos/acme/widgets/installation', 200],
      ['GET', '/repos/{owner}/{repo}/installation', '/repos/zeta/tools/installation', 404],
      ['GET', '/app/installations/{installation_id}', '/app/installations/5001', 200],
      ['GET', '/app/installations/{installation_id}', '/app/installations/999', 404],
      ['POST', '/app/installations/{installation_id}/access_tokens', '/app/installations/5001/access_tokens', 201],
      ['POST', '/app/installations/{installation_id}/access_tokens', '/app/installations/999/access_tokens', 404],
    ];
    for (const [method, path, url, want] of cases) {
      const o = op(method, path);
      const r = method === 'GET' ? await get(url, jwt()) : await post(url, jwt(), { repositories: ['widgets'], permissions: { contents: 'read' } });
      assert.equal(r.status, want, `${method} ${url}`);
      assert.ok(String(r.status) in o.responses, `${method} ${path} documents ${r.status}`);
      const schema = answer(o, r.status);
      if (r.status < 300) for (const k of required(schema)) assert.ok(k in r.body, `${method} ${path}: ${k}`);
    }
    // The access_tokens request body the description allows: repositories, repository_ids, permissions.
    const body = deref(op('POST', '/app/installations/{installation_id}/access_tokens').requestBody.content['application/json'].schema);
    for (const k of ['repositories', 'repository_ids', 'permissions']) assert.ok(k in body.properties, k);
    // The description's security for these: an app's JWT (a bearer), which the fake asks for.
    assert.equal((await get('/app', 'ghp_test_token')).status, 401);
  });

  it('an expired, a future-dated and a wrongly signed JWT are each refused with 401', async () => {
    const t = nowS();
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' });
    for (const [token, message] of [
      [jwt({ iat: t - 700, exp: t - 1 }), JWT_ERRORS.expired],
      [jwt({ iat: t + 120, exp: t + 500 }), JWT_ERRORS.iat],
      [jwt({ iat: t, exp: t + 700 }), JWT_ERRORS.expTooFar],
      [signAppJwt({ privateKey: other, iss: TEST_APP.appId }), JWT_ERRORS.undecodable],
    ]) {
      const r = await post('/app/installations/5001/access_tokens', token);
      assert.deepEqual([r.status, r.body.message], [401, message]);
    }
  });
});
