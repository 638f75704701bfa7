// REST and GraphQL answers for the same scenario object must agree on every value
// the capture client stores, so that its GraphQL path writes the same rows as its
// REST path. For every PR of a few scenarios (bots, a deleted account, forks,
// drafts, merged PRs, renames, huge PRs, a review thread of over 100 comments) the
// PR, its actors, files, reviews, conversation comments and review comments are
// fetched both ways (every page of every connection, thread comments paged through
// node(id:) as the client does) and compared; then the default branch's commits
// (GraphQL Commit.history vs REST /commits, /commits/{sha}, /commits/{sha}/pulls)
// and the users (GraphQL actors vs REST /users/{login}).
//
// Differences that are GitHub's own, and kept (each is asserted below):
// * a bot's GraphQL login has no "[bot]" suffix;
// * an empty PR description is "" in GraphQL and null in REST;
// * User.databaseId is an Int: ids ≥ 2^31 are null plus an error in GraphQL;
// * a PENDING review has no submitted_at key in REST (submittedAt null in GraphQL);
// * GitActor.date carries the author's UTC offset, REST's commit dates are UTC (same instant);
// * GitActor.user is a User: a commit by a bot has REST author {type:'Bot'} but GraphQL user null;
// * a commit e-mail with no GitHub account: REST author/committer `{}` or null (GitHub's
//   description allows both and GitHub sends both), GraphQL GitActor.user null;
// * GraphQL files have no previous_filename.
// Mergeability is the same in both (REST mergeable null ⇔ GraphQL UNKNOWN).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fetchAllPages, getJson, ghHeaders, graphql, parseLinkHeader } from './helpers.js';
import {
  defaultBranchCommits, findPull, generateScenario, graphqlLogin, restUnlinkedUser, reviewThreads, wellFormed,
} from './scenario.js';
import { startFakeGitHub } from './server.js';

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const INT_MAX = 2 ** 31 - 1;

const SCENARIOS = [
  // The standard mix: hostile text, a 256-character title, closed-unmerged, draft,
  // a dependabot PR, a PENDING review, a fork, a deleted fork, a deleted account.
  generateScenario({ seed: 1, now: NOW, prs: 24, name: 'widgets' }),
  // Big PRs: every connection needs several pages; #3 is merged (its merge commit
  // has 700 files: three REST pages of 300); #7 has a thread of over 100 comments.
  generateScenario({
    seed: 5, now: NOW, prs: 10, name: 'gadgets', users: 20,
    special: [
      { number: 3, files: 700, reviews: 150, issueComments: 250, reviewThreads: 120, reviewComments: 400, state: 'merged' },
      { number: 7, reviewThreads: 2, reviewComments: 230, state: 'open' },
      { number: 8, author: 'github-actions[bot]', state: 'merged', files: 3 },
    ],
  }),
  // The efficiency benchmark's kind of repository: no renamed or copied file anywhere;
  // and unpaired surrogates in a title, bodies, comments and a commit message.
  generateScenario({ seed: 9, now: NOW, prs: 30, name: 'plain', renames: false, maxFiles: 40, maxReviewComments: 12, loneSurrogates: true }),
];

let gh;
before(async () => {
  gh = await startFakeGitHub({ scenarios: SCENARIOS });
});
after(() => gh.close());

// ---------------------------------------------------------------------------
// Fetching

const ACTOR = '__typename login avatarUrl url ... on User { databaseId } ... on Bot { databaseId } ... on Organization { databaseId }';
const RC = `fullDatabaseId body createdAt updatedAt path position originalPosition diffHunk
  commit { oid } originalCommit { oid } replyTo { fullDatabaseId } pullRequestReview { fullDatabaseId } author { ${ACTOR} }`;

/**
 * GraphQL answers may only carry the errors GitHub gives for User.databaseId
 * beyond an Int; returns the paths of those.
 */
function intErrors(body) {
  const paths = [];
  for (const e of body.errors ?? []) {
    assert.equal(e.path?.at(-1), 'databaseId', JSON.stringify(e));
    assert.match(e.message, /Int cannot represent non 32-bit signed integer value/);
    paths.push(e.path.join('.'));
  }
  return paths;
}

async function gq(query, variables) {
  const r = await graphql(gh, query, variables);
  assert.equal(r.status, 200);
  intErrors(r.body);
  assert.ok(r.body.data, JSON.stringify(r.body.errors));
  return r.body.data;
}

