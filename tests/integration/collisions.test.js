// Names that move on GitHub (issue 10). contributors.username and
// repositories.full_name are unique besides github_id, so a login freed by a
// renamed or deleted account and taken by another, or a repository name freed
// by a rename or transfer and reused, met the old row: 409 23505, and the run
// failed. Now the run completes; the old row keeps its id and every row that
// refers to it, and takes its current name (GitHub, by id) or, when GitHub has
// it no more, the marked former name "<name>#<github id>", with a warning.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRig } from '../lib/rig.js';
import { generateScenario } from '../fake-github/scenario.js';

let rig, pristine;
before(async () => {
  rig = await startRig('collisions', { scenario: { prs: 12 } });
  pristine = structuredClone(rig.scn); // the fake's changes edit the scenario it serves
});
after(async () => { await rig?.close(); });

const ID = { tomoko: '54661209', julia: '15377420', marta: '61502318' };

// Every contributor row as github_id -> {id, username}, and what refers to each.
async function people() {
  const rows = await rig.db.query('select id, github_id, username from contributors');
  return Object.fromEntries(rows.map((r) => [String(r.github_id), { id: r.id, username: r.username }]));
}
async function history() {
  return rig.db.query(
    `select (select count(*) from pull_requests) as prs, (select count(*) from reviews) as reviews,
            (select count(*) from comments) as comments,
            (select count(*) from reviews where author_id is null) as orphan_reviews`);
}

// Captures every PR, changes GitHub with change(), captures PR 4 (julia-r's alone) again.
async function afterChange(change) {
  await rig.db.truncateAll();
  rig.gh.setScenario(structuredClone(pristine));
  const r1 = await rig.run({ command: 'pr-all', 'time-range': '3650' });
  assert.equal(r1.code, 0, r1.log);
  const before = { people: await people(), history: await history() };
  change(rig.gh);
  // A login changing moves no PR's updatedAt: captured again on purpose (force).
  const r2 = await rig.run({ command: 'pr-all', 'pr-numbers': '4', force: 'true' });
  assert.equal(r2.code, 0, r2.log);
  const now = await people();
  // No row lost or duplicated, every one kept its id, nothing refers to nothing.
  assert.deepEqual(Object.keys(now).sort(), Object.keys(before.people).sort());
  for (const gid of Object.keys(now)) assert.equal(now[gid].id, before.people[gid].id, `account ${gid} kept its row`);
  assert.deepEqual(await history(), before.history);
  return { before: before.people, now, log: r2.log };
}

test('a renamed user: the same row takes the new login', async () => {
  const { now } = await afterChange((gh) => gh.renameUser('julia-r', 'julia-renamed'));
  assert.equal(now[ID.julia].username, 'julia-renamed');
});

test("a login reused by another account: the old holder's row takes its own new login", async () => {
  const { now, log } = await afterChange((gh) => {
    gh.renameUser('tomoko', 'tomoko-new');
    gh.renameUser('julia-r', 'tomoko'); // julia-r takes the login tomoko freed
  });
  assert.equal(now[ID.julia].username, 'tomoko');
  assert.equal(now[ID.tomoko].username, 'tomoko-new');
  assert.match(log, /::warning::contributor 'tomoko' is GitHub account 15377420 now; the row of account 54661209, renamed since, becomes 'tomoko-new'/);
});

test('a login freed by a deleted account and reused: the old row is marked', async () => {
  const { now, log } = await afterChange((gh) => {
    gh.deleteUser('marta');
    gh.renameUser('julia-r', 'marta');
  });
  assert.equal(now[ID.julia].username, 'marta');
  assert.equal(now[ID.marta].username, `marta#${ID.marta}`);
  assert.match(log, /::warning::contributor 'marta' is GitHub account 15377420 now; the row of account 61502318, which GitHub no longer has, becomes 'marta#61502318'/);
});

test('a chain: the login the old holder moves to is itself held', async () => {
  const { now } = await afterChange((gh) => {
    gh.renameUser('marta', 'marta-old');
    gh.renameUser('tomoko', 'marta'); // tomoko's new login is marta's old one
    gh.renameUser('julia-r', 'tomoko'); // and julia-r takes tomoko's
  });
  assert.equal(now[ID.julia].username, 'tomoko');
  assert.equal(now[ID.tomoko].username, 'marta');
  assert.equal(now[ID.marta].username, 'marta-old');
});

// A repository that moves stays moved in the fake: each test has its own rig.
async function repos(rg) {
  return rg.db.query('select id, github_id, full_name, owner, name from repositories order by github_id');
}

test('a renamed repository: captured under its old name, the same row takes the new one', async () => {
  const rig = await startRig('collisions_rename', { scenario: { prs: 12 } });
  const r1 = await rig.run({ command: 'pr-details', 'time-range': '3650' });
  assert.equal(r1.code, 0, r1.log);
  const [before] = await repos(rig);
  rig.gh.renameRepo('acme/widgets', 'sprockets');
  const r2 = await rig.run({ command: 'pr-details', 'pr-numbers': '1', repository: 'acme/widgets' });
  assert.equal(r2.code, 0, r2.log);
  const after = await repos(rig);
  assert.equal(after.length, 1);
  assert.equal(after[0].id, before.id);
  assert.equal(after[0].full_name, 'acme/sprockets');
  assert.equal(after[0].name, 'sprockets');
  // Every PR of it follows, not only those captured again.
  const names = await rig.db.query('select distinct repository_full_name from pull_requests');
  assert.deepEqual(names.map((r) => r.repository_full_name), ['acme/sprockets']);
  await rig.close();
});

test('a transferred repository whose name is reused: both rows kept, the old one under its new name', async () => {
  const rig = await startRig('collisions_transfer', { scenario: { prs: 12 } });
  const r1 = await rig.run({ command: 'pr-details', 'time-range': '3650' });
  assert.equal(r1.code, 0, r1.log);
  const [old] = await repos(rig);
  const oldPrs = await rig.db.count('pull_requests');
  rig.gh.transferRepo('acme/widgets', 'other');
  rig.gh.setScenario(generateScenario({ seed: 8, prs: 3, name: 'widgets', repoId: 555000111, idSlot: 200 }));
  const r2 = await rig.run({ command: 'pr-details', 'time-range': '3650', repository: 'acme/widgets' });
  assert.equal(r2.code, 0, r2.log);
  assert.match(r2.log, /::warning::repository 'acme\/widgets' is GitHub repository 555000111 now; the row of repository \d+, renamed or transferred since, becomes 'other\/widgets'/);
  const rows = await repos(rig);
  assert.equal(rows.length, 2);
  const moved = rows.find((r) => r.id === old.id);
  assert.equal(moved.full_name, 'other/widgets');
  assert.equal(moved.owner, 'other');
  const fresh = rows.find((r) => String(r.github_id) === '555000111');
  assert.equal(fresh.full_name, 'acme/widgets');
  // The old repository's PRs are all still its own, under its new name.
  assert.equal(await rig.db.count('pull_requests', 'repository_id = $1', [old.id]), oldPrs);
  assert.equal(await rig.db.count('pull_requests', "repository_id = $1 and repository_full_name <> 'other/widgets'", [old.id]), 0);
  assert.equal(await rig.db.count('pull_requests', 'repository_id = $1', [fresh.id]), 3);
  await rig.close();
});
