// Changes to a scenario after it was generated, as GitHub's own data changes under
// a client that captured it before: accounts renamed, deleted or reborn under a freed
// login; repositories renamed or transferred; reviews, comments and PR files deleted;
// comments minimised (hidden).
//
// Every function edits the scenario objects in place (they stay plain JSON) and
// returns what it changed; the server (server.js) applies them to every scenario it
// serves and rebuilds its indexes, so REST and GraphQL both answer the new state.
// No I/O, no clock unless a caller asks for `touch: true`.

import { fnv1a, isoSeconds, nodeId } from './scenario.js';

/**
 * GitHub's "ghost": the account REST shows in place of a deleted one (GET
 * /users/ghost, GET /user/10137). GraphQL shows null instead (atlassian/github-for-jira#164,
 * a GitHub staff member: "In the REST API, we return the Ghost User when a user that's an
 * author of a PR deletes their account. In GraphQL we handle this by returning null").
 */
export const GHOST = Object.freeze({
  id: 10137,
  login: 'ghost',
  node_id: nodeId('User', 10137), // MDQ6VXNlcjEwMTM3, GitHub's own
  type: 'User',
  name: 'Deleted user',
  avatar_url: 'https://avatars.githubusercontent.com/u/10137?v=4',
  html_url: 'https://github.com/ghost',
});

/** Minimised-comment reasons, as GraphQL's minimizedReason and REST's minimized.reason spell them. */
export const MINIMIZED_REASONS = ['abuse', 'off-topic', 'outdated', 'resolved', 'duplicate', 'spam', 'low-quality'];

/** 'OFF_TOPIC' (the MinimizeComment mutation's spelling) or 'off-topic' → 'off-topic'. */
export function minimizedReason(reason) {
  const r = String(reason ?? '').toLowerCase().replaceAll('_', '-');
  if (!MINIMIZED_REASONS.includes(r)) throw new TypeError(`minimize: reason must be one of ${MINIMIZED_REASONS.join(', ')}, not ${reason}`);
  return r;
}

/** A new account record (the shape of scenario.users), its id derived from the login unless given. */
export function makeUser({ login, id, name = null, type = 'User' }) {
  if (typeof login !== 'string' || login === '') throw new TypeError('a user needs a login');
  const uid = id ?? 150_000_000 + (fnv1a(`reborn:${login}`) % 1_000_000_000);
  const slug = login.replace(/\[bot\]$/, '');
  return {
    id: uid, login, node_id: nodeId(type, uid), type, name,
    avatar_url: `https://avatars.githubusercontent.com/${type === 'Bot' ? 'in' : 'u'}/${uid}?v=4`,
    html_url: type === 'Bot' ? `https://github.com/apps/${slug}` : `https://github.com/${login}`,
  };
}

/** Every commit record of a scenario (PR commits, merge commits, direct commits). */
function commitsOf(scn) {
  return [
    ...scn.pulls.flatMap((p) => [...p.commits_list, ...(p.merge_commit ? [p.merge_commit] : [])]),
    ...scn.direct_commits,
  ];
}

/** Apply `fn(oldLogin) → newLogin` to every login a scenario's data carries. */
function mapLogins(scn, from, to) {
  const swap = (v) => (v === from ? to : v);
  for (const p of scn.pulls) {
    p.user = swap(p.user);
    p.merged_by = swap(p.merged_by);
    for (const r of p.reviews) r.user = swap(r.user);
    for (const c of p.issue_comments) c.user = swap(c.user);
    for (const c of p.review_comments) c.user = swap(c.user);
  }
}

/**
 * Rename an account: same id, new login. Its records, the PRs, reviews and comments
 * it wrote, the commits linked to it and its forks (`old/name` → `new/name`) all show
 * the new login; the old one names nobody (GET /users/{old} is 404). Git data does not
 * change: the commits keep their author e-mail. Returns the user record, or null when
 * this scenario does not know the login.
 */
export function renameUserIn(scn, oldLogin, newLogin) {
  if (scn.repo.owner.login === oldLogin) throw new TypeError(`renameUser: ${oldLogin} owns ${scn.repo.full_name}; use transferRepo`);
  const u = scn.users.find((x) => x.login === oldLogin);
  mapLogins(scn, oldLogin, newLogin);
  for (const c of commitsOf(scn)) {
    if (c.author_login === oldLogin) c.author_login = newLogin;
    if (c.committer_login === oldLogin) c.committer_login = newLogin;
  }
  for (const p of scn.pulls) {
    if (p.head_repo?.startsWith(`${oldLogin}/`)) p.head_repo = `${newLogin}/${p.head_repo.slice(oldLogin.length + 1)}`;
  }
  if (!u) return null;
  u.login = newLogin;
  u.html_url = u.type === 'Bot' ? u.html_url : `https://github.com/${newLogin}`;
  return u;
}

/**
 * Delete an account. What it wrote stays, attributed to GitHub's ghost in REST
 * (`rest: 'ghost'`, the default: the login 'ghost', which GraphQL shows as null) or to
 * nobody (`rest: null`: REST user null too, as the scenario's built-in deleted-account
 * comment has it); commits linked to it become commits by an e-mail with no account.
 * Returns the removed user record or null.
 */
export function deleteUserIn(scn, login, { rest = 'ghost' } = {}) {
  if (rest !== 'ghost' && rest !== null) throw new TypeError("deleteUser: rest must be 'ghost' or null");
  const i = scn.users.findIndex((x) => x.login === login);
  mapLogins(scn, login, rest);
  for (const c of commitsOf(scn)) {
    if (c.author_login === login) c.author_login = null;
    if (c.committer_login === login) c.committer_login = null;
  }
  return i >= 0 ? scn.users.splice(i, 1)[0] : null;
}

