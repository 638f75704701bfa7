// make bench: what a capture costs and how long it takes, the binary beside
// the original plan's algorithm (baseline.js), printed as one table.
//
//   node tests/bench/bench.js            (make bench builds both binaries first)
//
// For each generated repository and each latency (GitHub / store, in ms), it
// runs pr-details and pr-all (api: graphql, time-range mode: the PRs created
// in the repository's year that lack what the command captures, into a
// freshly emptied store) with the release binary and the dev build, and the
// baseline, and measures:
//   GitHub requests and points a PR   the fake GitHub's request log (points:
//                                     GraphQL cost + 1 per charged REST answer)
//   store requests a PR               the PostgREST gateway's request log
//   wall time                         from spawn to exit
//   CPU, peak RSS                     of the child, by /usr/bin/time (user+sys, %M)
//   start-up                          median time of `--version`
// plus an unchanged re-run of pr-all (nothing moved on GitHub: what it costs).
// Every figure of a program is also shown as a ratio to the baseline's. The
// issue's targets are printed beside the figures as met / not met: a report,
// never a failure (timings on a shared machine are noisy).
//
// Latency: the store's through a delaying TCP proxy (proxy.js) in front of the
// gateway; GitHub's by the fake GitHub's own latencyMs (every answer held that
// long), since a proxy would leave its absolute Link URLs pointing past it.
//
// Environment:
//   PC_BENCH_QUICK=1           50 PRs, latency 0/0 only (what make test runs)
//   PC_BENCH_SCENARIOS=1k,10k  repositories (default 1k; quick: quick)
//   PC_BENCH_LATENCIES=0/0,100/0,0/50,100/50   GitHub/store ms (the default)
//   PC_BENCH_PROGRAMS=release,dev   (default both; quick: those built)
//   PC_BENCH_DEV_LATENCIES=all  the dev build at every latency (default: the
//                              first only: it is there for CPU and memory)
//   PC_BENCH_BASELINE_PRS=200  the baseline runs over every PR when there is no
//                              latency (up to 2,000 PRs), else over this many,
//                              evenly spread, and
//                              its wall time and CPU are scaled to all the PRs
//                              (it does one PR at a time: its time is linear)
//   PC_BENCH_RUN_LIMIT_S=90    how long a run of the binary may take for 1,000 PRs
//                              (scaled with the PR count, at least 60): then it
//                              gets SIGTERM, as a cancelled workflow does, and
//                              stops as partial, writing what it fetched; its
//                              figures are per PR captured, its wall time
//                              scaled to all the PRs and marked "≈" (so a slow
//                              store cannot make the default bench take an hour)
//   PC_BENCH_JSON=file         also write the results as JSON
//   PC_BIN, PC_STATIC_BIN      the dev and release binaries
//   PC_DATABASE_URL            a PostgreSQL cluster (else one is started)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRig, KEY, TOKEN } from '../lib/rig.js';
import { ROOT } from '../lib/runner.js';
import { startDelayProxy } from './proxy.js';

const BASELINE = fileURLToPath(new URL('./baseline.js', import.meta.url));
export const PROGRAMS = {
  release: process.env.PC_STATIC_BIN || join(ROOT, 'build/static/progressive-capture'),
  dev: process.env.PC_BIN || join(ROOT, 'progressive-capture'),
};

// Ten PRs of 101 to 3,000 files, spread over the repository (the rest: up to 100).
const BIG_FILES = [101, 150, 250, 400, 600, 900, 1300, 1800, 2400, 3000];
function bigPrs(prs, sizes) {
  return sizes.map((files, i) => ({ number: Math.max(7, Math.round(((i + 0.5) * prs) / sizes.length)), files }));
}
const DAYS = 365;
const base = {
  seed: 1313, days: DAYS, renames: false, bigUserIds: false, maxFiles: 100, maxReviews: 10,
  maxIssueComments: 10, maxReviewComments: 5, maxCommits: 5, now: Date.parse('2026-11-01T00:00:00Z'),
};
export const SCENARIOS = {
  quick: { ...base, prs: 50, special: bigPrs(50, [101, 300]) },
  '1k': { ...base, prs: 1000, special: bigPrs(1000, BIG_FILES) },
  '10k': { ...base, prs: 10000, special: bigPrs(10000, BIG_FILES) },
};

