// REST endpoints of the fake: GitHub's shapes, Link pagination, filters, caps.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { example } from './examples.js';
import { fetchAllPages, getJson, graphql, parseLinkHeader } from './helpers.js';
import { defaultBranchCommits, findPull, generateScenario, restUnlinkedUser } from './scenario.js';
import { startFakeGitHub } from './server.js';

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const scn = generateScenario({
  seed: 11, now: NOW,
  special: [
    { number: 3, files: 3000, reviews: 150, issueComments: 250, reviewThreads: 120 },
    { number: 9, files: 3100, commits: 260 },
  ],
});
let gh;
let R; // REST base of the repository

before(async () => {
  gh = await startFakeGitHub({ scenario: scn });
  R = `${gh.url}/repos/acme/widgets`;
});
after(() => gh.close());

const keys = (o) => Object.keys(o).sort();

describe('repository', () => {
  it('GET /repos/{o}/{r}: full-repository shape with the scenario values', async () => {
    const r = await getJson(R);
    assert.equal(r.status, 200);
    const ex = example('repository');
    delete ex.parent; // not a fork
    delete ex.source;
    ex.language = null; // GitHub sends it; this one example happens to lack it
    assert.deepEqual(keys(r.body), keys(ex));
    assert.equal(r.body.language, 'C');
    assert.equal(r.body.id, scn.repo.id);
    assert.equal(r.body.full_name, 'acme/widgets');
    assert.equal(r.body.owner.login, 'acme');
    assert.equal(r.body.owner.type, 'Organization');
    assert.equal(r.body.url, R);
    assert.equal(r.body.default_branch, 'main');
    assert.equal(r.body.license.spdx_id, 'MIT');
    assert.ok(!/api\.github\.com|octocat|Hello-World/i.test(r.text), 'no example leftovers');
  });

  it('is case-insensitive on owner/name; an unknown repository is GitHub\'s 404', async () => {
    assert.equal((await getJson(`${gh.url}/repos/ACME/Widgets`)).status, 200);
    const r = await getJson(`${gh.url}/repos/acme/nope`);
    assert.equal(r.status, 404);
    assert.equal(r.body.message, 'Not Found');
    assert.equal(r.body.status, '404');
    assert.match(r.body.documentation_url, /^https:\/\/docs\.github\.com\//);
    assert.equal((await getJson(`${R}/pulls/9999`)).status, 404);
    assert.equal((await getJson(`${gh.url}/no/such/endpoint`)).status, 404);
  });

  it('answers the /repositories/{id}/… form its Link headers use', async () => {
    const r = await getJson(`${gh.url}/repositories/${scn.repo.id}/pulls/1`);
    assert.equal(r.status, 200);
    assert.equal(r.body.number, 1);
  });
});

describe('pull request lists and Link pagination', () => {
  it('defaults: state=open, sort=created, direction=desc, 30 per page; "simple" shape', async () => {
    const r = await getJson(`${R}/pulls`);
    assert.equal(r.status, 200);
    const open = scn.pulls.filter((p) => p.state === 'open').map((p) => p.number).reverse();
    assert.deepEqual(r.body.map((p) => p.number), open);
    assert.equal(r.headers.get('link'), null, 'a single page has no Link header');
    const simple = r.body[0];
    assert.deepEqual(keys(simple), keys(example('pullSimple')));
    for (const k of ['additions', 'deletions', 'changed_files', 'commits', 'merged', 'mergeable', 'comments']) {
      assert.equal(k in simple, false, k);
    }
  });

  it('state, sort and direction', async () => {
    const all = await getJson(`${R}/pulls?state=all&per_page=100`);
    assert.equal(all.body.length, 20);
    const closed = await getJson(`${R}/pulls?state=closed&per_page=100`);
    assert.ok(closed.body.every((p) => p.state === 'closed'));
    const upd = await getJson(`${R}/pulls?state=all&sort=updated&per_page=100`);
    const times = upd.body.map((p) => p.updated_at);
    assert.deepEqual(times, [...times].sort(), 'sort=updated defaults to asc');
    const desc = await getJson(`${R}/pulls?state=all&sort=updated&direction=desc&per_page=100`);
    assert.deepEqual(desc.body.map((p) => p.number), upd.body.map((p) => p.number).reverse());
    assert.equal((await getJson(`${R}/pulls?state=bogus`)).status, 422);
  });

  it('Link header: GitHub\'s format, rel order prev/next/last/first, other params kept', async () => {
    const r = await getJson(`${R}/pulls?state=all&per_page=5&page=2`);
    const u = (p) => `${gh.url}/repositories/${scn.repo.id}/pulls?state=all&per_page=5&page=${p}`;
    assert.equal(r.headers.get('link'),
      `<${u(1)}>; rel="prev", <${u(3)}>; rel="next", <${u(4)}>; rel="last", <${u(1)}>; rel="first"`);
    const first = await getJson(`${R}/pulls?state=all&per_page=5`);
    assert.equal(first.headers.get('link'),
      `<${gh.url}/repositories/${scn.repo.id}/pulls?state=all&per_page=5&page=2>; rel="next", <${u(4)}>; rel="last"`);
  });

  it('following rel="next" collects every PR exactly once', async () => {
    const { items, pages, links } = await fetchAllPages(`${R}/pulls?state=all&per_page=3`);
    assert.equal(pages, 7);
    assert.deepEqual(items.map((p) => p.number).sort((a, b) => a - b), scn.pulls.map((p) => p.number));
    assert.equal(links.at(-1).next, undefined);
    assert.ok(links.at(-1).prev);
  });

  it('page past the end → [], per_page above 100 → 100', async () => {
    const r = await getJson(`${R}/pulls?state=all&per_page=10&page=9`);
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, []);
    assert.ok(parseLinkHeader(r.headers.get('link')).prev);
    const big = await getJson(`${R}/pulls/3/files?per_page=500`);
    assert.equal(big.body.length, 100);
  });
});

