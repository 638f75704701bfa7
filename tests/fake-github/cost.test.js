// GraphQL point cost and node count, checked against the worked examples in
// GitHub's documentation ("Rate limits and query limits for the GraphQL API").

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse, validate } from 'graphql';
import { computeCost } from './cost.js';
import { githubSchema } from './graphql.js';

const schema = githubSchema();

function both(query, opts = {}) {
  // The same numbers with and without the schema, and the query is valid.
  const errors = validate(schema, parse(query));
  assert.deepEqual(errors.map((e) => e.message), []);
  const withSchema = computeCost(query, { ...opts, schema });
  const without = computeCost(query, opts);
  assert.equal(withSchema.requests, without.requests);
  assert.equal(withSchema.nodeCount, without.nodeCount);
  return withSchema;
}

// GitHub docs, "Predicting the point value of a query": 5,101 requests → 51 points.
const DOCS_COST_EXAMPLE = `query {
  viewer {
    login
    repositories(first: 100) {
      edges { node { id
        issues(first: 50) {
          edges { node { id
            labels(first: 60) { edges { node { id name } } }
          } }
        }
      } }
    }
  }
}`;

// GitHub docs, "Calculating nodes in a call", simple query: 550 nodes.
const DOCS_NODES_SIMPLE = `query {
  viewer {
    repositories(first: 50) {
      edges { repository:node { name
        issues(first: 10) { totalCount edges { node { title bodyHTML } } }
      } }
    }
  }
}`;

// GitHub docs, "Calculating nodes in a call", complex query: 22,060 nodes.
const DOCS_NODES_COMPLEX = `query {
  viewer {
    repositories(first: 50) {
      edges { repository:node { name
        pullRequests(first: 20) { edges { pullRequest:node { title
          comments(first: 10) { edges { comment:node { bodyHTML } } }
        } } }
        issues(first: 20) { totalCount edges { issue:node { title bodyHTML
          comments(first: 10) { edges { comment:node { bodyHTML } } }
        } } }
      } }
    }
    followers(first: 10) { edges { follower:node { login } } }
  }
}`;

// CONVENTIONS.md B3: one PR with three first-level connections → 3 requests → cost 1.
const ONE_PR = `query($o:String!,$r:String!,$n:Int!){ rateLimit{cost remaining resetAt}
  repository(owner:$o,name:$r){ pullRequest(number:$n){
    number title state createdAt updatedAt mergedAt additions deletions changedFiles
    author{login}
    files(first:100){totalCount pageInfo{hasNextPage endCursor} nodes{path additions deletions changeType}}
    reviews(first:100){totalCount pageInfo{hasNextPage endCursor} nodes{fullDatabaseId state submittedAt author{login} body}}
    comments(first:100){totalCount pageInfo{hasNextPage endCursor} nodes{fullDatabaseId createdAt updatedAt author{login} body}}
}}}`;

describe('computeCost: GitHub documentation examples', () => {
  it('viewer → 100 repositories → 50 issues → 60 labels: 5,101 requests, 51 points', () => {
    const r = both(DOCS_COST_EXAMPLE);
    assert.equal(r.requests, 5101);
    assert.equal(r.cost, 51);
    assert.equal(r.nodeCount, 100 + 100 * 50 + 100 * 50 * 60);
  });

  it('simple node example: 550 nodes', () => {
    const r = both(DOCS_NODES_SIMPLE);
    assert.equal(r.nodeCount, 550);
    assert.equal(r.requests, 51);
    assert.equal(r.cost, 1);
  });

  it('complex node example: 22,060 nodes', () => {
    const r = both(DOCS_NODES_COMPLEX);
    assert.equal(r.nodeCount, 22_060);
    assert.equal(r.requests, 1 + 50 + 50 * 20 + 50 + 50 * 20 + 1);
    assert.equal(r.cost, 21);
  });

  it('the one-PR query of CONVENTIONS.md B3 costs the minimum, 1', () => {
    const r = both(ONE_PR, { variables: { o: 'a', r: 'b', n: 1 } });
    assert.equal(r.requests, 3);
    assert.equal(r.cost, 1);
    assert.equal(r.nodeCount, 300);
  });
});

