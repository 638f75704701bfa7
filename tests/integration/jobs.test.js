// Job tracking: the progressive_capture_jobs row and its progress row through
// every ending, and the contributor.info failure modes around them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startRig } from '../lib/rig.js';

let rig;
before(async () => { rig = await startRig('jobs', { scenario: { prs: 6 } }); });
after(async () => { await rig?.close(); });

async function job(id) {
  const [j] = await rig.db.query('select * from progressive_capture_jobs where id = $1', [id]);
  return j;
}

test('a run without job-id creates a job row and completes it with the run id and URL', async () => {
  const t0 = Date.now() - 1000;
  const r = await rig.run({ 'pr-numbers': '1,2' });
  assert.equal(r.code, 0, r.log);
  const j = await job(r.outputs['job-id']);
  assert.equal(j.status, 'completed');
  assert.equal(j.job_type, 'pr-details');
  assert.equal(j.processor_type, 'github_actions');
  assert.equal(j.workflow_run_id, '987654321');
  assert.equal(j.metadata.workflow_run_url, 'https://github.com/acme/capture-jobs/actions/runs/987654321');
  assert.deepEqual(j.metadata.pr_numbers, [1, 2]);
  assert.equal(j.error, null);
  assert.ok(j.started_at.getTime() >= t0 && j.completed_at >= j.started_at);
  const [repo] = await rig.db.query('select id from repositories');
  assert.equal(j.repository_id, repo.id);
  const progress = await rig.db.query('select * from progressive_capture_progress where job_id = $1', [j.id]);
  assert.equal(progress.length, 1);
  assert.equal(progress[0].total_items, 2);
  assert.equal(progress[0].processed_items, 2);
  assert.equal(progress[0].failed_items, 0);
  assert.equal(progress[0].current_item, '#2');
});

test('a given job-id is reported into, keeping the metadata another system wrote', async () => {
  const id = randomUUID();
  await rig.db.query(`insert into progressive_capture_jobs (id, job_type, status, metadata)
    values ($1, 'pr-details', 'pending', '{"trigger_source":"manual","priority":"high","rollout_applied":true}')`, [id]);
  const r = await rig.run({ 'pr-numbers': '3', 'job-id': id });
  assert.equal(r.code, 0, r.log);
  assert.equal(r.outputs['job-id'], id);
  const j = await job(id);
  assert.equal(j.status, 'completed');
  assert.equal(j.metadata.trigger_source, 'manual');
  assert.equal(j.metadata.priority, 'high');
  assert.equal(j.metadata.rollout_applied, true);
  assert.equal(j.metadata.repository_name, rig.repository);
  assert.equal(await rig.db.count('progressive_capture_jobs'), 2, 'no second row for the same job');
});

test('re-running the same job reuses its one progress row (PATCH by id, never an upsert on job_id)', async () => {
  const id = randomUUID();
  await rig.db.query(`insert into progressive_capture_jobs (id, job_type) values ($1, 'pr-details')`, [id]);
  for (let i = 0; i < 2; i++) {
    const r = await rig.run({ 'pr-numbers': '1,4', 'job-id': id, force: 'true' });
    assert.equal(r.code, 0, r.log);
  }
  const rows = await rig.db.query('select * from progressive_capture_progress where job_id = $1', [id]);
  assert.equal(rows.length, 1);
  assert.equal(rows[0].processed_items, 2);
});

test('a job-id with no row is a clear error, and nothing is captured', async () => {
  const id = randomUUID();
  rig.clearLogs();
  const r = await rig.run({ 'pr-numbers': '1', 'job-id': id });
  assert.equal(r.code, 1);
  const errors = r.commands.filter((c) => c.name === 'error');
  assert.equal(errors.length, 1, r.log);
  assert.match(errors[0].message, new RegExp(`job '${id}' not found in progressive_capture_jobs`));
  assert.equal(rig.gh.log.length, 0, 'GitHub was not asked');
  assert.equal(r.outputs.status, 'failed');
});

test('a failed run marks its job failed with the reason; none is left processing', async () => {
  const r = await rig.run({ 'pr-numbers': '1', 'github-token': 'ghp_wrong_token' });
  assert.equal(r.code, 1);
  const j = await job(r.outputs['job-id']);
  assert.equal(j.status, 'failed');
  assert.match(j.error, /401 Bad credentials/);
  assert.ok(j.completed_at);
  assert.equal(await rig.db.count('progressive_capture_jobs', "status = 'processing'"), 0);
});

