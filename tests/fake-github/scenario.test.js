// The scenario generator: deterministic, and the ground truth it produces obeys
// the rules GitHub's data obeys.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  commitFiles, defaultBranchCommits, findPull, generateScenario, graphqlLogin, HOSTILE, MERGEABLE_STATES, mergeability, nodeId,
  restUnlinkedUser, reviewThreads,
} from './scenario.js';

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const HUGE = { number: 3, files: 3000, reviews: 150, issueComments: 250, reviewThreads: 120 };
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

describe('generateScenario determinism', () => {
  it('same seed and options give byte-identical output', () => {
    const a = generateScenario({ seed: 7, now: NOW, special: [HUGE] });
    const b = generateScenario({ seed: 7, now: NOW, special: [HUGE] });
    assert.equal(JSON.stringify(a), JSON.stringify(b));
    assert.deepEqual(a, b);
  });

  it('a different seed gives different data', () => {
    const a = generateScenario({ seed: 1, now: NOW });
    const b = generateScenario({ seed: 2, now: NOW });
    assert.notEqual(JSON.stringify(a), JSON.stringify(b));
  });

  it('is plain JSON (round-trips unchanged)', () => {
    const a = generateScenario({ now: NOW });
    assert.deepEqual(JSON.parse(JSON.stringify(a)), a);
  });

  it('user ids depend on the login only, not on the seed or repository', () => {
    const ids = new Map();
    for (const [seed, name] of [[1, 'widgets'], [2, 'gadgets'], [3, 'widgets']]) {
      for (const u of generateScenario({ seed, name, now: NOW, users: 20 }).users) {
        if (ids.has(u.login)) assert.equal(ids.get(u.login), u.id, u.login);
        ids.set(u.login, u.id);
      }
    }
  });

  it('uses the defaults when options are undefined', () => {
    const s = generateScenario({ now: NOW, owner: undefined, prs: undefined });
    assert.equal(s.repo.full_name, 'acme/widgets');
    assert.equal(s.pulls.length, 20);
  });
});