/** Every node of one PR connection, page by page. */
async function prConnection(scn, n, field, selection) {
  const q = `query($o: String!, $r: String!, $n: Int!, $after: String) { repository(owner: $o, name: $r) {
    pullRequest(number: $n) { ${field}(first: 100, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { ${selection} } } } } }`;
  const out = [];
  let after = null;
  let total = null;
  do {
    const d = await gq(q, { o: scn.repo.owner.login, r: scn.repo.name, n, after });
    const c = d.repository.pullRequest[field];
    total ??= c.totalCount;
    out.push(...c.nodes);
    after = c.pageInfo.hasNextPage ? c.pageInfo.endCursor : null;
  } while (after);
  assert.equal(out.length, total, `${field} of #${n}: totalCount`);
  return out;
}

/** A PR the way the client reads it over GraphQL. */
async function graphqlPull(scn, n) {
  const d = await gq(`query($o: String!, $r: String!, $n: Int!) { repository(owner: $o, name: $r) { pullRequest(number: $n) {
    number fullDatabaseId title body state isDraft merged mergedAt createdAt updatedAt closedAt
    additions deletions changedFiles commits { totalCount } baseRefName headRefName url mergeable mergeStateStatus
    author { ${ACTOR} } mergedBy { ${ACTOR} } } } }`, { o: scn.repo.owner.login, r: scn.repo.name, n });
  const pr = d.repository.pullRequest;
  pr.files = await prConnection(scn, n, 'files', 'path additions deletions changeType');
  pr.reviews = await prConnection(scn, n, 'reviews', `fullDatabaseId state body submittedAt commit { oid } author { ${ACTOR} }`);
  pr.comments = await prConnection(scn, n, 'comments', `fullDatabaseId body createdAt updatedAt author { ${ACTOR} }`);
  // Review comments through the threads; a thread with more than 100 comments is
  // paged on by its node id, as the client does.
  const threads = await prConnection(scn, n, 'reviewThreads',
    `id comments(first: 100) { pageInfo { hasNextPage endCursor } nodes { ${RC} } }`);
  pr.reviewComments = [];
  pr.threadSizes = [];
  pr.pagedThreads = 0;
  for (const t of threads) {
    const list = [...t.comments.nodes];
    let after = t.comments.pageInfo.hasNextPage ? t.comments.pageInfo.endCursor : null;
    if (after) pr.pagedThreads++;
    while (after) {
      const page = await gq(`query($id: ID!, $c: String) { node(id: $id) { __typename
        ... on PullRequestReviewThread { comments(first: 100, after: $c) { pageInfo { hasNextPage endCursor } nodes { ${RC} } } } } }`,
      { id: t.id, c: after });
      assert.equal(page.node.__typename, 'PullRequestReviewThread');
      list.push(...page.node.comments.nodes);
      after = page.node.comments.pageInfo.hasNextPage ? page.node.comments.pageInfo.endCursor : null;
    }
    pr.threadSizes.push(list.length);
    pr.reviewComments.push(...list);
  }
  return pr;
}

/** The same PR over REST. */
async function restPull(scn, n) {
  const R = `${gh.url}/repos/${scn.repo.full_name}`;
  const pull = await getJson(`${R}/pulls/${n}`);
  assert.equal(pull.status, 200);
  const all = async (path) => (await fetchAllPages(`${R}${path}${path.includes('?') ? '&' : '?'}per_page=100`)).items;
  return {
    pull: pull.body,
    files: await all(`/pulls/${n}/files`),
    reviews: await all(`/pulls/${n}/reviews`),
    comments: await all(`/issues/${n}/comments`),
    reviewComments: await all(`/pulls/${n}/comments`),
  };
}

// ---------------------------------------------------------------------------
// Comparing

const CHANGE_TYPE = { added: 'ADDED', removed: 'DELETED', modified: 'MODIFIED', renamed: 'RENAMED', copied: 'COPIED', changed: 'CHANGED' };

/** `state:mergeable_state` pairs met over REST, for the coverage check. */
const mergeStatesSeen = new Set();

/** Every actor pair met, for the /users/{login} check. */
const actorsSeen = new Map();

function sameActor(rest, g, what) {
  if (rest === null) {
    assert.equal(g, null, `${what}: REST user null ⇔ GraphQL author null`);
    return;
  }
  assert.ok(g, `${what}: GraphQL author present`);
  assert.equal(g.login, graphqlLogin(rest.login), `${what}: login`);
  if (rest.type === 'Bot') assert.equal(rest.login, `${g.login}[bot]`, `${what}: REST bot login has [bot]`);
  assert.equal(g.__typename, rest.type, `${what}: __typename ↔ type`);
  assert.equal(g.avatarUrl, rest.avatar_url, `${what}: avatarUrl`);
  assert.equal(g.url, rest.html_url, `${what}: url ↔ html_url`);
  if (rest.type === 'Bot') assert.match(g.url, /^https:\/\/github\.com\/apps\/[^/[\]]+$/);
  assert.equal(g.databaseId, rest.id <= INT_MAX ? rest.id : null, `${what}: databaseId ↔ id`);
  actorsSeen.set(rest.login, { rest, g });
}

