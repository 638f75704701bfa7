// REST answer shapes: scenario data poured into GitHub's OpenAPI examples.
//
// Each function takes a context { base, idx } (the fake's REST base URL and the
// repository index built by server.js) and one scenario record, and returns the
// JSON GitHub would send. Fields the scenario does not model keep the example's
// value; URLs that pointed at api.github.com/octocat/Hello-World are rewritten to
// the fake's base and the scenario's repository. No I/O, no state.

import { createHash } from 'node:crypto';
import { example } from './examples.js';
import { fnv1a, mergeability, nodeId, restUnlinkedUser } from './scenario.js';

const EX_API = 'https://api.github.com';
const EX_REPO = 'octocat/Hello-World';

const sha1 = (s) => createHash('sha1').update(s).digest('hex');
const encPath = (p) => p.split('/').map(encodeURIComponent).join('/');

/** Rewrite leftover example URLs (api.github.com, octocat/Hello-World) in place. */
function rebase(obj, c, full = c.idx.repo.full_name) {
  const fix = (s) => s.replaceAll(`${EX_API}/repos/${EX_REPO}`, `${c.base}/repos/${full}`)
    .replaceAll(`https://github.com/${EX_REPO}`, `https://github.com/${full}`)
    .replaceAll(EX_API, c.base)
    .replaceAll(EX_REPO, full);
  const walk = (v) => {
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        if (typeof v[i] === 'string') v[i] = fix(v[i]);
        else if (v[i] && typeof v[i] === 'object') walk(v[i]);
      }
    } else if (v && typeof v === 'object') {
      for (const k of Object.keys(v)) {
        if (typeof v[k] === 'string') v[k] = fix(v[k]);
        else if (v[k] && typeof v[k] === 'object') walk(v[k]);
      }
    }
  };
  walk(obj);
  return obj;
}

const apiRepo = (c) => `${c.base}/repos/${c.idx.repo.full_name}`;
const webRepo = (c) => `https://github.com/${c.idx.repo.full_name}`;

/** The scenario user for a login (a stable synthetic one if unknown); null for null. */
export function lookupUser(c, login) {
  return c.idx.user(login);
}

/** "simple-user" for a login (or a user record); null for null (a deleted account). */
export function userJson(c, login) {
  const u = login !== null && typeof login === 'object' ? login : lookupUser(c, login);
  if (!u) return null;
  const ex = example('simpleUser');
  const exUser = `${EX_API}/users/octocat`;
  const api = `${c.base}/users/${encodeURIComponent(u.login)}`;
  for (const [k, v] of Object.entries(ex)) {
    if (typeof v === 'string' && v.startsWith(exUser)) ex[k] = api + v.slice(exUser.length);
  }
  return Object.assign(ex, {
    login: u.login, id: u.id, node_id: u.node_id, avatar_url: u.avatar_url, gravatar_id: '',
    html_url: u.html_url, type: u.type, site_admin: false,
  });
}

/** "public-user" (GET /users/{username}). */
export function publicUserJson(c, u) {
  const ex = example('publicUser');
  return Object.assign(ex, userJson(c, u), {
    name: u.name, company: null, blog: '', location: null, email: null, hireable: null,
    bio: null, twitter_username: null, public_repos: 3 + (u.id % 40), public_gists: u.id % 7,
    followers: u.id % 500, following: u.id % 50,
    created_at: '2012-03-04T05:06:07Z', updated_at: '2025-01-02T03:04:05Z',
  });
}

export function authorAssociation(c, login) {
  const u = lookupUser(c, login);
  if (!u || u.type !== 'User' || login === 'ghost') return 'NONE';
  return ['MEMBER', 'CONTRIBUTOR', 'COLLABORATOR'][fnv1a(u.login) % 3];
}

