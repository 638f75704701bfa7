// The seeded fault campaign (issue 5): many runs, each against a fresh
// repository with random faults on GitHub and on the store. Every run must end
// completed, or partial and then completed by re-running the same job; the
// database must then equal a fault-free capture of the same data; nothing is
// duplicated, no job is left processing, nothing crashes or hangs. The tally is
// printed. PC_CAMPAIGN_RUNS (default 50 per store: 100 in all) and PC_CAMPAIGN_SEED change it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRig, STORE, TOKEN } from '../lib/rig.js';
import { dumpDatabase } from '../lib/dump.js';
import { expectedReviews, expectedComments, expectedFileRows } from '../lib/truth.js';
import { generateScenario } from '../fake-github/scenario.js';
import { rateLimitViolations } from '../fake-github/helpers.js';
import { mulberry32 } from '../lib/random.js';

const RUNS = Number(process.env.PC_CAMPAIGN_RUNS || 50);
const SEED = Number(process.env.PC_CAMPAIGN_SEED || 20261128);
const SCALE = 0.01; // back-off: a minute becomes 0.6 s; retry-after and resets stay exact
const MAX_RERUNS = 3;

// What each run asks for; every capture command, both APIs, lists and selections.
const PLANS = [
  { command: 'pr-all' },
  { command: 'pr-all', api: 'rest' },
  { command: 'pr-all', 'pr-numbers': '1-3,5' },
  { command: 'pr-details', api: 'rest' },
  { command: 'pr-details' },
  { command: 'pr-reviews' },
  { command: 'pr-comments', 'pr-numbers': '1-5' },
  { command: 'pr-comments', api: 'rest' },
  { command: 'repository-sync' },
  { command: 'commit-analysis' },
];

let rig;
before(async () => {
  rig = await startRig('campaign', { scenario: { seed: SEED, prs: 5 } });
});
after(async () => { await rig?.close(); });

const sleep = (ms) => new Promise((res) => setTimeout(res, ms));

// Waits until GitHub would take requests again: no budget of the token spent
// (a spent one renews at its reset), the last secondary limit's wait over. A
// run that stopped as partial did not wait; its re-run comes later.
async function budgetBack() {
  for (const resource of ['core', 'graphql']) {
    const b = rig.gh.getRateLimit(TOKEN, resource);
    if (b.remaining === 0) await sleep(Math.max(0, b.reset * 1000 - Date.now()) + 50);
  }
  const last = rig.gh.log.filter((x) => x.rateLimited && x.rateRemaining !== 0).at(-1);
  if (last) await sleep(Math.max(0, last.time + (last.retryAfter ?? 60 * SCALE) * 1000 - Date.now()) + 50);
}

// The tables a command writes, from the fault-free reference run.
const TABLES = ['repositories', 'contributors', 'pull_requests', 'pull_request_files', 'reviews', 'comments',
  'commits', 'pull_request_captures'];

