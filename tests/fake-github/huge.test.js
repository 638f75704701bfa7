// Huge answers: special[].bodyBytes makes every review, conversation comment and
// review comment body of a PR exactly N UTF-8 bytes, so one GraphQL page is megabytes
// and a continuation query (many connections in one request) tens of megabytes.
//
// The ~15 MB GraphQL answer below runs by default (~0.5 s). The 70 MB one runs with
// FAKE_GITHUB_HUGE=1 (~2.5 s and ~0.5 GB more RSS in this one process, server and
// client together; see the measures in that test).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getJson, ghHeaders } from './helpers.js';
import { generateScenario, reviewThreads } from './scenario.js';
import { startFakeGitHub } from './server.js';

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const MB = 1024 * 1024;
const bytes = (s) => Buffer.byteLength(s, 'utf8');

/** POST a GraphQL query; the raw answer's size, its parsed body, how long it took (to the headers, to the end). */
async function rawGraphql(gh, query, variables) {
  const t0 = performance.now();
  const res = await fetch(gh.graphqlUrl, {
    method: 'POST',
    headers: { ...ghHeaders(), 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const headersMs = performance.now() - t0; // the server has built the whole answer by then
  const buf = Buffer.from(await res.arrayBuffer());
  const ms = performance.now() - t0;
  assert.equal(res.status, 200);
  assert.equal(Number(res.headers.get('content-length')), buf.length);
  return { size: buf.length, body: JSON.parse(buf.toString('utf8')), ms, headersMs };
}

describe('special[].bodyBytes', () => {
  it('every review, conversation comment and review comment body of the PR is exactly N bytes; others untouched', () => {
    const base = { seed: 4, now: NOW, prs: 4 };
    const sp = { number: 2, reviews: 5, issueComments: 4, reviewThreads: 2, reviewComments: 6 };
    const plain = generateScenario({ ...base, special: [sp] });
    for (const n of [1, 17, 100, 4096, 65_537]) {
      const scn = generateScenario({ ...base, special: [{ ...sp, bodyBytes: n }] });
      const pr = scn.pulls[1];
      const bodies = [...pr.reviews, ...pr.issue_comments, ...pr.review_comments].map((x) => x.body);
      assert.equal(bodies.length, 15);
      assert.ok(bodies.every((b) => bytes(b) === n), `${n}: ${bodies.map(bytes)}`);
      assert.ok(bodies.every((b) => JSON.stringify(b).length === b.length + 2), 'nothing JSON must escape');
      if (n >= 100) {
        assert.equal(new Set(bodies).size, bodies.length, 'each body differs');
        assert.ok(bodies.every((b) => bytes(b) > b.length), 'multi-byte characters among the text');
        assert.ok(bodies[0].includes('🚀'));
      }
      // Deterministic, and nothing else moves.
      assert.deepEqual(generateScenario({ ...base, special: [{ ...sp, bodyBytes: n }] }), scn);
      assert.deepEqual(scn.pulls.filter((p) => p.number !== 2), plain.pulls.filter((p) => p.number !== 2));
      assert.deepEqual(pr.reviews.map((r) => [r.id, r.state]), plain.pulls[1].reviews.map((r) => [r.id, r.state]));
    }
    assert.throws(() => generateScenario({ ...base, special: [{ ...sp, bodyBytes: 0 }] }), /bodyBytes/);
  });
});

describe('huge answers', () => {
  const N = 50_000;
  const scn = generateScenario({
    seed: 4, now: NOW, prs: 3,
    special: [{ number: 2, state: 'open', reviews: 100, issueComments: 100, reviewThreads: 10, reviewComments: 100, bodyBytes: N }],
  });
  const pr = scn.pulls[1];
  let gh;
  before(async () => {
    gh = await startFakeGitHub({ scenario: scn });
  });
  after(() => gh.close());

  it('a ~15 MB GraphQL answer: 300 bodies of 50 kB in one query, as the scenario says', async () => {
    const q = `query($n: Int!) { repository(owner: "acme", name: "widgets") { pullRequest(number: $n) {
      reviews(first: 100) { nodes { fullDatabaseId body } }
      comments(first: 100) { nodes { fullDatabaseId body } }
      reviewThreads(first: 10) { nodes { comments(first: 100) { nodes { fullDatabaseId body } } } } } } }`;
    const r = await rawGraphql(gh, q, { n: 2 });
    // Measured: 15,012,964 bytes; ~0.4 s the first time (the schema is loaded), 140–200 ms after.
    assert.ok(r.size > 15_000_000 && r.size < 16 * MB, `${r.size} bytes in ${Math.round(r.ms)} ms`);
    assert.equal(gh.log.at(-1).bytes, r.size);
    const p = r.body.data.repository.pullRequest;
    assert.deepEqual(p.reviews.nodes.map((x) => x.body), pr.reviews.map((x) => x.body));
    assert.deepEqual(p.comments.nodes.map((x) => x.body), pr.issue_comments.map((x) => x.body));
    const rc = p.reviewThreads.nodes.flatMap((t) => t.comments.nodes);
    assert.deepEqual(rc.map((x) => x.body), reviewThreads(pr).flatMap((t) => t.comments.map((c) => c.body)));
    assert.ok([...p.reviews.nodes, ...p.comments.nodes, ...rc].every((x) => bytes(x.body) === N));
  });

  it('REST: a page of 100 reviews of 50 kB is 5 MB', async () => {
    const r = await getJson(`${gh.url}/repos/acme/widgets/pulls/2/reviews?per_page=100`);
    assert.equal(r.status, 200);
    assert.ok(Number(r.headers.get('content-length')) > 5_000_000);
    assert.deepEqual(r.body.map((x) => x.body), pr.reviews.map((x) => x.body));
  });

  it('a 70 MB continuation answer (FAKE_GITHUB_HUGE=1)', { skip: !process.env.FAKE_GITHUB_HUGE && 'set FAKE_GITHUB_HUGE=1' }, async (t) => {
    // 150 reviews and 250 comments of 175 kB; one query with five connections (pages
    // of the same two connections, as a client continuing several at once) → all 400.
    // Measured on the development container (Node 20.20, a loaded 2026 CI-class VM):
    // 70,016,926 bytes; the headers come after 0.85–1.25 s (execution, JSON.stringify
    // and Buffer.from of the whole answer), the last byte after 1.3–2.2 s; the test
    // takes 2.2–2.6 s; RSS grows by 400–530 MiB (the server's string and buffer, the
    // client's buffer, string and parsed copy). The server keeps serving afterwards.
    const big = generateScenario({
      seed: 4, now: NOW, prs: 3, name: 'huge',
      special: [{ number: 2, state: 'open', reviews: 150, issueComments: 250, bodyBytes: 175_000 }],
    });
    gh.setScenario(big);
    const rss0 = process.memoryUsage().rss;
    const cursor = (await rawGraphql(gh, `{ repository(owner: "acme", name: "huge") { pullRequest(number: 2) {
      comments(first: 100) { pageInfo { endCursor } } } } }`)).body.data.repository.pullRequest.comments.pageInfo.endCursor;
    const q = `query($c: String!) { repository(owner: "acme", name: "huge") { pullRequest(number: 2) {
      r1: reviews(first: 100) { nodes { fullDatabaseId body } }
      r2: reviews(last: 50) { nodes { fullDatabaseId body } }
      c1: comments(first: 100) { nodes { fullDatabaseId body } }
      c2: comments(first: 100, after: $c) { nodes { fullDatabaseId body } }
      c3: comments(last: 50) { nodes { fullDatabaseId body } } } } }`;
    const r = await rawGraphql(gh, q, { c: cursor });
    const rss = process.memoryUsage().rss;
    const p = r.body.data.repository.pullRequest;
    const all = [...p.r1.nodes, ...p.r2.nodes, ...p.c1.nodes, ...p.c2.nodes, ...p.c3.nodes];
    assert.equal(all.length, 400);
    assert.ok(all.every((x) => bytes(x.body) === 175_000));
    assert.equal(new Set(all.map((x) => x.fullDatabaseId)).size, 400);
    assert.ok(r.size > 70_000_000, `${(r.size / MB).toFixed(1)} MB`);
    t.diagnostic(`${r.size} bytes (${(r.size / MB).toFixed(1)} MiB): headers after ${Math.round(r.headersMs)} ms, `
      + `body after ${Math.round(r.ms)} ms; RSS +${Math.round((rss - rss0) / MB)} MiB`);
    // Still serving small requests afterwards.
    assert.equal((await getJson(`${gh.url}/repos/acme/huge/pulls/1`)).status, 200);
  });
});
