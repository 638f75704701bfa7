// The event command (issue 12 §2), run as the runner runs the action on an
// event: GITHUB_EVENT_NAME and GITHUB_EVENT_PATH, no command given. The
// payloads are GitHub's own examples (@octokit/webhooks-examples), every
// example of every supported event and action, with only the fields that
// point at GitHub objects rewritten to objects the fake GitHub serves (the
// repository, the PR number, the review's or comment's id and author, a
// push's commits and branch): the rest of each payload stays as GitHub wrote it.
//
// A PR event must leave exactly the rows a pr-all of that PR leaves, at a
// cost of at most 2 GitHub requests; an event with nothing to capture ends
// with a notice and exit 0, writing nothing and asking GitHub nothing; a cut
// or hostile payload gives one clear error and exit 2; a push to the default
// branch captures just the pushed commits.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { startRig } from '../lib/rig.js';
import { dumpDatabase } from '../lib/dump.js';

const require = createRequire(import.meta.url);
const EXAMPLES = JSON.parse(readFileSync(
  join(require.resolve('@octokit/webhooks-examples/package.json'), '..', 'api.github.com', 'index.json'), 'utf8'));
const examplesOf = (name) => EXAMPLES.find((e) => e.name === name)?.examples ?? [];

const PR_EVENTS = ['pull_request', 'pull_request_review', 'pull_request_review_comment', 'issue_comment'];
const EMPTY_TABLES = ['repositories', 'contributors', 'pull_requests', 'pull_request_files', 'reviews',
  'comments', 'commits', 'pull_request_captures'];

let rig;
let dir;
let pr;         // the scenario PR the PR events are rewritten to
let reference;  // the store after `pr-all --pr-numbers <pr>`
const timings = []; // ms from start to exit, per PR event run
const costs = [];   // { event, requests, points }

