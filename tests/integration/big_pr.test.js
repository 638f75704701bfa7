// Nothing past the first page is dropped: a PR with 3,000 files, 150 reviews,
// 250 conversation comments and 120 review threads, and a thread of more than
// 100 comments, captured whole over GraphQL (continuation queries) and REST.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRig } from '../lib/rig.js';
import { dumpDatabase } from '../lib/dump.js';
import { expectedReviews, expectedComments, expectedFileRows } from '../lib/truth.js';
import { reviewThreads } from '../fake-github/scenario.js';

let rig;
before(async () => {
  rig = await startRig('big_pr', {
    scenario: {
      seed: 44, prs: 3,
      special: [
        { number: 1, files: 3000, reviews: 150, issueComments: 250, reviewThreads: 120, reviewComments: 300 },
        { number: 2, reviewThreads: 2, reviewComments: 230 },
      ],
    },
  });
});
after(async () => { await rig?.close(); });

test('the scenario is as big as promised', () => {
  const [p1, p2] = rig.scn.pulls;
  assert.equal(p1.files.length, 3000);
  assert.equal(p1.reviews.length, 150);
  assert.equal(p1.issue_comments.length, 250);
  assert.equal(reviewThreads(p1).length, 120);
  assert.ok(reviewThreads(p2).some((t) => t.comments.length > 100));
});

for (const api of ['graphql', 'rest']) {
  test(`pr-all over ${api} captures every file, review, comment and thread`, async () => {
    await rig.db.truncateAll();
    rig.clearLogs();
    const r = await rig.run({ command: 'pr-all', api, 'pr-numbers': '1,2,3' });
    assert.equal(r.code, 0, r.log);
    const d = await dumpDatabase(rig.db);
    const all = [1, 2, 3];
    assert.deepEqual(d.pull_request_files, expectedFileRows(rig.scn, all));
    assert.deepEqual(d.reviews, expectedReviews(rig.scn, all));
    assert.deepEqual(d.comments, expectedComments(rig.scn, all));
    if (api === 'graphql') {
      const q = rig.gh.log.filter((e) => e.resource === 'graphql');
      const pages = q.filter((e) => e.operation === 'PullRequestPages');
      assert.ok(pages.length > 0, 'continuation queries paged on');
      // 3,000 files take 30 pages, sequential; everything else rides along.
      assert.ok(q.length <= 40, `${q.length} GraphQL queries`);
      console.log(`# big PR over GraphQL: ${q.length} queries, ${q.reduce((s, e) => s + e.cost, 0)} points`);
    } else {
      console.log(`# big PR over REST: ${rig.gh.log.length} requests`);
    }
  });
}
