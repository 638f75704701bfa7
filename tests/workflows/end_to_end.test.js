// The workflows users copy, run end to end by the executor against the fake
// GitHub and a real PostgreSQL behind the PostgREST gateway: a thin caller
// dispatched as contributor.info dispatches it, and bulk-capture.yml planning,
// capturing each shard once, and finding nothing left on its second run.
//
// Always the PostgREST store: a workflow's jobs run on different machines,
// so a SQLite file written by one job is not there for the next.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { tokenFingerprint } from '../fake-github/server.js';
import { expectedFiles, expectedPull, KEY, startRig, storedFiles, storedPull, TOKEN } from '../lib/rig.js';
import { BIN, ROOT } from '../lib/runner.js';
import { runWorkflow } from './executor.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const APP_TOKEN = 'ghs_app_installation_token_for_the_e2e_test_0001';
const action = YAML.parse(readFileSync(join(ROOT, 'action.yml'), 'utf8'));

let rig;
before(async () => {
  rig = await startRig('workflows', {
    store: 'postgrest',
    scenario: { prs: 12, days: 20 },
    github: { tokens: [TOKEN, APP_TOKEN] },
  });
});
after(async () => { await rig?.close(); });

/** A workflow run against the rig: its secrets, the fake's URLs, this repository as the workflow's. */
function execute(workflow, inputs, opts = {}) {
  return runWorkflow({
    workflow: `.github/workflows/${workflow}`,
    inputs,
    secrets: { GITHUB_TOKEN: TOKEN, SUPABASE_URL: rig.gw.url, SUPABASE_SERVICE_KEY: KEY, ...(opts.secrets ?? {}) },
    github: { repository: 'acme/capture-jobs', api_url: rig.gh.url, graphql_url: rig.gh.graphqlUrl },
    ...opts,
  });
}

/** "1-3,7" -> [1, 2, 3, 7] */
function numbers(list) {
  return String(list).split(/[,\n]/).map((s) => s.trim()).filter(Boolean).flatMap((part) => {
    const m = /^(\d+)-(\d+)$/.exec(part);
    if (!m) return [Number(part)];
    const out = [];
    for (let n = Number(m[1]); n <= Number(m[2]); n++) out.push(n);
    return out;
  });
}

async function assertCaptured(prs) {
  for (const n of prs) {
    const p = rig.scn.pulls.find((x) => x.number === n);
    assert.deepEqual(await storedPull(rig.db, n), expectedPull(p, rig.repository), `PR #${n}`);
    assert.deepEqual(await storedFiles(rig.db, n), expectedFiles(p), `PR #${n} files`);
  }
}

const capturedSteps = (run) => run.steps().filter((s) => s.kind === 'action');

test('capture-pr-details.yml dispatched with a job id: the PRs captured, the job completed, the run titled by its job', async () => {
  await rig.db.truncateAll();
  const id = randomUUID();
  // What the dispatch command does first: a pending job row.
  await rig.db.query(`insert into progressive_capture_jobs (id, job_type, status) values ($1, 'pr-details', 'pending')`, [id]);
  const run = await execute('capture-pr-details.yml', { repository: rig.repository, 'pr-numbers': '1-3', 'job-id': id });
  assert.equal(run.result, 'success', run.log.join('\n'));
  assert.equal(run.runName, `capture pr-details ${rig.repository} [job ${id}]`);

  const call = run.jobs.capture.instances[0].call;
  assert.equal(call.file, '.github/workflows/capture.yml');
  assert.deepEqual(call.inputs, {
    command: 'pr-details', repository: rig.repository, 'repository-id': '', 'pr-numbers': '1-3', 'time-range': '',
    'max-items': '', 'job-id': id, api: '', 'batch-size': '', 'shard-index': '', 'shard-total': '', 'resume-cursor': '',
    'fail-on-partial': true, 'dry-run': false, 'max-wait': '', 'time-limit': '', 'log-file': 'progressive-capture-log.jsonl',
  });
  const job = call.jobs.capture.instances[0];
  assert.deepEqual(job.concurrency, { group: `progressive-capture ${rig.repository} pr-details 1-3`, cancelInProgress: false, queue: 'single' });
  assert.deepEqual(job.steps.map((s) => [s.name, s.conclusion]), [
    ['GitHub App token', 'skipped'], ['Capture', 'success'], ['Keep the run log', 'success']]);
  const [capture] = capturedSteps(run);
  assert.equal(capture.code, 0, capture.log);
  assert.equal(capture.inputs['github-token'], TOKEN, 'no app configured: the workflow token');
  assert.equal(capture.inputs['supabase-url'], rig.gw.url);
  assert.equal(capture.inputs['fail-on-partial'], 'true');
  assert.equal(capture.inputs.database, './progressive-capture.db', "action.yml's default for what is not given");

  // The reusable workflow's outputs are the action's.
  const out = run.jobs.capture.outputs;
  assert.equal(out.status, 'completed');
  assert.equal(out.processed, '3');
  assert.equal(out['job-id'], id);
  assert.equal(out['resume-cursor'], '');
  const [j] = await rig.db.query('select status, workflow_run_id from progressive_capture_jobs where id = $1', [id]);
  assert.equal(j.status, 'completed');
  assert.equal(j.workflow_run_id, run.github.run_id, 'GITHUB_RUN_ID reached the action');
  await assertCaptured([1, 2, 3]);

  // The run log: uploaded for 7 days once the action writes it; until action.yml
  // declares log-file, the runner warns about the input and there is no file.
  if (action.inputs['log-file']) {
    const [artifact] = run.artifacts;
    assert.equal(artifact.name, `progressive-capture-log-pr-details-${id}-1`);
    assert.equal(artifact.retentionDays, 7);
    const lines = artifact.files['progressive-capture-log.jsonl'].trim().split('\n');
    assert.ok(lines.length > 0 && lines.every((l) => typeof JSON.parse(l) === 'object'), 'JSON lines');
  } else {
    assert.match(capture.warnings.join('\n'), /Unexpected input\(s\) 'log-file'/);
    assert.deepEqual(run.artifacts, []);
  }
});

