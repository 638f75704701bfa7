#!/usr/bin/env node
// A stand-in for the binary while its `plan` and `stats` commands are being
// written: those two answer by their contract, from the fake GitHub and the
// store's Data API (PostgREST), just enough for end_to_end.test.js to run
// bulk-capture.yml's wiring today; every other command is the real binary.
// Not a model of the real commands (no budget estimate, no heuristics): the
// real ones are tested by the same assertions, with the real binary.
//
// Started as the action's binary (INPUT_* variables, GITHUB_OUTPUT, …), with
// PC_REAL_BIN naming the real one.
import { spawnSync } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';

const input = (name) => (process.env[`INPUT_${name.toUpperCase()}`] ?? '').trim();
const command = input('command');

if (command !== 'plan' && command !== 'stats') {
  const r = spawnSync(process.env.PC_REAL_BIN, process.argv.slice(2), { stdio: 'inherit', env: process.env });
  process.exit(r.status ?? 1);
}

const api = process.env.GITHUB_API_URL;
const store = `${input('supabase-url')}/rest/v1`;
const key = input('supabase-key');
const storeHeaders = { apikey: key, authorization: `Bearer ${key}`, 'content-type': 'application/json' };

async function rest(url, init = {}) {
  const res = await fetch(url, init);
  const text = await res.text();
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${url}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

function output(values) {
  for (const [k, v] of Object.entries(values)) {
    const d = `ghadelimiter_${randomUUID()}`;
    appendFileSync(process.env.GITHUB_OUTPUT, `${k}<<${d}\n${v}\n${d}\n`);
  }
}

async function plan() {
  const repo = input('repository');
  const days = Number(input('time-range') || 30);
  const size = Number(input('shard-size') || 50);
  const maxShards = Math.min(Number(input('max-shards') || 256), 256);
  const types = (input('capture-types') || 'details,reviews,comments').split(',').map((s) => s.trim());
  const parts = types.filter((t) => t !== 'commits');
  const since = Date.now() - days * 86400000;
  const gh = { authorization: `token ${input('github-token')}`, 'user-agent': 'contract-stub', accept: 'application/vnd.github+json' };
  const pulls = [];
  for (let page = 1; ; page++) {
    const list = await rest(`${api}/repos/${repo}/pulls?state=all&per_page=100&page=${page}`, { headers: gh });
    pulls.push(...list);
    if (list.length < 100) break;
  }
  const [row] = await rest(`${store}/repositories?full_name=eq.${repo}&select=id`, { headers: storeHeaders });
  const captured = row ? await rest(`${store}/pull_request_captures?repository_id=eq.${row.id}&select=number,part,github_updated_at`, { headers: storeHeaders }) : [];
  const lacking = pulls.filter((p) => Date.parse(p.created_at) >= since).filter((p) => parts.some((part) => {
    const c = captured.find((x) => x.number === p.number && x.part === part);
    return !c || Date.parse(c.github_updated_at) < Date.parse(p.updated_at);
  })).map((p) => p.number).sort((a, b) => a - b);
  const include = [];
  for (let i = 0; i < lacking.length && include.length < maxShards; i += size) {
    const id = randomUUID();
    const prs = lacking.slice(i, i + size);
    await rest(`${store}/progressive_capture_jobs`, {
      method: 'POST', headers: storeHeaders,
      // The run's id from the start, so that `stats` finds a shard that never started.
      body: JSON.stringify({
        id, job_type: 'pr-all', status: 'pending', workflow_run_id: Number(process.env.GITHUB_RUN_ID),
        metadata: { pr_numbers: prs, repository_name: repo, shard: include.length },
      }),
    });
    include.push({ shard: include.length, command: parts.length === 3 ? 'pr-all' : `pr-${parts[0]}`, 'pr-numbers': prs.join(','), 'job-id': id });
  }
  output({
    matrix: JSON.stringify({ include }),
    'pr-numbers': include.map((s) => s['pr-numbers']).join(','),
    shards: String(include.length),
    needed: include.length ? 'true' : 'false',
    'estimated-points': String(include.length * 2),
    'estimated-minutes': String(include.length),
  });
}

async function stats() {
  const runId = input('run-id');
  const jobs = await rest(`${store}/progressive_capture_jobs?workflow_run_id=eq.${runId}&select=id,status`, { headers: storeHeaders });
  const lines = ['| job | status |', '| --- | --- |', ...jobs.map((j) => `| ${j.id} | ${j.status} |`)];
  appendFileSync(process.env.GITHUB_STEP_SUMMARY, `### Jobs of run ${runId}\n\n${lines.join('\n')}\n`);
}

try {
  await (command === 'plan' ? plan() : stats());
} catch (e) {
  console.log(`::error::${String(e.message).replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')}`);
  process.exit(1);
}
