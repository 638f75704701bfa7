// The bench's baseline: the original plan's capture-pr-details.js, as the plan
// wrote it (REST, one PR at a time, each waited for before the next):
//   pulls.get, then pulls.listFiles with per_page 100 (the first page only),
//   then one upsert of the PR's row into pull_requests.
// Run as its own process, as the plan's script was, so the bench measures its
// CPU and memory the way it measures the binary's:
//
//   node baseline.js --version
//   BASELINE_GITHUB_URL=… BASELINE_TOKEN=… BASELINE_REPO=owner/name BASELINE_PRS=1,2,3 \
//   BASELINE_STORE_URL=http://gateway BASELINE_STORE_KEY=… BASELINE_REPOSITORY_ID=uuid node baseline.js
//
// Octokit's and supabase-js's calls are plain fetch requests: fetch (undici,
// kept-alive connections, like theirs) sends the same requests without
// needing either package. The plan's row carries a `file_changes` column that
// pull_requests does not have (the plan's upsert would fail with PGRST204):
// the files are fetched, as the plan does, and the row is written without
// them, so the baseline's store requests are what the plan's would be.
// Prints one line: {"prs":N,"failed":N}.

if (process.argv.includes('--version')) {
  console.log('baseline (the plan\'s capture-pr-details.js)');
  process.exit(0);
}

const env = (k) => {
  const v = process.env[k];
  if (!v) { console.error(`baseline: ${k} is required`); process.exit(2); }
  return v;
};
const gh = env('BASELINE_GITHUB_URL').replace(/\/$/, '');
const token = env('BASELINE_TOKEN');
const [owner, repo] = env('BASELINE_REPO').split('/');
const prs = env('BASELINE_PRS').split(',').map((n) => parseInt(n, 10));
const store = env('BASELINE_STORE_URL').replace(/\/$/, '');
const key = env('BASELINE_STORE_KEY');
const repositoryId = env('BASELINE_REPOSITORY_ID');

const ghHeaders = {
  accept: 'application/vnd.github+json',
  authorization: `token ${token}`,
  'user-agent': 'octokit-rest.js/20.0.0',
  'x-github-api-version': '2022-11-28',
};

async function github(path) {
  const r = await fetch(`${gh}${path}`, { headers: ghHeaders });
  const body = await r.json();
  if (!r.ok) throw new Error(`GitHub ${r.status} ${path}: ${body.message}`);
  return body;
}

async function upsert(row) {
  const r = await fetch(`${store}/rest/v1/pull_requests?on_conflict=github_id`, {
    method: 'POST',
    headers: {
      apikey: key, authorization: `Bearer ${key}`, 'content-type': 'application/json',
      prefer: 'resolution=merge-duplicates,return=minimal',
    },
    body: JSON.stringify(row),
  });
  if (!r.ok) throw new Error(`store ${r.status}: ${await r.text()}`);
}

let failed = 0;
for (const number of prs) {
  try {
    const pr = await github(`/repos/${owner}/${repo}/pulls/${number}`);
    const files = await github(`/repos/${owner}/${repo}/pulls/${number}/files?per_page=100`);
    // The plan's row (minus file_changes, see above; head_branch is NOT NULL here).
    void files.map((f) => ({ filename: f.filename, additions: f.additions, deletions: f.deletions, changes: f.changes, status: f.status }));
    await upsert({
      github_id: pr.id,
      repository_id: repositoryId,
      number: pr.number,
      title: pr.title,
      state: pr.merged_at ? 'merged' : pr.state,
      head_branch: pr.head.ref,
      additions: pr.additions,
      deletions: pr.deletions,
      changed_files: pr.changed_files,
      commits: pr.commits,
      created_at: pr.created_at,
      updated_at: pr.updated_at,
      merged_at: pr.merged_at,
    });
  } catch (err) {
    failed++;
    console.error(`Error processing item ${number}: ${err.message}`);
  }
}
console.log(JSON.stringify({ prs: prs.length, failed }));