test('with a GitHub App configured, the capture reads GitHub with the app token', async () => {
  await rig.db.truncateAll();
  rig.clearLogs();
  let given = null;
  const run = await execute('capture-pr-reviews.yml', { repository: rig.repository, 'pr-numbers': '2' }, {
    secrets: { CAPTURE_APP_ID: '424242', CAPTURE_APP_PRIVATE_KEY: '-----BEGIN RSA PRIVATE KEY-----' },
    uses: {
      'actions/create-github-app-token': ({ with: w }) => {
        given = w;
        return { outputs: { token: APP_TOKEN, 'installation-id': '7', 'app-slug': 'capture' } };
      },
    },
  });
  assert.equal(run.result, 'success', run.log.join('\n'));
  assert.deepEqual(given, { 'app-id': '424242', 'private-key': '-----BEGIN RSA PRIVATE KEY-----', owner: 'acme' });
  const [capture] = capturedSteps(run);
  assert.equal(capture.inputs['github-token'], APP_TOKEN);
  assert.equal(capture.inputs.command, 'pr-reviews');
  assert.ok(rig.gh.log.length > 0);
  assert.deepEqual([...new Set(rig.gh.log.map((r) => r.token))], [tokenFingerprint(APP_TOKEN)], 'every request with the app token');
});

/**
 * bulk-capture.yml twice on a store that lacks every PR: the first run's plan
 * shards them (at most 5 a shard), each shard's capture.yml run captures its
 * own PRs and completes its job row, the report shows this run's jobs; the
 * second run's plan finds nothing and no capture job starts.
 */
async function bulkCaptureTwice(opts = {}) {
  await rig.db.truncateAll();
  const all = rig.scn.pulls.map((p) => p.number);
  const first = await execute('bulk-capture.yml', {
    repository: rig.repository, 'shard-size': '5', 'max-parallel': '2', 'time-range': '30',
  }, { parallel: true, ...opts });
  assert.equal(first.result, 'success', first.log.join('\n'));

  // The plan: shards of at most 5 PRs that together name every PR once.
  const plan = first.jobs.plan.outputs;
  assert.equal(plan.needed, 'true');
  const { include } = JSON.parse(plan.matrix);
  assert.equal(Number(plan.shards), include.length);
  assert.ok(include.length >= Math.ceil(all.length / 5));
  const seen = include.flatMap((leg, i) => {
    assert.equal(leg.shard, i);
    assert.equal(leg.command, 'pr-all');
    assert.match(leg['job-id'], /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const prs = numbers(leg['pr-numbers']);
    assert.ok(prs.length >= 1 && prs.length <= 5, `shard ${i}: ${leg['pr-numbers']}`);
    return prs;
  });
  assert.deepEqual([...seen].sort((a, b) => a - b), all, 'every lacking PR in exactly one shard');
  assert.deepEqual(numbers(plan['pr-numbers']).sort((a, b) => a - b), all);

  // One capture.yml run per shard, given that shard's PRs and job; each captured its own.
  const capture = first.jobs.capture;
  assert.equal(capture.strategy.maxParallel, 2);
  assert.equal(capture.instances.length, include.length);
  let processed = 0;
  for (const [i, inst] of capture.instances.entries()) {
    assert.equal(inst.result, 'success', inst.errors.join('\n'));
    assert.equal(inst.call.inputs['pr-numbers'], include[i]['pr-numbers']);
    assert.equal(inst.call.inputs['job-id'], include[i]['job-id']);
    assert.equal(inst.call.inputs.command, include[i].command);
    assert.equal(inst.outputs.status, 'completed');
    assert.equal(inst.outputs['job-id'], include[i]['job-id']);
    processed += Number(inst.outputs.processed);
  }
  assert.equal(processed, all.length, 'each PR captured once');
  for (const leg of include) {
    const [j] = await rig.db.query('select status, workflow_run_id from progressive_capture_jobs where id = $1', [leg['job-id']]);
    assert.equal(j?.status, 'completed', `shard ${leg.shard}'s job row`);
    assert.equal(j.workflow_run_id, first.github.run_id);
  }
  await assertCaptured(all);

  // The report: stats of this run's jobs as its step summary.
  const [stats] = first.jobs.report.instances[0].steps;
  assert.equal(stats.conclusion, 'success', stats.log);
  assert.equal(stats.inputs['run-id'], first.github.run_id);
  // Every shard's job is this run's, and completed.
  assert.equal(stats.outputs.total, String(include.length), stats.summary);
  assert.equal(stats.outputs.completed, String(include.length), stats.summary);
  assert.equal(stats.outputs.health, 'healthy', stats.summary);

  // Nothing is lacking now: no capture job runs.
  const second = await execute('bulk-capture.yml', { repository: rig.repository, 'shard-size': '5', 'time-range': '30' }, opts);
  assert.equal(second.result, 'success', second.log.join('\n'));
  assert.equal(second.jobs.plan.outputs.needed, 'false');
  assert.deepEqual(JSON.parse(second.jobs.plan.outputs.matrix), { include: [] });
  assert.equal(second.jobs.capture.result, 'skipped');
  assert.equal(second.jobs.capture.instances.length, 0);
  assert.equal(second.jobs.report.result, 'success');
}

test('bulk-capture.yml captures every lacking PR once, shard by shard, and a second run finds nothing to do',
  () => bulkCaptureTwice());