// The issue's targets (13 §1), checked against the results as a report.
export const TARGETS = [
  'pr-details at GitHub 100 ms / store 0 ms: ≥ 20× faster than the baseline',
  'pr-all at GitHub 100 ms / store 50 ms: ≥ 10× faster than the baseline',
  'store requests: ≤ 0.2 a PR for pr-details',
  'store requests: ≤ 0.5 a PR for pr-all',
  'pr-all: ≤ 0.1 GitHub requests a PR',
  'pr-all: ≤ 0.15 GitHub points a PR',
  'unchanged re-run of pr-all: ≤ 1 point per 100 PRs',
  'release CPU within 1.5× of the dev build\'s',
  'peak RSS ≤ 16 MB at 10,000 PRs (release)',
  '--version ≤ 5 ms (release)',
];

const envList = (k, def) => (process.env[k] ? process.env[k].split(',').map((s) => s.trim()).filter(Boolean) : def);

export function config(env = process.env) {
  const quick = env.PC_BENCH_QUICK === '1';
  const built = Object.keys(PROGRAMS).filter((p) => existsSync(PROGRAMS[p]));
  return {
    quick,
    scenarios: envList('PC_BENCH_SCENARIOS', quick ? ['quick'] : ['1k']),
    latencies: envList('PC_BENCH_LATENCIES', quick ? ['0/0'] : ['0/0', '100/0', '0/50', '100/50'])
      .map((l) => l.split('/').map(Number)),
    programs: envList('PC_BENCH_PROGRAMS', quick ? built : ['release', 'dev']),
    devEverywhere: env.PC_BENCH_DEV_LATENCIES === 'all',
    baselinePrs: Number(env.PC_BENCH_BASELINE_PRS || (quick ? 50 : 200)),
    runLimitS: Number(env.PC_BENCH_RUN_LIMIT_S || 90),
  };
}

