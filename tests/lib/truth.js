// Ground truth: what the database must hold for a scenario, in dumpDatabase's
// shape (tests/lib/dump.js), computed from the fake GitHub's scenario alone.
const GHOST = '10137'; // GitHub's stand-in for deleted accounts

const iso = (s) => (s == null ? null : new Date(s).toISOString());

export function userId(scn, login) {
  if (login == null) return GHOST;
  const u = scn.users.find((x) => x.login === login);
  if (!u) throw new Error(`scenario has no user ${login}`);
  return String(u.id);
}

export function expectedReviews(scn, numbers) {
  const rows = [];
  for (const p of scn.pulls.filter((x) => numbers.includes(x.number))) {
    for (const r of p.reviews) {
      if (r.state === 'PENDING' || r.submitted_at == null) continue;
      const author = userId(scn, r.user);
      rows.push({ github_id: String(r.id), number: p.number, author, reviewer: author, state: r.state,
        body: r.body ?? null, submitted_at: iso(r.submitted_at), commit_id: r.commit_id ?? null });
    }
  }
  return rows.sort((a, b) => (BigInt(a.github_id) < BigInt(b.github_id) ? -1 : 1));
}

export function pendingReviews(scn, numbers) {
  return scn.pulls.filter((x) => numbers.includes(x.number))
    .reduce((n, p) => n + p.reviews.filter((r) => r.state === 'PENDING' || r.submitted_at == null).length, 0);
}

export function expectedComments(scn, numbers) {
  const rows = [];
  for (const p of scn.pulls.filter((x) => numbers.includes(x.number))) {
    for (const c of p.issue_comments)
      rows.push({ github_id: String(c.id), number: p.number, commenter: userId(scn, c.user), body: c.body,
        created_at: iso(c.created_at), updated_at: iso(c.updated_at), comment_type: 'issue_comment',
        in_reply_to: null, position: null, original_position: null, diff_hunk: null, path: null,
        commit_id: null, original_commit_id: null });
    for (const c of p.review_comments)
      rows.push({ github_id: String(c.id), number: p.number, commenter: userId(scn, c.user), body: c.body,
        created_at: iso(c.created_at), updated_at: iso(c.updated_at), comment_type: 'review_comment',
        in_reply_to: c.in_reply_to_id != null ? String(c.in_reply_to_id) : null,
        position: c.position ?? null, original_position: c.original_position ?? null,
        diff_hunk: c.diff_hunk ?? null, path: c.path, commit_id: c.commit_id ?? null,
        original_commit_id: c.original_commit_id ?? null });
  }
  return rows.sort((a, b) => (BigInt(a.github_id) < BigInt(b.github_id) ? -1 : 1));
}

export function expectedFileRows(scn, numbers) {
  const rows = [];
  for (const p of scn.pulls.filter((x) => numbers.includes(x.number)))
    for (const f of p.files)
      rows.push({ number: p.number, filename: f.filename, status: f.status, additions: f.additions,
        deletions: f.deletions, changes: f.changes, previous_filename: f.previous_filename ?? null });
  // "collate C" order: UTF-8 bytes.
  return rows.sort((a, b) => a.number - b.number || Buffer.compare(Buffer.from(a.filename), Buffer.from(b.filename)));
}
