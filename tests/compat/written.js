// What the program needs of a database: the columns it writes or reads, by
// table, and the keys it upserts on. The one list the compatibility tests check
// a database against; sourceColumns() reads the same facts out of src/ so a test
// can tell when the two part ways.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../lib/runner.js';

export const COLUMNS = Object.freeze({
  repositories: ['id', 'github_id', 'full_name', 'owner', 'name', 'description', 'homepage', 'language',
    'stargazers_count', 'watchers_count', 'forks_count', 'open_issues_count', 'size', 'default_branch',
    'is_fork', 'is_archived', 'is_disabled', 'is_private', 'has_issues', 'has_projects', 'has_wiki',
    'has_pages', 'has_downloads', 'has_discussions', 'license', 'topics', 'avatar_url', 'github_created_at',
    'github_updated_at', 'github_pushed_at', 'last_updated_at', 'sync_status', 'last_synced_at',
    'commit_capture_status', 'last_commit_capture_at', 'pull_request_count', 'total_pull_requests'],
  contributors: ['id', 'github_id', 'username', 'avatar_url', 'profile_url', 'is_bot', 'last_updated_at'],
  pull_requests: ['id', 'github_id', 'number', 'title', 'body', 'state', 'repository_id', 'repository_full_name',
    'repository_github_id', 'author_id', 'author_github_id', 'base_branch', 'head_branch', 'base_ref',
    'head_ref', 'draft', 'merged', 'merged_by_id', 'mergeable', 'mergeable_state', 'created_at', 'updated_at',
    'merged_at', 'closed_at',
    'additions', 'deletions', 'changed_files', 'commits', 'html_url', 'diff_url', 'patch_url', 'last_synced_at'],
  pull_request_files: ['id', 'pull_request_id', 'filename', 'status', 'additions', 'deletions', 'changes',
    'previous_filename'],
  reviews: ['id', 'github_id', 'pull_request_id', 'repository_id', 'author_id', 'reviewer_id', 'state', 'body',
    'submitted_at', 'commit_id'],
  comments: ['id', 'github_id', 'pull_request_id', 'repository_id', 'commenter_id', 'body', 'created_at',
    'updated_at', 'comment_type', 'path', 'position', 'original_position', 'diff_hunk', 'commit_id',
    'original_commit_id', 'in_reply_to_id'],
  commits: ['id', 'sha', 'repository_id', 'author_id', 'committer_id', 'message', 'authored_at', 'committed_at',
    'additions', 'deletions', 'changed_files', 'is_direct_commit', 'pull_request_id', 'html_url', 'updated_at'],
  progressive_capture_jobs: ['id', 'job_type', 'processor_type', 'status', 'time_range_days', 'metadata',
    'started_at', 'completed_at', 'error', 'workflow_run_id', 'repository_id',
    'created_at'], // created_at: read by the stale-job reaper (004)
  progressive_capture_progress: ['id', 'job_id', 'total_items', 'processed_items', 'failed_items',
    'current_item', 'errors', 'resume_cursor', 'updated_at'],
  pull_request_captures: ['id', 'repository_id', 'pull_request_id', 'number', 'part', 'github_updated_at',
    'captured_at', 'etag'],
  capture_watermarks: ['id', 'repository_id', 'stream', 'watermark', 'updated_at'],
});

// store_upsert's on_conflict targets: each needs a unique index on exactly these columns.
export const UPSERT_KEYS = Object.freeze([
  ['repositories', ['github_id']],
  ['contributors', ['github_id']],
  ['pull_requests', ['github_id']],
  ['reviews', ['github_id']],
  ['comments', ['github_id']],
  ['commits', ['repository_id', 'sha']],
  ['pull_request_files', ['pull_request_id', 'filename']],
  ['pull_request_captures', ['pull_request_id', 'part']],
  ['capture_watermarks', ['repository_id', 'stream']],
  ['progressive_capture_jobs', ['id']],
  ['progressive_capture_progress', ['id']],
]);