// Runs argv under /usr/bin/time: { code, wallMs, cpuS, rssKb, stdout, stderr }.
function timed(argv, { env = {}, cwd } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'pc-bench-'));
  const out = join(dir, 'time');
  const t0 = process.hrtime.bigint();
  const child = spawn('/usr/bin/time', ['-o', out, '-f', '%U %S %M', ...argv], {
    env: { PATH: process.env.PATH, ...env }, cwd, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '', stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  return new Promise((resolve) => child.on('close', (code) => {
    const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
    const [u, s, m] = readFileSync(out, 'utf8').trim().split('\n').pop().split(' ').map(Number);
    rmSync(dir, { recursive: true, force: true });
    resolve({ code, wallMs, cpuS: u + s, rssKb: m, stdout, stderr });
  }));
}

// Median wall time of `argv --version`, in ms.
export function startupMs(argv, runs = 41) {
  const t = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(argv[0], [...argv.slice(1), '--version'], { stdio: 'ignore' });
    if (r.status !== 0) throw new Error(`${argv.join(' ')} --version exited ${r.status}`);
    t.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  t.sort((a, b) => a - b);
  return t[t.length >> 1];
}

const points = (log) => log.reduce((s, e) => s + (e.cost || 0), 0);
// Requests by kind (GraphQL operation, REST route, store method and table), most first.
function byKind(log, kind) {
  const n = {};
  for (const e of log) n[kind(e)] = (n[kind(e)] || 0) + 1;
  return Object.fromEntries(Object.entries(n).sort((a, b) => b[1] - a[1]));
}

async function runScenario(name, cfg, results, say) {
  const opts = SCENARIOS[name];
  if (!opts) throw new Error(`unknown scenario ${name} (${Object.keys(SCENARIOS).join(', ')})`);
  say(`bench: ${name}: generating ${opts.prs} PRs`);
  const rig = await startRig(`bench_${name.replace(/\W/g, '_')}`, { scenario: opts, store: 'postgrest' });
  const proxy = await startDelayProxy({ port: new URL(rig.gw.url).port });
  const prs = rig.scn.pulls.length;
  const files = rig.scn.pulls.reduce((s, p) => s + p.files.length, 0);
  results.scenarios[name] = { prs, files, maxFiles: Math.max(...rig.scn.pulls.map((p) => p.files.length)) };
  const reset = async () => {
    await rig.db.truncateAll();
    const [repo] = await rig.db.query(`insert into repositories (github_id, full_name, owner, name)
      values ($1, $2, $3, $4) returning id`, [rig.scn.repo.id, rig.scn.repo.full_name, rig.scn.repo.owner.login, rig.scn.repo.name]);
    rig.clearLogs();
    return repo.id;
  };
  const limitS = Math.max(60, Math.round((cfg.runLimitS * prs) / 1000));
  const row = (extra, r) => ({
    scenario: name, prs, done: prs, ...extra,
    githubRequests: rig.gh.log.length, points: points(rig.gh.log), storeRequests: rig.gw.log.length,
    githubByKind: byKind(rig.gh.log, (e) => (e.route === '/graphql' ? `graphql ${e.operation ?? ''}`.trim() : e.route ?? e.path)),
    storeByKind: byKind(rig.gw.log, (e) => `${e.method} ${String(e.path ?? e.url ?? '').split('?')[0]}`),
    wallS: r.wallMs / 1000, cpuS: r.cpuS, rssMb: r.rssKb / 1024,
  });
  const binary = async (program, command, repoId, latency) => {
    const t0 = process.hrtime.bigint();
    const r = await rig.run({
      command, api: 'graphql', 'repository-id': repoId, 'time-range': '3650',
      'fail-on-partial': 'false',
      'supabase-url': proxy.url, 'supabase-key': KEY,
    }, {
      bin: PROGRAMS[program], timeoutMs: 3 * 3600 * 1000, ...timeWrap(),
      // SIGTERM to the binary, /usr/bin/time's child (time does not pass it on).
      whileRunning: (child, closed) => {
        const timer = setTimeout(() => {
          for (const pid of readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/))
            if (pid) process.kill(Number(pid), 'SIGTERM');
        }, limitS * 1000);
        closed.then(() => clearTimeout(timer));
      },
    });
    const t = { ...readTime(), wallMs: Number(process.hrtime.bigint() - t0) / 1e6 };
    if (r.code !== 0) throw new Error(`${program} ${command} (${name}, ${latency}) exited ${r.code}:\n${r.log.slice(-3000)}`);
    return { r, t };
  };
  for (const [gh, st] of cfg.latencies) {
    const latency = `${gh}/${st}`;
    rig.gh.setLatency(gh);
    proxy.setDelay(st);
    const first = latency === `${cfg.latencies[0][0]}/${cfg.latencies[0][1]}`;
    for (const program of cfg.programs) {
      if (program === 'dev' && !first && !cfg.devEverywhere) continue;
      for (const command of ['pr-details', 'pr-all']) {
        const repoId = await reset();
        say(`bench: ${name} ${latency} ${program} ${command}`);
        const { r, t } = await binary(program, command, repoId, latency);
        const processed = Number(r.outputs.processed);
        const partial = r.outputs.status === 'partial';
        if (processed !== prs && !(partial && processed > 0))
          throw new Error(`${program} ${command}: processed ${processed} of ${prs} PRs (${r.outputs.status})`);
        if (partial) {
          say(`bench: ${program} ${command} stopped after ${limitS} s: ${processed} of ${prs} PRs`);
          t.wallMs *= prs / processed;
          t.cpuS *= prs / processed;
        }
        results.rows.push(row({ latency, program, command, done: processed, partial, limitS }, t));
        if (command === 'pr-all' && program === cfg.programs[0] && first && !partial) {
          rig.clearLogs();
          say(`bench: ${name} ${latency} ${program} pr-all again, nothing changed`);
          const again = await binary(program, command, repoId, latency);
          results.rows.push(row({ latency, program, command: 'pr-all re-run', skipped: Number(again.r.outputs.skipped) }, again.t));
        }
      }
    }
    // The baseline: every PR without latency, else an even sample, scaled.
    const repoId = await reset();
    const sampleN = gh === 0 && st === 0 && prs <= 2000 ? prs : Math.min(prs, cfg.baselinePrs);
    const numbers = Array.from({ length: sampleN }, (_, i) => rig.scn.pulls[Math.floor((i * prs) / sampleN)].number);
    say(`bench: ${name} ${latency} baseline (${sampleN} PRs)`);
    const b = await timed(['node', BASELINE], {
      env: {
        BASELINE_GITHUB_URL: rig.gh.url, BASELINE_TOKEN: TOKEN, BASELINE_REPO: rig.repository,
        BASELINE_PRS: numbers.join(','), BASELINE_STORE_URL: proxy.url, BASELINE_STORE_KEY: KEY,
        BASELINE_REPOSITORY_ID: repoId,
      },
    });
    if (b.code !== 0 || !/"failed":0/.test(b.stdout)) throw new Error(`baseline (${name}, ${latency}) failed:\n${b.stdout}${b.stderr.slice(-3000)}`);
    const scale = prs / sampleN;
    const br = row({ latency, program: 'baseline', command: 'plan (pulls.get + files + upsert)', sampled: sampleN < prs ? sampleN : null },
      { wallMs: b.wallMs * scale, cpuS: b.cpuS * scale, rssKb: b.rssKb });
    br.githubRequests *= scale; br.points *= scale; br.storeRequests *= scale;
    results.rows.push(br);
  }
  await proxy.close();
  await rig.close();
}

