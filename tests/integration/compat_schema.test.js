// db/migrations on contributor.info's own database (tests/compat): its
// production schema and the strict one with the older validation CHECKs, each
// also as a database that missed contributor.info's later migrations. The
// migrations apply twice without error, add every column the program writes
// and every key it upserts on, and lose nothing of the user's: no column,
// NOT NULL, default, constraint, index, view, function, policy or grant is
// dropped or changed, and no row. Then the binary captures into it.
// PostgreSQL only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { STORE } from '../lib/rig.js';
import { added, catalog, lost, tableRows } from '../compat/catalog.js';
import { createFixture, LATER_COLUMNS } from '../compat/fixture.js';
import { startCapture, TOKEN } from '../compat/capture.js';
import { COLUMNS, UPSERT_KEYS, sourceColumns } from '../compat/written.js';

const skip = STORE === 'sqlite' && 'PostgreSQL only';

const CASES = [
  { name: 'production', variant: 'prod' },
  { name: 'strict', variant: 'strict' },
  { name: 'production, without its later columns,', variant: 'prod', lacking: LATER_COLUMNS },
  { name: 'strict, without its later columns,', variant: 'strict', lacking: LATER_COLUMNS },
];

// Their monitoring, read the same way before and after (ages left out: they move with the clock).
async function monitoring(db) {
  return {
    stats: await db.query(`select processor_type, status, count, oldest_job, newest_job, avg_duration_minutes
      from public.progressive_capture_stats order by 1, 2`),
    metrics: await db.query('select * from public.get_progressive_capture_metrics()'),
    metrics30: await db.query('select * from public.get_progressive_capture_metrics(30)'),
    stuck: await db.query(`select job_type, stuck_count, oldest_stuck_job, affected_repositories
      from public.stuck_jobs_monitor order by 1`),
    summary: await db.query('select total_stuck, needs_attention from public.get_stuck_job_summary()'),
  };
}

// Unique, immediate, non-partial indexes, as "table(a,b)" with the columns sorted.
async function uniqueKeys(db) {
  const rows = await db.query(`
    select i.indrelid::regclass::text as t,
           string_agg(a.attname, ',' order by a.attname) as cols
      from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any (i.indkey::int2[])
     where i.indisunique and i.indimmediate and i.indpred is null and i.indexprs is null
       and i.indrelid::regclass::text not like 'pg\\_%'
     group by i.indexrelid, i.indrelid`);
  return new Set(rows.map((r) => `${r.t}(${r.cols})`));
}

// The user's rows, restricted to the columns they had before.
function project(rowsAfter, rowsBefore) {
  const out = {};
  for (const [t, rows] of Object.entries(rowsBefore)) {
    const keys = rows.length ? Object.keys(rows[0]) : [];
    out[t] = rowsAfter[t].map((r) => Object.fromEntries(keys.map((k) => [k, r[k]])));
  }
  return out;
}

test('the column and key lists of the tests are what src/ writes', () => {
  const src = sourceColumns();
  for (const [table, cols] of Object.entries(src.columns)) {
    assert.ok(COLUMNS[table], `src/ writes table ${table}, missing from tests/compat/written.js`);
    const missing = [...cols].filter((c) => !COLUMNS[table].includes(c));
    assert.deepEqual(missing, [], `columns of ${table} that src/ names and tests/compat/written.js lacks`);
  }
  const keys = new Set(UPSERT_KEYS.map(([, cols]) => cols.join(',')));
  for (const k of src.keys) assert.ok(keys.has(k), `src/ upserts on (${k}), missing from UPSERT_KEYS`);
});