function comparePull(scn, n, rest, g) {
  const p = rest.pull;
  const what = `${scn.repo.name}#${n}`;
  assert.equal(g.number, p.number);
  assert.equal(g.fullDatabaseId, String(p.id), `${what}: fullDatabaseId`);
  assert.equal(g.title, p.title);
  assert.equal(g.body, p.body ?? '', `${what}: body ("" in GraphQL for REST null)`);
  assert.equal(g.state, p.merged ? 'MERGED' : p.state.toUpperCase(), `${what}: state`);
  assert.equal(g.isDraft, p.draft);
  assert.equal(g.merged, p.merged);
  for (const [gk, rk] of [['mergedAt', 'merged_at'], ['createdAt', 'created_at'], ['updatedAt', 'updated_at'], ['closedAt', 'closed_at']]) {
    assert.equal(g[gk], p[rk], `${what}: ${gk}`);
  }
  assert.equal(g.additions, p.additions);
  assert.equal(g.deletions, p.deletions);
  assert.equal(g.changedFiles, p.changed_files);
  assert.equal(g.commits.totalCount, p.commits);
  assert.equal(g.baseRefName, p.base.ref);
  assert.equal(g.headRefName, p.head.ref);
  assert.equal(g.url, p.html_url);
  // Mergeability: REST null ⇔ UNKNOWN, false ⇔ CONFLICTING, true ⇔ MERGEABLE; the state is the same word.
  assert.equal(g.mergeable, p.mergeable === null ? 'UNKNOWN' : p.mergeable ? 'MERGEABLE' : 'CONFLICTING', `${what}: mergeable`);
  assert.equal(g.mergeStateStatus, p.mergeable_state.toUpperCase(), `${what}: mergeStateStatus`);
  assert.equal(p.rebaseable, p.mergeable === null ? null : p.mergeable_state !== 'dirty', `${what}: rebaseable`);
  mergeStatesSeen.add(`${p.state === 'open' ? 'open' : p.merged ? 'merged' : 'closed'}:${p.mergeable_state}`);
  assert.equal(p.diff_url, `${p.html_url}.diff`);
  assert.equal(p.patch_url, `${p.html_url}.patch`);
  assert.equal(p.html_url, `https://github.com/${scn.repo.full_name}/pull/${n}`);
  sameActor(p.user, g.author, `${what} author`);
  sameActor(p.merged_by, g.mergedBy, `${what} mergedBy`);

  // Files, in the same order.
  assert.equal(g.files.length, rest.files.length, `${what}: file count`);
  rest.files.forEach((f, i) => {
    const gf = g.files[i];
    assert.notEqual(f.status, 'unchanged', 'GitHub lists no unchanged file in a PR');
    assert.deepEqual([gf.path, gf.additions, gf.deletions, gf.changeType],
      [f.filename, f.additions, f.deletions, CHANGE_TYPE[f.status]], `${what}: file ${i}`);
  });

  // Reviews, in the same order.
  assert.equal(g.reviews.length, rest.reviews.length, `${what}: review count`);
  rest.reviews.forEach((r, i) => {
    const gr = g.reviews[i];
    assert.equal(gr.fullDatabaseId, String(r.id));
    assert.equal(gr.state, r.state);
    assert.equal(gr.body, r.body);
    assert.equal(gr.submittedAt, r.submitted_at ?? null, `${what}: review ${r.id} submittedAt`);
    if (r.state === 'PENDING') assert.equal('submitted_at' in r, false);
    assert.equal(gr.commit.oid, r.commit_id);
    sameActor(r.user, gr.author, `${what} review ${r.id}`);
  });

  // Conversation comments, in the same order.
  assert.equal(g.comments.length, rest.comments.length, `${what}: comment count`);
  rest.comments.forEach((c, i) => {
    const gc = g.comments[i];
    assert.deepEqual([gc.fullDatabaseId, gc.body, gc.createdAt, gc.updatedAt], [String(c.id), c.body, c.created_at, c.updated_at]);
    sameActor(c.user, gc.author, `${what} comment ${c.id}`);
  });

  // Review comments: REST lists them by id, GraphQL by thread; compare by id.
  assert.equal(g.reviewComments.length, rest.reviewComments.length, `${what}: review comment count`);
  const byId = new Map(g.reviewComments.map((c) => [c.fullDatabaseId, c]));
  assert.equal(byId.size, g.reviewComments.length, 'no review comment twice');
  for (const c of rest.reviewComments) {
    const gc = byId.get(String(c.id));
    assert.ok(gc, `${what}: review comment ${c.id} in GraphQL`);
    assert.deepEqual(
      [gc.body, gc.createdAt, gc.updatedAt, gc.path, gc.position, gc.originalPosition, gc.diffHunk,
        gc.commit.oid, gc.originalCommit.oid, gc.replyTo?.fullDatabaseId ?? null, gc.pullRequestReview?.fullDatabaseId ?? null],
      [c.body, c.created_at, c.updated_at, c.path, c.position, c.original_position, c.diff_hunk,
        c.commit_id, c.original_commit_id, c.in_reply_to_id === undefined ? null : String(c.in_reply_to_id),
        c.pull_request_review_id === null ? null : String(c.pull_request_review_id)],
      `${what}: review comment ${c.id}`);
    sameActor(c.user, gc.author, `${what} review comment ${c.id}`);
  }
}

