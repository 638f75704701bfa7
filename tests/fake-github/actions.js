// GitHub Actions for the fake: workflow files (their run-name template, declared
// inputs, state, whether they have a workflow_dispatch trigger, an automatic
// lifecycle), the runs a dispatch creates and the way they move from queued through
// in_progress to completed, and the list filters of GET …/workflows/{id}/runs.
//
// Pure helpers and one small registry; no HTTP (server.js answers the requests) and
// no clock but the one passed in.

import { fnv1a, isoSeconds } from './scenario.js';

const DOCS_DISPATCH = 'https://docs.github.com/rest/actions/workflows#create-a-workflow-dispatch-event';

/** A run's `status` values (GitHub's check-run statuses for workflow runs). */
export const RUN_STATUSES = ['requested', 'queued', 'pending', 'waiting', 'in_progress', 'completed'];
/** A completed run's `conclusion` values. */
export const RUN_CONCLUSIONS = ['success', 'failure', 'neutral', 'cancelled', 'skipped', 'timed_out', 'action_required', 'startup_failure', 'stale'];

/** A workflow's numeric id: the number itself, or one derived from the file name. */
export function workflowIdOf(wf) {
  return /^\d+$/.test(String(wf)) ? Number(wf) : 100_000_000 + (fnv1a(String(wf)) % 900_000_000);
}

/** GitHub's JSON error body, with the dispatch endpoint's documentation anchor. */
export function dispatchError(status, message) {
  return { status, body: { message, documentation_url: DOCS_DISPATCH, status: String(status) } };
}

/**
 * A workflow file's settings, normalised:
 * { file, id, name, runName (template|null), inputs ({ name: { required, default, type } }|null = not
 *   declared: any input accepted), state ('active'|'disabled_manually'|'disabled_inactivity'),
 *   dispatch (has a workflow_dispatch trigger), lifecycle ({ startAfterMs, completeAfterMs, conclusion }|null) }.
 */
export function normalizeWorkflow(file, spec = {}) {
  const state = spec.state ?? 'active';
  if (!['active', 'disabled_manually', 'disabled_inactivity', 'disabled_fork'].includes(state)) {
    throw new TypeError(`setWorkflow: state ${state}`);
  }
  let inputs = null;
  if (spec.inputs) {
    inputs = {};
    for (const [k, v] of Object.entries(spec.inputs)) {
      inputs[k] = { required: Boolean(v?.required), default: v?.default, type: v?.type ?? 'string' };
    }
  }
  let lifecycle = null;
  if (spec.lifecycle) {
    const { startAfterMs = 0, completeAfterMs = null, conclusion = 'success' } = spec.lifecycle;
    if (!RUN_CONCLUSIONS.includes(conclusion)) throw new TypeError(`setWorkflow: lifecycle conclusion ${conclusion}`);
    lifecycle = { startAfterMs, completeAfterMs, conclusion };
  }
  return {
    file,
    id: spec.id ?? workflowIdOf(file),
    name: spec.name ?? String(file).replace(/\.ya?ml$/, ''),
    runName: spec.runName ?? null,
    inputs,
    state,
    dispatch: spec.dispatch ?? true,
    lifecycle,
  };
}

/**
 * A run-name template with its `${{ … }}` expressions filled in, as the runner does:
 * `inputs.X` and `github.event.inputs.X` (the dispatch's input, else the declared
 * default, else ''), `github.actor`, `github.ref_name`, `github.ref`, `github.event_name`,
 * `github.workflow`, `github.repository`; anything else is ''. Booleans and numbers are
 * written as JSON writes them.
 */
export function renderRunName(template, ctx) {
  return template.replace(/\$\{\{\s*([^}]*?)\s*\}\}/g, (_, expr) => {
    const m = /^(?:github\.event\.)?inputs\.([A-Za-z_][\w-]*)$/.exec(expr);
    if (m) {
      const v = ctx.inputs[m[1]];
      return v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v);
    }
    const g = {
      'github.actor': ctx.actor, 'github.ref_name': ctx.refName, 'github.ref': ctx.ref, 'github.event_name': 'workflow_dispatch',
      'github.workflow': ctx.workflow, 'github.repository': ctx.repository,
    }[expr];
    return g ?? '';
  });
}

/**
 * The inputs a dispatch's run sees: the dispatched ones plus the declared defaults.
 * Returns { inputs } or { error } (GitHub's 422 for inputs the workflow does not declare).
 */
export function resolveInputs(wf, given) {
  if (!wf?.inputs) return { inputs: { ...given } };
  const unexpected = Object.keys(given).filter((k) => !(k in wf.inputs));
  if (unexpected.length) {
    return { error: dispatchError(422, `Unexpected inputs provided: [${unexpected.map((k) => JSON.stringify(k)).join(', ')}]`) };
  }
  const inputs = {};
  for (const [k, spec] of Object.entries(wf.inputs)) {
    if (k in given) inputs[k] = given[k];
    else if (spec.default !== undefined) inputs[k] = spec.default;
  }
  return { inputs };
}

/** ms from a time given as ms, a Date or an ISO string; `now` when undefined. */
function ms(at, now) {
  if (at === undefined || at === null) return now;
  const t = typeof at === 'number' ? at : Date.parse(at instanceof Date ? at.toISOString() : at);
  if (Number.isNaN(t)) throw new TypeError(`not a time: ${at}`);
  return t;
}