for (const c of CASES) {
  test(`on contributor.info's ${c.name} database the migrations apply twice, add what the program needs and lose nothing`,
    { skip }, async () => {
      const fx = await createFixture(`mig_${c.variant}${c.lacking ? '_old' : ''}`, c);
      try {
        const before = await catalog(fx.db);
        const rowsBefore = await tableRows(fx.db);
        const monBefore = await monitoring(fx.db);

        const first = await fx.migrate();
        const once = await catalog(fx.db);
        const second = await fx.migrate();
        const twice = await catalog(fx.db);
        for (const n of [...first, ...second]) assert.notEqual(n.severity, 'WARNING', n.message);
        assert.deepEqual(twice, once, 'the second application changes nothing');

        assert.deepEqual(lost(before, twice), [], 'nothing of theirs is dropped or changed');
        assert.deepEqual(project(await tableRows(fx.db), rowsBefore), rowsBefore, 'no row is changed');
        assert.deepEqual(await monitoring(fx.db), monBefore, 'their monitoring answers as before');

        for (const [table, cols] of Object.entries(COLUMNS))
          for (const col of cols) assert.ok(twice.columns[`${table}.${col}`], `column ${table}.${col}`);
        const keys = await uniqueKeys(fx.db);
        for (const [table, cols] of UPSERT_KEYS)
          assert.ok(keys.has(`${table}(${[...cols].sort().join(',')})`), `unique key ${table}(${cols})`);

        // On their tables, what was added imposes nothing on their rows: new
        // columns are nullable, new constraints are only the upsert keys.
        const theirs = new Set(Object.keys(before.rls));
        const add = added(before, twice);
        for (const col of add.columns ?? []) {
          if (!theirs.has(col.split('.')[0])) continue;
          assert.doesNotMatch(twice.columns[col], /not null/, `${col} added nullable`);
        }
        for (const con of add.constraints ?? []) {
          if (!theirs.has(con.split('.')[0])) continue;
          assert.match(twice.constraints[con], /^UNIQUE /, `${con} is a unique key`);
        }
        if (c.lacking) {
          for (const col of LATER_COLUMNS) assert.ok(add.columns.includes(col), `${col} added`);
        } else {
          assert.deepEqual((add.columns ?? []).filter((col) => theirs.has(col.split('.')[0])),
            ['progressive_capture_progress.resume_cursor'], 'only the resume cursor is new on their tables');
        }
        assert.deepEqual((add.constraints ?? []).filter((k) => theirs.has(k.split('.')[0])),
          ['commits.commits_repository_sha_key'], 'commits got its (repository_id, sha) key');
        // No second copy of an index they have (on author_id, pull_request_id, job_id, status).
        const onTheirs = (name) => theirs.has(twice.indexes[name].match(/ ON public\.(\w+) /)[1]);
        assert.deepEqual((add.indexes ?? []).filter(onTheirs),
          ['commits_repository_sha_key', 'pull_requests_repository_created_idx'], 'indexes added to their tables');
      } finally {
        await fx.close();
      }
    });
}

test('duplicate (repository_id, sha) commits: a warning names them and says what to do, every row is kept, no key is made',
  { skip }, async () => {
    const fx = await createFixture('mig_dup_commits', { duplicateCommits: true });
    try {
      const rowsBefore = await tableRows(fx.db);
      const dup = await fx.db.query(`select repository_id, sha from public.commits
        group by repository_id, sha having count(*) > 1 order by 1, 2`);
      assert.equal(dup.length, 2);
      for (let i = 0; i < 2; i++) {
        const warnings = (await fx.migrate()).filter((n) => n.severity === 'WARNING');
        assert.equal(warnings.length, 1, JSON.stringify(warnings));
        const [w] = warnings;
        assert.equal(w.message, 'progressive-capture: commits: unique key commits_repository_sha_key on '
          + '(repository_id, sha) not created: 2 value(s) are held by more than one row');
        for (const d of dup) assert.ok(w.detail.includes(`(${d.repository_id},${d.sha}) (2 rows)`), w.detail);
        assert.match(w.hint, /fail \(42P10\)/);
        assert.match(w.hint, /select repository_id, sha, count\(\*\) from public\.commits group by repository_id, sha having count\(\*\) > 1/);
        assert.match(w.hint, /apply db\/migrations again/);
      }
      assert.deepEqual(project(await tableRows(fx.db), rowsBefore), rowsBefore, 'every row kept as it was');
      const keys = await uniqueKeys(fx.db);
      assert.ok(!keys.has('commits(repository_id,sha)'), 'no key over the duplicates');
      for (const [table, cols] of UPSERT_KEYS.filter(([t]) => t !== 'commits'))
        assert.ok(keys.has(`${table}(${[...cols].sort().join(',')})`), `unique key ${table}(${cols})`);
    } finally {
      await fx.close();
    }
  });

// The binary against their database, through the PostgREST gateway.
async function captured(name, fixtureOptions, runs) {
  const fx = await createFixture(name, fixtureOptions);
  const out = { fx, results: [] };
  try {
    await fx.migrate();
    const cap = await startCapture(fx);
    try {
      out.metricsBefore = (await fx.db.query('select * from public.get_progressive_capture_metrics()'))[0];
      for (const inputs of runs) {
        cap.clearLogs();
        const r = await cap.run({ 'time-range': '3650', ...inputs });
        out.results.push({ inputs, r, failures: cap.failures() });
      }
      out.metricsAfter = (await fx.db.query('select * from public.get_progressive_capture_metrics()'))[0];
    } finally {
      await cap.close();
    }
  } catch (err) {
    await fx.close();
    throw err;
  }
  return out;
}