describe('pull request details', () => {
  it('GET /pulls/{n}: full shape with counters', async () => {
    for (const n of [1, 2, 4, 3]) {
      const p = findPull(scn, n);
      const { body } = await getJson(`${R}/pulls/${n}`);
      assert.deepEqual(keys(body), keys(example('pull')));
      assert.equal(body.id, p.id);
      assert.equal(body.title, p.title);
      assert.equal(body.body, p.body);
      assert.equal(body.state, p.state);
      assert.equal(body.draft, p.draft);
      assert.equal(body.merged, p.merged);
      assert.equal(body.merged_at, p.merged_at);
      assert.equal(body.additions, p.additions);
      assert.equal(body.deletions, p.deletions);
      assert.equal(body.changed_files, p.changed_files);
      assert.equal(body.commits, p.commits);
      assert.equal(body.comments, p.issue_comments.length);
      assert.equal(body.review_comments, p.review_comments.length);
      assert.equal(body.user.login, p.user);
      assert.equal(body.merged_by?.login ?? null, p.merged_by);
      assert.equal(body.base.ref, p.base_ref);
      assert.equal(body.head.ref, p.head_ref);
      assert.equal(body.head.sha, p.commits_list.at(-1).sha);
    }
  });

  it('bot authors keep "[bot]" and type Bot; fork and deleted-fork heads', async () => {
    const bot = scn.pulls.find((p) => p.user === 'dependabot[bot]');
    const b = (await getJson(`${R}/pulls/${bot.number}`)).body;
    assert.equal(b.user.login, 'dependabot[bot]');
    assert.equal(b.user.type, 'Bot');
    assert.equal(b.user.url, `${gh.url}/users/dependabot%5Bbot%5D`);
    const fork = scn.pulls.find((p) => p.head_repo && p.head_repo !== 'acme/widgets');
    const f = (await getJson(`${R}/pulls/${fork.number}`)).body;
    assert.equal(f.head.repo.full_name, fork.head_repo);
    assert.equal(f.head.repo.fork, true);
    const gone = scn.pulls.find((p) => p.head_repo === null);
    assert.equal((await getJson(`${R}/pulls/${gone.number}`)).body.head.repo, null);
  });

  it('files: 3000 files in 30 pages of 100, in the scenario order', async () => {
    const { items, pages, links } = await fetchAllPages(`${R}/pulls/3/files?per_page=100`);
    assert.equal(pages, 30);
    assert.equal(items.length, 3000);
    assert.match(links[0].last, /[?&]page=30$/);
    assert.deepEqual(items.map((f) => f.filename), findPull(scn, 3).files.map((f) => f.filename));
    assert.deepEqual(keys(items[0]).filter((k) => k !== 'previous_filename'), keys(example('file')).filter((k) => items[0].patch !== undefined || k !== 'patch'));
  });

  it('files never list more than 3000; PR commits never more than 250', async () => {
    assert.equal(findPull(scn, 9).files.length, 3100);
    const files = await fetchAllPages(`${R}/pulls/9/files?per_page=100`);
    assert.equal(files.items.length, 3000);
    assert.equal((await getJson(`${R}/pulls/9`)).body.changed_files, 3100);
    const commits = await fetchAllPages(`${R}/pulls/9/commits?per_page=100`);
    assert.equal(commits.items.length, 250);
    assert.equal(commits.pages, 3);
  });

  it('renamed files carry previous_filename; hostile names survive', async () => {
    const { body } = await getJson(`${R}/pulls/1/files`);
    const want = findPull(scn, 1).files;
    assert.deepEqual(body.map((f) => [f.filename, f.status, f.additions, f.deletions, f.changes, f.previous_filename]),
      want.map((f) => [f.filename, f.status, f.additions, f.deletions, f.changes, f.previous_filename]));
  });

  it('reviews: chronological, PENDING without submitted_at', async () => {
    const pr = scn.pulls.find((p) => p.reviews.some((r) => r.state === 'PENDING'));
    const { body } = await getJson(`${R}/pulls/${pr.number}/reviews`);
    assert.deepEqual(body.map((r) => r.id), pr.reviews.map((r) => r.id));
    const pending = body.find((r) => r.state === 'PENDING');
    assert.equal('submitted_at' in pending, false);
    const done = body.find((r) => r.state !== 'PENDING');
    assert.deepEqual(keys(done), keys(example('review')));
    const all = await fetchAllPages(`${R}/pulls/3/reviews?per_page=100`);
    assert.equal(all.items.length, 150);
  });

  it('review comments: thread heads have no in_reply_to_id, replies point at the head', async () => {
    const pr = scn.pulls.find((p) => p.review_comments.some((c) => c.in_reply_to_id));
    const { body } = await getJson(`${R}/pulls/${pr.number}/comments?per_page=100`);
    assert.deepEqual(body.map((c) => c.id), pr.review_comments.map((c) => c.id));
    for (const [i, c] of body.entries()) {
      const want = pr.review_comments[i];
      assert.equal(c.in_reply_to_id, want.in_reply_to_id);
      assert.equal('in_reply_to_id' in c, want.in_reply_to_id !== undefined);
      assert.equal(c.pull_request_review_id, want.pull_request_review_id);
      assert.equal(c.path, want.path);
      assert.equal(c.position, want.position);
      assert.equal(c.diff_hunk, want.diff_hunk);
    }
  });

  it('conversation comments, including one by a deleted account (user null)', async () => {
    const pr = scn.pulls.find((p) => p.issue_comments.some((c) => c.user === null));
    const { body } = await getJson(`${R}/issues/${pr.number}/comments`);
    assert.deepEqual(body.map((c) => c.id), pr.issue_comments.map((c) => c.id));
    assert.ok(body.some((c) => c.user === null));
    assert.deepEqual(keys(body[0]), keys(example('issueComment')));
    const big = await fetchAllPages(`${R}/issues/3/comments?per_page=100`);
    assert.equal(big.items.length, 250);
  });
});

