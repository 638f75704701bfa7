// repository-sync (incremental PR list with a watermark), pr-comments over the
// repository-wide lists, and commit-analysis, each in both API modes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRig, expectedPull, storedPull } from '../lib/rig.js';
import { dumpDatabase } from '../lib/dump.js';
import { expectedComments, userId } from '../lib/truth.js';
import { defaultBranchCommits } from '../fake-github/scenario.js';

let rig;
// The scenario ends an hour ago, so changes made by the tests come after it.
before(async () => { rig = await startRig('sync_commits', { scenario: { seed: 33, prs: 16, days: 40, now: Date.now() - 3600e3 } }); });
after(async () => { await rig?.close(); });

const iso = (ms) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
const routes = (log) => log.map((e) => e.route ?? e.path);

test('repository-sync: the first run takes the window, the second only what changed', async () => {
  await rig.db.truncateAll();
  const cutoff = Date.now() - 30 * 86400e3;
  const inWindow = rig.scn.pulls.filter((p) => Date.parse(p.updated_at) >= cutoff).map((p) => p.number);
  const r1 = await rig.run({ command: 'repository-sync', 'time-range': '30' });
  assert.equal(r1.code, 0, r1.log);
  assert.equal(r1.outputs.processed, String(inWindow.length));
  for (const n of inWindow) {
    const p = rig.scn.pulls.find((x) => x.number === n);
    assert.deepEqual(await storedPull(rig.db, n), expectedPull(p, rig.scn.repo.full_name));
  }
  const [repo] = await rig.db.query('select sync_status, last_synced_at from repositories');
  assert.equal(repo.sync_status, 'completed');
  assert.ok(repo.last_synced_at);
  const [wm] = await rig.db.query(`select watermark from capture_watermarks where stream = 'pulls'`);
  const newest = Math.max(...inWindow.map((n) => Date.parse(rig.scn.pulls.find((x) => x.number === n).updated_at)));
  assert.equal(wm.watermark.getTime(), newest);

  // Nothing changed: one page of the list, nothing fetched.
  rig.clearLogs();
  const r2 = await rig.run({ command: 'repository-sync', 'time-range': '30' });
  assert.equal(r2.code, 0, r2.log);
  assert.equal(r2.outputs.processed, '0');
  assert.deepEqual(routes(rig.gh.log), ['GET /repos/{owner}/{repo}', 'GET /repos/{owner}/{repo}/pulls']);

  // One PR changes on GitHub, even one older than the window: it alone is fetched.
  const old = rig.scn.pulls.find((p) => !inWindow.includes(p.number)) ?? rig.scn.pulls[0];
  old.title = 'Edited after the first sync';
  old.updated_at = iso(Date.now() - 1000);
  rig.gh.setScenario(rig.scn);
  rig.clearLogs();
  const r3 = await rig.run({ command: 'repository-sync', 'time-range': '30' });
  assert.equal(r3.code, 0, r3.log);
  assert.equal(r3.outputs.processed, '1');
  assert.deepEqual(await storedPull(rig.db, old.number), expectedPull(old, rig.scn.repo.full_name));
  const pages = rig.gh.log.filter((e) => e.route === 'GET /repos/{owner}/{repo}/pulls');
  assert.equal(pages.length, 1);
  assert.equal(pages[0].query.sort, 'updated');
  assert.equal(pages[0].query.direction, 'desc');
});

test('repository-sync with max-items takes the oldest updates first and resumes after them', async () => {
  await rig.db.truncateAll();
  const r1 = await rig.run({ command: 'repository-sync', 'time-range': '3650', 'max-items': '5' });
  assert.equal(r1.code, 0, r1.log);
  assert.equal(r1.outputs.processed, '5');
  const oldest = [...rig.scn.pulls].sort((a, b) => Date.parse(a.updated_at) - Date.parse(b.updated_at)).slice(0, 5);
  const got = (await rig.db.query('select number from pull_requests order by number')).map((r) => r.number);
  assert.deepEqual(got, oldest.map((p) => p.number).sort((a, b) => a - b));
  const [repo] = await rig.db.query('select sync_status from repositories');
  assert.equal(repo.sync_status, 'partial');
  let runs = 0;
  for (;;) {
    const r = await rig.run({ command: 'repository-sync', 'time-range': '3650', 'max-items': '5' });
    assert.equal(r.code, 0, r.log);
    if (r.outputs.processed === '0') break;
    assert.ok(++runs < 10);
  }
  assert.equal(await rig.db.count('pull_requests'), rig.scn.pulls.length);
});