describe('scenario invariants', () => {
  const scn = generateScenario({ seed: 1, now: NOW, special: [HUGE] });

  it('has the requested shape and repository fields', () => {
    assert.equal(scn.pulls.length, 20);
    assert.equal(scn.repo.full_name, 'acme/widgets');
    assert.equal(scn.repo.default_branch, 'main');
    assert.equal(scn.repo.owner.type, 'Organization');
    for (const k of ['id', 'node_id', 'name', 'full_name', 'owner', 'private', 'description', 'homepage', 'language',
      'stargazers_count', 'watchers_count', 'forks_count', 'open_issues_count', 'size', 'default_branch', 'fork',
      'archived', 'disabled', 'has_issues', 'has_projects', 'has_wiki', 'has_pages', 'has_downloads',
      'has_discussions', 'license', 'topics', 'created_at', 'updated_at', 'pushed_at', 'html_url']) {
      assert.ok(k in scn.repo, k);
    }
    assert.deepEqual(scn.pulls.map((p) => p.number), Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it('users: 12 distinct, a Bot with a [bot] login, ids below and above 2^31', () => {
    assert.equal(scn.users.length, 12);
    assert.equal(new Set(scn.users.map((u) => u.login)).size, 12);
    assert.equal(new Set(scn.users.map((u) => u.id)).size, 12);
    assert.ok(scn.users.some((u) => u.type === 'Bot' && u.login === 'dependabot[bot]'));
    assert.ok(scn.users.some((u) => u.id < 2 ** 31));
    assert.ok(scn.users.some((u) => u.id > 2 ** 31));
    assert.equal(graphqlLogin('dependabot[bot]'), 'dependabot');
    assert.equal(nodeId('User', 1), 'MDQ6VXNlcjE='); // as in GitHub's own examples
  });

  it('bigUserIds: false keeps every user id below 2^31', () => {
    const s = generateScenario({ now: NOW, bigUserIds: false, users: 20 });
    assert.ok(s.users.every((u) => u.id < 2 ** 31));
  });

  it('PR totals are the sums over files; counts match the lists', () => {
    for (const p of scn.pulls) {
      assert.equal(p.additions, p.files.reduce((s, f) => s + f.additions, 0), `#${p.number}`);
      assert.equal(p.deletions, p.files.reduce((s, f) => s + f.deletions, 0), `#${p.number}`);
      assert.equal(p.changed_files, p.files.length);
      assert.equal(p.commits, p.commits_list.length);
      assert.ok(p.commits >= 1);
      for (const f of p.files) assert.equal(f.changes, f.additions + f.deletions);
    }
  });

  it('file names are unique per PR; renames carry previous_filename; statuses are GitHub\'s', () => {
    // GitHub never lists an 'unchanged' file in a PR (and GraphQL's PatchStatus has none).
    const statuses = new Set(['added', 'removed', 'modified', 'renamed', 'copied', 'changed']);
    for (const p of scn.pulls) {
      assert.equal(new Set(p.files.map((f) => f.filename)).size, p.files.length, `#${p.number}`);
      for (const f of p.files) {
        assert.ok(statuses.has(f.status), f.status);
        if (f.status === 'renamed') assert.equal(typeof f.previous_filename, 'string');
        if (f.status !== 'renamed' && f.status !== 'copied') assert.equal('previous_filename' in f, false);
      }
    }
    assert.ok(scn.pulls.some((p) => p.files.length === 0), 'a PR without files');
    assert.ok(findPull(scn, 1).files.some((f) => f.status === 'renamed'));
  });

  it('ids are unique, many above 2^32, all below 2^53; comments share one id space', () => {
    const prIds = scn.pulls.map((p) => p.id);
    const reviewIds = scn.pulls.flatMap((p) => p.reviews.map((r) => r.id));
    const commentIds = scn.pulls.flatMap((p) => [...p.issue_comments, ...p.review_comments].map((c) => c.id));
    for (const ids of [prIds, reviewIds, commentIds]) {
      assert.equal(new Set(ids).size, ids.length);
      assert.ok(ids.every((id) => Number.isSafeInteger(id) && id > 0));
    }
    assert.ok(prIds.every((id) => id > 2 ** 31), 'PR ids overflow a signed 32-bit int');
    assert.ok(reviewIds.every((id) => id > 2 ** 32));
    assert.ok(commentIds.every((id) => id > 2 ** 32));
  });

  it('timestamps are GitHub-formatted and ordered', () => {
    for (const p of scn.pulls) {
      for (const t of [p.created_at, p.updated_at]) assert.match(t, ISO);
      assert.ok(p.created_at <= p.updated_at);
      assert.ok(Date.parse(p.updated_at) <= NOW);
      if (p.state === 'closed') {
        assert.match(p.closed_at, ISO);
        assert.ok(p.closed_at >= p.created_at && p.closed_at <= p.updated_at);
      } else assert.equal(p.closed_at, null);
      if (p.merged) {
        assert.equal(p.state, 'closed');
        assert.equal(p.merged_at, p.closed_at);
        assert.equal(typeof p.merged_by, 'string');
      } else assert.equal(p.merged_at, null);
      for (const c of [...p.issue_comments, ...p.review_comments]) {
        assert.match(c.created_at, ISO);
        assert.ok(c.created_at <= c.updated_at);
        assert.ok(c.updated_at <= p.updated_at);
      }
      for (const r of p.reviews) {
        if (r.state === 'PENDING') assert.equal(r.submitted_at, null);
        else assert.match(r.submitted_at, ISO);
      }
    }
  });

  it('covers draft, open, closed-unmerged and merged PRs, and a PENDING review', () => {
    assert.ok(scn.pulls.some((p) => p.draft && p.state === 'open'));
    assert.ok(scn.pulls.some((p) => !p.draft && p.state === 'open'));
    assert.ok(scn.pulls.some((p) => p.state === 'closed' && !p.merged));
    assert.ok(scn.pulls.some((p) => p.merged));
    assert.ok(scn.pulls.some((p) => p.reviews.some((r) => r.state === 'PENDING')));
    assert.ok(scn.pulls.some((p) => p.user === 'dependabot[bot]'));
  });

  it('lists are in id (= time) order', () => {
    const sorted = (a) => a.every((x, i) => i === 0 || a[i - 1].id < x.id);
    for (const p of scn.pulls) {
      assert.ok(sorted(p.reviews));
      assert.ok(sorted(p.issue_comments));
      assert.ok(sorted(p.review_comments));
      const rc = p.reviews.filter((r) => r.submitted_at);
      assert.ok(rc.every((r, i) => i === 0 || rc[i - 1].submitted_at <= r.submitted_at));
    }
  });

  it('review comments form valid threads attached to submitted reviews', () => {
    for (const p of scn.pulls) {
      const byId = new Map(p.review_comments.map((c) => [c.id, c]));
      const reviews = new Map(p.reviews.map((r) => [r.id, r]));
      for (const c of p.review_comments) {
        const review = reviews.get(c.pull_request_review_id);
        assert.ok(review, `comment ${c.id} belongs to a review of #${p.number}`);
        assert.notEqual(review.state, 'PENDING');
        assert.equal(review.user, c.user);
        if (c.in_reply_to_id === undefined) continue;
        const head = byId.get(c.in_reply_to_id);
        assert.ok(head, 'reply points into the same PR');
        assert.equal(head.in_reply_to_id, undefined, 'reply points at the thread head');
        assert.equal(head.thread, c.thread);
        assert.equal(head.path, c.path);
        assert.ok(head.id < c.id);
      }
      const threads = reviewThreads(p);
      assert.equal(threads.reduce((s, t) => s + t.comments.length, 0), p.review_comments.length);
      threads.forEach((t, i) => {
        assert.equal(t.index, i);
        assert.equal(t.comments[0].in_reply_to_id, undefined);
      });
    }
  });

  it('special PRs get exactly the requested sizes', () => {
    const p = findPull(scn, 3);
    assert.equal(p.files.length, 3000);
    assert.equal(p.reviews.length, 150);
    assert.equal(p.issue_comments.length, 250);
    assert.equal(reviewThreads(p).length, 120);
    assert.ok(p.review_comments.length > 120);
  });

  it('places hostile text deterministically', () => {
    const p1 = findPull(scn, 1);
    assert.ok(p1.title.startsWith('::warning::'));
    assert.equal(p1.title, HOSTILE.title);
    for (const s of ['|', '<script>', '`', '\r\n', '%', '👩‍💻']) assert.ok(p1.body.includes(s), s);
    assert.equal(findPull(scn, 2).title.length, 256);
    assert.equal(findPull(scn, 2).body, null);
    assert.ok(p1.files.some((f) => f.filename.includes(' ')));
  });

  it('has a deleted-account comment, a fork PR and a deleted-fork PR', () => {
    assert.ok(scn.pulls.some((p) => p.issue_comments.some((c) => c.user === null)));
    assert.ok(scn.pulls.some((p) => p.head_repo && p.head_repo !== scn.repo.full_name));
    assert.ok(scn.pulls.some((p) => p.head_repo === null));
  });

  it('default branch = merge commits of merged PRs + direct commits, newest first', () => {
    const branch = defaultBranchCommits(scn);
    const merged = scn.pulls.filter((p) => p.merged);
    assert.equal(branch.length, merged.length + scn.direct_commits.length);
    assert.ok(branch.every((c, i) => i === 0 || branch[i - 1].committed_at >= c.committed_at));
    for (const p of merged) assert.equal(branch.find((c) => c.sha === p.merge_commit_sha).pull_number, p.number);
    assert.ok(branch.every((c) => /^[0-9a-f]{40}$/.test(c.sha)));
  });
});

describe('mergeability', () => {
  it('the default scenario has a PR of every kind: clean, dirty, unknown (null), blocked, behind, unstable, has_hooks, draft', () => {
    const scn = generateScenario({ now: NOW });
    const states = new Set(scn.pulls.map((p) => p.mergeable_state));
    for (const st of [...MERGEABLE_STATES, 'draft']) assert.ok(states.has(st), st);
    const open = scn.pulls.filter((p) => p.state === 'open' && !p.draft);
    assert.deepEqual(open.map((p) => p.mergeable_state), MERGEABLE_STATES.slice(0, open.length), 'open PRs first, in order');
    assert.ok(open.some((p) => p.mergeable === null && p.mergeable_state === 'unknown'), 'an open PR GitHub is still computing');
  });

  it('mergeable follows the state: dirty false, unknown null, others true; merged PRs null/unknown', () => {
    for (const p of generateScenario({ seed: 3, now: NOW, prs: 40 }).pulls) {
      if (p.merged) assert.deepEqual([p.mergeable, p.mergeable_state], [null, 'unknown']);
      else if (p.draft) assert.deepEqual([p.mergeable, p.mergeable_state], [true, 'draft']);
      else assert.equal(p.mergeable, p.mergeable_state === 'unknown' ? null : p.mergeable_state !== 'dirty', `#${p.number}`);
      assert.deepEqual(mergeability(p), { mergeable: p.mergeable, mergeable_state: p.mergeable_state });
    }
  });

  it('a PR built by hand without the fields: open → true/clean (draft: draft), otherwise null/unknown', () => {
    assert.deepEqual(mergeability({ state: 'open', draft: true }), { mergeable: true, mergeable_state: 'draft' });
    assert.deepEqual(mergeability({ state: 'open', draft: false }), { mergeable: true, mergeable_state: 'clean' }, 'a hand-built PR');
    assert.deepEqual(mergeability({ state: 'closed', draft: false }), { mergeable: null, mergeable_state: 'unknown' });
  });
});

describe('scenario options and commits', () => {
  it('no PR file is ever "unchanged"', () => {
    for (const seed of [1, 2, 3]) {
      const s = generateScenario({ seed, now: NOW, prs: 60, maxFiles: 30 });
      assert.ok(s.pulls.every((p) => p.files.every((f) => f.status !== 'unchanged')));
    }
  });

  it('renames: false leaves no renamed or copied file anywhere (PR #1 included)', () => {
    const s = generateScenario({ seed: 4, now: NOW, prs: 80, maxFiles: 40, renames: false, special: [{ number: 9, files: 3000 }] });
    const files = s.pulls.flatMap((p) => p.files);
    assert.ok(files.length > 3000);
    assert.ok(files.every((f) => f.status !== 'renamed' && f.status !== 'copied' && !('previous_filename' in f)));
    for (const c of defaultBranchCommits(s)) {
      assert.ok(commitFiles(c, s.pulls.find((p) => p.merge_commit_sha === c.sha)).every((f) => f.status !== 'renamed' && f.status !== 'copied'));
    }
    // The default keeps them.
    const d = generateScenario({ seed: 4, now: NOW, prs: 80, maxFiles: 40 });
    assert.ok(d.pulls.some((p) => p.files.some((f) => f.status === 'renamed')));
  });

  it('unlinkedCommits (default 2): direct commits by e-mails with no account, one even sha and one odd; nothing else moves', () => {
    for (const seed of [1, 2, 3, 11]) {
      const scn = generateScenario({ seed, now: NOW });
      const unlinked = defaultBranchCommits(scn).filter((c) => c.pull_number === null && c.author_login === null);
      assert.equal(unlinked.length, 2, `seed ${seed}`);
      for (const c of unlinked) {
        assert.equal(c.committer_login, null);
        assert.ok(!/users\.noreply\.github\.com$/.test(c.author_email), c.author_email);
      }
      assert.deepEqual(unlinked.map((c) => JSON.stringify(restUnlinkedUser(c.sha))).sort(), ['null', '{}']);
      // Made from a PRNG of their own: the rest of the scenario is what unlinkedCommits: 0 gives.
      const without = generateScenario({ seed, now: NOW, unlinkedCommits: 0 });
      assert.deepEqual(without.pulls, scn.pulls);
      assert.deepEqual(without.direct_commits, scn.direct_commits.filter((c) => !unlinked.includes(c) && !unlinked.some((u) => u.sha === c.sha)));
      assert.ok(without.direct_commits.every((c) => c.author_login !== null));
    }
    assert.equal(generateScenario({ now: NOW, unlinkedCommits: 5 }).direct_commits.filter((c) => c.author_login === null).length, 5);
    assert.deepEqual(restUnlinkedUser('a'.repeat(39) + 'e'), {});
    assert.equal(restUnlinkedUser('a'.repeat(39) + 'f'), null);
  });

  it('every commit has deterministic additions, deletions and changed_files; its files add up', () => {
    const s = generateScenario({ seed: 6, now: NOW, prs: 30 });
    const all = [...s.direct_commits, ...s.pulls.flatMap((p) => p.commits_list), ...s.pulls.filter((p) => p.merge_commit).map((p) => p.merge_commit)];
    for (const c of all) {
      for (const k of ['additions', 'deletions', 'changed_files']) assert.ok(Number.isInteger(c[k]) && c[k] >= 0, `${c.sha} ${k}`);
      const pr = s.pulls.find((p) => p.merge_commit_sha === c.sha) ?? null;
      const files = commitFiles(c, pr);
      assert.equal(files.length, c.changed_files);
      assert.equal(files.reduce((t, f) => t + f.additions, 0), c.additions);
      assert.equal(files.reduce((t, f) => t + f.deletions, 0), c.deletions);
      assert.equal(new Set(files.map((f) => f.filename)).size, files.length);
      assert.deepEqual(commitFiles(c, pr), files, 'deterministic');
    }
    for (const p of s.pulls.filter((x) => x.merged)) {
      const m = p.merge_commit;
      assert.deepEqual([m.additions, m.deletions, m.changed_files], [p.additions, p.deletions, p.changed_files], 'a squash merge');
      assert.equal(commitFiles(m, p), p.files);
    }
    assert.ok(all.some((c) => c.changed_files > 6), 'some larger commits');
  });

  it('special: huge sizes, and a review thread of over 100 comments', () => {
    const s = generateScenario({
      seed: 8, now: NOW, prs: 12,
      special: [
        { number: 2, files: 3000, reviews: 150, issueComments: 250, reviewThreads: 120, reviewComments: 300 },
        { number: 6, reviewThreads: 1, reviewComments: 140 },
        { number: 9, reviewThreads: 3, reviewComments: 330, reviews: 2, state: 'merged' },
      ],
    });
    const p2 = findPull(s, 2);
    assert.deepEqual([p2.files.length, p2.reviews.length, p2.issue_comments.length, reviewThreads(p2).length, p2.review_comments.length],
      [3000, 150, 250, 120, 300]);
    assert.deepEqual(reviewThreads(findPull(s, 6)).map((t) => t.comments.length), [140]);
    const p9 = findPull(s, 9);
    assert.equal(p9.review_comments.length, 330); // so one thread has ≥ 110
    assert.equal(reviewThreads(p9).length, 3);
    assert.ok(reviewThreads(p9).some((t) => t.comments.length > 100));
    for (const p of [findPull(s, 6), p9]) {
      const reviews = new Set(p.reviews.filter((r) => r.state !== 'PENDING').map((r) => r.id));
      assert.ok(p.review_comments.every((c) => reviews.has(c.pull_request_review_id)));
    }
  });

  it('a 1,000-PR scenario with up to 100 files, reviews and comments each generates in under 3 s', () => {
    const t0 = performance.now();
    const s = generateScenario({ seed: 3, now: NOW, prs: 1000, maxFiles: 100, maxReviews: 100, maxIssueComments: 100, maxReviewComments: 100 });
    const ms = performance.now() - t0;
    assert.equal(s.pulls.length, 1000);
    assert.ok(s.pulls.reduce((t, p) => t + p.files.length, 0) > 40_000);
    assert.ok(s.pulls.reduce((t, p) => t + p.review_comments.length, 0) > 40_000);
    assert.ok(ms < 3000, `took ${Math.round(ms)} ms`);
  });
});
