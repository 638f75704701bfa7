// Rate limits, faults, cancellation and resuming, one behaviour at a time
// (issue 5). The seeded random campaign is fault_campaign.test.js.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { startRig, TOKEN, STORE } from '../lib/rig.js';
import { dumpDatabase } from '../lib/dump.js';
import { expectedReviews, expectedComments, expectedFileRows } from '../lib/truth.js';
import { FAULTS } from '../fake-github/server.js';
import { FAULTS as STORE_FAULTS } from '../postgrest/faults.js';
import { rateLimitViolations } from '../fake-github/helpers.js';

const TOKEN2 = 'ghp_second_token_of_the_pool';
const SCALE = 0.05; // PROGRESSIVE_CAPTURE_BACKOFF_SCALE: a one-minute back-off takes 3 s
const env = { PROGRESSIVE_CAPTURE_BACKOFF_SCALE: String(SCALE) };
const nowS = () => Math.floor(Date.now() / 1000);
// The summary is Markdown: its punctuation comes escaped.
const plain = (s) => s.replace(/\\(.)/g, '$1');
const PGRST_ONLY = { skip: STORE === 'sqlite' ? 'PostgREST only' : false };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let rig;
before(async () => {
  rig = await startRig('reliability', {
    scenario: { seed: 55, prs: 8, maxFiles: 12, maxReviews: 4, maxIssueComments: 4 },
    github: { tokens: [TOKEN, TOKEN2] },
  });
});
after(async () => { await rig?.close(); });

beforeEach(async () => {
  rig.gh.clearFaults();
  rig.gw?.clearFaults();
  for (const t of [TOKEN, TOKEN2])
    for (const r of ['core', 'graphql']) rig.gh.setRateLimit(t, r, { remaining: 5000, reset: nowS() + 3600 });
  await rig.db.truncateAll();
  rig.clearLogs();
});

const all = () => rig.scn.pulls.map((p) => p.number);

// The database holds every PR of numbers whole: files, reviews, comments.
async function assertCaptured(numbers) {
  const d = await dumpDatabase(rig.db);
  assert.deepEqual(d.pull_requests.map((p) => p.number).sort((a, b) => a - b), [...numbers].sort((a, b) => a - b));
  assert.deepEqual(d.pull_request_files, expectedFileRows(rig.scn, numbers));
  assert.deepEqual(d.reviews, expectedReviews(rig.scn, numbers));
  assert.deepEqual(d.comments, expectedComments(rig.scn, numbers));
}

async function jobRow(id) {
  const [j] = await rig.db.query(
    `select j.status, j.error, p.resume_cursor from progressive_capture_jobs j
       left join progressive_capture_progress p on p.job_id = j.id where j.id = '${id}'`);
  return j;
}

// The pull request numbers the fake GitHub was asked about, by REST path.
const askedPulls = () => new Set(rig.gh.log
  .map((r) => /\/pulls\/(\d+)(\/|$)/.exec(r.path)).filter(Boolean).map((m) => Number(m[1])));