/**
 * Move a run to `status` (and `conclusion` when completed) at time `at` (default now):
 * queued → in_progress → completed; a run may also be completed straight from
 * queued (e.g. cancelled before it started). Leaving the queue sets run_started_at;
 * every move sets updated_at. A completed run does not move again.
 */
export function moveRun(run, status, { conclusion = null, at, now = Date.now(), run_started_at } = {}) {
  if (!RUN_STATUSES.includes(status)) throw new TypeError(`run status ${status}: one of ${RUN_STATUSES.join(', ')}`);
  if (run.status === 'completed') throw new Error(`run ${run.id} is completed (${run.conclusion})`);
  if (status === 'completed') {
    if (!RUN_CONCLUSIONS.includes(conclusion)) throw new TypeError(`a completed run needs a conclusion: one of ${RUN_CONCLUSIONS.join(', ')}`);
  } else if (conclusion !== null) throw new TypeError('only a completed run has a conclusion');
  const t = isoSeconds(ms(at, now));
  if (status === 'in_progress' && !run.started) {
    run.run_started_at = run_started_at ?? t;
    run.started = true;
  } else if (run_started_at) run.run_started_at = run_started_at;
  run.status = status;
  run.conclusion = status === 'completed' ? conclusion : null;
  run.updated_at = t;
  return run;
}

/** Apply a workflow's automatic lifecycle to a run, as of `now` (idempotent). */
export function advanceRun(run, wf, now) {
  const lc = wf?.lifecycle;
  if (!lc || run.status === 'completed' || run.manual) return run;
  const created = run.created_ms;
  if (run.status === 'queued' && lc.startAfterMs !== null && now >= created + lc.startAfterMs) {
    moveRun(run, 'in_progress', { at: created + lc.startAfterMs, now });
  }
  if (lc.completeAfterMs !== null && now >= created + lc.completeAfterMs) {
    moveRun(run, 'completed', { conclusion: lc.conclusion, at: created + lc.completeAfterMs, now });
  }
  return run;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:?\d{2})?$/;

/** A search-syntax date as a half-open interval [start, end) in ms, or null. */
function interval(s) {
  if (DATE.test(s)) {
    const start = Date.parse(`${s}T00:00:00Z`);
    return Number.isNaN(start) ? null : { start, end: start + 86_400_000 };
  }
  if (DATETIME.test(s)) {
    const withZone = /(?:Z|[+-]\d{2}:?\d{2})$/.test(s) ? s : `${s}Z`;
    const start = Date.parse(withZone.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
    return Number.isNaN(start) ? null : { start, end: start + 1000 };
  }
  return null;
}

/**
 * GitHub's search syntax for dates ("Understanding the search syntax", query for
 * dates), as `created` takes it: `2026-01-15` (that day, UTC), `>2026-01-15`,
 * `>=…`, `<…`, `<=…`, `2026-01-01..2026-01-15` (both ends inclusive), `2026-01-01..*`,
 * `*..2026-01-15`; a date-time (`2026-01-15T10:00:00Z`, `…+01:00`) is that second.
 * Returns a predicate over ms, or null when the value is not of that syntax.
 */
export function parseCreated(value) {
  const v = String(value).trim();
  const range = /^(.+?)\.\.(.+)$/.exec(v);
  if (range) {
    const a = range[1] === '*' ? { start: -Infinity } : interval(range[1]);
    const b = range[2] === '*' ? { end: Infinity } : interval(range[2]);
    if (!a || !b) return null;
    return (t) => t >= a.start && t < b.end;
  }
  const m = /^(>=|<=|>|<)?(.+)$/.exec(v);
  const iv = interval(m[2]);
  if (!iv) return null;
  switch (m[1]) {
    case '>': return (t) => t >= iv.end;
    case '>=': return (t) => t >= iv.start;
    case '<': return (t) => t < iv.start;
    case '<=': return (t) => t < iv.end;
    default: return (t) => t >= iv.start && t < iv.end;
  }
}

/**
 * The runs GET …/runs lists for these query parameters, newest first: `event`,
 * `status` (a status or a conclusion), `branch`, `head_sha`, `actor`, `check_suite_id`,
 * `created`; a filtered search gives at most 1,000 runs. Returns { list } or { invalid: name }.
 */
export function filterRuns(runs, query) {
  let list = [...runs].sort((a, b) => b.created_ms - a.created_ms || b.id - a.id);
  const q = (k) => query.get(k);
  let filtered = false;
  const keep = (k, fn) => {
    const v = q(k);
    if (v === null || v === '') return;
    filtered = true;
    list = list.filter((r) => fn(r, v));
  };
  keep('event', (r, v) => r.event === v);
  keep('status', (r, v) => r.status === v || r.conclusion === v);
  keep('branch', (r, v) => r.head_branch === v);
  keep('head_sha', (r, v) => r.head_sha === v.toLowerCase());
  keep('actor', (r, v) => r.actor?.toLowerCase() === v.toLowerCase());
  keep('check_suite_id', (r, v) => String(r.id + 7) === v);
  const created = q('created');
  if (created !== null && created !== '') {
    const pred = parseCreated(created);
    if (!pred) return { invalid: 'created' };
    filtered = true;
    list = list.filter((r) => pred(Date.parse(r.created_at))); // what the client sees, to the second
  }
  return { list: filtered ? list.slice(0, 1000) : list };
}