test('pr-comments without numbers reads the repository-wide lists since the watermark', async () => {
  await rig.db.truncateAll();
  const r1 = await rig.run({ command: 'pr-comments', 'time-range': '3650' });
  assert.equal(r1.code, 0, r1.log);
  const all = rig.scn.pulls.map((p) => p.number);
  const d = await dumpDatabase(rig.db, ['comments']);
  assert.deepEqual(d.comments, expectedComments(rig.scn, all));
  // The PRs those comments belong to got their rows on the way.
  assert.equal(await rig.db.count('pull_requests'), rig.scn.pulls.filter((p) => p.issue_comments.length + p.review_comments.length > 0).length);
  const routesUsed = new Set(routes(rig.gh.log));
  assert.ok(routesUsed.has('GET /repos/{owner}/{repo}/issues/comments'));
  assert.ok(routesUsed.has('GET /repos/{owner}/{repo}/pulls/comments'));

  // A new comment arrives: the next run asks only for what changed since the watermark.
  const p = rig.scn.pulls.find((x) => x.issue_comments.length > 0);
  const c = { ...p.issue_comments[0], id: p.issue_comments[0].id + 900000, body: 'a late comment',
    created_at: iso(Date.now() - 500), updated_at: iso(Date.now() - 500) };
  p.issue_comments.push(c);
  rig.gh.setScenario(rig.scn);
  rig.clearLogs();
  const r2 = await rig.run({ command: 'pr-comments', 'time-range': '3650' });
  assert.equal(r2.code, 0, r2.log);
  const [row] = await rig.db.query('select body from comments where github_id = $1', [String(c.id)]);
  assert.equal(row?.body, 'a late comment');
  const since = rig.gh.log.find((e) => e.route === 'GET /repos/{owner}/{repo}/issues/comments').query.since;
  assert.ok(Date.parse(since) > Date.now() - 30 * 86400e3, `since ${since} is the watermark, not the window`);
});

test('a dry run of pr-comments without numbers is refused before anything is sent', async () => {
  rig.clearLogs();
  const r = await rig.run({ command: 'pr-comments', 'dry-run': 'true' });
  assert.equal(r.code, 2);
  assert.equal(rig.gh.log.length + (rig.gw?.log.length ?? 0), 0);
});

function expectedCommits(scn, days) {
  const cutoff = Date.now() - days * 86400e3;
  return defaultBranchCommits(scn).filter((c) => Date.parse(c.committed_at) >= cutoff).map((c) => ({
    sha: c.sha,
    author: c.author_login ? userId(scn, c.author_login) : null,
    committer: c.committer_login ? userId(scn, c.committer_login) : null,
    message: c.message,
    authored_at: new Date(c.authored_at).toISOString(),
    committed_at: new Date(c.committed_at).toISOString(),
    additions: c.additions,
    deletions: c.deletions,
    changed_files: c.changed_files,
    is_direct_commit: c.pull_number == null,
    pull_request: c.pull_number ?? null,
  })).sort((a, b) => (a.sha < b.sha ? -1 : 1));
}

test('commit-analysis: GraphQL and REST link the same commits to the same PRs, as GitHub has them', async () => {
  const dumps = {};
  for (const api of ['graphql', 'rest']) {
    await rig.db.truncateAll();
    const r = await rig.run({ command: 'commit-analysis', api, 'time-range': '30' });
    assert.equal(r.code, 0, r.log);
    dumps[api] = await dumpDatabase(rig.db, ['commits', 'contributors', 'pull_requests']);
  }
  assert.deepEqual(dumps.graphql, dumps.rest);
  const want = expectedCommits(rig.scn, 30);
  assert.ok(want.some((c) => c.is_direct_commit) && want.some((c) => !c.is_direct_commit));
  assert.deepEqual(dumps.graphql.commits.map(({ html_url, ...c }) => c), want);
  const [repo] = await rig.db.query('select commit_capture_status, last_commit_capture_at from repositories');
  assert.equal(repo.commit_capture_status, 'completed');
  assert.ok(repo.last_commit_capture_at);
});
