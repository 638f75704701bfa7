// Answers real GitHub sends that our fakes used not to (issue 9's outside review,
// made against GitHub's OpenAPI description and an independent GraphQL server):
// each test is one defect the review found, and fails on the binary before its fix
// (run it with PC_BIN pointing at an older build to see).
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startRig, TOKEN, STORE } from '../lib/rig.js';
import { dumpDatabase } from '../lib/dump.js';
import { expectedReviews, expectedComments, expectedFileRows } from '../lib/truth.js';
import { FAULTS } from '../fake-github/server.js';
import { generateScenario } from '../fake-github/scenario.js';
import { wellFormed } from '../fake-github/helpers.js';

const SCALE = 0.02;
const env = { PROGRESSIVE_CAPTURE_BACKOFF_SCALE: String(SCALE) };
const plain = (s) => s.replace(/\\(.)/g, '$1'); // the summary is Markdown
const nowS = () => Math.floor(Date.now() / 1000);

let rig;
let other; // another host: it must never see a request, let alone a token
before(async () => {
  rig = await startRig('real-answers', {
    scenario: { seed: 909, prs: 8, maxFiles: 6, maxReviews: 3, maxIssueComments: 3, maxReviewComments: 3 },
  });
  other = { hits: [], server: http.createServer((req, res) => {
    other.hits.push({ url: req.url, authorization: req.headers.authorization ?? null });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('[]');
  }) };
  await new Promise((r) => other.server.listen(0, '127.0.0.1', r));
  other.url = `http://127.0.0.1:${other.server.address().port}`;
});
after(async () => {
  await new Promise((r) => other?.server.close(r));
  await rig?.close();
});

beforeEach(async () => {
  rig.gh.clearFaults();
  rig.gh.setGraphql?.(true);
  for (const r of ['core', 'graphql']) rig.gh.setRateLimit(TOKEN, r, { remaining: 5000, reset: nowS() + 3600 });
  await rig.db.truncateAll();
  rig.clearLogs();
  other.hits.length = 0;
});

const numbers = () => rig.scn.pulls.map((p) => p.number);
async function captured() {
  const d = await dumpDatabase(rig.db);
  return d.pull_requests.map((p) => p.number).sort((a, b) => a - b);
}
async function marked() {
  const rows = await rig.db.query('select distinct number from pull_request_captures order by number');
  return rows.map((x) => Number(x.number));
}
const graphqlRequests = () => rig.gh.log.filter((x) => x.route === '/graphql');

test('a commit whose e-mail matches no account ("author": {}) is stored with no author, and the run completes', async () => {
  // The default scenario sends {} for some unlinked commits and null for others (both forms).
  const unlinked = rig.scn.direct_commits.filter((c) => c.author_login == null);
  assert.ok(unlinked.length >= 2, 'the scenario has commits by e-mails with no account');
  // And one commit whose author date GitHub left out: it takes the committer's.
  const sha = unlinked[0].sha;
  rig.gh.addFault({ method: 'GET', path: new RegExp(`/commits/${sha}$`), times: 5,
    rewrite: (body) => { delete body.commit.author.date; } });
  const r = await rig.run({ command: 'commit-analysis', api: 'rest', 'time-range': '3650' }, { env });
  assert.equal(r.code, 0, r.log);
  for (const c of unlinked) {
    const [row] = await rig.db.query(
      `select author_id, authored_at, committed_at from commits where sha = '${c.sha}'`);
    assert.ok(row, `commit ${c.sha} is stored`);
    assert.equal(row.author_id, null);
    if (c.sha === sha) assert.deepEqual(row.authored_at, row.committed_at);
  }
});

