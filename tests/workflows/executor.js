// A local workflow executor: runs a workflow file as GitHub would, closely
// enough to trust an end-to-end test of the workflows users copy. README.md
// beside this file says what it models and what it does not.
//
//   const run = await runWorkflow({ workflow: '.github/workflows/bulk-capture.yml',
//     inputs: { repository: 'acme/widgets' }, secrets: {...}, github: { api_url } });
//   run.result, run.runName, run.jobs.plan.outputs.matrix, run.jobs.capture.instances[0].call.jobs…,
//   run.steps() (every step, nested calls included; each with its warnings), run.artifacts, run.log
//
// GitHub's parser (github-parser.js) reads every file, so a workflow GitHub
// would refuse is refused here with GitHub's messages. Expressions are GitHub's
// evaluator's (expressions.js), with the contexts the schema allows where each
// one stands. OUR action's steps run the binary through the runner emulation
// of the integration tests (tests/lib/runner.js); other actions are recorded.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';
import YAML from 'yaml';
import { BIN, ROOT, parseFileCommand, runAction } from '../lib/runner.js';
import { asString, child, entries, evaluateIf, evaluateTemplateString, evaluateToken } from './expressions.js';
import { loadWorkflow, repoRootOf, TokenType } from './github-parser.js';
import { expandMatrix, matrixLabel } from './matrix.js';

/** The names under which a workflow uses this repository's action. */
export const OUR_ACTION = ['./', 'contributor-info/progressive-capture'];

const MAX_DEPTH = 4; // reusable workflows: the caller and three levels below it

// Allowed contexts where the parser leaves no token to ask (a default `if:`,
// action.yml's input defaults): the schema's lists.
const JOB_IF = ['github', 'inputs', 'vars', 'needs', 'always(0,0)', 'failure(0,MAX)', 'cancelled(0,0)', 'success(0,MAX)'];
const STEP_IF = ['github', 'inputs', 'vars', 'needs', 'strategy', 'matrix', 'steps', 'job', 'runner', 'env',
  'always(0,0)', 'failure(0,0)', 'cancelled(0,0)', 'success(0,0)', 'hashFiles(1,255)'];
const ACTION_INPUT_DEFAULT = ['github', 'strategy', 'matrix', 'job', 'runner', 'hashFiles(1,255)'];

// The github context keys the runner exports as GITHUB_* (GitHubContext.cs's allowlist).
const GITHUB_ENV_KEYS = ['action', 'action_path', 'action_ref', 'action_repository', 'actor', 'actor_id', 'api_url',
  'base_ref', 'event_name', 'event_path', 'graphql_url', 'head_ref', 'job', 'ref', 'ref_name', 'ref_protected',
  'ref_type', 'repository', 'repository_id', 'repository_owner', 'repository_owner_id', 'retention_days',
  'run_attempt', 'run_id', 'run_number', 'server_url', 'sha', 'triggering_actor', 'workflow', 'workflow_ref',
  'workflow_sha', 'workspace'];

let runCounter = 0;

/** A dispatched or called workflow's inputs were refused, as GitHub refuses them. */
export class WorkflowInputError extends Error {}

/**
 * Concurrency groups as GitHub keeps them: at most one holder running and one
 * pending per group (names compared case-insensitively); a newer pending
 * holder cancels the older pending one. A group already held by a caller of
 * the same chain would wait for itself: that is an error here.
 */
class Concurrency {
  constructor(record) {
    this.groups = new Map();
    this.record = record;
  }

  async acquire(group, who, held) {
    const key = group.toLowerCase();
    if (held.includes(key)) throw new Error(`concurrency group '${group}' is held by ${who}'s caller: it would wait for itself`);
    let g = this.groups.get(key);
    if (!g) this.groups.set(key, (g = { running: null, pending: null }));
    if (!g.running) {
      g.running = who;
      this.record.push({ group, who, event: 'running' });
      return () => this.release(key);
    }
    if (g.pending) {
      this.record.push({ group, who: g.pending.who, event: 'cancelled', by: who });
      g.pending.cancel();
    }
    this.record.push({ group, who, event: 'pending', behind: g.running });
    return new Promise((res, rej) => {
      g.pending = {
        who,
        start: () => {
          g.running = who;
          this.record.push({ group, who, event: 'running' });
          res(() => this.release(key));
        },
        cancel: () => rej(Object.assign(new Error(`cancelled: a newer run of concurrency group '${group}' replaced it while it was pending`), { cancelled: true })),
      };
    });
  }

  release(key) {
    const g = this.groups.get(key);
    g.running = null;
    const next = g.pending;
    g.pending = null;
    next?.start();
  }
}

/** Runs up to `limit` of the async functions at once, in order; results in order. */
async function pool(fns, limit) {
  const results = new Array(fns.length);
  let next = 0;
  const worker = async () => {
    while (next < fns.length) {
      const i = next++;
      results[i] = await fns[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, fns.length)) }, worker));
  return results;
}

const resultOf = (results) => (results.includes('failure') ? 'failure'
  : results.includes('cancelled') ? 'cancelled'
    : results.length && results.every((r) => r === 'skipped') ? 'skipped' : 'success');

