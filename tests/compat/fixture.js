// contributor.info's production database, as a throwaway PostgreSQL database
// with rows already in it: the target the migrations and the binary must fit.
//
//   const fx = await createFixture('name', { variant: 'prod' | 'strict', scenario, collisions, duplicateCommits,
//                                            lacking: LATER_COLUMNS });
//   fx.db            as freshDatabase() gives it (url, pool, query, count, close), db/migrations NOT applied
//   fx.seeded        the rows put in, by role (see README.md)
//   fx.unvalidated   strict: the CHECKs left NOT VALID because seeded rows break them
//   await fx.migrate()  -> the WARNINGs and NOTICEs db/migrations raised, [{ severity, message, detail, hint }]
//   await fx.close()
//
// The schema is schema/prod.sql (+ schema/strict.sql); the rows are keyed to a
// fake-GitHub scenario (tests/fake-github/scenario.js) so tests can line them up
// with what GitHub now says. PostgreSQL only.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { applyMigrations, freshDatabase } from '../lib/db.js';
import { defaultBranchCommits, generateScenario } from '../fake-github/scenario.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const DAY = 86400e3;

export const VARIANTS = ['prod', 'strict'];

// The rows that collide with what GitHub says now (see README.md).
export const COLLISIONS = ['reusedLogin', 'renamedUser', 'renamedRepository', 'transferredRepository',
  'prNumberTaken'];

// Columns contributor.info added after its first schema (20240614000000): by the
// migrations CONTRIBUTOR-INFO.md §1.2 names, or, for commits, those its "missing
// commits table" postmortem left out when it re-created the table. A database
// that missed those steps lacks them: `lacking: LATER_COLUMNS` builds one.
export const LATER_COLUMNS = Object.freeze([
  'repositories.last_commit_capture_at', 'repositories.commit_capture_status',
  'pull_requests.base_ref', 'pull_requests.head_ref', 'pull_requests.repository_full_name',
  'pull_requests.author_github_id', 'pull_requests.repository_github_id',
  'reviews.author_id', 'reviews.repository_id',
  'comments.repository_id', 'comments.original_commit_id',
  'commits.committer_id', 'commits.committed_at', 'commits.additions', 'commits.deletions',
  'commits.changed_files', 'commits.html_url',
]);

// Ids no scenario gives (scenario repositories are >= 1e8, PRs >= 2.5e9, comments >= 4.7e9).
export const IDS = Object.freeze({
  dependabot: 49_699_333,
  oldTimer: 1_234_567,
  staleAccount: 77_000_001,
  unrelatedRepository: 99_000_002,
  transferredRepository: 99_000_001,
  transferredPulls: 1_500_000_001,
  issue: 3_000_000_001,
  issueComment: 4_600_000_001,
  transferredComment: 4_600_000_101,
  wrongPullOffset: 1_000_000_000_000,
});

/** The SQL of a variant: prod.sql, then for strict its NOT VALID CHECKs. */
export function schemaSql(variant) {
  if (!VARIANTS.includes(variant)) throw new TypeError(`variant must be one of ${VARIANTS.join(', ')}: ${variant}`);
  const prod = readFileSync(join(HERE, 'schema', 'prod.sql'), 'utf8');
  return variant === 'prod' ? [prod] : [prod, readFileSync(join(HERE, 'schema', 'strict.sql'), 'utf8')];
}

/**
 * A fresh database of `variant`, seeded for `scenario` (default: the rig's,
 * generateScenario({ seed: 7, prs: 12 })), or empty with `seed: false`.
 * `collisions`: names from COLLISIONS; `duplicateCommits`: two of the seeded
 * commits stored twice (production's commits table has no unique key to stop it);
 * `lacking`: 'table.column' names dropped from the schema before the rows go in
 * (e.g. LATER_COLUMNS).
 */
