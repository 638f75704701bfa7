// The database's content in a form two runs can be compared by: every row
// with its foreign keys replaced by the natural keys they point at (GitHub
// ids, PR numbers), and the columns a run sets from its own clock left out.
// Two captures of the same GitHub data must dump identically, whichever API
// and whichever store wrote them. The SQL is what PostgreSQL and SQLite both
// take; ids are cast to text, so both give exact strings.

const TABLES = {
  repositories: `select cast(github_id as text) as github_id, full_name, owner, name, description, homepage, language,
      stargazers_count, watchers_count, forks_count, open_issues_count, size, default_branch,
      is_fork, is_archived, is_disabled, is_private, has_issues, has_projects, has_wiki,
      has_pages, has_downloads, has_discussions, license, topics, avatar_url,
      github_created_at, github_updated_at, github_pushed_at
    from repositories order by github_id`,
  contributors: `select cast(github_id as text) as github_id, username, avatar_url, profile_url, is_bot
    from contributors order by github_id`,
  pull_requests: `select cast(p.github_id as text) as github_id, p.number, p.title, p.body, p.state,
      cast(r.github_id as text) as repository, p.repository_full_name,
      cast(p.repository_github_id as text) as repository_github_id, cast(a.github_id as text) as author,
      cast(p.author_github_id as text) as author_github_id,
      p.base_branch, p.head_branch, p.base_ref, p.head_ref, p.draft, p.merged,
      cast(m.github_id as text) as merged_by, p.created_at, p.updated_at, p.merged_at, p.closed_at,
      p.additions, p.deletions, p.changed_files, p.commits, p.html_url, p.diff_url, p.patch_url,
      case when p.last_synced_at is null then 0 else 1 end as synced
    from pull_requests p join repositories r on r.id = p.repository_id
    left join contributors a on a.id = p.author_id left join contributors m on m.id = p.merged_by_id
    order by p.number`,
  pull_request_files: `select p.number, f.filename, f.status, f.additions, f.deletions, f.changes,
      f.previous_filename
    from pull_request_files f join pull_requests p on p.id = f.pull_request_id
    order by p.number`,
  reviews: `select cast(v.github_id as text) as github_id, p.number, cast(a.github_id as text) as author,
      cast(rv.github_id as text) as reviewer, v.state,
      v.body, v.submitted_at, v.commit_id
    from reviews v join pull_requests p on p.id = v.pull_request_id
    join contributors a on a.id = v.author_id left join contributors rv on rv.id = v.reviewer_id
    order by v.github_id`,
  comments: `select cast(c.github_id as text) as github_id, p.number, cast(a.github_id as text) as commenter,
      c.body, c.created_at, c.updated_at, c.comment_type, cast(parent.github_id as text) as in_reply_to, c.position,
      c.original_position, c.diff_hunk, c.path, c.commit_id, c.original_commit_id
    from comments c left join pull_requests p on p.id = c.pull_request_id
    left join contributors a on a.id = c.commenter_id left join comments parent on parent.id = c.in_reply_to_id
    order by c.github_id`,
  commits: `select c.sha, cast(a.github_id as text) as author, cast(cm.github_id as text) as committer,
      c.message, c.authored_at,
      c.committed_at, c.additions, c.deletions, c.changed_files, c.is_direct_commit,
      p.number as pull_request, c.html_url
    from commits c left join contributors a on a.id = c.author_id
    left join contributors cm on cm.id = c.committer_id left join pull_requests p on p.id = c.pull_request_id
    order by c.sha`,
  pull_request_captures: `select number, part, github_updated_at from pull_request_captures
    order by number, part`,
};

function norm(v) {
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'bigint') return String(v);
  return v;
}

// "collate C" order (UTF-8 bytes), which the SQL cannot ask of both dialects.
const byFile = (a, b) => a.number - b.number || Buffer.compare(Buffer.from(a.filename), Buffer.from(b.filename));

export async function dumpDatabase(db, tables = Object.keys(TABLES)) {
  const out = {};
  for (const t of tables) {
    const rows = await db.query(TABLES[t]);
    out[t] = rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, norm(v)])));
    if (t === 'pull_request_files') out[t].sort(byFile);
  }
  return out;
}
