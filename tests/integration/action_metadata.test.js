// action.yml is what Marketplace users read: it must validate against the
// published schema and agree with the binary's own settings table, input by
// input (names, defaults), with every output the binary writes described.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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
  assert.deepEqual(names, ['api-calls', 'api-points', 'failed', 'job-id', 'processed', 'rate-remaining',
    'resume-cursor', 'skipped', 'status']);
  for (const n of names) assert.ok(action.outputs[n].description, n);
});