export async function createFixture(name, { variant = 'prod', scenario = null, seed = true, collisions = [],
  duplicateCommits = false, lacking = [] } = {}) {
  for (const c of collisions) if (!COLLISIONS.includes(c)) throw new TypeError(`unknown collision: ${c}`);
  for (const c of lacking) if (!/^[a-z_]+\.[a-z_]+$/.test(c)) throw new TypeError(`lacking: not table.column: ${c}`);
  const [prod, strict] = schemaSql(variant);
  const db = await freshDatabase(`compat_${name}`, { migrate: false });
  const scn = seed ? scenario ?? generateScenario({ seed: 7, prs: 12 }) : null;
  let seeded = null;
  let unvalidated = [];
  try {
    await db.pool.query(prod);
    for (const tc of lacking) {
      const [t, c] = tc.split('.');
      await db.pool.query(`alter table public.${t} drop column ${c}`);
    }
    if (scn) seeded = await seedRows(db.pool, scn, { collisions: new Set(collisions), duplicateCommits });
    if (strict) {
      await db.pool.query(strict);
      unvalidated = await validateChecks(db.pool);
    }
  } catch (err) {
    await db.close();
    throw err;
  }
  return {
    db, variant, scenario: scn, seeded, unvalidated,
    migrate: () => migrate(db.url),
    close: () => db.close(),
  };
}

// Applies db/migrations on a connection of its own, collecting what they RAISE.
async function migrate(url) {
  const client = new pg.Client({ connectionString: url });
  const notices = [];
  client.on('notice', (n) => notices.push({ severity: n.severity, message: n.message, detail: n.detail, hint: n.hint }));
  await client.connect();
  try {
    await applyMigrations(client);
  } finally {
    await client.end();
  }
  return notices;
}

/**
 * Which rows of `pool`'s database (a prod fixture, say after a capture) the
 * strict variant's CHECKs refuse: [{ check, table, rows, sample }] for each
 * CHECK some row breaks, sample = up to 3 of those rows' ids. Nothing stays:
 * the checks are added in a transaction that is rolled back.
 */
export async function strictRefusals(pool) {
  const client = await pool.connect();
  try {
    await client.query('begin');
    await client.query(schemaSql('strict')[1]);
    const { rows: checks } = await client.query(`select conrelid::regclass::text as t, conname,
        pg_get_expr(conbin, conrelid) as expr
      from pg_constraint where contype = 'c' and not convalidated and connamespace = 'public'::regnamespace
      order by 1, 2`);
    const out = [];
    for (const c of checks) {
      const { rows } = await client.query(`select id::text from ${c.t} where not (${c.expr}) order by id`);
      if (rows.length) out.push({ check: c.conname, table: c.t, rows: rows.length, sample: rows.slice(0, 3).map((r) => r.id) });
    }
    return out;
  } finally {
    await client.query('rollback');
    client.release();
  }
}

// Validates each NOT VALID check the seeded rows satisfy; returns the others' names.
async function validateChecks(pool) {
  const { rows } = await pool.query(`select conrelid::regclass::text as tbl, conname
    from pg_constraint where contype = 'c' and not convalidated and connamespace = 'public'::regnamespace
    order by 1, 2`);
  const left = [];
  for (const { tbl, conname } of rows) {
    try {
      await pool.query(`alter table ${tbl} validate constraint ${conname}`);
    } catch (err) {
      if (err.code !== '23514') throw err;
      left.push(conname);
    }
  }
  return left;
}

// ---------------------------------------------------------------------------
// Rows

const ago = (days) => new Date(Date.now() - days * DAY).toISOString();

// An insert function for `client`: it puts the row's values for the columns the
// table has (a fixture built with `lacking` has fewer) and returns the row's id.
function inserter(client) {
  const columns = new Map();
  // Objects and arrays of objects are jsonb; arrays of strings are text[].
  const json = (v) => v !== null && typeof v === 'object'
    && (!Array.isArray(v) || v.some((x) => x !== null && typeof x === 'object'));
  return async (table, row) => {
    if (!columns.has(table)) {
      const { rows } = await client.query(`select column_name from information_schema.columns
        where table_schema = 'public' and table_name = $1`, [table]);
      columns.set(table, new Set(rows.map((r) => r.column_name)));
    }
    const have = columns.get(table);
    const cols = Object.keys(row).filter((c) => have.has(c));
    const { rows } = await client.query(`insert into public.${table} (${cols.join(', ')})
      values (${cols.map((_, i) => `$${i + 1}`).join(', ')}) returning id`,
    cols.map((c) => (json(row[c]) ? JSON.stringify(row[c]) : row[c])));
    return rows[0].id;
  };
}