/** "full-repository" (GET /repos/{owner}/{repo}). */
export function repoJson(c) {
  const r = c.idx.repo;
  const ex = example('repository');
  const owner = userJson(c, r.owner.login);
  Object.assign(ex, {
    id: r.id, node_id: r.node_id, name: r.name, full_name: r.full_name, owner,
    private: r.private, html_url: r.html_url, description: r.description, fork: r.fork,
    url: apiRepo(c), homepage: r.homepage, language: r.language,
    forks_count: r.forks_count, forks: r.forks_count,
    stargazers_count: r.stargazers_count, watchers_count: r.watchers_count, watchers: r.watchers_count,
    size: r.size, default_branch: r.default_branch,
    open_issues_count: r.open_issues_count, open_issues: r.open_issues_count,
    is_template: false, topics: [...r.topics],
    has_issues: r.has_issues, has_projects: r.has_projects, has_wiki: r.has_wiki,
    has_pages: r.has_pages, has_downloads: r.has_downloads, has_discussions: r.has_discussions,
    archived: r.archived, disabled: r.disabled, visibility: r.private ? 'private' : 'public',
    pushed_at: r.pushed_at, created_at: r.created_at, updated_at: r.updated_at,
    permissions: { admin: false, maintain: false, push: false, triage: false, pull: true },
    template_repository: null,
    license: r.license ? {
      key: r.license.key, name: r.license.name, spdx_id: r.license.spdx_id,
      url: `${c.base}/licenses/${r.license.key}`, node_id: nodeId('License', r.license.key),
    } : null,
    organization: r.owner.type === 'Organization' ? owner : undefined,
    subscribers_count: r.watchers_count, network_count: r.forks_count,
    ...cloneUrls(r.full_name),
  });
  delete ex.parent; // not a fork
  delete ex.source;
  if (ex.organization === undefined) delete ex.organization;
  return rebase(ex, c);
}

/** Clone URLs of a repository, as GitHub spells them (mirror_url is null). */
function cloneUrls(full) {
  return {
    git_url: `git://github.com/${full}.git`, ssh_url: `git@github.com:${full}.git`,
    clone_url: `https://github.com/${full}.git`, svn_url: `https://github.com/${full}`, mirror_url: null,
  };
}

/** The short "repository" object inside a PR's head/base. */
function repoMini(c, fullName) {
  const ex = example('pull').base.repo;
  const r = c.idx.repo;
  if (fullName === r.full_name) {
    Object.assign(ex, {
      id: r.id, node_id: r.node_id, name: r.name, full_name: r.full_name,
      owner: userJson(c, r.owner.login), private: r.private, html_url: r.html_url,
      description: r.description, fork: false, url: apiRepo(c), homepage: r.homepage,
      language: r.language, forks_count: r.forks_count, stargazers_count: r.stargazers_count,
      watchers_count: r.watchers_count, size: r.size, default_branch: r.default_branch,
      open_issues_count: r.open_issues_count, is_template: false, topics: [...r.topics],
      pushed_at: r.pushed_at, created_at: r.created_at, updated_at: r.updated_at,
      license: r.license ? { key: r.license.key, name: r.license.name, spdx_id: r.license.spdx_id,
        url: `${c.base}/licenses/${r.license.key}`, node_id: nodeId('License', r.license.key) } : null,
      forks: r.forks_count, open_issues: r.open_issues_count, watchers: r.watchers_count,
      ...cloneUrls(r.full_name),
    });
    return rebase(ex, c);
  }
  // A fork: same name under the contributor's account.
  const [login, name] = fullName.split('/');
  const id = r.id + 1 + (fnv1a(fullName) % 100_000);
  return Object.assign(rebase(ex, c, fullName), {
    id, node_id: nodeId('Repository', id), name, full_name: fullName, owner: userJson(c, login),
    fork: true, url: `${c.base}/repos/${fullName}`, html_url: `https://github.com/${fullName}`,
    description: r.description, forks_count: 0, stargazers_count: 0, watchers_count: 0,
    forks: 0, watchers: 0, open_issues_count: 0, open_issues: 0, default_branch: r.default_branch,
    topics: [], ...cloneUrls(fullName),
  });
}

function headSha(pr) {
  return pr.commits_list.length ? pr.commits_list[pr.commits_list.length - 1].sha : pr.base_sha;
}

