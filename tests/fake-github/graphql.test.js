// POST /graphql: validation against GitHub's schema, execution over the scenario,
// aliases, nested cursor pagination, GitHub's errors, point cost.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { computeCost } from './cost.js';
import { githubSchema } from './graphql.js';
import { graphql } from './helpers.js';
import { cmp, findPull, generateScenario, graphqlLogin, reviewThreads } from './scenario.js';
import { startFakeGitHub } from './server.js';

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const scn = generateScenario({
  seed: 21, now: NOW,
  special: [{ number: 3, files: 3000, reviews: 150, issueComments: 250, reviewThreads: 120 }],
});
let gh;

before(async () => {
  gh = await startFakeGitHub({ scenario: scn });
});
after(() => gh.close());

const REPO = 'repository(owner: "acme", name: "widgets")';

describe('GraphQL execution', () => {
  it('aliases fetch several PRs at once; a missing one is null with a NOT_FOUND error', async () => {
    const q = `query Details { ${REPO} {
      pr1: pullRequest(number: 1) { number fullDatabaseId title state isDraft merged mergedAt createdAt updatedAt closedAt
        additions deletions changedFiles baseRefName headRefName url author { login } mergedBy { login } }
      pr2: pullRequest(number: 2) { number fullDatabaseId title state body }
      pr3: pullRequest(number: 999) { number }
    } }`;
    const r = await graphql(gh, q);
    assert.equal(r.status, 200);
    const repo = r.body.data.repository;
    const p1 = findPull(scn, 1);
    assert.deepEqual(repo.pr1, {
      number: 1, fullDatabaseId: String(p1.id), title: p1.title, state: 'MERGED', isDraft: false, merged: true,
      mergedAt: p1.merged_at, createdAt: p1.created_at, updatedAt: p1.updated_at, closedAt: p1.closed_at,
      additions: p1.additions, deletions: p1.deletions, changedFiles: p1.changed_files, baseRefName: p1.base_ref,
      headRefName: p1.head_ref, url: p1.html_url, author: { login: p1.user }, mergedBy: { login: p1.merged_by },
    });
    assert.equal(repo.pr2.state, 'OPEN');
    assert.equal(repo.pr2.body, '', 'an empty description is "" in GraphQL (null in REST)');
    assert.equal(repo.pr3, null);
    assert.equal(r.body.errors.length, 1);
    const e = r.body.errors[0];
    assert.equal(e.type, 'NOT_FOUND');
    assert.deepEqual(e.path, ['repository', 'pr3']);
    assert.equal(e.message, 'Could not resolve to a PullRequest with the number of 999.');
    assert.ok(e.locations?.length);
    assert.equal(gh.log.at(-1).operation, 'Details');
  });

  it('an unknown repository is null with NOT_FOUND', async () => {
    const r = await graphql(gh, '{ repository(owner: "acme", name: "nope") { name } }');
    assert.equal(r.body.data.repository, null);
    assert.equal(r.body.errors[0].type, 'NOT_FOUND');
    assert.equal(r.body.errors[0].message, "Could not resolve to a Repository with the name 'acme/nope'.");
  });

  it('authors: fullDatabaseId is a string; databaseId is an Int; bots lose "[bot]"', async () => {
    const bot = scn.pulls.find((p) => p.user === 'dependabot[bot]');
    const q = `{ ${REPO} { pullRequest(number: ${bot.number}) {
      author { __typename login ... on Bot { databaseId } ... on User { databaseId } } } } }`;
    const r = await graphql(gh, q);
    assert.deepEqual(r.body.data.repository.pullRequest.author, { __typename: 'Bot', login: 'dependabot', databaseId: 49699333 });
    assert.equal(graphqlLogin(bot.user), 'dependabot');
  });

  it('databaseId above 2^31-1 cannot be an Int: null plus an error with its path', async () => {
    const r = await graphql(gh, `{ ${REPO} { pullRequest(number: 1) { databaseId fullDatabaseId } } }`);
    assert.equal(r.body.data.repository.pullRequest.databaseId, null);
    assert.equal(r.body.data.repository.pullRequest.fullDatabaseId, String(findPull(scn, 1).id));
    assert.deepEqual(r.body.errors[0].path, ['repository', 'pullRequest', 'databaseId']);
  });

  it('nested pagination with cursors collects all 3000 files and 150 reviews', async () => {
    // Pages each connection on its own cursor; a finished one is left out with @include.
    const q = `query($n: Int!, $files: String, $reviews: String, $wf: Boolean!, $wr: Boolean!) { ${REPO} { pullRequest(number: $n) {
      files(first: 100, after: $files) @include(if: $wf) { totalCount pageInfo { hasNextPage endCursor } nodes { path additions deletions changeType } }
      reviews(first: 100, after: $reviews) @include(if: $wr) { totalCount pageInfo { hasNextPage endCursor }
        edges { cursor node { fullDatabaseId state submittedAt author { login } commit { oid } } } }
    } } }`;
    const files = [];
    const reviews = [];
    const cur = { files: null, reviews: null };
    const done = { files: false, reviews: false };
    let calls = 0;
    while (!done.files || !done.reviews) {
      const r = await graphql(gh, q, { n: 3, ...cur, wf: !done.files, wr: !done.reviews });
      calls++;
      assert.equal(r.body.errors, undefined);
      const pr = r.body.data.repository.pullRequest;
      if (!done.files) {
        assert.equal(pr.files.totalCount, 3000);
        files.push(...pr.files.nodes);
        if (pr.files.pageInfo.hasNextPage) cur.files = pr.files.pageInfo.endCursor;
        else done.files = true;
      } else assert.equal(pr.files, undefined);
      if (!done.reviews) {
        assert.equal(pr.reviews.totalCount, 150);
        reviews.push(...pr.reviews.edges.map((e) => e.node));
        if (pr.reviews.pageInfo.hasNextPage) cur.reviews = pr.reviews.pageInfo.endCursor;
        else done.reviews = true;
      }
    }
    const want = findPull(scn, 3);
    assert.equal(calls, 30);
    assert.deepEqual(files.map((f) => f.path), want.files.map((f) => f.filename));
    assert.deepEqual(files.map((f) => f.additions), want.files.map((f) => f.additions));
    assert.deepEqual(reviews.map((r) => r.fullDatabaseId), want.reviews.map((r) => String(r.id)));
    assert.deepEqual(reviews.map((r) => r.submittedAt), want.reviews.map((r) => r.submitted_at));
  });

  it('review threads and their comments page, and match REST in_reply_to_id', async () => {
    const want = findPull(scn, 3);
    const q = `query($after: String) { ${REPO} { pullRequest(number: 3) {
      reviewThreads(first: 50, after: $after) { totalCount pageInfo { hasNextPage endCursor }
        nodes { id path comments(first: 100) { totalCount nodes { fullDatabaseId body path position originalPosition
          diffHunk createdAt updatedAt commit { oid } originalCommit { oid } replyTo { fullDatabaseId }
          author { login } pullRequestReview { fullDatabaseId } } } } } } } }`;
    const comments = [];
    let after = null;
    let threads = 0;
    do {
      const r = await graphql(gh, q, { after });
      assert.equal(r.body.errors, undefined);
      const c = r.body.data.repository.pullRequest.reviewThreads;
      assert.equal(c.totalCount, 120);
      threads += c.nodes.length;
      for (const t of c.nodes) comments.push(...t.comments.nodes);
      after = c.pageInfo.hasNextPage ? c.pageInfo.endCursor : null;
    } while (after);
    assert.equal(threads, 120);
    const got = new Map(comments.map((c) => [c.fullDatabaseId, c]));
    assert.equal(got.size, want.review_comments.length);
    for (const c of want.review_comments) {
      const g = got.get(String(c.id));
      assert.equal(g.replyTo?.fullDatabaseId, c.in_reply_to_id === undefined ? undefined : String(c.in_reply_to_id));
      assert.equal(g.pullRequestReview.fullDatabaseId, String(c.pull_request_review_id));
      assert.equal(g.position, c.position);
      assert.equal(g.originalCommit.oid, c.original_commit_id);
      assert.equal(g.author.login, graphqlLogin(c.user));
    }
  });

  it('backward pagination with last/before', async () => {
    const q = (extra) => `{ ${REPO} { pullRequests(${extra}) { totalCount pageInfo { hasPreviousPage hasNextPage startCursor }
      nodes { number } } } }`;
    const tail = (await graphql(gh, q('last: 5'))).body.data.repository.pullRequests;
    assert.deepEqual(tail.nodes.map((p) => p.number), [16, 17, 18, 19, 20]);
    assert.equal(tail.pageInfo.hasPreviousPage, true);
    const prev = (await graphql(gh, q(`last: 5, before: "${tail.pageInfo.startCursor}"`))).body.data.repository.pullRequests;
    assert.deepEqual(prev.nodes.map((p) => p.number), [11, 12, 13, 14, 15]);
  });

  it('pullRequests: states and orderBy', async () => {
    const r = await graphql(gh, `{ ${REPO} { pullRequests(first: 100, states: [MERGED], orderBy: {field: UPDATED_AT, direction: DESC}) {
      nodes { number state updatedAt } } } }`);
    const nodes = r.body.data.repository.pullRequests.nodes;
    const want = scn.pulls.filter((p) => p.merged).sort((a, b) => cmp(b.updated_at, a.updated_at));
    assert.deepEqual(nodes.map((p) => p.number), want.map((p) => p.number));
    assert.ok(nodes.every((p) => p.state === 'MERGED'));
  });

  it('comments, commits and a deleted author', async () => {
    const pr = scn.pulls.find((p) => p.issue_comments.some((c) => c.user === null));
    const r = await graphql(gh, `{ ${REPO} { pullRequest(number: ${pr.number}) {
      comments(first: 100) { nodes { fullDatabaseId body author { login } } }
      commits(first: 100) { totalCount nodes { commit { oid message authoredDate committedDate author { user { login } } } } } } } }`);
    const got = r.body.data.repository.pullRequest;
    assert.deepEqual(got.comments.nodes.map((c) => c.author?.login ?? null), pr.issue_comments.map((c) => graphqlLogin(c.user)));
    assert.deepEqual(got.commits.nodes.map((n) => n.commit.oid), pr.commits_list.map((c) => c.sha));
    assert.deepEqual(got.commits.nodes.map((n) => n.commit.committedDate), pr.commits_list.map((c) => c.committed_at));
  });
});

