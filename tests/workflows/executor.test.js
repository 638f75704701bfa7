// The workflow executor itself, on small workflows written for each rule: a
// matrix from a job's output, reusable workflows with typed inputs, secrets
// and outputs, if: conditions and how failure and skipping travel along
// `needs`, steps' outputs and env, concurrency groups, and OUR action's step
// run with the runner's conventions (a stand-in binary that reports what it
// was given). No store and no GitHub: these run in about a second.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runWorkflow, WorkflowInputError } from './executor.js';
import { expandMatrix } from './matrix.js';
import { evaluate, evaluateTemplateString } from './expressions.js';

const dirs = [];
process.on('exit', () => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A repository holding these workflow files (name -> text); returns its root. */
function repo(files) {
  const root = mkdtempSync(join(tmpdir(), 'pc-wf-'));
  dirs.push(root);
  mkdirSync(join(root, '.github/workflows'), { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(root, '.github/workflows', name), text);
  return root;
}

const exec = (root, file, opts = {}) => runWorkflow({ root, workflow: `.github/workflows/${file}`, ...opts });

// A stand-in for OUR binary: writes what it received (INPUT_* and a few runner
// variables) as its `seen` output, and `code` as its exit code.
function fakeBinary() {
  const dir = mkdtempSync(join(tmpdir(), 'pc-fakebin-'));
  dirs.push(dir);
  const bin = join(dir, 'fake-action.cjs');
  writeFileSync(bin, `#!/usr/bin/env node
const fs = require('fs');
const pick = (re) => Object.fromEntries(Object.entries(process.env).filter(([k]) => re.test(k)));
const seen = { inputs: pick(/^INPUT_/), github: pick(/^GITHUB_(REPOSITORY|RUN_ID|WORKFLOW|EVENT_NAME|JOB|ACTIONS|API_URL)$/),
  runner: pick(/^RUNNER_OS$/), mine: pick(/^MY_/), cwd: process.cwd(), workspace: process.env.GITHUB_WORKSPACE };
fs.writeFileSync('from-action.txt', 'written in the workspace');
fs.appendFileSync(process.env.GITHUB_OUTPUT, 'seen<<EOF_X\\n' + JSON.stringify(seen) + '\\nEOF_X\\nstatus=completed\\n');
fs.appendFileSync(process.env.GITHUB_STEP_SUMMARY, '### summary\\n');
if (process.env['INPUT_DRY-RUN'] === 'true') { console.log('::error::told to fail'); process.exit(3); }
`);
  chmodSync(bin, 0o755);
  return bin;
}

test('a matrix from a job output calls a reusable workflow per leg; typed inputs, outputs back, needs results', async () => {
  const root = repo({
    'main.yml': `
on:
  workflow_dispatch:
    inputs:
      who: { type: string, default: world }
jobs:
  plan:
    runs-on: ubuntu-latest
    outputs:
      matrix: \${{ steps.m.outputs.matrix }}
    steps:
      - id: m
        run: echo 'matrix={"include":[{"n":1,"tag":"a"},{"n":2,"tag":"b"},{"n":3,"tag":"c"}]}' >> "$GITHUB_OUTPUT"
  legs:
    needs: plan
    strategy:
      matrix: \${{ fromJSON(needs.plan.outputs.matrix) }}
      max-parallel: 2
      fail-fast: false
    uses: ./.github/workflows/called.yml
    with:
      n: \${{ matrix.n }}
      label: \${{ inputs.who }}-\${{ matrix.tag }}
  after:
    needs: [plan, legs]
    runs-on: ubuntu-latest
    steps:
      - id: s
        run: echo "seen=\${{ needs.legs.result }} \${{ needs.legs.outputs.doubled }}" >> "$GITHUB_OUTPUT"
`,
    'called.yml': `
on:
  workflow_call:
    inputs:
      n: { type: number, required: true }
      label: { type: string }
      flag: { type: boolean }
      note: { type: string, default: 'from \${{ github.repository }}' }
    outputs:
      doubled:
        value: \${{ jobs.work.outputs.d }}
      label:
        value: \${{ inputs.label }}/\${{ inputs.flag }}/\${{ inputs.note }}
jobs:
  work:
    runs-on: ubuntu-latest
    outputs:
      d: \${{ steps.s.outputs.d }}
    steps:
      - id: s
        run: echo "d=$(( \${{ inputs.n }} * 2 ))" >> "$GITHUB_OUTPUT"
`,
  });
  const run = await exec(root, 'main.yml', { inputs: { who: 'me' } });
  assert.equal(run.result, 'success', run.log.join('\n'));
  const legs = run.jobs.legs;
  assert.deepEqual(legs.strategy, { matrix: [{ n: 1, tag: 'a' }, { n: 2, tag: 'b' }, { n: 3, tag: 'c' }], failFast: false, maxParallel: 2 });
  assert.deepEqual(legs.instances.map((i) => i.call.inputs), [
    { n: 1, label: 'me-a', flag: false, note: 'from acme/capture-jobs' },
    { n: 2, label: 'me-b', flag: false, note: 'from acme/capture-jobs' },
    { n: 3, label: 'me-c', flag: false, note: 'from acme/capture-jobs' },
  ]);
  assert.deepEqual(legs.instances.map((i) => i.outputs), [
    { doubled: '2', label: 'me-a/false/from acme/capture-jobs' },
    { doubled: '4', label: 'me-b/false/from acme/capture-jobs' },
    { doubled: '6', label: 'me-c/false/from acme/capture-jobs' },
  ]);
  assert.deepEqual(legs.instances.map((i) => i.name), ['legs (1, a)', 'legs (2, b)', 'legs (3, c)']);
  // A matrix job's output is the last finished leg's.
  assert.deepEqual(legs.outputs, { doubled: '6', label: 'me-c/false/from acme/capture-jobs' });
  assert.equal(run.jobs.after.instances[0].steps[0].outputs.seen, 'success 6');
});

test('an empty matrix fails its job as on GitHub; an if: on the plan skips it instead', async () => {
  const wf = (guard) => `
on: workflow_dispatch
jobs:
  plan:
    runs-on: ubuntu-latest
    outputs:
      matrix: '{"include":[]}'
      needed: 'false'
    steps:
      - run: 'true'
  capture:
    needs: plan
    ${guard ? "if: needs.plan.outputs.needed == 'true'" : ''}
    strategy:
      matrix: \${{ fromJSON(needs.plan.outputs.matrix) }}
    runs-on: ubuntu-latest
    steps:
      - run: 'true'
  report:
    needs: [plan, capture]
    if: always()
    runs-on: ubuntu-latest
    steps:
      - run: 'true'
`;
  const root = repo({ 'bare.yml': wf(false), 'guarded.yml': wf(true) });
  const bare = await exec(root, 'bare.yml');
  assert.equal(bare.jobs.capture.result, 'failure');
  assert.match(bare.jobs.capture.errors[0], /Error when evaluating 'strategy' for job 'capture'\. Matrix must define at least one vector/);
  assert.equal(bare.result, 'failure');
  const guarded = await exec(root, 'guarded.yml');
  assert.equal(guarded.jobs.capture.result, 'skipped');
  assert.equal(guarded.jobs.capture.instances.length, 0);
  assert.equal(guarded.jobs.report.result, 'success', 'always() runs after a skipped need');
  assert.equal(guarded.result, 'success');
});

test('if: conditions: a failure skips its dependents, always() and failure() still run, skipping travels on', async () => {
  const root = repo({
    'f.yml': `
on: workflow_dispatch
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - id: one
        run: echo "x=1" >> "$GITHUB_OUTPUT"
      - id: two
        run: exit 3
      - id: three
        run: echo never
      - id: cleanup
        if: failure() && steps.two.outcome == 'failure'
        run: echo "ran=yes" >> "$GITHUB_OUTPUT"
      - id: tolerant
        if: always()
        continue-on-error: true
        run: exit 1
  b:
    needs: a
    runs-on: ubuntu-latest
    steps: [{ run: 'true' }]
  c:
    needs: b
    runs-on: ubuntu-latest
    steps: [{ run: 'true' }]
  d:
    needs: c
    if: failure()
    runs-on: ubuntu-latest
    steps: [{ run: 'true' }]
  e:
    needs: [b, c]
    if: always() && needs.b.result == 'skipped'
    runs-on: ubuntu-latest
    steps: [{ run: 'true' }]
  f:
    if: github.event_name == 'push'
    runs-on: ubuntu-latest
    steps: [{ run: 'true' }]
  g:
    needs: f
    runs-on: ubuntu-latest
    steps: [{ run: 'true' }]
`,
  });
  const run = await exec(root, 'f.yml');
  const steps = run.jobs.a.instances[0].steps;
  assert.deepEqual(steps.map((s) => [s.id, s.outcome, s.conclusion]), [
    ['one', 'success', 'success'], ['two', 'failure', 'failure'], ['three', 'skipped', 'skipped'],
    ['cleanup', 'success', 'success'], ['tolerant', 'failure', 'success'],
  ]);
  assert.equal(steps[3].if.condition, "failure() && steps.two.outcome == 'failure'");
  assert.equal(steps[2].if.condition, 'success()');
  assert.deepEqual(Object.fromEntries(Object.entries(run.jobs).map(([k, j]) => [k, j.result])), {
    a: 'failure', b: 'skipped', c: 'skipped', d: 'success', e: 'success', f: 'skipped', g: 'skipped',
  });
  assert.equal(run.jobs.f.if.condition, "success() && (github.event_name == 'push')");
  assert.equal(run.result, 'failure');
});

test('fail-fast cancels the legs not yet started; fail-fast: false runs them all', async () => {
  const wf = (ff) => `
on: workflow_dispatch
jobs:
  m:
    strategy:
      fail-fast: ${ff}
      matrix:
        n: [1, 2, 3]
    runs-on: ubuntu-latest
    steps:
      - run: test \${{ matrix.n }} != 1
`;
  const root = repo({ 'ff.yml': wf(true), 'noff.yml': wf(false) });
  const ff = await exec(root, 'ff.yml');
  assert.deepEqual(ff.jobs.m.instances.map((i) => i.result), ['failure', 'cancelled', 'cancelled']);
  assert.equal(ff.jobs.m.result, 'failure');
  const noff = await exec(root, 'noff.yml');
  assert.deepEqual(noff.jobs.m.instances.map((i) => i.result), ['failure', 'success', 'success']);
});

test('matrix expansion follows GitHub\'s documented include/exclude rules', () => {
  // The example of "Expanding or adding matrix configurations" in GitHub's docs.
  assert.deepEqual(expandMatrix({
    fruit: ['apple', 'pear'], animal: ['cat', 'dog'],
    include: [{ color: 'green' }, { color: 'pink', animal: 'cat' }, { fruit: 'apple', shape: 'circle' },
      { fruit: 'banana' }, { fruit: 'banana', animal: 'cat' }],
  }), [
    { fruit: 'apple', animal: 'cat', color: 'pink', shape: 'circle' },
    { fruit: 'apple', animal: 'dog', color: 'green', shape: 'circle' },
    { fruit: 'pear', animal: 'cat', color: 'pink' },
    { fruit: 'pear', animal: 'dog', color: 'green' },
    { fruit: 'banana' },
    { fruit: 'banana', animal: 'cat' },
  ]);
  // "Excluding matrix configurations": a partial match is enough.
  assert.deepEqual(expandMatrix({
    os: ['macos-latest', 'windows-latest'], version: [12, 14, 16], environment: ['staging', 'production'],
    exclude: [{ os: 'macos-latest', version: 12, environment: 'production' }, { os: 'windows-latest', version: 16 }],
  }).length, 12 - 1 - 2);
  assert.throws(() => expandMatrix({ include: [] }), /Matrix must define at least one vector/);
  assert.throws(() => expandMatrix({ n: [] }), /Matrix vector 'n' does not contain any values/);
  assert.throws(() => expandMatrix({ n: Array.from({ length: 257 }, (_, i) => i) }), /at most 256/);
});

test('dispatch inputs: typed as GitHub types them, defaults filled, refused as the API refuses them', async () => {
  const root = repo({
    'd.yml': `
on:
  workflow_dispatch:
    inputs:
      name: { type: string, required: true }
      count: { type: number, default: 3 }
      flag: { type: boolean, default: true }
      kind: { type: choice, options: [a, b], default: a }
run-name: d \${{ inputs.name }} \${{ inputs.count }} \${{ inputs.flag }} \${{ github.event.inputs.flag }}
jobs:
  j:
    runs-on: ubuntu-latest
    steps:
      - id: s
        run: echo "t=\${{ toJSON(inputs) }}" | tr -d '\\n ' >> "$GITHUB_OUTPUT"
`,
  });
  const run = await exec(root, 'd.yml', { inputs: { name: 'x', flag: 'false' } });
  assert.equal(run.runName, 'd x 3 false false');
  assert.deepEqual(run.inputs, { name: 'x', count: '3', flag: false, kind: 'a' });
  await assert.rejects(exec(root, 'd.yml', { inputs: {} }), (e) => e instanceof WorkflowInputError && /Required input 'name' not provided/.test(e.message));
  await assert.rejects(exec(root, 'd.yml', { inputs: { name: 'x', other: '1' } }), /Unexpected inputs provided: \["other"\]/);
  await assert.rejects(exec(root, 'd.yml', { inputs: { name: 'x', kind: 'c' } }), /not in the list of allowed values/);
  await assert.rejects(exec(root, 'd.yml', { inputs: { name: 'x', flag: 'yes' } }), /must be true or false/);
});

test('a called workflow refuses what GitHub refuses: a string for a number, undeclared inputs and secrets', async () => {
  const root = repo({
    'caller.yml': `
on:
  workflow_dispatch:
    inputs:
      n: { type: number, default: 60 }
jobs:
  as-string:
    uses: ./.github/workflows/called.yml
    with: { n: '\${{ inputs.n }}' }
  as-number:
    uses: ./.github/workflows/called.yml
    with: { n: '\${{ fromJSON(inputs.n) }}' }
    secrets:
      TOKEN: \${{ secrets.MINE }}
  inherit:
    uses: ./.github/workflows/called.yml
    with: { n: 1 }
    secrets: inherit
`,
    'called.yml': `
on:
  workflow_call:
    inputs:
      n: { type: number, required: true }
    secrets:
      TOKEN: { required: false }
    outputs:
      token:
        value: \${{ jobs.j.outputs.t }}
jobs:
  j:
    runs-on: ubuntu-latest
    outputs:
      t: \${{ steps.s.outputs.t }}
    steps:
      - id: s
        env:
          T: \${{ secrets.TOKEN }}
          G: \${{ secrets.GITHUB_TOKEN }}
          O: \${{ secrets.OTHER }}
        run: echo "t=$T/$G/$O" >> "$GITHUB_OUTPUT"
`,
  });
  const run = await exec(root, 'caller.yml', { secrets: { MINE: 'm1', TOKEN: 't0', OTHER: 'o1', GITHUB_TOKEN: 'gh' } });
  assert.equal(run.jobs['as-string'].result, 'failure');
  assert.match(run.jobs['as-string'].instances[0].errors[0], /Unexpected value '60'/, 'dispatch numbers are strings: fromJSON them');
  assert.equal(run.jobs['as-number'].outputs.token, 'm1/gh/', 'only the secrets passed, and the workflow token');
  assert.equal(run.jobs.inherit.outputs.token, 't0/gh/o1', 'secrets: inherit passes them all');
});

test('steps: outputs, GITHUB_ENV for the steps after, env from workflow to job to step, run: expressions', async () => {
  const root = repo({
    'e.yml': `
on: workflow_dispatch
env:
  LEVEL: workflow
  W: w
jobs:
  j:
    runs-on: ubuntu-latest
    env:
      LEVEL: job
    steps:
      - run: echo "FROM_ENV_FILE=yes" >> "$GITHUB_ENV"
      - id: s
        env:
          LEVEL: step
        run: |
          echo "v=$LEVEL/$W/$FROM_ENV_FILE/\${{ env.LEVEL }}/\${{ github.job }}" >> "$GITHUB_OUTPUT"
          echo "multi<<END" >> "$GITHUB_OUTPUT"
          printf 'a\\nb\\n' >> "$GITHUB_OUTPUT"
          echo "END" >> "$GITHUB_OUTPUT"
      - id: t
        if: steps.s.outputs.v != ''
        run: echo "env=\${{ env.FROM_ENV_FILE }}" >> "$GITHUB_OUTPUT"
`,
  });
  const run = await exec(root, 'e.yml');
  const [, s, t] = run.jobs.j.instances[0].steps;
  assert.deepEqual(s.outputs, { v: 'step/w/yes/step/j', multi: 'a\nb' });
  assert.deepEqual(t.outputs, { env: 'yes' });
});

test('contexts are refused where GitHub refuses them, as GitHub\'s parser says', async () => {
  const root = repo({
    'bad.yml': `
on: workflow_dispatch
jobs:
  j:
    if: matrix.x == 1
    strategy: { matrix: { x: [1] } }
    runs-on: ubuntu-latest
    steps: [{ run: 'true' }]
`,
    'uses.yml': `
on: workflow_dispatch
jobs:
  j:
    strategy: { matrix: { type: [details] } }
    uses: ./.github/workflows/capture-\${{ matrix.type }}.yml
`,
  });
  await assert.rejects(exec(root, 'bad.yml'), /Unrecognized named-value: 'matrix'/);
  await assert.rejects(exec(root, 'uses.yml'), /Unrecognized named-value: 'matrix'/, 'no expression in uses:');
  assert.throws(() => evaluate('secrets.X', { secrets: { X: 1 } }, { allowed: ['github'] }), /Unrecognized named-value: 'secrets'/);
  assert.equal(evaluate("format('{0}-{1}', inputs.a, fromJSON('[1,2]')[1])", { inputs: { a: 'x' } }), 'x-2');
  assert.equal(evaluateTemplateString("a ${{ inputs.a }} '{b}'", { inputs: { a: 1 } }), "a 1 '{b}'");
});

test('concurrency: a newer pending job cancels the older pending one; distinct groups run side by side', async () => {
  const wf = (group) => `
on: workflow_dispatch
jobs:
  legs:
    strategy:
      matrix:
        n: [1, 2, 3, 4]
      max-parallel: 4
      fail-fast: false
    concurrency:
      group: ${group}
    runs-on: ubuntu-latest
    steps:
      - run: sleep 0.2
`;
  const root = repo({ 'one.yml': wf('capture acme/widgets pr-all'), 'many.yml': wf('capture acme/widgets pr-all ${{ matrix.n }}') });
  const one = await exec(root, 'one.yml', { parallel: true });
  assert.deepEqual(one.jobs.legs.instances.map((i) => i.result), ['success', 'cancelled', 'cancelled', 'success'],
    'one running, one pending: legs 2 and 3 were replaced while pending');
  assert.match(one.jobs.legs.instances[1].errors[0], /replaced it while it was pending/);
  const many = await exec(root, 'many.yml', { parallel: true });
  assert.deepEqual(many.jobs.legs.instances.map((i) => i.result), ['success', 'success', 'success', 'success']);
  const nested = repo({
    'caller.yml': `
on: workflow_dispatch
jobs:
  c:
    concurrency: same
    uses: ./.github/workflows/called.yml
`,
    'called.yml': `
on: workflow_call
concurrency: SAME
jobs:
  j:
    runs-on: ubuntu-latest
    steps: [{ run: 'true' }]
`,
  });
  const dead = await exec(nested, 'caller.yml');
  assert.match(dead.jobs.c.instances[0].errors[0], /held by .*caller: it would wait for itself/);
});

test('OUR action: INPUT_* with hyphens kept, action.yml defaults evaluated, unknown inputs warned, outputs and workspace kept', async () => {
  const bin = fakeBinary();
  const root = repo({
    'a.yml': `
on: workflow_dispatch
jobs:
  j:
    runs-on: ubuntu-latest
    env:
      MY_JOB: job-env
    steps:
      - id: ours
        uses: contributor-info/progressive-capture@v1
        with:
          pr-numbers: 1,2
          not-an-input: x
      - id: local
        uses: ./
        continue-on-error: true
        with:
          dry-run: true
      - id: token
        uses: actions/create-github-app-token@v3
        with: { app-id: '1', private-key: k }
      - uses: actions/upload-artifact@v7
        with:
          name: out
          path: from-action.txt
          retention-days: 7
`,
  });
  const run = await exec(root, 'a.yml', { bin, github: { repository: 'acme/jobs', api_url: 'http://127.0.0.1:9' }, secrets: { GITHUB_TOKEN: 'wf-token' } });
  const [ours, local, token] = run.jobs.j.instances[0].steps;
  const seen = JSON.parse(ours.outputs.seen);
  assert.equal(seen.inputs['INPUT_PR-NUMBERS'], '1,2');
  assert.equal(seen.inputs.INPUT_REPOSITORY, 'acme/jobs', "action.yml's ${{ github.repository }}");
  assert.equal(seen.inputs['INPUT_GITHUB-TOKEN'], 'wf-token', "action.yml's ${{ github.token }}");
  assert.equal(seen.inputs['INPUT_TIME-RANGE'], '30');
  assert.equal(seen.inputs['INPUT_NOT-AN-INPUT'], 'x', 'the runner passes undeclared inputs too');
  assert.match(ours.warnings[0], /^Unexpected input\(s\) 'not-an-input', valid inputs are \['command', .*'entryPoint', 'args'\]$/);
  assert.deepEqual(seen.github, {
    GITHUB_ACTIONS: 'true', GITHUB_API_URL: 'http://127.0.0.1:9', GITHUB_EVENT_NAME: 'workflow_dispatch', GITHUB_JOB: 'j',
    GITHUB_REPOSITORY: 'acme/jobs', GITHUB_RUN_ID: run.github.run_id, GITHUB_WORKFLOW: '.github/workflows/a.yml',
  });
  assert.deepEqual(seen.mine, { MY_JOB: 'job-env' });
  assert.equal(seen.cwd, seen.workspace, 'the action runs in the job workspace');
  assert.equal(ours.summary, '### summary\n');
  assert.deepEqual([local.outcome, local.conclusion, local.code], ['failure', 'success', 3]);
  assert.equal(local.annotations[0].message, 'told to fail');
  assert.match(token.outputs.token, /^ghs_executor_app_token_/);
  assert.deepEqual(run.artifacts, [{ name: 'out', path: 'from-action.txt', retentionDays: 7, files: { 'from-action.txt': 'written in the workspace' } }]);
});