function pullCommon(c, pr, ex) {
  const n = pr.number;
  const api = apiRepo(c);
  const sha = headSha(pr);
  const headOwner = pr.head_repo ? pr.head_repo.split('/')[0] : pr.user;
  const repoOwner = c.idx.repo.owner.login;
  Object.assign(ex, {
    url: `${api}/pulls/${n}`, id: pr.id, node_id: pr.node_id, html_url: pr.html_url,
    diff_url: `${pr.html_url}.diff`, patch_url: `${pr.html_url}.patch`,
    issue_url: `${api}/issues/${n}`, commits_url: `${api}/pulls/${n}/commits`,
    review_comments_url: `${api}/pulls/${n}/comments`, review_comment_url: `${api}/pulls/comments{/number}`,
    comments_url: `${api}/issues/${n}/comments`, statuses_url: `${api}/statuses/${sha}`,
    number: n, state: pr.state, locked: false, title: pr.title, user: userJson(c, pr.user),
    body: pr.body, labels: [], milestone: null, active_lock_reason: null,
    created_at: pr.created_at, updated_at: pr.updated_at, closed_at: pr.closed_at, merged_at: pr.merged_at,
    merge_commit_sha: pr.merge_commit_sha, assignee: null, assignees: [], requested_reviewers: [],
    requested_teams: [],
    head: {
      label: `${headOwner}:${pr.head_ref}`, ref: pr.head_ref, sha,
      user: userJson(c, headOwner === repoOwner ? repoOwner : headOwner),
      repo: pr.head_repo ? repoMini(c, pr.head_repo) : null,
    },
    base: {
      label: `${repoOwner}:${pr.base_ref}`, ref: pr.base_ref, sha: pr.base_sha,
      user: userJson(c, repoOwner), repo: repoMini(c, c.idx.repo.full_name),
    },
    _links: {
      self: { href: `${api}/pulls/${n}` }, html: { href: pr.html_url },
      issue: { href: `${api}/issues/${n}` }, comments: { href: `${api}/issues/${n}/comments` },
      review_comments: { href: `${api}/pulls/${n}/comments` },
      review_comment: { href: `${api}/pulls/comments{/number}` },
      commits: { href: `${api}/pulls/${n}/commits` }, statuses: { href: `${api}/statuses/${sha}` },
    },
    author_association: authorAssociation(c, pr.user),
    auto_merge: null,
    draft: pr.draft,
  });
  return rebase(ex, c);
}

/** "pull-request-simple" (list endpoints): no counters, no merged/mergeable. */
export function pullSimpleJson(c, pr) {
  return pullCommon(c, pr, example('pullSimple'));
}

/** "pull-request" (GET /pulls/{n}). */
export function pullJson(c, pr) {
  const ex = pullCommon(c, pr, example('pull'));
  const m = mergeability(pr);
  return Object.assign(ex, {
    merged: pr.merged,
    mergeable: m.mergeable,
    // Rebasing needs what merging needs: null while unknown, false on a conflict.
    rebaseable: m.mergeable === null ? null : m.mergeable && m.mergeable_state !== 'dirty',
    mergeable_state: m.mergeable_state,
    merged_by: pr.merged_by ? userJson(c, pr.merged_by) : null,
    comments: pr.issue_comments.length,
    review_comments: pr.review_comments.length,
    maintainer_can_modify: false,
    commits: pr.commits,
    additions: pr.additions,
    deletions: pr.deletions,
    changed_files: pr.changed_files,
  });
}

/** "diff-entry" (GET /pulls/{n}/files). */
export function fileJson(c, pr, f) {
  return diffEntryJson(c, headSha(pr), `${pr.id}:${f.filename}`, f);
}

/** "diff-entry" of a file at commit `ref`; `blobKey` seeds its blob sha. */
function diffEntryJson(c, ref, blobKey, f) {
  const ex = example('file');
  const web = webRepo(c);
  const p = encPath(f.filename);
  Object.assign(ex, {
    sha: sha1(blobKey),
    filename: f.filename,
    status: f.status,
    additions: f.additions,
    deletions: f.deletions,
    changes: f.changes,
    blob_url: `${web}/blob/${ref}/${p}`,
    raw_url: `${web}/raw/${ref}/${p}`,
    contents_url: `${apiRepo(c)}/contents/${p}?ref=${ref}`,
  });
  if (f.changes > 0) {
    const minus = Array.from({ length: Math.min(f.deletions, 3) }, (_, i) => `-old line ${i + 1}`);
    const plus = Array.from({ length: Math.min(f.additions, 3) }, (_, i) => `+new line ${i + 1}`);
    ex.patch = `@@ -1,${f.deletions} +1,${f.additions} @@\n${[...minus, ...plus].join('\n')}`;
  } else delete ex.patch;
  if (f.previous_filename !== undefined) ex.previous_filename = f.previous_filename;
  return ex;
}