describe('GraphQL node lookups', () => {
  it('node(id:) pages a review thread\'s comments, as the client does past 100', async () => {
    const pr = findPull(scn, 3);
    const threads = reviewThreads(pr);
    const t = threads.reduce((a, b) => (b.comments.length > a.comments.length ? b : a));
    const q = `query($id: ID!, $c: String) { node(id: $id) { __typename id ... on PullRequestReviewThread { path
      comments(first: 2, after: $c) { totalCount pageInfo { hasNextPage endCursor } nodes { fullDatabaseId } } } } }`;
    const got = [];
    let c = null;
    do {
      const r = await graphql(gh, q, { id: t.id, c });
      assert.equal(r.body.errors, undefined);
      const n = r.body.data.node;
      assert.equal(n.__typename, 'PullRequestReviewThread');
      assert.equal(n.id, t.id);
      assert.equal(n.path, t.path);
      assert.equal(n.comments.totalCount, t.comments.length);
      got.push(...n.comments.nodes.map((x) => x.fullDatabaseId));
      c = n.comments.pageInfo.hasNextPage ? n.comments.pageInfo.endCursor : null;
    } while (c);
    assert.deepEqual(got, t.comments.map((x) => String(x.id)));
  });

  it('nodes(ids:): PRs and threads in order; an unknown id is null with a NOT_FOUND error at its index', async () => {
    const p1 = findPull(scn, 1);
    const p3 = findPull(scn, 3);
    const t = reviewThreads(p3)[1];
    const r = await graphql(gh, `query($ids: [ID!]!) { nodes(ids: $ids) { __typename id
      ... on PullRequest { number fullDatabaseId } ... on PullRequestReviewThread { comments(first: 1) { totalCount } } } }`,
    { ids: [p1.node_id, 'not-an-id', t.id, p3.node_id] });
    assert.deepEqual(r.body.data.nodes, [
      { __typename: 'PullRequest', id: p1.node_id, number: 1, fullDatabaseId: String(p1.id) },
      null,
      { __typename: 'PullRequestReviewThread', id: t.id, comments: { totalCount: t.comments.length } },
      { __typename: 'PullRequest', id: p3.node_id, number: 3, fullDatabaseId: String(p3.id) },
    ]);
    assert.equal(r.body.errors.length, 1);
    assert.equal(r.body.errors[0].type, 'NOT_FOUND');
    assert.deepEqual(r.body.errors[0].path, ['nodes', 1]);
    assert.equal(r.body.errors[0].message, "Could not resolve to a node with the global id of 'not-an-id'");
    const one = await graphql(gh, `{ node(id: "${p1.node_id.slice(0, -4)}AAAA") { id } }`);
    assert.equal(one.body.data.node, null);
    assert.equal(one.body.errors[0].type, 'NOT_FOUND');
  });

  it('the 24-PR batch the client sends costs what cost.js computes (2 points), charged and logged', async () => {
    const block = (k) => `pr${k}: pullRequest(number: ${((k - 1) % 20) + 1}) { number
      files(first: 100) { totalCount pageInfo { hasNextPage endCursor } nodes { path } }
      reviews(first: 100) { totalCount pageInfo { hasNextPage endCursor } nodes { state } }
      comments(first: 100) { totalCount pageInfo { hasNextPage endCursor } nodes { body } }
      commits { totalCount }
      reviewThreads(first: 5) { totalCount nodes { id comments(first: 100) { totalCount nodes { body } } } } }`;
    const q = `query Batch { rateLimit { cost nodeCount } ${REPO} { ${Array.from({ length: 24 }, (_, i) => block(i + 1)).join('\n')} } }`;
    const before = gh.getRateLimit('ghp_test_token', 'graphql').used;
    const r = await graphql(gh, q);
    assert.equal(r.body.errors, undefined);
    assert.deepEqual(r.body.data.rateLimit, { cost: 2, nodeCount: 19_320 });
    assert.equal(r.body.data.repository.pr3.files.totalCount, 3000);
    assert.equal(r.body.data.repository.pr3.commits.totalCount, findPull(scn, 3).commits);
    assert.equal(gh.getRateLimit('ghp_test_token', 'graphql').used, before + 2);
    assert.equal(gh.log.at(-1).queryCost, 2);
  });
});