// contributor.info's name of each command's work (its frontend's job types, CONTRIBUTOR-INFO.md §1.3).
const JOB_TYPES = {
  'pr-all': 'historical-pr-sync', 'pr-details': 'pr-details', 'pr-reviews': 'reviews',
  'pr-comments': 'comments', 'repository-sync': 'recent-prs', 'commit-analysis': 'commit_pr_check',
};

const report = (res) => res.map(({ inputs, r, failures }) =>
  `${JSON.stringify(inputs)}: exit ${r.code}\n${r.log.split('\n').filter((l) => l.startsWith('::error')).join('\n')}\n${
    failures.map((f) => `${f.status} ${f.code} ${f.request.slice(0, 120)}`).join('\n')}`).join('\n');

for (const api of ['graphql', 'rest']) {
  test(`every command captures into contributor.info's production database, its monitoring counts the jobs (${api})`,
    { skip }, async () => {
      const commands = Object.keys(JOB_TYPES);
      const { fx, results, metricsBefore, metricsAfter } = await captured(`cap_prod_${api}`, {},
        commands.map((command) => ({ command, api })));
      try {
        for (const { r } of results) assert.equal(r.code, 0, report(results));
        assert.equal(results[0].r.outputs.processed, String(fx.scenario.pulls.length));
        // The old scripts' zero counters are now GitHub's.
        for (const p of fx.seeded.pulls) {
          const [row] = await fx.db.query('select additions, changed_files, commits, author_github_id from public.pull_requests where id = $1', [p.id]);
          const truth = fx.scenario.pulls.find((x) => x.number === p.number);
          assert.equal(row.changed_files, truth.changed_files, `#${p.number}`);
          assert.equal(row.commits, truth.commits, `#${p.number}`);
        }
        assert.equal(await fx.db.count('public.pull_requests'), fx.scenario.pulls.length);
        // The repository's counters are what its consistency check expects: its PR rows.
        const [repo] = await fx.db.query(`select pull_request_count, total_pull_requests from public.repositories
          where github_id = $1`, [fx.scenario.repo.id]);
        assert.deepEqual(repo, { pull_request_count: fx.scenario.pulls.length, total_pull_requests: fx.scenario.pulls.length });
        // mergeable as GitHub says, NULL (and 'unknown') while GitHub has not computed it.
        for (const p of fx.scenario.pulls) {
          const [row] = await fx.db.query('select mergeable, mergeable_state from public.pull_requests where number = $1', [p.number]);
          assert.deepEqual(row, { mergeable: p.mergeable ?? null, mergeable_state: p.mergeable_state ?? 'unknown' }, `#${p.number}`);
        }
        // Their job rows are untouched; ours are completed github_actions jobs of their types.
        for (const j of fx.seeded.jobs) {
          const [row] = await fx.db.query('select status from public.progressive_capture_jobs where id = $1', [j.id]);
          assert.equal(row.status, j.status);
        }
        for (const { inputs, r } of results) {
          const [row] = await fx.db.query('select job_type, processor_type, status, metadata from public.progressive_capture_jobs where id = $1', [r.outputs['job-id']]);
          assert.deepEqual([row.job_type, row.processor_type, row.status, row.metadata.command],
            [JOB_TYPES[inputs.command], 'github_actions', 'completed', inputs.command]);
        }
        const n = commands.length;
        assert.equal(Number(metricsAfter.total_jobs), Number(metricsBefore.total_jobs) + n);
        assert.equal(Number(metricsAfter.completed_jobs), Number(metricsBefore.completed_jobs) + n);
        assert.equal(Number(metricsAfter.github_actions_jobs), Number(metricsBefore.github_actions_jobs) + n);
      } finally {
        await fx.close();
      }
    });

  test(`every command captures into contributor.info's database that missed its later migrations (${api})`,
    { skip }, async () => {
      const runs = ['pr-all', 'repository-sync', 'commit-analysis', 'pr-comments'].map((command) => ({ command, api }));
      const { fx, results } = await captured(`cap_old_${api}`, { lacking: LATER_COLUMNS }, runs);
      try {
        for (const { r } of results) assert.equal(r.code, 0, report(results));
        assert.ok(await fx.db.count('public.commits') > fx.seeded.commits.length, 'commits written');
      } finally {
        await fx.close();
      }
    });

  test(`a renamed user and a renamed repository are updated in place (${api})`, { skip }, async () => {
    const { fx, results } = await captured(`cap_renamed_${api}`, { collisions: ['renamedUser', 'renamedRepository'] },
      [{ command: 'pr-all', api }]);
    try {
      assert.equal(results[0].r.code, 0, report(results));
      const { renamedUser: u, renamedRepository: repo } = fx.seeded.collisions;
      const [user] = await fx.db.query('select username from public.contributors where github_id = $1', [u.githubId]);
      assert.equal(user.username, u.login);
      const [row] = await fx.db.query('select id, full_name from public.repositories where github_id = $1', [repo.githubId]);
      assert.deepEqual(row, { id: repo.id, full_name: repo.fullName });
      assert.equal(await fx.db.count('public.pull_requests', 'repository_full_name = $1', [repo.oldFullName]), 0,
        'the PRs name the repository by its new name');
    } finally {
      await fx.close();
    }
  });
}

