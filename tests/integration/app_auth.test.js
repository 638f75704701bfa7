// GitHub App authentication (issue 12 §1): the binary signs its app's JWT,
// finds the installation, mints installation tokens and renews them before
// they expire. A capture that outlasts several token lifetimes writes the
// same rows as one with a plain token, with no request refused; the JWTs pass
// an independent verifier (jsonwebtoken); a JWT refused for its times is
// signed again on GitHub's clock; a bad key, a wrong app id or an app not
// installed is one clear error, with nothing written; and no secret (the
// key, a JWT, a token) is in any byte the binary wrote.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import { JWT_ERRORS, TEST_APP, looksLikeJwt } from '../fake-github/apps.js';
import { TABLES } from '../lib/db.js';
import { dumpDatabase } from '../lib/dump.js';
import { startRig } from '../lib/rig.js';

const KEY = TEST_APP.privateKeyPem;
const dir = mkdtempSync(join(tmpdir(), 'pc-appauth-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// The test app, installed on `account` (the scenario's owner is acme).
const app = (account = 'acme', over = {}) => ({
  appId: TEST_APP.appId, clientId: TEST_APP.clientId, slug: TEST_APP.slug, publicKeyPem: TEST_APP.publicKeyPem,
  installations: [{ id: 5001, account, repositories: 'all' }], ...over,
});

// A rig whose fake GitHub knows the app and hands every raw credential it sees to `seen`.
async function appRig(name, { github = {}, scenario = {} } = {}) {
  const seen = new Set();
  const rig = await startRig(name, {
    scenario: { seed: 12, prs: 6, ...scenario },
    github: { apps: [app()], onCredential: (t) => seen.add(t), ...github },
  });
  return { rig, seen };
}

// The app's inputs, with no plain token (the pool is the app alone).
const appInputs = (over = {}) => ({ 'github-token': null, 'app-id': String(TEST_APP.appId), 'app-private-key': KEY, ...over });

// Every row of every table, as text.
async function storeText(rig) {
  const out = [];
  for (const t of TABLES) out.push(JSON.stringify(await rig.db.query(`select * from ${t}`)));
  return out.join('\n');
}

async function rowCount(rig) {
  let n = 0;
  for (const t of TABLES) n += (await rig.db.query(`select * from ${t}`)).length;
  return n;
}

/*
 * Every byte the binary wrote: stdout and stderr (but the ::add-mask:: lines, which
 * hand a secret to the runner for masking, as they must), GITHUB_OUTPUT, the step
 * summary, the log file, the store's rows. None may hold a secret: the key (any line
 * of it), a JWT, an installation token.
 */
async function assertNoSecret(rig, r, logFile, secrets) {
  const masked = r.log.split('\n').filter((l) => l.startsWith('::add-mask::'));
  const written = [
    r.log.split('\n').filter((l) => !l.startsWith('::add-mask::')).join('\n'),
    r.outputText, r.summary, logFile ? readFileSync(logFile, 'utf8') : '', await storeText(rig),
  ].join('\n');
  const keyLines = KEY.split('\n').filter((l) => l.length >= 16 && !l.startsWith('-----'));
  for (const s of [...secrets, ...keyLines]) {
    assert.ok(!written.includes(s), `a secret (${s.slice(0, 8)}…) is in what the binary wrote`);
  }
  // Each JWT and token the binary sent was masked first.
  for (const s of secrets) assert.ok(masked.includes(`::add-mask::${s}`), `${s.slice(0, 8)}… was masked`);
  return written;
}

test('a capture past three token lifetimes renews each token before it expires: no request refused, the rows of a plain-token capture', async () => {
  const lifetime = 2000;
  // Both captures see the same GitHub: one scenario, generated at one moment.
  const now = Date.now();
  const { rig, seen } = await appRig('app_renew', { github: { installationTokenLifetimeMs: lifetime, latencyMs: 300 }, scenario: { prs: 14, now } });
  const plain = await startRig('app_renew_plain', { scenario: { seed: 12, prs: 14, now } });
  try {
    const logFile = join(dir, 'renew.jsonl');
    const t0 = Date.now();
    const r = await rig.run({ command: 'pr-all', api: 'rest', ...appInputs(), 'log-file': logFile });
    const took = Date.now() - t0;
    assert.equal(r.code, 0, r.log);
    assert.equal(r.outputs.status, 'completed');
    assert.ok(took > 3 * lifetime, `the run took ${took} ms, more than three lifetimes`);

    // The fake's log: no request failed, each renewal is a POST …/access_tokens, and
    // every data request carried a live installation token.
    const log = rig.gh.log;
    assert.deepEqual(log.filter((x) => x.status >= 400).map((x) => `${x.status} ${x.route}`), []);
    const mints = log.filter((x) => x.route === 'POST /app/installations/{installation_id}/access_tokens');
    assert.ok(mints.length >= 4, `${mints.length} tokens minted in ${took} ms`);
    assert.ok(mints.every((x) => x.status === 201 && x.auth === 'app' && x.minted));
    const data = log.filter((x) => x.auth !== 'app');
    assert.ok(data.length > 15, `${data.length} data requests`);
    assert.ok(data.every((x) => x.auth === 'installation' && x.installation === 5001), 'every data request used an installation token');
    const used = new Set(data.map((x) => x.token));
    assert.deepEqual([...used].sort(), mints.map((x) => x.minted).sort(), 'each minted token was used, and only those');
    // Each renewal is in the binary's log too.
    assert.equal((r.log.match(/installation token is near its expiry: renewing it/g) ?? []).length, mints.length - 1);
    assert.ok(!/refused its installation token/.test(r.log), 'no token was used past its expiry');

    // The same rows as a capture with a plain token.
    const p = await plain.run({ command: 'pr-all', api: 'rest' });
    assert.equal(p.code, 0, p.log);
    assert.deepEqual(await dumpDatabase(rig.db), await dumpDatabase(plain.db));

    const secrets = [...seen].filter((t) => t !== 'ghp_test_token');
    assert.ok(secrets.filter(looksLikeJwt).length >= 5 && secrets.filter((t) => t.startsWith('ghs_')).length === mints.length);
    await assertNoSecret(rig, r, logFile, secrets);
  } finally {
    await rig.close();
    await plain.close();
  }
});

test('a 401 on an installation token (revoked, or expired on the way) mints a new one once and sends the request again', async () => {
  // The fake logs a request as its answer is ready, 100 ms before sending it: the token
  // is revoked while the binary waits for its first data answer, so the next request is refused.
  const { rig, seen } = await appRig('app_401', { github: { latencyMs: 100 } });
  try {
    let revoked = 0;
    const r = await rig.run({ command: 'pr-details', 'pr-numbers': '1,2,3', ...appInputs() }, {
      whileRunning: (child, closed) => {
        const timer = setInterval(() => {
          if (revoked > 0 || !rig.gh.log.some((x) => x.auth === 'installation')) return;
          for (const t of seen) if (t.startsWith('ghs_')) revoked += rig.gh.revokeInstallationToken(t) ? 1 : 0;
        }, 2);
        closed.then(() => clearInterval(timer));
      },
    });
    assert.equal(r.code, 0, r.log);
    assert.equal(r.outputs.processed, '3');
    assert.equal(revoked, 1);
    const refused = rig.gh.log.filter((x) => x.status === 401);
    assert.equal(refused.length, 1, 'one request refused');
    assert.match(r.log, /app-id 424242: GitHub refused its installation token \(401\): minting a new one/);
    const mints = rig.gh.log.filter((x) => x.minted);
    assert.equal(mints.length, 2);
    // The refused request was sent again, with the new token, and answered.
    const i = rig.gh.log.indexOf(refused[0]);
    const again = rig.gh.log.slice(i + 1).find((x) => x.auth === 'installation');
    assert.deepEqual([again.method, again.path, again.status, again.token], [refused[0].method, refused[0].path, 200, mints[1].minted]);
    await assertNoSecret(rig, r, null, [...seen].filter((t) => t !== 'ghp_test_token'));
  } finally {
    await rig.close();
  }
});

test('our JWTs pass an independent verifier (jsonwebtoken): RS256 with the app\'s public key, iat 60 s back, exp 9 minutes ahead, iss the app', async () => {
  const { rig, seen } = await appRig('app_jwt');
  try {
    for (const id of [String(TEST_APP.appId), TEST_APP.clientId]) {
      seen.clear();
      const before = Math.floor(Date.now() / 1000);
      const r = await rig.run({ command: 'pr-details', 'pr-numbers': '1', ...appInputs({ 'app-id': id }) });
      const afterS = Math.ceil(Date.now() / 1000);
      assert.equal(r.code, 0, r.log);
      const jwts = [...seen].filter(looksLikeJwt);
      // One for the installation lookup and the token (the same JWT when made in the same second).
      assert.ok(jwts.length >= 1);
      for (const token of jwts) {
        const { header, payload } = jwt.verify(token, TEST_APP.publicKeyPem, { algorithms: ['RS256'], complete: true });
        assert.deepEqual(header, { alg: 'RS256', typ: 'JWT' });
        assert.deepEqual(Object.keys(payload), ['iat', 'exp', 'iss']);
        assert.equal(payload.iss, id === String(TEST_APP.appId) ? TEST_APP.appId : TEST_APP.clientId);
        assert.equal(payload.exp - payload.iat, 600);
        assert.ok(payload.iat >= before - 61 && payload.iat <= afterS - 60, `iat ${payload.iat}`);
        // Another key's signature is not this one.
        const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
        assert.throws(() => jwt.verify(token, other, { algorithms: ['RS256'] }), /invalid signature/);
      }
      await assertNoSecret(rig, r, null, [...seen].filter((t) => t !== 'ghp_test_token'));
    }
  } finally {
    await rig.close();
  }
});

// GitHub checks exp before iat: a clock more than a minute ahead of GitHub's makes an exp
// too far in the future before it makes an iat in the future.
test('a JWT refused for its times (this clock ahead of GitHub\'s, or behind) is signed again on GitHub\'s clock, with a warning', async () => {
  for (const [skew, message] of [[-120_000, JWT_ERRORS.expTooFar], [700_000, JWT_ERRORS.expired]]) {
    const { rig, seen } = await appRig(`app_skew_${skew < 0 ? 'behind' : 'ahead'}`, { github: { clockSkewMs: skew } });
    try {
      const r = await rig.run({ command: 'pr-details', 'pr-numbers': '1', ...appInputs() });
      assert.equal(r.code, 0, r.log);
      const refused = rig.gh.log.filter((x) => x.status === 401);
      assert.equal(refused.length, 1, 'one JWT refused, then one on GitHub\'s clock');
      const warning = r.commands.find((c) => c.name === 'warning' && /refused the app's JWT for its times/.test(c.message));
      assert.ok(warning, r.log);
      assert.ok(warning.message.includes(message));
      assert.match(warning.message, skew < 0 ? /this clock is 1[12]\d s ahead of GitHub's/ : /this clock is (69\d|70\d) s behind GitHub's/);
      await assertNoSecret(rig, r, null, [...seen].filter((t) => t !== 'ghp_test_token'));
    } finally {
      await rig.close();
    }
  }
});

// The one error a run ends with (an ::error:: command), and that nothing was written.
async function failsClearly(rig, r, code, pattern) {
  assert.equal(r.code, code, r.log);
  const errors = r.commands.filter((c) => c.name === 'error');
  assert.equal(errors.length, 1, r.log);
  assert.match(errors[0].message, pattern);
  assert.equal(await rowCount(rig), 0, 'nothing was written to the store');
  return errors[0].message;
}

test('a key that is not PEM, not RSA, or another app\'s; a wrong app id; an app not installed: one clear error each, nothing written, no secret shown', async () => {
  const { rig, seen } = await appRig('app_bad');
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'sec1', format: 'pem' });
  try {
    const cases = [
      // Bad input: refused before anything is sent (exit 2).
      [{ 'app-private-key': 'not-a-key-but-a-secret-all-the-same' }, 2, /app-private-key of 424242 is not a PEM key/, 0],
      [{ 'app-private-key': ec }, 2, /app-private-key of 424242 is an EC key, not RSA/, 0],
      [{ 'app-private-key': TEST_APP.publicKeyPem }, 2, /app-private-key of 424242 is a public key/, 0],
      [{ 'app-id': 'my-app' }, 2, /app-id: 'my-app' is not an app id/, 0],
      // GitHub refuses (exit 1): the run stops before the store is opened.
      [{ 'app-private-key': other }, 1, new RegExp(`app-id 424242: GitHub refused the app's JWT \\(401 ${JWT_ERRORS.undecodable}\\): app-id names no app, or app-private-key is not that app's key`), 1],
      [{ 'app-id': '999' }, 1, /app-id 999: GitHub refused the app's JWT \(401 A JSON web token could not be decoded\): app-id names no app/, 1],
      [{ 'app-installation-id': '777' }, 1, /app-installation-id 777 is not an installation of app-id 424242/, 1],
    ];
    for (const [inputs, code, pattern, requests] of cases) {
      rig.clearLogs();
      seen.clear();
      const logFile = join(dir, 'bad.jsonl');
      const r = await rig.run({ command: 'pr-details', 'pr-numbers': '1', ...appInputs(inputs), 'log-file': logFile });
      await failsClearly(rig, r, code, pattern);
      assert.equal(rig.gh.log.length, requests, `${pattern}: requests sent`);
      const secrets = [...seen].filter((t) => t !== 'ghp_test_token');
      await assertNoSecret(rig, r, logFile, secrets);
      for (const k of [other, ec, inputs['app-private-key'] ?? KEY]) {
        for (const line of k.split('\n').filter((l) => l.length >= 16 && !l.startsWith('-----'))) {
          assert.ok(!r.log.split('\n').some((l) => !l.startsWith('::add-mask::') && l.includes(line)), 'a line of the key');
        }
      }
    }
  } finally {
    await rig.close();
  }
  // Installed on another account: not on the repository.
  const { rig: elsewhere } = await appRig('app_elsewhere', { github: { apps: [app('zeta')] } });
  try {
    const r = await elsewhere.run({ command: 'pr-details', 'pr-numbers': '1', ...appInputs() });
    await failsClearly(elsewhere, r, 1, /app-id 424242 is not installed on acme\/widgets \(GET \/repos\/acme\/widgets\/installation: 404\): install the app/);
  } finally {
    await elsewhere.close();
  }
});

test('doctor reports the app, its installation, and its token\'s permissions and expiry', async () => {
  const { rig, seen } = await appRig('app_doctor', {
    github: { apps: [app('acme', { installations: [{ id: 5001, account: 'acme', repositories: 'all', permissions: { contents: 'read', pull_requests: 'write', actions: 'write' } }] })] },
  });
  try {
    const r = await rig.run({ command: 'doctor', ...appInputs() });
    assert.equal(r.code, 0, r.log);
    const row = r.log.split('\n').find((l) => l.includes('GitHub App: ok: '));
    assert.ok(row, r.log);
    assert.match(row, /progressive-capture-test \(app 424242\), installation 5001 on acme \(all repositories\); token for acme\/widgets: /);
    // Read-only: what the installation grants, no more than read, and only what the capture reads.
    const perms = row.match(/token for acme\/widgets: ([^;]*);/)[1];
    assert.deepEqual(perms.split(', ').sort(), ['actions: read', 'contents: read', 'metadata: read', 'pull_requests: read']);
    const expires = row.match(/expires (\S+Z)/)[1];
    assert.ok(Math.abs(Date.parse(expires) - Date.now() - 3600_000) < 120_000, expires);
    assert.ok(rig.gh.log.find((x) => x.minted));
    await assertNoSecret(rig, r, null, [...seen].filter((t) => t !== 'ghp_test_token'));
    // Doctor with a key that is not the app's: the app's row fails, naming the inputs.
    const bad = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' });
    const d = await rig.run({ command: 'doctor', ...appInputs({ 'app-private-key': bad }) });
    assert.equal(d.code, 1);
    assert.ok(d.commands.some((c) => c.name === 'error' && /^GitHub App: app-id 424242: GitHub refused the app's JWT .*check app-id, app-private-key/.test(c.message)), d.log);
  } finally {
    await rig.close();
  }
});

test('several apps join the token pool before the plain tokens: the next is used when one\'s installation budget is spent', async () => {
  const second = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const app2 = {
    appId: 5151, slug: 'second-app', publicKeyPem: second.publicKey.export({ type: 'spki', format: 'pem' }),
    installations: [{ id: 5002, account: 'acme', repositories: 'all' }],
  };
  const key2 = second.privateKey.export({ type: 'pkcs8', format: 'pem' });
  const { rig, seen } = await appRig('app_pool', { github: { apps: [app(), app2] } });
  try {
    // The first app's installation has no REST budget left for the next hour.
    rig.gh.setRateLimit({ installation: 5001 }, 'core', { remaining: 0, reset: Math.floor(Date.now() / 1000) + 3600 });
    const r = await rig.run({
      command: 'pr-details', 'pr-numbers': '1,2', api: 'rest', 'github-token': 'ghp_test_token',
      'app-id': `${TEST_APP.appId}\n5151`, 'app-private-key': `${KEY}\n${key2}`,
    });
    assert.equal(r.code, 0, r.log);
    assert.equal(r.outputs.processed, '2');
    assert.match(r.log, /token 1 has no REST budget left: using token 2 of 3/);
    const log = rig.gh.log;
    assert.deepEqual(log.filter((x) => x.minted).map((x) => x.app), [TEST_APP.appId, 5151]);
    const data = log.filter((x) => x.auth !== 'app');
    assert.equal(data[0].installation, 5001);
    assert.equal(data[0].status, 403, 'the first app\'s budget is spent');
    assert.ok(data.slice(1).every((x) => x.auth === 'installation' && x.installation === 5002 && x.status === 200));
    assert.equal(log.filter((x) => x.auth === 'token').length, 0, 'the plain token waits its turn');
    await assertNoSecret(rig, r, null, [...seen].filter((t) => t !== 'ghp_test_token'));
    assert.ok(!r.log.split('\n').some((l) => !l.startsWith('::add-mask::') && l.includes(key2.split('\n')[1])));
  } finally {
    await rig.close();
  }
});