// ---------------------------------------------------------------------------

describe('REST and GraphQL agree on every pull request', () => {
  for (const scn of SCENARIOS) {
    it(`${scn.repo.full_name}: all ${scn.pulls.length} PRs, every page`, async () => {
      let paged = 0;
      for (const p of scn.pulls) {
        const [rest, g] = await Promise.all([restPull(scn, p.number), graphqlPull(scn, p.number)]);
        comparePull(scn, p.number, rest, g);
        assert.deepEqual(g.threadSizes, reviewThreads(p).map((t) => t.comments.length));
        paged += g.pagedThreads;
      }
      if (scn.repo.name === 'gadgets') {
        assert.ok(paged >= 1, 'a thread of over 100 comments was paged through node(id:)');
        assert.ok(reviewThreads(findPull(scn, 7)).some((t) => t.comments.length > 100));
      }
    });
  }

  it('the scenarios cover what the client must survive', () => {
    const pulls = SCENARIOS.flatMap((s) => s.pulls);
    const users = new Map(SCENARIOS.flatMap((s) => s.users).map((u) => [u.login, u]));
    assert.ok(pulls.some((p) => users.get(p.user)?.type === 'Bot'), 'a bot author');
    assert.ok(pulls.some((p) => p.issue_comments.some((c) => c.user === null)), 'a deleted account');
    assert.ok(pulls.some((p) => p.files.some((f) => f.status === 'renamed')), 'a rename');
    assert.ok(pulls.some((p) => p.files.some((f) => f.status === 'copied')), 'a copy');
    assert.ok(pulls.some((p) => p.head_repo === null) && pulls.some((p) => p.head_repo && !p.head_repo.startsWith('acme/')), 'forks');
    assert.ok(pulls.some((p) => p.draft) && pulls.some((p) => p.merged) && pulls.some((p) => p.state === 'closed' && !p.merged));
    assert.ok(pulls.some((p) => p.body === null), 'an empty description');
    assert.ok(pulls.some((p) => p.reviews.some((r) => r.state === 'PENDING')));
    for (const st of ['clean', 'dirty', 'unknown', 'blocked', 'behind', 'draft']) assert.ok(mergeStatesSeen.has(`open:${st}`), `an open PR ${st}`);
    for (const st of ['unstable', 'has_hooks']) assert.ok([...mergeStatesSeen].some((k) => k.endsWith(`:${st}`)), `a PR ${st}`);
    assert.ok(mergeStatesSeen.has('merged:unknown'));
    assert.ok([...actorsSeen.values()].some(({ rest }) => rest.id > INT_MAX), 'an actor id beyond an Int');
    const plain = SCENARIOS[2];
    assert.ok(plain.pulls.every((p) => p.files.every((f) => f.status !== 'renamed' && f.status !== 'copied')), 'renames: false');
    assert.ok(plain.pulls.reduce((s, p) => s + p.files.length, 0) > 200);
  });

  it('every actor resolves through REST GET /users/{login} the same way', async () => {
    assert.ok(actorsSeen.size >= 10);
    for (const [login, { rest, g }] of actorsSeen) {
      const r = await getJson(`${gh.url}/users/${encodeURIComponent(login)}`);
      assert.equal(r.status, 200, login);
      for (const k of ['id', 'login', 'type', 'avatar_url', 'html_url', 'node_id']) assert.equal(r.body[k], rest[k], `${login}.${k}`);
      if (g.databaseId === null) assert.ok(r.body.id > INT_MAX, 'the REST fallback gives the id GraphQL cannot');
    }
  });

  it('GraphQL user(login:) for an id beyond an Int: databaseId null plus an error; REST has the id', async () => {
    const u = SCENARIOS.flatMap((s) => s.users).find((x) => x.type === 'User' && x.id > INT_MAX);
    const r = await graphql(gh, `query($l: String!) { user(login: $l) { login databaseId avatarUrl url } }`, { l: u.login });
    assert.deepEqual(r.body.data.user, { login: u.login, databaseId: null, avatarUrl: u.avatar_url, url: u.html_url });
    assert.deepEqual(intErrors(r.body), ['user.databaseId']);
    const rest = await getJson(`${gh.url}/users/${u.login}`);
    assert.equal(rest.body.id, u.id);
  });
});