/** "pull-request-review". A PENDING review has no submitted_at key at all. */
export function reviewJson(c, pr, r) {
  const ex = example('review');
  const api = apiRepo(c);
  const html = `${webRepo(c)}/pull/${pr.number}#pullrequestreview-${r.id}`;
  Object.assign(ex, {
    id: r.id, node_id: r.node_id, user: userJson(c, r.user), body: r.body, state: r.state,
    html_url: html, pull_request_url: `${api}/pulls/${pr.number}`,
    _links: { html: { href: html }, pull_request: { href: `${api}/pulls/${pr.number}` } },
    submitted_at: r.submitted_at, commit_id: r.commit_id,
    author_association: authorAssociation(c, r.user),
  });
  if (r.submitted_at == null) delete ex.submitted_at;
  return rebase(ex, c);
}

/** "issue-comment" (conversation comment on a PR). */
export function issueCommentJson(c, pr, cm) {
  const ex = example('issueComment');
  const api = apiRepo(c);
  Object.assign(ex, {
    id: cm.id, node_id: cm.node_id, url: `${api}/issues/comments/${cm.id}`,
    html_url: `${webRepo(c)}/pull/${pr.number}#issuecomment-${cm.id}`,
    body: cm.body, user: userJson(c, cm.user), created_at: cm.created_at, updated_at: cm.updated_at,
    issue_url: `${api}/issues/${pr.number}`, author_association: authorAssociation(c, cm.user),
    // A minimised (hidden) comment: { reason } (mutate.js minimizeCommentIn); null otherwise.
    minimized: cm.minimized_reason ? { reason: cm.minimized_reason } : null,
  });
  return rebase(ex, c);
}

/** "pull-request-review-comment". Thread heads have no in_reply_to_id key. */
export function reviewCommentJson(c, pr, cm) {
  const ex = example('reviewComment');
  const api = apiRepo(c);
  const html = `${webRepo(c)}/pull/${pr.number}#discussion_r${cm.id}`;
  Object.assign(ex, {
    url: `${api}/pulls/comments/${cm.id}`, pull_request_review_id: cm.pull_request_review_id,
    id: cm.id, node_id: cm.node_id, diff_hunk: cm.diff_hunk, path: cm.path,
    position: cm.position, original_position: cm.original_position,
    commit_id: cm.commit_id, original_commit_id: cm.original_commit_id,
    in_reply_to_id: cm.in_reply_to_id,
    user: userJson(c, cm.user), body: cm.body, created_at: cm.created_at, updated_at: cm.updated_at,
    html_url: html, pull_request_url: `${api}/pulls/${pr.number}`,
    author_association: authorAssociation(c, cm.user),
    _links: { self: { href: `${api}/pulls/comments/${cm.id}` }, html: { href: html },
      pull_request: { href: `${api}/pulls/${pr.number}` } },
    start_line: null, original_start_line: null, start_side: null,
    line: cm.position == null ? null : cm.original_position, original_line: cm.original_position,
    side: 'RIGHT',
  });
  if (cm.in_reply_to_id === undefined) delete ex.in_reply_to_id;
  return rebase(ex, c);
}

/**
 * "commit" (GET /commits/{ref}): the list shape plus `stats` and one page of
 * `files` (the caller slices them; GitHub pages them 300 at a time).
 */
export function commitDetailJson(c, cm, parentSha, files) {
  const ex = commitJson(c, cm, parentSha, 'commitDetail');
  ex.stats = { total: cm.additions + cm.deletions, additions: cm.additions, deletions: cm.deletions };
  ex.files = files.map((f) => diffEntryJson(c, cm.sha, `${cm.sha}:${f.filename}`, f));
  return ex;
}