test(`seeded fault campaign: ${RUNS} runs with random faults (store ${STORE})`, { timeout: 30 * 60_000 }, async () => {
  const rng = mulberry32(SEED);
  const tally = { runs: 0, completed: 0, resumed: 0, reruns: 0, githubFaults: {}, storeFaults: {}, waitedS: 0, retries: 0 };
  const add = (into, byKind) => { for (const [k, n] of Object.entries(byKind)) into[k] = (into[k] || 0) + n; };
  const base = { 'time-range': '3650', 'time-limit': '60', 'request-timeout': '1' };
  const env = { PROGRESSIVE_CAPTURE_BACKOFF_SCALE: String(SCALE) };

  for (let i = 0; i < RUNS; i++) {
    const plan = PLANS[i % PLANS.length];
    const scn = generateScenario({ seed: SEED + i, prs: 5 + (i % 4), maxFiles: 8, maxReviews: 3,
      maxIssueComments: 3, maxReviewComments: 3, maxCommits: 3 });
    rig.gh.setScenario(scn);
    rig.scn = scn;
    const what = `run ${i} (${JSON.stringify(plan)}, scenario seed ${SEED + i})`;

    // The reference: the same capture without faults.
    rig.gh.clearFaults();
    rig.gw?.clearFaults();
    await rig.db.truncateAll();
    const ref = await rig.run({ ...base, ...plan }, { env });
    assert.equal(ref.code, 0, `${what}, reference run:\n${ref.log}`);
    const want = await dumpDatabase(rig.db, TABLES);
    await rig.db.truncateAll();
    rig.clearLogs();

    // The same with faults: GitHub 5xx bursts, secondary limits with and
    // without retry-after, spent budgets, RATE_LIMITED, slow answers past
    // the timeout, dropped and cut answers, bad JSON; store 503/504/resets.
    const ghSeed = Math.floor(rng() * 2 ** 31);
    rig.gh.setRandomFaults({
      seed: ghSeed, rate: 0.12 + rng() * 0.13, maxBurst: 3, slowMs: 1300,
      retryAfter: rng() < 0.5 ? 1 : null,
      kinds: ['serverError', 'timeout', 'secondaryRateLimit', 'tooManyRequests', 'primaryExhausted',
        'graphqlRateLimited', 'slow', 'reset', 'resetMidBody', 'truncatedJson', 'malformedJson'],
    });
    rig.gw?.setRandomFaults({ seed: ghSeed + 1, rate: 0.05 + rng() * 0.1, maxBurst: 2 });
    // Some runs may wait only a second: a spent budget then stops them as partial.
    const inputs = { ...base, ...plan, ...(rng() < 0.3 ? { 'max-wait': '1' } : {}) };
    let r = await rig.run(inputs, { env, timeoutMs: 90_000 });
    const runs = [r];
    while (r.code === 3 && runs.length <= MAX_RERUNS) {
      assert.equal(r.outputs.status, 'partial', `${what}:\n${r.log}`);
      assert.notEqual(r.outputs['job-id'], '', `${what}: a partial run names its job`);
      // As a user would: re-run the job once GitHub's budget is back.
      await budgetBack();
      r = await rig.run({ ...inputs, 'job-id': r.outputs['job-id'] }, { env, timeoutMs: 90_000 });
      runs.push(r);
    }
    const logs = runs.map((x, k) => `--- try ${k + 1} (exit ${x.code})\n${x.log}`).join('\n');
    for (const x of runs) {
      assert.ok(typeof x.code === 'number', `${what}: killed (${x.code}): a crash or a hang\n${logs}`);
      assert.ok(!/AddressSanitizer|runtime error:/.test(x.log), `${what}: sanitizer report\n${logs}`);
    }
    assert.equal(r.code, 0, `${what}: did not complete\n${logs}\nGitHub faults: ${JSON.stringify(rig.gh.faultStats().drawn)}\nstore faults: ${JSON.stringify(rig.gw?.faultStats().drawn ?? [])}`);
    assert.equal(r.outputs.status, 'completed');
    assert.equal(r.outputs['resume-cursor'], '');
    assert.deepEqual(rateLimitViolations(rig.gh.log, { noRetryAfterMs: 60_000 * SCALE }), [],
      `${what}: a request went out before a limit allowed it`);

    add(tally.githubFaults, rig.gh.faultStats().byKind);
    if (rig.gw) add(tally.storeFaults, rig.gw.faultStats().byKind);
    rig.gh.setRandomFaults(null);
    rig.gw?.setRandomFaults(null);
    const got = await dumpDatabase(rig.db, TABLES);
    assert.deepEqual(got, want, `${what}: the database differs from the fault-free capture\n${logs}`);
    for (const t of ['pull_requests', 'reviews', 'comments'])
      assert.equal(new Set(got[t].map((x) => x.github_id)).size, got[t].length, `${what}: duplicate ${t}`);
    assert.equal(await rig.db.count('progressive_capture_jobs', "status = 'processing'"), 0, `${what}: a job left processing`);
    const statuses = (await rig.db.query('select status from progressive_capture_jobs')).map((x) => x.status);
    assert.ok(statuses.every((s) => s === 'completed'), `${what}: jobs ${statuses}`);

    tally.runs++;
    if (runs.length === 1) tally.completed++;
    else { tally.resumed++; tally.reruns += runs.length - 1; }
    for (const x of runs) {
      const m = /waited ([0-9.]+) s, ([0-9]+) retries/.exec(x.summary.replace(/\\(.)/g, '$1'));
      if (m) { tally.waitedS += Number(m[1]); tally.retries += Number(m[2]); }
    }
  }

  // The fault-free captures themselves match the ground truth for pr-all.
  const sum = (o) => Object.values(o).reduce((a, b) => a + b, 0);
  console.log(`fault campaign (${STORE}): ${tally.runs} runs: ${tally.completed} completed at once, ` +
    `${tally.resumed} partial then completed by ${tally.reruns} re-run(s); ` +
    `${sum(tally.githubFaults)} GitHub faults ${JSON.stringify(tally.githubFaults)}, ` +
    `${sum(tally.storeFaults)} store faults ${JSON.stringify(tally.storeFaults)}; ` +
    `${tally.retries} GitHub retries, ${tally.waitedS.toFixed(1)} s waited`);
  assert.equal(tally.runs, RUNS);
  assert.ok(sum(tally.githubFaults) >= RUNS, 'the campaign injected faults');
  if (rig.gw) assert.ok(sum(tally.storeFaults) >= RUNS / 4, 'the campaign injected store faults');
});

test('the campaign\'s reference is the ground truth', async () => {
  const scn = generateScenario({ seed: SEED, prs: 6, maxFiles: 8, maxReviews: 3, maxIssueComments: 3, maxReviewComments: 3 });
  rig.gh.setScenario(scn);
  rig.gh.clearFaults();
  rig.gw?.clearFaults();
  await rig.db.truncateAll();
  const r = await rig.run({ command: 'pr-all', 'time-range': '3650' });
  assert.equal(r.code, 0, r.log);
  const all = scn.pulls.map((p) => p.number);
  const d = await dumpDatabase(rig.db);
  assert.deepEqual(d.pull_request_files, expectedFileRows(scn, all));
  assert.deepEqual(d.reviews, expectedReviews(scn, all));
  assert.deepEqual(d.comments, expectedComments(scn, all));
});