before(async () => {
  // Accounts GraphQL can name (ids below 2^31) and no renamed files: the PR
  // is then one GraphQL query, as pr-all's (either needs REST otherwise).
  rig = await startRig('event', {
    scenario: { seed: 12, prs: 8, bigUserIds: false, renames: false, maxReviews: 4,
      maxIssueComments: 4, maxReviewComments: 4, unlinkedCommits: 0 },
  });
  dir = mkdtempSync(join(tmpdir(), 'pc-event-'));
  pr = rig.scn.pulls.find((p) => p.reviews.some((r) => r.submitted_at) && p.issue_comments.some((c) => c.user)
    && p.review_comments.length > 0);
  assert.ok(pr, 'the scenario has a PR with reviews, conversation and review comments');
  await rig.db.truncateAll();
  const r = await rig.run({ command: 'pr-all', 'pr-numbers': String(pr.number) });
  assert.equal(r.code, 0, r.log);
  reference = await dumpDatabase(rig.db);
});
after(async () => {
  if (timings.length) {
    const sorted = [...timings].sort((a, b) => a - b);
    const q = (f) => sorted[Math.min(sorted.length - 1, Math.floor(f * sorted.length))];
    console.log(`# event -> rows (${process.env.PC_STORE || 'postgrest'}): ${sorted.length} runs, median ${q(0.5)} ms, p90 ${q(0.9)} ms, max ${sorted[sorted.length - 1]} ms`);
    const byEvent = {};
    for (const c of costs) byEvent[c.event] = `${c.requests} requests, ${c.points} points${c.routes ? `: ${c.routes.join('; ')}` : ''}`;
    console.log(`# cost per event: ${JSON.stringify(byEvent)}`);
  }
  await rig?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const user = (login) => {
  const u = rig.scn.users.find((x) => x.login === login);
  assert.ok(u, `user ${login}`);
  return u;
};

// The example with its pointers moved to the fake's repository and PR (and objects).
function rewrite(name, example, { onPull = true } = {}) {
  const p = structuredClone(example);
  const repo = rig.scn.repo;
  Object.assign(p.repository, { id: repo.id, name: repo.name, full_name: repo.full_name,
    default_branch: repo.default_branch });
  p.repository.owner = { ...p.repository.owner, id: repo.owner.id, login: repo.owner.login };
  if ('number' in p) p.number = pr.number;
  if (p.pull_request) p.pull_request.number = pr.number;
  if (name === 'pull_request_review') {
    const rv = pr.reviews.find((r) => r.submitted_at);
    const u = user(rv.user);
    Object.assign(p.review, { id: rv.id });
    p.review.user = { ...p.review.user, id: u.id, login: u.login };
  }
  if (name === 'pull_request_review_comment' || name === 'issue_comment') {
    const c = name === 'issue_comment' ? pr.issue_comments.find((x) => x.user) : pr.review_comments[0];
    const u = user(c.user);
    p.comment.id = c.id;
    p.comment.user = { ...p.comment.user, id: u.id, login: u.login };
  }
  if (name === 'issue_comment') {
    p.issue.number = pr.number;
    // The examples are all on plain issues; GitHub marks a PR's conversation with issue.pull_request.
    if (onPull) {
      const base = `https://api.github.com/repos/${repo.full_name}/pulls/${pr.number}`;
      p.issue.pull_request = { url: base, html_url: `https://github.com/${repo.full_name}/pull/${pr.number}`,
        diff_url: `https://github.com/${repo.full_name}/pull/${pr.number}.diff`,
        patch_url: `https://github.com/${repo.full_name}/pull/${pr.number}.patch`, merged_at: null };
    }
  }
  return p;
}

let seq = 0;
function writePayload(payload) {
  const path = join(dir, `event-${++seq}.json`);
  writeFileSync(path, typeof payload === 'string' ? payload : JSON.stringify(payload));
  return path;
}

// Runs the action as the runner does on the event: no command input (empty).
async function onEvent(name, payload, inputs = {}, env = {}) {
  rig.clearLogs();
  const started = Date.now();
  const r = await rig.run({ command: '', ...inputs },
    { env: { GITHUB_EVENT_NAME: name, GITHUB_EVENT_PATH: writePayload(payload), ...env } });
  r.ms = Date.now() - started;
  r.gh = [...rig.gh.log];
  return r;
}

const errors = (r) => r.commands.filter((c) => c.name === 'error');
const notices = (r) => r.commands.filter((c) => c.name === 'notice');

async function assertNothingWritten(r) {
  const d = await dumpDatabase(rig.db, EMPTY_TABLES);
  for (const t of EMPTY_TABLES) assert.deepEqual(d[t], [], `${t} is empty:\n${r.log}`);
  assert.equal(await rig.db.count('progressive_capture_jobs'), 0, 'no job row');
  assert.equal(r.gh.length, 0, 'GitHub was not asked');
}

function cases() {
  const out = [];
  for (const name of PR_EVENTS)
    for (const ex of examplesOf(name)) out.push({ name, ex, payload: () => rewrite(name, ex) });
  // pull_request_target sends pull_request's payloads (run in the base repository).
  for (const ex of examplesOf('pull_request').slice(0, 3))
    out.push({ name: 'pull_request_target', ex, payload: () => rewrite('pull_request', ex) });
  return out;
}

for (const prefilled of [false, true]) {
  test(`every supported PR event leaves exactly pr-all's rows, in at most 2 GitHub requests (${prefilled ? 'PR already stored' : 'empty store'})`, async () => {
    const all = cases();
    assert.ok(all.length >= 45, `${all.length} examples`);
    const seen = new Set();
    for (const { name, ex, payload } of all) {
      await rig.db.truncateAll();
      if (prefilled) {
        const r0 = await rig.run({ command: 'pr-all', 'pr-numbers': String(pr.number) });
        assert.equal(r0.code, 0, r0.log);
      }
      const r = await onEvent(name, payload());
      const label = `${name} ${ex.action}`;
      assert.equal(r.code, 0, `${label}:\n${r.log}`);
      assert.deepEqual(errors(r), [], label);
      assert.ok(r.gh.length <= 2, `${label}: ${r.gh.length} GitHub requests: ${r.gh.map((e) => e.route).join(', ')}`);
      assert.ok(r.gh.filter((e) => e.resource === 'graphql').length === 1, `${label}: one GraphQL query`);
      assert.deepEqual(await dumpDatabase(rig.db), reference, label);
      assert.equal(r.outputs.status, 'completed', label);
      timings.push(r.ms);
      if (!seen.has(label)) {
        seen.add(label);
        costs.push({ event: label, requests: r.gh.length, points: r.gh.reduce((s, e) => s + (e.cost || 0), 0),
          routes: r.gh.map((e) => `${e.route} (${e.resource}, ${e.cost})`) });
      }
    }
    // Every action the examples hold for the supported events was run.
    for (const name of PR_EVENTS)
      for (const a of new Set(examplesOf(name).map((x) => x.action))) assert.ok(seen.has(`${name} ${a}`), `${name} ${a}`);
  });
}

test('the review or comment of the payload is written at once, before GitHub is asked about the PR', async () => {
  for (const name of ['pull_request_review', 'pull_request_review_comment', 'issue_comment']) {
    await rig.db.truncateAll();
    const r0 = await rig.run({ command: 'pr-all', 'pr-numbers': String(pr.number) });
    assert.equal(r0.code, 0, r0.log);
    const ex = examplesOf(name).find((x) => x.action !== 'deleted');
    const payload = rewrite(name, ex);
    const item = name === 'pull_request_review' ? payload.review : payload.comment;
    // GitHub's GraphQL fails: what is stored of the item came from the payload alone.
    rig.gh.addFault({ graphql: true, status: 502, times: 1000 });
    let r;
    try {
      r = await onEvent(name, payload, { api: 'graphql' }, { PROGRESSIVE_CAPTURE_BACKOFF_SCALE: '0.001' });
    } finally {
      rig.gh.clearFaults();
    }
    assert.notEqual(r.code, 0, `${name}: the capture failed:\n${r.log}`);
    const table = name === 'pull_request_review' ? 'reviews' : 'comments';
    const rows = await rig.db.query(`select body from ${table} where github_id = ${item.id}`);
    assert.deepEqual(rows.map((x) => x.body), [item.body || null], `${name}: the payload's own body is stored`);
  }
});

test('events with nothing to capture end with a notice and exit 0, writing nothing and asking GitHub nothing', async () => {
  const runs = [];
  // Plain issues' comments (every issue_comment example), review threads, pushes elsewhere.
  for (const ex of examplesOf('issue_comment')) runs.push(['issue_comment', rewrite('issue_comment', ex, { onPull: false }), /not on a pull request/]);
  for (const ex of examplesOf('pull_request_review_thread')) runs.push(['pull_request_review_thread', ex, /does not concern one pull request/]);
  for (const ex of examplesOf('push').filter((x) => x.ref.startsWith('refs/tags/') || x.deleted)) {
    const p = rewrite('push', ex);
    runs.push(['push', p, p.deleted ? /the push deleted/ : /not to the default branch/]);
  }
  // One example of every other event GitHub sends: none concerns one PR.
  const handled = new Set([...PR_EVENTS, 'pull_request_review_thread', 'push']);
  for (const e of EXAMPLES) if (!handled.has(e.name) && e.examples.length) runs.push([e.name, e.examples[0], /does not concern one pull request/]);
  assert.ok(runs.length > 40, `${runs.length} payloads`);
  await rig.db.truncateAll();
  for (const [name, payload, why] of runs) {
    const r = await onEvent(name, payload, { command: 'event' });
    assert.equal(r.code, 0, `${name}:\n${r.log}`);
    assert.deepEqual(errors(r), [], name);
    assert.equal(notices(r).length, 1, `${name}: one notice:\n${r.log}`);
    assert.match(notices(r)[0].message, why, name);
    assert.match(notices(r)[0].message, /nothing to capture/, name);
    await assertNothingWritten(r);
  }
});

test('the default command stays pr-details outside events about one pull request', async () => {
  await rig.db.truncateAll();
  const r = await onEvent('workflow_dispatch', examplesOf('workflow_dispatch')[0] ?? {}, { 'pr-numbers': String(pr.number) });
  assert.equal(r.code, 0, r.log);
  assert.equal(await rig.db.count('pull_request_files') > 0, true, 'pr-details ran');
  assert.equal(await rig.db.count('reviews'), 0, 'not pr-all');
});

test('a cut or hostile payload gives one clear error and exit 2, sending and writing nothing', async () => {
  const good = JSON.stringify(rewrite('pull_request_review', examplesOf('pull_request_review')[0]));
  const review = examplesOf('pull_request_review')[0];
  const other = structuredClone(rewrite('pull_request', examplesOf('pull_request')[0]));
  other.repository.full_name = 'someone/else';
  const bad = [
    ['pull_request_review', good.slice(0, Math.floor(good.length / 2)), /^event payload: invalid JSON at byte \d+ of \d+$/],
    ['pull_request_review', '', /empty JSON document/],
    ['pull_request', '['.repeat(100000), /invalid JSON/],
    ['pull_request', other, /is about someone\/else, not the repository setting/],
    ['pull_request', { ...rewrite('pull_request', examplesOf('pull_request')[0]), pull_request: { number: -1 } }, /field 'pull_request.number'/],
    ['pull_request_review', { ...rewrite('pull_request_review', review), review: { ...review.review, state: 'approved\n::error::pwned' } }, /field 'review.state'/],
    ['issue_comment', { ...rewrite('issue_comment', examplesOf('issue_comment')[0]), repository: { full_name: 'a/b\n::warning::x' } }, /field 'repository.full_name'/],
    ['push', { ...rewrite('push', examplesOf('push')[4]), ref: 'refs/heads/main', commits: [{ id: '$(rm -rf /)', timestamp: '2024-01-01T00:00:00Z' }] }, /field 'commits\[0\].id' is not a commit id/],
  ];
  await rig.db.truncateAll();
  for (const [name, payload, why] of bad) {
    const r = await onEvent(name, payload, { command: 'event' });
    assert.equal(r.code, 2, `${name}:\n${r.log}`);
    assert.equal(errors(r).length, 1, `${name}: one error:\n${r.log}`);
    assert.match(errors(r)[0].message, why, name);
    assert.doesNotMatch(r.log, /^::warning::x|pwned$/m, 'no command smuggled into the log');
    await assertNothingWritten(r);
  }
  // No payload at all: the runner sets both variables, a shell may not.
  const r = await rig.run({ command: 'event' });
  assert.equal(r.code, 2, r.log);
  assert.match(errors(r)[0]?.message ?? '', /GITHUB_EVENT_NAME and GITHUB_EVENT_PATH/);
});

// A push example to the default branch, with the commits of the fake's main: newest last, as GitHub lists them.
function pushOf(shas) {
  const ex = examplesOf('push').find((x) => x.ref.startsWith('refs/heads/') && x.commits.length > 0);
  const p = rewrite('push', ex);
  p.ref = `refs/heads/${rig.scn.repo.default_branch}`;
  const template = ex.commits[0];
  p.commits = shas.map((c) => ({ ...structuredClone(template), id: c.sha, tree_id: c.sha, timestamp: c.committed_at,
    message: c.message }));
  p.head_commit = p.commits[p.commits.length - 1] ?? null;
  p.after = p.head_commit?.id ?? p.after;
  return p;
}

test('a push to the default branch captures just the pushed commits, as commit-analysis writes them', async () => {
  await rig.db.truncateAll();
  const all = await rig.run({ command: 'commit-analysis', 'time-range': '3650' });
  assert.equal(all.code, 0, all.log);
  const full = (await dumpDatabase(rig.db, ['commits'])).commits;
  assert.ok(full.length > 5, `${full.length} commits on main`);
  const mainCommits = [...rig.scn.direct_commits].sort((a, b) => a.committed_at.localeCompare(b.committed_at));
  const pushed = mainCommits.slice(-3);
  await rig.db.truncateAll();
  const r = await onEvent('push', pushOf(pushed), { command: 'event' });
  assert.equal(r.code, 0, r.log);
  const got = (await dumpDatabase(rig.db, ['commits'])).commits;
  assert.deepEqual(got.map((c) => c.sha).sort(), pushed.map((c) => c.sha).sort());
  assert.deepEqual(got, full.filter((c) => pushed.some((p) => p.sha === c.sha)));
  assert.ok(r.gh.length <= 2, `${r.gh.length} requests: ${r.gh.map((e) => e.route).join(', ')}`);
  costs.push({ event: 'push (3 commits)', requests: r.gh.length, points: r.gh.reduce((s, e) => s + (e.cost || 0), 0),
    routes: r.gh.map((e) => `${e.route} (${e.resource}, ${e.cost})`) });
});

test('a push listing 20 commits (a payload lists no more) falls back to the time-range window, and says so', async () => {
  await rig.db.truncateAll();
  const all = await rig.run({ command: 'commit-analysis' });
  assert.equal(all.code, 0, all.log);
  const window = (await dumpDatabase(rig.db, ['commits'])).commits;
  const twenty = Array.from({ length: 20 }, (_, i) => rig.scn.direct_commits[i % rig.scn.direct_commits.length]);
  await rig.db.truncateAll();
  const r = await onEvent('push', pushOf(twenty), { command: 'event' });
  assert.equal(r.code, 0, r.log);
  assert.ok(notices(r).some((n) => /lists 20 commits.*capturing the commits of main since/.test(n.message)), r.log);
  assert.deepEqual((await dumpDatabase(rig.db, ['commits'])).commits, window);
});
