// Accounts and repositories that change under a client that captured them before:
// GET /user/{account_id}, renamed, deleted and reborn accounts, renamed and
// transferred repositories (GitHub's redirects), a second repository under an old
// name, deleted reviews, comments and files, minimised comments. Each change is
// checked in both APIs.

import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { fetchAllPages, getJson, ghHeaders, graphql } from './helpers.js';
import { GHOST } from './mutate.js';
import { findPull, generateScenario, reviewThreads } from './scenario.js';
import { startFakeGitHub } from './server.js';

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
let gh;
let scn;

// Every test starts from a fresh server over a fresh scenario: these tests change them.
beforeEach(async () => {
  scn = generateScenario({ seed: 1, now: NOW, prs: 24 });
  gh = await startFakeGitHub({ scenario: scn });
});
afterEach(() => gh.close());

const R = () => `${gh.url}/repos/${scn.repo.full_name}`;
const PR_Q = `query($o: String!, $r: String!, $n: Int!) { repository(owner: $o, name: $r) { nameWithOwner databaseId
  pullRequest(number: $n) { author { login ... on User { databaseId } } mergedBy { login }
    reviews(first: 100) { nodes { fullDatabaseId author { login } } }
    comments(first: 100) { nodes { fullDatabaseId isMinimized minimizedReason body author { login } } }
    reviewThreads(first: 100) { nodes { comments(first: 100) { nodes { fullDatabaseId isMinimized minimizedReason replyTo { fullDatabaseId } } } } }
    files(first: 100) { totalCount nodes { path } } additions deletions changedFiles } } }`;

async function gqlPull(n, { owner = scn.repo.owner.login, name = scn.repo.name } = {}) {
  const r = await graphql(gh, PR_Q, { o: owner, r: name, n });
  assert.equal(r.status, 200);
  return r.body;
}

/** A human who authored a PR, wrote a review and a conversation comment, and committed. */
function busyHuman() {
  const humans = scn.users.filter((u) => u.type === 'User');
  const score = (login) => scn.pulls.filter((p) => p.user === login).length
    + scn.pulls.filter((p) => p.reviews.some((r) => r.user === login)).length
    + scn.pulls.filter((p) => p.issue_comments.some((c) => c.user === login)).length;
  return [...humans].sort((a, b) => score(b.login) - score(a.login))[0];
}

describe('GET /user/{account_id}', () => {
  it('answers a user, a bot and the repository owner by id; 404 for an unknown id; 10137 is the ghost', async () => {
    for (const u of [scn.users.find((x) => x.type === 'User'), scn.users.find((x) => x.type === 'Bot'), scn.repo.owner]) {
      const r = await getJson(`${gh.url}/user/${u.id}`);
      assert.equal(r.status, 200, u.login);
      assert.deepEqual([r.body.id, r.body.login, r.body.type, r.body.node_id], [u.id, u.login, u.type, u.node_id]);
      assert.deepEqual(r.body, (await getJson(`${gh.url}/users/${encodeURIComponent(u.login)}`)).body, 'same as /users/{login}');
    }
    const none = await getJson(`${gh.url}/user/999999999`);
    assert.equal(none.status, 404);
    assert.equal(none.body.message, 'Not Found');
    assert.equal(gh.log.at(-1).route, 'GET /user/{account_id}');
    const ghost = await getJson(`${gh.url}/user/10137`);
    assert.deepEqual([ghost.body.login, ghost.body.node_id, ghost.body.html_url], ['ghost', 'MDQ6VXNlcjEwMTM3', 'https://github.com/ghost']);
    assert.equal((await getJson(`${gh.url}/users/ghost`)).body.id, 10137);
    assert.equal((await getJson(`${gh.url}/user/not-a-number`)).status, 404);
  });
});