/**
 * Runs a workflow file. Options:
 *   workflow     path (absolute, or relative to `root`)
 *   root         the repository (default: the folder holding .github/workflows)
 *   event        'workflow_dispatch' (default), 'schedule', 'push', …
 *   inputs       a dispatch's inputs, as the API takes them (strings; booleans too)
 *   payload      more of github.event
 *   secrets      the repository's secrets (GITHUB_TOKEN: the workflow token)
 *   vars         the repository's variables
 *   github       github context values (repository, api_url, graphql_url, server_url,
 *                ref, sha, actor, run_id, …)
 *   runner       runner context values
 *   runnerEnv    variables of the runner machine, in every step's process (a
 *                self-hosted runner's .env); the workflow's env: overrides them
 *   bin          OUR action's binary (default: the one tests/lib/runner.js runs)
 *   actionNames  how workflows name OUR action (default OUR_ACTION; a name matches with any @ref)
 *   runnerOptions  passed to runAction (e.g. { container } to run the image)
 *   uses         { 'owner/name': handler } for other actions: ({ with, env, workspace, github })
 *                -> { outputs, outcome, warnings }; defaults record them (create-github-app-token
 *                gives a fake token, upload-artifact keeps the files it names)
 *   remote       { 'owner/repo/path@ref': local file } for remote reusable workflows
 *   parallel     run matrix legs max-parallel at a time (default: one at a time, in order)
 *   shell        run `run:` steps with bash (default true; false records them)
 *   stepTimeoutMs  longest a step may take (default 5 minutes)
 */
