// Lookup tables over one scenario, shared by the REST and GraphQL sides.
//
// buildIndex(scn) is pure: it reads the scenario and never changes it. The server
// caches one index per scenario object and rebuilds it on setScenario(), so a
// test that edits a scenario in place must call setScenario() again.
//
// Anything both APIs answer from (commit history, a commit's files, users, node
// ids) is computed here once, so REST and GraphQL cannot drift apart.

import { Buffer } from 'node:buffer';
import { GHOST } from './mutate.js';
import { commitFiles, defaultBranchCommits, fnv1a, nodeId, reviewThreads } from './scenario.js';

/** A user GitHub no longer knows by a scenario record: derive a stable one. */
export function synthUser(login) {
  const id = 300_000_000 + (fnv1a(login) % 1_000_000_000);
  return { id, login, node_id: nodeId('User', id), type: 'User', name: null,
    avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`, html_url: `https://github.com/${login}` };
}

/**
 * Split a legacy global node id (see scenario.js nodeId) into { type, key };
 * null when it is not one.
 */
export function parseNodeId(id) {
  if (typeof id !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(id)) return null;
  const s = Buffer.from(id, 'base64').toString('utf8');
  const m = /^0(\d+):/.exec(s);
  if (!m) return null;
  const rest = s.slice(m[0].length);
  const len = Number(m[1]);
  if (rest.length <= len) return null;
  return { type: rest.slice(0, len), key: rest.slice(len) };
}

/**
 * accounts: users that belong to no scenario (the server's addUser()), for logins
 * the scenario's data may name. Returns
 * {
 *   scn, repo, users: Map<login, user> (incl. the repository owner), user(login) (GitHub's ghost for
 *   'ghost', then `accounts`, then a synthetic one for an unknown login),
 *   pulls: Map<number, pull>, pullList: pull[] (by number),
 *   branch: commit[] (default branch, newest first, each with pull_number),
 *   commits: Map<sha, { commit, pulls: number[], parent: sha|null }>,
 *   mergeOf: Map<sha, pull> (merge commit → its PR),
 *   reviewComments: [{ c, pr }] and issueComments: [{ c, pr }] (repository-wide, by id),
 *   threads(pr): cached reviewThreads(pr),
 *   resolveRef(ref) → sha | null, history(ref) → commit[] newest first | null,
 *   filesOf(sha) → the commit's files, node(type, key) → { kind, … } | null,
 *   empty: true when the repository has no commits at all (generateScenario({ empty: true })),
 * }
 */
export function buildIndex(scn, { accounts = [] } = {}) {
  const repo = scn.repo;
  const users = new Map(scn.users.map((u) => [u.login, u]));
  users.set(repo.owner.login, repo.owner);
  const pullList = [...scn.pulls].sort((a, b) => a.number - b.number);
  const pulls = new Map(pullList.map((p) => [p.number, p]));

  const branch = defaultBranchCommits(scn);
  const commits = new Map();
  const add = (commit, parent, prNumber) => {
    let e = commits.get(commit.sha);
    if (!e) {
      e = { commit, pulls: [], parent };
      commits.set(commit.sha, e);
    }
    if (prNumber != null && !e.pulls.includes(prNumber)) e.pulls.push(prNumber);
  };
  branch.forEach((c, i) => add(c, branch[i + 1]?.sha ?? null, c.pull_number));
  for (const pr of pullList) {
    pr.commits_list.forEach((c, i) => add(c, i === 0 ? pr.base_sha : pr.commits_list[i - 1].sha, pr.number));
  }
  const mergeOf = new Map(pullList.filter((p) => p.merged && p.merge_commit_sha).map((p) => [p.merge_commit_sha, p]));
  const branchPos = new Map(branch.map((c, i) => [c.sha, i]));

  const reviewComments = pullList.flatMap((pr) => pr.review_comments.map((c) => ({ c, pr })))
    .sort((a, b) => a.c.id - b.c.id);
  const issueComments = pullList.flatMap((pr) => pr.issue_comments.map((c) => ({ c, pr })))
    .sort((a, b) => a.c.id - b.c.id);

  const threadCache = new Map();
  const threads = (pr) => {
    if (!threadCache.has(pr.number)) threadCache.set(pr.number, reviewThreads(pr));
    return threadCache.get(pr.number);
  };

  const user = (login) => {
    if (login == null) return null;
    if (login === GHOST.login) return GHOST;
    return users.get(login) ?? accounts.find((u) => u.login === login) ?? synthUser(login);
  };

  /** A full sha, a unique prefix of at least 7 hex digits, a branch name or refs/heads/… → sha. */
  const resolveRef = (ref) => {
    if (typeof ref !== 'string' || ref === '') return null;
    const name = ref.replace(/^refs\/heads\//, '');
    if (name === repo.default_branch) return branch[0]?.sha ?? null;
    if (commits.has(ref)) return ref;
    const head = pullList.find((p) => p.head_ref === name);
    if (head) return head.commits_list.at(-1).sha;
    if (/^[0-9a-f]{7,39}$/.test(ref)) {
      const found = [...commits.keys()].filter((s) => s.startsWith(ref));
      if (found.length === 1) return found[0];
    }
    return null;
  };

  /**
   * The history reachable from a ref, newest first, the commit itself included:
   * on the default branch the branch from there down; on a PR branch the PR's own
   * commits up to it, then the default branch older than the PR's first commit.
   */
  const history = (ref) => {
    const sha = resolveRef(ref);
    if (!sha) return null;
    if (branchPos.has(sha)) return branch.slice(branchPos.get(sha));
    const pr = pullList.find((p) => p.commits_list.some((c) => c.sha === sha));
    if (!pr) return [commits.get(sha).commit];
    let own = [...pr.commits_list].reverse();
    own = own.slice(own.findIndex((c) => c.sha === sha));
    const first = pr.commits_list[0].committed_at;
    return [...own, ...branch.filter((c) => c.committed_at < first)];
  };

  const filesCache = new Map();
  const filesOf = (sha) => {
    const e = commits.get(sha);
    if (!e) return null;
    // Not cached across scenario edits: the index itself is rebuilt on setScenario().
    if (!filesCache.has(sha)) filesCache.set(sha, commitFiles(e.commit, mergeOf.get(sha) ?? null));
    return filesCache.get(sha);
  };

  // Node ids → objects, built on first use.
  let nodeTables = null;
  const tables = () => {
    if (nodeTables) return nodeTables;
    const t = { pull: new Map(), review: new Map(), issueComment: new Map(), reviewComment: new Map(), user: new Map() };
    for (const pr of pullList) {
      t.pull.set(String(pr.id), pr);
      for (const r of pr.reviews) t.review.set(String(r.id), { r, pr });
      for (const c of pr.issue_comments) t.issueComment.set(String(c.id), { c, pr });
      for (const c of pr.review_comments) t.reviewComment.set(String(c.id), { c, pr });
    }
    for (const u of users.values()) t.user.set(`${u.type}:${u.id}`, u);
    nodeTables = t;
    return t;
  };
  /** The object behind a parsed node id ({ type, key }), as { kind, … }, or null. */
  const node = ({ type, key }) => {
    const t = tables();
    switch (type) {
      case 'Repository': return String(repo.id) === key ? { kind: 'Repository' } : null;
      case 'PullRequest': {
        const pr = t.pull.get(key);
        return pr ? { kind: 'PullRequest', pr } : null;
      }
      case 'PullRequestReviewThread': {
        const m = /^(\d+):(\d+)$/.exec(key);
        const pr = m && t.pull.get(m[1]);
        const thread = pr && threads(pr).find((x) => x.index === Number(m[2]));
        return thread ? { kind: 'PullRequestReviewThread', pr, thread } : null;
      }
      case 'PullRequestReview': {
        const e = t.review.get(key);
        return e ? { kind: 'PullRequestReview', ...e } : null;
      }
      case 'IssueComment': {
        const e = t.issueComment.get(key);
        return e ? { kind: 'IssueComment', ...e } : null;
      }
      case 'PullRequestReviewComment': {
        const e = t.reviewComment.get(key);
        return e ? { kind: 'PullRequestReviewComment', ...e } : null;
      }
      case 'Commit': {
        const m = /^(\d+):([0-9a-f]{40})$/.exec(key);
        return m && Number(m[1]) === repo.id && commits.has(m[2]) ? { kind: 'Commit', sha: m[2] } : null;
      }
      case 'User': case 'Bot': case 'Organization': {
        const u = t.user.get(`${type}:${key}`);
        return u ? { kind: 'Actor', user: u } : null;
      }
      default: return null;
    }
  };

  return {
    scn, repo, users, user, pulls, pullList, branch, commits, mergeOf, reviewComments, issueComments, threads,
    resolveRef, history, filesOf, node, empty: commits.size === 0,
  };
}

/**
 * Filter a history (newest first) the way both APIs do: committed date within
 * [since, until] (ms, either may be undefined; both ends inclusive), and `path`
 * (a file touched by the commit, or a directory above one).
 */
export function filterHistory(idx, list, { since, until, path } = {}) {
  let out = list;
  if (since !== undefined) out = out.filter((c) => Date.parse(c.committed_at) >= since);
  if (until !== undefined) out = out.filter((c) => Date.parse(c.committed_at) <= until);
  if (path) {
    const p = path.replace(/\/+$/, '');
    out = out.filter((c) => (idx.filesOf(c.sha) ?? []).some((f) => f.filename === p || f.filename.startsWith(`${p}/`)));
  }
  return out;
}