describe('renamed, deleted and reborn accounts', () => {
  it('renameUser: same id, new login in every answer; the old login is 404 in REST and NOT_FOUND in GraphQL', async () => {
    const u = busyHuman();
    const old = u.login;
    const pr = scn.pulls.find((p) => p.user === old);
    const commit = scn.pulls.flatMap((p) => p.commits_list).find((c) => c.author_login === old);
    gh.renameUser(old, 'renamed-person');
    assert.equal((await getJson(`${gh.url}/users/${old}`)).status, 404);
    const now = await getJson(`${gh.url}/users/renamed-person`);
    assert.deepEqual([now.status, now.body.id, now.body.html_url], [200, u.id, 'https://github.com/renamed-person']);
    assert.equal((await getJson(`${gh.url}/user/${u.id}`)).body.login, 'renamed-person');
    const rest = await getJson(`${R()}/pulls/${pr.number}`);
    assert.deepEqual([rest.body.user.login, rest.body.user.id], ['renamed-person', u.id]);
    assert.ok(!JSON.stringify(rest.body).includes(`"${old}"`), 'no answer field carries the old login');
    const g = await gqlPull(pr.number);
    assert.equal(g.data.repository.pullRequest.author.login, 'renamed-person');
    const c = await getJson(`${R()}/commits/${commit.sha}`);
    assert.equal(c.body.author.login, 'renamed-person');
    assert.equal(c.body.commit.author.email, commit.author_email, 'git data does not change');
    const gu = await graphql(gh, 'query($l: String!) { user(login: $l) { login } }', { l: old });
    assert.equal(gu.body.data.user, null);
    assert.equal(gu.body.errors[0].type, 'NOT_FOUND');
    assert.throws(() => gh.renameUser(old, 'x'), /no account/);
    assert.throws(() => gh.renameUser('renamed-person', scn.users.find((x) => x.login !== 'renamed-person').login), /taken/);
  });

  it('deleteUser: REST shows the ghost, GraphQL null; /user/{id} and /users/{login} are 404; commits lose their account', async () => {
    const u = busyHuman();
    const pr = scn.pulls.find((p) => p.user === u.login);
    const reviewed = scn.pulls.find((p) => p.reviews.some((r) => r.user === u.login));
    const commit = scn.pulls.flatMap((p) => p.commits_list).find((c) => c.author_login === u.login);
    gh.deleteUser(u.login);
    assert.equal((await getJson(`${gh.url}/user/${u.id}`)).status, 404);
    assert.equal((await getJson(`${gh.url}/users/${u.login}`)).status, 404);
    const rest = await getJson(`${R()}/pulls/${pr.number}`);
    assert.deepEqual([rest.body.user.login, rest.body.user.id, rest.body.user.node_id], [GHOST.login, 10137, 'MDQ6VXNlcjEwMTM3']);
    assert.equal(rest.body.author_association, 'NONE');
    assert.equal((await gqlPull(pr.number)).data.repository.pullRequest.author, null);
    const reviews = (await getJson(`${R()}/pulls/${reviewed.number}/reviews?per_page=100`)).body;
    const mine = reviews.filter((r) => r.user?.id === 10137);
    assert.ok(mine.length >= 1);
    const gr = (await gqlPull(reviewed.number)).data.repository.pullRequest.reviews.nodes;
    for (const r of mine) assert.equal(gr.find((x) => x.fullDatabaseId === String(r.id)).author, null);
    const c = await getJson(`${R()}/commits/${commit.sha}`);
    assert.ok(c.body.author === null || Object.keys(c.body.author).length === 0, 'an e-mail with no account');
    assert.ok(!scn.users.some((x) => x.login === u.login), 'gone from the scenario');
  });

  it('deleteUser({ rest: null }): REST null instead of the ghost', async () => {
    const u = busyHuman();
    const pr = scn.pulls.find((p) => p.user === u.login);
    gh.deleteUser(u.login, { rest: null });
    assert.equal((await getJson(`${R()}/pulls/${pr.number}`)).body.user, null);
    assert.equal(findPull(scn, pr.number).user, null);
  });

  it('addUser: a new account (new id) under a login a deleted or renamed account freed', async () => {
    const [a, b] = scn.users.filter((u) => u.type === 'User').map((u) => ({ ...u })); // copies: the records change
    gh.deleteUser(a.login);
    const reborn = gh.addUser({ login: a.login, name: 'Someone Else' });
    assert.notEqual(reborn.id, a.id);
    const r = await getJson(`${gh.url}/users/${a.login}`);
    assert.deepEqual([r.body.id, r.body.name], [reborn.id, 'Someone Else']);
    assert.equal((await getJson(`${gh.url}/user/${reborn.id}`)).body.login, a.login);
    assert.equal((await getJson(`${gh.url}/user/${a.id}`)).status, 404);
    gh.renameUser(b.login, `${b.login}-new`);
    const second = gh.addUser({ login: b.login, id: 77_000_001 });
    assert.equal((await getJson(`${gh.url}/users/${b.login}`)).body.id, 77_000_001);
    assert.equal((await getJson(`${gh.url}/user/${b.id}`)).body.login, `${b.login}-new`);
    assert.equal(second.node_id, 'MDQ6VXNlcjc3MDAwMDAx');
    const g = await graphql(gh, 'query($l: String!) { user(login: $l) { login databaseId } }', { l: b.login });
    assert.deepEqual(g.body.data.user, { login: b.login, databaseId: 77_000_001 });
    assert.throws(() => gh.addUser({ login: b.login }), /taken/);
  });
});

