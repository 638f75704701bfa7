// The Actions API of the fake, checked against GitHub's OpenAPI description: workflow
// dispatches (204, 200 with return_run_details), a workflow's run-name template filled
// with the dispatch's inputs, runs moved from queued through in_progress to completed,
// the runs list's filters (event, status, branch, head_sha, actor, created with the
// search date syntax, per_page/page), and the ways a dispatch fails with GitHub's messages.

import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { parseCreated, renderRunName } from './actions.js';
import { example } from './examples.js';
import { fetchAllPages, getJson, ghHeaders } from './helpers.js';
import { generateScenario } from './scenario.js';
import { startFakeGitHub } from './server.js';

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const TOKEN = 'ghp_test_token';
const DOCS = 'https://docs.github.com/rest/actions/workflows#create-a-workflow-dispatch-event';
let gh;
let scn;
let R;

beforeEach(async () => {
  scn = generateScenario({ seed: 1, now: NOW, prs: 10 });
  gh = await startFakeGitHub({ scenario: scn, tokens: [TOKEN, 'ghp_read_only'] });
  R = `${gh.url}/repos/acme/widgets`;
});
afterEach(() => gh.close());

async function dispatch(file, body, token = TOKEN) {
  const res = await fetch(`${R}/actions/workflows/${file}/dispatches`, {
    method: 'POST', headers: { ...ghHeaders(token), 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

describe('dispatch', () => {
  it('answers as the OpenAPI description says: 204 with no body; 200 with the workflow-dispatch-response fields', async () => {
    const a = await dispatch('capture.yml', { ref: 'main' });
    assert.deepEqual([a.status, a.body], [204, null]);
    const b = await dispatch('capture.yml', { ref: 'main', return_run_details: true });
    assert.equal(b.status, 200);
    assert.deepEqual(Object.keys(b.body).sort(), Object.keys(example('dispatch')).sort());
    assert.equal(b.body.run_url, `${gh.url}/repos/acme/widgets/actions/runs/${b.body.workflow_run_id}`);
    assert.equal(b.body.html_url, `https://github.com/acme/widgets/actions/runs/${b.body.workflow_run_id}`);
    const run = await getJson(b.body.run_url);
    assert.deepEqual(Object.keys(run.body).sort(), Object.keys(example('workflowRun')).sort(), 'workflow-run shape');
    assert.equal(run.body.head_sha, (await getJson(`${R}/commits/main`)).body.sha, 'the head of the dispatched ref');
  });

  it('run-name: display_title is the workflow\'s template with ${{ inputs.X }} filled in (defaults too); else the workflow name', async () => {
    gh.setWorkflow('capture.yml', {
      name: 'Capture', runName: 'capture ${{ inputs.job-id }} on ${{ github.ref_name }} (${{ inputs.mode }}) ${{ inputs.none }}',
      inputs: { 'job-id': { required: true }, mode: { default: 'full' }, none: {} },
    });
    const r = await dispatch('capture.yml', { ref: 'main', inputs: { 'job-id': 'j-42' }, return_run_details: true });
    const run = (await getJson(r.body.run_url)).body;
    assert.equal(run.display_title, 'capture j-42 on main (full) ');
    assert.equal(run.name, 'Capture');
    // Without run details, a client finds its run by display_title in the list.
    await dispatch('capture.yml', { ref: 'main', inputs: { 'job-id': 'j-43', mode: 'delta' } });
    const list = (await getJson(`${R}/actions/workflows/capture.yml/runs`)).body.workflow_runs;
    assert.deepEqual(list.map((x) => x.display_title), ['capture j-43 on main (delta) ', 'capture j-42 on main (full) ']);
    const plain = await dispatch('other.yml', { ref: 'main', return_run_details: true });
    assert.equal((await getJson(plain.body.run_url)).body.display_title, 'other');
    assert.equal(renderRunName('${{ inputs.flag }}/${{ github.event.inputs.n }}/${{ secrets.X }}', { inputs: { flag: true, n: 3 } }), 'true/3/');
  });

  it('fails as GitHub does: 404 unknown workflow, 422 unexpected inputs, no trigger, disabled, bad ref; 403 without actions: write', async () => {
    gh.setWorkflow('capture.yml', { inputs: { 'job-id': {} } });
    gh.setWorkflow('gone.yml', null);
    gh.setWorkflow('push-only.yml', { dispatch: false });
    gh.setWorkflow('off.yml', { state: 'disabled_manually' });
    const cases = [
      ['gone.yml', { ref: 'main' }, 404, 'Not Found'],
      ['README.md', { ref: 'main' }, 404, 'Not Found'],
      ['capture.yml', { ref: 'main', inputs: { 'job-id': 'x', foo: 1, bar: 2 } }, 422, 'Unexpected inputs provided: ["foo", "bar"]'],
      ['push-only.yml', { ref: 'main' }, 422, "Workflow does not have 'workflow_dispatch' trigger"],
      ['off.yml', { ref: 'main' }, 422, "Cannot trigger a 'workflow_dispatch' on a disabled workflow"],
      ['capture.yml', { ref: 'nope' }, 422, 'No ref found for: nope'],
    ];
    for (const [file, body, status, message] of cases) {
      const r = await dispatch(file, body);
      assert.deepEqual([r.status, r.body.message], [status, message], file);
      if (status === 404 || message.startsWith('Unexpected') || message.includes('workflow_dispatch')) {
        assert.deepEqual(r.body, { message, documentation_url: DOCS, status: String(status) });
      }
    }
    gh.setTokenPermissions('ghp_read_only', { actions: 'read', contents: 'read' });
    const ro = await dispatch('capture.yml', { ref: 'main' }, 'ghp_read_only');
    assert.deepEqual(ro.body, { message: 'Resource not accessible by integration', documentation_url: DOCS, status: '403' });
    assert.equal((await getJson(`${R}/actions/workflows/capture.yml/runs`, { token: 'ghp_read_only' })).status, 200, 'reading runs needs read');
    gh.setTokenPermissions('ghp_read_only', { contents: 'read' });
    assert.equal((await getJson(`${R}/actions/workflows/capture.yml/runs`, { token: 'ghp_read_only' })).status, 403);
    assert.equal(gh.dispatches.length, 0, 'no refused dispatch is recorded');
  });

  it('strictWorkflows: only declared workflow files exist (by name or by id)', async () => {
    const strict = await startFakeGitHub({ scenario: scn, strictWorkflows: true, workflows: { 'capture.yml': { id: 161335 } } });
    try {
      const post = (wf) => fetch(`${strict.url}/repos/acme/widgets/actions/workflows/${wf}/dispatches`, {
        method: 'POST', headers: { ...ghHeaders(TOKEN), 'content-type': 'application/json' }, body: '{"ref":"main"}',
      });
      assert.equal((await post('capture.yml')).status, 204);
      assert.equal((await post('161335')).status, 204);
      assert.equal((await post('other.yml')).status, 404);
      assert.equal((await post('999')).status, 404);
      const list = await getJson(`${strict.url}/repos/acme/widgets/actions/workflows/161335/runs`);
      assert.equal(list.body.total_count, 2);
      assert.ok(list.body.workflow_runs.every((x) => x.workflow_id === 161335));
    } finally {
      await strict.close();
    }
  });
});

describe('runs move from queued through in_progress to completed', () => {
  it('setRunStatus: run_started_at when it starts, updated_at at every move, a conclusion when completed', async () => {
    const r = await dispatch('capture.yml', { ref: 'main', return_run_details: true });
    const id = r.body.workflow_run_id;
    let run = (await getJson(r.body.run_url)).body;
    assert.deepEqual([run.status, run.conclusion, run.run_started_at], ['queued', null, run.created_at]);
    gh.setRunStatus(id, 'in_progress', { at: '2030-01-01T00:00:05Z' });
    run = (await getJson(r.body.run_url)).body;
    assert.deepEqual([run.status, run.run_started_at, run.updated_at], ['in_progress', '2030-01-01T00:00:05Z', '2030-01-01T00:00:05Z']);
    gh.setRunStatus(id, 'completed', { conclusion: 'failure', at: Date.UTC(2030, 0, 1, 0, 1, 0) });
    run = (await getJson(r.body.run_url)).body;
    assert.deepEqual([run.status, run.conclusion, run.run_started_at, run.updated_at],
      ['completed', 'failure', '2030-01-01T00:00:05Z', '2030-01-01T00:01:00Z']);
    assert.throws(() => gh.setRunStatus(id, 'in_progress'), /completed/);
    const c = await dispatch('capture.yml', { ref: 'main', return_run_details: true });
    assert.throws(() => gh.setRunStatus(c.body.workflow_run_id, 'completed'), /needs a conclusion/);
    gh.setRunStatus(c.body.workflow_run_id, 'completed', { conclusion: 'cancelled' });
    assert.equal((await getJson(c.body.run_url)).body.conclusion, 'cancelled', 'cancelled before it started');
  });

  it('a workflow lifecycle moves its runs by itself: queued, in_progress after startAfterMs, completed after completeAfterMs', async () => {
    gh.setWorkflow('auto.yml', { lifecycle: { startAfterMs: 600, completeAfterMs: 1200, conclusion: 'success' } });
    const r = await dispatch('auto.yml', { ref: 'main', return_run_details: true });
    const seen = [];
    const t0 = Date.now();
    while (Date.now() - t0 < 4000) {
      const run = (await getJson(r.body.run_url)).body;
      if (seen.at(-1) !== run.status) seen.push(run.status);
      if (run.status === 'completed') {
        assert.equal(run.conclusion, 'success');
        break;
      }
      await new Promise((res) => setTimeout(res, 40));
    }
    assert.deepEqual(seen, ['queued', 'in_progress', 'completed']);
  });
});

describe('GET …/workflows/{id}/runs filters', () => {
  beforeEach(async () => {
    const prBranch = scn.pulls.find((p) => p.state === 'open').head_ref;
    for (const ref of ['main', 'main', prBranch, 'main']) await dispatch('capture.yml', { ref });
    const ids = [...gh.runs.keys()];
    gh.setRunStatus(ids[0], 'completed', { conclusion: 'success' });
    gh.setRunStatus(ids[1], 'in_progress');
    gh.setRunStatus(ids[2], 'completed', { conclusion: 'failure' });
    // Spread the creation times over three days for `created`.
    [['2026-01-10T08:00:00Z'], ['2026-01-11T23:59:59Z'], ['2026-01-12T00:00:00Z'], ['2026-01-12T10:30:00Z']].forEach(([t], i) => {
      const run = gh.runs.get(ids[i]);
      run.created_at = t;
      run.created_ms = Date.parse(t);
    });
  });

  const count = async (q) => (await getJson(`${R}/actions/workflows/capture.yml/runs?${q}`)).body.total_count;

  it('status (a status or a conclusion), event, branch, head_sha, actor', async () => {
    assert.equal(await count(''), 4);
    assert.equal(await count('status=completed'), 2);
    assert.equal(await count('status=success'), 1);
    assert.equal(await count('status=failure'), 1);
    assert.equal(await count('status=in_progress'), 1);
    assert.equal(await count('status=queued'), 1);
    assert.equal(await count('event=workflow_dispatch'), 4);
    assert.equal(await count('event=push'), 0);
    assert.equal(await count('branch=main'), 3);
    const all = (await getJson(`${R}/actions/workflows/capture.yml/runs`)).body.workflow_runs;
    assert.equal(await count(`head_sha=${all[0].head_sha}`), all.filter((x) => x.head_sha === all[0].head_sha).length);
    assert.equal(await count(`actor=${all[0].actor.login}`), 4);
    assert.equal(await count('actor=nobody'), 0);
    assert.equal(await count(`check_suite_id=${all[0].check_suite_id}`), 1);
  });

  it('created: GitHub\'s date search syntax', async () => {
    assert.equal(await count('created=2026-01-12'), 2);
    assert.equal(await count(`created=${encodeURIComponent('>2026-01-11')}`), 2);
    assert.equal(await count(`created=${encodeURIComponent('>=2026-01-11')}`), 3);
    assert.equal(await count(`created=${encodeURIComponent('<2026-01-12')}`), 2);
    assert.equal(await count(`created=${encodeURIComponent('<=2026-01-12')}`), 4);
    assert.equal(await count('created=2026-01-10..2026-01-11'), 2);
    assert.equal(await count(`created=${encodeURIComponent('2026-01-11..*')}`), 3);
    assert.equal(await count(`created=${encodeURIComponent('*..2026-01-10')}`), 1);
    assert.equal(await count(`created=${encodeURIComponent('>=2026-01-12T10:30:00Z')}`), 1);
    assert.equal(await count(`created=${encodeURIComponent('2026-01-12T00:00:00+00:00..2026-01-12T10:29:59Z')}`), 1);
    assert.equal((await getJson(`${R}/actions/workflows/capture.yml/runs?created=yesterday`)).status, 422);
    assert.equal(parseCreated('2026-1-1'), null);
  });

  it('newest first, per_page/page with Link headers, total_count of the whole list', async () => {
    const page = await getJson(`${R}/actions/workflows/capture.yml/runs?per_page=3`);
    assert.equal(page.body.total_count, 4);
    assert.equal(page.body.workflow_runs.length, 3);
    const all = await fetchAllPages(`${R}/actions/workflows/capture.yml/runs?per_page=3`);
    assert.equal(all.pages, 2);
    const times = all.items.map((x) => x.created_at);
    assert.deepEqual(times, [...times].sort().reverse());
  });
});