describe('repository-wide lists', () => {
  it('/pulls/comments and /issues/comments honour since (updated_at ≥ since)', async () => {
    const since = '2025-12-20T00:00:00Z';
    const rc = await fetchAllPages(`${R}/pulls/comments?since=${since}&per_page=100`);
    const wantRc = scn.pulls.flatMap((p) => p.review_comments).filter((c) => c.updated_at >= since);
    assert.deepEqual(rc.items.map((c) => c.id), wantRc.map((c) => c.id).sort((a, b) => a - b));
    const ic = await fetchAllPages(`${R}/issues/comments?since=${since}&sort=updated&direction=desc&per_page=50`);
    const wantIc = scn.pulls.flatMap((p) => p.issue_comments).filter((c) => c.updated_at >= since);
    assert.equal(ic.items.length, wantIc.length);
    const upd = ic.items.map((c) => c.updated_at);
    assert.deepEqual(upd, [...upd].sort().reverse());
    assert.equal((await getJson(`${R}/issues/comments?since=yesterday`)).status, 422);
  });

  it('/commits: default branch newest first, since/until, associated PRs', async () => {
    const branch = defaultBranchCommits(scn);
    const all = await fetchAllPages(`${R}/commits?per_page=100`);
    assert.deepEqual(all.items.map((c) => c.sha), branch.map((c) => c.sha));
    const c0 = all.items[0];
    assert.deepEqual(keys(c0), keys(example('commit')));
    assert.equal(c0.commit.message, branch[0].message);
    assert.equal(c0.commit.committer.date, branch[0].committed_at);
    const since = branch[3].committed_at;
    const until = branch[1].committed_at;
    const part = await getJson(`${R}/commits?since=${since}&until=${until}`);
    assert.deepEqual(part.body.map((c) => c.sha), branch.filter((c) => c.committed_at >= since && c.committed_at <= until).map((c) => c.sha));

    const merged = branch.find((c) => c.pull_number);
    const direct = branch.find((c) => c.pull_number === null);
    assert.deepEqual((await getJson(`${R}/commits/${merged.sha}/pulls`)).body.map((p) => p.number), [merged.pull_number]);
    assert.deepEqual((await getJson(`${R}/commits/${direct.sha}/pulls`)).body, []);
    const inPr = findPull(scn, 2).commits_list[0].sha;
    assert.deepEqual((await getJson(`${R}/commits/${inPr}/pulls`)).body.map((p) => p.number), [2]);
    assert.equal((await getJson(`${R}/commits/${'f'.repeat(40)}/pulls`)).status, 422);
  });

  it('a commit e-mail with no GitHub account: REST author/committer {} (even sha) or null (odd)', async () => {
    const unlinked = defaultBranchCommits(scn).filter((c) => c.author_login === null);
    const forms = new Set();
    for (const c of unlinked) {
      const want = restUnlinkedUser(c.sha);
      const one = await getJson(`${R}/commits/${c.sha}`);
      assert.deepEqual([one.body.author, one.body.committer], [want, want], c.sha);
      assert.equal(one.body.commit.author.email, c.author_email, 'the git data keeps the e-mail');
      forms.add(JSON.stringify(want));
    }
    assert.deepEqual([...forms].sort(), ['null', '{}']);
    const list = await fetchAllPages(`${R}/commits?per_page=100`);
    for (const item of list.items) {
      const c = defaultBranchCommits(scn).find((x) => x.sha === item.sha);
      if (c.author_login === null) assert.deepEqual(item.author, restUnlinkedUser(c.sha));
      if (c.committer_login === null) assert.deepEqual(item.committer, restUnlinkedUser(c.sha), 'a merge commit by GitHub too');
      else assert.equal(item.committer.login, c.committer_login);
    }
    // PR commits (GET /pulls/{n}/commits) use the same shape.
    const pr = scn.pulls.find((p) => p.commits_list.length <= 250 && p.commits_list.some((c) => c.author_login === null));
    const commits = (await fetchAllPages(`${R}/pulls/${pr.number}/commits?per_page=100`)).items;
    for (const c of pr.commits_list.filter((x) => x.author_login === null)) {
      assert.deepEqual(commits.find((x) => x.sha === c.sha).author, restUnlinkedUser(c.sha));
    }
  });

  it('/users/{username} answers for scenario users, bots included', async () => {
    const r = await getJson(`${gh.url}/users/dependabot%5Bbot%5D`);
    assert.equal(r.status, 200);
    assert.equal(r.body.type, 'Bot');
    assert.equal(r.body.id, 49699333);
    assert.equal((await getJson(`${gh.url}/users/nobody-here`)).status, 404);
  });
});

