// Every PR command in both API modes: the rows equal the scenario's ground
// truth, and GraphQL and REST write identical rows (compared column by
// column, foreign keys by natural key, run-clock columns aside).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRig } from '../lib/rig.js';
import { dumpDatabase } from '../lib/dump.js';
import { expectedReviews, expectedComments, expectedFileRows, pendingReviews } from '../lib/truth.js';

let rig;
before(async () => {
  rig = await startRig('capture_modes', {
    scenario: { seed: 21, prs: 14, maxReviews: 6, maxIssueComments: 6, maxReviewComments: 8 },
  });
});
after(async () => { await rig?.close(); });

const numbers = () => rig.scn.pulls.map((p) => p.number);

async function captureIn(api, command, inputs = {}) {
  await rig.db.truncateAll();
  rig.clearLogs();
  const r = await rig.run({ command, api, 'pr-numbers': numbers().join(','), ...inputs });
  assert.equal(r.code, 0, `${command} over ${api}:\n${r.log}`);
  return { r, dump: await dumpDatabase(rig.db), log: [...rig.gh.log] };
}

for (const command of ['pr-details', 'pr-reviews', 'pr-comments', 'pr-all']) {
  test(`${command}: GraphQL and REST write identical rows, equal to the ground truth`, async () => {
    const g = await captureIn('graphql', command);
    const r = await captureIn('rest', command);
    assert.deepEqual(g.dump, r.dump);
    const d = g.dump;
    assert.equal(d.pull_requests.length, rig.scn.pulls.length);
    if (command === 'pr-details' || command === 'pr-all')
      assert.deepEqual(d.pull_request_files.map(({ ...f }) => f), expectedFileRows(rig.scn, numbers()));
    else
      assert.equal(d.pull_request_files.length, 0);
    if (command === 'pr-reviews' || command === 'pr-all') {
      assert.deepEqual(d.reviews, expectedReviews(rig.scn, numbers()));
      const pending = pendingReviews(rig.scn, numbers());
      assert.ok(pending > 0, 'the scenario has PENDING reviews');
      // skipped counts PRs already up to date, never reviews: the pending ones have a note.
      assert.equal(Number(g.r.outputs.skipped), 0, 'skipped counts pull requests only');
      assert.match(g.r.summary.replace(/\\(.)/g, '$1'),
        new RegExp(`${pending} reviews? still pending on GitHub \\(not submitted\\): not stored`));
    } else {
      assert.equal(d.reviews.length, 0);
    }
    if (command === 'pr-comments' || command === 'pr-all')
      assert.deepEqual(d.comments, expectedComments(rig.scn, numbers()));
    else
      assert.equal(d.comments.length, 0);
    // GraphQL answered in batches; REST needed a request per PR and part, and no GraphQL.
    const gql = g.log.filter((e) => e.resource === 'graphql').length;
    assert.ok(gql >= 1 && gql <= 4, `${gql} GraphQL requests`);
    assert.equal(r.log.filter((e) => e.resource === 'graphql').length, 0, 'REST mode sent GraphQL');
    assert.ok(r.log.length >= rig.scn.pulls.length, 'REST mode fetched every PR');
  });
}

test('review comments point at their parent\'s row, never at a GitHub id', async () => {
  await captureIn('graphql', 'pr-comments');
  const rows = await rig.db.query(`select c.github_id, c.in_reply_to_id, cast(parent.github_id as text) as parent
    from comments c left join comments parent on parent.id = c.in_reply_to_id
    where c.comment_type = 'review_comment'`);
  const replies = rig.scn.pulls.flatMap((p) => p.review_comments).filter((c) => c.in_reply_to_id != null);
  assert.ok(replies.length > 0, 'the scenario has replies');
  for (const c of replies) {
    const row = rows.find((x) => x.github_id === String(c.id));
    assert.equal(row.parent, String(c.in_reply_to_id), `reply ${c.id}`);
  }
});

test('a re-run of pr-all finds nothing lacking, and duplicates nothing', async () => {
  await captureIn('graphql', 'pr-all');
  const before = await dumpDatabase(rig.db);
  rig.clearLogs();
  const r = await rig.run({ command: 'pr-all', 'time-range': '3650' });
  assert.equal(r.code, 0, r.log);
  assert.equal(r.outputs.processed, '0');
  assert.equal(r.outputs.skipped, String(rig.scn.pulls.length));
  assert.deepEqual(await dumpDatabase(rig.db), before);
  // Only the list of PRs (number, dates) is read; no PR is fetched again.
  const graphql = rig.gh.log.filter((e) => e.resource === 'graphql');
  assert.ok(graphql.length > 0 && graphql.every((e) => e.operation === 'PullList'), JSON.stringify(graphql.map((e) => e.operation)));
});

test('api auto moves to REST when the GraphQL budget is spent; api graphql stops as partial', async () => {
  const reset = Math.floor(Date.now() / 1000) + 3600;
  rig.gh.setRateLimit('ghp_test_token', 'graphql', { remaining: 0, reset });
  try {
    await rig.db.truncateAll();
    rig.clearLogs();
    const auto = await rig.run({ command: 'pr-all', api: 'auto', 'pr-numbers': '1,2,3' });
    assert.equal(auto.code, 0, auto.log);
    assert.equal(auto.outputs.processed, '3');
    assert.ok(auto.commands.some((c) => c.name === 'warning' && /GraphQL budget is spent/.test(c.message)), auto.log);
    assert.ok(rig.gh.log.some((e) => e.route === 'GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews'));
    const strict = await rig.run({ command: 'pr-all', api: 'graphql', 'pr-numbers': '4,5' });
    assert.equal(strict.code, 3, strict.log);
    assert.equal(strict.outputs.status, 'partial');
  } finally {
    rig.gh.setRateLimit('ghp_test_token', 'graphql', { remaining: 5000, reset });
  }
});
