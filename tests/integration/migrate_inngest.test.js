// migrate-inngest: step 6 of the migration plan, "transfer pending Inngest
// jobs". The old queue's work - its job rows (inngest, pending, or processing
// with no sign of life for 10 minutes) and an export of its events - becomes
// pending jobs of this queue, one per repository and command, dispatched when
// a workflow is given; nothing twice (events naming rows, a second run, a run
// that stopped half-way); what cannot be mapped is listed with its reason.
// The export is tests/vectors/inngest-events.json; its repositoryIds and jobIds
// are the rows seeded here.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFixture } from '../compat/fixture.js';
import { startCapture } from '../compat/capture.js';
import { startRig, STORE } from '../lib/rig.js';
import { ROOT } from '../lib/runner.js';

const R1 = 'aaaaaaaa-0000-4000-8000-000000000001'; // acme/widgets
const R2 = 'aaaaaaaa-0000-4000-8000-000000000002'; // acme/gadgets
const J = (n) => `bbbbbbbb-0000-4000-8000-00000000000${n}`;
const SECRET = 'ghs_MIGRATE_TEST_SECRET'; // in the export's payloads: must go nowhere
const MIGRATED_BY = 'progressive-capture migrate-inngest';
const WF = 'capture.yml';

let rig;
let dir;
let events;
before(async () => {
  rig = await startRig('migrate', {
    scenario: { prs: 2 },
    github: {
      workflows: {
        [WF]: {
          runName: 'capture ${{ inputs.command }} ${{ inputs.repository }} [job ${{ inputs.job-id }}]',
          inputs: { command: {}, repository: {}, 'pr-numbers': {}, 'job-id': {} },
        },
        'disabled.yml': { state: 'disabled_manually' },
      },
    },
  });
  dir = mkdtempSync(join(tmpdir(), 'pc-migrate-'));
  events = join(dir, 'events.json');
  copyFileSync(join(ROOT, 'tests/vectors/inngest-events.json'), events);
});
after(async () => {
  await rig?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const ago = (s) => new Date(Date.now() - s * 1000).toISOString();

async function job(id, { status, type, processor = 'inngest', repo = R1, days = null, meta = {}, created = ago(7200), started = null }) {
  await rig.db.query(
    `insert into progressive_capture_jobs
       (id, job_type, processor_type, status, repository_id, time_range_days, metadata, created_at, started_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [id, type, processor, status, repo, days, JSON.stringify(meta), created, started]);
}

// The old queue as contributor.info's HybridQueueManager and Inngest left it.
async function seed() {
  await rig.db.truncateAll();
  await rig.db.query(
    `insert into repositories (id, github_id, full_name, owner, name) values
       ($1, 901, 'acme/widgets', 'acme', 'widgets'), ($2, 902, 'acme/gadgets', 'acme', 'gadgets')`, [R1, R2]);
  const hq = { created_by: 'hybrid_queue_manager', trigger_source: 'manual', rollout_applied: true };
  await job(J(1), { status: 'pending', type: 'pr-details', meta: { ...hq, repository_name: 'acme/widgets', pr_numbers: [1, 2], priority: 'high' } });
  // Sent to Inngest an hour ago, never heard of since: the run is gone.
  await job(J(2), { status: 'processing', type: 'recent-prs', repo: R2, days: 7, meta: { ...hq, repository_name: 'acme/gadgets' }, created: ago(3600), started: ago(3600) });
  // Live: just started; a heartbeat in its metadata; a fresh progress row.
  await job(J(3), { status: 'processing', type: 'reviews', started: ago(30) });
  await job(J(4), { status: 'pending', type: 'repository-issues', meta: { repository_name: 'acme/widgets' } });
  await job(J(5), { status: 'pending', type: 'pr-details', processor: 'github_actions', meta: { pr_numbers: [9] } });
  await job(J(6), { status: 'completed', type: 'pr-details', meta: { pr_numbers: [9] } });
  await job(J(7), { status: 'processing', type: 'pr-details', repo: R2, meta: { pr_numbers: [8], heartbeat_at: ago(60).replace(/\.\d+Z$/, 'Z') }, started: ago(3600) });
  await job(J(8), { status: 'processing', type: 'comments', repo: R2, meta: { pr_numbers: [8] }, started: ago(3600) });
  await rig.db.query(
    `insert into progressive_capture_progress (id, job_id, total_items, updated_at)
     values ('cccccccc-0000-4000-8000-000000000008', $1, 1, $2)`, [J(8), ago(20)]);
}

function migrate(inputs = {}) {
  return rig.run({
    command: 'migrate-inngest', 'events-file': events, repository: null, 'github-token': null, ...inputs,
  });
}

const rows = async () => rig.db.query('select * from progressive_capture_jobs order by id');
const byId = async (id) => (await rig.db.query('select * from progressive_capture_jobs where id = $1', [id]))[0];
const newJobs = async () => (await rows()).filter((j) => j.metadata?.created_by === MIGRATED_BY);
const cursorOf = async (id) =>
  (await rig.db.query('select resume_cursor, total_items from progressive_capture_progress where job_id = $1', [id]))[0];
const find = (jobs, command, name) => jobs.find((j) => j.metadata.command === command && j.metadata.repository_name === name);

beforeEach(async () => {
  await seed();
  rig.clearLogs();
});

test('the old queue\'s rows and events become one pending job per repository and command', async () => {
  const r = await migrate();
  assert.equal(r.code, 0, r.log);
  assert.deepEqual(
    [r.outputs.jobs, r.outputs.dispatched, r.outputs.merged, r.outputs['skipped-duplicates'], r.outputs.unmappable],
    ['4', '0', '5', '3', '7']);
  const made = await newJobs();
  assert.deepEqual(r.outputs['job-ids'].split('\n').sort(), made.map((j) => j.id).sort());
  for (const j of made) {
    assert.equal(j.status, 'pending');
    assert.equal(j.processor_type, 'github_actions');
  }
  // acme/widgets: the row's PRs 1-2, event 1's #3, event 13's #4 (named by owner/repo): one job.
  const details = find(made, 'pr-details', 'acme/widgets');
  assert.equal(details.job_type, 'pr-details');
  assert.equal(details.repository_id, R1);
  assert.deepEqual(details.metadata.pr_numbers, [1, 2, 3, 4]);
  assert.deepEqual(await cursorOf(details.id), { resume_cursor: 'v1:pr-details:1-4', total_items: 4 });
  const taken = details.metadata.migrated_from;
  assert.equal(taken.length, 3);
  assert.ok(taken.includes(J(1)) && taken.includes('id:01HZX0000000000000000000E1'));
  assert.ok(taken.some((k) => /^h:[0-9a-f]{16}$/.test(k)), 'event 13 has no id: its hash is its key');
  // acme/gadgets wants details, reviews and comments of PRs: one pr-all pass.
  const all = find(made, 'pr-all', 'acme/gadgets');
  assert.equal(all.job_type, 'historical-pr-sync');
  assert.deepEqual(await cursorOf(all.id), { resume_cursor: 'v1:pr-all:5-6', total_items: 2 });
  assert.equal(all.metadata.migrated_from.length, 3);
  // The stale row's sync and event 5's sync: one repository-sync over the longer window.
  const sync = find(made, 'repository-sync', 'acme/gadgets');
  assert.equal(sync.job_type, 'recent-prs');
  assert.equal(sync.time_range_days, 14);
  assert.equal((await cursorOf(sync.id)).resume_cursor, null);
  assert.deepEqual(sync.metadata.migrated_from.sort(), [J(2), 'id:01HZX0000000000000000000E5']);
  // repository.comments.all: the repository-wide comment lists.
  const wide = find(made, 'pr-comments', 'acme/widgets');
  assert.equal(wide.job_type, 'comments');
  assert.equal((await cursorOf(wide.id)).resume_cursor, null);
  assert.equal(made.length, 4);
});

test('the rows taken are cancelled with migrated_to, their metadata kept; no other row changes', async () => {
  const before = Object.fromEntries((await rows()).map((j) => [j.id, j]));
  const r = await migrate();
  assert.equal(r.code, 0, r.log);
  const made = await newJobs();
  const details = find(made, 'pr-details', 'acme/widgets');
  const sync = find(made, 'repository-sync', 'acme/gadgets');
  for (const [id, to] of [[J(1), details.id], [J(2), sync.id]]) {
    const j = await byId(id);
    assert.equal(j.status, 'cancelled');
    assert.equal(j.metadata.migrated_to, to);
    assert.ok(j.metadata.migrated_at);
    assert.equal(j.error, `migrated to GitHub Actions: progressive-capture job ${to}`);
    assert.equal(j.completed_at, null, 'not completed: no duration may count it');
    for (const [k, v] of Object.entries(before[id].metadata)) assert.deepEqual(j.metadata[k], v, k);
  }
  // Running (J3, J7 by its heartbeat, J8 by its progress row), unmappable, not theirs, done: untouched.
  for (const n of [3, 4, 5, 6, 7, 8]) assert.deepEqual(await byId(J(n)), before[J(n)], `row ${n}`);
});

test('what cannot be mapped, and what is skipped, is listed with the reason', async () => {
  const r = await migrate();
  assert.equal(r.code, 0, r.log);
  const reasons = [
    [`job row ${J(4)} (repository-issues, pending)`, 'not migrated', "no command does the job type 'repository-issues'"],
    ['event 8 (capture/repository.issues)', 'not migrated', "no command does the event 'capture/repository.issues'"],
    ['event 9 (capture/pr.reviews)', 'not migrated', 'repository aaaaaaaa-0000-4000-8000-0000000000ff has no row in repositories'],
    ['event 10 (capture/pr.comments)', 'not migrated', 'its data names no pull request (prNumber)'],
    ['event 11 (classify/repository.size)', 'not migrated', "no command does the event 'classify/repository.size'"],
    ['event 12 (capture/pr.reviews)', 'not migrated', 'cannot be read: data.prNumber is not a pull request number'],
    ['event 15', 'not migrated', 'cannot be read: not an object'],
    ['event 7 (capture/pr.details)', 'skipped', `the work of job row ${J(1)}`],
    ['event 14 (capture/pr.reviews)', 'skipped', `the work of job row ${J(3)}, still running`],
    ['event 16 (capture/pr.details)', 'skipped', 'the same work as event 13'],
    [`job row ${J(3)} (reviews, processing)`, 'left to the old queue', /^still running: its last sign of life was \d+ s ago$/],
    [`job row ${J(7)} (pr-details, processing)`, 'left to the old queue', /^still running/],
    [`job row ${J(8)} (comments, processing)`, 'left to the old queue', /^still running/],
  ];
  const table = r.summary.replace(/\\(.)/g, '$1').split('\n').filter((l) => l.startsWith('| '))
    .map((l) => l.slice(2, -2).split(' | '));
  for (const [label, outcome, why] of reasons) {
    const row = table.find((c) => c[0] === label);
    assert.ok(row, `a row for ${label}\n${r.summary}`);
    assert.equal(row[3], outcome, label);
    if (typeof why === 'string') assert.equal(row[4], why, label);
    else assert.match(row[4], why, label);
  }
  const lines = r.summary.replace(/\\(.)/g, '$1').split('\n');
  assert.match(lines.join('\n'), /22 items of the old queue: 9 migrated into 4 jobs \(5 merged/);
  const warn = r.commands.find((c) => c.name === 'warning' && /cannot be migrated/.test(c.message));
  assert.ok(warn, r.log);
});

test('a second run with the same export creates nothing', async () => {
  const first = await migrate();
  assert.equal(first.code, 0, first.log);
  const after1 = await rows();
  const r = await migrate();
  assert.equal(r.code, 0, r.log);
  assert.equal(r.outputs.jobs, '0');
  assert.equal(r.outputs['job-ids'], '');
  assert.equal(r.outputs['skipped-duplicates'], '10'); // 7 events migrated before, 7 and 14 name rows, 16 is 13
  assert.equal(r.outputs.unmappable, '7');
  assert.deepEqual(await rows(), after1);
  assert.match(r.summary, /migrated before, to job/);
  assert.match(r.summary.replace(/\\/g, ''), new RegExp(`the work of job row ${J(1)}, cancelled`));
});

test('a run that stopped between creating a job and marking its rows is finished, not repeated', async () => {
  // An earlier run created this job for J1 and event 1, and stopped before marking J1.
  const K = 'dddddddd-0000-4000-8000-000000000001';
  await job(K, {
    status: 'pending', type: 'pr-details', processor: 'github_actions', created: ago(60),
    meta: { created_by: MIGRATED_BY, command: 'pr-details', migrated_from: [J(1), 'id:01HZX0000000000000000000E1'] },
  });
  const r = await migrate();
  assert.equal(r.code, 0, r.log);
  const j1 = await byId(J(1));
  assert.equal(j1.status, 'cancelled');
  assert.equal(j1.metadata.migrated_to, K);
  const details = find(await newJobs(), 'pr-details', 'acme/widgets');
  assert.notEqual(details.id, K);
  assert.deepEqual(details.metadata.pr_numbers, [4], 'only event 13 is left for a new job');
  assert.equal(r.outputs['skipped-duplicates'], '5');
});

test('dispatched: each job starts the workflow with its command, repository, PRs and id', async () => {
  rig.gh.setDispatchRunDetails(true);
  const r = await migrate({ workflow: WF, 'workflow-repository': rig.repository, ref: 'main', 'github-token': 'ghp_test_token' });
  assert.equal(r.code, 0, r.log);
  assert.equal(r.outputs.jobs, '4');
  assert.equal(r.outputs.dispatched, '4');
  const sent = rig.gh.dispatches;
  assert.equal(sent.length, 4);
  const made = await newJobs();
  for (const j of made) {
    const d = sent.find((s) => s.inputs['job-id'] === j.id);
    assert.ok(d, `a dispatch for ${j.id}`);
    assert.equal(d.ref, 'main');
    assert.equal(d.inputs.command, j.metadata.command);
    assert.equal(d.inputs.repository, j.metadata.repository_name);
    assert.equal(String(j.workflow_run_id), String(d.run_id));
    assert.ok(j.metadata.dispatched_at);
    assert.equal(j.metadata.workflow, WF);
    assert.equal(j.status, 'pending', 'the run moves it on');
  }
  const all = find(made, 'pr-all', 'acme/gadgets');
  assert.deepEqual(sent.find((s) => s.inputs['job-id'] === all.id).inputs,
    { command: 'pr-all', repository: 'acme/gadgets', 'pr-numbers': '5-6', 'job-id': all.id });
  const sync = find(made, 'repository-sync', 'acme/gadgets');
  assert.deepEqual(sent.find((s) => s.inputs['job-id'] === sync.id).inputs,
    { command: 'repository-sync', repository: 'acme/gadgets', 'job-id': sync.id });
  assert.match(r.summary, /dispatched: http\S+\/actions\/runs\/\d+/);
});

test('a refused dispatch fails its job, leaves the old rows, and the next run takes the work', async () => {
  const refused = await migrate({ workflow: 'disabled.yml', 'workflow-repository': rig.repository, 'github-token': 'ghp_test_token' });
  assert.equal(refused.code, 1, refused.log);
  assert.equal(refused.outputs.jobs, '0');
  assert.equal(refused.outputs.dispatched, '0');
  assert.equal(refused.outputs['job-ids'], '');
  const [failed] = await newJobs();
  assert.equal(failed.status, 'failed');
  assert.match(failed.error, /disabled workflow/);
  assert.equal((await byId(J(1))).status, 'pending');
  assert.equal((await byId(J(2))).status, 'processing');
  const plain = refused.summary.replace(/\\(.)/g, '$1');
  assert.match(plain, /\| not migrated \| its job could not start \(run again\) \|/);
  assert.match(plain, /\| not migrated \| the run stopped before its job \(run again\) \|/);
  assert.match(plain, /it could not start, and its items stay with the old queue/);
  assert.match(plain, /0 migrated into 0 jobs/);
  const r = await migrate({ workflow: WF, 'workflow-repository': rig.repository, 'github-token': 'ghp_test_token' });
  assert.equal(r.code, 0, r.log);
  assert.equal(r.outputs.jobs, '4');
  assert.equal(r.outputs.dispatched, '4');
  assert.equal((await byId(J(1))).status, 'cancelled');
});

test('a dry run reports the same jobs and writes and sends nothing', async () => {
  const before = await rows();
  const r = await migrate({ 'dry-run': 'true', workflow: WF, 'workflow-repository': rig.repository });
  assert.equal(r.code, 0, r.log);
  assert.deepEqual(
    [r.outputs.jobs, r.outputs.dispatched, r.outputs.merged, r.outputs['skipped-duplicates'], r.outputs.unmappable],
    ['4', '0', '5', '3', '7']);
  assert.equal(r.outputs['job-ids'], '');
  assert.deepEqual(await rows(), before);
  assert.equal(await rig.db.count('progressive_capture_progress'), 1);
  assert.deepEqual(rig.gh.log, []);
  assert.match(r.summary, /Dry run: nothing was written/);
  assert.match(r.summary.replace(/\\(.)/g, '$1'), /A new job: pr-all #5-6 on acme\/gadgets, from 3 items/);
});

test('without a workflow it needs no token and asks GitHub nothing; payload tokens go nowhere', async () => {
  const r = await migrate();
  assert.equal(r.code, 0, r.log);
  assert.deepEqual(rig.gh.log, []);
  const stored = JSON.stringify(await rows());
  for (const text of [r.log, r.summary, JSON.stringify(r.outputs), stored]) assert.ok(!text.includes(SECRET));
});

test('with no events file it migrates the rows alone', async () => {
  const r = await migrate({ 'events-file': null });
  assert.equal(r.code, 0, r.log);
  assert.deepEqual([r.outputs.jobs, r.outputs.merged, r.outputs.unmappable], ['2', '0', '1']);
  const made = await newJobs();
  assert.deepEqual(find(made, 'pr-details', 'acme/widgets').metadata.pr_numbers, [1, 2]);
  assert.equal(find(made, 'repository-sync', 'acme/gadgets').time_range_days, 7);
});

test('bad settings are bad input, and nothing is read or sent', async () => {
  const notJson = join(dir, 'not.json');
  writeFileSync(notJson, '[{"name": ');
  for (const [inputs, code, words] of [
    [{ 'events-file': join(dir, 'missing.json') }, 2, /events-file '.*missing\.json' cannot be read/],
    [{ workflow: WF, 'workflow-repository': 'nope', 'github-token': 'ghp_test_token' }, 2, /workflow-repository as owner\/name/],
    [{ workflow: WF, 'workflow-repository': rig.repository }, 2, /needs a github-token/],
    [{ 'events-file': notJson }, 1, /not\.json': events file: invalid JSON/],
  ]) {
    const before = await rows();
    const r = await migrate(inputs);
    assert.equal(r.code, code, r.log);
    assert.match(r.commands.find((c) => c.name === 'error')?.message ?? r.log, words);
    assert.deepEqual(await rows(), before);
  }
  assert.deepEqual(rig.gh.log, []);
  assert.equal(readFileSync(events, 'utf8').length > 0, true);
});

// contributor.info's own database: their monitoring sees the hand-over as what it is.
test('on contributor.info\'s database their monitoring shows the rows handed over, not failed', { skip: STORE === 'sqlite' && 'PostgreSQL only' }, async () => {
  const fx = await createFixture('migrate');
  try {
    await fx.migrate();
    const [repo] = await fx.db.query('select id, full_name from repositories order by github_id limit 1');
    // As HybridQueueManager.createJobRecord and queueWithInngest leave them (the fixture
    // has two more: a pending comments job, and a sync that started 3 minutes ago).
    const meta = { repository_name: repo.full_name, trigger_source: 'manual', created_by: 'hybrid_queue_manager' };
    await fx.db.query(`insert into progressive_capture_jobs
        (job_type, repository_id, processor_type, status, metadata, created_at, started_at)
      values ('pr-details', $1, 'inngest', 'pending', $2, now(), null),
             ('recent-prs', $1, 'inngest', 'processing', $3, now() - interval '1 hour', now() - interval '1 hour')`,
    [repo.id, JSON.stringify({ ...meta, pr_numbers: [1, 2] }), JSON.stringify(meta)]);
    const metrics = async () => (await fx.db.query('select * from public.get_progressive_capture_metrics()'))[0];
    const before = await metrics();
    const cap = await startCapture(fx);
    try {
      const r = await cap.run({ command: 'migrate-inngest', repository: null, 'github-token': null });
      assert.equal(r.code, 0, r.log);
      assert.equal(r.outputs.jobs, '3', r.summary);
      assert.deepEqual(cap.failures(), []);
    } finally {
      await cap.close();
    }
    const stats = await fx.db.query(`select status, count::int as count
      from public.progressive_capture_stats where processor_type = 'inngest' order by 1`);
    assert.deepEqual(stats.find((x) => x.status === 'cancelled'), { status: 'cancelled', count: 3 });
    assert.deepEqual(stats.find((x) => x.status === 'processing'), { status: 'processing', count: 1 }, 'the live one');
    assert.equal(stats.find((x) => x.status === 'pending'), undefined);
    const after = await metrics();
    const n = (row, k) => Number(row[k]);
    assert.equal(n(after, 'failed_jobs'), n(before, 'failed_jobs'), 'a hand-over is no failure');
    assert.equal(n(after, 'completed_jobs'), n(before, 'completed_jobs'));
    assert.equal(n(after, 'processing_jobs'), n(before, 'processing_jobs') - 1);
    assert.equal(n(after, 'pending_jobs'), n(before, 'pending_jobs') - 2 + 3, 'the new jobs wait');
    assert.equal(n(after, 'inngest_jobs'), n(before, 'inngest_jobs'));
    assert.equal(n(after, 'github_actions_jobs'), n(before, 'github_actions_jobs') + 3);
    assert.equal(after.avg_completion_time_minutes, before.avg_completion_time_minutes);
  } finally {
    await fx.close();
  }
});