describe('an empty repository (generateScenario({ empty: true }))', () => {
  const full = generateScenario({ seed: 3, now: NOW, prs: 4, name: 'full' });
  const empty = generateScenario({ seed: 3, now: NOW, name: 'void', empty: true });
  let two;
  before(async () => {
    two = await startFakeGitHub({ scenarios: [full, empty] });
  });
  after(() => two.close());

  it('has no pull requests and no commits; the repository is still there', () => {
    assert.deepEqual([empty.pulls, empty.direct_commits, defaultBranchCommits(empty)], [[], [], []]);
    assert.deepEqual([empty.repo.default_branch, empty.repo.size, empty.repo.pushed_at], ['main', 0, empty.repo.created_at]);
  });

  it('REST: the repository answers (default_branch main), /pulls is [], /commits is 409 "Git Repository is empty."', async () => {
    const E = `${two.url}/repos/acme/void`;
    const repo = await getJson(E);
    assert.deepEqual([repo.status, repo.body.default_branch, repo.body.size], [200, 'main', 0]);
    const pulls = await getJson(`${E}/pulls?state=all`);
    assert.deepEqual([pulls.status, pulls.body, pulls.headers.get('link')], [200, [], null]);
    for (const [path, anchor] of [['/commits', 'list-commits'], ['/commits?sha=main&per_page=100', 'list-commits'],
      ['/commits/main', 'get-a-commit'], [`/commits/${'a'.repeat(40)}/pulls`, 'list-pull-requests-associated-with-a-commit']]) {
      const r = await getJson(`${E}${path}`);
      assert.equal(r.status, 409, path);
      assert.deepEqual(r.body, { message: 'Git Repository is empty.', documentation_url: `https://docs.github.com/rest/commits/commits#${anchor}`, status: '409' });
      assert.equal(two.log.at(-1).cost, 1, 'charged like any routed answer');
    }
    assert.deepEqual((await getJson(`${E}/pulls/comments`)).body, []);
    assert.deepEqual((await getJson(`${E}/issues/comments`)).body, []);
    assert.equal((await getJson(`${E}/pulls/1`)).status, 404);
    // The repository beside it is served as usual.
    assert.equal((await getJson(`${two.url}/repos/acme/full/commits`)).body.length, defaultBranchCommits(full).length);
  });

  it('GraphQL: defaultBranchRef null, isEmpty true, no pull requests', async () => {
    const q = `query($n: String!) { repository(owner: "acme", name: $n) { isEmpty defaultBranchRef { name target { oid } }
      pullRequests(first: 10) { totalCount nodes { number } } } }`;
    const r = await graphql(two, q, { n: 'void' });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { data: { repository: { isEmpty: true, defaultBranchRef: null, pullRequests: { totalCount: 0, nodes: [] } } } });
    const f = await graphql(two, q, { n: 'full' });
    assert.equal(f.body.data.repository.isEmpty, false);
    assert.equal(f.body.data.repository.defaultBranchRef.name, 'main');
  });
});