describe('GraphQL errors', () => {
  it('an unknown field is a validation error (HTTP 200, no data, nothing charged)', async () => {
    const before = gh.getRateLimit('ghp_test_token', 'graphql').remaining;
    const r = await graphql(gh, `{ ${REPO} { pullRequest(number: 1) { title noSuchField } } }`);
    assert.equal(r.status, 200);
    assert.equal(r.body.data, undefined);
    assert.equal(r.body.errors[0].message, "Field 'noSuchField' doesn't exist on type 'PullRequest'");
    assert.equal(r.body.errors[0].extensions.code, 'undefinedField');
    assert.equal(gh.getRateLimit('ghp_test_token', 'graphql').remaining, before);
    const parseErr = await graphql(gh, '{ repository(');
    assert.ok(parseErr.body.errors[0].message.length > 0);
  });

  it('first/last: missing, above 100, both, bad cursor → errors with paths', async () => {
    const r = await graphql(gh, `{ ${REPO} { pullRequest(number: 1) {
      files { nodes { path } } reviews(first: 101) { nodes { state } } } } }`);
    const types = Object.fromEntries(r.body.errors.map((e) => [e.path.at(-1), e]));
    assert.equal(types.files.type, 'MISSING_PAGINATION_BOUNDARIES');
    assert.equal(types.files.message, 'You must provide a `first` or `last` value to properly paginate the `files` connection.');
    assert.deepEqual(types.files.path, ['repository', 'pullRequest', 'files']);
    assert.equal(types.reviews.type, 'EXCESSIVE_PAGINATION');
    assert.equal(types.reviews.message, 'Requesting 101 records on the `reviews` connection exceeds the `first` limit of 100 records.');
    const both = await graphql(gh, `{ ${REPO} { pullRequests(first: 1, last: 1) { nodes { number } } } }`);
    assert.ok(both.body.errors[0].message.includes('first') && both.body.errors[0].message.includes('last'));
    const cursor = await graphql(gh, `{ ${REPO} { pullRequests(first: 1, after: "garbage") { nodes { number } } } }`);
    assert.equal(cursor.body.errors[0].type, 'INVALID_CURSOR_ARGUMENTS');
    const total = await graphql(gh, `{ ${REPO} { pullRequest(number: 3) { comments { totalCount } } } }`);
    assert.equal(total.body.data.repository.pullRequest.comments.totalCount, 250, 'totalCount alone needs no first');
  });

  it('requires authentication', async () => {
    const r = await graphql(gh, '{ rateLimit { cost } }', {}, { token: null });
    assert.equal(r.status, 401);
    assert.match(r.body.message, /requires you to be authenticated/);
  });
});