/** "commit" (list endpoints: no stats, no files). parentSha may be null for a root commit. */
export function commitJson(c, cm, parentSha, exampleName = 'commit') {
  const ex = example(exampleName);
  const api = apiRepo(c);
  const web = webRepo(c);
  Object.assign(ex, {
    url: `${api}/commits/${cm.sha}`, sha: cm.sha, node_id: nodeId('Commit', `${c.idx.repo.id}:${cm.sha}`),
    html_url: `${web}/commit/${cm.sha}`, comments_url: `${api}/commits/${cm.sha}/comments`,
    // An e-mail with no GitHub account: `{}` or null (scenario.js restUnlinkedUser).
    author: cm.author_login == null ? restUnlinkedUser(cm.sha) : userJson(c, cm.author_login),
    committer: cm.committer_login == null ? restUnlinkedUser(cm.sha) : userJson(c, cm.committer_login),
    parents: parentSha ? [{ url: `${api}/commits/${parentSha}`, sha: parentSha, html_url: `${web}/commit/${parentSha}` }] : [],
  });
  const tree = sha1(`tree:${cm.sha}`);
  Object.assign(ex.commit, {
    url: `${api}/git/commits/${cm.sha}`,
    author: { name: cm.author_name, email: cm.author_email, date: cm.authored_at },
    committer: { name: cm.committer_name ?? cm.author_name, email: cm.committer_email ?? cm.author_email, date: cm.committed_at },
    message: cm.message,
    tree: { url: `${api}/git/trees/${tree}`, sha: tree },
    comment_count: 0,
  });
  return rebase(ex, c);
}

/** "workflow-run" for a recorded dispatch. */
export function workflowRunJson(c, run) {
  const ex = example('workflowRun');
  const api = apiRepo(c);
  const web = webRepo(c);
  Object.assign(ex, {
    id: run.id, name: run.name, node_id: nodeId('WorkflowRun', run.id),
    check_suite_id: run.id + 7, check_suite_node_id: nodeId('CheckSuite', run.id + 7),
    head_branch: run.head_branch ?? run.ref, head_sha: run.head_sha,
    path: `.github/workflows/${run.workflow_file}@refs/heads/${run.head_branch ?? run.ref}`,
    run_number: run.run_number, event: run.event ?? 'workflow_dispatch', display_title: run.display_title ?? run.name,
    status: run.status, conclusion: run.conclusion, workflow_id: run.workflow_id,
    url: `${api}/actions/runs/${run.id}`, html_url: `${web}/actions/runs/${run.id}`,
    pull_requests: [], created_at: run.created_at, updated_at: run.updated_at,
    actor: userJson(c, run.actor), triggering_actor: userJson(c, run.actor),
    run_attempt: 1, referenced_workflows: [], run_started_at: run.run_started_at ?? run.created_at,
    jobs_url: `${api}/actions/runs/${run.id}/jobs`, logs_url: `${api}/actions/runs/${run.id}/logs`,
    check_suite_url: `${api}/check-suites/${run.id + 7}`, artifacts_url: `${api}/actions/runs/${run.id}/artifacts`,
    cancel_url: `${api}/actions/runs/${run.id}/cancel`, rerun_url: `${api}/actions/runs/${run.id}/rerun`,
    previous_attempt_url: null, workflow_url: `${api}/actions/workflows/${run.workflow_id}`,
  });
  ex.head_commit = { ...ex.head_commit, id: run.head_sha, tree_id: sha1(`tree:${run.head_sha}`), timestamp: run.created_at };
  ex.repository = rebase(ex.repository, c);
  ex.head_repository = repoMini(c, c.idx.repo.full_name);
  return rebase(ex, c);
}

/** The answer to POST …/dispatches with return_run_details: true. */
export function dispatchJson(c, run) {
  const ex = example('dispatch');
  return Object.assign(ex, {
    workflow_run_id: run.id,
    run_url: `${apiRepo(c)}/actions/runs/${run.id}`,
    html_url: `${webRepo(c)}/actions/runs/${run.id}`,
  });
}

/** GET /rate_limit from per-resource states { limit, used, remaining, reset }. */
export function rateLimitJson(states) {
  const ex = example('rateLimit');
  for (const [name, st] of Object.entries(states)) {
    ex.resources[name] = { limit: st.limit, used: st.used, remaining: st.remaining, reset: st.reset };
  }
  ex.rate = { ...ex.resources.core };
  return ex;
}

// ---------------------------------------------------------------------------
// GitHub Apps (apps.js): the app, its installations, an installation token.

const APP_TIME = '2025-03-04T05:06:07Z';

