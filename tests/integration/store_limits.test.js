// The store behind a Supabase-like row cap: contributor.info read whole tables
// through PostgREST and lost every row past max-rows without noticing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRig, STORE } from '../lib/rig.js';

// A row cap is PostgREST's (Supabase's max_rows); SQLite has none.
const skip = STORE !== 'postgrest' && 'PostgREST only';
let rig;
before(async () => {
  if (skip) return;
  rig = await startRig('store_limits', { scenario: { prs: 23 }, gateway: { maxRows: 5 } });
});
after(async () => { await rig?.close(); });

test('selections page past a server row cap instead of being truncated', { skip }, async () => {
  // All 23 lack capture: the store's answer (the rpc function) is 23 rows, 5 a page.
  const r1 = await rig.run({ 'time-range': '3650' });
  assert.equal(r1.code, 0, r1.log);
  assert.equal(r1.outputs.processed, '23', 'every lacking PR was found, not only the first 5');
  const calls = rig.gw.log.filter((e) => e.method === 'POST' && e.path.endsWith('/rpc/progressive_capture_lacking'));
  assert.equal(calls.length, 5, 'five pages of five rows');
  rig.clearLogs();
  const r2 = await rig.run({ 'time-range': '3650' });
  assert.equal(r2.code, 0, r2.log);
  assert.equal(r2.outputs.processed, '0', 'every stored PR was seen as current');
  assert.equal(r2.outputs.skipped, '23');
  // No table is read whole through the API: the question is the database's.
  for (const table of ['pull_request_captures', 'pull_requests']) {
    const reads = rig.gw.log.filter((e) => e.method === 'GET' && e.path.endsWith('/' + table)
      && !/(^|&)limit=0(&|$)/.test(e.query));
    assert.deepEqual(reads, [], `no read of ${table}`);
  }
});