/**
 * Rename a repository (same id, new name) and/or move it to another owner
 * (`owner`: a user record or { login, id?, type? }); the PRs' URLs and the head
 * repository of PRs from the repository itself follow. Returns { from, to } full names.
 */
export function moveRepoIn(scn, { name = scn.repo.name, owner } = {}) {
  const r = scn.repo;
  const from = r.full_name;
  if (owner) {
    const type = owner.type ?? 'Organization';
    const id = owner.id ?? 1_000_000 + (fnv1a(owner.login.toLowerCase()) % 90_000_000);
    r.owner = {
      id, login: owner.login, node_id: nodeId(type, id), type, name: owner.name ?? null,
      avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`, html_url: `https://github.com/${owner.login}`,
    };
  }
  const to = `${r.owner.login}/${name}`;
  r.name = name;
  r.full_name = to;
  r.html_url = `https://github.com/${to}`;
  for (const p of scn.pulls) {
    p.html_url = `https://github.com/${to}/pull/${p.number}`;
    if (p.head_repo === from) p.head_repo = to;
  }
  return { from, to };
}

/** The PR of a scenario holding the record `pred` picks in list `key`, as { pr, index }. */
function findIn(scn, key, pred) {
  for (const pr of scn.pulls) {
    const index = pr[key].findIndex(pred);
    if (index >= 0) return { pr, index };
  }
  return null;
}

/** Bump a PR's updated_at when asked: touch true (now) or an ISO time. */
function touchPull(pr, touch) {
  if (!touch) return;
  pr.updated_at = touch === true ? isoSeconds(Date.now()) : isoSeconds(Date.parse(touch));
}

/**
 * Remove review comments from a PR and keep its threads whole: a thread whose first
 * comment went is headed by its next one (which loses in_reply_to_id; the rest point
 * at it); thread numbers are left as they are (gaps are fine: threads are keyed by them).
 */
function dropReviewComments(pr, ids) {
  pr.review_comments = pr.review_comments.filter((c) => !ids.has(c.id));
  const heads = new Map();
  for (const c of pr.review_comments) {
    if (!heads.has(c.thread)) {
      heads.set(c.thread, c.id);
      delete c.in_reply_to_id;
    } else c.in_reply_to_id = heads.get(c.thread);
  }
}

/** Delete a review and the review comments submitted with it. Returns { pr, review, comments } or null. */
export function deleteReviewIn(scn, reviewId, { touch = false } = {}) {
  const hit = findIn(scn, 'reviews', (r) => r.id === reviewId);
  if (!hit) return null;
  const { pr, index } = hit;
  const [review] = pr.reviews.splice(index, 1);
  const comments = pr.review_comments.filter((c) => c.pull_request_review_id === reviewId);
  dropReviewComments(pr, new Set(comments.map((c) => c.id)));
  touchPull(pr, touch);
  return { pr, review, comments };
}

/** Delete a conversation comment. Returns { pr, comment } or null. */
export function deleteIssueCommentIn(scn, commentId, { touch = false } = {}) {
  const hit = findIn(scn, 'issue_comments', (c) => c.id === commentId);
  if (!hit) return null;
  const [comment] = hit.pr.issue_comments.splice(hit.index, 1);
  touchPull(hit.pr, touch);
  return { pr: hit.pr, comment };
}

/** Delete a review comment (its thread stays whole, see dropReviewComments). Returns { pr, comment } or null. */
export function deleteReviewCommentIn(scn, commentId, { touch = false } = {}) {
  const hit = findIn(scn, 'review_comments', (c) => c.id === commentId);
  if (!hit) return null;
  const comment = hit.pr.review_comments[hit.index];
  dropReviewComments(hit.pr, new Set([commentId]));
  touchPull(hit.pr, touch);
  return { pr: hit.pr, comment };
}

/**
 * Take a file out of a PR's diff (as a force-push that drops the change does): the
 * PR's additions, deletions and changed_files follow. Returns { pr, file } or null.
 */
export function deletePullFileIn(scn, number, filename, { touch = false } = {}) {
  const pr = scn.pulls.find((p) => p.number === Number(number));
  const i = pr ? pr.files.findIndex((f) => f.filename === filename) : -1;
  if (i < 0) return null;
  const [file] = pr.files.splice(i, 1);
  pr.additions -= file.additions;
  pr.deletions -= file.deletions;
  pr.changed_files = pr.files.length;
  touchPull(pr, touch);
  return { pr, file };
}

/**
 * Minimise (hide) a conversation or review comment: still listed, body unchanged,
 * GraphQL isMinimized true and minimizedReason `reason`; REST shows it on
 * conversation comments (`minimized: { reason }`). `reason` null un-minimises.
 * Returns { pr, comment, kind } or null.
 */
export function minimizeCommentIn(scn, commentId, reason) {
  const r = reason === null ? null : minimizedReason(reason);
  for (const kind of ['issue_comments', 'review_comments']) {
    const hit = findIn(scn, kind, (c) => c.id === commentId);
    if (!hit) continue;
    const comment = hit.pr[kind][hit.index];
    if (r === null) delete comment.minimized_reason;
    else comment.minimized_reason = r;
    return { pr: hit.pr, comment, kind };
  }
  return null;
}
