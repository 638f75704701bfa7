// Free re-syncs (issue 13): of the pull requests a run is given, only the ones
// that changed since their capture are fetched. Over GraphQL one query of
// number and updatedAt per 100 PRs captured before (1 point); over REST a
// GET /pulls/{n} with the ETag the capture marks keep, answered 304 at no
// primary point. PRs never captured cost nothing more; force: true fetches all.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRig } from '../lib/rig.js';
import { dumpDatabase } from '../lib/dump.js';

const PRS = 30;
const ALL = `1-${PRS}`;
let rig;
before(async () => { rig = await startRig('resync', { scenario: { prs: PRS } }); });
after(async () => { await rig?.close(); });

const graphql = () => rig.gh.log.filter((x) => x.resource === 'graphql');
// REST requests but the one for the repository's row, which every run refreshes.
const core = () => rig.gh.log.filter((x) => x.resource === 'core' && x.route !== 'GET /repos/{owner}/{repo}');
const points = (xs) => xs.reduce((s, x) => s + (x.cost || 0), 0);
// What a run did not write: the capture times of its marks aside.
const steady = (d) => ({ ...d, pull_request_captures: d.pull_request_captures.map(({ captured_at, ...m }) => m) });

// GitHub's PR changes: a new updated_at (and title, so REST's ETag moves too).
function change(number) {
  const p = rig.gh.scenario.pulls.find((x) => x.number === number);
  p.updated_at = new Date(Date.parse(p.updated_at) + 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  p.title = `${p.title} (edited)`;
}

async function run(inputs) {
  rig.clearLogs();
  const r = await rig.run({ command: 'pr-all', 'pr-numbers': ALL, ...inputs });
  assert.equal(r.code, 0, r.log);
  return r;
}

test('GraphQL: an unchanged re-run costs one query of 1 point per 100 PRs and writes nothing', async () => {
  await rig.db.truncateAll();
  const first = await run({ api: 'graphql' });
  assert.ok(!graphql().some((x) => x.operation === 'PullStamps'), 'nothing asked about PRs never captured');
  assert.equal(first.outputs.skipped, '0');
  const before = steady(await dumpDatabase(rig.db));

  const r = await run({ api: 'graphql' });
  assert.deepEqual(graphql().map((x) => x.operation), ['PullStamps']);
  assert.equal(points(graphql()), 1);
  assert.equal(core().length, 0);
  assert.equal(r.outputs.skipped, String(PRS));
  assert.match(r.log, new RegExp(`${PRS} of ${PRS} pull requests unchanged since their capture; 0 to fetch`));
  assert.deepEqual(steady(await dumpDatabase(rig.db)), before);
});

test('GraphQL: only the PRs changed on GitHub are fetched again; force: true fetches them all', async () => {
  change(7);
  change(19);
  const r = await run({ api: 'graphql' });
  assert.equal(r.outputs.skipped, String(PRS - 2));
  assert.equal(graphql().filter((x) => x.operation === 'PullStamps').length, 1);
  assert.equal(graphql().filter((x) => x.operation === 'PullRequests').length, 1, 'the two in one batch');
  const titles = await rig.db.query('select number, title from pull_requests where number in (7, 19) order by number');
  assert.deepEqual(titles.map((x) => x.title.endsWith('(edited)')), [true, true]);

  const f = await run({ api: 'graphql', force: 'true' });
  assert.equal(f.outputs.skipped, '0');
  assert.ok(!graphql().some((x) => x.operation === 'PullStamps'), 'force asks nothing first');
});

test('REST: the ETag kept on the capture marks makes an unchanged re-run cost 0 primary points', async () => {
  await rig.db.truncateAll();
  await run({ api: 'rest' });
  const etags = await rig.db.query("select count(*) as n from pull_request_captures where etag is not null");
  assert.ok(Number(etags[0].n) > 0, 'the capture kept the ETags of its answers');
  const before = steady(await dumpDatabase(rig.db));

  const r = await run({ api: 'rest' });
  assert.equal(core().length, PRS, 'one conditional GET a PR');
  assert.ok(core().every((x) => x.ifNoneMatch && x.status === 304), 'every one sent its ETag and got 304');
  assert.equal(points(core()), 0, 'no primary rate point');
  assert.equal(graphql().length, 0);
  assert.equal(r.outputs.skipped, String(PRS));
  assert.deepEqual(steady(await dumpDatabase(rig.db)), before);
});

test('REST: a changed PR answers 200 and is fetched; a GraphQL capture gets its ETags at the first REST re-sync', async () => {
  change(3);
  const r = await run({ api: 'rest' });
  assert.equal(r.outputs.skipped, String(PRS - 1));
  assert.equal(core().filter((x) => x.status === 200 && x.path.endsWith('/pulls/3')).length, 2,
    'the conditional GET, then the capture\'s own');
  const t = await rig.db.query('select title from pull_requests where number = 3');
  assert.ok(t[0].title.endsWith('(edited)'));

  await rig.db.truncateAll();
  await run({ api: 'graphql' });
  const first = await run({ api: 'rest' }); // no ETags yet: 200s, each kept, nothing fetched
  assert.equal(core().filter((x) => x.ifNoneMatch).length, 0);
  assert.equal(core().length, PRS);
  assert.equal(first.outputs.skipped, String(PRS));
  const again = await run({ api: 'rest' });
  assert.ok(core().length === PRS && core().every((x) => x.status === 304));
  assert.equal(again.outputs.skipped, String(PRS));
});
