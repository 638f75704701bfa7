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