const strings = (text) => [...text.matchAll(/"([a-z_]+)"/g)].map((m) => m[1]);

// The functions db/migrations define: rowsets named after one are a call's arguments.
function migrationFunctions() {
  const dir = join(ROOT, 'db/migrations');
  const names = new Set();
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.sql')))
    for (const m of readFileSync(join(dir, f), 'utf8').matchAll(/create or replace function public\.([a-z_]+)/g)) names.add(m[1]);
  return names;
}

/**
 * The columns src/ names, as { table: Set }: src/schema.c's tables (what every
 * run checks the store has), the arrays given to rowset_init, repository
 * updates (struct col_val), and the columns of selections; and the upsert
 * keys' columns, as ["a,b", ...]. A reading of the source by pattern, good
 * enough to notice a new column.
 */
export function sourceColumns() {
  const functions = migrationFunctions();
  const files = [...readdirSync(join(ROOT, 'src/jobs')).filter((f) => f.endsWith('.c')).map((f) => join('src/jobs', f)),
    'src/progress.c'];
  const cols = {};
  const keys = new Set();
  const add = (t, list) => { if (!functions.has(t)) for (const c of list) (cols[t] ??= new Set()).add(c); };
  // src/schema.c: TABLE("t", writes, reads) and {"t", writes, N(writes), NULL, 0}.
  const schema = readFileSync(join(ROOT, 'src/schema.c'), 'utf8');
  const array = (name) => {
    const at = schema.indexOf(` ${name}[] = {`);
    return at < 0 ? [] : strings(schema.slice(at, schema.indexOf('};', at)));
  };
  for (const m of schema.matchAll(/TABLE\(\s*"([a-z_]+)",\s*(\w+),\s*(\w+)\s*(?:,\s*"[^"]*"\s*)?\)/g))
    add(m[1], [...array(m[2]), ...array(m[3])]);
  for (const m of schema.matchAll(/\{\s*"([a-z_]+)",\s*(\w+),\s*N\(\w+\),\s*NULL,\s*0\s*(?:,\s*"[^"]*"\s*)?\}/g))
    add(m[1], array(m[2]));
  for (const f of files) {
    const src = readFileSync(join(ROOT, f), 'utf8');
    const macros = Object.fromEntries([...src.matchAll(/#define\s+(\w+)\s+"([a-z_]+)"/g)].map((m) => [m[1], m[2]]));
    const table = (tok) => (tok.startsWith('"') ? tok.slice(1, -1) : macros[tok]);
    for (const m of src.matchAll(/rowset_init\(\s*&?\w+,\s*("[a-z_]+"|\w+),\s*(\w+)/g)) {
      const t = table(m[1]);
      if (m[2] === 'NULL') continue;
      // The nearest definition of that array before the call.
      const before = src.slice(0, m.index);
      const at = before.lastIndexOf(` ${m[2]}[] = {`);
      if (at < 0) continue;
      add(t, strings(src.slice(at, src.indexOf('};', at))));
    }
    for (const m of src.matchAll(/jobs_repository_update\(([\s\S]*?)\);/g))
      add('repositories', [...m[1].matchAll(/\{\s*"([a-z_]+)"\s*,/g)].map((x) => x[1]));
    // .columns may be adjacent literals ("a,b," "c") that C joins.
    for (const m of src.matchAll(/\.table = "([a-z_]+)",\s*\.columns = ((?:"[a-z_,]*"\s*)+)/g))
      add(m[1], m[2].replace(/"\s*"/g, '').replace(/"/g, '').trim().split(',').filter(Boolean));
    for (const m of src.matchAll(/\{(JOBS|PROGRESS), "([a-z_,]+)"/g)) add(macros[m[1]], m[2].split(','));
    for (const m of src.matchAll(/store_upsert\([^,]+,[^,]+,\s*"([a-z_,]+)"/g)) keys.add(m[1]);
  }
  return { columns: cols, keys: [...keys] };
}
