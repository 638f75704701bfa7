// What a full capture costs, counted in the fake GitHub's request log (never
// timed): pr-all of 1,000 PRs with up to 100 files, reviews and conversation
// comments each, over GraphQL and over REST. Printed, and recorded in the
// README. A second scenario adds up to 100 review comments per PR in many
// threads and is measured only: GitHub's cost formula counts each thread's
// comment list as a request, so those cost about a point per 100 threads.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRig } from '../lib/rig.js';

const PRS = Number(process.env.PC_BENCH_PRS || 1000);
let rig;

const base = { seed: 55, days: 365, renames: false, bigUserIds: false, maxFiles: 100, maxReviews: 100,
  maxIssueComments: 100 };

before(async () => {
  rig = await startRig('efficiency', { scenario: { ...base, prs: PRS, maxReviewComments: 5 } });
});
after(async () => { await rig?.close(); });

async function measure(api, label) {
  await rig.db.truncateAll();
  const [repo] = await rig.db.query(`insert into repositories (github_id, full_name, owner, name)
    values ($1, $2, $3, $4) returning id`, [rig.scn.repo.id, rig.scn.repo.full_name, rig.scn.repo.owner.login, rig.scn.repo.name]);
  rig.clearLogs();
  const prs = rig.scn.pulls.length;
  const r = await rig.run({ command: 'pr-all', api, 'pr-numbers': rig.scn.pulls.map((p) => p.number).join(','),
    'repository-id': repo.id }, { timeoutMs: 900000 });
  assert.equal(r.code, 0, r.log.slice(-3000));
  assert.equal(r.outputs.processed, String(prs));
  const log = rig.gh.log;
  const gqlPoints = log.filter((e) => e.resource === 'graphql').reduce((s, e) => s + e.cost, 0);
  const n = (k) => rig.scn.pulls.reduce((s, p) => s + p[k].length, 0);
  const m = { requests: log.length, perPr: log.length / prs, gqlPoints, gqlPointsPerPr: gqlPoints / prs };
  console.log(`# ${label}, ${api}: ${prs} PRs (${n('files')} files, ${n('reviews')} reviews, ` +
    `${n('issue_comments')} comments, ${n('review_comments')} review comments): ` +
    `${m.requests} requests (${m.perPr.toFixed(3)} a PR), ${gqlPoints} GraphQL points (${m.gqlPointsPerPr.toFixed(3)} a PR)`);
  return m;
}

test('GraphQL: a full capture costs at most 0.1 points and 0.05 requests per PR', async () => {
  const m = await measure('graphql', 'full capture');
  assert.ok(m.gqlPointsPerPr <= 0.1, `${m.gqlPointsPerPr} points a PR`);
  assert.ok(m.perPr <= 0.05, `${m.perPr} requests a PR`);
});

test('REST: a full capture costs at most 5 requests per PR', async () => {
  const m = await measure('rest', 'full capture');
  assert.ok(m.perPr <= 5, `${m.perPr} requests a PR`);
});

test('measured only: up to 100 review comments per PR, in many threads', async () => {
  await rig.close();
  rig = await startRig('efficiency_threads', {
    scenario: { ...base, prs: Math.min(PRS, 200), maxReviewComments: 100 },
  });
  await measure('graphql', 'with review threads');
  await measure('rest', 'with review threads');
});