// ---------------------------------------------------------------------------
// Commits

const HISTORY = `query($o: String!, $r: String!, $after: String, $since: GitTimestamp, $until: GitTimestamp) {
  repository(owner: $o, name: $r) { defaultBranchRef { name target { ... on Commit {
    history(first: 100, after: $after, since: $since, until: $until) { totalCount pageInfo { hasNextPage endCursor }
      nodes { oid message authoredDate committedDate additions deletions changedFilesIfAvailable url
        author { name email date user { login databaseId avatarUrl url } }
        committer { name email date user { login databaseId avatarUrl url } }
        associatedPullRequests(first: 5) { nodes { number merged baseRefName } } } } } } } } }`;

const unlinkedForms = new Set(); // REST forms of "no account" met in one scenario's history

async function graphqlHistory(scn, { since, until, first } = {}) {
  const out = [];
  let after = null;
  let total = null;
  const q = first ? HISTORY.replace('history(first: 100', `history(first: ${first}`) : HISTORY;
  do {
    const r = await graphql(gh, q, { o: scn.repo.owner.login, r: scn.repo.name, after, since, until });
    intErrors(r.body);
    const h = r.body.data.repository.defaultBranchRef.target.history;
    total ??= h.totalCount;
    out.push(...h.nodes);
    after = h.pageInfo.hasNextPage ? h.pageInfo.endCursor : null;
  } while (after);
  assert.equal(out.length, total);
  return out;
}

/** REST's two forms of "no linked account" for a commit's author or committer: null and {}. */
const noAccount = (rest) => rest === null || (typeof rest === 'object' && Object.keys(rest).length === 0);

function sameGitUser(rest, g, what, sha) {
  if (noAccount(rest)) {
    // An e-mail with no GitHub account: REST {} or null (by the sha), GraphQL null.
    assert.deepEqual(rest, restUnlinkedUser(sha), `${what}: REST's form of no account`);
    assert.equal(g, null, what);
    unlinkedForms.add(rest === null ? 'null' : '{}');
    return;
  }
  if (rest.type !== 'User') {
    // A bot (GitActor.user is a User: bots cannot be one).
    assert.equal(g, null, what);
    return;
  }
  assert.equal(g.login, rest.login, what);
  assert.equal(g.databaseId, rest.id <= INT_MAX ? rest.id : null, what);
  assert.equal(g.avatarUrl, rest.avatar_url, what);
  assert.equal(g.url, rest.html_url, what);
}