describe('computeCost: what the capture client sends', () => {
  const prFields = `files(first:100){nodes{path}} reviews(first:100){nodes{state}} comments(first:100){nodes{body}}
    reviewThreads(first:100){nodes{comments(first:100){nodes{body}}}}`;

  it('aliases count separately: 25 PRs × (4 + 100 nested) requests', () => {
    const aliases = Array.from({ length: 25 }, (_, i) => `pr${i + 1}: pullRequest(number:${i + 1}){ ${prFields} }`).join('\n');
    const r = both(`{ repository(owner:"a",name:"b"){ ${aliases} } }`);
    assert.equal(r.requests, 25 * (4 + 100));
    assert.equal(r.cost, 26);
    assert.equal(r.nodeCount, 25 * (400 + 100 * 100));
  });

  it('page sizes come from variables, including declared defaults', () => {
    const q = `query($n:Int = 40, $m:Int!){ repository(owner:"a",name:"b"){
      pullRequests(first:$n){ nodes { files(first:$m){ nodes { path } } } } } }`;
    const r = both(q, { variables: { m: 10 } });
    assert.equal(r.requests, 1 + 40);
    assert.equal(r.nodeCount, 40 + 400);
  });

  it('fragments are expanded and @skip/@include honoured', () => {
    const q = `query($skip:Boolean!){ repository(owner:"a",name:"b"){
        pullRequests(last:10){ nodes { ...F } }
        issues(first:5) @skip(if:$skip) { nodes { title } } } }
      fragment F on PullRequest { commits(first:50){ nodes { commit { oid } } } ... on PullRequest { labels(first:3){ nodes { name } } } }`;
    const r = both(q, { variables: { skip: true } });
    assert.equal(r.requests, 1 + 10 + 10);
    assert.equal(r.nodeCount, 10 + 500 + 30);
    assert.equal(both(q, { variables: { skip: false } }).requests, 22);
  });

  it('a totalCount-only connection is one request and no nodes (needs the schema to be seen)', () => {
    const q = '{ repository(owner:"a",name:"b"){ pullRequests { totalCount } } }';
    assert.equal(computeCost(q).requests, 0);
    const r = computeCost(q, { schema });
    assert.equal(r.requests, 1);
    assert.equal(r.nodeCount, 0);
    assert.equal(r.cost, 1);
  });

  it('rounds to the nearest whole number (149 → 1, 150 → 2)', () => {
    const q = (n) => `{ repository(owner:"a",name:"b"){ pullRequests(first:${n}){ nodes { files(first:1){ totalCount } } } } }`;
    assert.equal(both(q(48)).requests, 49); // 1 + 48
    assert.equal(both(q(100)).cost, 1); // 101 → 1.01 → 1
    const r = both(`{ repository(owner:"a",name:"b"){ pullRequests(first:100){ nodes {
      files(first:1){ totalCount } reviews(first:1){ totalCount } } } } }`);
    assert.equal(r.requests, 201);
    assert.equal(r.cost, 2);
  });

  it('reports each connection it counted', () => {
    const r = computeCost(ONE_PR, { variables: { o: 'a', r: 'b', n: 1 }, schema });
    assert.deepEqual(r.connections.map((c) => c.path), [
      'repository.pullRequest.files', 'repository.pullRequest.reviews', 'repository.pullRequest.comments',
    ]);
  });
});