test('a quiet repository-sync (nothing updated in its window) completes, under the sanitizers too', async () => {
  // Every PR last updated ten days ago or more: a one-day sync lists none of them. (A
  // re-sync is not quiet: the newest PR sits at the watermark and is listed again.)
  const old = generateScenario({ seed: 912, owner: 'acme', name: 'quiet', prs: 4, now: Date.now() - 10 * 86400_000 });
  rig.gh.setScenario(old);
  const r = await rig.run({ command: 'repository-sync', repository: 'acme/quiet', 'time-range': '1' }, { env });
  assert.equal(r.code, 0, r.log);
  assert.equal(r.outputs.processed, '0');
  assert.doesNotMatch(r.log, /runtime error|AddressSanitizer/);
  const [job] = await rig.db.query(
    `select status from progressive_capture_jobs where id = '${r.outputs['job-id']}'`);
  assert.equal(job.status, 'completed');
});

test('a next page on another host is not followed, and the token never goes there', async () => {
  rig.gh.addFault({ method: 'GET', path: `/repos/${rig.repository}/pulls/2/files`,
    rewriteHeaders: (h) => ({ ...h, link: `<${other.url}/steal?page=2>; rel="next"` }) });
  rig.gh.addFault({ method: 'GET', path: `/repos/${rig.repository}/pulls/3`,
    status: 307, headers: { location: `${other.url}/repos/x` }, body: { message: 'Moved' } });
  const r = await rig.run({ command: 'pr-details', api: 'rest', 'pr-numbers': '1-4' }, { env });
  assert.equal(r.code, 1, r.log);
  assert.deepEqual(other.hits, []);
  const host = other.url.replace('http://', '');
  assert.match(r.log, new RegExp(`#2: .*next page is on another host '${host}'`));
  assert.match(r.log, new RegExp(`#3: .*redirected to another host '${host}'`));
  // #2's row was written before its files failed; it is not marked captured, so it stays lacking.
  assert.deepEqual(await marked(), [1, 4]);
});

