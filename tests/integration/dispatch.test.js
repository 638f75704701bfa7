// dispatch: what contributor.info's frontend queue manager did, done right
// (issue 11): a pending job row with its metadata, then workflow_dispatch with
// the job id among the inputs; the run's id from GitHub's answer
// (return_run_details), or, from a GitHub that answers 204 without it, the run
// whose title carries the job id - never a time-window guess; a refused
// dispatch fails the job with GitHub's words.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRig } from '../lib/rig.js';

const WF = 'capture-pr-details.yml';
let rig;
before(async () => {
  rig = await startRig('dispatch', {
    scenario: { prs: 3 },
    github: {
      workflows: {
        [WF]: {
          name: 'Capture PR details',
          runName: 'capture pr-details ${{ inputs.repository }} [job ${{ inputs.job-id }}]',
          inputs: { repository: {}, 'pr-numbers': {}, 'job-id': {}, 'time-range': {} },
        },
        'disabled.yml': { state: 'disabled_manually' },
        'capture-pr-reviews.yml': {},
      },
    },
  });
});
after(async () => { await rig?.close(); });

async function job(id) {
  const [j] = await rig.db.query('select * from progressive_capture_jobs where id = $1', [id]);
  return j;
}

function dispatch(extra = {}) {
  return rig.run({
    command: 'dispatch', workflow: WF, 'workflow-repository': 'acme/widgets', ref: 'main',
    'workflow-inputs': 'repository=acme/widgets\npr-numbers=1,2,3', repository: null, ...extra,
  });
}

test('dispatch records a pending job, starts the workflow with its id, and stores the run GitHub names', async () => {
  rig.gh.setDispatchRunDetails(true);
  const r = await dispatch();
  assert.equal(r.code, 0, r.log);
  const id = r.outputs['job-id'];
  const [sent] = rig.gh.dispatches.slice(-1);
  assert.equal(sent.ref, 'main');
  assert.equal(sent.return_run_details, true);
  assert.deepEqual(sent.inputs, { repository: 'acme/widgets', 'pr-numbers': '1,2,3', 'job-id': id });
  const j = await job(id);
  assert.equal(j.status, 'pending');
  assert.equal(j.job_type, 'pr-details');
  assert.equal(j.processor_type, 'github_actions');
  assert.equal(String(j.workflow_run_id), String(sent.run_id));
  assert.equal(r.outputs['run-id'], String(sent.run_id));
  assert.match(r.outputs['run-url'], new RegExp(`/actions/runs/${sent.run_id}$`));
  assert.equal(j.metadata.repository_name, 'acme/widgets');
  assert.equal(j.metadata.workflow, WF);
  assert.equal(j.metadata.workflow_run_url, r.outputs['run-url']);
  assert.ok(j.metadata.dispatched_at);
  // The job's work is its cursor: a run given only its id takes exactly these PRs.
  const [p] = await rig.db.query('select total_items, resume_cursor from progressive_capture_progress where job_id = $1', [id]);
  assert.deepEqual(p, { total_items: 3, resume_cursor: 'v1:pr-details:1-3' });
});

test('a GitHub that answers 204 without details: the run is the one whose title carries the job id', async () => {
  rig.gh.setDispatchRunDetails(false);
  try {
    // A run of the same workflow just before, with another job: a time window would take it.
    const decoy = await dispatch();
    assert.equal(decoy.code, 0, decoy.log);
    const r = await dispatch();
    assert.equal(r.code, 0, r.log);
    const id = r.outputs['job-id'];
    const [sent] = rig.gh.dispatches.slice(-1);
    assert.equal(sent.return_run_details, true, 'asked for them all the same');
    assert.equal(r.outputs['run-id'], String(sent.run_id));
    assert.notEqual(r.outputs['run-id'], decoy.outputs['run-id']);
    assert.equal(String((await job(id)).workflow_run_id), String(sent.run_id));
    const lists = rig.gh.log.filter((e) => e.method === 'GET' && /\/actions\/workflows\/.*\/runs/.test(e.path));
    assert.ok(lists.length >= 1);
    assert.equal(lists.at(-1).query.event, 'workflow_dispatch');
    assert.match(lists.at(-1).query.created, /^>=\d{4}-\d\d-\d\dT/);
  } finally {
    rig.gh.setDispatchRunDetails(true);
  }
});

test('a refused dispatch fails its job with GitHub\'s words and exits 1', async () => {
  const r = await dispatch({ workflow: 'disabled.yml', 'workflow-inputs': 'command=pr-details' });
  assert.equal(r.code, 1, r.log);
  const id = r.outputs['job-id'];
  assert.ok(id);
  const j = await job(id);
  assert.equal(j.status, 'failed');
  assert.match(j.error, /Cannot trigger a 'workflow_dispatch' on a disabled workflow/);
  assert.ok(j.completed_at);
  const err = r.commands.find((c) => c.name === 'error');
  assert.match(err.message, /disabled workflow/);
});

test('an input the workflow does not take: GitHub\'s 422 names it, the job fails', async () => {
  const r = await dispatch({ 'workflow-inputs': 'repository=acme/widgets\nbogus=1' });
  assert.equal(r.code, 1, r.log);
  assert.match((await job(r.outputs['job-id'])).error, /Unexpected inputs provided: \["bogus"\]/);
});

test('bad settings are bad input, and nothing is sent', async () => {
  rig.clearLogs();
  for (const [extra, words] of [
    [{ workflow: null }, /dispatch needs workflow/],
    [{ 'workflow-repository': 'nope' }, /workflow-repository as owner\/name/],
    [{ 'workflow-inputs': 'job-id=x' }, /job-id is the new job's/],
    [{ 'workflow-inputs': 'no equals sign' }, /is not name=value/],
    [{ workflow: 'other.yml', 'workflow-inputs': 'a=b' }, /which command does 'other.yml' run/],
  ]) {
    const r = await dispatch(extra);
    assert.equal(r.code, 2, r.log);
    assert.match(r.commands.find((c) => c.name === 'error').message, words);
  }
  assert.deepEqual(rig.gh.log, []);
});

test('the command comes from capture-<command>.yml when no command input is given', async () => {
  const r = await dispatch({ workflow: 'capture-pr-reviews.yml', 'workflow-inputs': 'repository=acme/widgets' });
  assert.equal(r.code, 0, r.log);
  const j = await job(r.outputs['job-id']);
  assert.equal(j.job_type, 'reviews');
  assert.equal(j.metadata.command, 'pr-reviews');
});