test('a spent rate limit stops the run as partial (exit 3), or succeeds with a warning when allowed', async () => {
  rig.gh.setRateLimit('ghp_test_token', 'core', { remaining: 0, reset: Math.floor(Date.now() / 1000) + 3600 });
  try {
    const r = await rig.run({ 'pr-numbers': '1' });
    assert.equal(r.code, 3, r.log);
    assert.equal(r.outputs.status, 'partial');
    const j = await job(r.outputs['job-id']);
    assert.equal(j.status, 'partial');
    assert.match(j.error, /rate limit/);
    const r2 = await rig.run({ 'pr-numbers': '1', 'fail-on-partial': 'false' });
    assert.equal(r2.code, 0, r2.log);
    assert.equal(r2.outputs.status, 'partial');
    assert.ok(r2.commands.some((c) => c.name === 'warning' && /partial/.test(c.message)), r2.log);
  } finally {
    rig.gh.setRateLimit('ghp_test_token', 'core', { remaining: 5000, reset: Math.floor(Date.now() / 1000) + 3600 });
  }
});

test('the repository-id input is used when it names the repository, refused when it does not', async () => {
  const [repo] = await rig.db.query('select id from repositories');
  const r = await rig.run({ 'pr-numbers': '5', 'repository-id': repo.id });
  assert.equal(r.code, 0, r.log);
  const [pr] = await rig.db.query('select repository_id from pull_requests where number = 5');
  assert.equal(pr.repository_id, repo.id);

  const other = randomUUID();
  const r2 = await rig.run({ 'pr-numbers': '5', 'repository-id': other });
  assert.equal(r2.code, 1);
  assert.match(r2.commands.find((c) => c.name === 'error').message, /repository-id '.*' has no row in repositories/);

  await rig.db.query(`insert into repositories (id, github_id, full_name, owner, name) values ($1, 42, 'someone/else', 'someone', 'else')`, [other]);
  const r3 = await rig.run({ 'pr-numbers': '5', 'repository-id': other });
  assert.equal(r3.code, 1);
  assert.match(r3.commands.find((c) => c.name === 'error').message, /is the row of 'someone\/else'/);
});

// contributor.info's most common failure: a schema mismatch dropped data silently.
// Every run first checks the store has each column it writes or reads: one that
// is behind fails before GitHub is asked, naming every missing column and how to
// catch up, and the job row (its own table is whole) records why.
test('a column missing in the database fails the run before GitHub is asked, naming it', async () => {
  if (rig.gw) {
    await rig.db.query('alter table pull_requests rename column head_branch to head_branch_old');
    await rig.db.query('alter table pull_requests rename column mergeable to mergeable_old');
    await rig.gw.reloadSchema();
  } else {
    await rig.db.query('alter table pull_requests drop column mergeable');
  }
  rig.clearLogs();
  try {
    // SQLite: a dry run opens the file read-only, so it cannot add the column.
    const r = await rig.run({ 'pr-numbers': '6', ...(rig.gw ? {} : { 'dry-run': 'true' }) });
    assert.equal(r.code, 1, r.log);
    const err = r.commands.find((c) => c.name === 'error');
    assert.match(err.message, /the store's schema is behind: it lacks /);
    if (rig.gw) {
      assert.match(err.message, /lacks pull_requests\.head_branch, pull_requests\.mergeable - /);
      assert.match(err.message, /apply every file of db\/migrations/);
      const j = await job(r.outputs['job-id']);
      assert.equal(j.status, 'failed');
      assert.match(j.error, /pull_requests\.head_branch/);
    } else {
      assert.match(err.message, /lacks pull_requests\.mergeable - open it once without dry-run/);
    }
    assert.deepEqual(rig.gh.log, [], 'GitHub was not asked');
  } finally {
    if (rig.gw) {
      await rig.db.query('alter table pull_requests rename column head_branch_old to head_branch');
      await rig.db.query('alter table pull_requests rename column mergeable_old to mergeable');
      await rig.gw.reloadSchema();
    }
  }
  if (!rig.gw) {
    // Opened for writing, the file gets the column back and the run goes through.
    const r = await rig.run({ 'pr-numbers': '6' });
    assert.equal(r.code, 0, r.log);
    assert.match(r.log, /adding pull_requests\.mergeable/);
  }
});

// contributor.info looked for ".is('additions', null)", which never matches (default 0).
test('rows another system left without details are found and completed', async () => {
  await rig.db.truncateAll();
  const seed = await rig.run({ 'pr-numbers': '1,2,3' });
  assert.equal(seed.code, 0, seed.log);
  // Another writer stored PR 2 with zero counters and no sync mark.
  await rig.db.query(`update pull_requests set additions = 0, deletions = 0, changed_files = 0,
    commits = 0, last_synced_at = null where number = 2`);
  await rig.db.query(`delete from pull_request_files
    where pull_request_id in (select id from pull_requests where number = 2)`);
  const r = await rig.run({ 'time-range': '3650' });
  assert.equal(r.code, 0, r.log);
  const p2 = rig.scn.pulls.find((p) => p.number === 2);
  const [row] = await rig.db.query('select additions, changed_files from pull_requests where number = 2');
  assert.equal(row.additions, p2.additions);
  assert.equal(await rig.db.count('pull_request_files f join pull_requests p on p.id = f.pull_request_id', 'p.number = 2'), p2.files.length);
  // 1 and 3 were up to date; everything else was new.
  assert.equal(r.outputs.skipped, '2');
});