describe('REST and GraphQL agree on the default branch history', () => {
  for (const scn of SCENARIOS) {
    it(`${scn.repo.full_name}: Commit.history ↔ /commits, /commits/{sha}, /commits/{sha}/pulls`, async () => {
      const R = `${gh.url}/repos/${scn.repo.full_name}`;
      const g = await graphqlHistory(scn);
      const list = await fetchAllPages(`${R}/commits?per_page=100`);
      const want = defaultBranchCommits(scn);
      assert.deepEqual(g.map((c) => c.oid), want.map((c) => c.sha), 'GraphQL: newest first');
      assert.deepEqual(list.items.map((c) => c.sha), want.map((c) => c.sha), 'REST: newest first');
      assert.ok(g.every((c, i) => i === 0 || g[i - 1].committedDate >= c.committedDate));
      for (const item of list.items) assert.equal('stats' in item || 'files' in item, false, 'list items carry no stats');

      let sawBotCommit = false;
      const unlinkedAuthors = new Set();
      unlinkedForms.clear();
      for (const [i, gc] of g.entries()) {
        const what = `${scn.repo.name} ${gc.oid.slice(0, 7)}`;
        // The single commit, every page of its files.
        const pages = await fetchCommit(`${R}/commits/${gc.oid}`);
        const c = pages[0];
        const files = pages.flatMap((p) => p.files);
        assert.equal(c.sha, gc.oid);
        assert.equal(c.html_url, gc.url);
        assert.equal(c.commit.message, gc.message);
        assert.equal(c.commit.author.date, gc.authoredDate, `${what}: author date`);
        assert.equal(c.commit.committer.date, gc.committedDate, `${what}: committer date`);
        assert.equal(Date.parse(gc.author.date), Date.parse(gc.authoredDate), 'GitActor.date: same instant, with an offset');
        assert.equal(Date.parse(gc.committer.date), Date.parse(gc.committedDate));
        assert.match(gc.author.date, /[+-]\d{2}:\d{2}$/);
        assert.deepEqual([c.commit.author.name, c.commit.author.email], [gc.author.name, gc.author.email]);
        assert.deepEqual([c.commit.committer.name, c.commit.committer.email], [gc.committer.name, gc.committer.email]);
        assert.deepEqual(c.stats, { total: gc.additions + gc.deletions, additions: gc.additions, deletions: gc.deletions }, `${what}: stats`);
        assert.equal(files.length, Math.min(gc.changedFilesIfAvailable, 3000), `${what}: files ↔ changedFilesIfAvailable`);
        assert.equal(files.reduce((s, f) => s + f.additions, 0), gc.additions);
        assert.equal(files.reduce((s, f) => s + f.deletions, 0), gc.deletions);
        sameGitUser(c.author, gc.author.user, `${what}: author`, gc.oid);
        sameGitUser(c.committer, gc.committer.user, `${what}: committer`, gc.oid);
        if (noAccount(c.author)) unlinkedAuthors.add(c.author === null ? 'null' : '{}');
        if (c.author?.type === 'Bot') sawBotCommit = true;
        // The list item is the same commit, minus stats and files.
        const { stats, files: _f, ...rest } = c;
        assert.deepEqual(list.items[i], rest);
        // Associated pull requests, in the same order.
        const pulls = await getJson(`${R}/commits/${gc.oid}/pulls`);
        assert.deepEqual(pulls.body.map((p) => [p.number, p.merged_at !== null, p.base.ref]),
          gc.associatedPullRequests.nodes.map((p) => [p.number, p.merged, p.baseRefName]), `${what}: pulls`);
        const w = want[i];
        assert.deepEqual(gc.associatedPullRequests.nodes.map((p) => p.number), w.pull_number === null ? [] : [w.pull_number]);
      }
      if (scn.repo.name === 'gadgets') assert.ok(sawBotCommit, 'a commit by a bot');
      // Every scenario (unlinkedCommits: 2 by default) shows both of REST's forms, for authors too.
      assert.deepEqual([...unlinkedAuthors].sort(), ['null', '{}'], `${scn.repo.name}: unlinked authors as {} and null`);
      assert.deepEqual([...unlinkedForms].sort(), ['null', '{}']);

      // since/until (committed date, both ends inclusive) agree.
      const since = want[Math.min(want.length - 1, 6)].committed_at;
      const until = want[1].committed_at;
      const gw = await graphqlHistory(scn, { since, until, first: 2 });
      const rw = await fetchAllPages(`${R}/commits?since=${since}&until=${until}&per_page=2`);
      const expect = want.filter((c) => c.committed_at >= since && c.committed_at <= until).map((c) => c.sha);
      assert.ok(expect.length >= 3);
      assert.deepEqual(gw.map((c) => c.oid), expect);
      assert.deepEqual(rw.items.map((c) => c.sha), expect);
    });
  }

  it('GET /commits/{sha}: files 300 a page (per_page does not change it), Link headers, up to 3000', async () => {
    const scn = SCENARIOS[1];
    const pr = findPull(scn, 3);
    const R = `${gh.url}/repos/${scn.repo.full_name}`;
    const first = await getJson(`${R}/commits/${pr.merge_commit_sha}?per_page=100`);
    assert.equal(first.status, 200);
    assert.equal(first.body.files.length, 300);
    const link = parseLinkHeader(first.headers.get('link'));
    assert.match(link.next, /[?&]page=2$/);
    assert.match(link.last, /[?&]page=3$/);
    const pages = await fetchCommit(`${R}/commits/${pr.merge_commit_sha}`);
    assert.deepEqual(pages.map((p) => p.files.length), [300, 300, 100]);
    assert.ok(pages.every((p) => p.sha === pr.merge_commit_sha && p.stats.additions === pr.additions));
    // A squash merge lists the PR's files.
    assert.deepEqual(pages.flatMap((p) => p.files.map((f) => [f.filename, f.status, f.additions, f.deletions])),
      pr.files.map((f) => [f.filename, f.status, f.additions, f.deletions]));
    // Refs: a branch name and a short sha; an unknown one is 422.
    assert.equal((await getJson(`${R}/commits/main`)).body.sha, defaultBranchCommits(scn)[0].sha);
    assert.equal((await getJson(`${R}/commits/${pr.merge_commit_sha.slice(0, 10)}`)).body.sha, pr.merge_commit_sha);
    const head = findPull(scn, 7);
    assert.equal((await getJson(`${R}/commits/${head.head_ref}`)).body.sha, head.commits_list.at(-1).sha);
    const bad = await getJson(`${R}/commits/${'f'.repeat(40)}`);
    assert.equal(bad.status, 422);
    assert.equal(bad.body.message, `No commit found for SHA: ${'f'.repeat(40)}`);
  });

  it('a PR commit: history from it and its associated PR agree', async () => {
    const scn = SCENARIOS[0];
    const pr = scn.pulls.find((p) => p.state === 'open' && p.commits_list.length >= 2);
    const sha = pr.commits_list.at(-1).sha;
    const R = `${gh.url}/repos/${scn.repo.full_name}`;
    const r = await graphql(gh, `query($o: String!, $r: String!, $n: Int!) { repository(owner: $o, name: $r) { pullRequest(number: $n) {
      commits(last: 1) { nodes { commit { oid additions deletions changedFilesIfAvailable
        history(first: 100) { nodes { oid } } associatedPullRequests(first: 5) { nodes { number } } } } } } } }`,
    { o: scn.repo.owner.login, r: scn.repo.name, n: pr.number });
    const c = r.body.data.repository.pullRequest.commits.nodes[0].commit;
    assert.equal(c.oid, sha);
    const rest = await fetchAllPages(`${R}/commits?sha=${sha}&per_page=100`);
    assert.deepEqual(c.history.nodes.map((x) => x.oid), rest.items.map((x) => x.sha));
    assert.equal(c.history.nodes[0].oid, sha);
    const detail = (await getJson(`${R}/commits/${sha}`)).body;
    assert.deepEqual([detail.stats.additions, detail.stats.deletions, detail.files.length],
      [c.additions, c.deletions, c.changedFilesIfAvailable]);
    assert.deepEqual((await getJson(`${R}/commits/${sha}/pulls`)).body.map((p) => p.number),
      c.associatedPullRequests.nodes.map((p) => p.number));
  });
});

