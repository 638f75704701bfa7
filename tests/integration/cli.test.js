// The program from a shell: results on stdout as a table or JSON, the log on
// stderr, per-command help, git-style errors; and `make run` from a fresh clone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startRig, TOKEN } from '../lib/rig.js';
import { ROOT, runAction } from '../lib/runner.js';

const run = promisify(execFile);
let rig;
before(async () => { rig = await startRig('cli', { store: 'sqlite', scenario: { prs: 4 } }); });
after(async () => { await rig?.close(); });

const shell = (args, env = {}) => runAction({
  actions: false, args,
  env: { GITHUB_TOKEN: TOKEN, GITHUB_API_URL: rig.gh.url, GITHUB_GRAPHQL_URL: rig.gh.graphqlUrl, ...env },
});

test('outside Actions the results are a table on stdout and the log is on stderr', async () => {
  const r = await shell(['pr-details', '--repo', rig.repository, '--prs', '1,2', '--database', rig.db.path]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n');
  assert.match(lines[0], /^progressive-capture pr-details: acme\/widgets — completed$/);
  assert.ok(lines.some((l) => /^PR +Title +State +Author +Captured$/.test(l)), r.stdout);
  assert.ok(lines.some((l) => /^#1 /.test(l)) && lines.some((l) => /^#2 /.test(l)));
  assert.ok(lines.some((l) => /^processed +2$/.test(l)));
  assert.ok(!lines.some((l) => /^\s*::/.test(l)), 'no line of stdout is a workflow command');
  assert.match(r.stderr, /store sqlite/);
});

test('--json prints one JSON object with the outputs and the rows', async () => {
  const r = await shell(['pr-details', '--repo', rig.repository, '--prs', '3', '--database', rig.db.path, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.status, 'completed');
  assert.equal(j.processed, '1');
  assert.equal(j.rows.length, 1);
  assert.equal(j.rows[0].PR, '#3');
  assert.equal(j.rows[0].Title, rig.scn.pulls[2].title);
});

test('each command has its own --help listing only its options', async () => {
  const r = await shell(['commit-analysis', '--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^usage: progressive-capture commit-analysis \[options\]/);
  assert.ok(r.stdout.includes('--time-range') && r.stdout.includes('--database'));
  assert.ok(!r.stdout.includes('--pr-numbers'), 'commit-analysis takes no PR numbers');
  const all = await shell(['--help']);
  for (const c of ['pr-details', 'pr-reviews', 'pr-comments', 'pr-all', 'repository-sync', 'commit-analysis'])
    assert.ok(all.stdout.includes(c), c);
});

test('a setting a command does not use is named in a warning', async () => {
  const r = await shell(['commit-analysis', '--repo', rig.repository, '--prs', '1', '--database', rig.db.path]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /warning: commit-analysis does not use pr-numbers; it is ignored/);
});

test('errors read like git: one line, lower case, the subject quoted, and a hint for usage', async () => {
  const r = await shell(['pr-details', '--bogus']);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, "error: unknown option '--bogus'\nusage: progressive-capture <command> [options]; see 'progressive-capture --help'\n");
  const r2 = await shell(['pr-detail', '--repo', 'a/b']);
  assert.equal(r2.code, 2);
  assert.equal(r2.stderr.trim(), "error: unknown command 'pr-detail' (see 'progressive-capture --help')");
});

test('without a token it reads over REST, with a warning', async () => {
  const db = join(mkdtempSync(join(tmpdir(), 'pc-notoken-')), 'x.db');
  rig.clearLogs();
  const r = await runAction({ actions: false, args: ['pr-details', '--repo', rig.repository, '--prs', '1', '--database', db],
    env: { GITHUB_API_URL: rig.gh.url, GITHUB_GRAPHQL_URL: rig.gh.graphqlUrl } });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /warning: no GitHub token: reading over REST/);
  assert.equal(rig.gh.log.filter((e) => e.resource === 'graphql').length, 0);
  assert.ok(rig.gh.log.every((e) => e.token === ''), 'no token was sent');
});

test('make run, from a fresh clone, captures a repository into a file the sqlite3 shell opens', async (t) => {
  if (!existsSync(join(ROOT, '.git'))) return t.skip('not a git checkout');
  // It builds its own binary: once per test run is enough (the SQLite pass).
  if (process.env.PC_BIN || (process.env.PC_STORE ?? 'postgrest') !== 'sqlite') return t.skip('run in the SQLite pass');
  const dir = mkdtempSync(join(tmpdir(), 'pc-clone-'));
  try {
    await run('git', ['clone', '-q', ROOT, dir]);
    const { stdout } = await run('make', ['-s', 'run', `REPO=${rig.repository}`, 'DAYS=3650'], {
      cwd: dir,
      env: { ...process.env, GITHUB_TOKEN: TOKEN, GITHUB_API_URL: rig.gh.url, GITHUB_GRAPHQL_URL: rig.gh.graphqlUrl },
      maxBuffer: 64 * 1024 * 1024,
    });
    assert.match(stdout, /progressive-capture pr-all: acme\/widgets — completed/);
    assert.match(stdout, /processed +4/);
    const { stdout: n } = await run('sqlite3', [join(dir, 'progressive-capture.db'),
      'select count(*) from pull_requests; select (select count(*) from reviews) > 0;']);
    assert.deepEqual(n.trim().split('\n'), ['4', '1']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a dry run creates no database file', async () => {
  const db = join(mkdtempSync(join(tmpdir(), 'pc-dry-')), 'x.db');
  const r = await shell(['pr-all', '--repo', rig.repository, '--prs', '1', '--database', db, '--dry-run']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /processed +1/);
  assert.ok(!existsSync(db), 'the file was created');
});