test('an answer for another pull request than the one asked for fails that PR alone and writes nothing of it', async () => {
  rig.gh.addFault({ method: 'GET', path: `/repos/${rig.repository}/pulls/1`, rewrite: (b) => { b.number = 2; } });
  const rest = await rig.run({ command: 'pr-all', api: 'rest', 'pr-numbers': '1,3' }, { env });
  assert.equal(rest.code, 1, rest.log);
  assert.match(rest.log, /#1: GET \/repos\/[^ ]+\/pulls\/1: the answer is pull request #2, not #1/);
  assert.doesNotMatch(rest.log, /pull request #1: pull request #1/);
  assert.deepEqual(await captured(), [3]);

  await rig.db.truncateAll();
  rig.gh.addFault({ graphql: true, rewrite: (b) => {
    if (b.data?.repository?.p1) b.data.repository.p1.number = 2;
  } });
  const gql = await rig.run({ command: 'pr-all', 'pr-numbers': '1,3' }, { env });
  assert.equal(gql.code, 1, gql.log);
  assert.match(gql.log, /#1: GitHub answered with pull request #2/);
  assert.deepEqual(await captured(), [3]);
});

test('one malformed item of a list fails alone; the others are captured and the watermark stays before it', async () => {
  // repository-sync: a PR of the list with a number GitHub cannot have.
  rig.gh.addFault({ method: 'GET', path: new RegExp('/pulls$'), times: 10, rewrite: (list) => {
    if (Array.isArray(list) && list.length > 2) list[1].number = 99999999999;
  } });
  const sync = await rig.run({ command: 'repository-sync', 'time-range': '3650' }, { env });
  assert.equal(sync.code, 1, sync.log);
  assert.equal(sync.outputs.failed, '1');
  assert.match(sync.log, /number 99999999999 out of range/);
  assert.equal((await captured()).length, rig.scn.pulls.length - 1);
  assert.equal(await rig.db.count('capture_watermarks', "stream = 'pulls'"), 0, 'the watermark did not move');

  // The repository-wide conversation comments: one unreadable, the watermark held before it.
  rig.gh.clearFaults();
  const comments = rig.scn.pulls.flatMap((p) => p.issue_comments).sort((a, b) => a.updated_at.localeCompare(b.updated_at));
  const bad = comments[Math.floor(comments.length / 2)];
  rig.gh.addFault({ method: 'GET', path: new RegExp('/issues/comments$'), times: 10, rewrite: (list) => {
    for (const c of list) if (c.id === bad.id) c.created_at = 'yesterday';
  } });
  const prc = await rig.run({ command: 'pr-comments', 'time-range': '3650' }, { env });
  assert.equal(prc.code, 1, prc.log);
  assert.match(prc.log, new RegExp(`comment ${bad.id}: field 'created_at' is not a time stamp`));
  const [w] = await rig.db.query(`select watermark from capture_watermarks where stream = 'issue_comments'`);
  assert.ok(w && new Date(w.watermark) < new Date(bad.updated_at), 'the watermark stays before the bad comment');
  // The next run reads it again, and now takes it.
  rig.gh.clearFaults();
  const again = await rig.run({ command: 'pr-comments', 'time-range': '3650' }, { env });
  assert.equal(again.code, 0, again.log);
  assert.equal(await rig.db.count('comments', `github_id = ${bad.id}`), 1);

  // commit-analysis over REST: one commit of the list without its sha.
  rig.gh.addFault({ method: 'GET', path: new RegExp('/commits$'), times: 10, rewrite: (list) => {
    if (Array.isArray(list) && list.length > 1) delete list[0].sha;
  } });
  const ca = await rig.run({ command: 'commit-analysis', api: 'rest', 'time-range': '3650' }, { env });
  assert.equal(ca.code, 1, ca.log);
  assert.equal(ca.outputs.failed, '1');
  assert.ok(Number(ca.outputs.processed) > 0, ca.log);
});

test('a GitHub without a GraphQL endpoint: api auto reads over REST with a warning, api graphql says so once', async () => {
  rig.gh.setGraphql(false);
  const auto = await rig.run({ command: 'pr-all', 'pr-numbers': '1-4' }, { env });
  assert.equal(auto.code, 0, auto.log);
  assert.match(auto.log, /::warning::GitHub has no GraphQL endpoint here/);
  assert.deepEqual(await captured(), [1, 2, 3, 4]);
  assert.equal(graphqlRequests().length, 1, 'asked once, then REST');

  await rig.db.truncateAll();
  rig.clearLogs();
  const gql = await rig.run({ command: 'pr-all', api: 'graphql', 'pr-numbers': '1-4' }, { env });
  assert.equal(gql.code, 1, gql.log);
  assert.equal((gql.log.match(/::error::/g) || []).length, 1, gql.log);
  assert.match(gql.log, /GitHub has no GraphQL endpoint here \(use api: rest\)/);

  const ca = await rig.run({ command: 'commit-analysis', 'time-range': '3650' }, { env });
  assert.equal(ca.code, 0, ca.log);
  assert.ok(Number(ca.outputs.processed) > 0);
});

test('messages: no doubled prefix, the request named, and an error page quoted by its words', async () => {
  rig.gh.addFault({ method: 'GET', path: `/repos/${rig.repository}/pulls/1/reviews`, rewrite: (list) => {
    if (list.length > 0) list[0].user.id = 0;
  } });
  rig.gh.addFault({ method: 'GET', path: `/repos/${rig.repository}/pulls/2`, status: 403,
    text: '<html><head><title>Access denied by the corporate proxy</title></head><body>…</body></html>',
    contentType: 'text/html' });
  const r = await rig.run({ command: 'pr-all', api: 'rest', 'pr-numbers': '1,2' }, { env });
  assert.equal(r.code, 1, r.log);
  assert.doesNotMatch(r.log, /user: user:/);
  assert.match(r.log, /#1: review \d+: user: field 'id' is not positive \(0\)/);
  assert.match(r.log, /#2: GET \/repos\/[^ ]+\/pulls\/2: 403 Forbidden \(answer: Access denied by the corporate proxy\)/);
  assert.doesNotMatch(r.log, /\(no message\)/);
});

test('a host that does not resolve is named at once, and costs no points', async () => {
  const t0 = Date.now();
  const r = await rig.run({ command: 'pr-details', 'pr-numbers': '1', 'repository-id': null },
    { env: { ...env, GITHUB_API_URL: 'http://no-such-host.invalid', GITHUB_GRAPHQL_URL: 'http://no-such-host.invalid/graphql' } });
  assert.equal(r.code, 1, r.log);
  assert.ok(Date.now() - t0 < 10_000, `it took ${Date.now() - t0} ms`);
  assert.match(r.log, /cannot resolve host 'no-such-host\.invalid/);
  assert.equal(r.outputs['api-points'], '0');
});

test('the User-Agent names the repository the README publishes', async () => {
  const { readFileSync } = await import('node:fs');
  const { ROOT } = await import('../lib/runner.js');
  const readme = readFileSync(`${ROOT}/README.md`, 'utf8');
  const [, published] = /uses: ([\w.-]+\/[\w.-]+)@v1/.exec(readme);
  const r = await rig.run({ command: 'pr-details', 'pr-numbers': '1' }, { env });
  assert.equal(r.code, 0, r.log);
  const agents = new Set(rig.gh.log.map((x) => x.userAgent));
  assert.equal(agents.size, 1);
  assert.match([...agents][0], new RegExp(`^progressive-capture/\\S+ \\(\\+https://github\\.com/${published}\\)$`));
});

test('lone surrogates in titles and bodies are stored as U+FFFD; an answer that stays unreadable fails its one PR', async () => {
  const scn = generateScenario({ seed: 911, prs: 8, maxFiles: 3, maxReviews: 3, maxIssueComments: 3,
    maxReviewComments: 3, loneSurrogates: true });
  rig.gh.setScenario(scn);
  const keep = rig.scn;
  rig.scn = scn;
  try {
    const repo = scn.repo.full_name;
    const r = await rig.run({ command: 'pr-all', repository: repo, 'pr-numbers': '1-8' }, { env });
    assert.equal(r.code, 0, r.log);
    const titles = await rig.db.query('select number, title, body from pull_requests order by number');
    for (const p of scn.pulls)
      assert.equal(titles.find((t) => t.number === p.number).title, wellFormed(p.title));
    assert.ok(titles.some((t) => t.title.includes('\uFFFD')), 'a title had a lone surrogate');
    assert.ok(graphqlRequests().length <= 3, `fetched once: ${graphqlRequests().length} queries`);

    // An answer that cannot be read whenever PR #3 is in the query: split until #3 fails alone.
    await rig.db.truncateAll();
    rig.clearLogs();
    rig.gh.addFault({ graphql: true, times: 100,
      rewriteText: (text, info) => (/\bp3:/.test(info.graphqlQuery ?? '') ? text.slice(0, text.length / 2) : text) });
    const split = await rig.run({ command: 'pr-details', repository: repo, 'pr-numbers': '1-8' }, { env });
    assert.equal(split.code, 1, split.log);
    assert.equal(split.outputs.failed, '1');
    assert.match(split.log, /#3: .*invalid JSON/);
    assert.deepEqual(await captured(), [1, 2, 4, 5, 6, 7, 8]);
    // 1-8, 1-4, 1-2, 3-4, 3 (twice), 4, 5-8: halves until the one PR at fault.
    assert.equal(graphqlRequests().length, 8, graphqlRequests().map((x) => x.operation).join(' '));
    // Every answer GitHub charged is in the points, the unreadable ones too.
    const charged = rig.gh.log.reduce((n, x) => n + x.cost, 0);
    assert.equal(Number(split.outputs['api-points']), charged);
  } finally {
    rig.gh.setScenario(keep);
    rig.scn = keep;
  }
});

test('nulls from GitHub: hidden items are skipped and counted, a null list is read over REST, nothing fails', async () => {
  const hidden = { reviews: [], comments: [] };
  const withAny = (what) => rig.scn.pulls.find((p) => p[what].length > 0).number;
  const [pf, pr, pc, pt] = [withAny('files'), withAny('reviews'), withAny('issue_comments'), withAny('review_comments')];
  rig.gh.addFault({ graphql: true, times: 1, rewrite: (b) => {
    const repo = b.data?.repository;
    if (!repo) return;
    repo[`p${pf}`].files = null; // the whole list: read over REST
    const r = repo[`p${pr}`].reviews.nodes;
    hidden.reviews.push(r[0].fullDatabaseId);
    r[0] = null;
    const c = repo[`p${pc}`].comments.nodes;
    hidden.comments.push(c[0].fullDatabaseId);
    c[0].fullDatabaseId = null;
    const t = repo[`p${pt}`].reviewThreads.nodes;
    hidden.comments.push(...t[0].comments.nodes.map((x) => x.fullDatabaseId));
    t[0] = null;
  } });
  const all = [...new Set([pf, pr, pc, pt])].sort((a, b) => a - b);
  const r = await rig.run({ command: 'pr-all', 'pr-numbers': all.join(',') }, { env });
  assert.equal(r.code, 0, r.log);
  const d = await dumpDatabase(rig.db);
  assert.deepEqual(d.pull_request_files, expectedFileRows(rig.scn, all));
  assert.ok(rig.gh.log.some((x) => x.route === 'GET /repos/{owner}/{repo}/pulls/{pull_number}/files'),
    'the null file list was read over REST');
  assert.deepEqual(d.reviews, expectedReviews(rig.scn, all).filter((x) => !hidden.reviews.includes(x.github_id)));
  assert.deepEqual(d.comments.map((x) => x.github_id),
    expectedComments(rig.scn, all).map((x) => x.github_id).filter((id) => !hidden.comments.includes(id)));
  assert.match(plain(r.summary), /GitHub answered 3 items as null \(not visible to this token\): not stored\./);
});

test('a GraphQL rate limit of the newer type (RATE_LIMIT, remaining not 0) is a spent budget, waited for', async () => {
  rig.gh.addFault({ graphql: true, ...FAULTS.graphqlRateLimited({ type: 'RATE_LIMIT', remaining: 37 }) });
  const r = await rig.run({ command: 'pr-all', 'pr-numbers': '1-6' }, { env });
  assert.equal(r.code, 0, r.log);
  assert.deepEqual(await captured(), [1, 2, 3, 4, 5, 6]);
  assert.match(plain(r.summary), /1 waits for a reset/);
  assert.doesNotMatch(r.log, /not found over GraphQL/);
});

test('huge answers: continuations are sized to stay near 8 MiB, and memory stays bounded', { timeout: 180_000 }, async () => {
  // Ten PRs of 200 conversation comments, 20 kB each: the first pages come in the batch
  // (20 MB), the second pages are ten continuations, 20 MB if asked for at once.
  const special = Array.from({ length: 10 }, (_, i) => ({ number: i + 1, issueComments: 200, reviews: 0, bodyBytes: 20_000 }));
  const big = generateScenario({ seed: 913, prs: 10, maxFiles: 1, maxReviews: 0, maxIssueComments: 0, special });
  rig.gh.setScenario(big);
  const keep = rig.scn;
  rig.scn = big;
  try {
    const r = await rig.run({ command: 'pr-comments', repository: big.repo.full_name, 'pr-numbers': '1-10' },
      { env, wrap: ['/usr/bin/time', '-f', 'maxrss=%M'] });
    assert.equal(r.code, 0, r.log);
    assert.equal(await rig.db.count('comments', "comment_type = 'issue_comment'"), 2000);
    const pages = graphqlRequests().filter((x) => x.operation === 'PullRequestPages').map((x) => x.bytes);
    const batch = Math.max(...graphqlRequests().filter((x) => x.operation === 'PullRequests').map((x) => x.bytes));
    assert.ok(pages.length >= 2, `the pages came in ${pages.length} queries`);
    assert.ok(Math.max(...pages) < 10 * 1024 * 1024, `the largest continuation answer was ${Math.max(...pages)} bytes`);
    // Peak memory follows the largest answer (here the first batch's), not the sum of them.
    // A sanitizer build (PC_BIN) keeps shadow memory of its own.
    const rss = Number(/maxrss=(\d+)/.exec(r.stderr)?.[1]) * 1024;
    if (!process.env.PC_BIN) assert.ok(rss > 0 && rss < 3 * batch + 16 * 1024 * 1024, `peak RSS ${rss} bytes, largest answer ${batch}`);
  } finally {
    rig.gh.setScenario(keep);
    rig.scn = keep;
  }
});

test('an empty repository has no commits: commit-analysis completes with 0, over both APIs', async () => {
  const empty = generateScenario({ seed: 914, owner: 'acme', name: 'empty', empty: true });
  rig.gh.setScenario(empty);
  for (const api of ['graphql', 'rest']) {
    const r = await rig.run({ command: 'commit-analysis', repository: 'acme/empty', api }, { env });
    assert.equal(r.code, 0, `${api}: ${r.log}`);
    assert.equal(r.outputs.processed, '0');
  }
});

test('a repository that does not exist is one error, at once; a refused token names the input', async () => {
  const first = await rig.run({ command: 'pr-details', 'pr-numbers': '1' }, { env });
  assert.equal(first.code, 0, first.log);
  const [{ id }] = await rig.db.query('select id from repositories');
  // With its row known (repository-id), nothing asks GitHub about the repository before the PRs.
  await rig.db.query(`update repositories set full_name = 'acme/gone' where id = '${id}'`);
  for (const api of ['graphql', 'rest']) {
    rig.clearLogs();
    const r = await rig.run({ command: 'pr-details', repository: 'acme/gone', 'repository-id': id,
      'pr-numbers': '1-20', api }, { env });
    assert.equal(r.code, 1, r.log);
    assert.equal((r.log.match(/::error::/g) || []).length, 1, r.log);
    assert.match(r.log, /repository acme\/gone: GitHub does not have it, or the token cannot see it/);
    assert.ok(rig.gh.log.length <= 2, `${api}: ${rig.gh.log.length} requests`);
  }
  const bad = await rig.run({ command: 'pr-details', 'pr-numbers': '1', 'github-token': 'ghp_wrong_token' }, { env });
  assert.equal(bad.code, 1, bad.log);
  assert.match(bad.log, /401 Bad credentials: GitHub refused the token \(the github-token input, or GITHUB_TOKEN\)/);
});

test('the summary keeps its closing notes under a long PR table, and drops bidi controls from titles', { timeout: 180_000 }, async () => {
  const many = generateScenario({ seed: 915, owner: 'acme', name: 'many', prs: 600, maxFiles: 1, maxReviews: 0,
    maxIssueComments: 0, maxReviewComments: 0, maxCommits: 1,
    special: [{ number: 7, title: 'Looks safe \u202Egnp.exe\u202C \uFEFF and \u2066isolated\u2069' }] });
  many.pulls.forEach((p) => { if (p.number !== 7) p.title = `${'A long title that fills the table '.repeat(6)}${p.number}`; });
  rig.gh.setScenario(many);
  const r = await rig.run({ command: 'pr-details', repository: 'acme/many', 'time-range': '3650' }, { env });
  assert.equal(r.code, 0, r.log);
  const s = plain(r.summary);
  assert.equal((r.summary.match(/^\| \\#\d+ \|/gm) || []).length, 600, 'every PR has its row');
  assert.match(s, /GitHub: \d+ requests/);
  assert.match(s, /Store: /);
  assert.match(s, new RegExp(`Job ${r.outputs['job-id']}\\.`));
  assert.doesNotMatch(r.summary, /[\u202A-\u202E\u2066-\u2069\uFEFF]/);
  assert.match(s, /Looks safe gnp\.exe +and isolated/);
});
