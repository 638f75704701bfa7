// status: one job as the store and GitHub know it (issue 11). Without wait it
// reports; with wait it polls until the job ends and exits as the job did (0
// completed, 3 partial, 1 failed), also when the job goes stale or its run
// ends without it. The job rows are seeded and changed by the test while the
// binary waits; the run is a real dispatch to the fake GitHub.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startRig, TOKEN } from '../lib/rig.js';

const WF = 'capture-pr-details.yml';
// 100 ms polls: poll-interval 1 s, shortened tenfold.
const FAST = { env: { PROGRESSIVE_CAPTURE_BACKOFF_SCALE: '0.1' } };
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let rig;
before(async () => {
  rig = await startRig('status', {
    scenario: { prs: 2 },
    github: { workflows: { [WF]: { runName: 'capture [job ${{ inputs.job-id }}]', inputs: { 'job-id': {}, repository: {} } } } },
  });
});
after(async () => { await rig?.close(); });

// A job row and its progress row; returns the job's id.
async function seedJob({ status = 'processing', startedAgo = 120e3, beatAgo = 5e3, progressAgo = 5e3,
  total = 100, processed = 40, failed = 2, current = '#41', cursor = 'v1:pr-details:43-100',
  error = null, runId = null, runUrl = null } = {}) {
  const id = randomUUID();
  const now = Date.now();
  const meta = { command: 'pr-details' };
  if (beatAgo != null) meta.heartbeat_at = iso(now - beatAgo);
  if (runUrl) meta.workflow_run_url = runUrl;
  await rig.db.query(
    `insert into progressive_capture_jobs (id, job_type, processor_type, status, created_at, started_at,
       metadata, error, workflow_run_id) values ($1, 'pr-details', 'github_actions', $2, $3, $4, $5, $6, $7)`,
    [id, status, iso(now - startedAgo - 10e3), status === 'pending' ? null : iso(now - startedAgo),
      JSON.stringify(meta), error, runId]);
  await rig.db.query(
    `insert into progressive_capture_progress (id, job_id, total_items, processed_items, failed_items,
       current_item, resume_cursor, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [randomUUID(), id, total, processed - failed, failed, current, cursor, iso(now - progressAgo)]);
  return id;
}

function status(id, inputs = {}, opts = FAST) {
  return rig.run({ command: 'status', 'job-id': id, repository: null, 'poll-interval': '1', ...inputs }, opts);
}

// Ends a job as a capture would.
async function finish(id, state, error = null) {
  await rig.db.query(`update progressive_capture_jobs set status = $2, completed_at = $3, error = $4 where id = $1`,
    [id, state, iso(Date.now()), error]);
}

// The step summary without Markdown's escapes.
const plain = (r) => r.summary.replace(/\\(.)/g, '$1');
const errorOf = (r) => r.commands.filter((c) => c.name === 'error').map((c) => c.message).join('\n');

test('status of a working job: its state, progress, last sign of life and ETA', async () => {
  const id = await seedJob({ startedAgo: 120e3, beatAgo: 20e3, progressAgo: 7e3 });
  const r = await status(id);
  assert.equal(r.code, 0, r.log);
  const o = r.outputs;
  assert.equal(o.status, 'processing');
  assert.equal(o.processed, '38');
  assert.equal(o.failed, '2');
  assert.equal(o.total, '100');
  assert.equal(o.percent, '40');
  assert.equal(o['resume-cursor'], 'v1:pr-details:43-100');
  assert.equal(o.error, '');
  // The progress row was touched last, 7 s ago.
  assert.ok(Number(o['heartbeat-age']) >= 7 && Number(o['heartbeat-age']) <= 9, o['heartbeat-age']);
  // 120 s for 40 items: 60 left take 180 s.
  assert.ok(Math.abs(Number(o['eta-seconds']) - 180) <= 5, o['eta-seconds']);
  // No run recorded: nothing is asked of GitHub, and it says so.
  assert.equal(o['run-status'], '');
  assert.match(plain(r), /\| Run \| no workflow run recorded on the job yet \|/);
  assert.match(plain(r), /\| State \| processing \|/);
  assert.match(plain(r), /\| Progress \| 40 \/ 100 \(40 %\), 2 failed \|/);
  assert.match(plain(r), /\| Current item \| #41 \|/);
});

for (const [end, code, words] of [
  ['completed', 0, null],
  ['failed', 1, /job \S+ failed: boom: the store said no/],
  ['partial', 3, /stopped early \(partial\): job \S+ partial: rate limit/],
]) {
  test(`status --wait on a job that ends ${end} exits ${code}, as the job did`, async () => {
    const id = await seedJob();
    const running = status(id, { wait: 'true' });
    await sleep(700);
    await finish(id, end, { failed: 'boom: the store said no', partial: 'rate limit' }[end] ?? null);
    const r = await running;
    assert.equal(r.code, code, r.log);
    assert.equal(r.outputs.status, end);
    if (words) assert.match(errorOf(r), words);
    else assert.equal(errorOf(r), '');
    assert.match(r.log, /job \S+: processing, 40 \/ 100/, 'it said how the job stood while waiting');
  });
}

test('a partial job with fail-on-partial false: the wait succeeds with a warning', async () => {
  const id = await seedJob({ status: 'partial' });
  const r = await status(id, { wait: 'true', 'fail-on-partial': 'false' });
  assert.equal(r.code, 0, r.log);
  assert.equal(r.outputs.status, 'partial');
  assert.ok(r.commands.some((c) => c.name === 'warning' && /partial/.test(c.message)), r.log);
});

test('a job that goes stale while waited on ends the wait as failed', async () => {
  // Its last sign of life is 9 min 58 s old: stale two seconds into the wait.
  const id = await seedJob({ startedAgo: 3600e3, beatAgo: 598e3, progressAgo: 700e3 });
  const t0 = Date.now();
  const r = await status(id, { wait: 'true' });
  assert.equal(r.code, 1, r.log);
  assert.ok(Date.now() - t0 >= 1500, 'it was live when the wait began');
  assert.equal(r.outputs.status, 'stale');
  assert.equal(r.outputs['eta-seconds'], '');
  assert.ok(Number(r.outputs['heartbeat-age']) > 600);
  assert.match(errorOf(r), /job \S+ went stale: no sign of life for 6\d\d s \(its run is gone\)/);
  assert.match(plain(r), /Stale: processing with no sign of life for over 10 minutes/);
});

test('without wait a stale job is reported, and the step succeeds', async () => {
  const id = await seedJob({ startedAgo: 3600e3, beatAgo: 900e3, progressAgo: 900e3 });
  const r = await status(id);
  assert.equal(r.code, 0, r.log);
  assert.equal(r.outputs.status, 'stale');
});

test('a job-id with no row fails (exit 1), a missing one is bad input (exit 2)', async () => {
  const ghost = randomUUID();
  const r = await status(ghost);
  assert.equal(r.code, 1, r.log);
  assert.match(errorOf(r), new RegExp(`job '${ghost}' not found in progressive_capture_jobs`));
  const none = await status(null);
  assert.equal(none.code, 2, none.log);
  assert.match(errorOf(none), /status needs job-id/);
});

// A pending job with a real run in the fake GitHub, as dispatch leaves it.
async function dispatched() {
  const d = await rig.run({ command: 'dispatch', workflow: WF, 'workflow-repository': 'acme/widgets',
    'workflow-inputs': 'repository=acme/widgets', repository: null });
  assert.equal(d.code, 0, d.log);
  return { id: d.outputs['job-id'], runId: Number(d.outputs['run-id']), runUrl: d.outputs['run-url'] };
}

const runReads = (runId) => rig.gh.log.filter((e) => e.method === 'GET' && e.path.endsWith(`/actions/runs/${runId}`));

test('status reads the job\'s workflow run from GitHub: status, conclusion, URL', async () => {
  const { id, runId, runUrl } = await dispatched();
  rig.gh.setRunStatus(runId, 'in_progress');
  const r = await status(id);
  assert.equal(r.code, 0, r.log);
  assert.equal(r.outputs.status, 'pending');
  assert.equal(r.outputs['run-status'], 'in_progress');
  assert.equal(r.outputs['run-conclusion'], '');
  assert.equal(r.outputs['run-url'], runUrl);
  assert.match(plain(r), new RegExp(`\\| Run \\| ${runId}: in_progress \\|`));
});

test('status --wait follows a dispatched job to its end; GitHub is read no faster than the polls', async () => {
  const { id, runId } = await dispatched();
  rig.clearLogs();
  const t0 = Date.now();
  const running = status(id, { wait: 'true' });
  await sleep(400);
  rig.gh.setRunStatus(runId, 'in_progress');
  await rig.db.query(`update progressive_capture_jobs set status = 'processing', started_at = $2 where id = $1`,
    [id, iso(Date.now())]);
  await sleep(600);
  await finish(id, 'completed');
  rig.gh.setRunStatus(runId, 'completed', { conclusion: 'success' });
  const r = await running;
  assert.equal(r.code, 0, r.log);
  assert.equal(r.outputs.status, 'completed');
  const reads = runReads(runId).length;
  assert.ok(reads >= 2, `the run was read while waiting (${reads})`);
  assert.ok(reads <= (Date.now() - t0) / 100 + 1, `at most one read a poll (${reads})`);
});

test('a run that ended while its job never started ends the wait as failed', async () => {
  const { id, runId } = await dispatched();
  rig.gh.setRunStatus(runId, 'completed', { conclusion: 'startup_failure' });
  const r = await status(id, { wait: 'true' });
  assert.equal(r.code, 1, r.log);
  assert.equal(r.outputs.status, 'pending');
  assert.equal(r.outputs['run-conclusion'], 'startup_failure');
  assert.match(errorOf(r), new RegExp(`job ${id} is still pending but its run ${runId} ended \\(startup_failure\\)`));
});

test('a spent GitHub budget does not end the wait: the run goes unread, the job is followed', async () => {
  const { id, runId } = await dispatched();
  rig.gh.setRateLimit(TOKEN, 'core', { remaining: 0, reset: Math.floor(Date.now() / 1000) + 3600 });
  try {
    rig.clearLogs();
    const running = status(id, { wait: 'true' });
    await sleep(800);
    await finish(id, 'completed');
    const r = await running;
    assert.equal(r.code, 0, r.log);
    assert.equal(r.outputs['run-status'], '');
    assert.match(plain(r), /GitHub: .*rate limit/i);
    assert.ok(runReads(runId).length <= 1, 'a budget known spent is not asked again');
  } finally {
    rig.gh.setRateLimit(TOKEN, 'core', { remaining: 5000, reset: Math.floor(Date.now() / 1000) + 3600 });
  }
});

test('without a token the run is not read, and that is no error', async () => {
  const { id } = await dispatched();
  rig.clearLogs();
  const r = await status(id, { 'github-token': null });
  assert.equal(r.code, 0, r.log);
  assert.equal(r.outputs['run-status'], '');
  assert.ok(r.outputs['run-url'], 'the URL the job recorded');
  assert.match(plain(r), /no GitHub token: the run's state is not read/);
  assert.deepEqual(rig.gh.log, []);
  assert.deepEqual(r.commands.filter((c) => c.name === 'warning' || c.name === 'error'), []);
});

test('SIGTERM stops a wait at once', async () => {
  const id = await seedJob();
  let t;
  const r = await status(id, { wait: 'true', 'poll-interval': '10' }, {
    env: { PROGRESSIVE_CAPTURE_BACKOFF_SCALE: '1' },
    whileRunning: (child) => { setTimeout(() => { t = Date.now(); child.kill('SIGTERM'); }, 700); },
  });
  assert.ok(Date.now() - t < 2000, 'stopped within 2 s');
  assert.equal(r.code, 3, r.log);
  assert.match(r.log, /cancelled while waiting for job/);
});