// rig.run's wrap, with /usr/bin/time writing to a file of ours.
let timeFile = null;
function timeWrap() {
  if (!timeFile) timeFile = join(mkdtempSync(join(tmpdir(), 'pc-bench-')), 'time');
  return { wrap: ['/usr/bin/time', '-o', timeFile, '-f', '%U %S %M'] };
}
function readTime() {
  const [u, s, m] = readFileSync(timeFile, 'utf8').trim().split('\n').pop().split(' ').map(Number);
  return { cpuS: u + s, rssKb: m, wallMs: NaN };
}

// --- the report -----------------------------------------------------------------

const f = (v, d = 3) => (v == null || Number.isNaN(v) ? '—' : v.toFixed(d));
const ratio = (v, b) => (b ? `${v / b >= 10 ? (v / b).toFixed(0) : (v / b).toFixed(2)}×` : '—');

export function table(results) {
  const lines = [];
  const head = ['scenario', 'GitHub/store ms', 'program', 'command', 'GitHub req/PR', 'points/PR', 'store req/PR',
    'wall s', 'CPU s', 'peak RSS MB'];
  lines.push(`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`);
  for (const r of results.rows) {
    const b = results.rows.find((x) => x.program === 'baseline' && x.scenario === r.scenario && x.latency === r.latency);
    const cell = (v, bv, d) => (r === b || !b ? f(v, d) : `${f(v, d)} (${ratio(v, bv)})`);
    let wall = r.wallS < 10 ? f(r.wallS, 2) : f(r.wallS, 1);
    if (r === b && r.sampled) wall = `≈ ${f(r.wallS, 1)} (${r.sampled} PRs, scaled)`;
    if (r.partial) wall = `≈ ${f(r.wallS, 1)} (partial: ${r.done} PRs in ${r.limitS} s, scaled)`;
    lines.push(`| ${[
      `${r.scenario} (${r.prs} PRs)`, r.latency, r.program, r.command + (r.skipped != null ? ` (${r.skipped} skipped)` : ''),
      cell(r.githubRequests / r.done, b?.githubRequests / b?.done), cell(r.points / r.done, b?.points / b?.done),
      cell(r.storeRequests / r.done, b?.storeRequests / b?.done),
      r === b ? wall : `${wall} (${ratio(r.wallS, b.wallS)})`,
      (r.partial ? '≈ ' : '') + cell(r.cpuS, b?.cpuS, 2), cell(r.rssMb, b?.rssMb, 1),
    ].join(' | ')} |`);
  }
  lines.push('', '| start-up (`--version`, median of 41) | ms |', '|---|---|');
  for (const [p, ms] of Object.entries(results.startup)) lines.push(`| ${p} | ${f(ms, 2)} |`);
  return lines.join('\n');
}

