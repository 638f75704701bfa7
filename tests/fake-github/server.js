// The fake api.github.com: an HTTP server (node:http, no framework) answering the
// REST endpoints and POST /graphql that progressive-capture uses, from one or more
// deterministic scenarios (scenario.js), with GitHub's pagination, auth, primary
// rate limits, conditional requests, injectable latency and faults, and a request
// log the tests count calls with.
//
// startFakeGitHub(opts) starts it in-process; `node server.js [flags]` runs it as
// a process (prints "listening <url>" first). It never logs tokens: the request
// log keeps a short fingerprint (tokenFingerprint()).

import { createHash } from 'node:crypto';
import http from 'node:http';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  advanceRun, dispatchError, filterRuns, moveRun, normalizeWorkflow, renderRunName, resolveInputs, workflowIdOf,
} from './actions.js';
import { GRAPHQL_RATE_LIMIT_TYPES, graphqlRateLimitError, kindOfFault, RandomFaults } from './faults.js';
import { AppRegistry, covers, looksLikeJwt, reaches } from './apps.js';
import { runGraphQL } from './graphql.js';
import { RateLimiter } from './ratelimit.js';
import {
  deleteIssueCommentIn, deletePullFileIn, deleteReviewCommentIn, deleteReviewIn, deleteUserIn, GHOST, makeUser,
  minimizeCommentIn, moveRepoIn, renameUserIn,
} from './mutate.js';
import { buildIndex, filterHistory } from './repo-index.js';
import { fnv1a, generateScenario, isoSeconds } from './scenario.js';
import {
  commitDetailJson, commitJson, dispatchJson, fileJson, installationJson, installationTokenJson, integrationJson, issueCommentJson, publicUserJson, pullJson, pullSimpleJson,
  rateLimitJson, repoJson, reviewCommentJson, reviewJson, workflowRunJson,
} from './shapes.js';

const DOCS = 'https://docs.github.com/rest';
const API_VERSIONS = ['2022-11-28', '2026-03-10'];
const MAX_BODY = 50 * 1024 * 1024;
const MAX_FILES = 3000; // GET /pulls/{n}/files never lists more
const MAX_PR_COMMITS = 250; // GET /pulls/{n}/commits never lists more
const COMMIT_FILES_PER_PAGE = 300; // GET /commits/{ref} pages its files 300 at a time…
const MAX_COMMIT_FILES = 3000; // …up to 3000 files
const UA_MESSAGE = 'Request forbidden by administrative rules. Please make sure your request has a User-Agent header (https://docs.github.com/en/rest/overview/resources-in-the-rest-api#user-agent-required). Check https://developer.github.com for other possible causes.\n';

export { FAULTS, GRAPHQL_RATE_LIMIT_TYPES, RANDOM_KINDS, DEFAULT_RANDOM_KINDS } from './faults.js';

