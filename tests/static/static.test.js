// The release binary (make static): fully static, stripped, small, and able
// to run in an empty root - a folder holding only itself and a CA bundle, no
// /dev, no /proc, no /etc/hosts - against the fake servers over loopback, in
// plain HTTP and in HTTPS with mbedTLS verifying a test CA's chain.
// Needs root (chroot). PC_STATIC_BIN overrides the binary.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import tls from 'node:tls';
import { ROOT, runAction } from '../lib/runner.js';
import { startRig, TOKEN, expectedPull, storedPull, expectedFiles, storedFiles } from '../lib/rig.js';
import { expectedFileRows } from '../lib/truth.js';
import { TEST_APP } from '../fake-github/apps.js';

const BIN = process.env.PC_STATIC_BIN || join(ROOT, 'build/static/progressive-capture');
const MAX_BYTES = 3 * 1024 * 1024;

let root, certs, rig;
before(async () => {
  root = mkdtempSync(join(tmpdir(), 'pc-root-'));
  copyFileSync(BIN, join(root, 'progressive-capture'));
  chmodSync(join(root, 'progressive-capture'), 0o755);
  mkdirSync(join(root, 'etc/ssl/certs'), { recursive: true });
  copyFileSync('/etc/ssl/certs/ca-certificates.crt', join(root, 'etc/ssl/certs/ca-certificates.crt'));
  certs = makeCerts();
  copyFileSync(join(certs, 'ca.pem'), join(root, 'test-ca.pem'));
  copyFileSync(join(certs, 'other-ca.pem'), join(root, 'other-ca.pem'));
  rig = await startRig('static', {
    scenario: { seed: 91, prs: 6 }, store: 'postgrest',
    github: { apps: [{ appId: TEST_APP.appId, publicKeyPem: TEST_APP.publicKeyPem, installations: [{ id: 5001, account: 'acme', repositories: 'all' }] }] },
  });
});
after(async () => {
  await rig?.close();
  if (root) rmSync(root, { recursive: true, force: true });
  if (certs) rmSync(certs, { recursive: true, force: true });
});