for (const [collision, extra] of [['reusedLogin', []], ['transferredRepository', []],
  ['prNumberTaken', ['renamedRepository']]]) {
  for (const api of ['graphql', 'rest']) {
    test(`pr-all completes over a collision with GitHub today: ${collision} (${api})`, { skip },
      async () => {
        const { fx, results } = await captured(`cap_${collision}_${api}`, { collisions: [collision, ...extra] },
          [{ command: 'pr-all', api }]);
        try {
          assert.equal(results[0].r.code, 0, report(results));
        } finally {
          await fx.close();
        }
      });
  }
}

// The strict variant refuses some of GitHub's own data (README, "contributor.info's
// stricter CHECKs"): each refusal fails only the pull request whose row it is,
// names the CHECK, and every other pull request is captured whole.
export const STRICT_REFUSES = new Set([
  'contributors_username_format', // bots' logins: "dependabot[bot]"
  'comments_review_comment_validation', // outdated review comments: position null
  'comments_body_length', 'reviews_body_length', 'pull_requests_body_length', // over 10,000 characters
  'comments_diff_hunk_length', // diff hunks over 1,000 characters
]);
for (const api of ['graphql', 'rest']) {
  test(`on contributor.info's strict database a refused row fails only its pull request (${api})`, { skip }, async () => {
    const { fx, results } = await captured(`cap_strict_${api}`, { variant: 'strict' }, [{ command: 'pr-all', api }]);
    try {
      const { r } = results[0];
      const errors = r.log.split('\n').filter((l) => l.startsWith('::error::#'));
      const refused = new Set(errors.map((l) => /violates check constraint \\?"([a-z_]+)\\?"/.exec(l)?.[1]));
      for (const c of refused) assert.ok(STRICT_REFUSES.has(c), `an unexpected refusal: ${c}\n${errors.join('\n')}`);
      assert.ok(errors.length > 0, 'the scenario has rows the strict CHECKs refuse');
      assert.equal(r.code, 1, report(results));
      assert.equal(Number(r.outputs.failed), errors.length);
      assert.equal(Number(r.outputs.processed) + errors.length, fx.scenario.pulls.length);
      // The others are whole: each captured PR has GitHub's counts of files.
      const failed = new Set(errors.map((l) => Number(/^::error::#(\d+)/.exec(l)[1])));
      for (const p of fx.scenario.pulls.filter((x) => !failed.has(x.number))) {
        const [row] = await fx.db.query('select id from public.pull_requests where number = $1', [p.number]);
        assert.equal(await fx.db.count('public.pull_request_files', 'pull_request_id = $1', [row.id]), p.files.length, `#${p.number}`);
      }
    } finally {
      await fx.close();
    }
  });
}

// Our states are finer than theirs: a run stopped by a rate limit ends 'partial'
// (resumable). Their view groups it under its own status; their metrics function
// counts it in total_jobs and in none of pending/processing/completed/failed
// (README, "How our jobs show in contributor.info's monitoring").
test("a partial job in contributor.info's monitoring: its own row in the view, only in total_jobs of the metrics",
  { skip }, async () => {
    const fx = await createFixture('cap_partial', {});
    try {
      await fx.migrate();
      const cap = await startCapture(fx);
      try {
        const metrics = async () => (await fx.db.query('select * from public.get_progressive_capture_metrics()'))[0];
        const before = await metrics();
        const reset = Math.floor(Date.now() / 1000) + 3600;
        for (const resource of ['core', 'graphql']) cap.gh.setRateLimit(TOKEN, resource, { remaining: 0, reset });
        const r = await cap.run({ command: 'pr-all', 'time-range': '3650' });
        assert.equal(r.outputs.status, 'partial', r.log);
        const after = await metrics();
        assert.equal(Number(after.total_jobs), Number(before.total_jobs) + 1);
        for (const k of ['pending_jobs', 'processing_jobs', 'completed_jobs', 'failed_jobs'])
          assert.equal(Number(after[k]), Number(before[k]), k);
        assert.equal(Number(after.github_actions_jobs), Number(before.github_actions_jobs) + 1);
        const [row] = await fx.db.query(`select count from public.progressive_capture_stats
          where processor_type = 'github_actions' and status = 'partial'`);
        assert.equal(Number(row.count), 1);
      } finally {
        await cap.close();
      }
    } finally {
      await fx.close();
    }
  });