/** Short, non-reversible token id for logs: "sha256:" + 12 hex digits; '' for none. */
export function tokenFingerprint(token) {
  return token ? `sha256:${createHash('sha256').update(token).digest('hex').slice(0, 12)}` : '';
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const sha1 = (s) => createHash('sha1').update(s).digest('hex');

function ghError(status, message, documentationUrl = DOCS) {
  return { status, body: { message, documentation_url: documentationUrl, status: String(status) } };
}
const notFound = () => ghError(404, 'Not Found');

/** decodeURIComponent that leaves malformed escapes alone instead of throwing. */
function safeDecode(s) {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** per_page (default 30, 1..100) and page (default 1). */
function pageParams(query) {
  let perPage = Number.parseInt(query.get('per_page') ?? '', 10);
  if (!Number.isFinite(perPage) || perPage < 1) perPage = 30;
  perPage = Math.min(perPage, 100);
  let page = Number.parseInt(query.get('page') ?? '', 10);
  if (!Number.isFinite(page) || page < 1) page = 1;
  return { perPage, page };
}

/** `since`/`until` as ms, undefined when absent, NaN when malformed. */
function timeParam(query, name) {
  const v = query.get(name);
  if (v == null || v === '') return undefined;
  return Date.parse(v);
}

/**
 * Start a fake GitHub. See README.md for every option and the returned object.
 */
export async function startFakeGitHub(opts = {}) {
  const host = opts.host ?? '127.0.0.1';
  const tokens = opts.tokens ?? ['ghp_test_token'];
  let latencyMs = opts.latencyMs ?? 0;
  const requireUserAgent = opts.requireUserAgent ?? true;
  const linkStyle = opts.linkStyle ?? 'repositories';
  const checkRateLimitType = (t) => {
    if (!GRAPHQL_RATE_LIMIT_TYPES.includes(t)) throw new TypeError(`graphqlRateLimitType: ${GRAPHQL_RATE_LIMIT_TYPES.join(' or ')}, not ${t}`);
    return t;
  };
  // false: POST /graphql is 404, as on a GitHub Enterprise Server or behind a proxy without it.
  let graphqlEnabled = opts.graphql ?? true;
  // The error type of a spent GraphQL budget's refusals (faults.js graphqlRateLimitError).
  let graphqlRateLimitType = checkRateLimitType(opts.graphqlRateLimitType ?? 'RATE_LIMITED');
  // GitHub Apps (apps.js): their JWTs, installations and installation tokens.
  // clockSkewMs: GitHub's clock ahead of this machine's (behind when negative), for the
  // JWT's checks, the tokens' expiry and the Date header; the rest keeps this clock.
  const clockSkewMs = opts.clockSkewMs ?? 0;
  const apps = new AppRegistry(opts.apps ?? [], {
    tokenLifetimeMs: opts.installationTokenLifetimeMs, tokenFormat: opts.installationTokenFormat, jwtLeewaySeconds: opts.jwtLeewaySeconds,
    clock: () => Date.now() + clockSkewMs,
  });
  // The budget of an installation token is its installation's (every token it mints shares
  // it); an app's JWT has the app's. Their keys cannot collide with a token.
  const INST = '\u0001installation:';
  const APP = '\u0001app:';
  const installationLimits = { core: 5000, graphql: 5000, ...(opts.installationRateLimit ?? {}) };
  const limiter = new RateLimiter({
    limits: { core: 5000, graphql: 5000, ...(opts.rateLimit ?? {}) },
    unauthenticated: opts.rateLimit?.unauthenticated ?? 60,
    limitOf: (key, resource) => (key.startsWith(INST) || key.startsWith(APP) ? installationLimits[resource] ?? 5000 : undefined),
  });
  /** The budget key of a raw credential (a plain or installation token), or { installation: id } / { app: id }. */
  const budgetKey = (cred) => {
    if (cred && typeof cred === 'object') return cred.installation !== undefined ? `${INST}${cred.installation}` : `${APP}${cred.app}`;
    const e = apps.tokens.get(cred ?? '');
    return e ? `${INST}${e.installation.id}` : cred ?? '';
  };

  // --- repositories
  const scenarios = [];
  let indexCache = new WeakMap();
  const accounts = []; // users of no scenario: addUser()
  const redirects = new Map(); // lower-case old full name → repository id (renameRepo/transferRepo)
  const keyOf = (full) => full.toLowerCase();
  const setScenario = (scn) => {
    if (!scn?.repo?.full_name) throw new TypeError('setScenario: not a scenario (no repo.full_name)');
    const i = scenarios.findIndex((s) => keyOf(s.repo.full_name) === keyOf(scn.repo.full_name));
    const clash = scenarios.find((s, k) => k !== i && s !== scn && s.repo.id === scn.repo.id);
    if (clash) {
      throw new TypeError(`setScenario: ${scn.repo.full_name} has the id ${scn.repo.id} of ${clash.repo.full_name} (pass generateScenario a repoId)`);
    }
    if (i >= 0) scenarios[i] = scn;
    else scenarios.push(scn);
    // A repository now under a name another one left: that name no longer redirects.
    redirects.delete(keyOf(scn.repo.full_name));
    indexCache.delete(scn);
  };
  /** Forget every index (an account or repository change touches them all). */
  const refresh = () => {
    indexCache = new WeakMap();
  };
  const initial = opts.scenarios ?? (opts.scenario ? [opts.scenario] : []);
  if (initial.length === 0) throw new TypeError('startFakeGitHub: a scenario (or scenarios) is required');
  initial.forEach(setScenario);

  const indexOf = (scn) => {
    let idx = indexCache.get(scn);
    if (!idx) {
      idx = buildIndex(scn, { accounts });
      indexCache.set(scn, idx);
    }
    return idx;
  };
  const lookupRepoById = (id) => {
    const scn = scenarios.find((s) => s.repo.id === id);
    return scn ? indexOf(scn) : null;
  };
  /** The repository an old name redirects to (renamed or transferred), or null. */
  const movedRepo = (owner, name) => {
    const id = redirects.get(keyOf(`${owner}/${name}`));
    return id === undefined ? null : lookupRepoById(id);
  };
  /** The repository under that name now; with followRenames, one that used to have it. */
  const lookupRepo = (owner, name, { followRenames = false } = {}) => {
    const scn = scenarios.find((s) => keyOf(s.repo.full_name) === keyOf(`${owner}/${name}`));
    if (scn) return indexOf(scn);
    return followRenames ? movedRepo(owner, name) : null;
  };

  // --- accounts (users and organisations) across every scenario
  /** Every live account: scenario users, repository owners, addUser() accounts. */
  const liveAccounts = () => {
    const seen = new Map();
    for (const scn of scenarios) {
      for (const u of [...scn.users, scn.repo.owner]) if (!seen.has(u.id)) seen.set(u.id, u);
    }
    for (const u of accounts) if (!seen.has(u.id)) seen.set(u.id, u);
    return [...seen.values()];
  };
  /** The live account with that login (case-insensitive), GitHub's ghost for 'ghost', or null. */
  const findAccount = (login) => {
    const l = String(login).toLowerCase();
    if (l === GHOST.login) return GHOST;
    return liveAccounts().find((u) => u.login.toLowerCase() === l) ?? null;
  };
  const scenarioOf = (full) => {
    const scn = scenarios.find((s) => keyOf(s.repo.full_name) === keyOf(full ?? scenarios[0].repo.full_name));
    if (!scn) throw new Error(`no repository ${full}`);
    return scn;
  };
  /** Run `fn(scn)` on every scenario and return the first non-null result; indexes are rebuilt. */
  const onEach = (fn) => {
    let out = null;
    for (const scn of scenarios) {
      const r = fn(scn);
      out ??= r;
    }
    refresh();
    return out;
  };

  // --- state the tests read
  const log = [];
  const dispatches = [];
  const runs = new Map();
  // Workflow files (actions.js normalizeWorkflow), by file name; null = deleted (404).
  const workflows = new Map();
  const strictWorkflows = opts.strictWorkflows ?? false;
  // false: a GitHub (an older GitHub Enterprise Server) that predates return_run_details
  // and answers every dispatch 204, without the run's details.
  let dispatchRunDetails = opts.dispatchRunDetails ?? true;
  const setWorkflow = (file, spec) => {
    if (spec === null) workflows.set(file, null);
    else workflows.set(file, normalizeWorkflow(file, { ...(workflows.get(file) ?? {}), ...spec }));
    return workflows.get(file);
  };
  for (const [file, spec] of Object.entries(opts.workflows ?? {})) setWorkflow(file, spec);
  /** The workflow a path's {workflow_id} names: { wf } (wf null when undeclared) or { missing: true }. */
  const workflowFor = (ref) => {
    if (/^\d+$/.test(ref)) {
      const wf = [...workflows.values()].find((w) => w && w.id === Number(ref));
      if (wf) return { wf };
    } else if (workflows.has(ref)) {
      const wf = workflows.get(ref);
      return wf ? { wf } : { missing: true };
    }
    return strictWorkflows ? { missing: true } : { wf: null };
  };
  /** A run as of now: its workflow's automatic lifecycle applied. */
  const current = (run) => advanceRun(run, workflows.get(run.workflow_file) ?? null, Date.now());
  // Per-token permissions of plain tokens (setTokenPermissions): { actions: 'read'|'write', … }; absent = all.
  const tokenPermissions = new Map(Object.entries(opts.tokenPermissions ?? {}));
  const faults = [];
  let random = opts.randomFaults ? new RandomFaults(opts.randomFaults) : null; // while setRandomFaults() is on
  const newStats = () => ({ requests: 0, total: 0, scripted: 0, random: 0, byKind: {}, byFault: {} });
  let stats = newStats();
  let seq = 0;
  let base = '';

  /** Who a budget key is, for GitHub's messages: { id, login, who: 'user'|'installation'|'app' }. */
  const viewerOf = (token) => {
    if (token.startsWith(INST) || token.startsWith(APP)) {
      const inst = token.startsWith(INST);
      const id = Number(token.slice((inst ? INST : APP).length));
      const app = inst ? apps.apps.find((a) => a.installations.some((i) => i.id === id)) : apps.apps.find((a) => a.appId === id);
      return { id, login: `${app?.slug ?? 'app'}[bot]`, who: inst ? 'installation' : 'app' };
    }
    const i = tokens.indexOf(token);
    return { id: i + 1, login: `fake-user-${i + 1}`, who: 'user' };
  };

  // ------------------------------------------------------------------------
  // REST routes: [method, pattern, route template, handler(ctx) → result]
  // A result is { status, body, headers } or { list, cap, map, wrap } for lists.

  const repoRoute = (rest) => new RegExp(`^/repos/([^/]+)/([^/]+)${rest}$`);
  const routes = [
    ['GET', /^\/rate_limit$/, '/rate_limit', getRateLimit],
    ['GET', /^\/users\/([^/]+)$/, '/users/{username}', getUser],
    ['GET', /^\/user\/(\d+)$/, '/user/{account_id}', getUserById],
    ['GET', /^\/app$/, '/app', appOnly(getApp)],
    ['GET', /^\/app\/installations\/(\d+)$/, '/app/installations/{installation_id}', appOnly(getInstallation)],
    ['POST', /^\/app\/installations\/(\d+)\/access_tokens$/, '/app/installations/{installation_id}/access_tokens', appOnly(createInstallationToken)],
    ['GET', repoRoute('/installation'), '/repos/{owner}/{repo}/installation', appOnly(getRepoInstallation)],
    ['GET', repoRoute(''), '/repos/{owner}/{repo}', (x) => ({ status: 200, body: repoJson(x.c), lastModified: x.idx.repo.updated_at })],
    ['GET', repoRoute('/pulls'), '/repos/{owner}/{repo}/pulls', listPulls],
    ['GET', repoRoute('/pulls/comments'), '/repos/{owner}/{repo}/pulls/comments', listRepoReviewComments],
    ['GET', repoRoute('/pulls/(\\d+)'), '/repos/{owner}/{repo}/pulls/{pull_number}', getPull],
    ['GET', repoRoute('/pulls/(\\d+)/files'), '/repos/{owner}/{repo}/pulls/{pull_number}/files', withPull((x, pr) => ({
      list: pr.files, cap: MAX_FILES, map: (f) => fileJson(x.c, pr, f) }))],
    ['GET', repoRoute('/pulls/(\\d+)/reviews'), '/repos/{owner}/{repo}/pulls/{pull_number}/reviews', withPull((x, pr) => ({
      list: pr.reviews, map: (r) => reviewJson(x.c, pr, r) }))],
    ['GET', repoRoute('/pulls/(\\d+)/comments'), '/repos/{owner}/{repo}/pulls/{pull_number}/comments', withPull(listPullReviewComments)],
    ['GET', repoRoute('/pulls/(\\d+)/commits'), '/repos/{owner}/{repo}/pulls/{pull_number}/commits', withPull((x, pr) => ({
      list: pr.commits_list, cap: MAX_PR_COMMITS,
      map: (cm) => commitJson(x.c, cm, x.idx.commits.get(cm.sha)?.parent ?? null) }))],
    ['GET', repoRoute('/issues/comments'), '/repos/{owner}/{repo}/issues/comments', listRepoIssueComments],
    ['GET', repoRoute('/issues/(\\d+)/comments'), '/repos/{owner}/{repo}/issues/{issue_number}/comments', withPull(listIssueComments)],
    ['GET', repoRoute('/commits'), '/repos/{owner}/{repo}/commits', listCommits],
    ['GET', repoRoute('/commits/([^/]+)/pulls'), '/repos/{owner}/{repo}/commits/{commit_sha}/pulls', listCommitPulls],
    ['GET', repoRoute('/commits/(.+)'), '/repos/{owner}/{repo}/commits/{ref}', getCommit],
    ['POST', repoRoute('/actions/workflows/([^/]+)/dispatches'), '/repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches', postDispatch],
    ['GET', repoRoute('/actions/workflows/([^/]+)/runs'), '/repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs', listWorkflowRuns],
    ['GET', repoRoute('/actions/runs/(\\d+)'), '/repos/{owner}/{repo}/actions/runs/{run_id}', getRun],
  ];

  function getRateLimit(x) {
    const states = {};
    for (const r of ['core', 'graphql', 'search']) states[r] = limiter.peek(x.token, r);
    return { status: 200, body: rateLimitJson(states), free: true };
  }

  /** "public-user" of an account; any index resolves it (indexes know every account). */
  const accountJson = (u) => publicUserJson({ base, idx: indexOf(scenarios[0]) }, u);

  function getUser(x) {
    const u = findAccount(safeDecode(x.params[0]));
    return u ? { status: 200, body: accountJson(u) } : notFound();
  }

  /** GET /user/{account_id}: by the durable id; a deleted account is 404, the ghost is 10137. */
  function getUserById(x) {
    const id = Number(x.params[0]);
    const u = id === GHOST.id ? GHOST : liveAccounts().find((a) => a.id === id);
    return u ? { status: 200, body: accountJson(u) } : ghError(404, 'Not Found', 'https://docs.github.com/rest/users/users#get-a-user-using-their-id');
  }

  // --- GitHub App endpoints (a JWT only)

  /** GitHub's answer to another credential than the app's JWT on a JWT-only endpoint. */
  function appOnly(fn) {
    return (x) => (x.principal.kind === 'app' ? fn(x) : ghError(401, 'A JSON web token could not be decoded'));
  }

  /** The repositories an installation reaches, among the served ones. */
  const reposOf = (inst) => scenarios.map((scn) => scn.repo)
    .filter((r) => reaches(inst, { id: r.id, full_name: r.full_name, owner: r.owner.login }));

  const appCtx = () => ({ base, idx: indexOf(scenarios[0]) });

  function getApp(x) {
    return { status: 200, body: integrationJson(appCtx(), x.principal.app, findAccount) };
  }

  function getInstallation(x) {
    const inst = apps.installation(x.principal.app, x.params[0]);
    if (!inst) return ghError(404, 'Not Found', 'https://docs.github.com/rest/apps/apps#get-an-installation-for-the-authenticated-app');
    return { status: 200, body: installationJson(appCtx(), x.principal.app, inst, findAccount, { base: true }) };
  }

  function getRepoInstallation(x) {
    const r = x.idx.repo;
    const inst = apps.installationFor(x.principal.app, { id: r.id, full_name: r.full_name, owner: r.owner.login });
    if (!inst) return ghError(404, 'Not Found', 'https://docs.github.com/rest/apps/apps#get-a-repository-installation-for-the-authenticated-app');
    return { status: 200, body: installationJson(appCtx(), x.principal.app, inst, findAccount) };
  }

  function createInstallationToken(x) {
    const app = x.principal.app;
    const inst = apps.installation(app, x.params[0]);
    if (!inst) return ghError(404, 'Not Found', 'https://docs.github.com/rest/apps/apps#create-an-installation-access-token-for-an-app');
    const repos = reposOf(inst);
    // GitHub's per-request override of the token format (github.blog changelog 2026-05-15).
    const h = String(x.req.headers['x-github-stateless-s2s-token'] ?? '');
    const format = h === 'enabled' ? 'stateless' : h === 'disabled' ? 'classic' : undefined;
    const out = apps.mint(app, inst, x.body ?? {}, repos, { format });
    if (out.status) return ghError(out.status, out.message, 'https://docs.github.com/rest/apps/apps#create-an-installation-access-token-for-an-app');
    x.record.minted = tokenFingerprint(out.token);
    const ctxOf = (repo) => ({ base, idx: indexOf(scenarios.find((scn) => scn.repo.id === repo.id)) });
    return { status: 201, body: installationTokenJson(out, ctxOf) };
  }

  function withPull(fn) {
    return (x) => {
      const pr = x.idx.pulls.get(Number(x.params[2]));
      return pr ? fn(x, pr) : notFound();
    };
  }

  function getPull(x) {
    const pr = x.idx.pulls.get(Number(x.params[2]));
    if (!pr) return notFound();
    return { status: 200, body: pullJson(x.c, pr), lastModified: pr.updated_at };
  }

  function listPulls(x) {
    const q = x.query;
    const state = q.get('state') ?? 'open';
    if (!['open', 'closed', 'all'].includes(state)) return validationFailed('state');
    const sort = q.get('sort') ?? 'created';
    if (!['created', 'updated', 'popularity', 'long-running'].includes(sort)) return validationFailed('sort');
    const direction = q.get('direction') ?? (sort === 'created' ? 'desc' : 'asc');
    let list = x.idx.pullList.filter((p) => state === 'all' || p.state === state);
    const baseRef = q.get('base');
    if (baseRef) list = list.filter((p) => p.base_ref === baseRef);
    const head = q.get('head');
    if (head) {
      list = list.filter((p) => {
        const owner = p.head_repo ? p.head_repo.split('/')[0] : p.user;
        return head.includes(':') ? `${owner}:${p.head_ref}`.toLowerCase() === head.toLowerCase() : p.head_ref === head;
      });
    }
    let key;
    if (sort === 'updated') key = (p) => Date.parse(p.updated_at);
    else if (sort === 'popularity') key = (p) => p.issue_comments.length + p.review_comments.length;
    else if (sort === 'long-running') {
      // Open for over a month with activity in the past month, oldest first.
      const now = Date.now();
      list = list.filter((p) => Date.parse(p.created_at) < now - 30 * 86400e3 && Date.parse(p.updated_at) > now - 30 * 86400e3);
      key = (p) => Date.parse(p.created_at);
    } else key = (p) => Date.parse(p.created_at);
    const dir = direction === 'desc' ? -1 : 1;
    list = [...list].sort((a, b) => dir * (key(a) - key(b) || a.number - b.number));
    return { list, map: (p) => pullSimpleJson(x.c, p) };
  }

  /** Common sort/direction/since handling of the comment lists. */
  function commentList(x, entries, { sortable }) {
    const since = timeParam(x.query, 'since');
    if (Number.isNaN(since)) return validationFailed('since');
    let list = entries;
    if (since !== undefined) list = list.filter((e) => Date.parse(e.c.updated_at) >= since);
    const sort = sortable ? x.query.get('sort') : null;
    if (sort === 'created' || sort === 'updated') {
      const dir = (x.query.get('direction') ?? 'asc') === 'desc' ? -1 : 1;
      const field = sort === 'created' ? 'created_at' : 'updated_at';
      list = [...list].sort((a, b) => dir * (Date.parse(a.c[field]) - Date.parse(b.c[field]) || a.c.id - b.c.id));
    }
    return list;
  }

  function listPullReviewComments(x, pr) {
    const list = commentList(x, pr.review_comments.map((c) => ({ c, pr })), { sortable: true });
    return Array.isArray(list) ? { list, map: (e) => reviewCommentJson(x.c, e.pr, e.c) } : list;
  }

  function listRepoReviewComments(x) {
    const list = commentList(x, x.idx.reviewComments, { sortable: true });
    return Array.isArray(list) ? { list, map: (e) => reviewCommentJson(x.c, e.pr, e.c) } : list;
  }

  function listIssueComments(x, pr) {
    const list = commentList(x, pr.issue_comments.map((c) => ({ c, pr })), { sortable: false });
    return Array.isArray(list) ? { list, map: (e) => issueCommentJson(x.c, e.pr, e.c) } : list;
  }

  function listRepoIssueComments(x) {
    const list = commentList(x, x.idx.issueComments, { sortable: true });
    return Array.isArray(list) ? { list, map: (e) => issueCommentJson(x.c, e.pr, e.c) } : list;
  }

  /** GitHub's answer to a git-data request on a repository without commits. */
  function emptyRepository(anchor) {
    return ghError(409, 'Git Repository is empty.', `https://docs.github.com/rest/commits/commits#${anchor}`);
  }

  function listCommits(x) {
    const { idx, query } = x;
    if (idx.empty) return emptyRepository('list-commits');
    const sha = query.get('sha');
    // The same history GraphQL's Commit.history walks (repo-index.js).
    let list = sha ? idx.history(sha) : idx.branch;
    if (!list) return ghError(404, `No commit found for SHA: ${sha}`);
    const since = timeParam(query, 'since');
    const until = timeParam(query, 'until');
    if (Number.isNaN(since) || Number.isNaN(until)) return validationFailed(Number.isNaN(since) ? 'since' : 'until');
    list = filterHistory(idx, list, { since, until, path: query.get('path') ?? undefined });
    const author = query.get('author');
    if (author) {
      const a = author.toLowerCase();
      list = list.filter((cm) => cm.author_login?.toLowerCase() === a || cm.author_email.toLowerCase() === a);
    }
    return { list, map: (cm) => commitJson(x.c, cm, idx.commits.get(cm.sha)?.parent ?? null) };
  }

  function getCommit(x) {
    if (x.idx.empty) return emptyRepository('get-a-commit');
    const ref = safeDecode(x.params[2]);
    const sha = x.idx.resolveRef(ref);
    if (!sha) return ghError(422, `No commit found for SHA: ${ref}`);
    const entry = x.idx.commits.get(sha);
    // Files: 300 a page, up to 3000, with Link headers; `per_page` does not change the
    // page size (GitHub sends up to 300 files without it); every page repeats the rest.
    const files = x.idx.filesOf(sha).slice(0, MAX_COMMIT_FILES);
    let page = Number.parseInt(x.query.get('page') ?? '', 10);
    if (!Number.isFinite(page) || page < 1) page = 1;
    const lastPage = Math.max(1, Math.ceil(files.length / COMMIT_FILES_PER_PAGE));
    const slice = files.slice((page - 1) * COMMIT_FILES_PER_PAGE, page * COMMIT_FILES_PER_PAGE);
    const headers = {};
    if (files.length > COMMIT_FILES_PER_PAGE) headers.link = linkHeader(x, page, lastPage);
    return { status: 200, body: commitDetailJson(x.c, entry.commit, entry.parent, slice), headers };
  }

  function listCommitPulls(x) {
    if (x.idx.empty) return emptyRepository('list-pull-requests-associated-with-a-commit');
    const entry = x.idx.commits.get(x.idx.resolveRef(safeDecode(x.params[2])));
    if (!entry) return ghError(422, `No commit found for SHA: ${x.params[2]}`);
    return { list: entry.pulls.map((n) => x.idx.pulls.get(n)), map: (p) => pullSimpleJson(x.c, p) };
  }

  /** The permission a request's credentials hold on `scope` ('read', 'write' or null = none). */
  function permissionOf(x, scope) {
    const perms = x.permissions ?? (x.rawToken ? tokenPermissions.get(x.rawToken) : undefined);
    if (!perms) return 'write';
    return perms[scope] ?? null;
  }

  const notAccessible = (docs) => ghError(403, 'Resource not accessible by integration', docs);

  function postDispatch(x) {
    if (!x.token) return ghError(401, 'Requires authentication');
    if (!covers(permissionOf(x, 'actions'), 'write')) return notAccessible('https://docs.github.com/rest/actions/workflows#create-a-workflow-dispatch-event');
    const ref0 = safeDecode(x.params[2]);
    if (!/^\d+$/.test(ref0) && !/\.ya?ml$/.test(ref0)) return dispatchError(404, 'Not Found');
    const found = workflowFor(ref0);
    if (found.missing) return dispatchError(404, 'Not Found');
    const wf = found.wf;
    const b = x.body;
    if (!b || typeof b !== 'object' || Array.isArray(b)) return ghError(400, 'Problems parsing JSON');
    if (typeof b.ref !== 'string' || b.ref === '') return ghError(422, 'Invalid request.\n\n"ref" wasn\'t supplied.');
    const given = b.inputs ?? {};
    if (typeof given !== 'object' || Array.isArray(given) || given === null) {
      return ghError(422, 'Invalid request.\n\nFor \'properties/inputs\', it is not an object.');
    }
    if (Object.keys(given).length > 25) return ghError(422, 'you may only define up to 25 `inputs` for a `workflow_dispatch` event');
    if (wf && !wf.dispatch) return dispatchError(422, "Workflow does not have 'workflow_dispatch' trigger");
    if (wf && wf.state !== 'active') return dispatchError(422, "Cannot trigger a 'workflow_dispatch' on a disabled workflow");
    const ref = b.ref.replace(/^refs\/heads\//, '');
    const known = (ref === x.idx.repo.default_branch && !x.idx.empty) || x.idx.pullList.some((p) => p.head_ref === ref);
    if (!known) return ghError(422, `No ref found for: ${b.ref}`);
    const resolved = resolveInputs(wf, given);
    if (resolved.error) return resolved.error;
    const n = dispatches.length + 1;
    const nowMs = Date.now();
    const now = isoSeconds(nowMs);
    const file = wf?.file ?? (/^\d+$/.test(ref0) ? `workflow-${ref0}.yml` : ref0);
    const name = wf?.name ?? ref0.replace(/\.ya?ml$/, '');
    const actor = x.actorLogin ?? x.idx.scn.users.find((u) => u.type === 'User')?.login ?? null;
    const run = {
      id: 22_000_000_000 + n, repo: x.idx.repo.full_name, repo_id: x.idx.repo.id, name,
      workflow_file: file, workflow_id: wf?.id ?? workflowIdOf(ref0), ref, head_branch: ref,
      head_sha: x.idx.resolveRef(ref) ?? x.idx.branch[0]?.sha ?? '0'.repeat(40), run_number: n, event: 'workflow_dispatch',
      status: 'queued', conclusion: null, created_at: now, created_ms: nowMs, updated_at: now, run_started_at: now,
      actor, inputs: structuredClone(resolved.inputs),
    };
    // run-name: the template with the inputs filled in; without one, GitHub shows the workflow's name.
    run.display_title = wf?.runName
      ? renderRunName(wf.runName, { inputs: resolved.inputs, actor, refName: ref, ref: `refs/heads/${ref}`, workflow: name, repository: run.repo })
      : name;
    runs.set(run.id, run);
    dispatches.push({
      seq: x.seq, time: nowMs, repo: run.repo, workflow_id: ref0, ref: b.ref, inputs: structuredClone(given),
      return_run_details: b.return_run_details === true, run_id: run.id, token: tokenFingerprint(x.rawToken),
    });
    if (b.return_run_details === true && dispatchRunDetails) return { status: 200, body: dispatchJson(x.c, run) };
    return { status: 204, body: null };
  }

  function listWorkflowRuns(x) {
    if (!covers(permissionOf(x, 'actions'), 'read')) return notAccessible('https://docs.github.com/rest/actions/workflow-runs#list-workflow-runs-for-a-workflow');
    const ref0 = safeDecode(x.params[2]);
    const found = workflowFor(ref0);
    if (found.missing) return ghError(404, 'Not Found', 'https://docs.github.com/rest/actions/workflow-runs#list-workflow-runs-for-a-workflow');
    const id = found.wf?.id ?? workflowIdOf(ref0);
    const mine = [...runs.values()].filter((r) => r.repo_id === x.idx.repo.id && r.workflow_id === id).map(current);
    const out = filterRuns(mine, x.query);
    if (out.invalid) return validationFailed(out.invalid);
    return { list: out.list, map: (r) => workflowRunJson(x.c, r), wrap: (items) => ({ total_count: out.list.length, workflow_runs: items }) };
  }

  function getRun(x) {
    if (!covers(permissionOf(x, 'actions'), 'read')) return notAccessible('https://docs.github.com/rest/actions/workflow-runs#get-a-workflow-run');
    const run = runs.get(Number(x.params[2]));
    if (!run || run.repo_id !== x.idx.repo.id) return notFound();
    return { status: 200, body: workflowRunJson(x.c, current(run)) };
  }

  function validationFailed(field) {
    return { status: 422, body: { message: 'Validation Failed', errors: [{ resource: 'Search', field, code: 'invalid' }], documentation_url: DOCS, status: '422' } };
  }

  // ------------------------------------------------------------------------
  // Pagination: GitHub's Link header, absolute URLs on our base.

  function linkHeader(x, page, lastPage) {
    const rels = [];
    const make = (p) => {
      const q = new URLSearchParams(x.url.search);
      q.set('page', String(p));
      return `<${base}${x.linkPath}?${q.toString()}>`;
    };
    if (page > 1) rels.push(`${make(Math.min(page - 1, Math.max(lastPage, 1)))}; rel="prev"`);
    if (page < lastPage) rels.push(`${make(page + 1)}; rel="next"`, `${make(lastPage)}; rel="last"`);
    if (page > 1) rels.push(`${make(1)}; rel="first"`);
    return rels.length ? rels.join(', ') : null;
  }

  function paginate(x, result) {
    const all = result.cap ? result.list.slice(0, result.cap) : result.list;
    const { perPage, page } = pageParams(x.query);
    const lastPage = Math.max(1, Math.ceil(all.length / perPage));
    const items = all.slice((page - 1) * perPage, page * perPage).map(result.map);
    const headers = {};
    const link = all.length > 0 ? linkHeader(x, page, lastPage) : null;
    if (link) headers.link = link;
    return { status: 200, body: result.wrap ? result.wrap(items) : items, headers };
  }

  // ------------------------------------------------------------------------
  // HTTP plumbing

  function rateHeaders(state) {
    return {
      'x-ratelimit-limit': String(state.limit),
      'x-ratelimit-remaining': String(state.remaining),
      'x-ratelimit-reset': String(state.reset),
      'x-ratelimit-used': String(state.used),
      'x-ratelimit-resource': state.resource,
    };
  }

  function readBody(req) {
    return new Promise((resolve) => {
      const chunks = [];
      let size = 0;
      let tooBig = false;
      req.on('data', (d) => {
        size += d.length;
        if (size > MAX_BODY) tooBig = true;
        else chunks.push(d);
      });
      req.on('end', () => resolve(tooBig ? null : Buffer.concat(chunks)));
      req.on('error', () => resolve(null));
    });
  }

  function parseAuth(header) {
    if (header === undefined) return { present: false, token: '', scheme: null };
    const m = /^(bearer|token)\s+(\S+)\s*$/i.exec(header);
    return { present: true, token: m ? m[2] : null, scheme: m ? m[1].toLowerCase() : null };
  }

  function etagMatches(ifNoneMatch, etag) {
    if (!ifNoneMatch) return false;
    const bare = (t) => t.trim().replace(/^W\//, '');
    return ifNoneMatch.split(',').some((t) => t.trim() === '*' || bare(t) === bare(etag));
  }

  /**
   * The fault for a request, or null: the first live scripted fault that matches, else
   * (random mode) a draw. paths = the request path and its /repos/… form. A random
   * fault is dropped when the token's budget for `resource` is already spent (the
   * primary refusal answers; the draw is still made, so the stream stays the same).
   * Returns { name, kind, source: 'scripted'|'random', spec }.
   */
  function takeFault(method, paths, graphqlOp, { token, resource }) {
    const isGraphql = paths[0] === '/graphql';
    const pathMatches = (f) => paths.some((p) => (f.path instanceof RegExp ? f.path.test(p) : !f.path || p.startsWith(f.path)));
    for (const f of faults) {
      if (f.remaining <= 0) continue;
      if (f.method && f.method.toUpperCase() !== method) continue;
      if (!pathMatches(f)) continue;
      if (f.graphql !== undefined && f.graphql !== isGraphql) continue;
      if (f.operation && f.operation !== graphqlOp) continue;
      f.remaining--;
      f.hits++;
      return { name: f.name, kind: kindOfFault(f.name), source: 'scripted', spec: f.response };
    }
    if (random && random.eligible(method, paths, isGraphql)) {
      stats.requests++;
      const spec = random.draw({ graphql: isGraphql });
      if (spec && limiter.peek(token, resource).remaining > 0) {
        return { name: spec.fault, kind: spec.kind, source: 'random', spec };
      }
    }
    return null;
  }

  function countFault(f) {
    stats.total++;
    stats[f.source]++;
    stats.byKind[f.kind] = (stats.byKind[f.kind] ?? 0) + 1;
    stats.byFault[f.name] = (stats.byFault[f.name] ?? 0) + 1;
  }

  /**
   * Whether an answer refuses for a rate limit: any 429, a 403 whose message says
   * "rate limit", a 200 (or 403) whose GraphQL errors say RATE_LIMITED or RATE_LIMIT
   * (both shapes GitHub sends, CONVENTIONS E).
   */
  function isRateLimitRefusal(status, body) {
    const message = body && typeof body === 'object' && typeof body.message === 'string' ? body.message : '';
    return status === 429 || (status === 403 && /rate limit/i.test(message))
      || ((status === 200 || status === 403) && Array.isArray(body?.errors)
        && body.errors.some((e) => GRAPHQL_RATE_LIMIT_TYPES.includes(e?.type)));
  }

  /** Epoch seconds at least `s` seconds from now. */
  const resetIn = (s) => Math.ceil((Date.now() + s * 1000) / 1000);

  async function handle(req, res) {
    let url;
    try {
      url = new URL(req.url, 'http://fake');
    } catch {
      url = new URL('http://fake/invalid-request-target');
    }
    const method = req.method.toUpperCase();
    const record = {
      seq: ++seq,
      time: Date.now(),
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      route: null,
      status: 0,
      resource: 'none',
      cost: 0,
      token: '',
      ifNoneMatch: req.headers['if-none-match'] !== undefined,
      userAgent: req.headers['user-agent'] ?? null,
      apiVersion: req.headers['x-github-api-version'] ?? null,
      operation: null,
      queryCost: null, // GraphQL: the query's computed cost (charged or not)
      nodeCount: null, // GraphQL: the query's node count
      bytes: 0,
      fault: null, // the injected fault's name ('secondary-429', 'server-502', 'slow', …)
      retryAfter: null, // the answer's retry-after, seconds
      rateRemaining: null, // the answer's x-ratelimit-remaining
      rateReset: null, // the answer's x-ratelimit-reset, epoch seconds
      rateLimited: false, // a rate-limit refusal: 429, 403 "…rate limit…", GraphQL RATE_LIMITED / RATE_LIMIT
      aborted: false, // the client closed the connection before the answer was written
      auth: 'none', // 'token' (a plain token), 'installation', 'app' (a JWT), 'none', 'refused'
      app: null, // the app id of a JWT or an installation token
      installation: null, // the installation id of an installation token
      minted: null, // POST …/access_tokens: the fingerprint of the token it issued
    };
    const requestId = `FA4E:${record.seq.toString(16).toUpperCase().padStart(4, '0')}:${(fnv1a(String(record.seq)) >>> 8).toString(16).toUpperCase()}:${record.time.toString(16).toUpperCase().slice(-8)}`;
    const bodyPromise = method === 'POST' || method === 'PUT' || method === 'PATCH' ? readBody(req) : Promise.resolve(Buffer.alloc(0));
    let versionSelected = API_VERSIONS[0];

    // What a fault does to the real answer (set by applyFault).
    const fx = { delayMs: 0, mangle: null, rewrite: null };
    let graphqlRequest = null; // the parsed POST /graphql body (a rewrite's info shows it)

    /** What a rewrite function is told about the answer it rewrites. */
    const rewriteInfo = (status) => {
      const info = { method, path: url.pathname, query: Object.fromEntries(url.searchParams), route: record.route, status };
      if (graphqlRequest) {
        info.graphqlQuery = typeof graphqlRequest.query === 'string' ? graphqlRequest.query : null;
        info.variables = graphqlRequest.variables ?? null;
        info.operation = record.operation;
      }
      return info;
    };

    const send = async ({ status, body = null, headers = {}, text = null, contentType = null, pretty = true, destroy = false }) => {
      const delay = latencyMs + fx.delayMs;
      if (destroy) {
        record.status = 0;
        log.push(record);
        if (delay > 0) await sleep(delay);
        req.socket.destroy();
        return;
      }
      const noBody = status === 204 || status === 304;
      let payload = '';
      if (text !== null) payload = text;
      else if (body !== null && !noBody) payload = JSON.stringify(body, null, pretty ? 2 : 0);
      let h = {
        'content-type': contentType ?? (text !== null ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8'),
        'x-github-api-version-selected': versionSelected,
        'x-github-media-type': 'github.v3; format=json',
        'x-github-request-id': requestId,
        'cache-control': 'private, max-age=60, s-maxage=60',
        vary: 'Accept, Authorization, Cookie, X-GitHub-OTP, Accept-Encoding',
        'access-control-allow-origin': '*',
        'access-control-expose-headers': 'ETag, Link, Location, Retry-After, X-GitHub-OTP, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Used, X-RateLimit-Resource, X-RateLimit-Reset, X-OAuth-Scopes, X-Accepted-OAuth-Scopes, X-Poll-Interval, X-GitHub-Media-Type, X-GitHub-SSO, X-GitHub-Request-Id, Deprecation, Sunset',
        server: 'github.com',
        ...(clockSkewMs ? { date: new Date(Date.now() + clockSkewMs).toUTCString() } : {}),
        ...headers,
      };
      let sentBody = text === null ? body : null; // what the log's rateLimited reads
      let chunked = false;
      // A rewrite fault: the parsed JSON body, then the text, then the headers.
      const rw = fx.rewrite;
      if (rw && !noBody && (rw.body || rw.text)) {
        if (rw.body && text === null && payload !== '') {
          const parsed = JSON.parse(payload);
          const out = rw.body(parsed, rewriteInfo(status));
          sentBody = out === undefined ? parsed : out; // undefined: edited in place
          payload = JSON.stringify(sentBody, null, pretty ? 2 : 0) ?? '';
        }
        if (rw.text) {
          payload = String(rw.text(payload, rewriteInfo(status)));
          try {
            sentBody = JSON.parse(payload);
          } catch {
            sentBody = null;
          }
        }
        if (h.etag) h.etag = `W/"${sha1(payload)}"`; // the validator of what is sent
      }
      let buf = Buffer.from(payload, 'utf8');
      if (rw?.headers) {
        // content-length is the server's: a changed value is put back to the bytes
        // sent; a dropped one sends the answer chunked.
        const given = { ...h };
        if (!noBody) given['content-length'] = String(buf.length);
        const out = rw.headers(given, rewriteInfo(status)) ?? given;
        h = {};
        for (const [k, v] of Object.entries(out)) if (v !== undefined && v !== null) h[k.toLowerCase()] = String(v);
        chunked = !noBody && !('content-length' in h);
      }
      let cut = null; // bytes of the body actually sent (truncate / reset-mid-body)
      if (fx.mangle) {
        // The real answer cut in half; an answer without a body (204, 304) becomes a 200 JSON one.
        if (buf.length < 2) {
          status = 200;
          h['content-type'] = 'application/json; charset=utf-8';
          buf = Buffer.from(JSON.stringify({ message: 'Server Error', documentation_url: DOCS, status: '500' }, null, 2));
        }
        if (fx.mangle === 'truncate') status = 200;
        cut = Math.floor(buf.length / 2);
        chunked = false;
      }
      if (status !== 204 && status !== 304 && !chunked) h['content-length'] = String(buf.length);
      record.status = status;
      record.bytes = method === 'HEAD' ? 0 : cut ?? buf.length;
      const num = (v) => (v === undefined || v === null || v === '' ? null : Number(v));
      record.retryAfter = num(h['retry-after']);
      record.rateRemaining = num(h['x-ratelimit-remaining']);
      record.rateReset = num(h['x-ratelimit-reset']);
      record.rateLimited = isRateLimitRefusal(status, sentBody);
      log.push(record); // before any delay, so the log stays in arrival order
      if (delay > 0) await sleep(delay);
      if (req.socket.destroyed || res.destroyed) {
        record.aborted = true; // the client gave up (e.g. its timeout during a slow answer)
        return;
      }
      if (fx.mangle === 'truncate') {
        h['content-length'] = String(cut);
        res.writeHead(status, h);
        res.end(method === 'HEAD' ? undefined : buf.subarray(0, cut));
        return;
      }
      if (fx.mangle === 'reset-mid-body') {
        res.writeHead(status, h); // the full content-length, then half the body and a dead socket
        res.write(buf.subarray(0, cut), () => setImmediate(() => req.socket.destroy()));
        return;
      }
      res.writeHead(status, h);
      res.end(method === 'HEAD' || noBody ? undefined : buf);
    };

    // A fault taken for this request: its canned answer, or null when the request goes on
    // (answer delayed or cut by `fx`, or refused for the budget the fault spent).
    const applyFault = (f, resource) => {
      record.fault = f.name;
      countFault(f);
      const spec = f.spec;
      if (spec.exhaust) {
        limiter.set(token, spec.exhaust.resource ?? resource, { remaining: 0, reset: resetIn(spec.exhaust.resetInSeconds) });
      }
      if (spec.delayMs) fx.delayMs = spec.delayMs;
      if (spec.mangle) fx.mangle = spec.mangle;
      if (spec.rewrite) fx.rewrite = spec.rewrite;
      if (spec.destroy) return { destroy: true };
      if (spec.graphqlRateLimited) {
        const { type, remaining } = spec.graphqlRateLimited;
        const state = limiter.peek(token, 'graphql');
        return {
          status: 200,
          pretty: false,
          body: { errors: [graphqlRateLimitError(type, viewerOf(token).id, viewerOf(token).who)] },
          headers: { ...rateHeaders(state), 'x-ratelimit-remaining': String(remaining),
            'x-ratelimit-used': String(Math.max(0, state.limit - remaining)), 'x-ratelimit-reset': String(resetIn(1)) },
        };
      }
      if (spec.status !== undefined) {
        return {
          status: spec.status, body: spec.body ?? null, text: spec.text ?? null, contentType: spec.contentType ?? null,
          headers: { ...rateHeaders(limiter.peek(token, resource)), ...(spec.headers ?? {}) },
        };
      }
      return null;
    };

    // 1. User-Agent (rejected before anything else, as plain text).
    if (requireUserAgent && !req.headers['user-agent']) {
      await bodyPromise;
      return send({ status: 403, text: UA_MESSAGE });
    }

    // 2. Authentication: a plain token, an app's JWT (Bearer only), an installation token.
    const auth = parseAuth(req.headers.authorization);
    // A test that checks what a client sent (its JWT against another verifier, or that a
    // secret never reached its output) sees each raw credential here; the log never does.
    if (auth.token) opts.onCredential?.(auth.token);
    let principal = { kind: 'none' };
    const refuse = async (message) => {
      record.token = tokenFingerprint(auth.token ?? req.headers.authorization);
      record.auth = 'refused';
      await bodyPromise;
      return send({ status: 401, body: { message, documentation_url: DOCS, status: '401' },
        headers: rateHeaders(limiter.peek('', 'core')) });
    };
    if (auth.present) {
      if (auth.token === null) return refuse('Bad credentials');
      if (tokens.includes(auth.token)) principal = { kind: 'token' };
      else if (apps.enabled && auth.scheme === 'bearer' && looksLikeJwt(auth.token)) {
        const v = apps.verifyJwt(auth.token);
        if (v.error) return refuse(v.error);
        principal = { kind: 'app', app: v.app };
      } else {
        const e = apps.lookup(auth.token);
        // An installation token past its expires_at: "Bad credentials" (401), like any unknown token.
        if (!e || e.expired) return refuse('Bad credentials');
        principal = { kind: 'installation', entry: e };
      }
    }
    // `token` is the budget the request spends: the plain token, the installation, the app.
    const token = principal.kind === 'installation' ? `${INST}${principal.entry.installation.id}`
      : principal.kind === 'app' ? `${APP}${principal.app.appId}` : auth.token ?? '';
    record.token = tokenFingerprint(auth.token ?? '');
    record.auth = principal.kind;
    record.app = principal.app?.appId ?? principal.entry?.app.appId ?? null;
    record.installation = principal.entry?.installation.id ?? null;
    /** Whether an installation token reaches a repository (others reach every one). */
    const canSee = (idx) => {
      if (!idx || principal.kind !== 'installation') return true;
      const e = principal.entry;
      if (e.repoIds) return e.repoIds.has(idx.repo.id);
      return reaches(e.installation, { id: idx.repo.id, full_name: idx.repo.full_name, owner: idx.repo.owner.login });
    };

    // 3. GraphQL.
    if (url.pathname === '/graphql') {
      record.resource = 'graphql';
      record.route = '/graphql';
      const raw = await bodyPromise;
      if (!graphqlEnabled) {
        // No GraphQL here: REST's 404 (without "status"), nothing charged, no budget headers.
        record.resource = 'none';
        return send({ status: 404, body: { message: 'Not Found', documentation_url: DOCS } });
      }
      if (method !== 'POST') return send({ status: 404, body: notFound().body });
      if (raw === null) return send(ghError(413, 'Payload too large'));
      if (!token) {
        return send({ status: 401, body: { message: 'This endpoint requires you to be authenticated.',
          documentation_url: 'https://docs.github.com/graphql/guides/forming-calls-with-graphql#authenticating-with-graphql', status: '401' } });
      }
      if (principal.kind === 'app') {
        // An app's JWT only reaches the app endpoints; data needs an installation token.
        return send({ ...ghError(403, 'Resource not accessible by integration', 'https://docs.github.com/graphql'),
          headers: rateHeaders(limiter.peek(token, 'graphql')) });
      }
      let body;
      try {
        body = JSON.parse(raw?.toString('utf8') ?? '');
        if (body && typeof body === 'object') graphqlRequest = body;
      } catch {
        return send({ status: 400, body: { message: 'Problems parsing JSON', documentation_url: 'https://docs.github.com/graphql', status: '400' },
          headers: rateHeaders(limiter.peek(token, 'graphql')) });
      }
      // The operation name for fault matching: operationName, else the query's own name.
      const opName = (typeof body?.operationName === 'string' && body.operationName)
        || (typeof body?.query === 'string' && /^\s*(?:query|mutation)\s+([_A-Za-z]\w*)/.exec(body.query)?.[1]) || null;
      const fault = takeFault(method, [url.pathname], opName, { token, resource: 'graphql' });
      if (fault) {
        const canned = applyFault(fault, 'graphql');
        if (canned) return send(canned);
      }
      const result = await runGraphQL(body, {
        // An installation token sees only its repositories.
        lookupRepo: (o, n, lopts) => {
          const idx = lookupRepo(o, n, lopts);
          return canSee(idx) ? idx : null;
        },
        findAccount,
        allRepos: () => scenarios.map(indexOf).filter(canSee),
        viewer: viewerOf(token),
        charge: (points) => limiter.charge(token, 'graphql', points),
        peek: () => limiter.peek(token, 'graphql'),
      });
      record.operation = result.operation;
      record.cost = result.cost;
      record.queryCost = result.queryCost;
      record.nodeCount = result.nodeCount;
      const state = limiter.peek(token, 'graphql');
      const headers = rateHeaders(state);
      if (result.rateLimited) {
        headers['x-ratelimit-remaining'] = '0';
        result.body = { errors: [graphqlRateLimitError(graphqlRateLimitType, viewerOf(token).id, viewerOf(token).who)] };
      }
      return send({ status: 200, body: result.body, headers, pretty: false });
    }

    // 4. REST: API version.
    const version = req.headers['x-github-api-version'];
    if (version !== undefined) {
      if (!API_VERSIONS.includes(version)) {
        await bodyPromise;
        return send({ status: 400, body: {
          message: `Unsupported 'X-GitHub-Api-Version' header value: '${version}'. Supported values: ${API_VERSIONS.join(', ')}.`,
          documentation_url: 'https://docs.github.com/rest/about-the-rest-api/api-versions', status: '400' } });
      }
      versionSelected = version;
    }

    // 5. Route (and /repositories/{id}/... aliases).
    let path = url.pathname.replace(/\/+$/, '') || '/';
    let linkPath = path;
    const byId = /^\/repositories\/(\d+)(\/.*)?$/.exec(path);
    if (byId) {
      const idx = lookupRepoById(Number(byId[1]));
      path = idx ? `/repos/${idx.repo.full_name}${byId[2] ?? ''}` : '/repositories/unknown';
    }
    const lookupMethod = method === 'HEAD' ? 'GET' : method;
    let route = null;
    let params = null;
    for (const r of routes) {
      if (r[0] !== lookupMethod) continue;
      const m = r[1].exec(path);
      if (m) {
        route = r;
        params = m.slice(1);
        break;
      }
    }
    record.route = route ? `${route[0]} ${route[2]}` : null;

    let idx = null;
    // An old name of a renamed or transferred repository: GitHub's redirect to
    // /repositories/{id}/… (301 for GET and HEAD, 307 for the other methods).
    let moved = null;
    const repoPath = /^\/repos\/([^/]+)\/([^/]+)(\/.*)?$/.exec(path);
    if (!byId && repoPath && !lookupRepo(safeDecode(repoPath[1]), safeDecode(repoPath[2]))) {
      const to = movedRepo(safeDecode(repoPath[1]), safeDecode(repoPath[2]));
      if (to) moved = `${base}/repositories/${to.repo.id}${repoPath[3] ?? ''}${url.search}`;
    }
    if (moved && !canSee(movedRepo(safeDecode(repoPath[1]), safeDecode(repoPath[2])))) moved = null;
    if (route && path.startsWith('/repos/')) {
      idx = lookupRepo(safeDecode(params[0]), safeDecode(params[1]));
      // An installation token does not see repositories outside its installation: 404.
      if (!canSee(idx)) idx = null;
      if (idx && linkStyle === 'repositories' && !byId) {
        linkPath = `/repositories/${idx.repo.id}${path.slice(`/repos/${params[0]}/${params[1]}`.length)}`;
      }
    }

    const free = route?.[2] === '/rate_limit';
    record.resource = free ? 'none' : 'core';
    const rawBody = await bodyPromise;
    if (rawBody === null) return send(ghError(413, 'Payload too large'));

    // 6. Faults, then the primary rate limit.
    const fault = takeFault(method, [url.pathname, path], null, { token, resource: 'core' });
    if (fault) {
      const canned = applyFault(fault, 'core');
      if (canned) return send(canned);
    }
    if (!free && limiter.peek(token, 'core').remaining <= 0) {
      const message = token
        ? `API rate limit exceeded for ${viewerOf(token).who} ID ${viewerOf(token).id}.`
        : `API rate limit exceeded for ${req.socket.remoteAddress}. (But here's the good news: Authenticated requests get a higher rate limit. Check out the documentation for more details.)`;
      return send({ status: 403, body: { message, documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api', status: '403' },
        headers: rateHeaders(limiter.peek(token, 'core')) });
    }

    // 7. The answer.
    let result;
    if (moved) {
      result = {
        status: lookupMethod === 'GET' ? 301 : 307,
        body: { message: 'Moved Permanently', url: moved,
          documentation_url: 'https://docs.github.com/rest/guides/best-practices-for-using-the-rest-api#follow-redirects' },
        headers: { location: moved },
      };
      record.route = record.route ?? 'redirect';
    } else if (!route || (path.startsWith('/repos/') && !idx)) result = notFound();
    else if (principal.kind === 'app' && !/^\/app\b|\/installation$|^\/rate_limit$/.test(route[2])) {
      // An app's JWT reaches only the app endpoints; data needs an installation token.
      result = ghError(403, 'Resource not accessible by integration');
    } else {
      let body = null;
      if (rawBody.length) {
        try {
          body = JSON.parse(rawBody.toString('utf8'));
        } catch {
          result = ghError(400, 'Problems parsing JSON');
        }
      }
      if (!result) {
        const x = {
          req, url, query: url.searchParams, params, idx, c: idx ? { base, idx } : null, token, body, seq: record.seq, linkPath,
          rawToken: auth.token ?? '', principal, record,
          // An installation token's permissions, and the bot its runs are by.
          permissions: principal.entry?.permissions,
          actorLogin: principal.kind === 'installation' ? `${principal.entry.app.slug}[bot]` : undefined,
        };
        try {
          result = route[3](x);
          if (result.list) result = paginate(x, result);
        } catch (e) {
          result = ghError(500, `fake-github: ${e.message}`);
        }
      }
    }

    const headers = { ...(result.headers ?? {}) };
    if (result.status === 200 && lookupMethod === 'GET') {
      const etag = `W/"${sha1(JSON.stringify(result.body))}"`;
      headers.etag = etag;
      if (result.lastModified) headers['last-modified'] = new Date(result.lastModified).toUTCString();
      const inm = req.headers['if-none-match'];
      const ims = req.headers['if-modified-since'];
      const notModified = inm !== undefined
        ? etagMatches(inm, etag)
        : ims !== undefined && result.lastModified !== undefined && Date.parse(ims) >= Date.parse(result.lastModified);
      if (notModified) {
        return send({ status: 304, headers: { ...headers, ...rateHeaders(limiter.peek(token, 'core')) } });
      }
    }
    let state;
    if (free) state = limiter.peek(token, 'core');
    else {
      state = limiter.charge(token, 'core', 1).state;
      record.cost = 1;
    }
    return send({ status: result.status, body: result.body, headers: { ...headers, ...rateHeaders(state) } });
  }

  // ------------------------------------------------------------------------

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify({ message: `fake-github internal error: ${e.message}` }));
      }
    });
  });
  server.keepAliveTimeout = 5000;
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = server.address().port;
  base = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  return {
    url: base,
    graphqlUrl: `${base}/graphql`,
    port,
    get scenario() { return scenarios[0]; },
    get scenarios() { return [...scenarios]; },
    setScenario,

    // --- accounts and repositories that change (mutate.js); indexes are rebuilt
    /** Same id, new login everywhere; the old login names nobody. Returns the user. */
    renameUser(oldLogin, newLogin) {
      if (!findAccount(oldLogin) || oldLogin === GHOST.login) throw new Error(`renameUser: no account ${oldLogin}`);
      if (findAccount(newLogin)) throw new Error(`renameUser: ${newLogin} is taken`);
      const acc = accounts.find((u) => u.login === oldLogin);
      if (acc) Object.assign(acc, { login: newLogin, html_url: `https://github.com/${newLogin}` });
      return onEach((scn) => renameUserIn(scn, oldLogin, newLogin)) ?? acc;
    },
    /** Delete an account: REST shows GitHub's ghost in its place ({ rest: null }: null), GraphQL null. */
    deleteUser(login, opts = {}) {
      if (!findAccount(login) || login === GHOST.login) throw new Error(`deleteUser: no account ${login}`);
      const i = accounts.findIndex((u) => u.login === login);
      const acc = i >= 0 ? accounts.splice(i, 1)[0] : null;
      return onEach((scn) => deleteUserIn(scn, login, opts)) ?? acc;
    },
    /** A new account ({ login, id?, name?, type? }), e.g. under a login another one freed. Returns it. */
    addUser(spec) {
      if (findAccount(spec.login)) throw new Error(`addUser: ${spec.login} is taken`);
      const u = makeUser(spec);
      if (liveAccounts().some((a) => a.id === u.id)) throw new Error(`addUser: id ${u.id} is taken`);
      accounts.push(u);
      refresh();
      return u;
    },
    /** Rename a repository: same id; the old name answers 301/307 to /repositories/{id}/…. Returns { from, to }. */
    renameRepo(fullName, newName) {
      const scn = scenarioOf(fullName);
      const moved = moveRepoIn(scn, { name: newName });
      redirects.set(keyOf(moved.from), scn.repo.id);
      redirects.delete(keyOf(moved.to));
      refresh();
      return moved;
    },
    /** Transfer a repository to another owner (login, or { login, id?, type? }); optional new name. */
    transferRepo(fullName, owner, { name } = {}) {
      const scn = scenarioOf(fullName);
      const o = typeof owner === 'string' ? findAccount(owner) ?? { login: owner } : owner;
      const moved = moveRepoIn(scn, { owner: o, name });
      redirects.set(keyOf(moved.from), scn.repo.id);
      redirects.delete(keyOf(moved.to));
      refresh();
      return moved;
    },
    /** Old full names that redirect, and the id each points at. */
    get redirects() { return Object.fromEntries(redirects); },
    /** Delete a review (and its review comments); { touch } bumps the PR's updated_at. */
    deleteReview: (id, opts) => onEach((scn) => deleteReviewIn(scn, Number(id), opts)),
    deleteIssueComment: (id, opts) => onEach((scn) => deleteIssueCommentIn(scn, Number(id), opts)),
    deleteReviewComment: (id, opts) => onEach((scn) => deleteReviewCommentIn(scn, Number(id), opts)),
    /** Take a file out of a PR's diff ({ repo: 'owner/name' } picks the repository; default the first). */
    deletePullFile(number, filename, { repo, ...opts } = {}) {
      const out = deletePullFileIn(scenarioOf(repo), number, filename, opts);
      refresh();
      return out;
    },
    /** Minimise (hide) a comment with a reason ('spam', 'OFF_TOPIC', …); null un-minimises. */
    minimizeComment: (id, reason = 'spam') => onEach((scn) => minimizeCommentIn(scn, Number(id), reason)),

    log,
    clearLog: () => { log.length = 0; },
    dispatches,
    runs,
    updateRun(id, patch) {
      const run = runs.get(Number(id));
      if (!run) throw new Error(`no run ${id}`);
      Object.assign(run, patch, { updated_at: isoSeconds(Date.now()) });
      return run;
    },
    /**
     * Move a run: 'in_progress' (sets run_started_at), 'completed' with a conclusion
     * ('success', 'failure', 'cancelled', …); { at } (ms or ISO, default now) is the
     * time of the move (updated_at). A run moved by hand leaves its workflow's lifecycle.
     */
    setRunStatus(id, status, opts = {}) {
      const run = runs.get(Number(id));
      if (!run) throw new Error(`no run ${id}`);
      current(run);
      run.manual = true;
      return moveRun(run, status, opts);
    },
    /**
     * Declare a workflow file: { name, runName ('capture ${{ inputs.job-id }}'), inputs
     * ({ name: { required, default, type } }: others are refused), state ('active',
     * 'disabled_manually', …), dispatch (false: no workflow_dispatch trigger), id,
     * lifecycle ({ startAfterMs, completeAfterMs, conclusion }) }; merged into what was
     * set before. null: the file is gone (404).
     */
    setWorkflow,
    setDispatchRunDetails(on) { dispatchRunDetails = on; },
    get workflows() { return Object.fromEntries(workflows); },
    /** Permissions of a plain token ({ actions: 'read' }: dispatches are 403); null = all. */
    setTokenPermissions(token, perms) {
      if (perms === null) tokenPermissions.delete(token);
      else tokenPermissions.set(token, { ...perms });
    },
    // `token`: a raw token (an installation token means its installation's budget), or
    // { installation: id } / { app: id }.
    setRateLimit: (token, resource, state) => limiter.set(budgetKey(token ?? ''), resource, state),
    getRateLimit: (token, resource) => limiter.peek(budgetKey(token ?? ''), resource),
    /** Installation tokens issued so far: [{ fingerprint, app, installation, expiresAt (ISO), expired, n }] (never the token). */
    installationTokens() {
      const now = Date.now();
      return [...apps.tokens.entries()].map(([t, e]) => ({
        fingerprint: tokenFingerprint(t), app: e.app.appId, installation: e.installation.id,
        expiresAt: isoSeconds(e.expiresAt), expired: now >= e.expiresAt, n: e.n, length: t.length,
      }));
    },
    /** Revoke an installation token (later requests with it: 401 Bad credentials). */
    revokeInstallationToken: (token) => apps.revoke(token),
    /** Change how apps mint and check: { installationTokenLifetimeMs, installationTokenFormat, jwtLeewaySeconds }. */
    setAppOptions({ installationTokenLifetimeMs, installationTokenFormat, jwtLeewaySeconds } = {}) {
      if (installationTokenLifetimeMs !== undefined) apps.tokenLifetimeMs = installationTokenLifetimeMs;
      if (installationTokenFormat !== undefined) apps.tokenFormat = installationTokenFormat;
      if (jwtLeewaySeconds !== undefined) apps.jwtLeewaySeconds = jwtLeewaySeconds;
    },
    setLatency(ms) { latencyMs = ms; },
    /** false: POST /graphql answers 404 Not Found (a GitHub without GraphQL); REST is unchanged. */
    setGraphql(enabled) { graphqlEnabled = Boolean(enabled); },
    get graphqlEnabled() { return graphqlEnabled; },
    /** The shape of a spent GraphQL budget's refusals: 'RATE_LIMITED' (default) or 'RATE_LIMIT' (2026). */
    setGraphqlRateLimitType(type) { graphqlRateLimitType = checkRateLimitType(type); },
    get graphqlRateLimitType() { return graphqlRateLimitType; },
    get latencyMs() { return latencyMs; },
    addFault(spec) {
      const { method, path, graphql, operation, times = 1, fault, rewrite, rewriteText, rewriteHeaders, ...response } = spec;
      for (const [k, fn] of [['rewrite', rewrite], ['rewriteText', rewriteText], ['rewriteHeaders', rewriteHeaders]]) {
        if (fn !== undefined && typeof fn !== 'function') throw new TypeError(`addFault: ${k} must be a function`);
      }
      if (rewrite || rewriteText || rewriteHeaders) response.rewrite = { body: rewrite, text: rewriteText, headers: rewriteHeaders };
      const onlyRewrite = response.rewrite && response.status === undefined && !response.destroy && !response.delayMs
        && !response.mangle && !response.exhaust && !response.graphqlRateLimited;
      const name = fault ?? (response.destroy ? 'reset' : onlyRewrite ? 'rewrite' : `custom-${response.status ?? 'fault'}`);
      const f = { method, path, graphql, operation, remaining: times, hits: 0, name, response };
      faults.push(f);
      return f;
    },
    /** Remove every scripted fault, stop the random mode and zero faultStats(). */
    clearFaults() {
      faults.length = 0;
      random = null;
      stats = newStats();
    },
    /** Seeded random faults ({ seed, rate, kinds, maxBurst, slowMs, retryAfter, method, path, graphql }); null stops. */
    setRandomFaults(opts) {
      random = opts ? new RandomFaults(opts) : null;
      stats = newStats();
      return random ? { ...random.options } : null;
    },
    /** Faults answered since the last clearFaults()/setRandomFaults(): counts by kind and by log name. */
    faultStats() {
      return {
        ...stats, byKind: { ...stats.byKind }, byFault: { ...stats.byFault },
        drawn: random ? random.drawn.map((d) => ({ ...d })) : [],
      };
    },
    tokenFingerprint,
    close() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

// ---------------------------------------------------------------------------
// CLI: node tests/fake-github/server.js [--port N] [--host H] [--seed S] [--prs N]
//      [--now ISO|ms] [--owner O] [--name R] [--latency-ms N] [--token T]...
//      [--special JSON] [--no-renames] [--no-graphql] [--random-faults JSON]

function parseArgs(argv) {
  const o = { tokens: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    const int = (s) => {
      if (!/^-?\d+$/.test(s)) throw new Error(`${a}: not an integer: ${s}`);
      return Number(s);
    };
    switch (a) {
      case '--port': o.port = int(v()); break;
      case '--host': o.host = v(); break;
      case '--seed': o.seed = int(v()); break;
      case '--prs': o.prs = int(v()); break;
      case '--latency-ms': o.latencyMs = int(v()); break;
      case '--token': o.tokens.push(v()); break;
      case '--owner': o.owner = v(); break;
      case '--name': o.name = v(); break;
      case '--special': o.special = JSON.parse(v()); break;
      case '--no-renames': o.renames = false; break;
      case '--no-graphql': o.graphql = false; break;
      case '--random-faults': o.randomFaults = JSON.parse(v()); break;
      case '--now': {
        const s = v();
        o.now = /^\d+$/.test(s) ? Number(s) : Date.parse(s);
        if (Number.isNaN(o.now)) throw new Error(`--now: bad time ${s}`);
        break;
      }
      case '-h': case '--help':
        o.help = true;
        break;
      default: throw new Error(`unknown option ${a}`);
    }
  }
  return o;
}

async function main() {
  let o;
  try {
    o = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`fake-github: ${e.message}\n`);
    process.exit(2);
  }
  if (o.help) {
    process.stdout.write('usage: node server.js [--port N] [--host H] [--seed S] [--prs N] [--now ISO|ms] [--owner O] [--name R] [--latency-ms N] [--token T]... [--special JSON] [--no-renames] [--no-graphql] [--random-faults JSON]\n');
    return;
  }
  const scenario = generateScenario({
    seed: o.seed, prs: o.prs, now: o.now, owner: o.owner, name: o.name, special: o.special, renames: o.renames,
  });
  const gh = await startFakeGitHub({
    port: o.port ?? 0, host: o.host, scenario, latencyMs: o.latencyMs,
    tokens: o.tokens.length ? o.tokens : undefined, graphql: o.graphql,
  });
  if (o.randomFaults) gh.setRandomFaults(o.randomFaults);
  process.stdout.write(`listening ${gh.url}\n`);
  const stop = () => gh.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  main();
}