// Each target: { target, measured, met: true|false|null (not measured) }.
export function checkTargets(results) {
  const rows = results.rows;
  const find = (q) => rows.filter((r) => Object.entries(q).every(([k, v]) => r[k] === v));
  const big = (list) => list.sort((a, b) => b.prs - a.prs)[0];
  const out = [];
  const speed = (command, latency, min) => {
    const r = big(find({ program: 'release', command, latency }));
    const b = r && find({ program: 'baseline', latency, scenario: r.scenario })[0];
    if (!r || !b) return { measured: `not measured (latency ${latency} not run)`, met: null };
    const x = b.wallS / r.wallS;
    const est = r.partial || b.sampled ? ' (estimated: scaled from part of the PRs)' : '';
    return { measured: `${x.toFixed(1)}× (${f(r.wallS, 1)} s against ${f(b.wallS, 1)} s, ${r.scenario})${est}`, met: x >= min };
  };
  // Counts a PR from whole runs where there are any: a run stopped early has
  // fetched ahead of what it wrote, so its counts a PR run high.
  const perPr = (command, key, max, label) => {
    const all = find({ program: 'release', command });
    const list = all.some((r) => !r.partial) ? all.filter((r) => !r.partial) : all;
    if (!list.length) return { measured: 'not measured', met: null };
    const worst = Math.max(...list.map((r) => r[key] / r.done));
    const est = list.some((r) => r.partial) ? ' (from runs stopped early)' : '';
    return { measured: `${worst.toFixed(3)} ${label} a PR${est}`, met: worst <= max };
  };
  out.push(speed('pr-details', '100/0', 20));
  out.push(speed('pr-all', '100/50', 10));
  out.push(perPr('pr-details', 'storeRequests', 0.2, 'store requests'));
  out.push(perPr('pr-all', 'storeRequests', 0.5, 'store requests'));
  out.push(perPr('pr-all', 'githubRequests', 0.1, 'GitHub requests'));
  out.push(perPr('pr-all', 'points', 0.15, 'points'));
  const re = big(find({ command: 'pr-all re-run' }));
  out.push(re ? { measured: `${f((re.points * 100) / re.prs, 2)} points per 100 PRs (${re.points} for ${re.prs})`, met: (re.points * 100) / re.prs <= 1 }
    : { measured: 'not measured', met: null });
  const cpu = [];
  for (const d of find({ program: 'dev' })) {
    const r = find({ program: 'release', command: d.command, latency: d.latency, scenario: d.scenario })[0];
    if (r) cpu.push({ x: r.cpuS / d.cpuS, r, d });
  }
  if (cpu.length) {
    const w = cpu.sort((a, b) => b.x - a.x)[0];
    out.push({ measured: `${w.x.toFixed(2)}× at worst (${w.r.command}, ${w.r.scenario}: ${f(w.r.cpuS, 2)} s against ${f(w.d.cpuS, 2)} s)`, met: w.x <= 1.5 });
  } else out.push({ measured: 'not measured (needs both builds)', met: null });
  const tenK = find({ program: 'release', scenario: '10k' });
  if (tenK.length) {
    const m = Math.max(...tenK.map((r) => r.rssMb));
    out.push({ measured: `${m.toFixed(1)} MB`, met: m <= 16 });
  } else {
    const any = find({ program: 'release' });
    const m = any.length ? Math.max(...any.map((r) => r.rssMb)) : null;
    out.push({ measured: `not measured at 10,000 PRs (PC_BENCH_SCENARIOS=10k)${m != null ? `; ${m.toFixed(1)} MB at ${big(any).prs}` : ''}`, met: null });
  }
  const s = results.startup.release;
  out.push(s != null ? { measured: `${s.toFixed(2)} ms`, met: s <= 5 } : { measured: 'not measured', met: null });
  return TARGETS.map((target, i) => ({ target, ...out[i] }));
}