describe('computeCost: the capture client\'s GraphQL path', () => {
  // 24 PRs by alias, each with its first-level connections, a totalCount-only
  // commits connection and the first comments of its first 5 review threads.
  const prBlock = (n) => `pr${n}: pullRequest(number: ${n}) { number fullDatabaseId title
    files(first: 100) { totalCount pageInfo { hasNextPage endCursor } nodes { path additions deletions changeType } }
    reviews(first: 100) { totalCount pageInfo { hasNextPage endCursor } nodes { fullDatabaseId state submittedAt } }
    comments(first: 100) { totalCount pageInfo { hasNextPage endCursor } nodes { fullDatabaseId body } }
    commits { totalCount }
    reviewThreads(first: 5) { totalCount pageInfo { hasNextPage endCursor } nodes { id
      comments(first: 100) { totalCount pageInfo { hasNextPage endCursor } nodes { fullDatabaseId body } } } } }`;
  const BATCH = `query Batch($o: String!, $r: String!) { rateLimit { cost remaining resetAt }
    repository(owner: $o, name: $r) { ${Array.from({ length: 24 }, (_, i) => prBlock(i + 1)).join('\n')} } }`;

  it('24 aliased PRs: 24 × (files + reviews + comments + commits + reviewThreads + 5 × thread comments) = 240 requests → 2 points', () => {
    const r = computeCost(BATCH, { schema, variables: { o: 'a', r: 'b' } });
    assert.deepEqual(validate(schema, parse(BATCH)), []);
    assert.equal(r.requests, 24 * (1 + 1 + 1 + 1 + 1 + 5));
    assert.equal(r.cost, 2);
    assert.equal(r.nodeCount, 24 * (100 + 100 + 100 + 0 + 5 + 5 * 100));
    // commits { totalCount } counts as one request per PR and no nodes.
    const commits = r.connections.filter((c) => c.path.endsWith('.commits'));
    assert.equal(commits.length, 24);
    assert.ok(commits.every((c) => c.requests === 1 && c.nodes === 0));
  });

  // One page of the default branch's history with the PRs of each commit.
  const HISTORY = `query History($o: String!, $r: String!, $after: String, $since: GitTimestamp, $until: GitTimestamp) {
    rateLimit { cost remaining resetAt }
    repository(owner: $o, name: $r) { defaultBranchRef { name target { ... on Commit {
      history(first: 100, after: $after, since: $since, until: $until) { totalCount pageInfo { hasNextPage endCursor }
        nodes { oid message authoredDate committedDate additions deletions changedFilesIfAvailable url
          author { name email date user { login databaseId avatarUrl url } }
          committer { name email date user { login databaseId avatarUrl url } }
          associatedPullRequests(first: 5) { nodes { number merged baseRefName } } } } } } } } }`;

  it('a history page of 100 commits with associatedPullRequests(first: 5): 1 + 100 requests → 1 point, 600 nodes', () => {
    assert.deepEqual(validate(schema, parse(HISTORY)), []);
    const r = computeCost(HISTORY, { schema, variables: { o: 'a', r: 'b' } });
    assert.equal(r.requests, 101);
    assert.equal(r.cost, 1);
    assert.equal(r.nodeCount, 100 + 100 * 5);
    assert.deepEqual(r.connections.map((c) => [c.path, c.requests, c.nodes]), [
      ['repository.defaultBranchRef.target.history', 1, 100],
      ['repository.defaultBranchRef.target.history.nodes.associatedPullRequests', 100, 500],
    ]);
  });

  it('nodes(ids:) multiplies what is nested under it by the number of ids; node(id:) by one', () => {
    const ids = Array.from({ length: 24 }, (_, i) => `id${i}`);
    const inner = `... on PullRequestReviewThread { comments(first: 100) { nodes { fullDatabaseId } } }
      ... on PullRequest { files(first: 100) { nodes { path } } reviewThreads(first: 5) { nodes { comments(first: 100) { nodes { body } } } } }`;
    const viaVar = computeCost(`query($ids: [ID!]!) { nodes(ids: $ids) { ${inner} } }`, { schema, variables: { ids } });
    // Per id: thread comments 1, files 1, reviewThreads 1, 5 × thread comments.
    assert.equal(viaVar.requests, 24 * (1 + 1 + 1 + 5));
    assert.equal(viaVar.cost, 2);
    assert.equal(viaVar.nodeCount, 24 * (100 + 100 + 5 + 500));
    const literal = computeCost(`{ nodes(ids: [${ids.map((x) => `"${x}"`).join(', ')}]) { ${inner} } }`, { schema });
    assert.equal(literal.requests, viaVar.requests);
    assert.equal(computeCost(`{ nodes(ids: [${ids.map((x) => `"${x}"`).join(', ')}]) { ${inner} } }`).requests, viaVar.requests,
      'the same without the schema');
    const one = computeCost(`query($id: ID!, $c: String) { node(id: $id) { ... on PullRequestReviewThread {
      comments(first: 100, after: $c) { pageInfo { hasNextPage endCursor } nodes { fullDatabaseId } } } } }`, { schema, variables: { id: 'x' } });
    assert.equal(one.requests, 1);
    assert.equal(one.nodeCount, 100);
    assert.equal(one.cost, 1);
  });
});