// A test CA, a server certificate for localhost signed by it, and an unrelated CA.
function makeCerts() {
  const d = mkdtempSync(join(tmpdir(), 'pc-certs-'));
  const ssl = (...a) => execFileSync('openssl', a, { cwd: d, stdio: 'pipe' });
  for (const ca of ['ca', 'other-ca'])
    ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${ca}.key`, '-out', `${ca}.pem`, '-days', '2',
      '-subj', `/CN=progressive-capture ${ca}`, '-addext', 'basicConstraints=critical,CA:TRUE',
      '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost');
  writeFileSync(join(d, 'server.ext'), 'subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\n' +
    'keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n');
  ssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial',
    '-out', 'server.pem', '-days', '2', '-extfile', 'server.ext');
  return d;
}

// TLS in front of the fake GitHub: what api.github.com is to the binary.
async function tlsFront(port) {
  let handshakes = 0;
  const server = tls.createServer({ key: readFileSync(join(certs, 'server.key')), cert: readFileSync(join(certs, 'server.pem')) },
    (sock) => {
      handshakes++;
      const up = net.connect(port, '127.0.0.1');
      sock.pipe(up).pipe(sock);
      up.on('error', () => sock.destroy());
      sock.on('error', () => up.destroy());
    });
  server.on('tlsClientError', () => {});
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { port: server.address().port, get handshakes() { return handshakes; }, close: () => new Promise((r) => server.close(r)) };
}

const inRoot = (inputs, env = {}) => runAction({
  chroot: root, bin: '/progressive-capture',
  inputs: { repository: rig.repository, 'github-token': TOKEN, ...inputs },
  env: { GITHUB_API_URL: rig.gh.url, GITHUB_GRAPHQL_URL: rig.gh.graphqlUrl, ...env },
});

// Rows of a SQLite file in the root, through the sqlite3 shell.
const sqliteRows = (file, sql) => JSON.parse(execFileSync('sqlite3', ['-json', join(root, file), sql], { encoding: 'utf8' }) || '[]');

test('the release binary is static, stripped and under 3 MB', () => {
  const kind = execFileSync('file', ['-b', BIN], { encoding: 'utf8' });
  assert.match(kind, /statically linked/);
  assert.match(kind, /, stripped/);
  const ldd = spawnSync('ldd', [BIN], { encoding: 'utf8' });
  assert.match(ldd.stdout + ldd.stderr, /not a dynamic executable/);
  const size = statSync(BIN).size;
  console.log(`static binary: ${size} bytes (${(size / 1048576).toFixed(2)} MB), ${kind.trim()}`);
  assert.ok(size <= MAX_BYTES, `${size} bytes`);
});

test('in an empty root it prints its version and its libraries: curl on mbedTLS alone', async () => {
  const r = await runAction({ chroot: root, bin: '/progressive-capture', args: ['--version'], actions: false });
  assert.equal(r.code, 0, r.log);
  assert.match(r.stdout, /^progressive-capture \S+\nlibcurl\/\S+ mbedTLS\/\S+, SQLite \S+, cJSON \S+\n$/);
});

test('in an empty root it captures into PostgreSQL through the gateway, over loopback', async () => {
  const r = await inRoot({ command: 'pr-details', 'pr-numbers': '1-4', ...rig.storeInputs() });
  assert.equal(r.code, 0, r.log);
  assert.equal(r.outputs.processed, '4');
  assert.match(r.summary, /Captured 4/);
  for (const n of [1, 2, 3, 4]) {
    const p = rig.scn.pulls.find((x) => x.number === n);
    assert.deepEqual(await storedPull(rig.db, n), expectedPull(p, rig.scn.repo.full_name));
    assert.deepEqual(await storedFiles(rig.db, n), expectedFiles(p));
  }
});

test('in an empty root it captures into a SQLite file, with random job ids and no /dev/urandom', async () => {
  const r = await inRoot({ command: 'pr-all', 'pr-numbers': '1-6', database: '/capture.db' });
  assert.equal(r.code, 0, r.log);
  const files = sqliteRows('capture.db', `select p.number, f.filename, f.status, f.additions, f.deletions, f.changes,
    f.previous_filename from pull_request_files f join pull_requests p on p.id = f.pull_request_id`);
  const want = expectedFileRows(rig.scn, [1, 2, 3, 4, 5, 6]);
  assert.equal(files.length, want.length);
  const [job] = sqliteRows('capture.db', 'select id, status from progressive_capture_jobs');
  assert.match(job.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(job.status, 'completed');
});

test('over HTTPS mbedTLS verifies the chain to the CA it is given, and refuses any other', async () => {
  const front = await tlsFront(rig.gh.port);
  try {
    const https = { GITHUB_API_URL: `https://localhost:${front.port}`, GITHUB_GRAPHQL_URL: `https://localhost:${front.port}/graphql` };
    const ok = await inRoot({ command: 'pr-details', 'pr-numbers': '5', database: '/tls.db' },
      { ...https, SSL_CERT_FILE: '/test-ca.pem' });
    assert.equal(ok.code, 0, ok.log);
    assert.ok(front.handshakes >= 1);
    assert.equal(sqliteRows('tls.db', 'select count(*) as n from pull_requests')[0].n, 1);

    // The wrong CA, and the system bundle the binary finds by itself: refused, saying why.
    for (const [env, bundle] of [[{ SSL_CERT_FILE: '/other-ca.pem' }, '/other-ca.pem'], [{}, '/etc/ssl/certs/ca-certificates.crt']]) {
      const bad = await inRoot({ command: 'pr-details', 'pr-numbers': '5', database: '/tls-bad.db' }, { ...https, ...env });
      assert.equal(bad.code, 1, bad.log);
      const err = bad.commands.find((c) => c.name === 'error');
      assert.ok(err, bad.log);
      assert.match(err.message, new RegExp(`curl 60; CA bundle ${bundle}: the server's certificate is not signed by a CA in it`));
    }
    // A bundle that is not there is named, not silently skipped.
    const missing = await inRoot({ command: 'pr-details', 'pr-numbers': '5', database: '/tls-bad.db' },
      { ...https, SSL_CERT_FILE: '/no-such-ca.pem' });
    assert.equal(missing.code, 1, missing.log);
    assert.match(missing.log, /CA bundle \/no-such-ca\.pem: set SSL_CERT_FILE to a PEM file of CA certificates/);
  } finally {
    await front.close();
  }
});

test('in an empty root, over HTTPS, it authenticates as a GitHub App: its JWT signed by mbedTLS, an installation token, a capture', async () => {
  const front = await tlsFront(rig.gh.port);
  try {
    rig.clearLogs();
    const r = await inRoot({
      command: 'pr-details', 'pr-numbers': '6', database: '/app.db',
      'github-token': null, 'app-id': String(TEST_APP.appId), 'app-private-key': TEST_APP.privateKeyPkcs8Pem,
    }, { GITHUB_API_URL: `https://localhost:${front.port}`, GITHUB_GRAPHQL_URL: `https://localhost:${front.port}/graphql`, SSL_CERT_FILE: '/test-ca.pem' });
    assert.equal(r.code, 0, r.log);
    assert.equal(sqliteRows('app.db', 'select count(*) as n from pull_requests')[0].n, 1);
    const log = rig.gh.log;
    assert.deepEqual(log.filter((x) => x.auth === 'app').map((x) => x.route),
      ['GET /repos/{owner}/{repo}/installation', 'POST /app/installations/{installation_id}/access_tokens']);
    assert.ok(log.filter((x) => x.auth !== 'app').every((x) => x.auth === 'installation' && x.status === 200));
  } finally {
    await front.close();
  }
});
