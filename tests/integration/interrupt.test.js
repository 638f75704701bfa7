// A run killed mid-capture (SIGKILL: no chance to clean up) leaves a
// consistent database, and the next run completes it with no duplicates.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRig, expectedPull, storedPull, expectedFiles, storedFiles } from '../lib/rig.js';
import { dumpDatabase } from '../lib/dump.js';
import { expectedReviews, expectedComments } from '../lib/truth.js';

let rig;
before(async () => {
  rig = await startRig('interrupt', {
    scenario: { seed: 71, prs: 40, maxFiles: 60, maxReviews: 8, maxIssueComments: 8 },
    github: { latencyMs: 15 },
  });
});
after(async () => { await rig?.close(); });

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

test('SIGKILL mid-capture leaves a consistent database; the next run completes it', async () => {
  let killedAt = null;
  const r1 = await rig.run({ command: 'pr-all', api: 'rest', 'time-range': '3650' }, {
    // Kill once a few PRs are complete, while others are half written.
    whileRunning: async (child, closed) => {
      let done = false;
      closed.then(() => { done = true; });
      while (!done) {
        const n = await rig.db.count('pull_request_captures', "part = 'details'");
        if (n >= 5) {
          killedAt = n;
          child.kill('SIGKILL');
          return;
        }
        await sleep(20);
      }
    },
  });
  assert.equal(r1.code, 'signal SIGKILL', `the run ended before it could be killed:\n${r1.log}`);
  assert.ok(killedAt >= 5);

  if (rig.store === 'sqlite') {
    assert.deepEqual(await rig.db.query('pragma integrity_check'), [{ integrity_check: 'ok' }]);
    assert.deepEqual(await rig.db.query('pragma foreign_key_check'), []);
  }
  // Every PR marked captured is whole; the others may be half written, and lacking.
  const marked = (await rig.db.query(`select number from pull_request_captures where part = 'details'`))
    .map((r) => r.number);
  assert.ok(marked.length >= 5 && marked.length < rig.scn.pulls.length, `${marked.length} marked`);
  for (const n of marked) {
    const p = rig.scn.pulls.find((x) => x.number === n);
    assert.deepEqual(await storedPull(rig.db, n), expectedPull(p, rig.scn.repo.full_name));
    assert.deepEqual(await storedFiles(rig.db, n), expectedFiles(p));
  }

  const r2 = await rig.run({ command: 'pr-all', api: 'rest', 'time-range': '3650' });
  assert.equal(r2.code, 0, r2.log);
  assert.equal(Number(r2.outputs.skipped) >= marked.length, true, 'the complete ones were not fetched again');
  const all = rig.scn.pulls.map((p) => p.number);
  const d = await dumpDatabase(rig.db);
  assert.equal(d.pull_requests.length, all.length);
  assert.deepEqual(d.reviews, expectedReviews(rig.scn, all));
  assert.deepEqual(d.comments, expectedComments(rig.scn, all));
  for (const p of rig.scn.pulls)
    assert.deepEqual(await storedFiles(rig.db, p.number), expectedFiles(p), `files of #${p.number}`);
  const ids = d.pull_requests.map((p) => p.github_id);
  assert.equal(new Set(ids).size, ids.length, 'no duplicates');
});