async function seedRows(pool, scn, { collisions, duplicateCommits }) {
  const client = await pool.connect();
  try {
    await client.query('begin');
    const out = await seedScenario(inserter(client), scn, collisions, duplicateCommits);
    await client.query('commit');
    return out;
  } catch (err) {
    await client.query('rollback');
    throw err;
  } finally {
    client.release();
  }
}

async function seedScenario(insert, scn, collisions, duplicateCommits) {
  const repo = scn.repo;
  const renamedRepo = collisions.has('renamedRepository');
  const transferred = collisions.has('transferredRepository');
  // Only a transfer without a rename leaves no row for the scenario's repository.
  const hasScenarioRepo = !transferred || renamedRepo;
  if (collisions.has('prNumberTaken') && !hasScenarioRepo)
    throw new TypeError('prNumberTaken needs the scenario repository\'s row (add renamedRepository)');

  const s = {
    repository: null, repositories: [], contributors: [], pulls: [], reviews: [], comments: [],
    commits: [], issues: [], jobs: [], progress: [], collisions: {},
  };
  const userByLogin = new Map(scn.users.map((u) => [u.login, u]));
  const byLogin = new Map(); // login -> contributor row id (whichever row holds the login)

  // --- contributors. Two scenario humans may take part in a collision.
  const seededPulls = [1, 2, 3, 5].map((n) => scn.pulls.find((p) => p.number === n)).filter(Boolean);
  const authors = [...new Set(seededPulls.map((p) => p.user))].filter((l) => userByLogin.get(l)?.type === 'User');
  const reused = collisions.has('reusedLogin') ? authors[0] : null;
  const renamed = collisions.has('renamedUser') ? authors.find((l) => l !== reused) : null;
  if (collisions.has('reusedLogin') && !reused) throw new TypeError('reusedLogin: no human PR author in the scenario');
  if (collisions.has('renamedUser') && !renamed) throw new TypeError('renamedUser: no second human PR author');

  const addContributor = async (row, role) => {
    const id = await insert('contributors', row);
    s.contributors.push({ id, github_id: String(row.github_id), username: row.username, role });
    byLogin.set(row.username, id);
    return id;
  };
  const fromGitHub = (u, username = u.login) => ({
    github_id: u.id, username, display_name: u.name, avatar_url: u.avatar_url, profile_url: u.html_url,
    is_bot: u.type === 'Bot', first_seen_at: ago(200), last_updated_at: ago(30), created_at: ago(200),
  });
  if (reused) {
    // The account that held the login before GitHub gave it to another.
    const staleId = await addContributor({
      github_id: IDS.staleAccount, username: reused, display_name: 'Former holder of this login',
      avatar_url: `https://avatars.githubusercontent.com/u/${IDS.staleAccount}?v=4`,
      profile_url: `https://github.com/${reused}`, first_seen_at: ago(900), last_updated_at: ago(400),
    }, 'reusedLogin');
    s.collisions.reusedLogin = { login: reused, staleGithubId: String(IDS.staleAccount), staleId,
      githubId: String(userByLogin.get(reused).id) };
  }
  if (renamed) {
    const u = userByLogin.get(renamed);
    const oldLogin = `${renamed}-old`.slice(0, 39);
    const id = await addContributor(fromGitHub(u, oldLogin), 'renamedUser');
    byLogin.set(renamed, id);
    s.collisions.renamedUser = { githubId: String(u.id), oldLogin, login: renamed, id };
  }
  const needed = new Set(['dependabot[bot]']);
  for (const p of seededPulls) {
    needed.add(p.user);
    const r = p.reviews.find((x) => x.state !== 'PENDING');
    if (r) needed.add(r.user);
    const ic = p.issue_comments.find((c) => c.user);
    if (ic) needed.add(ic.user);
    if (p.review_comments[0]) needed.add(p.review_comments[0].user);
  }
  for (const login of needed) {
    if (byLogin.has(login)) continue;
    const u = userByLogin.get(login) ?? (login === 'dependabot[bot]' ? {
      id: IDS.dependabot, login, type: 'Bot', name: 'dependabot',
      avatar_url: `https://avatars.githubusercontent.com/in/29110?v=4`, html_url: 'https://github.com/apps/dependabot',
    } : null);
    if (u) await addContributor(fromGitHub(u), u.type === 'Bot' ? 'bot' : 'user');
  }
  await addContributor({
    github_id: IDS.oldTimer, username: 'old-timer', display_name: 'Old Timer', company: 'Acme',
    location: 'Lisbon', bio: 'Contributed long ago.', public_repos: 12, followers: 3,
    avatar_url: `https://avatars.githubusercontent.com/u/${IDS.oldTimer}?v=4`,
    profile_url: 'https://github.com/old-timer', first_seen_at: ago(700), last_updated_at: ago(300),
  }, 'unrelated');

  // --- repositories
  const addRepository = async (row, role) => {
    const id = await insert('repositories', row);
    s.repositories.push({ id, github_id: String(row.github_id), full_name: row.full_name, role });
    return id;
  };
  const repoRow = (githubId, owner, name) => ({
    github_id: githubId, full_name: `${owner}/${name}`, owner, name, description: repo.description,
    homepage: repo.homepage, language: repo.language, stargazers_count: repo.stargazers_count - 10,
    watchers_count: repo.watchers_count - 10, forks_count: repo.forks_count, open_issues_count: 3,
    size: repo.size, default_branch: repo.default_branch, license: 'MIT', topics: repo.topics.slice(0, 2),
    github_created_at: repo.created_at, github_updated_at: ago(20), github_pushed_at: ago(20),
    first_tracked_at: ago(120), last_updated_at: ago(10), sync_status: 'completed', last_synced_at: ago(10),
    pull_request_count: 4, total_pull_requests: 4, avatar_url: repo.owner.avatar_url,
    commit_capture_status: 'completed', last_commit_capture_at: ago(10),
  });
  let mainId = null;
  if (hasScenarioRepo) {
    const name = renamedRepo ? `${repo.name}-old` : repo.name;
    mainId = await addRepository(repoRow(repo.id, repo.owner.login, name), 'scenario');
    s.repository = { id: mainId, github_id: String(repo.id), full_name: `${repo.owner.login}/${name}` };
    if (renamedRepo) s.collisions.renamedRepository = { githubId: String(repo.id), id: mainId,
      oldFullName: `${repo.owner.login}/${name}`, fullName: repo.full_name };
  }
  let transferredId = null;
  if (transferred) {
    transferredId = await addRepository({
      ...repoRow(IDS.transferredRepository, repo.owner.login, repo.name),
      description: 'The repository that had this name before it was transferred away',
      is_archived: true, stargazers_count: 7, watchers_count: 7, sync_status: 'idle',
      commit_capture_status: 'pending', last_commit_capture_at: null,
    }, 'transferred');
    s.collisions.transferredRepository = { githubId: String(IDS.transferredRepository), id: transferredId,
      fullName: repo.full_name, scenarioGithubId: String(repo.id) };
  }
  await addRepository({
    ...repoRow(IDS.unrelatedRepository, 'octo-org', 'legacy-tool'), description: 'Another tracked repository',
    homepage: null, topics: null,
  }, 'unrelated');
  const jobsRepo = mainId ?? transferredId;
  const jobsRepoName = s.repositories.find((r) => r.id === jobsRepo).full_name;

  // --- pull requests as contributor.info's old scripts stored them: counters 0,
  // repository_full_name set, last_synced_at left to its default, no *_github_id.
  const addPull = async (row) => {
    const id = await insert('pull_requests', row);
    s.pulls.push({ id, github_id: String(row.github_id), number: row.number, repository_id: row.repository_id });
    return id;
  };
  const pullRow = (p, repositoryId, fullName) => ({
    github_id: p.id, number: p.number, title: p.title, body: p.body,
    state: p.merged ? 'merged' : p.state, repository_id: repositoryId, repository_full_name: fullName,
    author_id: byLogin.get(p.user) ?? null, base_branch: p.base_ref, head_branch: p.head_ref,
    draft: p.draft, merged: p.merged, merged_by_id: p.merged_by ? byLogin.get(p.merged_by) ?? null : null,
    created_at: p.created_at, updated_at: p.created_at, merged_at: p.merged_at, closed_at: p.closed_at,
    additions: 0, deletions: 0, changed_files: 0, commits: 0, html_url: p.html_url,
  });
  const pullIds = new Map(); // number -> row id, scenario repository only
  if (mainId) {
    for (const p of seededPulls) {
      let row = pullRow(p, mainId, s.repository.full_name);
      if (p.number === 2 && collisions.has('prNumberTaken')) {
        // Stored under a wrong id (contributor.info's backfill once mixed up GitHub's ids).
        row = { ...row, github_id: p.id + IDS.wrongPullOffset };
        s.collisions.prNumberTaken = { number: 2, staleGithubId: String(row.github_id), githubId: String(p.id) };
      }
      pullIds.set(p.number, await addPull(row));
    }
  }
  if (transferredId) {
    for (const k of [0, 1]) {
      const p = scn.pulls[k];
      await addPull({
        ...pullRow(p, transferredId, repo.full_name), github_id: IDS.transferredPulls + k,
        title: `Before the transfer: change ${k + 1}`, body: null, author_id: byLogin.get('old-timer'),
        created_at: ago(800 - k), updated_at: ago(790 - k), html_url: null,
      });
    }
  }

  // --- reviews and comments of those PRs, as the old scripts wrote them
  for (const p of seededPulls) {
    const prId = pullIds.get(p.number);
    if (!prId) continue;
    const r = p.reviews.find((x) => x.state !== 'PENDING');
    if (r) {
      const author = byLogin.get(r.user);
      const id = await insert('reviews', {
        github_id: r.id, pull_request_id: prId, reviewer_id: author, author_id: author, state: r.state,
        body: r.body, submitted_at: r.submitted_at, commit_id: r.commit_id, repository_id: mainId,
      });
      s.reviews.push({ id, github_id: String(r.id), pull_number: p.number });
    }
    const ic = p.issue_comments.find((c) => c.user);
    if (ic) {
      const id = await insert('comments', {
        github_id: ic.id, pull_request_id: prId, commenter_id: byLogin.get(ic.user), body: ic.body,
        created_at: ic.created_at, updated_at: ic.updated_at, comment_type: 'issue_comment',
        repository_id: mainId,
      });
      s.comments.push({ id, github_id: String(ic.id), pull_number: p.number, comment_type: 'issue_comment' });
    }
    const rc = p.review_comments[0];
    if (rc) {
      const id = await insert('comments', {
        github_id: rc.id, pull_request_id: prId, commenter_id: byLogin.get(rc.user), body: rc.body,
        created_at: rc.created_at, updated_at: rc.updated_at, comment_type: 'review_comment',
        position: rc.position, original_position: rc.original_position, diff_hunk: rc.diff_hunk,
        path: rc.path, commit_id: rc.commit_id, repository_id: mainId,
      });
      s.comments.push({ id, github_id: String(rc.id), pull_number: p.number, comment_type: 'review_comment' });
    }
  }

  // --- an issue with a comment (comments.issue_id), on the jobs' repository
  const issueId = await insert('issues', {
    github_id: IDS.issue, repository_id: jobsRepo, number: scn.pulls.length + 10,
    title: 'Crash when the config file is empty', body: 'Steps: run with an empty file.', state: 'open',
    author_id: byLogin.get('old-timer'), created_at: ago(90), updated_at: ago(80),
    labels: [{ name: 'bug' }], comments_count: 1,
  });
  s.issues.push({ id: issueId, github_id: String(IDS.issue) });
  const issueCommentId = await insert('comments', {
    github_id: IDS.issueComment, issue_id: issueId, commenter_id: byLogin.get('old-timer'),
    body: 'Still happens on main.', created_at: ago(80), updated_at: ago(80), comment_type: 'issue_comment',
    repository_id: jobsRepo,
  });
  s.comments.push({ id: issueCommentId, github_id: String(IDS.issueComment), issue: true, comment_type: 'issue_comment' });
  if (transferredId) {
    const prId = s.pulls.find((p) => p.repository_id === transferredId).id;
    const id = await insert('comments', {
      github_id: IDS.transferredComment, pull_request_id: prId, commenter_id: byLogin.get('old-timer'),
      body: 'LGTM', created_at: ago(799), updated_at: ago(799), comment_type: 'issue_comment',
      repository_id: transferredId,
    });
    s.comments.push({ id, github_id: String(IDS.transferredComment), comment_type: 'issue_comment' });
  }

  // --- commits of the default branch (the scenario repository's only)
  if (mainId) {
    const list = defaultBranchCommits(scn).slice(0, 3);
    for (const [k, c] of list.entries()) {
      const row = {
        sha: c.sha, repository_id: mainId, author_id: c.author_login ? byLogin.get(c.author_login) ?? null : null,
        committer_id: c.committer_login ? byLogin.get(c.committer_login) ?? null : null, message: c.message,
        authored_at: c.authored_at, committed_at: c.committed_at, additions: c.additions,
        deletions: c.deletions, changed_files: c.changed_files, is_direct_commit: c.pull_number == null,
        pull_request_id: c.pull_number ? pullIds.get(c.pull_number) ?? null : null,
        html_url: `https://github.com/${repo.full_name}/commit/${c.sha}`,
      };
      const copies = duplicateCommits && k < 2 ? 2 : 1;
      for (let i = 0; i < copies; i++) s.commits.push({ id: await insert('commits', row), sha: c.sha });
    }
  }

  // --- jobs of both processors, in every state contributor.info uses, some old
  const job = async (row, progress = []) => {
    const id = await insert('progressive_capture_jobs', { repository_id: jobsRepo, ...row });
    s.jobs.push({ id, job_type: row.job_type, processor_type: row.processor_type, status: row.status });
    for (const p of progress) {
      const pid = await insert('progressive_capture_progress', { job_id: id, ...p });
      s.progress.push({ id: pid, job_id: id });
    }
    return id;
  };
  const meta = (extra) => ({ repository_name: jobsRepoName, created_by: 'hybrid_queue_manager', ...extra });
  await job({ job_type: 'recent-prs', processor_type: 'inngest', status: 'completed', time_range_days: 1,
    metadata: meta({ trigger_source: 'scheduled', max_items: 100, priority: 'medium' }),
    created_at: ago(20), started_at: ago(20), completed_at: ago(19.99) });
  await job({ job_type: 'historical-pr-sync', processor_type: 'github_actions', status: 'completed',
    time_range_days: 30, workflow_run_id: 9_876_543_210,
    metadata: meta({ trigger_source: 'manual', workflow: 'progressive-backfill.yml', dispatched_at: ago(12),
      workflow_run_url: 'https://github.com/bdougie/contributor.info/actions/runs/9876543210' }),
    created_at: ago(12), started_at: ago(12), completed_at: ago(11.9) },
  [{ total_items: 100, processed_items: 100, failed_items: 0, updated_at: ago(11.9) }]);
  await job({ job_type: 'pr-details', processor_type: 'github_actions', status: 'failed',
    metadata: meta({ pr_numbers: [1, 2, 3], workflow: 'capture-pr-details-graphql.yml' }),
    error: 'stuck in processing for over 10 minutes: marked failed by the cleanup job',
    created_at: ago(5), started_at: ago(5), completed_at: ago(4.99) },
  // No unique key on job_id: a retried reporter left two progress rows.
  [{ total_items: 3, processed_items: 1, failed_items: 0, current_item: 'PR #2', updated_at: ago(5) },
    { total_items: 3, processed_items: 0, failed_items: 0, updated_at: ago(5) }]);
  await job({ job_type: 'reviews', processor_type: 'inngest', status: 'failed',
    metadata: meta({ trigger_source: 'automatic' }),
    error: "Could not find the 'repository_id' column of 'reviews' in the schema cache",
    created_at: ago(3), started_at: ago(3), completed_at: ago(3) });
  await job({ job_type: 'comments', processor_type: 'inngest', status: 'pending',
    metadata: meta({ trigger_source: 'automatic' }), created_at: ago(2) });
  await job({ job_type: 'pr-details', processor_type: 'github_actions', status: 'processing',
    metadata: meta({ pr_numbers: [1, 2], workflow: 'capture-pr-details-graphql.yml' }),
    created_at: ago(2 / 24), started_at: ago(2 / 24) },
  [{ total_items: 2, processed_items: 1, failed_items: 0, current_item: 'PR #2', updated_at: ago(2 / 24) }]);
  await job({ job_type: 'recent-prs', processor_type: 'inngest', status: 'processing',
    metadata: meta({ trigger_source: 'manual' }), created_at: ago(3 / 1440), started_at: ago(3 / 1440) });
  await job({ job_type: 'historical-pr-sync', processor_type: 'github_actions', status: 'pending',
    time_range_days: 90, metadata: meta({ trigger_source: 'scheduled', max_items: 500 }), created_at: ago(40) });

  return s;
}