describe('renamed and transferred repositories', () => {
  it('renameRepo: the old name answers 301 to /repositories/{id}/… with GitHub\'s body; the id stays', async () => {
    const old = scn.repo.full_name;
    const id = scn.repo.id;
    assert.deepEqual(gh.renameRepo(old, 'sprockets'), { from: old, to: 'acme/sprockets' });
    const res = await fetch(`${gh.url}/repos/${old}/pulls?state=all&per_page=5`, { headers: ghHeaders(), redirect: 'manual' });
    assert.equal(res.status, 301);
    const loc = `${gh.url}/repositories/${id}/pulls?state=all&per_page=5`;
    assert.equal(res.headers.get('location'), loc);
    assert.deepEqual(await res.json(), {
      message: 'Moved Permanently', url: loc,
      documentation_url: 'https://docs.github.com/rest/guides/best-practices-for-using-the-rest-api#follow-redirects',
    });
    assert.ok(Number(res.headers.get('x-ratelimit-used')) >= 1, 'charged like an answer');
    // A client that follows it lands on the repository under its new name.
    const followed = await getJson(`${gh.url}/repos/${old}`);
    assert.deepEqual([followed.status, followed.body.id, followed.body.full_name], [200, id, 'acme/sprockets']);
    const byId = await getJson(`${gh.url}/repositories/${id}`);
    assert.equal(byId.body.full_name, 'acme/sprockets');
    const pulls = await fetchAllPages(`${gh.url}/repos/${old}/pulls?state=all&per_page=10`);
    assert.equal(pulls.items.length, scn.pulls.length);
    assert.ok(pulls.items.every((p) => p.html_url.startsWith('https://github.com/acme/sprockets/pull/')));
    assert.equal((await getJson(`${gh.url}/repos/acme/sprockets/pulls/1`)).body.base.repo.full_name, 'acme/sprockets');
    assert.deepEqual(gh.redirects, { 'acme/widgets': id });
  });

  it('renameRepo: other methods answer 307 (a POST is repeated at the new place)', async () => {
    const old = scn.repo.full_name;
    gh.renameRepo(old, 'sprockets');
    const res = await fetch(`${gh.url}/repos/${old}/actions/workflows/capture.yml/dispatches`, {
      method: 'POST', headers: { ...ghHeaders(), 'content-type': 'application/json' }, body: '{"ref":"main"}', redirect: 'manual',
    });
    assert.equal(res.status, 307);
    assert.equal(res.headers.get('location'), `${gh.url}/repositories/${scn.repo.id}/actions/workflows/capture.yml/dispatches`);
    const followed = await fetch(`${gh.url}/repos/${old}/actions/workflows/capture.yml/dispatches`, {
      method: 'POST', headers: { ...ghHeaders(), 'content-type': 'application/json' }, body: '{"ref":"main"}',
    });
    assert.equal(followed.status, 204);
    assert.equal(gh.dispatches.at(-1).repo, 'acme/sprockets');
  });

  it('GraphQL: repository(owner, name) under the old name is the renamed repository; followRenames: false is NOT_FOUND', async () => {
    gh.renameRepo('acme/widgets', 'sprockets');
    const g = await gqlPull(2, { name: 'widgets' });
    assert.equal(g.data.repository.nameWithOwner, 'acme/sprockets');
    assert.equal(g.data.repository.databaseId, scn.repo.id);
    const strict = await graphql(gh, '{ repository(owner: "acme", name: "widgets", followRenames: false) { id } }');
    assert.deepEqual(strict.body.data, { repository: null });
    assert.equal(strict.body.errors[0].type, 'NOT_FOUND');
    assert.equal(strict.body.errors[0].message, "Could not resolve to a Repository with the name 'acme/widgets'.");
    const now = await graphql(gh, '{ repository(owner: "acme", name: "sprockets", followRenames: false) { name } }');
    assert.equal(now.body.data.repository.name, 'sprockets');
  });

  it('transferRepo: a new owner, same id; the old owner/name redirects; chained moves all redirect', async () => {
    const id = scn.repo.id;
    gh.transferRepo('acme/widgets', 'new-org');
    assert.equal(scn.repo.owner.login, 'new-org');
    assert.equal(scn.repo.owner.type, 'Organization');
    const r = await getJson(`${gh.url}/repos/acme/widgets`);
    assert.deepEqual([r.body.full_name, r.body.owner.login, r.body.id], ['new-org/widgets', 'new-org', id]);
    gh.renameRepo('new-org/widgets', 'cogs');
    for (const old of ['acme/widgets', 'new-org/widgets']) {
      const res = await fetch(`${gh.url}/repos/${old}`, { headers: ghHeaders(), redirect: 'manual' });
      assert.equal(res.status, 301, old);
    }
    const g = await graphql(gh, '{ repository(owner: "acme", name: "widgets") { nameWithOwner owner { login } } }');
    assert.deepEqual(g.body.data.repository, { nameWithOwner: 'new-org/cogs', owner: { login: 'new-org' } });
    // Transfer to a user account the scenario knows: the owner is that user.
    const u = scn.users.find((x) => x.type === 'User');
    gh.transferRepo('new-org/cogs', u.login);
    assert.deepEqual([scn.repo.owner.id, scn.repo.owner.type], [u.id, 'User']);
  });

  it('a second, different repository under the name a renamed one used to have: the name is its, no redirect', async () => {
    const firstId = scn.repo.id;
    gh.renameRepo('acme/widgets', 'sprockets');
    const clash = generateScenario({ seed: 2, now: NOW, prs: 3 });
    assert.throws(() => gh.setScenario(clash), /has the id .*pass generateScenario a repoId/);
    const other = generateScenario({ seed: 2, now: NOW, prs: 3, repoId: 555_000_111, idSlot: 200 });
    gh.setScenario(other);
    const r = await getJson(`${gh.url}/repos/acme/widgets`);
    assert.deepEqual([r.status, r.body.id], [200, 555_000_111]);
    assert.equal((await getJson(`${gh.url}/repos/acme/widgets/pulls?state=all`)).body.length, 3);
    assert.equal((await getJson(`${gh.url}/repositories/${firstId}`)).body.full_name, 'acme/sprockets');
    const g = await graphql(gh, '{ a: repository(owner: "acme", name: "widgets") { databaseId } b: repository(owner: "acme", name: "sprockets") { databaseId } }');
    assert.deepEqual(g.body.data, { a: { databaseId: 555_000_111 }, b: { databaseId: firstId } });
    assert.deepEqual(gh.redirects, {});
  });
});