export function report(results) {
  const lines = [table(results), '', '| target (issue 13) | measured | |', '|---|---|---|'];
  for (const t of checkTargets(results)) lines.push(`| ${t.target} | ${t.measured} | ${t.met == null ? '—' : t.met ? 'met' : 'not met'} |`);
  // Where the requests of the release binary's first whole runs went.
  const seen = new Set();
  for (const r of results.rows) {
    const key = `${r.scenario} ${r.command}`;
    if (r.program !== 'release' || r.partial || seen.has(key) || !r.githubByKind) continue;
    seen.add(key);
    const top = (o) => Object.entries(o).slice(0, 6).map(([k, v]) => `${k} ${v}`).join(', ');
    lines.push('', `${r.scenario} ${r.command} (${r.latency}): GitHub: ${top(r.githubByKind)}; store: ${top(r.storeByKind)}`);
  }
  return lines.join('\n');
}

export function machine() {
  const c = cpus();
  return `${c[0]?.model ?? 'unknown CPU'}, ${c.length} cores, Linux ${process.platform === 'linux' ? readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim() : ''}, Node ${process.versions.node}`;
}

export async function runBench(cfg = config(), say = (s) => process.stderr.write(`${s}\n`)) {
  for (const p of cfg.programs) if (!existsSync(PROGRAMS[p])) throw new Error(`bench: no ${p} binary at ${PROGRAMS[p]} (make${p === 'release' ? ' static' : ''})`);
  const results = { machine: machine(), date: new Date().toISOString(), config: cfg, scenarios: {}, rows: [], startup: {} };
  for (const p of cfg.programs) results.startup[p] = startupMs([PROGRAMS[p]]);
  results.startup.baseline = startupMs(['node', BASELINE], 11);
  for (const name of cfg.scenarios) await runScenario(name, cfg, results, say);
  return results;
}

// node bench.js --report a.json [b.json...]: the report again from saved results
// (PC_BENCH_JSON), several runs merged (e.g. the default and a 10k run).
if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === '--report') {
  const all = process.argv.slice(3).map((file) => JSON.parse(readFileSync(file, 'utf8')));
  const results = { ...all[0], scenarios: Object.assign({}, ...all.map((r) => r.scenarios)), rows: all.flatMap((r) => r.rows) };
  for (const r of all) for (const [n, s] of Object.entries(r.scenarios))
    console.log(`${n}: ${s.prs} PRs, ${s.files} files (largest ${s.maxFiles}); ${r.machine}; ${r.date}`);
  console.log(report(results));
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const t0 = Date.now();
  const results = await runBench();
  console.log(`\n${results.machine}; ${results.date}; ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  for (const [n, s] of Object.entries(results.scenarios))
    console.log(`${n}: ${s.prs} PRs, ${s.files} files (largest ${s.maxFiles})`);
  console.log(`ratios (×) are to the baseline at the same latency; times are noisy on a shared machine\n`);
  console.log(report(results));
  if (process.env.PC_BENCH_JSON) writeFileSync(process.env.PC_BENCH_JSON, JSON.stringify(results, null, 2));
}