describe('GraphQL cost', () => {
  const schema = githubSchema();
  const prBlock = (n) => `pr${n}: pullRequest(number: ${n}) { number
    files(first: 100) { nodes { path } } reviews(first: 100) { nodes { state } } comments(first: 100) { nodes { body } }
    reviewThreads(first: 100) { nodes { comments(first: 100) { nodes { body } } } } }`;

  it('rateLimit.cost follows GitHub\'s formula, is charged to the graphql budget and logged', async () => {
    const cases = [
      ['{ rateLimit { cost nodeCount } }', 1],
      [`{ rateLimit { cost nodeCount } ${REPO} { ${prBlock(1)} } }`, 1],
      [`{ rateLimit { cost nodeCount } ${REPO} { ${Array.from({ length: 20 }, (_, i) => prBlock(i + 1)).join('\n')} } }`, 21],
      [`{ rateLimit { cost nodeCount } ${REPO} { pullRequests(first: 100) { nodes { files(first: 50) { nodes { path } } } } } }`, 1],
      [`{ rateLimit { cost nodeCount } ${REPO} { pullRequests(first: 100) { nodes {
        files(first: 50) { nodes { path } } reviews(first: 10) { nodes { state } } } } } }`, 2],
    ];
    for (const [q, cost] of cases) {
      const before = gh.getRateLimit('ghp_test_token', 'graphql');
      const r = await graphql(gh, q);
      assert.equal(r.body.errors, undefined, q);
      const expected = computeCost(q, { schema });
      assert.equal(expected.cost, cost, q);
      assert.equal(r.body.data.rateLimit.cost, cost);
      assert.equal(r.body.data.rateLimit.nodeCount, expected.nodeCount);
      const afterState = gh.getRateLimit('ghp_test_token', 'graphql');
      assert.equal(afterState.used, before.used + cost);
      assert.equal(Number(r.headers.get('x-ratelimit-used')), afterState.used);
      assert.equal(gh.log.at(-1).cost, cost);
      assert.equal(gh.log.at(-1).resource, 'graphql');
    }
  });

  it('rateLimit.resetAt is ISO-8601 and matches x-ratelimit-reset', async () => {
    const r = await graphql(gh, '{ rateLimit { resetAt remaining limit used } }');
    const rl = r.body.data.rateLimit;
    assert.match(rl.resetAt, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    assert.equal(Date.parse(rl.resetAt) / 1000, Number(r.headers.get('x-ratelimit-reset')));
    assert.equal(rl.remaining, Number(r.headers.get('x-ratelimit-remaining')));
    assert.equal(rl.limit, 5000);
  });

  it('rateLimit(dryRun: true) reports the cost without charging or running the rest', async () => {
    const before = gh.getRateLimit('ghp_test_token', 'graphql').used;
    const q = `{ rateLimit(dryRun: true) { cost } ${REPO} { ${Array.from({ length: 20 }, (_, i) => prBlock(i + 1)).join('\n')} } }`;
    const r = await graphql(gh, q);
    assert.equal(r.body.data.rateLimit.cost, 21);
    assert.equal(r.body.data.repository, null);
    assert.equal(gh.getRateLimit('ghp_test_token', 'graphql').used, before);
  });

  it('more than 500,000 nodes is refused with MAX_NODE_LIMIT_EXCEEDED', async () => {
    const r = await graphql(gh, `{ ${REPO} { pullRequests(first: 100) { nodes {
      reviewThreads(first: 100) { nodes { comments(first: 100) { nodes { body } } } } } } } }`);
    assert.equal(r.body.errors[0].type, 'MAX_NODE_LIMIT_EXCEEDED');
  });
});