export async function runWorkflow(options) {
  const root = resolve(options.root ?? (isAbsolute(options.workflow) ? repoRootOf(options.workflow) : ROOT));
  const path = isAbsolute(options.workflow) ? options.workflow : join(root, options.workflow);
  const temp = mkdtempSync(join(tmpdir(), 'pc-workflow-'));
  const n = ++runCounter;
  const shared = {
    root,
    temp,
    options: { shell: true, stepTimeoutMs: 300000, parallel: false, ...options },
    concurrency: null,
    concurrencyLog: [],
    steps: [],
    artifacts: [],
    log: [],
    cache: new Map(),
    tokens: 0,
  };
  shared.concurrency = new Concurrency(shared.concurrencyLog);
  const wf = await loadWorkflow(path);
  const event = options.event ?? 'workflow_dispatch';
  const secrets = { GITHUB_TOKEN: 'ghs_workflow_token_of_the_executor', ...(options.secrets ?? {}) };
  const repository = options.github?.repository ?? 'acme/capture-jobs';
  const ref = options.github?.ref ?? 'refs/heads/main';
  const workflowFile = relative(root, path);
  try {
    const { inputs, eventInputs } = event === 'workflow_dispatch' ? dispatchInputs(wf, options.inputs ?? {}) : { inputs: {}, eventInputs: null };
    const github = {
      action: '', action_path: '', action_ref: '', action_repository: '', action_status: '',
      actor: 'octocat', actor_id: '583231', triggering_actor: 'octocat',
      api_url: 'https://api.github.com', graphql_url: 'https://api.github.com/graphql', server_url: 'https://github.com',
      base_ref: '', head_ref: '', event_name: event, event_path: join(temp, 'event.json'),
      ref, ref_name: ref.replace(/^refs\/(heads|tags)\//, ''), ref_type: ref.startsWith('refs/tags/') ? 'tag' : 'branch',
      ref_protected: false,
      repository, repository_id: '1296269', repository_owner: repository.split('/')[0], repository_owner_id: '9919',
      retention_days: '90', run_id: String(9100000000 + n), run_number: String(n), run_attempt: '1',
      secret_source: 'Actions', sha: 'ffac537e6cbbf934b08745a378932722df287a53',
      workflow: workflowName(wf), workflow_ref: '', workflow_sha: '', workspace: '', job: '',
      ...(options.github ?? {}),
    };
    github.workflow_ref ||= `${github.repository}/${workflowFile}@${github.ref}`;
    github.workflow_sha ||= github.sha;
    github.token = secrets.GITHUB_TOKEN;
    github.event = {
      ...(eventInputs ? { inputs: eventInputs, ref: github.ref, workflow: workflowFile } : {}),
      repository: { full_name: github.repository, name: github.repository.split('/')[1], owner: { login: github.repository_owner } },
      sender: { login: github.actor },
      ...(options.payload ?? {}),
    };
    writeFileSync(github.event_path, JSON.stringify(github.event));
    const runner = {
      os: 'Linux', arch: 'X64', name: 'GitHub Actions 1000000', environment: 'github-hosted',
      temp: join(temp, 'runner_temp'), tool_cache: '/opt/hostedtoolcache', debug: '',
      ...(options.runner ?? {}),
    };
    mkdirSync(runner.temp, { recursive: true });
    const run = await runDefinition(shared, wf, {
      github, inputs, secrets, vars: options.vars ?? {}, runner, depth: 1, path: '', held: [],
    });
    run.concurrencyLog = shared.concurrencyLog;
    run.artifacts = shared.artifacts;
    run.steps = () => shared.steps;
    run.log = shared.log;
    return run;
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

function workflowName(wf) {
  const name = child(wf.token, 'name');
  return name?.value ?? wf.name;
}

/**
 * A workflow's trigger for one event: its token under `on:` (a mapping, or a
 * null token for `event:` alone), `true` when `on:` names it in a string or a
 * list, null when the workflow has no such trigger.
 */
function trigger(wf, event) {
  const on = child(wf.token, 'on');
  if (!on) return null;
  if (on.templateTokenType === TokenType.String) return on.value === event ? true : null;
  if (on.templateTokenType === TokenType.Sequence) return [...on].some((t) => t.value === event) ? true : null;
  return child(on, event) ?? null;
}

function inputDefinitions(triggerToken) {
  const defs = child(triggerToken, 'inputs');
  const out = {};
  for (const [name, def] of entries(defs)) out[name] = def;
  return out;
}

/**
 * A dispatch's inputs as GitHub gives them to the run: `inputs` typed
 * (booleans as booleans; numbers stay the strings they were sent as, as on
 * GitHub), github.event.inputs as strings; declared defaults filled in;
 * refused (422 on GitHub) when undeclared, missing and required, or a choice
 * not offered.
 */
function dispatchInputs(wf, given) {
  const t = trigger(wf, 'workflow_dispatch');
  if (!t) throw new WorkflowInputError(`Workflow does not have 'workflow_dispatch' trigger`);
  const defs = inputDefinitions(t);
  const lower = new Map(Object.keys(defs).map((k) => [k.toLowerCase(), k]));
  const unexpected = Object.keys(given).filter((k) => !lower.has(k.toLowerCase()));
  if (unexpected.length) throw new WorkflowInputError(`Unexpected inputs provided: [${unexpected.map((k) => JSON.stringify(k)).join(', ')}]`);
  if (Object.keys(defs).length > 25) throw new WorkflowInputError('A workflow_dispatch may declare at most 25 inputs');
  const inputs = {};
  const eventInputs = {};
  for (const [name, def] of Object.entries(defs)) {
    const spec = evaluateToken(def, {}) ?? {};
    const key = Object.keys(given).find((k) => k.toLowerCase() === name.toLowerCase());
    const v = key !== undefined ? given[key] : spec.default;
    if (spec.required && (v === undefined || v === null || v === '')) throw new WorkflowInputError(`Required input '${name}' not provided`);
    const type = spec.type ?? 'string';
    if (type === 'boolean') {
      const s = v === undefined || v === null ? 'false' : String(v);
      if (s !== 'true' && s !== 'false') throw new WorkflowInputError(`Input '${name}' must be true or false, not '${s}'`);
      inputs[name] = s === 'true';
      eventInputs[name] = s;
    } else {
      const s = v === undefined || v === null ? '' : String(v);
      if (type === 'choice' && s !== '' && !(spec.options ?? []).includes(s)) {
        throw new WorkflowInputError(`Provided value '${s}' for input '${name}' not in the list of allowed values`);
      }
      if (type === 'number' && s !== '' && !Number.isFinite(Number(s))) throw new WorkflowInputError(`Input '${name}' must be a number, not '${s}'`);
      inputs[name] = s;
      eventInputs[name] = s;
    }
  }
  return { inputs, eventInputs };
}

/** Runs one workflow definition (the dispatched one, or a called one). */
async function runDefinition(shared, wf, ctx) {
  const base = { github: ctx.github, inputs: ctx.inputs, vars: ctx.vars };
  const run = {
    file: wf.name,
    name: workflowName(wf),
    event: ctx.github.event_name,
    github: ctx.github,
    inputs: ctx.inputs,
    runName: null,
    concurrency: null,
    env: {},
    jobs: {},
    result: 'success',
    errors: [],
  };
  // run-name is used for a dispatched workflow; a called one takes its caller's.
  const runName = child(wf.token, 'run-name');
  run.runName = runName ? asString(evaluateToken(runName, { ...base }, { where: 'run-name' }), 'run-name') : run.name;
  run.env = stringMap(evaluateToken(child(wf.token, 'env'), { ...base, secrets: ctx.secrets }, { where: 'env' }) ?? {}, 'env');
  run.defaults = evaluateToken(child(wf.token, 'defaults'), { ...base }) ?? {};
  let release = null;
  let held = ctx.held;
  const conc = child(wf.token, 'concurrency');
  if (conc) {
    run.concurrency = concurrencyOf(evaluateToken(conc, { ...base }, { where: 'concurrency' }));
    try {
      release = await shared.concurrency.acquire(run.concurrency.group, `workflow ${wf.name}${ctx.path ? ` (${ctx.path.trim()})` : ''}`, held);
    } catch (e) {
      if (!e.cancelled) throw e;
      run.result = 'cancelled';
      run.errors.push(e.message);
      return run;
    }
    held = [...held, run.concurrency.group.toLowerCase()];
  }
  try {
    const jobTokens = entries(child(wf.token, 'jobs'));
    const needsOf = new Map(jobTokens.map(([id, t]) => {
      const nd = evaluateToken(child(t, 'needs'), {});
      return [id, nd === undefined ? [] : Array.isArray(nd) ? nd : [nd]];
    }));
    const done = new Set();
    while (done.size < jobTokens.length) {
      const ready = jobTokens.find(([id]) => !done.has(id) && needsOf.get(id).every((d) => done.has(d)));
      if (!ready) throw new Error(`${wf.name}: the jobs' needs form a cycle or name an unknown job`);
      const [id, token] = ready;
      run.jobs[id] = await runJob(shared, wf, run, id, token, needsOf, { ...ctx, held, env: run.env, defaults: run.defaults });
      done.add(id);
    }
    // Skipped jobs do not fail a run; a run of skipped jobs only succeeded.
    run.result = resultOf(Object.values(run.jobs).map((j) => j.result).filter((r) => r !== 'skipped'));
  } finally {
    release?.();
  }
  return run;
}

function concurrencyOf(v) {
  if (typeof v === 'string' || typeof v === 'number') return { group: String(v), cancelInProgress: false };
  return { group: asString(v.group, 'concurrency.group'), cancelInProgress: v['cancel-in-progress'] === true, queue: v.queue ?? 'single' };
}

function stringMap(obj, where) {
  const out = {};
  for (const [k, v] of Object.entries(obj ?? {})) out[k] = asString(v, `${where}.${k}`);
  return out;
}

function ancestors(id, needsOf, seen = new Set()) {
  for (const d of needsOf.get(id) ?? []) {
    if (!seen.has(d)) {
      seen.add(d);
      ancestors(d, needsOf, seen);
    }
  }
  return seen;
}

/** One job: its `if:`, its strategy, then each of its matrix legs (or the one job). */
async function runJob(shared, wf, run, id, token, needsOf, ctx) {
  const needs = {};
  for (const d of needsOf.get(id)) needs[d] = { result: run.jobs[d].result, outputs: run.jobs[d].outputs };
  const job = {
    id,
    kind: child(token, 'uses') ? 'reusable' : 'job',
    needs: needsOf.get(id),
    if: null,
    result: 'success',
    outputs: {},
    strategy: null,
    instances: [],
    errors: [],
  };
  const base = { github: { ...ctx.github, job: id }, inputs: ctx.inputs, vars: ctx.vars, needs };
  const ids = (args) => (args.length ? args : needsOf.get(id));
  const jobFns = {
    success: (...a) => ids(a).every((d) => run.jobs[d]?.result === 'success'),
    failure: (...a) => [...(a.length ? a : ancestors(id, needsOf))].some((d) => run.jobs[d]?.result === 'failure'),
    cancelled: () => false,
    always: () => true,
  };
  const cond = evaluateIf(child(token, 'if'), base, { functions: jobFns, allowed: JOB_IF, where: `jobs.${id}.if` });
  job.if = cond;
  if (!cond.value) {
    job.result = 'skipped';
    log(shared, `${ctx.path}${id}: skipped (if: ${cond.condition})`);
    return job;
  }
  let legs = [{}];
  let strategy = { 'fail-fast': true, 'max-parallel': null };
  const st = child(token, 'strategy');
  if (st) {
    try {
      const s = evaluateToken(st, base, { where: `jobs.${id}.strategy` }) ?? {};
      strategy = { 'fail-fast': s['fail-fast'] ?? true, 'max-parallel': s['max-parallel'] ?? null };
      if (s.matrix !== undefined) legs = expandMatrix(s.matrix);
      if (strategy['max-parallel'] !== null && !(Number.isInteger(strategy['max-parallel']) && strategy['max-parallel'] > 0)) {
        throw new Error(`max-parallel must be a positive number, not ${JSON.stringify(strategy['max-parallel'])}`);
      }
    } catch (e) {
      job.result = 'failure';
      job.errors.push(`Error when evaluating 'strategy' for job '${id}'. ${e.message}`);
      log(shared, `${ctx.path}${id}: ${job.errors[0]}`);
      return job;
    }
    job.strategy = { matrix: legs, failFast: strategy['fail-fast'], maxParallel: strategy['max-parallel'] };
  }
  const total = legs.length;
  const maxParallel = strategy['max-parallel'] ?? total;
  let failed = false;
  const completed = [];
  const fns = legs.map((matrix, index) => async () => {
    if (failed && strategy['fail-fast']) {
      const inst = { index, matrix, name: `${id} ${matrixLabel(matrix)}`.trim(), result: 'cancelled', outputs: {}, steps: [], errors: [] };
      job.instances[index] = inst;
      log(shared, `${ctx.path}${inst.name}: cancelled (fail-fast: another job of the matrix failed)`);
      return inst;
    }
    const strategyCtx = { 'fail-fast': strategy['fail-fast'], 'job-index': index, 'job-total': total, 'max-parallel': maxParallel };
    const inst = await runInstance(shared, wf, run, id, token, {
      ...ctx, base: { ...base, strategy: strategyCtx, matrix }, index, matrix, hasMatrix: !!st && Object.keys(matrix).length > 0,
    });
    job.instances[index] = inst;
    completed.push(inst);
    if (inst.result === 'failure') failed = true;
    return inst;
  });
  await pool(fns, shared.options.parallel ? maxParallel : 1);
  job.result = resultOf(job.instances.map((i) => i.result));
  // A matrix job's outputs: each leg's non-empty values, the last to finish winning.
  for (const inst of completed) {
    for (const [k, v] of Object.entries(inst.outputs ?? {})) if (v !== '' && v !== undefined) job.outputs[k] = v;
    for (const k of Object.keys(inst.outputs ?? {})) if (!(k in job.outputs)) job.outputs[k] = '';
  }
  log(shared, `${ctx.path}${id}: ${job.result}${total > 1 || st ? ` (${total} job${total === 1 ? '' : 's'}, max-parallel ${maxParallel})` : ''}`);
  return job;
}

/** One job of a matrix (or a job without one): a runner job, or a call of a reusable workflow. */
async function runInstance(shared, wf, run, id, token, ctx) {
  const { base, matrix } = ctx;
  const label = matrixLabel(matrix);
  const nameToken = child(token, 'name');
  let name = nameToken ? asString(evaluateToken(nameToken, base, { where: `jobs.${id}.name` })) : id;
  if (ctx.hasMatrix && nameToken?.templateTokenType !== TokenType.BasicExpression) name = `${name} ${label}`;
  const inst = {
    index: ctx.index, matrix, name, path: `${ctx.path}${name}`, result: 'success', outputs: {}, steps: [],
    concurrency: null, runsOn: null, permissions: evaluateToken(child(token, 'permissions'), {}) ?? null,
    env: {}, errors: [], call: null,
  };
  let release = null;
  let held = ctx.held;
  const conc = child(token, 'concurrency');
  if (conc) {
    inst.concurrency = concurrencyOf(evaluateToken(conc, base, { where: `jobs.${id}.concurrency` }));
    try {
      release = await shared.concurrency.acquire(inst.concurrency.group, `job ${inst.path}`, held);
    } catch (e) {
      if (!e.cancelled) throw e;
      inst.result = 'cancelled';
      inst.errors.push(e.message);
      log(shared, `${inst.path}: ${e.message}`);
      return inst;
    }
    held = [...held, inst.concurrency.group.toLowerCase()];
  }
  try {
    if (child(token, 'uses')) await callWorkflow(shared, wf, id, token, inst, { ...ctx, held });
    else await runSteps(shared, wf, id, token, inst, { ...ctx, held });
  } catch (e) {
    inst.result = 'failure';
    inst.errors.push(e.message);
    log(shared, `${inst.path}: ${e.message}`);
  } finally {
    release?.();
  }
  return inst;
}

/** A job that calls a reusable workflow: its inputs and secrets checked and passed, its outputs read back. */
async function callWorkflow(shared, wf, id, token, inst, ctx) {
  const { base } = ctx;
  if (ctx.depth >= MAX_DEPTH) throw new Error(`reusable workflows nest at most ${MAX_DEPTH} levels`);
  const ref = child(token, 'uses').value;
  let file;
  if (ref.startsWith('./')) file = join(shared.root, ref);
  else if (shared.options.remote?.[ref]) file = resolve(shared.options.remote[ref]);
  else throw new Error(`reusable workflow ${ref} is not available to the executor (give it in options.remote)`);
  let callee = shared.cache.get(file);
  if (!callee) {
    callee = await loadWorkflow(file, { content: readFileSync(file, 'utf8') });
    shared.cache.set(file, callee);
  }
  const call = trigger(callee, 'workflow_call');
  if (!call) throw new Error(`${ref}: workflow_call key is not defined in the referenced workflow.`);
  const given = evaluateToken(child(token, 'with'), base, { where: `jobs.${id}.with` }) ?? {};
  const inputs = callInputs(inputDefinitions(call), given, { github: base.github, inputs: {}, vars: base.vars }, ref);
  let secrets;
  const secretsToken = child(token, 'secrets');
  if (secretsToken?.value === 'inherit') secrets = { ...ctx.secrets };
  else {
    const passed = stringMap(evaluateToken(secretsToken, { ...base, secrets: ctx.secrets }, { where: `jobs.${id}.secrets` }) ?? {}, 'secrets');
    const defs = Object.fromEntries(entries(child(call, 'secrets')).map(([k, t]) => [k, evaluateToken(t, {}) ?? {}]));
    const lower = new Set(Object.keys(defs).map((k) => k.toLowerCase()));
    for (const k of Object.keys(passed)) if (!lower.has(k.toLowerCase())) throw new Error(`Invalid secret, ${k} is not defined in the referenced workflow.`);
    for (const [k, d] of Object.entries(defs)) {
      if (d?.required && !Object.keys(passed).some((p) => p.toLowerCase() === k.toLowerCase())) {
        throw new Error(`Secret ${k} is required, but not provided while calling.`);
      }
    }
    secrets = passed;
  }
  secrets.GITHUB_TOKEN = ctx.secrets.GITHUB_TOKEN;
  log(shared, `${inst.path}: calls ${ref}`);
  const sub = await runDefinition(shared, callee, {
    github: ctx.github, inputs, secrets, vars: ctx.vars, runner: ctx.runner, depth: ctx.depth + 1,
    path: `${inst.path} / `, held: ctx.held,
  });
  inst.call = sub;
  inst.result = sub.result;
  if (sub.result === 'cancelled') return;
  const jobsCtx = {};
  for (const [jid, j] of Object.entries(sub.jobs)) jobsCtx[jid] = { result: j.result, outputs: j.outputs };
  for (const [name, def] of entries(child(call, 'outputs'))) {
    const value = child(def, 'value');
    inst.outputs[name] = asString(evaluateToken(value, { github: ctx.github, inputs, vars: ctx.vars, jobs: jobsCtx },
      { where: `${ref} outputs.${name}` }), name);
  }
}

/**
 * A called workflow's inputs: each passed value checked against its declared
 * type as GitHub checks it (a number where a string is declared is written as a
 * string; a string where a number or a boolean is declared is refused, as
 * GitHub refuses it), defaults for the others (false, 0 or '' without one).
 */
function callInputs(defs, given, defaultCtx, ref) {
  const lower = new Map(Object.keys(defs).map((k) => [k.toLowerCase(), k]));
  for (const k of Object.keys(given)) {
    if (!lower.has(k.toLowerCase())) throw new WorkflowInputError(`Invalid input, ${k} is not defined in the referenced workflow.`);
  }
  const inputs = {};
  for (const [name, defToken] of Object.entries(defs)) {
    const type = child(defToken, 'type')?.value ?? 'string';
    const required = child(defToken, 'required')?.value === true;
    const key = Object.keys(given).find((k) => k.toLowerCase() === name.toLowerCase());
    let v;
    if (key !== undefined) v = given[key];
    else if (required) throw new WorkflowInputError(`Input ${name} is required, but not provided while calling.`);
    else if (child(defToken, 'default') !== undefined) v = evaluateToken(child(defToken, 'default'), defaultCtx, { where: `${ref} inputs.${name}.default` });
    else v = type === 'boolean' ? false : type === 'number' ? 0 : '';
    if (type === 'boolean' && typeof v !== 'boolean') throw new WorkflowInputError(`Unexpected type of value '${v}', expected type: Boolean.`);
    if (type === 'number' && typeof v !== 'number') throw new WorkflowInputError(`Unexpected value '${v}'`);
    if (type === 'string') v = asString(v, `input ${name}`);
    inputs[name] = v;
  }
  return inputs;
}

/** A runner job: its env, its steps in order, its outputs. */
async function runSteps(shared, wf, id, token, inst, ctx) {
  const { base } = ctx;
  const workspace = mkdtempSync(join(shared.temp, 'workspace-'));
  const github = { ...base.github, workspace };
  const c = { ...base, github, secrets: ctx.secrets };
  inst.runsOn = evaluateToken(child(token, 'runs-on'), c, { where: `jobs.${id}.runs-on` });
  inst.timeoutMinutes = evaluateToken(child(token, 'timeout-minutes'), c) ?? 360;
  inst.continueOnError = evaluateToken(child(token, 'continue-on-error'), c) ?? false;
  inst.env = { ...ctx.env, ...stringMap(evaluateToken(child(token, 'env'), c, { where: `jobs.${id}.env` }) ?? {}, 'env') };
  const defaults = { ...(ctx.defaults?.run ?? {}), ...((evaluateToken(child(token, 'defaults'), {}) ?? {}).run ?? {}) };
  const job = { status: 'success' };
  const steps = {};
  let env = { ...inst.env };
  let extraPath = [];
  const runnerEnv = {
    RUNNER_OS: ctx.runner.os, RUNNER_ARCH: ctx.runner.arch, RUNNER_NAME: ctx.runner.name,
    RUNNER_ENVIRONMENT: ctx.runner.environment, RUNNER_TEMP: ctx.runner.temp, RUNNER_TOOL_CACHE: ctx.runner.tool_cache,
  };
  const stepFns = {
    success: () => job.status === 'success',
    failure: () => job.status === 'failure',
    cancelled: () => false,
    always: () => true,
    hashfiles: () => '',
  };
  const stepTokens = [...(child(token, 'steps') ?? [])];
  for (let i = 0; i < stepTokens.length; i++) {
    const st = stepTokens[i];
    const sid = child(st, 'id')?.value ?? null;
    const uses = child(st, 'uses')?.value ?? null;
    const sctx = { ...c, steps, job, runner: ctx.runner, env };
    const where = `jobs.${id}.steps[${i}]`;
    const rec = {
      job: inst.path, index: i, id: sid, name: null, uses, run: null, kind: null, with: {}, env: {},
      if: null, outcome: null, conclusion: null, outputs: {}, summary: '', log: '', annotations: [], warnings: [], code: null,
    };
    rec.if = evaluateIf(child(st, 'if'), sctx, { functions: stepFns, allowed: STEP_IF, where: `${where}.if` });
    const nameToken = child(st, 'name');
    rec.name = nameToken ? asString(evaluateToken(nameToken, sctx, { functions: stepFns, where: `${where}.name` })) : (uses ? `Run ${uses}` : 'Run');
    if (!rec.if.value) {
      rec.outcome = rec.conclusion = 'skipped';
      rec.kind = 'skipped';
    } else {
      rec.env = stringMap(evaluateToken(child(st, 'env'), sctx, { functions: stepFns, where: `${where}.env` }) ?? {}, 'env');
      const stepEnv = { ...env, ...rec.env };
      const withCtx = { ...sctx, env: stepEnv };
      const coe = evaluateToken(child(st, 'continue-on-error'), withCtx, { functions: stepFns }) ?? false;
      const timeout = evaluateToken(child(st, 'timeout-minutes'), withCtx, { functions: stepFns });
      const timeoutMs = Math.min(shared.options.stepTimeoutMs, (timeout ?? inst.timeoutMinutes) * 60000);
      rec.with = stringMap(evaluateToken(child(st, 'with'), withCtx, { functions: stepFns, where: `${where}.with` }) ?? {}, 'with');
      const processEnv = {
        ...(shared.options.runnerEnv ?? {}), ...githubEnv(github), ...runnerEnv, GITHUB_ACTIONS: 'true', CI: 'true', ...stepEnv,
      };
      try {
        if (uses && isOurAction(uses, shared.options.actionNames)) {
          rec.kind = 'action';
          await runOurAction(shared, rec, { withValues: rec.with, processEnv, workspace, timeoutMs, ctx: { github, strategy: base.strategy, matrix: base.matrix, job, runner: ctx.runner } });
        } else if (uses) {
          rec.kind = 'recorded';
          await otherAction(shared, rec, { uses, workspace, github, env: stepEnv });
        } else {
          rec.run = asString(evaluateToken(child(st, 'run'), withCtx, { functions: stepFns, where: `${where}.run` }));
          if (!shared.options.shell) {
            rec.kind = 'recorded';
            rec.outcome = 'success';
          } else {
            rec.kind = 'run';
            const shell = evaluateToken(child(st, 'shell'), withCtx) ?? defaults.shell ?? 'bash';
            const wd = evaluateToken(child(st, 'working-directory'), withCtx) ?? defaults['working-directory'] ?? '.';
            const r = await runShell(shared, rec, {
              script: rec.run, shell, cwd: resolve(workspace, wd), processEnv, extraPath, timeoutMs,
            });
            env = { ...env, ...r.env };
            extraPath = [...r.path, ...extraPath];
          }
        }
      } catch (e) {
        rec.outcome = 'failure';
        rec.log += `\n${e.message}`;
        rec.annotations.push({ name: 'error', message: e.message });
      }
      rec.conclusion = rec.outcome === 'failure' && coe ? 'success' : rec.outcome;
      if (rec.conclusion === 'failure') job.status = 'failure';
    }
    if (sid && !sid.startsWith('__')) steps[sid] = { outputs: rec.outputs, outcome: rec.outcome, conclusion: rec.conclusion };
    inst.steps.push(rec);
    shared.steps.push(rec);
    log(shared, `${inst.path} / ${rec.name}: ${rec.conclusion}${rec.code !== null && rec.code !== 0 ? ` (exit ${rec.code})` : ''}`);
  }
  inst.result = job.status;
  const outCtx = { ...c, steps, job, runner: ctx.runner, env };
  for (const [name, t] of entries(child(token, 'outputs'))) {
    inst.outputs[name] = asString(evaluateToken(t, outCtx, { where: `jobs.${id}.outputs.${name}` }), name);
  }
}

function githubEnv(github) {
  const env = {};
  for (const k of GITHUB_ENV_KEYS) {
    const v = github[k];
    if (v !== undefined && v !== null && typeof v !== 'object') env[`GITHUB_${k.toUpperCase()}`] = String(v);
  }
  return env;
}

export function isOurAction(uses, names = OUR_ACTION) {
  return names.some((n) => (n === './' ? uses === './' || uses === '.' : uses === n || uses.startsWith(`${n}@`)));
}

let actionYmlCache = null;
function ourActionYml() {
  actionYmlCache ??= YAML.parse(readFileSync(join(ROOT, 'action.yml'), 'utf8'));
  return actionYmlCache;
}

/**
 * OUR action's step, as the runner runs a container action: the `with:`
 * values plus action.yml's defaults (evaluated) for the inputs not given,
 * a warning for inputs action.yml does not declare (the runner's words), the
 * binary started by tests/lib/runner.js with INPUT_* and the step's env, its
 * GITHUB_OUTPUT read back as the step's outputs; exit code 0 is success.
 */
async function runOurAction(shared, rec, { withValues, processEnv, workspace, timeoutMs, ctx }) {
  const action = ourActionYml();
  const declared = Object.keys(action.inputs ?? {});
  const lower = new Map(declared.map((k) => [k.toLowerCase(), k]));
  const inputs = { ...withValues };
  const givenLower = new Set(Object.keys(withValues).map((k) => k.toLowerCase()));
  for (const name of declared) {
    if (givenLower.has(name.toLowerCase())) continue;
    const d = action.inputs[name].default;
    inputs[name] = d === undefined || d === null ? '' : asString(evaluateTemplateString(String(d), ctx, { allowed: ACTION_INPUT_DEFAULT, functions: { hashfiles: () => '' } }));
  }
  const valid = [...declared, 'entryPoint', 'args'];
  const unexpected = Object.keys(withValues).filter((k) => !lower.has(k.toLowerCase()) && k !== 'entryPoint' && k !== 'args');
  if (unexpected.length) {
    rec.warnings.push(`Unexpected input(s) '${unexpected.join("', '")}', valid inputs are ['${valid.join("', '")}']`);
  }
  rec.inputs = inputs;
  // runAction sets GITHUB_WORKSPACE (and the file commands) as the runner would for the
  // container; the host's event.json is not mounted there.
  const { GITHUB_WORKSPACE, GITHUB_EVENT_PATH, ...env } = processEnv; // eslint-disable-line no-unused-vars
  const r = await runAction({
    inputs,
    env: shared.options.runnerOptions?.container ? env : { ...env, GITHUB_EVENT_PATH },
    bin: shared.options.bin ?? BIN,
    workspace,
    timeoutMs,
    ...(shared.options.runnerOptions ?? {}),
  });
  rec.code = r.code;
  rec.outputs = r.outputs;
  rec.summary = r.summary;
  rec.log = r.log;
  rec.annotations = r.commands.filter((x) => ['error', 'warning', 'notice'].includes(x.name));
  rec.outcome = r.code === 0 ? 'success' : 'failure';
}

/** The default handlers of other actions: recorded, with what a test needs of them. */
const DEFAULT_HANDLERS = {
  'actions/checkout': () => ({ outputs: {} }),
  'actions/create-github-app-token': ({ shared }) => {
    shared.tokens += 1;
    return { outputs: { token: `ghs_executor_app_token_${shared.tokens}`, 'installation-id': '1', 'app-slug': 'executor-app' } };
  },
  'actions/upload-artifact': ({ shared, with: w, workspace }) => {
    const files = {};
    for (const p of String(w.path ?? '').split('\n').map((s) => s.trim()).filter(Boolean)) {
      const abs = resolve(workspace, p);
      if (existsSync(abs) && statSync(abs).isFile()) files[p] = readFileSync(abs, 'utf8');
    }
    const name = w.name || 'artifact';
    if (shared.artifacts.some((a) => a.name === name)) {
      return { outcome: 'failure', error: `Failed to CreateArtifact: an artifact with this name already exists on the workflow run: ${name}` };
    }
    const mode = w['if-no-files-found'] || 'warn';
    if (Object.keys(files).length === 0) {
      const message = `No files were found with the provided path: ${w.path}. No artifacts will be uploaded.`;
      if (mode === 'error') return { outcome: 'failure', error: message };
      return { outputs: {}, warnings: mode === 'warn' ? [message] : [] };
    }
    shared.artifacts.push({ name, path: w.path, retentionDays: w['retention-days'] ? Number(w['retention-days']) : null, files });
    return { outputs: { 'artifact-id': String(shared.artifacts.length) } };
  },
};

async function otherAction(shared, rec, { uses, workspace, github, env }) {
  const name = uses.replace(/@.*$/, '');
  const handler = shared.options.uses?.[name] ?? DEFAULT_HANDLERS[name] ?? (() => ({ outputs: {} }));
  const r = (await handler({ shared, uses, with: rec.with, env, workspace, github, step: rec })) ?? {};
  rec.outputs = r.outputs ?? {};
  rec.warnings.push(...(r.warnings ?? []));
  if (r.error) rec.annotations.push({ name: 'error', message: r.error });
  rec.outcome = r.outcome ?? 'success';
}

/** A `run:` step with bash (or sh), the runner's file commands read back after it. */
async function runShell(shared, rec, { script, shell, cwd, processEnv, extraPath, timeoutMs }) {
  const dir = mkdtempSync(join(shared.temp, 'step-'));
  const files = {
    GITHUB_OUTPUT: join(dir, 'set_output'), GITHUB_ENV: join(dir, 'set_env'), GITHUB_PATH: join(dir, 'add_path'),
    GITHUB_STEP_SUMMARY: join(dir, 'step_summary'), GITHUB_STATE: join(dir, 'save_state'),
  };
  for (const f of Object.values(files)) writeFileSync(f, '');
  const scriptFile = join(dir, 'script.sh');
  writeFileSync(scriptFile, script);
  const argv = shell === 'bash' ? ['bash', '--noprofile', '--norc', '-eo', 'pipefail', scriptFile]
    : shell === 'sh' ? ['sh', '-e', scriptFile]
      : (() => { throw new Error(`shell '${shell}' is not modelled (bash and sh are)`); })();
  mkdirSync(cwd, { recursive: true });
  const env = {
    HOME: dir, LANG: 'C.UTF-8', ...processEnv, ...files,
    PATH: [...extraPath, process.env.PATH].join(':'),
  };
  const child = spawn(argv[0], argv.slice(1), { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise((res) => child.on('close', (c, sig) => res(sig ? `signal ${sig}` : c)));
  clearTimeout(timer);
  rec.code = code;
  rec.log = out;
  rec.summary = readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8');
  let envAdded;
  try {
    rec.outputs = parseFileCommand(readFileSync(files.GITHUB_OUTPUT, 'utf8'));
    envAdded = parseFileCommand(readFileSync(files.GITHUB_ENV, 'utf8'));
  } catch (e) {
    throw new Error(`Unable to process file command successfully: ${e.message}`);
  }
  delete envAdded.NODE_OPTIONS; // the runner blocks it
  const path = readFileSync(files.GITHUB_PATH, 'utf8').split('\n').filter(Boolean).reverse();
  rec.outcome = code === 0 ? 'success' : 'failure';
  return { env: envAdded, path };
}

/** A line of the run's log (run.log); PC_EXECUTOR_LOG=1 prints it as it happens. */
function log(shared, line) {
  shared.log.push(line);
  if (process.env.PC_EXECUTOR_LOG) process.stderr.write(`executor: ${line}\n`);
}