/** The account an installation or app belongs to, as "simple-user" (an unknown login: an organisation). */
function accountJson(c, login, findAccount) {
  const u = findAccount(login) ?? { login, id: 1_000_000 + (fnv1a(String(login).toLowerCase()) % 90_000_000), type: 'Organization' };
  const full = { node_id: nodeId(u.type, u.id), avatar_url: `https://avatars.githubusercontent.com/u/${u.id}?v=4`,
    html_url: `https://github.com/${u.login}`, ...u };
  return userJson(c, full);
}

/** "integration" (GET /app). */
export function integrationJson(c, app, findAccount) {
  const ex = example('integration');
  const owner = app.owner ?? app.installations[0]?.account ?? 'octocat';
  const permissions = {};
  for (const i of app.installations) Object.assign(permissions, i.permissions);
  return Object.assign(ex, {
    id: app.appId, slug: app.slug, client_id: app.clientId, node_id: nodeId('Integration', app.appId),
    owner: accountJson(c, owner, findAccount), name: app.name, description: '', external_url: 'https://example.com',
    html_url: `https://github.com/apps/${app.slug}`, created_at: APP_TIME, updated_at: APP_TIME,
    permissions, events: [], installations_count: app.installations.length,
  });
}

/** "installation" (GET /repos/{o}/{r}/installation) or, with { base: true }, the base form (GET /app/installations/{id}). */
export function installationJson(c, app, inst, findAccount, { base = false } = {}) {
  const ex = example(base ? 'baseInstallation' : 'installation');
  const account = accountJson(c, inst.account, findAccount);
  const settings = account.type === 'Organization'
    ? `https://github.com/organizations/${account.login}/settings/installations/${inst.id}`
    : `https://github.com/settings/installations/${inst.id}`;
  Object.assign(ex, {
    id: inst.id, account, repository_selection: inst.repositories === 'all' ? 'all' : 'selected',
    access_tokens_url: `${c.base}/app/installations/${inst.id}/access_tokens`, repositories_url: `${c.base}/installation/repositories`,
    html_url: settings, app_id: app.appId, client_id: app.clientId, target_id: account.id, target_type: account.type,
    permissions: { ...inst.permissions }, events: [], created_at: APP_TIME, updated_at: APP_TIME,
    single_file_name: null, has_multiple_single_files: false, single_file_paths: [], app_slug: app.slug,
    suspended_at: null, suspended_by: null,
  });
  return ex;
}

/** "repository" (the items of an installation token's `repositories`). */
function repositoryItemJson(c) {
  const r = c.idx.repo;
  const ex = example('installationToken').repositories[0];
  Object.assign(ex, {
    id: r.id, node_id: r.node_id, name: r.name, full_name: r.full_name, owner: userJson(c, r.owner.login),
    private: r.private, html_url: r.html_url, description: r.description, fork: false, url: apiRepo(c),
    homepage: r.homepage, language: r.language, forks_count: r.forks_count, stargazers_count: r.stargazers_count,
    watchers_count: r.watchers_count, size: r.size, default_branch: r.default_branch, open_issues_count: r.open_issues_count,
    is_template: false, topics: [...r.topics], visibility: r.private ? 'private' : 'public', archived: r.archived,
    disabled: r.disabled, pushed_at: r.pushed_at, created_at: r.created_at, updated_at: r.updated_at,
    forks: r.forks_count, open_issues: r.open_issues_count, watchers: r.watchers_count, temp_clone_token: null,
    template_repository: null, mirror_url: null, ...cloneUrls(r.full_name),
  });
  return rebase(ex, c);
}

/**
 * "installation-token" (POST /app/installations/{id}/access_tokens): token, expires_at,
 * permissions, repository_selection, and `repositories` when the token is limited to
 * some (ctxOf(repo) gives the context of each).
 */
export function installationTokenJson(minted, ctxOf) {
  const e = minted.entry;
  const out = { token: minted.token, expires_at: minted.expires_at, permissions: { ...e.permissions }, repository_selection: e.repositorySelection };
  if (e.selected || e.installation.repositories !== 'all') {
    const list = e.selected ?? [...(e.repoIds ?? [])].map((id) => ({ id }));
    out.repositories = list.map((r) => repositoryItemJson(ctxOf(r)));
  }
  return out;
}
