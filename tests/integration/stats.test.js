// stats: the plan's monitoring endpoint as a command (issue 11). A seeded set
// of job rows (states, types, processors, durations, heartbeats; some outside
// the window, some of one workflow run) and every number the command gives,
// computed here again, independently, from the same rows. The gateway pages
// at 7 rows so a read that stops at PostgREST's max-rows would show.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startRig } from '../lib/rig.js';
import { mulberry32 } from '../lib/random.js';

const S = 1e3, MIN = 60e3, H = 3600e3;
const RUN = 4242;
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

let rig, jobs;
before(async () => {
  rig = await startRig('stats', { scenario: { prs: 1 }, gateway: { maxRows: 7 } });
  jobs = await seed(Date.now());
});
after(async () => { await rig?.close(); });

// Durations on both sides of what the metrics cut at: 60 s (a minute billed), 300 s (5 minutes).
const DURATIONS = [1, 12, 59, 60, 61, 95, 180, 299, 300, 301, 420, 1800, 7];
const TYPES = ['pr-details', 'reviews', 'comments', 'historical-pr-sync', 'recent-prs'];

// Sixty-odd jobs. Times keep clear of the cut-offs (24 h, 10 min), so the
// binary's clock a second later sees the same. Returns the rows as inserted.
async function seed(now) {
  const rnd = mulberry32(11);
  const pick = (a) => a[Math.floor(rnd() * a.length)];
  const rows = [];
  const add = (r) => rows.push({ id: randomUUID(), metadata: {}, progress: null, run: null, ...r });
  for (let i = 0; i < 30; i++) {
    let created = now - (1 + rnd() * 20) * H; // inside the last 24 h
    if (Math.abs(now - created - 9 * H) < 2 * MIN) created -= 5 * MIN; // clear of the 9 h window's cut
    const status = pick(['completed', 'completed', 'completed', 'completed', 'failed', 'partial']);
    const d = DURATIONS[i % DURATIONS.length] * S;
    add({ status, type: pick(TYPES), processor: i % 5 === 0 ? 'inngest' : 'github_actions', created,
      started: created + 5 * S, completed: created + 5 * S + d });
  }
  // Outside the window: never counted, unless of the run.
  for (let i = 0; i < 6; i++) {
    const created = now - (26 + i * 10) * H;
    add({ status: i % 2 ? 'failed' : 'completed', type: pick(TYPES), processor: 'github_actions', created,
      started: created + S, completed: created + 400 * S, run: i < 2 ? RUN : null });
  }
  const recent = now - 2 * H;
  add({ status: 'pending', type: 'pr-details', processor: 'github_actions', created: recent, run: RUN });
  add({ status: 'pending', type: 'reviews', processor: 'inngest', created: recent });
  // Processing: alive by its heartbeat, by its progress row, or by having just started; and stale ones.
  add({ status: 'processing', type: 'pr-details', processor: 'github_actions', created: recent, started: recent,
    metadata: { heartbeat_at: iso(now - 30 * S) }, run: RUN });
  add({ status: 'processing', type: 'comments', processor: 'github_actions', created: recent, started: recent,
    progress: now - 2 * MIN });
  add({ status: 'processing', type: 'recent-prs', processor: 'github_actions', created: now - 4 * MIN,
    started: now - 3 * MIN });
  add({ status: 'processing', type: 'pr-details', processor: 'github_actions', created: recent, started: recent,
    metadata: { heartbeat_at: iso(now - 15 * MIN) }, progress: now - 20 * MIN, run: RUN });
  add({ status: 'processing', type: 'reviews', processor: 'inngest', created: recent, started: recent });
  add({ status: 'completed', type: 'pr-details', processor: 'github_actions', created: recent, started: null,
    completed: recent + MIN }); // no started_at: no duration, no minutes
  add({ status: 'completed', type: 'comments', processor: 'github_actions', created: recent, started: recent,
    completed: recent + 130 * S, run: RUN });
  // Two small runs: one that meets both targets, one whose jobs are slow.
  for (let i = 0; i < 10; i++) {
    const created = now - 3 * H - i * MIN;
    add({ status: 'completed', type: 'pr-details', processor: 'github_actions', created, started: created + S,
      completed: created + (30 + i) * S, run: 5001 });
    add({ status: 'completed', type: 'reviews', processor: 'github_actions', created, started: created + S,
      completed: created + (i < 2 ? 400 : 100) * S, run: 5002 });
  }
  for (const r of rows) {
    await rig.db.query(
      `insert into progressive_capture_jobs (id, job_type, processor_type, status, created_at, started_at,
         completed_at, metadata, workflow_run_id) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [r.id, r.type, r.processor, r.status, iso(r.created), r.started ? iso(r.started) : null,
        r.completed ? iso(r.completed) : null, JSON.stringify(r.metadata), r.run]);
    if (r.progress) {
      await rig.db.query(`insert into progressive_capture_progress (id, job_id, updated_at) values ($1, $2, $3)`,
        [randomUUID(), r.id, iso(r.progress)]);
    }
  }
  return rows;
}

// The same numbers, from the rows, by the rules the README states.
function expected(rows, now, { hours = 24, run = null, free = 2000, priceMicro = 6000 } = {}) {
  const sel = rows.filter((r) => (run ? r.run === run : r.created >= now - hours * H));
  const count = (f) => sel.filter(f).length;
  const tally = (k) => Object.fromEntries([...new Set(sel.map((r) => r[k]))].map((v) => [v, count((r) => r[k] === v)]));
  const sec = (ms) => Math.floor(ms / 1000);
  const alive = (r) => Math.max(r.started ?? r.created,
    r.metadata.heartbeat_at ? Date.parse(r.metadata.heartbeat_at) : 0, r.progress ?? 0);
  const stale = sel.filter((r) => r.status === 'processing' && sec(now) - sec(alive(r)) > 600);
  const n = { completed: 0, failed: 0, partial: 0, pending: 0, processing: 0 };
  for (const k of Object.keys(n)) n[k] = count((r) => r.status === k);
  const durations = sel.filter((r) => r.status === 'completed' && r.started && r.completed)
    .map((r) => Math.max(0, sec(r.completed) - sec(r.started))).sort((a, b) => a - b);
  const nearest = (p) => (durations.length ? durations[Math.ceil((p * durations.length) / 100) - 1] : null);
  const pct = (num, den) => {
    if (!den) return '';
    const bp = Math.floor((num * 20000 + den) / (2 * den));
    return `${Math.floor(bp / 100)}.${String(bp % 100).padStart(2, '0')}`;
  };
  const ended = n.completed + n.failed + n.partial;
  const fast = durations.filter((d) => d <= 300).length;
  const minutes = sel.filter((r) => r.processor === 'github_actions' && r.started && r.completed
      && !['pending', 'processing'].includes(r.status))
    .map((r) => Math.max(0, sec(r.completed) - sec(r.started)))
    .reduce((m, d) => m + (d <= 60 ? 1 : Math.ceil(d / 60)), 0);
  const projected = run ? null : Math.ceil((minutes * 720) / hours);
  const billable = run ? minutes : Math.max(0, projected - free);
  const cents = Math.floor((billable * priceMicro + 5000) / 10000);
  let health = 'healthy';
  if (stale.length || (ended && n.completed * 1000 < 900 * ended)) health = 'failing';
  else if ((ended && n.completed * 1000 < 995 * ended) || (durations.length && fast * 100 < 90 * durations.length)) health = 'degraded';
  return {
    total: sel.length, ...n, stale: stale.length, staleIds: stale.map((r) => r.id).sort(),
    byStatus: tally('status'), byType: tally('type'), byProcessor: tally('processor'),
    successRate: pct(n.completed, ended), p50: nearest(50), p90: nearest(90), within5: pct(fast, durations.length),
    minutes, projected, billable, cost: `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`, health,
  };
}

function check(r, want) {
  assert.equal(r.code, 0, r.log);
  const o = r.outputs;
  const num = (v) => (v === null ? '' : String(v));
  assert.deepEqual({
    total: o.total, completed: o.completed, failed: o.failed, partial: o.partial, pending: o.pending,
    processing: o.processing, stale: o.stale, 'success-rate': o['success-rate'], 'p50-seconds': o['p50-seconds'],
    'p90-seconds': o['p90-seconds'], 'within-5-minutes': o['within-5-minutes'], minutes: o.minutes,
    'cost-usd': o['cost-usd'], health: o.health,
  }, {
    total: num(want.total), completed: num(want.completed), failed: num(want.failed), partial: num(want.partial),
    pending: num(want.pending), processing: num(want.processing), stale: num(want.stale),
    'success-rate': want.successRate, 'p50-seconds': num(want.p50), 'p90-seconds': num(want.p90),
    'within-5-minutes': want.within5, minutes: num(want.minutes), 'cost-usd': want.cost, health: want.health,
  });
  const j = JSON.parse(o.json);
  assert.deepEqual(j.by_status, want.byStatus);
  assert.deepEqual(j.by_type, want.byType);
  assert.deepEqual(j.by_processor, want.byProcessor);
  assert.deepEqual([...j.stale_jobs].sort(), want.staleIds);
  assert.equal(j.total, want.total);
  assert.equal(j.success_rate, want.successRate === '' ? null : Number(want.successRate));
  assert.equal(j.p90_seconds, want.p90);
  assert.equal(j.minutes, want.minutes);
  assert.equal(j.projected_minutes, want.projected);
  assert.equal(j.billable_minutes, want.billable);
  assert.equal(j.cost_usd, Number(want.cost));
  assert.equal(j.health, want.health);
  return j;
}

const stats = (inputs = {}) => rig.run({ command: 'stats', repository: null, ...inputs });

test('stats over the last 24 hours equals the same numbers computed from the rows', async () => {
  const t = Date.now();
  const r = await stats();
  const want = expected(jobs, t);
  assert.ok(want.stale >= 1 && want.failed >= 1 && want.partial >= 1 && want.p90 > 300, 'the seed has every case');
  const j = check(r, want);
  assert.equal(j.hours, 24);
  assert.equal(j.run_id, null);
  assert.deepEqual(j.targets, { success_rate: 99.5, within_5_minutes: 90 });
  assert.equal(j.health, 'failing');
  assert.ok(j.reasons.some((x) => /stale jobs/.test(x)), j.reasons);
  const md = r.summary.replace(/\\(.)/g, '$1');
  assert.match(md, /\| Jobs by \| Value \| Jobs \|/);
  assert.match(md, new RegExp(`\\| state \\| completed \\| ${want.completed} \\|`));
  assert.match(md, new RegExp(`\\| processor \\| inngest \\| ${want.byProcessor.inngest} \\|`));
  assert.match(md, /Success rate: [\d.]+ % \(target 99.5 %\)/);
  assert.match(md, /Public repositories run on GitHub's standard hosted runners for free/);
  assert.match(md, /Health: failing: \d+ stale jobs/);
  // Read with filters, never a table whole.
  if (rig.storeLog()) {
    for (const e of rig.storeLog().filter((x) => x.method === 'GET' && /progressive_capture/.test(x.path))) {
      assert.match(e.query, /created_at=gte\.|id=in\.|job_id=in\.|limit=0/, e.query);
    }
  }
});

test('stats of one workflow run counts its jobs, whenever created, and prices its minutes', async () => {
  const t = Date.now();
  const r = await stats({ 'run-id': String(RUN), 'minute-price': '0.008' });
  const want = expected(jobs, t, { run: RUN, priceMicro: 8000 });
  assert.ok(want.total >= 5);
  const j = check(r, want);
  assert.equal(j.run_id, RUN);
  assert.equal(j.hours, null);
});

test('a shorter window with few free minutes: a cost, and the verdict of what is left', async () => {
  const t = Date.now();
  const r = await stats({ hours: '9', 'free-minutes': '10', 'minute-price': '0.006' });
  const want = expected(jobs, t, { hours: 9, free: 10 });
  check(r, want);
  assert.notEqual(want.cost, '0.00');
});

for (const [run, health] of [[5001, 'healthy'], [5002, 'degraded']]) {
  test(`a run whose jobs ${health === 'healthy' ? 'meet both targets is healthy' : 'are slow is degraded'}`, async () => {
    const t = Date.now();
    const j = check(await stats({ 'run-id': String(run) }), expected(jobs, t, { run }));
    assert.equal(j.health, health);
    if (health === 'degraded') assert.deepEqual(j.reasons, ['80.00 % of completed jobs took 5 minutes or less (target 90 %)']);
    else assert.deepEqual(j.reasons, []);
  });
}

test('a bad minute-price is bad input', async () => {
  for (const p of ['free', '-1', '0.0000001', '1e-3', '.5']) {
    const r = await stats({ 'minute-price': p });
    assert.equal(r.code, 2, `${p}: ${r.log}`);
    assert.match(r.commands.find((c) => c.name === 'error').message, /minute-price/);
  }
});