test('a primary budget spent with its reset 3 s away: the run waits for it and completes', async () => {
  rig.gh.setRateLimit(TOKEN, 'graphql', { remaining: 0, reset: nowS() + 3 });
  rig.gh.setRateLimit(TOKEN2, 'graphql', { remaining: 0, reset: nowS() + 3 });
  const r = await rig.run({ command: 'pr-all', 'pr-numbers': '1,2,3' }, { env });
  assert.equal(r.code, 0, r.log);
  assert.equal(r.outputs.status, 'completed');
  assert.equal(r.outputs['resume-cursor'], '');
  assert.deepEqual(rateLimitViolations(rig.gh.log), []);
  assert.match(plain(r.summary), /Rate limits and faults: waited [1-9][0-9]*\.[0-9] s, [0-9]+ retries \(0 secondary limits, 0 server or network errors, 1 waits for a reset/);
  await assertCaptured([1, 2, 3]);
});

test('a primary budget spent with its reset an hour away: partial at once, with the cursor; the job re-run finishes only the rest', async () => {
  // PRs 1-3 are captured, then the budget is gone until an hour from now.
  rig.gh.addFault({ method: 'GET', path: `/repos/${rig.repository}/pulls/4`, ...FAULTS.primaryExhausted({ resetInSeconds: 3600 }) });
  rig.gh.setRateLimit(TOKEN2, 'core', { remaining: 0, reset: nowS() + 3600 });
  const inputs = { command: 'pr-all', api: 'rest', 'pr-numbers': '1-6' };
  const r = await rig.run(inputs, { env });
  assert.equal(r.code, 3, r.log);
  assert.equal(r.outputs.status, 'partial');
  assert.equal(r.outputs['resume-cursor'], 'v1:pr-all:4-6');
  assert.doesNotMatch(plain(r.summary), /waited [1-9]/, 'it did not wait for a reset an hour away');
  assert.ok(r.commands.some((c) => c.name === 'error' && /rate limit/.test(c.message)), r.log);
  const j = await jobRow(r.outputs['job-id']);
  assert.equal(j.status, 'partial');
  assert.equal(j.resume_cursor, 'v1:pr-all:4-6');
  await assertCaptured([1, 2, 3]);

  // The reset came: the same job, run again with the same inputs, takes PRs 4-6 alone.
  rig.gh.setRateLimit(TOKEN, 'core', { remaining: 5000, reset: nowS() + 3600 });
  rig.gh.setRateLimit(TOKEN2, 'core', { remaining: 5000, reset: nowS() + 3600 });
  rig.clearLogs();
  const r2 = await rig.run({ ...inputs, 'job-id': r.outputs['job-id'] }, { env });
  assert.equal(r2.code, 0, r2.log);
  assert.deepEqual([...askedPulls()].sort(), [4, 5, 6]);
  assert.equal(r2.outputs['resume-cursor'], '');
  assert.equal((await jobRow(r.outputs['job-id'])).status, 'completed');
  assert.equal((await jobRow(r.outputs['job-id'])).resume_cursor, null);
  await assertCaptured([1, 2, 3, 4, 5, 6]);
});

test('resume-cursor given to a new run captures only the pull requests it names', async () => {
  const r = await rig.run({ command: 'pr-all', api: 'rest', 'resume-cursor': 'v1:pr-all:2,5' }, { env });
  assert.equal(r.code, 0, r.log);
  assert.deepEqual([...askedPulls()].sort(), [2, 5]);
  await assertCaptured([2, 5]);
  const bad = await rig.run({ command: 'pr-details', 'resume-cursor': 'v1:pr-all:2,5' }, { env });
  assert.equal(bad.code, 2, bad.log);
  assert.match(bad.log, /resume-cursor is from pr-all, not pr-details/);
});

test('no request is sent after a secondary limit before its retry-after, or a minute without one', async () => {
  rig.gh.addFault({ method: 'GET', path: `/repos/${rig.repository}/pulls/2/files`, ...FAULTS.secondaryRateLimit({ status: 403, retryAfter: 2 }) });
  rig.gh.addFault({ method: 'GET', path: `/repos/${rig.repository}/pulls/3/reviews`, ...FAULTS.secondaryRateLimit({ status: 429, retryAfter: null }) });
  rig.gh.addFault({ method: 'GET', path: `/repos/${rig.repository}/issues/4/comments`, ...FAULTS.serverError(502) });
  const r = await rig.run({ command: 'pr-all', api: 'rest', 'pr-numbers': '1-4' }, { env });
  assert.equal(r.code, 0, r.log);
  const refused = rig.gh.log.filter((x) => x.rateLimited);
  assert.equal(refused.length, 2);
  assert.deepEqual(rateLimitViolations(rig.gh.log, { noRetryAfterMs: 60_000 * SCALE }), []);
  // Each refused request was sent again once, and nothing else was sent twice.
  const paths = rig.gh.log.map((x) => x.path);
  for (const p of refused.map((x) => x.path)) assert.equal(paths.filter((x) => x === p).length, 2, p);
  assert.match(plain(r.summary), /3 retries \(2 secondary limits, 1 server or network errors, 0 waits for a reset, 0 token switches\)/);
  await assertCaptured([1, 2, 3, 4]);
});

test('GraphQL RATE_LIMITED inside a 200 is a rate limit: waited for, then the query is sent again', async () => {
  rig.gh.addFault({ graphql: true, ...FAULTS.graphqlRateLimited() });
  const r = await rig.run({ command: 'pr-all', 'pr-numbers': '1,2' }, { env });
  assert.equal(r.code, 0, r.log);
  assert.deepEqual(rateLimitViolations(rig.gh.log), []);
  assert.match(plain(r.summary), /1 waits for a reset/);
  await assertCaptured([1, 2]);
});

test('the step summary and outputs count exactly the points GitHub charged', async () => {
  const before = { core: rig.gh.getRateLimit(TOKEN, 'core').used, graphql: rig.gh.getRateLimit(TOKEN, 'graphql').used };
  const r = await rig.run({ command: 'pr-all', 'pr-numbers': '1-8' }, { env });
  assert.equal(r.code, 0, r.log);
  const charged = rig.gh.getRateLimit(TOKEN, 'core').used - before.core + rig.gh.getRateLimit(TOKEN, 'graphql').used - before.graphql;
  assert.ok(charged > 0);
  assert.equal(Number(r.outputs['api-points']), charged);
  const gql = rig.gh.log.filter((x) => x.resource === 'graphql').reduce((n, x) => n + x.cost, 0);
  assert.match(plain(r.summary), new RegExp(`GraphQL costing ${gql} points`));
});

test('a pool of tokens: the second is used only once the first is spent, and both are masked', async () => {
  rig.gh.setRateLimit(TOKEN, 'core', { remaining: 4, reset: nowS() + 3600 });
  const r = await rig.run({ command: 'pr-all', api: 'rest', 'pr-numbers': '1-3', 'github-token': `${TOKEN}\n${TOKEN2}` }, { env });
  assert.equal(r.code, 0, r.log);
  const fp = rig.gh.log.filter((x) => x.route !== 'GET /rate_limit').map((x) => x.token);
  const first = fp[0];
  const switchAt = fp.findIndex((t) => t !== first);
  assert.ok(switchAt >= 4, `switched after ${switchAt} requests`);
  assert.ok(fp.slice(switchAt).every((t) => t === fp[switchAt]), 'never back to the first token');
  assert.equal(rig.gh.log.filter((x) => x.rateLimited).length, 0, 'no request was refused: the budget was known');
  assert.match(plain(r.summary), /1 token switches/);
  assert.ok(r.commands.filter((c) => c.name === 'add-mask').length >= 2);
  const shown = r.log.split('\n').filter((l) => !l.startsWith('::add-mask::')).join('\n');
  assert.ok(!shown.includes(TOKEN) && !shown.includes(TOKEN2));
  await assertCaptured([1, 2, 3]);
});

test('shards split the lacking pull requests between them, and each spends only its share of the budget', async () => {
  const inputs = { command: 'pr-details', api: 'rest', 'time-range': '3650', 'shard-total': '3' };
  const seen = [];
  for (const i of [0, 1, 2]) {
    rig.clearLogs();
    const r = await rig.run({ ...inputs, 'shard-index': String(i) }, { env });
    assert.equal(r.code, 0, r.log);
    const mine = [...askedPulls()];
    assert.ok(mine.every((n) => n % 3 === i), `shard ${i} took ${mine}`);
    seen.push(...mine);
  }
  assert.deepEqual(seen.sort((a, b) => a - b), all());
  const d = await dumpDatabase(rig.db);
  assert.deepEqual(d.pull_request_files, expectedFileRows(rig.scn, all()));

  // 3 shards sharing 30 requests: this one stops after about 10, as partial.
  await rig.db.truncateAll();
  rig.clearLogs();
  rig.gh.setRateLimit(TOKEN, 'core', { remaining: 30, reset: nowS() + 3600 });
  const r = await rig.run({ ...inputs, 'shard-index': '0', 'shard-total': '3', 'time-range': '3650', command: 'pr-all' }, { env });
  assert.equal(r.code, 3, r.log);
  const sent = rig.gh.log.filter((x) => x.resource === 'core').length;
  assert.ok(sent <= 11, `${sent} requests for a share of 10`);
  assert.match(r.log, /share/);
  assert.notEqual(r.outputs['resume-cursor'], '');
});

test('SIGTERM: the run stops within 5 s, keeps what it wrote, and leaves a partial job with its cursor', async () => {
  rig.gh.setLatency(250);
  let signalled = 0;
  try {
    const r = await rig.run({ command: 'pr-all', api: 'rest', 'pr-numbers': '1-8' }, {
      env,
      whileRunning: async (child, closed) => {
        let done = false;
        closed.then(() => { done = true; });
        while (!done) {
          if (await rig.db.count('pull_request_captures', "part = 'details'") >= 2) {
            signalled = Date.now();
            child.kill('SIGTERM');
            return;
          }
          await sleep(50);
        }
      },
    });
    const took = Date.now() - signalled;
    assert.ok(signalled > 0, `the run ended before it was signalled:\n${r.log}`);
    assert.equal(r.code, 3, r.log);
    assert.ok(took < 5000, `stopped ${took} ms after SIGTERM`);
    assert.equal(r.outputs.status, 'partial');
    const left = r.outputs['resume-cursor'];
    assert.match(left, /^v1:pr-all:/);
    const j = await jobRow(r.outputs['job-id']);
    assert.equal(j.status, 'partial');
    assert.equal(j.resume_cursor, left);
    assert.match(plain(r.summary), /partial/);
    const done = (await rig.db.query(`select number from pull_request_captures where part = 'details' order by number`))
      .map((x) => x.number);
    assert.ok(done.length >= 2 && done.length < 8);
    rig.gh.setLatency(0);
    const r2 = await rig.run({ command: 'pr-all', api: 'rest', 'pr-numbers': '1-8', 'job-id': r.outputs['job-id'] }, { env });
    assert.equal(r2.code, 0, r2.log);
    await assertCaptured(all());
  } finally {
    rig.gh.setLatency(0);
  }
});

test('a long job that waits is kept alive by its heartbeat; the reaper of db/migrations fails only dead ones', PGRST_ONLY, async () => {
  rig.gh.setRateLimit(TOKEN, 'graphql', { remaining: 0, reset: nowS() + 3 });
  rig.gh.setRateLimit(TOKEN2, 'graphql', { remaining: 0, reset: nowS() + 3 });
  let reaped = null, oldReaperWould = null;
  const r = await rig.run({ command: 'pr-all', 'pr-numbers': '1' }, {
    env,
    whileRunning: async (child, closed) => {
      let done = false;
      closed.then(() => { done = true; });
      // Once the run waits: make it look an hour old, as a long backfill is;
      // its progress row, written by the run, is what shows it alive.
      while (!done) {
        const rows = await rig.db.query(`select id from progressive_capture_jobs where status = 'processing'`);
        if (rows.length === 1) {
          await sleep(500);
          await rig.db.query(`update progressive_capture_jobs set started_at = now() - interval '1 hour'`);
          oldReaperWould = (await rig.db.query(`select count(*)::int as n from progressive_capture_jobs
            where status = 'processing' and started_at < now() - interval '10 minutes'`))[0].n;
          reaped = (await rig.db.query('select public.progressive_capture_reap_stale_jobs() as n'))[0].n;
          return;
        }
        await sleep(50);
      }
    },
  });
  assert.equal(r.code, 0, r.log);
  assert.equal(oldReaperWould, 1, 'contributor.info\'s reaper would have failed the live job');
  assert.equal(reaped, 0, 'the live job was kept');
  const [j] = await rig.db.query('select status from progressive_capture_jobs');
  assert.equal(j.status, 'completed');
  const [p] = await rig.db.query(`select extract(epoch from now() - updated_at) as age from progressive_capture_progress`);
  assert.ok(Number(p.age) < 60, 'the progress row was touched at the end');

  // A job with no sign of life for 10 minutes is failed, with the reason.
  await rig.db.query(`update progressive_capture_jobs set status = 'processing', error = null,
    started_at = now() - interval '2 hours', metadata = '{"heartbeat_at": "2020-01-01T00:00:00Z"}'`);
  // (past the trigger that stamps every update of the row)
  await rig.db.query(`begin; set local session_replication_role = replica;
    update progressive_capture_progress set updated_at = now() - interval '11 minutes'; commit`);
  assert.equal((await rig.db.query('select public.progressive_capture_reap_stale_jobs() as n'))[0].n, 1);
  const [dead] = await rig.db.query('select status, error from progressive_capture_jobs');
  assert.equal(dead.status, 'failed');
  assert.match(dead.error, /no heartbeat for 00:10:00/);
});

test('a store answering 4xx fails the run loudly with its message, and is not retried', PGRST_ONLY, async () => {
  rig.gw.addFault({ method: 'POST', path: '/pull_request_files', ...STORE_FAULTS.clientError() });
  const r = await rig.run({ command: 'pr-details', 'pr-numbers': '1' }, { env });
  assert.equal(r.code, 1, r.log);
  const errs = r.commands.filter((c) => c.name === 'error');
  assert.equal(errs.length, 1, r.log);
  assert.match(errs[0].message, /400 PGRST100/);
  assert.equal(rig.gw.log.filter((x) => x.method === 'POST' && x.path.endsWith('/pull_request_files')).length, 1);
  const j = await jobRow(r.outputs['job-id']);
  assert.equal(j.status, 'failed');
  assert.match(j.error, /PGRST100/);
});

test('a store that stays down fails the run with a clear message and a cursor; the re-run completes', PGRST_ONLY, async () => {
  // PRs 1-2 go in; then comments cannot be written, whatever the retries.
  rig.gw.addFault({ method: 'POST', path: '/comments', times: 1000, ...STORE_FAULTS.unavailable() });
  const inputs = { command: 'pr-all', 'pr-numbers': '1-6' };
  const r = await rig.run(inputs, { env });
  assert.equal(r.code, 1, r.log);
  assert.equal(r.outputs.status, 'failed');
  const errs = r.commands.filter((c) => c.name === 'error');
  assert.equal(errs.length, 1, r.log);
  assert.match(errs[0].message, /upsert .* comments: 503 PGRST001/);
  const cursor = r.outputs['resume-cursor'];
  assert.match(cursor, /^v1:pr-all:[0-9]/);
  const posts = rig.gw.log.filter((x) => x.method === 'POST' && x.path.endsWith('/comments')).length;
  assert.equal(posts, 6, 'the first try and 5 retries');
  assert.match(plain(r.summary), /Store faults: 5 requests sent again/);
  const j = await jobRow(r.outputs['job-id']);
  assert.equal(j.status, 'failed');
  assert.equal(j.resume_cursor, cursor);

  rig.gw.clearFaults();
  const r2 = await rig.run({ ...inputs, 'resume-cursor': cursor }, { env });
  assert.equal(r2.code, 0, r2.log);
  const reviews = expectedReviews(rig.scn, [1, 2, 3, 4, 5, 6]);
  assert.deepEqual((await dumpDatabase(rig.db)).reviews, reviews);
  assert.deepEqual((await dumpDatabase(rig.db)).comments, expectedComments(rig.scn, [1, 2, 3, 4, 5, 6]));
});

test('a 504 the retry gets past leaves no error behind', PGRST_ONLY, async () => {
  rig.gw.addFault({ method: 'POST', path: '/comments', ...STORE_FAULTS.gatewayTimeout() });
  rig.gw.addFault({ method: 'POST', path: '/reviews', ...STORE_FAULTS.resetAfterCommit() });
  const r = await rig.run({ command: 'pr-all', 'pr-numbers': '1-3' }, { env });
  assert.equal(r.code, 0, r.log);
  assert.equal(r.commands.filter((c) => c.name === 'error').length, 0, r.log);
  // libcurl itself sends again a request whose reused connection died before
  // any answer, so the dropped one may not be seen: both were sent twice.
  const posts = (t) => rig.gw.log.filter((x) => x.method === 'POST' && x.path.endsWith(`/${t}`)).length;
  assert.ok(posts('comments') >= 2 && posts('reviews') >= 2);
  const warns = r.commands.filter((c) => c.name === 'warning' && /store:/.test(c.message));
  assert.ok(warns.length >= 1, r.log);
  assert.ok(warns.every((w) => !w.message.includes('<') && !w.message.includes('\n')), 'an HTML page is cut to its title');
  assert.match(warns.map((w) => w.message).join('\n'), /504 Gateway Time-out; trying again/);
  await assertCaptured([1, 2, 3]);
});
