// make bench's harness, kept working: its quick mode (50 PRs, no latency,
// the binaries that are built) must produce a full table. Nothing about time
// or cost is asserted here: make bench reports those, and the counts have
// their own test (efficiency.test.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { config, runBench, report, checkTargets, TARGETS } from './bench.js';

test('the bench harness (PC_BENCH_QUICK) produces a full table', async () => {
  const cfg = config({ ...process.env, PC_BENCH_QUICK: '1', PC_BENCH_SCENARIOS: '', PC_BENCH_LATENCIES: '', PC_BENCH_PROGRAMS: '' });
  assert.ok(cfg.programs.includes('dev'), 'the dev build is built');
  const lines = [];
  const results = await runBench(cfg, (s) => lines.push(s));
  const rows = results.rows;
  for (const program of cfg.programs)
    for (const command of ['pr-details', 'pr-all'])
      assert.equal(rows.filter((r) => r.program === program && r.command === command).length, 1, `${program} ${command}`);
  assert.equal(rows.filter((r) => r.command === 'pr-all re-run').length, 1, 'the unchanged re-run');
  assert.equal(rows.filter((r) => r.program === 'baseline').length, 1, 'the baseline');
  for (const r of rows) {
    assert.equal(r.done, r.prs, `${r.program} ${r.command} captured every PR`);
    for (const k of ['githubRequests', 'points', 'storeRequests', 'wallS', 'cpuS', 'rssMb'])
      assert.ok(Number.isFinite(r[k]) && r[k] >= 0, `${r.program} ${r.command}: ${k} = ${r[k]}`);
    assert.ok(r.rssMb > 0, `${r.program} ${r.command}: a peak RSS`);
  }
  assert.ok(rows.find((r) => r.program === 'baseline').githubRequests > 0, 'the baseline reached GitHub');
  for (const p of [...cfg.programs, 'baseline']) assert.ok(results.startup[p] > 0, `start-up of ${p}`);
  const targets = checkTargets(results);
  assert.equal(targets.length, TARGETS.length);
  const text = report(results);
  console.log(text);
  assert.equal(text.split('\n').filter((l) => /^\| quick \(50 PRs\) \| 0\/0 \|/.test(l)).length, rows.length, 'a line a row');
  for (const t of TARGETS) assert.ok(text.includes(t), t);
});
