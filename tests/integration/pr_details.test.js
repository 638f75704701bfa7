// pr-details end to end: the binary run as the Actions runner runs it, against
// the fake GitHub and a real PostgreSQL behind the PostgREST gateway; the
// database is compared with the scenario's ground truth.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { startRig, expectedPull, storedPull, expectedFiles, storedFiles, TOKEN, KEY } from '../lib/rig.js';
import { ROOT } from '../lib/runner.js';

// The outputs of a capture: action.yml's, less those described as another command's ("migrate-inngest: …").
const actionOutputs = () => Object.fromEntries(
  Object.entries(YAML.parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')).outputs)
    .filter(([, o]) => !/^[a-z-]+: /.test(o.description)));

let rig;
before(async () => {
  rig = await startRig('pr_details', {
    scenario: { prs: 12, special: [{ number: 5, files: 3000 }] },
  });
});
after(async () => { await rig?.close(); });

const fullName = () => rig.scn.repo.full_name;

test('captures the given pull requests exactly as GitHub has them', async () => {
  const r = await rig.run({ 'pr-numbers': '1, 2\n3,4' });
  assert.equal(r.code, 0, r.log);
  for (const n of [1, 2, 3, 4]) {
    const p = rig.scn.pulls.find((x) => x.number === n);
    assert.deepEqual(await storedPull(rig.db, n), expectedPull(p, fullName()), `PR #${n}`);
    assert.deepEqual(await storedFiles(rig.db, n), expectedFiles(p), `files of PR #${n}`);
  }
  assert.equal(await rig.db.count('pull_requests'), 4);
  assert.equal(r.outputs.status, 'completed');
  assert.equal(r.outputs.processed, '4');
  assert.equal(r.outputs.failed, '0');
});

test('the repository row comes from GitHub, keyed by its GitHub id', async () => {
  const [repo] = await rig.db.query('select * from repositories');
  assert.equal(repo.github_id, String(rig.scn.repo.id));
  assert.equal(repo.full_name, fullName());
  assert.equal(repo.default_branch, rig.scn.repo.default_branch);
  const prs = await rig.db.query('select distinct repository_id, repository_github_id from pull_requests');
  assert.deepEqual(prs, [{ repository_id: repo.id, repository_github_id: repo.github_id }]);
});

test('authors and mergers become contributors with their GitHub ids', async () => {
  const rows = await rig.db.query(`select c.github_id, c.username, c.is_bot from pull_requests p
    join contributors c on c.id = p.author_id order by p.number`);
  const want = [1, 2, 3, 4].map((n) => {
    const p = rig.scn.pulls.find((x) => x.number === n);
    const u = rig.scn.users.find((x) => x.login === p.user);
    return { github_id: String(u.id), username: u.login, is_bot: u.type === 'Bot' };
  });
  assert.deepEqual(rows, want);
  for (const p of rig.scn.pulls.filter((x) => x.number <= 4 && x.merged_by)) {
    const [m] = await rig.db.query(`select c.username from pull_requests p join contributors c
      on c.id = p.merged_by_id where p.number = $1`, [p.number]);
    assert.equal(m?.username, p.merged_by, `merged_by of #${p.number}`);
  }
});

test('a re-run changes nothing and duplicates nothing', async () => {
  const before = await rig.db.query('select id, number from pull_requests order by number');
  const files = await rig.db.count('pull_request_files');
  const people = await rig.db.count('contributors');
  const r = await rig.run({ 'pr-numbers': '4,3,2,1' });
  assert.equal(r.code, 0, r.log);
  assert.deepEqual(await rig.db.query('select id, number from pull_requests order by number'), before);
  assert.equal(await rig.db.count('pull_request_files'), files);
  assert.equal(await rig.db.count('contributors'), people);
  assert.equal(await rig.db.count('repositories'), 1);
});

test('a pull request touching 3,000 files is captured whole, every page read', async () => {
  rig.clearLogs();
  const r = await rig.run({ 'pr-numbers': '5' });
  assert.equal(r.code, 0, r.log);
  const p = rig.scn.pulls.find((x) => x.number === 5);
  assert.equal(p.files.length, 3000);
  assert.deepEqual(await storedFiles(rig.db, 5), expectedFiles(p));
  const pages = rig.gh.log.filter((e) => e.path.endsWith('/pulls/5/files'));
  assert.equal(pages.length, 30, 'thirty pages of 100');
  assert.ok(pages.every((e) => e.query.per_page === '100'));
});

test('GitHub ids beyond 32 bits are stored exactly', async () => {
  const big = rig.scn.pulls.filter((p) => p.id > 2 ** 31 && p.files.length < 3000);
  assert.ok(big.length > 0, 'the scenario has large ids');
  const r = await rig.run({ 'pr-numbers': big.map((p) => p.number).join(',') });
  assert.equal(r.code, 0, r.log);
  for (const p of big) {
    const [row] = await rig.db.query('select github_id from pull_requests where number = $1', [p.number]);
    assert.equal(row.github_id, String(p.id));
  }
});

test('without pr-numbers, the recent pull requests lacking details are captured, then skipped', async () => {
  await rig.db.truncateAll();
  const r1 = await rig.run({ 'time-range': '3650' });
  assert.equal(r1.code, 0, r1.log);
  assert.equal(r1.outputs.processed, String(rig.scn.pulls.length));
  for (const p of rig.scn.pulls)
    assert.deepEqual(await storedPull(rig.db, p.number), expectedPull(p, fullName()), `PR #${p.number}`);
  rig.clearLogs();
  const r2 = await rig.run({ 'time-range': '3650' });
  assert.equal(r2.code, 0, r2.log);
  assert.equal(r2.outputs.processed, '0');
  assert.equal(r2.outputs.skipped, String(rig.scn.pulls.length));
  assert.ok(!rig.gh.log.some((e) => /\/pulls\/\d+$/.test(e.path)), 'no PR fetched again');
});

test('a pull request changed on GitHub is captured again, and files it dropped are removed', async () => {
  const p = rig.scn.pulls.find((x) => x.number > 1 && x.files.length >= 2 && x.files.length < 100);
  assert.ok(p, 'the scenario has a PR with a few files');
  const dropped = p.files.pop();
  p.changed_files = p.files.length;
  p.additions -= dropped.additions;
  p.deletions -= dropped.deletions;
  p.title = 'Renamed on GitHub';
  p.updated_at = new Date(Date.now() - 1000).toISOString().replace(/\.\d+Z$/, 'Z');
  rig.gh.setScenario(rig.scn);
  const r = await rig.run({ 'time-range': '3650' });
  assert.equal(r.code, 0, r.log);
  assert.equal(r.outputs.processed, '1');
  assert.equal(r.outputs.skipped, String(rig.scn.pulls.length - 1));
  assert.deepEqual(await storedPull(rig.db, p.number), expectedPull(p, fullName()));
  assert.deepEqual(await storedFiles(rig.db, p.number), expectedFiles(p));
});

test('time-range limits the pull requests to those created in the window', async () => {
  await rig.db.truncateAll();
  const cutoff = Date.now() - 10 * 86400e3;
  const want = rig.scn.pulls.filter((p) => Date.parse(p.created_at) >= cutoff).map((p) => p.number).sort((a, b) => a - b);
  const r = await rig.run({ 'time-range': '10' });
  assert.equal(r.code, 0, r.log);
  const got = (await rig.db.query('select number from pull_requests order by number')).map((x) => x.number);
  assert.deepEqual(got, want);
});

test('max-items caps the run and says so', async () => {
  await rig.db.truncateAll();
  const r = await rig.run({ 'time-range': '3650', 'max-items': '3' });
  assert.equal(r.code, 0, r.log);
  assert.equal(r.outputs.processed, '3');
  assert.equal(await rig.db.count('pull_requests'), 3);
  assert.ok(r.commands.some((c) => c.name === 'notice' && /max-items/.test(c.message)), r.log);
});

test('a pull request that does not exist fails alone; the others are captured', async () => {
  await rig.db.truncateAll();
  const r = await rig.run({ 'pr-numbers': '1,999,3' });
  assert.equal(r.code, 1);
  assert.equal(r.outputs.status, 'failed');
  assert.equal(r.outputs.processed, '2');
  assert.equal(r.outputs.failed, '1');
  assert.equal(await rig.db.count('pull_requests'), 2);
  const errors = r.commands.filter((c) => c.name === 'error');
  assert.ok(errors.some((c) => /#999/.test(c.message) && /404|NOT_FOUND/.test(c.message)), r.log);
  const [job] = await rig.db.query('select status, error from progressive_capture_jobs where id = $1', [r.outputs['job-id']]);
  assert.equal(job.status, 'failed');
  assert.match(job.error, /1 of 3 items failed/);
  const [prog] = await rig.db.query('select * from progressive_capture_progress where job_id = $1', [r.outputs['job-id']]);
  assert.equal(prog.processed_items, 2);
  assert.equal(prog.failed_items, 1);
  assert.equal(prog.errors.length, 1);
  assert.equal(prog.errors[0].item, '#999');
});

test('dry-run reads GitHub and writes nothing', async () => {
  await rig.db.truncateAll();
  rig.clearLogs();
  const r = await rig.run({ 'pr-numbers': '1,2', 'dry-run': 'true' });
  assert.equal(r.code, 0, r.log);
  assert.equal(r.outputs.processed, '2');
  assert.equal(r.outputs['job-id'], '');
  for (const t of ['repositories', 'contributors', 'pull_requests', 'pull_request_files', 'progressive_capture_jobs'])
    assert.equal(await rig.db.count(t), 0, t);
  if (rig.gw) assert.ok(rig.gw.log.every((e) => e.method === 'GET'), 'only reads reached the store');
  assert.ok(rig.gh.log.some((e) => e.path.endsWith('/pulls/1/files')));
});

test('outputs follow the runner file format and count GitHub calls exactly', async () => {
  rig.clearLogs();
  const r = await rig.run({ 'pr-numbers': '1' });
  assert.equal(r.code, 0, r.log);
  // Every record is a heredoc with its own random delimiter.
  const delims = [...r.outputText.matchAll(/^[a-z-]+<<(ghadelimiter_[0-9a-f-]{36})$/gm)].map((m) => m[1]);
  assert.equal(delims.length, Object.keys(r.outputs).length);
  assert.equal(new Set(delims).size, delims.length);
  // A capture's outputs, each described in action.yml (which also describes the queue commands').
  assert.deepEqual(Object.keys(r.outputs).sort(), ['api-calls', 'api-points', 'failed', 'job-id', 'processed',
    'rate-remaining', 'resume-cursor', 'skipped', 'status']);
  for (const k of Object.keys(r.outputs)) assert.ok(actionOutputs()[k]?.description, `${k} is in action.yml`);
  assert.equal(Number(r.outputs['api-calls']), rig.gh.log.length);
  const last = rig.gh.log.filter((e) => e.resource === 'core').at(-1);
  assert.ok(Number(r.outputs['rate-remaining']) >= 0);
  assert.ok(last, 'core requests were made');
});

test('the step summary shows the capture with GitHub text escaped', async () => {
  const r = await rig.run({ 'pr-numbers': '1', force: 'true' });
  assert.equal(r.code, 0, r.log);
  const p = rig.scn.pulls.find((x) => x.number === 1);
  assert.match(r.summary, /### progressive-capture pr-details/);
  assert.match(r.summary, /\| PR \| Title \| State \| Author \| Captured \|/);
  const row = r.summary.split('\n').find((l) => l.startsWith('| \\#1 |'));
  assert.ok(row, r.summary);
  assert.ok(!/<script/i.test(r.summary), 'no raw HTML from GitHub');
  // The row keeps its five cells whatever the title holds.
  assert.equal(row.split(/(?<!\\)\|/).length - 2, 5, row);
  assert.ok(p.title.includes('|') || p.title.includes('<'), 'PR #1 title is hostile in the scenario');
});

test('text from GitHub never acts as a workflow command in the log', async () => {
  const r = await rig.run({ 'pr-numbers': '1,2,3' });
  assert.equal(r.code, 0, r.log);
  const allowed = new Set(['add-mask', 'group', 'endgroup', 'notice', 'warning', 'error', 'debug']);
  for (const c of r.commands) assert.ok(allowed.has(c.name), `unexpected command ${c.name}`);
  // No warning came from the hostile "::warning::" title.
  assert.equal(r.commands.filter((c) => c.name === 'warning').length, 0, r.log);
});

test('secrets are masked before anything else and never printed', async () => {
  const r = await rig.run({ 'pr-numbers': '1' }, { env: { RUNNER_DEBUG: '1' } });
  assert.equal(r.code, 0, r.log);
  const lines = r.log.split('\n');
  const secrets = rig.gw ? [TOKEN, KEY] : [TOKEN];
  assert.deepEqual(lines.slice(0, secrets.length), secrets.map((s) => `::add-mask::${s}`));
  const rest = lines.slice(secrets.length).join('\n') + r.outputText + r.summary;
  assert.ok(!rest.includes(TOKEN), 'token leaked');
  assert.ok(!rest.includes(KEY), 'key leaked');
  assert.ok(r.commands.some((c) => c.name === 'debug'), 'debug lines were on');
});
