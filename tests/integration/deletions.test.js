// Items deleted on GitHub leave the store too (issue 10): contributor.info kept
// deleted reviews and comments for ever, so its counts drifted from GitHub's.
// When a part of a PR is read whole (no item hidden from the token), its stored
// rows that GitHub no longer lists are removed; a minimised comment is still
// listed and stays; a reply to a removed comment keeps its row, its link cleared
// (comments.in_reply_to_id refers to comments.id).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRig } from '../lib/rig.js';

const NUMBERS = [1, 6, 7, 11, 12];
let rig, pristine;
before(async () => {
  rig = await startRig('deletions', { scenario: { prs: 12 } });
  pristine = structuredClone(rig.scn); // the fake's changes edit the scenario it serves
});
after(async () => { await rig?.close(); });

const ids = (xs) => xs.map((x) => String(x.id)).sort();

// GitHub's rows of a PR, as the fake now serves them.
function github(number) {
  const p = rig.gh.scenario.pulls.find((x) => x.number === number);
  return {
    reviews: ids(p.reviews.filter((r) => r.state !== 'PENDING')),
    comments: ids([...p.issue_comments, ...p.review_comments]),
    files: p.files.map((f) => f.filename).sort(),
  };
}

async function stored(number) {
  const col = async (sql) => (await rig.db.query(sql, [number])).map((r) => String(Object.values(r)[0])).sort();
  return {
    reviews: await col('select r.github_id from reviews r join pull_requests p on p.id = r.pull_request_id where p.number = $1'),
    comments: await col('select c.github_id from comments c join pull_requests p on p.id = c.pull_request_id where p.number = $1'),
    files: await col('select f.filename from pull_request_files f join pull_requests p on p.id = f.pull_request_id where p.number = $1'),
  };
}

for (const api of ['graphql', 'rest']) {
  test(`a capture after deletions on GitHub leaves exactly GitHub's rows (${api})`, async () => {
    await rig.db.truncateAll();
    rig.gh.setScenario(structuredClone(pristine));
    const inputs = { command: 'pr-all', 'pr-numbers': NUMBERS.join(','), api };
    const r1 = await rig.run(inputs);
    assert.equal(r1.code, 0, r1.log);
    for (const n of NUMBERS) assert.deepEqual(await stored(n), github(n), `#${n} before`);

    const scn = rig.gh.scenario;
    const pull = (n) => scn.pulls.find((x) => x.number === n);
    // A review with review comments of its own (they go with it).
    const review = pull(6).reviews.find((rv) => pull(6).review_comments.some((c) => c.pull_request_review_id === rv.id));
    assert.ok(review, 'PR 6 has a review with comments');
    rig.gh.deleteReview(review.id);
    rig.gh.deleteIssueComment(pull(7).issue_comments[0].id);
    // The head of a thread with a reply: the reply stays.
    const reply = pull(1).review_comments.find((c) => c.in_reply_to_id);
    rig.gh.deleteReviewComment(reply.in_reply_to_id);
    rig.gh.deletePullFile(12, pull(12).files[0].filename);
    const hidden = pull(11).issue_comments[0].id;
    rig.gh.minimizeComment(hidden, 'spam');

    // A deletion may not move the PR's updatedAt: force captures it again regardless.
    const r2 = await rig.run({ ...inputs, force: 'true' });
    assert.equal(r2.code, 0, r2.log);
    for (const n of NUMBERS) assert.deepEqual(await stored(n), github(n), `#${n} after`);
    assert.match(r2.log, /#6: removed \d+ reviews? GitHub no longer lists/);
    assert.match(r2.log, /#12: removed 1 file GitHub no longer lists/);
    // The minimised comment is still GitHub's, and ours.
    assert.equal((await rig.db.query('select 1 from comments where github_id = $1', [hidden])).length, 1);
    // The reply is kept, and links to nothing that is gone.
    const [kept] = await rig.db.query('select in_reply_to_id from comments where github_id = $1', [reply.id]);
    assert.ok(kept, 'the reply is stored');
    const dangling = await rig.db.query(
      `select c.github_id from comments c
        where c.in_reply_to_id is not null and not exists (select 1 from comments p where p.id = c.in_reply_to_id)`);
    assert.deepEqual(dangling, []);
  });
}

// A reply whose parent GitHub deleted may still name it (REST in_reply_to_id);
// the stored parent goes, and the reply's link is cleared first, or the
// foreign key would refuse the delete.
test('a stored parent comment GitHub deleted is removed though a stored reply links to it', async () => {
  await rig.db.truncateAll();
  rig.gh.setScenario(structuredClone(pristine));
  const inputs = { command: 'pr-comments', 'pr-numbers': '1', api: 'rest' };
  const r1 = await rig.run(inputs);
  assert.equal(r1.code, 0, r1.log);
  // Another stored comment of PR 1 that GitHub never had, which a stored reply links to.
  const [pr] = await rig.db.query('select id, repository_id from pull_requests where number = 1');
  const [parent] = await rig.db.query(
    `insert into comments (github_id, pull_request_id, repository_id, body, created_at, updated_at, comment_type)
     values (777000111, $1, $2, 'gone', '2023-01-01T00:00:00Z', '2023-01-01T00:00:00Z', 'review_comment') returning id`,
    [pr.id, pr.repository_id]);
  const [orphan] = await rig.db.query(
    `insert into comments (github_id, pull_request_id, repository_id, body, created_at, updated_at, comment_type, in_reply_to_id)
     values (777000112, $1, $2, 'reply of another system', '2023-01-01T00:00:00Z', '2023-01-01T00:00:00Z', 'review_comment', $3) returning id`,
    [pr.id, pr.repository_id, parent.id]);
  assert.ok(orphan);
  const r2 = await rig.run({ ...inputs, force: 'true' });
  assert.equal(r2.code, 0, r2.log);
  assert.deepEqual((await stored(1)).comments, github(1).comments);
  assert.match(r2.log, /#1: removed 2 comments GitHub no longer lists/);
});
