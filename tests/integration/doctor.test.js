// doctor (issue 11): everything a run needs, checked before anything goes
// wrong, each with how to fix it. A dropped column is named with the file of
// db/migrations that adds it; a missing function too; a refused token and an
// unreachable store are failures; it changes nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRig } from '../lib/rig.js';

let rig;
before(async () => { rig = await startRig('doctor', { scenario: { prs: 2 } }); });
after(async () => { await rig?.close(); });

const rows = (r) => r.summary.split('\n').filter((l) => /^\| (GitHub|Repository|Pull requests|Store|Schema|Functions) /.test(l));

test('all well: every check passes, exit 0', async () => {
  await rig.run({ command: 'pr-details', 'pr-numbers': '1' }); // a SQLite file exists after a capture
  const r = await rig.run({ command: 'doctor' });
  assert.equal(r.code, 0, r.log);
  assert.equal(r.outputs.ok, 'true');
  assert.equal(r.outputs.problems, '0');
  for (const check of ['GitHub', 'Repository', 'Pull requests', 'Store', 'Schema', 'Functions'])
    assert.ok(rows(r).some((l) => l.startsWith(`| ${check} | ok |`)), `${check}: ${r.summary}`);
  assert.match(r.log, /GitHub: ok: core \d+ of 5000 left, GraphQL \d+ of 5000 left/);
});

test('a dropped column is named with the migration that adds it, and a capture stops before GitHub', async (t) => {
  if (!rig.gw) return t.skip('a SQLite file opened for writing gets its columns back');
  await rig.db.query('alter table pull_requests drop column head_ref');
  await rig.db.query('alter table pull_requests drop column mergeable_state');
  await rig.gw.reloadSchema();
  try {
    const r = await rig.run({ command: 'doctor' });
    assert.equal(r.code, 1, r.log);
    assert.equal(r.outputs.ok, 'false');
    assert.equal(r.outputs.problems, '1');
    const row = rows(r).find((l) => l.startsWith('| Schema |'));
    assert.match(row, /pull\\_requests lacks (mergeable\\_state, head\\_ref|head\\_ref, mergeable\\_state)/);
    assert.match(row, /apply db/);
    assert.match(r.log, /::error::Schema: pull_requests lacks .* - apply db\/migrations\/005_existing_tables.sql/);
    rig.clearLogs();
    const c = await rig.run({ command: 'pr-details', 'pr-numbers': '1' });
    assert.equal(c.code, 1, c.log);
    assert.match(c.commands.find((x) => x.name === 'error').message, /lacks pull_requests\.head_ref, pull_requests\.mergeable_state/);
    assert.deepEqual(rig.gh.log, [], 'no GitHub request');
  } finally {
    await rig.db.query('alter table pull_requests add column head_ref text');
    await rig.db.query('alter table pull_requests add column mergeable_state text');
    await rig.gw.reloadSchema();
  }
});

test('a table that is not there names the migration that creates it; a missing function names 006', async (t) => {
  if (!rig.gw) return t.skip('PostgreSQL only');
  await rig.db.query('alter table capture_watermarks rename to capture_watermarks_gone');
  await rig.db.query('alter function progressive_capture_lacking(uuid, integer, integer[], timestamptz[]) rename to progressive_capture_lacking_gone');
  await rig.gw.reloadSchema();
  try {
    const r = await rig.run({ command: 'doctor' });
    assert.equal(r.code, 1, r.log);
    assert.equal(r.outputs.problems, '2');
    assert.match(r.log, /Schema: capture_watermarks lacks itself \(no such table\) - apply db\/migrations\/002_capture_state.sql/);
    assert.match(r.log, /Functions: .* - apply db\/migrations\/006_queue.sql/);
  } finally {
    await rig.db.query('alter table capture_watermarks_gone rename to capture_watermarks');
    await rig.db.query('alter function progressive_capture_lacking_gone(uuid, integer, integer[], timestamptz[]) rename to progressive_capture_lacking');
    await rig.gw.reloadSchema();
  }
});

test('a refused token and a store that does not answer are failures with their fixes; nothing is written', async () => {
  const before = await rig.db.count('progressive_capture_jobs');
  let r = await rig.run({ command: 'doctor', 'github-token': 'ghp_not_a_valid_token' });
  assert.equal(r.code, 1, r.log);
  assert.match(r.log, /::error::GitHub: .*401.* - give a valid token/);
  if (rig.gw) {
    r = await rig.run({ command: 'doctor', 'supabase-url': 'http://127.0.0.1:9' }, { env: { PROGRESSIVE_CAPTURE_BACKOFF_SCALE: '0.01' } });
    assert.equal(r.code, 1, r.log);
    assert.match(r.log, /::error::Store: .* - check supabase-url and the network/);
  }
  assert.equal(await rig.db.count('progressive_capture_jobs'), before);
});