describe('deleted reviews, comments and files; minimised comments', () => {
  /** What both APIs list for one PR: ids of reviews, comments, review comments; files. */
  async function listed(n) {
    const get = async (p) => (await fetchAllPages(`${R()}${p}?per_page=100`)).items;
    const rest = {
      reviews: (await get(`/pulls/${n}/reviews`)).map((r) => String(r.id)),
      comments: (await get(`/issues/${n}/comments`)).map((c) => String(c.id)),
      reviewComments: (await get(`/pulls/${n}/comments`)).map((c) => String(c.id)).sort(),
      files: (await get(`/pulls/${n}/files`)).map((f) => f.filename),
    };
    const g = (await gqlPull(n)).data.repository.pullRequest;
    const graph = {
      reviews: g.reviews.nodes.map((r) => r.fullDatabaseId),
      comments: g.comments.nodes.map((c) => c.fullDatabaseId),
      reviewComments: g.reviewThreads.nodes.flatMap((t) => t.comments.nodes.map((c) => c.fullDatabaseId)).sort(),
      files: g.files.nodes.map((f) => f.path),
    };
    assert.deepEqual(graph, rest, `#${n}: REST and GraphQL list the same`);
    const pull = (await getJson(`${R()}/pulls/${n}`)).body;
    assert.deepEqual([g.additions, g.deletions, g.changedFiles], [pull.additions, pull.deletions, pull.changed_files]);
    return { ...rest, pull };
  }

  it('capture, delete, capture again: both APIs stop listing a review, a comment, a review comment and a file', async () => {
    const pr = scn.pulls.find((p) => p.reviews.length >= 2 && p.issue_comments.length >= 2 && p.review_comments.length >= 2 && p.files.length >= 2);
    const n = pr.number;
    const before = await listed(n);
    const review = pr.reviews.find((r) => !pr.review_comments.some((c) => c.pull_request_review_id === r.id));
    const comment = pr.issue_comments[0];
    const reviewComment = pr.review_comments.at(-1);
    const file = pr.files[0];
    const updatedAt = pr.updated_at;
    assert.equal(gh.deleteReview(review?.id ?? pr.reviews[0].id).pr.number, n);
    gh.deleteIssueComment(comment.id);
    gh.deleteReviewComment(reviewComment.id);
    assert.equal(gh.deletePullFile(n, file.filename).file.filename, file.filename);
    const afterDelete = await listed(n);
    assert.ok(!afterDelete.reviews.includes(String(review?.id ?? '')));
    assert.ok(!afterDelete.comments.includes(String(comment.id)));
    assert.ok(!afterDelete.reviewComments.includes(String(reviewComment.id)));
    assert.ok(!afterDelete.files.includes(file.filename));
    assert.equal(afterDelete.comments.length, before.comments.length - 1);
    assert.equal(afterDelete.files.length, before.files.length - 1);
    assert.equal(afterDelete.pull.additions, before.pull.additions - file.additions);
    assert.equal(afterDelete.pull.deletions, before.pull.deletions - file.deletions);
    assert.equal(afterDelete.pull.comments, pr.issue_comments.length);
    assert.equal(afterDelete.pull.updated_at, updatedAt, 'updated_at is left alone unless asked');
    // Gone from the repository-wide lists and from node(id:) too.
    const all = (await fetchAllPages(`${R()}/issues/comments?per_page=100`)).items.map((c) => c.id);
    assert.ok(!all.includes(comment.id));
    const node = await graphql(gh, 'query($id: ID!) { node(id: $id) { id } }', { id: comment.node_id });
    assert.equal(node.body.data.node, null);
    assert.equal(node.body.errors[0].type, 'NOT_FOUND');
    // The scenario is GitHub's new state.
    assert.ok(!findPull(scn, n).issue_comments.some((c) => c.id === comment.id));
  });

  it('deleting a review takes its review comments; a thread that lost its first comment is headed by the next', async () => {
    const pr = scn.pulls.find((p) => reviewThreads(p).some((t) => t.comments.length >= 2));
    const thread = reviewThreads(pr).find((t) => t.comments.length >= 2);
    const [head, next] = thread.comments;
    gh.deleteReviewComment(head.id, { touch: '2026-01-15T11:00:00Z' });
    assert.equal(findPull(scn, pr.number).updated_at, '2026-01-15T11:00:00Z');
    const rest = (await getJson(`${R()}/pulls/${pr.number}/comments?per_page=100`)).body;
    const newHead = rest.find((c) => c.id === next.id);
    assert.equal('in_reply_to_id' in newHead, false);
    for (const c of rest.filter((x) => thread.comments.some((t) => t.id === x.id) && x.id !== next.id)) assert.equal(c.in_reply_to_id, next.id);
    const review = pr.reviews.find((r) => pr.review_comments.some((c) => c.pull_request_review_id === r.id));
    const gone = pr.review_comments.filter((c) => c.pull_request_review_id === review.id).map((c) => c.id);
    const out = gh.deleteReview(review.id);
    assert.deepEqual(out.comments.map((c) => c.id), gone);
    const left = (await getJson(`${R()}/pulls/${pr.number}/comments?per_page=100`)).body.map((c) => c.id);
    assert.ok(gone.every((id) => !left.includes(id)));
    await listed(pr.number);
    assert.equal(gh.deleteReview(review.id), null, 'already gone');
  });

  it('minimizeComment: still listed, body unchanged; GraphQL isMinimized/minimizedReason; REST conversation comments carry minimized.reason', async () => {
    const pr = scn.pulls.find((p) => p.issue_comments.length >= 2 && p.review_comments.length >= 1);
    const [c1, c2] = pr.issue_comments;
    const rc = pr.review_comments[0];
    gh.minimizeComment(c1.id, 'OFF_TOPIC');
    gh.minimizeComment(rc.id, 'spam');
    const rest = (await getJson(`${R()}/issues/${pr.number}/comments?per_page=100`)).body;
    assert.deepEqual(rest.find((c) => c.id === c1.id).minimized, { reason: 'off-topic' });
    assert.equal(rest.find((c) => c.id === c1.id).body, c1.body);
    assert.equal(rest.find((c) => c.id === c2.id).minimized, null);
    const g = (await gqlPull(pr.number)).data.repository.pullRequest;
    const gc = g.comments.nodes.find((c) => c.fullDatabaseId === String(c1.id));
    assert.deepEqual([gc.isMinimized, gc.minimizedReason, gc.body], [true, 'off-topic', c1.body]);
    assert.deepEqual(g.comments.nodes.find((c) => c.fullDatabaseId === String(c2.id)).isMinimized, false);
    const grc = g.reviewThreads.nodes.flatMap((t) => t.comments.nodes).find((c) => c.fullDatabaseId === String(rc.id));
    assert.deepEqual([grc.isMinimized, grc.minimizedReason], [true, 'spam']);
    gh.minimizeComment(c1.id, null);
    assert.equal((await getJson(`${R()}/issues/${pr.number}/comments?per_page=100`)).body.find((c) => c.id === c1.id).minimized, null);
    assert.throws(() => gh.minimizeComment(c1.id, 'boring'), /reason must be one of/);
  });
});
