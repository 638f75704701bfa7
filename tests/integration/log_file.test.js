// log-file (issue 11): the run's log as JSON lines for an artifact: every line
// as the log shows it (redacted: never a secret), with the command,
// repository, job and PR it is about, and a last 'end' event with the run's
// numbers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRig, TOKEN, KEY } from '../lib/rig.js';

let rig, dir;
before(async () => {
  rig = await startRig('log_file', { scenario: { prs: 3 } });
  dir = mkdtempSync(join(tmpdir(), 'pc-log-'));
});
after(async () => { await rig?.close(); rmSync(dir, { recursive: true, force: true }); });

test('every line and an end event, as JSON; no secret', async () => {
  const file = join(dir, 'run.jsonl');
  const r = await rig.run({ command: 'pr-all', 'pr-numbers': '1,2,3', 'log-file': file });
  assert.equal(r.code, 0, r.log);
  const text = readFileSync(file, 'utf8');
  assert.ok(!text.includes(TOKEN) && !text.includes(KEY), 'no secret in the file');
  const lines = text.trim().split('\n').map((l) => JSON.parse(l));
  for (const l of lines) {
    assert.match(l.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(l.command, 'pr-all');
    assert.equal(l.repository, rig.repository);
  }
  const job = r.outputs['job-id'];
  assert.ok(lines.filter((l) => l.job === job).length > 1, 'the job is on the lines after it is known');
  assert.deepEqual([...new Set(lines.filter((l) => l.pr).map((l) => l.pr))].sort(), [1, 2, 3]);
  const end = lines.at(-1);
  assert.equal(end.event, 'end');
  assert.equal(end.status, 'completed');
  assert.equal(end.exit_code, 0);
  assert.equal(end.processed, 3);
  assert.equal(end.api_calls, Number(r.outputs['api-calls']));
  assert.equal(end.api_points, Number(r.outputs['api-points']));
  assert.ok(end.store_requests > 0);
});

test('a failing run ends its file with the error; a path that cannot be written is bad input', async () => {
  const file = join(dir, 'fail.jsonl');
  const r = await rig.run({ command: 'pr-details', repository: 'acme/nope', 'log-file': file });
  assert.equal(r.code, 1, r.log);
  const end = JSON.parse(readFileSync(file, 'utf8').trim().split('\n').at(-1));
  assert.equal(end.event, 'end');
  assert.equal(end.status, 'failed');
  assert.match(end.error, /acme\/nope/);
  const bad = await rig.run({ command: 'pr-details', 'log-file': join(dir, 'no/such/dir/x.jsonl') });
  assert.equal(bad.code, 2, bad.log);
  assert.match(bad.commands.find((c) => c.name === 'error').message, /log-file '.*': No such file or directory/);
});
