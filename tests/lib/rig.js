// The test rig: a fresh store (PostgreSQL behind the PostgREST gateway, or a
// SQLite file: PC_STORE=sqlite), a fake GitHub serving a scenario, and run()
// to start the binary against both the way the Actions runner would.
//
//   const rig = await startRig('name', { scenario: {...generateScenario options} });
//   const r = await rig.run({ 'pr-numbers': '1,2' });   // inputs; defaults filled in
//   ... rig.db.query(...), rig.gh.log, rig.gw?.log (PostgREST only), rig.scn (ground truth)
//   await rig.close();
import { startFakeGitHub } from '../fake-github/server.js';
import { generateScenario } from '../fake-github/scenario.js';
import { startGateway } from '../postgrest/server.js';
import { freshDatabase } from './db.js';
import { runAction } from './runner.js';

export const TOKEN = 'ghp_test_token';
export const KEY = 'service-role-key';
export const STORE = process.env.PC_STORE || 'postgrest';

export async function startRig(name, { scenario = {}, gateway = {}, github = {}, store = STORE } = {}) {
  const db = await freshDatabase(name, { store });
  const gw = store === 'postgrest' ? await startGateway({ databaseUrl: db.url, apiKey: KEY, ...gateway }) : null;
  const scn = generateScenario({ seed: 7, prs: 12, ...scenario });
  const gh = await startFakeGitHub({ scenario: scn, tokens: [TOKEN], ...github });
  const repository = `${scn.repo.owner.login}/${scn.repo.name}`;
  return {
    db, gw, gh, scn, repository, store,
    // The inputs that choose this rig's store.
    storeInputs() {
      return gw ? { 'supabase-url': gw.url, 'supabase-key': KEY } : { database: db.path };
    },
    // Requests the store received since clearLogs (PostgREST), or null (SQLite).
    storeLog() { return gw ? gw.log : null; },
    // Inputs as a workflow would give them; pass null to leave one out.
    run(inputs = {}, opts = {}) {
      const all = {
        command: 'pr-details',
        repository,
        'github-token': TOKEN,
        ...this.storeInputs(),
        ...inputs,
      };
      for (const k of Object.keys(all)) if (all[k] === null) delete all[k];
      const { env = {}, ...rest } = opts;
      return runAction({
        inputs: all,
        env: { GITHUB_API_URL: gh.url, GITHUB_GRAPHQL_URL: gh.graphqlUrl, ...env },
        ...rest,
      });
    },
    clearLogs() { gh.clearLog(); gw?.clearLog(); },
    async close() {
      await gh.close();
      await gw?.close();
      await db.close();
    },
  };
}

// The rows the database must hold for a scenario pull request (ground truth).
export function expectedPull(p, repoFullName) {
  return {
    github_id: String(p.id),
    number: p.number,
    title: p.title,
    body: p.body || null,
    state: p.merged ? 'merged' : p.state,
    draft: !!p.draft,
    merged: !!p.merged,
    created_at: p.created_at,
    updated_at: p.updated_at,
    closed_at: p.closed_at ?? null,
    merged_at: p.merged_at ?? null,
    additions: p.additions,
    deletions: p.deletions,
    changed_files: p.changed_files,
    commits: p.commits,
    base_branch: p.base_ref,
    head_branch: p.head_ref,
    repository_full_name: repoFullName,
    author: p.user,
  };
}

// What the database holds for a PR, in the same shape (timestamps as GitHub writes them).
export async function storedPull(db, number) {
  const rows = await db.query(
    `select p.*, c.username as author
       from pull_requests p left join contributors c on c.id = p.author_id
      where p.number = $1`, [number]);
  if (rows.length !== 1) return rows.length === 0 ? null : { duplicates: rows.length };
  const r = rows[0];
  const iso = (t) => (t == null ? null : t.toISOString().replace(/\.000Z$/, 'Z'));
  return {
    github_id: r.github_id,
    number: r.number,
    title: r.title,
    body: r.body,
    state: r.state,
    draft: r.draft,
    merged: r.merged,
    created_at: iso(r.created_at),
    updated_at: iso(r.updated_at),
    closed_at: iso(r.closed_at),
    merged_at: iso(r.merged_at),
    additions: r.additions,
    deletions: r.deletions,
    changed_files: r.changed_files,
    commits: r.commits,
    base_branch: r.base_branch,
    head_branch: r.head_branch,
    repository_full_name: r.repository_full_name,
    author: r.author,
  };
}

const byName = (a, b) => Buffer.compare(Buffer.from(a.filename), Buffer.from(b.filename));

export function expectedFiles(p) {
  return p.files.map((f) => ({
    filename: f.filename, status: f.status, additions: f.additions, deletions: f.deletions,
    changes: f.changes, previous_filename: f.previous_filename ?? null,
  })).sort(byName);
}

export async function storedFiles(db, number) {
  const rows = await db.query(
    `select f.filename, f.status, f.additions, f.deletions, f.changes, f.previous_filename
       from pull_request_files f join pull_requests p on p.id = f.pull_request_id
      where p.number = $1`, [number]);
  return rows.sort(byName);
}