/** GET a single commit and every further page of its files (Link rel="next"). */
async function fetchCommit(url) {
  const pages = [];
  let next = url;
  while (next) {
    const r = await getJson(next);
    assert.equal(r.status, 200, `${next}: ${r.text}`);
    pages.push(r.body);
    next = parseLinkHeader(r.headers.get('link')).next;
    assert.ok(pages.length <= 10, 'at most 3000 files in pages of 300');
  }
  return pages;
}

// ---------------------------------------------------------------------------
// Lone surrogates

describe('unpaired surrogates (loneSurrogates: true) travel as \\uXXXX escapes in both APIs', () => {
  const scn = SCENARIOS[2];
  const R = () => `${gh.url}/repos/${scn.repo.full_name}`;
  const lone = (s) => typeof s === 'string' && s !== wellFormed(s);
  const FFFD = Buffer.from('\ufffd', 'utf8');

  /** The raw bytes of an answer: the escape is there, no U+FFFD, no encoded surrogate (ED A0..BF). */
  async function rawBytes(res) {
    const buf = Buffer.from(await res.arrayBuffer());
    assert.equal(buf.includes(FFFD), false, 'no replacement character');
    for (let i = 0; i + 1 < buf.length; i++) assert.ok(!(buf[i] === 0xed && buf[i + 1] >= 0xa0), 'no UTF-8-encoded surrogate');
    return buf;
  }

  it('the scenario carries them where documented, and wellFormed() gives what a database can hold', () => {
    const pr = scn.pulls.find((p) => lone(p.title));
    assert.equal(pr.number, 3);
    assert.ok(pr.title.endsWith(' \ud83d'));
    assert.equal(wellFormed(pr.title), `${pr.title.slice(0, -1)}\ufffd`);
    assert.ok(scn.pulls.some((p) => lone(p.body)));
    assert.ok(scn.pulls.some((p) => p.reviews.some((r) => lone(r.body))));
    assert.ok(scn.pulls.some((p) => p.issue_comments.some((c) => lone(c.body))));
    assert.ok(scn.pulls.some((p) => p.review_comments.some((c) => lone(c.body))));
    assert.ok(defaultBranchCommits(scn).some((c) => lone(c.message)));
    assert.equal(wellFormed('a\udc00b\ud83d\ude80'), 'a\ufffdb\ud83d\ude80', 'a pair stays');
    assert.equal(wellFormed(null), null);
    // Off by default, and nothing else moves when on.
    const off = generateScenario({ seed: 9, now: NOW, prs: 30, name: 'plain', renames: false, maxFiles: 40, maxReviewComments: 12 });
    const walk = (v) => (typeof v === 'string' ? lone(v) : v && typeof v === 'object' ? Object.values(v).some(walk) : false);
    assert.equal(walk(off), false);
    assert.deepEqual(off.pulls.map((p) => [p.id, p.reviews.length, p.issue_comments.map((c) => c.id)]),
      scn.pulls.map((p) => [p.id, p.reviews.length, p.issue_comments.map((c) => c.id)]));
  });

  it('REST: \\ud83d / \\udc00 escapes in the bytes, the same string once parsed', async () => {
    const pr = scn.pulls.find((p) => lone(p.title));
    const pull = await rawBytes(await fetch(`${R()}/pulls/${pr.number}`, { headers: ghHeaders() }));
    assert.ok(pull.includes(Buffer.from(' \\ud83d"', 'latin1')), 'the title ends in the escape');
    assert.equal(JSON.parse(pull.toString('utf8')).title, pr.title);

    const checks = [
      [scn.pulls.find((p) => lone(p.body)), (p) => `/pulls/${p.number}`, (b, p) => [b.body, p.body]],
      [scn.pulls.find((p) => p.reviews.some((r) => lone(r.body))), (p) => `/pulls/${p.number}/reviews?per_page=100`,
        (b, p) => [b.map((r) => r.body), p.reviews.map((r) => r.body)]],
      [scn.pulls.find((p) => p.issue_comments.some((c) => lone(c.body))), (p) => `/issues/${p.number}/comments?per_page=100`,
        (b, p) => [b.map((c) => c.body), p.issue_comments.map((c) => c.body)]],
      [scn.pulls.find((p) => p.review_comments.some((c) => lone(c.body))), (p) => `/pulls/${p.number}/comments?per_page=100`,
        (b, p) => [b.map((c) => c.body), p.review_comments.map((c) => c.body)]],
    ];
    for (const [p, path, pick] of checks) {
      const buf = await rawBytes(await fetch(`${R()}${path(p)}`, { headers: ghHeaders() }));
      assert.ok(/\\u(d83d|dc00)/.test(buf.toString('latin1')), path(p));
      const [got, want] = pick(JSON.parse(buf.toString('utf8')), p);
      assert.deepEqual(got, want, path(p));
    }
    const commit = defaultBranchCommits(scn).find((c) => lone(c.message));
    for (const path of [`/commits/${commit.sha}`, '/commits?per_page=100']) {
      const buf = await rawBytes(await fetch(`${R()}${path}`, { headers: ghHeaders() }));
      assert.ok(buf.includes(Buffer.from('\\ud83d', 'latin1')) && buf.includes(Buffer.from('\\udc00', 'latin1')), path);
      const body = JSON.parse(buf.toString('utf8'));
      assert.equal((Array.isArray(body) ? body.find((c) => c.sha === commit.sha) : body).commit.message, commit.message);
    }
  });

  it('GraphQL: the same escapes in the bytes, the same strings once parsed', async () => {
    const pr = scn.pulls.find((p) => lone(p.title));
    const reviewed = scn.pulls.find((p) => p.reviews.some((r) => lone(r.body)));
    const commit = defaultBranchCommits(scn).find((c) => lone(c.message));
    const q = `query($o: String!, $r: String!, $a: Int!, $b: Int!) { repository(owner: $o, name: $r) {
      a: pullRequest(number: $a) { title body }
      b: pullRequest(number: $b) { reviews(first: 100) { nodes { body } } comments(first: 100) { nodes { body } }
        reviewThreads(first: 100) { nodes { comments(first: 100) { nodes { fullDatabaseId body } } } } }
      defaultBranchRef { target { ... on Commit { history(first: 100) { nodes { oid message messageHeadline } } } } } } }`;
    const res = await fetch(gh.graphqlUrl, { method: 'POST', headers: { ...ghHeaders(), 'content-type': 'application/json' },
      body: JSON.stringify({ query: q, variables: { o: scn.repo.owner.login, r: scn.repo.name, a: pr.number, b: reviewed.number } }) });
    const buf = await rawBytes(res);
    assert.ok(buf.includes(Buffer.from('\\ud83d', 'latin1')) && buf.includes(Buffer.from('\\udc00', 'latin1')));
    const d = JSON.parse(buf.toString('utf8')).data.repository;
    assert.equal(d.a.title, pr.title);
    assert.equal(d.a.body, pr.body ?? '');
    assert.deepEqual(d.b.reviews.nodes.map((r) => r.body), reviewed.reviews.map((r) => r.body));
    assert.deepEqual(d.b.comments.nodes.map((c) => c.body), reviewed.issue_comments.map((c) => c.body));
    const node = d.defaultBranchRef.target.history.nodes.find((c) => c.oid === commit.sha);
    assert.equal(node.message, commit.message);
    assert.ok(lone(node.messageHeadline));
  });
});
