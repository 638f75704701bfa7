// Deterministic scenario generator for the fake GitHub.
//
// generateScenario(opts) builds the ground truth of one repository: users, pull
// requests with files, reviews, conversation comments, review-comment threads and
// commits, plus commits pushed straight to the default branch. The same options
// (and seed) always give the same object, byte for byte, so integration tests can
// compare what the binary stored with this object. It is plain JSON: no classes,
// no Maps, no undefined values.
//
// It must not depend on anything but its options (no clock unless `now` is left
// out, no randomness but the seeded PRNG).

import { Buffer } from 'node:buffer';
import { mulberry32 } from '../lib/random.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

// ---------------------------------------------------------------------------
// Small deterministic helpers


class Rng {
  constructor(seed) {
    this.next = mulberry32(seed);
  }
  /** Integer in [min, max], both inclusive. */
  int(min, max) {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p) {
    return this.next() < p;
  }
  pick(arr) {
    return arr[Math.floor(this.next() * arr.length)];
  }
  /** entries: [[value, weight], ...] */
  weighted(entries) {
    const total = entries.reduce((s, [, w]) => s + w, 0);
    let r = this.next() * total;
    for (const [value, w] of entries) {
      r -= w;
      if (r < 0) return value;
    }
    return entries[entries.length - 1][0];
  }
  /** Fisher-Yates on a copy. */
  shuffle(arr) {
    const out = arr.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }
  /** n lowercase hex digits (a git object id when n = 40). */
  hex(n) {
    let s = '';
    while (s.length < n) s += Math.floor(this.next() * 0x100000000).toString(16).padStart(8, '0');
    return s.slice(0, n);
  }
}

/** Code-unit order (not locale collation): stable on every machine. */
export function cmp(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** FNV-1a 32-bit: derives stable numbers from names (user ids, repo id, id slots). */
export function fnv1a(str) {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(String(str), 'utf8')) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** GitHub's timestamp format: ISO-8601 UTC to the second, no milliseconds. */
export function isoSeconds(ms) {
  return new Date(Math.floor(ms / SECOND) * SECOND).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Legacy GraphQL/REST global node id, e.g. nodeId('User', 1) === 'MDQ6VXNlcjE='.
 * The format is base64("0" + typeName.length + ":" + typeName + id), which is what
 * GitHub's OpenAPI examples carry (MDExOlB1bGxSZXF1ZXN0MQ== = "011:PullRequest1").
 */
export function nodeId(typeName, id) {
  return Buffer.from(`0${typeName.length}:${typeName}${id}`, 'utf8').toString('base64');
}

/** n sorted timestamps in [start, end], at least minGap apart when the span allows it. */
function spreadTimes(rng, n, start, end, minGap) {
  if (n <= 0) return [];
  const span = Math.max(0, end - start);
  let gap = minGap;
  if (span < n * gap) gap = Math.max(SECOND, Math.floor(span / (n + 1)));
  const times = [];
  for (let i = 0; i < n; i++) times.push(start + Math.floor(rng.next() * span));
  times.sort((a, b) => a - b);
  for (let i = 1; i < n; i++) if (times[i] < times[i - 1] + gap) times[i] = times[i - 1] + gap;
  const overflow = times[n - 1] - end;
  if (overflow > 0) for (let i = 0; i < n; i++) times[i] -= overflow;
  return times.map((t) => Math.floor(t / SECOND) * SECOND);
}

// ---------------------------------------------------------------------------
// Fixed pools. User ids depend on the login only, never on the seed, so that two
// scenarios (two repositories) never give one login two ids (the contributors
// table is unique on github_id and on username).

const HUMANS = [
  // login, id, display name (null = the user set none)
  ['alice-dev', 583_231, 'Alice Martin'],
  ['bob-ops', 2_150_004_117, 'Bob Ødegård'],
  ['carol-m', 1_024_508, 'Carol Müller'],
  ['dmitri', 93_112_450, 'Дмитрий Иванов'],
  ['eve-sec', 2_874_331_902, null],
  ['fatima-z', 44_019_771, 'Fatima Zahra'],
  ['gonzalo', 7_731_902, 'Gonzalo Álvarez'],
  ['hana-k', 120_455_003, '花子 川村'],
  ['ivan-petrov', 3_999_012_554, 'Ivan Petrov'],
  ['julia-r', 15_377_420, 'Júlia Rocha'],
  ['kwame', 88_210_004, 'Kwame Mensah'],
  ['li-wei', 2_333_444_555, '李伟'],
  ['marta', 61_502_318, 'Marta Kowalska'],
  ['nils-o', 4_210_998, null],
  ['olga-s', 2_990_100_777, 'Olga Sørensen'],
  ['pat-the-dev', 33_004_119, 'Pat "the dev" O\'Neil'],
  ['quentin', 101_776_009, 'Quentin Lefèvre'],
  ['rania', 2_500_771_003, 'Rania Haddad'],
  ['sven', 9_114_726, 'Sven Åberg'],
  ['tomoko', 54_661_209, '智子'],
  ['ugo-b', 76_001_345, 'Ugo Bernard'],
  ['vera', 3_100_200_300, 'Vera Nováková'],
  ['wen-h', 18_622_471, 'Wen Huang'],
  ['xavier', 140_301_986, 'Xavier <b>Bold</b>'],
  ['yusuf', 2_700_123_456, 'Yusuf Şahin'],
  ['zoe-q', 27_840_112, 'Zoë Quinn'],
];

// Real ids of GitHub's well-known bots; their REST login carries "[bot]".
const BOTS = [
  ['dependabot[bot]', 49_699_333, 'dependabot'],
  ['github-actions[bot]', 41_898_282, 'github-actions'],
  ['renovate[bot]', 29_139_614, 'renovate'],
];

const MODULES = ['parser', 'http client', 'rate limiter', 'store', 'CLI', 'pagination',
  'JSON mapper', 'logger', 'config loader', 'scheduler', 'retry policy', 'job table'];
const VERBS = ['Fix', 'Add', 'Refactor', 'Improve', 'Document', 'Simplify', 'Harden', 'Test'];
const OBJECTS = ['error handling', 'memory leak', 'timeout', 'edge case', 'null check',
  'logging', 'cursor handling', 'unicode handling', 'buffer size', 'exit code'];
const DIRS = ['src', 'src/http', 'src/jobs', 'include', 'tests/unit', 'tests/integration',
  'docs', 'scripts', '.github/workflows', 'db/migrations', 'src/json', 'vendor/lib'];
const NAMES = ['main', 'http', 'json', 'store', 'github', 'ratelimit', 'config', 'util',
  'buf', 'err', 'log', 'output', 'progress', 'pulls', 'reviews', 'comments', 'commits'];
const EXTS = ['.c', '.h', '.md', '.js', '.yml', '.sql', '.sh', '.json'];
const PACKAGES = ['lodash', 'curl', 'mbedtls', 'cjson', 'actions/checkout', 'pg', 'graphql'];

/** Text that breaks naive tools: Markdown tables, HTML, workflow commands, CR/LF, %. */
export const HOSTILE = Object.freeze({
  title: "::warning::Fix `a | b` <script>alert('x')</script> 100% \"done\" — café ☕ 🚀",
  body: [
    'Line one\r\nLine two | with | pipes and `inline code`',
    '',
    '<script>alert(document.cookie)</script> <img src=x onerror=alert(1)>',
    '::error file=src/main.c,line=1::injected workflow command',
    '::add-mask::not-a-secret',
    '%0A %25 100% %s %n {{ github.token }} ${{ secrets.X }}',
    '```c',
    'int main(void) { printf("%s\\n", "hi"); return 0; }',
    '```',
    'Ünïcödé ✓ 日本語 עברית 👩‍💻 \u2028line-separator\ttab',
    '',
    '| col A | col B |',
    '|---|---|',
    '| a \\| b | `c|d` |',
    "Robert'); DROP TABLE pull_requests;--",
  ].join('\n'),
  comment: "```suggestion\nreturn err_set(e, ERR_HTTP, \"bad | input\");\n```\r\n<details><summary>why</summary>\n\n% not a format ::notice::x\n</details> 👍",
  files: ['docs/naïve café.md', 'src/with space/file name.c', 'weird/pipe|name%20.txt',
    'emoji/🚀-launch.md', 'a/very/deep/directory/structure/that/goes/on/and/on/for/a/while/file.c'],
});

// A 256-character title (GitHub's maximum), accented, BMP only so that
// String.length equals the number of characters.
const LONG_TITLE = (() => {
  const unit = 'Très long titre: refactor the pagination cursor handling — ';
  let s = '';
  while (s.length < 256) s += unit;
  return s.slice(0, 255) + '.';
})();

// ---------------------------------------------------------------------------

const DEFAULTS = {
  seed: 1,
  owner: 'acme',
  name: 'widgets',
  prs: 20,
  days: 60,
  maxFiles: 8,
  maxReviews: 4,
  maxIssueComments: 4,
  maxReviewComments: 4,
  maxCommits: 5,
  users: 12,
  bigUserIds: true,
  ghostComment: true,
  renames: true,
  unlinkedCommits: 2,
  empty: false,
  loneSurrogates: false,
  special: [],
};

/**
 * Build one repository's ground truth. See the module header and README.md for
 * the shape. Options (all optional): seed, owner, name, prs, now (ms epoch; PR
 * dates fall in the `days` days before it), days, maxFiles, maxReviews,
 * maxIssueComments, maxReviewComments, maxCommits, users, bigUserIds (default
 * true: some human users get ids > 2^31), ghostComment (default true: one
 * conversation comment by a deleted account, user null), renames (default true;
 * false: no PR file is renamed or copied anywhere, so a client never needs REST's
 * previous_filename), unlinkedCommits (default 2: that many more direct commits by
 * an e-mail that matches no GitHub account, their shas alternately even and odd so
 * that REST shows both of its forms, see restUnlinkedUser), idSlot (0..255, spreads
 * ids of different repositories apart; default derived from owner/name),
 * empty (default false; true: a repository with no commits and no pull requests,
 * as GitHub has right after "create repository"; `prs` and `unlinkedCommits` are
 * ignored), repoId (default derived from owner/name), loneSurrogates (default false; true: unpaired UTF-16 surrogates in one
 * PR title, one PR body, one review body, one conversation comment, one review
 * comment and one commit message, see placeLoneSurrogates), special: [{ number, files, reviews, issueComments, reviewComments,
 * reviewThreads, commits, state: 'open'|'draft'|'closed'|'merged', title, body,
 * author, bodyBytes }] (bodyBytes: every review, conversation comment and review
 * comment body of that PR is exactly that many UTF-8 bytes, see padBodies).
 */
export function generateScenario(opts = {}) {
  // Options given as undefined take their default.
  const o = { ...DEFAULTS, ...Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) };
  const now = Math.floor((o.now ?? Date.now()) / SECOND) * SECOND;
  const rng = new Rng((o.seed >>> 0) ^ 0x9e3779b9);
  const fullName = `${o.owner}/${o.name}`;
  const slot = o.idSlot ?? fnv1a(fullName.toLowerCase()) % 256;
  const special = new Map((o.special || []).map((s) => [s.number, s]));

  const users = makeUsers(rng, Math.max(2, o.users), o.bigUserIds);
  const humans = users.filter((u) => u.type === 'User');
  const bots = users.filter((u) => u.type === 'Bot');
  const byLogin = new Map(users.map((u) => [u.login, u]));

  const ownerId = 1_000_000 + (fnv1a(o.owner.toLowerCase()) % 90_000_000);
  // repoId: for a second repository under a name a renamed one used to have (the
  // derived id would be the first one's).
  const repoId = o.repoId ?? 100_000_000 + (fnv1a(fullName.toLowerCase()) % 900_000_000);
  const repoCreated = now - (o.days + 400 + rng.int(0, 900)) * DAY;

  // --- pull requests, children times only (ids are given later, in time order)
  const nPulls = o.empty ? 0 : o.prs;
  const createdTimes = spreadTimes(rng, nPulls, now - o.days * DAY, now - 2 * HOUR, 10 * MINUTE);
  const pulls = [];
  for (let i = 0; i < nPulls; i++) {
    pulls.push(makePull(rng, {
      number: i + 1, created: createdTimes[i], now, o, special: special.get(i + 1),
      humans, bots, byLogin, fullName,
    }));
  }

  const directCount = o.empty ? 0 : Math.max(1, Math.round(o.prs / 4));
  const directTimes = spreadTimes(rng, directCount, now - o.days * DAY, now - HOUR, HOUR);
  const directCommits = directTimes.map((t, k) => makeCommit(rng, {
    author: rng.pick(humans), time: t, committedAt: t,
    message: rng.pick([
      'Bump version to 0.%d.0', 'Fix CI on main', "Revert \"Add flaky test\"\n\nThis reverts commit deadbeef.",
      'Update README | badges', 'chore: tidy .gitignore',
    ]).replace('%d', String(k + 1)),
  }));

  if (!o.empty) directCommits.push(...makeUnlinkedCommits(o.seed, o.unlinkedCommits, now, o.days));

  placeForks(pulls, humans, o.name);
  assignIds(rng, pulls, slot);

  // Ensure a conversation comment from a deleted account ("ghost") exists: REST
  // sends user null and GraphQL author null for those.
  if (o.ghostComment) {
    const human = (c) => byLogin.get(c.user)?.type === 'User';
    const target = pulls.find((p) => p.number >= 6 && p.issue_comments.some(human))
      || pulls.find((p) => p.issue_comments.some(human));
    if (target) target.issue_comments.find(human).user = null;
  }

  for (const pr of pulls) finishPull(rng, pr, now);
  const padded = new Set();
  for (const pr of pulls) {
    const n = special.get(pr.number)?.bodyBytes;
    if (n === undefined) continue;
    if (!Number.isInteger(n) || n < 1) throw new TypeError(`special #${pr.number}: bodyBytes must be an integer ≥ 1, not ${n}`);
    padBodies(pr, n);
    padded.add(pr.number);
  }
  if (o.loneSurrogates) placeLoneSurrogates(pulls.filter((p) => !padded.has(p.number)), directCommits);
  assignMergeability(pulls);

  // A loop, not Math.max(...all): a spread of 100,000+ values overflows the stack.
  let lastPush = repoCreated;
  for (const c of [...directCommits, ...pulls.flatMap((p) => p.commits_list)])
    lastPush = Math.max(lastPush, Date.parse(c.committed_at));
  const openCount = pulls.filter((p) => p.state === 'open').length;
  const repo = {
    id: repoId,
    node_id: nodeId('Repository', repoId),
    name: o.name,
    full_name: fullName,
    owner: {
      id: ownerId, login: o.owner, node_id: nodeId('Organization', ownerId), type: 'Organization',
      name: `${o.owner} Inc.`, avatar_url: `https://avatars.githubusercontent.com/u/${ownerId}?v=4`,
      html_url: `https://github.com/${o.owner}`,
    },
    private: false,
    description: 'Widgets & gadgets: a "test" repository <b>with</b> | pipes — ünïcode',
    homepage: `https://${o.owner}.example.com/${o.name}`,
    language: 'C',
    stargazers_count: rng.int(0, 5000),
    watchers_count: 0,
    forks_count: rng.int(0, 300),
    open_issues_count: openCount + rng.int(0, 40),
    size: o.empty ? 0 : rng.int(100, 90_000), // KB of git data
    default_branch: 'main',
    fork: false,
    archived: false,
    disabled: false,
    has_issues: true,
    has_projects: true,
    has_wiki: false,
    has_pages: false,
    has_downloads: true,
    has_discussions: false,
    license: { key: 'mit', name: 'MIT License', spdx_id: 'MIT' },
    topics: ['c', 'github-actions', 'supabase'],
    created_at: isoSeconds(repoCreated),
    updated_at: isoSeconds(now - 30 * MINUTE),
    pushed_at: isoSeconds(lastPush),
    html_url: `https://github.com/${fullName}`,
  };
  repo.watchers_count = repo.stargazers_count;

  return {
    seed: o.seed,
    generated_at: isoSeconds(now),
    repo,
    users,
    pulls,
    direct_commits: directCommits.sort((a, b) => cmp(a.committed_at, b.committed_at)),
  };
}

function makeUsers(rng, count, bigUserIds) {
  const botCount = count >= 5 ? 2 : 1;
  const humanCount = count - botCount;
  let pool = HUMANS.filter(([, id]) => bigUserIds || id < 2 ** 31);
  pool = rng.shuffle(pool).slice(0, Math.min(humanCount, pool.length));
  // Guarantee the mix the tests rely on: at least one id above 2^31 (when allowed)
  // and at least one small one.
  const big = (u) => u[1] >= 2 ** 31;
  if (bigUserIds && humanCount >= 2 && !pool.some(big)) pool[pool.length - 1] = HUMANS.find(big);
  if (humanCount >= 2 && pool.every(big)) pool[0] = HUMANS.find((u) => !big(u));
  const humans = pool.map(([login, id, name]) => userObj(login, id, name, 'User'));
  for (let k = humans.length; k < humanCount; k++) {
    const login = `dev-${k + 1}`;
    humans.push(userObj(login, 200_000_000 + (fnv1a(login) % 1_000_000_000), null, 'User'));
  }
  const bots = BOTS.slice(0, botCount).map(([login, id, name]) => userObj(login, id, name, 'Bot'));
  return [...humans, ...bots];
}

function userObj(login, id, name, type) {
  const slug = login.replace(/\[bot\]$/, '');
  return {
    id,
    login,
    node_id: nodeId(type, id),
    type,
    name,
    avatar_url: `https://avatars.githubusercontent.com/${type === 'Bot' ? 'in' : 'u'}/${id}?v=4`,
    html_url: type === 'Bot' ? `https://github.com/apps/${slug}` : `https://github.com/${login}`,
  };
}

function makeCommit(rng, { author, time, committedAt, message, loginless = false }) {
  const login = loginless || !author ? null : author.login;
  const name = loginless || !author ? rng.pick(['Jane Doe', 'build-bot', 'José Ñúñez']) : (author.name || author.login);
  const email = loginless || !author
    ? rng.pick(['jane@example.com', 'ci@localhost', 'jose@example.org'])
    : `${author.id}+${author.login}@users.noreply.github.com`;
  const sha = rng.hex(40);
  return {
    sha,
    message,
    author_login: login,
    author_name: name,
    author_email: email,
    authored_at: isoSeconds(time),
    committer_login: login,
    committer_name: name,
    committer_email: email,
    committed_at: isoSeconds(committedAt),
    ...commitStats(sha),
  };
}

/**
 * `n` direct commits by an e-mail that matches no GitHub account (author and
 * committer), from a PRNG of their own (the scenario's stream is not disturbed).
 * The k-th sha ends in an even hex digit when k is even, odd when k is odd, so REST
 * sends both `{}` and `null` for them (restUnlinkedUser).
 */
function makeUnlinkedCommits(seed, n, now, days) {
  const r = new Rng(fnv1a(`unlinked:${seed}`));
  const times = spreadTimes(r, n, now - days * DAY, now - HOUR, HOUR);
  const who = [['Jane Doe', 'jane@example.com'], ['build-bot', 'ci@localhost'], ['José Ñúñez', 'jose@example.org']];
  return times.map((t, k) => {
    const [name, email] = who[k % who.length];
    const digit = r.int(0, 7) * 2 + (k % 2); // the last hex digit's parity is k's
    const sha = r.hex(39) + digit.toString(16);
    return {
      sha,
      message: r.pick(['Fix typo in README', 'Update CI cache key', 'Regenerate fixtures\n\nFrom a machine whose git e-mail is not on GitHub.']),
      author_login: null,
      author_name: name,
      author_email: email,
      authored_at: isoSeconds(t),
      committer_login: null,
      committer_name: name,
      committer_email: email,
      committed_at: isoSeconds(t),
      ...commitStats(sha),
    };
  });
}

/**
 * What REST sends as a commit's top-level `author` or `committer` when its e-mail
 * matches no GitHub account: GitHub's description types them `oneOf: [nullable
 * simple-user, empty-object]` and GitHub sends `{}` for some such commits, `null`
 * for others. The fake decides by the sha: `{}` when its last hex digit is even,
 * `null` when odd (the same for author and committer). GraphQL's GitActor.user is
 * null for both.
 */
export function restUnlinkedUser(sha) {
  return Number.parseInt(sha.at(-1), 16) % 2 === 0 ? {} : null;
}

/**
 * A commit's line and file counts, derived from its sha alone (a PRNG of its own,
 * so the scenario's stream is not disturbed): { additions, deletions, changed_files }.
 */
function commitStats(sha) {
  const r = new Rng(fnv1a(`stats:${sha}`));
  const changed = r.chance(0.05) ? r.int(13, 60) : r.int(1, 6);
  return { additions: r.int(0, 60 * changed), deletions: r.int(0, 30 * changed), changed_files: changed };
}

function makeTitle(rng) {
  return `${rng.pick(VERBS)} ${rng.pick(OBJECTS)} in ${rng.pick(MODULES)}`;
}

function makeBody(rng, number) {
  if (rng.chance(0.15)) return null; // an empty description: REST null, GraphQL ""
  const lines = [
    `## Summary\n\nThis change ${rng.pick(['fixes', 'improves', 'reworks'])} the ${rng.pick(MODULES)}.`,
    rng.chance(0.5) ? `\nCloses #${Math.max(1, number - rng.int(1, 5))}.` : '',
    '\n## Checklist\n- [x] tests\n- [ ] docs',
  ];
  return lines.join('\n');
}

function makeFiles(rng, count, prNumber, renames = true) {
  const files = [];
  const seen = new Set();
  const unique = (name) => {
    let n = name;
    for (let k = 2; seen.has(n); k++) n = name.replace(/(\.[^./]*)?$/, `-${k}$1`);
    seen.add(n);
    return n;
  };
  for (let i = 0; i < count; i++) {
    let filename;
    if (prNumber === 1 && i < HOSTILE.files.length) filename = HOSTILE.files[i];
    else if (count > 200) filename = `src/gen/${String(i + 1).padStart(4, '0')}/part_${i + 1}.c`;
    else filename = `${rng.pick(DIRS)}/${rng.pick(NAMES)}${rng.pick(EXTS)}`;
    filename = unique(filename);
    // No 'unchanged': GitHub never lists an unchanged file in a PR's file list, and
    // GraphQL's PatchStatus has no such value (REST's enum keeps it; shapes.js passes
    // any status through).
    let status = rng.weighted([['modified', 63], ['added', 15], ['removed', 8], ['renamed', 8],
      ['copied', 3], ['changed', 3]]);
    if (prNumber === 1 && i === 1) status = 'renamed'; // PR #1 always has a rename
    if (!renames && (status === 'renamed' || status === 'copied')) status = 'modified';
    let additions = 0;
    let deletions = 0;
    switch (status) {
      case 'modified': additions = rng.int(0, 200); deletions = rng.int(0, 120); break;
      case 'added': additions = rng.int(1, 400); break;
      case 'removed': deletions = rng.int(1, 300); break;
      case 'renamed': if (rng.chance(0.4)) { additions = rng.int(0, 20); deletions = rng.int(0, 20); } break;
      case 'copied': additions = rng.int(0, 10); break;
      default: break; // changed (a file type/mode change) carries no line changes
    }
    const f = { filename, status, additions, deletions, changes: additions + deletions };
    if (status === 'renamed' || status === 'copied') {
      f.previous_filename = `old/legacy_${i}_${filename.split('/').pop()}`;
    }
    files.push(f);
  }
  return files;
}

/**
 * One pull request, without ids: reviews and comments carry `_t` (ms) and are
 * numbered later in global time order.
 */
function makePull(rng, ctx) {
  const { number, created, now, o, humans, bots, fullName } = ctx;
  const sp = ctx.special || {};

  // State: fixed for the first PRs so every kind exists, random afterwards.
  const fixedStates = { 1: 'merged', 2: 'open', 3: 'closed', 4: 'draft', 5: 'merged', 6: 'open' };
  let kind = sp.state || fixedStates[number]
    || rng.weighted([['merged', 50], ['open', 20], ['draft', 10], ['closed', 20]]);

  let author = rng.pick(humans);
  const dependabot = bots.find((b) => b.login === 'dependabot[bot]');
  if (number === 5 && dependabot) author = dependabot;
  else if (number > 5 && dependabot && rng.chance(0.1)) author = dependabot;
  if (sp.author) author = ctx.byLogin.get(sp.author) || author;
  const isBotPr = author.type === 'Bot';

  let title;
  if (number === 1) title = HOSTILE.title;
  else if (number === 2) title = LONG_TITLE;
  else if (isBotPr) {
    const pkg = rng.pick(PACKAGES);
    title = `Bump ${pkg} from 1.${rng.int(0, 9)}.${rng.int(0, 9)} to 2.${rng.int(0, 9)}.${rng.int(0, 9)}`;
  } else title = makeTitle(rng);
  if (sp.title !== undefined) title = sp.title;

  let body = number === 1 ? HOSTILE.body : number === 2 ? null : makeBody(rng, number);
  if (isBotPr) body = `Bumps the dependency.\n\n<details>\n<summary>Release notes</summary>\n\n| v | notes |\n|---|---|\n| 2.0 | 💥 |\n</details>\n\nDependabot will resolve any conflicts with this PR as long as you don't alter it yourself.`;
  if (sp.body !== undefined) body = sp.body;

  const closed = kind === 'merged' || kind === 'closed';
  const closeAt = closed
    ? created + rng.int(10 * MINUTE, Math.max(10 * MINUTE, Math.min(10 * DAY, now - 30 * MINUTE - created)))
    : null;
  const end = closeAt ?? Math.min(now - 30 * MINUTE, created + 20 * DAY);
  const activityStart = created + MINUTE;

  // Counts (special overrides first).
  const draftEmpty = number === 4 && !ctx.special;
  const nFiles = sp.files ?? (draftEmpty ? 0 : rng.int(number === 1 ? 6 : 0, Math.max(o.maxFiles, number === 1 ? 6 : 0)));
  const nCommits = Math.max(1, sp.commits ?? rng.int(1, Math.max(1, o.maxCommits)));
  let nReviews = sp.reviews ?? (draftEmpty || kind === 'draft' ? 0 : rng.int(number === 6 ? 2 : 0, Math.max(o.maxReviews, number === 6 ? 2 : 0)));
  const nIssueComments = sp.issueComments ?? (draftEmpty ? 0 : rng.int(0, o.maxIssueComments));
  let nReviewComments = sp.reviewComments
    ?? (sp.reviewThreads !== undefined ? sp.reviewThreads + Math.floor(sp.reviewThreads / 2) : null)
    ?? (draftEmpty || nFiles === 0 ? 0 : rng.int(0, o.maxReviewComments));
  let nThreads = sp.reviewThreads ?? Math.ceil(nReviewComments * 0.6);
  if (nThreads > nReviewComments) nReviewComments = nThreads;
  if (nReviewComments > 0 && nThreads === 0) nThreads = 1;

  const files = makeFiles(rng, nFiles, number, o.renames);

  // Commits: the branch starts before the PR is opened; the last commit before `end`.
  const commitTimes = spreadTimes(rng, nCommits, created - 2 * DAY, Math.max(created, end - MINUTE), MINUTE);
  const commits = commitTimes.map((t, k) => makeCommit(rng, {
    author: isBotPr ? author : (rng.chance(0.85) ? author : rng.pick(humans)),
    loginless: !isBotPr && rng.chance(0.08),
    time: t,
    committedAt: Math.min(t + (rng.chance(0.3) ? rng.int(1, 3600) * SECOND : 0), end),
    message: number === 1 && k === 0
      ? 'Fix `a | b`\r\n\r\n::warning::not a command\n100% <b>bold</b> 🚀'
      : `${rng.pick(VERBS)} ${rng.pick(OBJECTS)}${rng.chance(0.4) ? `\n\n${rng.pick(['Signed-off-by: A <a@b.c>', 'Co-authored-by: Zoë <z@example.com>', 'More detail | here'])}` : ''}`,
  }));
  commits.sort((a, b) => cmp(a.committed_at, b.committed_at));
  const shaAt = (t) => {
    let sha = commits[0].sha;
    for (const c of commits) if (Date.parse(c.committed_at) <= t) sha = c.sha;
    return sha;
  };

  // Reviews: by people other than the author, at least 5 minutes apart (so the
  // review comments placed just before each review keep the time order).
  const reviewers = humans.filter((u) => u.login !== author.login);
  if (nReviewComments > 0 && nReviews === 0 && sp.reviews === undefined) nReviews = nThreads;
  const reviewTimes = spreadTimes(rng, nReviews, activityStart + 4 * MINUTE, end, 5 * MINUTE);
  const reviews = reviewTimes.map((t) => {
    const state = rng.weighted([['APPROVED', 35], ['COMMENTED', 35], ['CHANGES_REQUESTED', 15], ['DISMISSED', 8]]);
    return {
      _t: t,
      user: (reviewers.length ? rng.pick(reviewers) : author).login,
      state,
      body: state === 'APPROVED' && rng.chance(0.5) ? '' : number === 1
        ? HOSTILE.comment : rng.pick(['LGTM 👍', 'Please split this | into two', 'Nit: `strncpy`?', 'Looks good, one question below.', '']),
      commit_id: shaAt(t),
      _comments: [],
    };
  });
  // A review being drafted right now: only on open PRs, and only the last review.
  // Never the only review when review comments are wanted (they need a submitted one).
  const canPend = reviews.length > (nReviewComments > 0 ? 1 : 0);
  if (kind !== 'merged' && kind !== 'closed' && canPend && (number === 6 || rng.chance(0.05))) {
    reviews[reviews.length - 1].state = 'PENDING';
  }

  // Review comments, grouped in threads; every comment belongs to a submitted review
  // and is created just before that review is submitted.
  const eligible = reviews.filter((r) => r.state !== 'PENDING');
  const reviewComments = [];
  const threadSizes = [];
  if (eligible.length > 0 && nReviewComments > 0) {
    for (let k = 0; k < nThreads; k++) threadSizes.push(1);
    for (let k = nThreads; k < nReviewComments; k++) threadSizes[rng.int(0, nThreads - 1)]++;
    threadSizes.forEach((size, thread) => {
      const file = files.length ? rng.pick(files) : { filename: 'src/main.c' };
      const startIdx = rng.int(0, eligible.length - 1);
      const position = rng.int(1, 60);
      const outdated = rng.chance(0.15);
      const hunkStart = rng.int(1, 400);
      let idx = startIdx;
      for (let c = 0; c < size; c++) {
        if (c > 0) idx = rng.int(idx, eligible.length - 1);
        const review = eligible[idx];
        const comment = {
          _review: review,
          _thread_first: null,
          user: review.user,
          body: number === 1 && c === 0 ? HOSTILE.comment
            : rng.pick(['Why not reuse `buf_append`?', 'Off-by-one here?', 'Agreed.', 'Fixed in the next commit.', '<!-- hidden --> nit', '| table | in | comment |']),
          path: file.filename,
          position: outdated ? null : position,
          original_position: position,
          diff_hunk: `@@ -${hunkStart},7 +${hunkStart},${7 + (position % 5)} @@ static int ${rng.pick(NAMES)}_init(void)\n     int rc = 0;\n-    char buf[64];\n+    char buf[128];`,
          commit_id: commits[commits.length - 1].sha,
          original_commit_id: review.commit_id,
          thread,
        };
        review._comments.push(comment);
        reviewComments.push(comment);
      }
    });
    // Link replies to the thread's first comment after ids exist (see assignIds).
  }

  const commentTimes = spreadTimes(rng, nIssueComments, activityStart, end, 30 * SECOND);
  const issueComments = commentTimes.map((t, k) => {
    const bot = bots.find((b) => b.login === 'github-actions[bot]');
    const user = bot && rng.chance(0.2) ? bot : rng.pick(humans);
    return {
      _t: t,
      user: user.login,
      body: user.type === 'Bot'
        ? '## Coverage report\n\n| File | % |\n|---|---|\n| src/http.c | 93% |\n\n<!-- coverage-bot -->'
        : number === 1 && k === 0 ? HOSTILE.body
          : rng.pick(['Thanks! 🎉', 'Can you rebase on main?', 'CI is red: `make test` fails | see log', 'Ping @alice-dev', 'Merci, ça marche.']),
    };
  });

  return {
    number,
    id: 0,
    node_id: '',
    title,
    body,
    state: closed ? 'closed' : 'open',
    draft: kind === 'draft',
    merged: kind === 'merged',
    merged_at: kind === 'merged' ? isoSeconds(closeAt) : null,
    created_at: isoSeconds(created),
    updated_at: '',
    closed_at: closed ? isoSeconds(closeAt) : null,
    user: author.login,
    merged_by: kind === 'merged' ? (reviewers.length ? rng.pick(reviewers) : author).login : null,
    base_ref: rng.chance(0.9) || isBotPr ? 'main' : 'release/1.x',
    head_ref: isBotPr ? `dependabot/npm_and_yarn/${rng.pick(PACKAGES).replace('/', '-')}-${rng.int(1, 9)}.0.0` : `${author.login}/${rng.pick(['fix', 'feature', 'topic'])}-${number}`,
    head_repo: fullName, // see placeForks()
    base_sha: rng.hex(40),
    merge_commit_sha: kind === 'closed' ? null : rng.hex(40),
    merge_commit: null,
    additions: 0,
    deletions: 0,
    changed_files: 0,
    commits: 0,
    html_url: `https://github.com/${fullName}/pull/${number}`,
    files,
    reviews,
    issue_comments: issueComments,
    review_comments: reviewComments,
    commits_list: commits,
    _closeAt: closeAt,
    _end: end,
    _threadSizes: threadSizes,
  };
}

// Filler for huge bodies: multi-byte UTF-8 (2, 3 and 4 bytes, a surrogate pair in
// UTF-16) among ASCII, and nothing JSON must escape, so a body of N bytes is N bytes
// of JSON too.
const FILLER_UNIT = 'Lorem ipsum dolor sit amet — ünïcödé ✓ 日本語テキスト 🚀 | `code` <b>bold</b> 100% ';
const FILLER_UNIT_BYTES = Buffer.byteLength(FILLER_UNIT);
const fillerCache = new Map();

/** Deterministic text of exactly `bytes` UTF-8 bytes (cached: bodies share it). */
function filler(bytes) {
  let s = fillerCache.get(bytes);
  if (s !== undefined) return s;
  let rest = bytes % FILLER_UNIT_BYTES;
  let tail = '';
  for (const ch of FILLER_UNIT) {
    const b = Buffer.byteLength(ch);
    if (b > rest) break;
    tail += ch;
    rest -= b;
  }
  s = FILLER_UNIT.repeat(Math.floor(bytes / FILLER_UNIT_BYTES)) + tail + '.'.repeat(rest);
  fillerCache.set(bytes, s);
  return s;
}

/**
 * special.bodyBytes: every review body, conversation comment body and review comment
 * body of the PR becomes exactly `n` UTF-8 bytes: "<kind> <id>: " (so each differs)
 * and then filler() text. For huge answers: 100 reviews of 100 kB make a 10 MB page.
 */
function padBodies(pr, n) {
  const body = (kind, id) => {
    const head = `${kind} ${id}: `;
    return head.length >= n ? head.slice(0, n) : head + filler(n - head.length);
  };
  for (const r of pr.reviews) r.body = body('review', r.id);
  for (const c of pr.issue_comments) c.body = body('comment', c.id);
  for (const c of pr.review_comments) c.body = body('review-comment', c.id);
}

// REST mergeable_state values in the order they are handed out (see assignMergeability).
export const MERGEABLE_STATES = ['clean', 'dirty', 'unknown', 'blocked', 'behind', 'unstable', 'has_hooks'];

/**
 * GitHub's mergeability of each PR, as two plain fields: `mergeable` (REST: true,
 * false, or null while GitHub computes it) and `mergeable_state` (clean, dirty,
 * unknown, blocked, behind, unstable, has_hooks, draft). Merged PRs: null and
 * 'unknown' (GitHub no longer computes them); drafts: true and 'draft'; the others
 * (open, then closed-unmerged, each by number) take MERGEABLE_STATES in turn, so a
 * scenario with seven such PRs has every kind (the default one does). 'dirty' is
 * mergeable false, 'unknown' null, the rest true. Decided by position alone: no
 * random draw, nothing else in the scenario moves.
 */
function assignMergeability(pulls) {
  const byNumber = [...pulls].sort((a, b) => a.number - b.number);
  const eligible = [
    ...byNumber.filter((p) => p.state === 'open' && !p.draft),
    ...byNumber.filter((p) => p.state === 'closed' && !p.merged),
  ];
  for (const p of byNumber) {
    if (p.merged) Object.assign(p, { mergeable: null, mergeable_state: 'unknown' });
    else if (p.draft) Object.assign(p, { mergeable: true, mergeable_state: 'draft' });
  }
  eligible.forEach((p, i) => {
    const state = MERGEABLE_STATES[i % MERGEABLE_STATES.length];
    Object.assign(p, { mergeable: state === 'unknown' ? null : state !== 'dirty', mergeable_state: state });
  });
}

/**
 * { mergeable, mergeable_state } of a PR: its fields, or (a PR built by hand
 * without them) the fake's old rule: open → true and 'clean' ('draft' for a
 * draft), otherwise null and 'unknown'.
 */
export function mergeability(pr) {
  if (pr.mergeable_state !== undefined) return { mergeable: pr.mergeable ?? null, mergeable_state: pr.mergeable_state };
  const open = pr.state === 'open';
  return { mergeable: open ? true : null, mergeable_state: open ? (pr.draft ? 'draft' : 'clean') : 'unknown' };
}

// Half an emoji: 🚀 is U+D83D U+DE80 in UTF-16; each half alone is not Unicode text.
const HIGH = '\ud83d';
const LOW = '\udc00';

/**
 * Put unpaired surrogates (what a client that cuts a UTF-16 string mid-emoji leaves,
 * and what GitHub stores and sends as `\ud83d` escapes) into one PR title (the
 * first PR from #3), one PR body (the first non-null one from #3), one review body
 * (the first non-empty one from PR #2), one conversation comment and one review
 * comment (the first from PR #2 on) and one commit message (the newest direct
 * commit on the default branch). Afterwards, so nothing else moves; a field that
 * does not exist in a small scenario is skipped.
 */
function placeLoneSurrogates(pulls, directCommits) {
  const from = (n) => pulls.filter((p) => p.number >= n);
  const titled = from(3)[0];
  if (titled) titled.title = `${titled.title} ${HIGH}`; // cut at the end
  const bodied = from(3).find((p) => p.body !== null);
  if (bodied) bodied.body = `${bodied.body}\n\nA lone low surrogate: ${LOW} (and a high one: ${HIGH}).`;
  const review = from(2).flatMap((p) => p.reviews).find((r) => r.body !== '');
  if (review) review.body = `${review.body} ${HIGH}`;
  const comment = from(2).flatMap((p) => p.issue_comments)[0];
  if (comment) comment.body = `${LOW}${comment.body}`; // starts with the second half
  const reviewComment = from(2).flatMap((p) => p.review_comments)[0];
  if (reviewComment) reviewComment.body = `${reviewComment.body} ${HIGH}x${LOW}`; // two halves apart
  const commit = [...directCommits].sort((a, b) => cmp(b.committed_at, a.committed_at))[0];
  if (commit) {
    const [headline, ...rest] = commit.message.split('\n');
    commit.message = [`${headline} ${HIGH}`, ...rest, '', `Trailer: ${LOW}`].join('\n');
  }
}

/**
 * What a store that only holds Unicode text keeps of `s`: every unpaired surrogate
 * replaced by U+FFFD (String.prototype.toWellFormed). null stays null.
 */
export function wellFormed(s) {
  if (s == null) return s;
  if (typeof s.toWellFormed === 'function') return s.toWellFormed();
  return s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

/**
 * From PR #7 on, the first human-authored PR comes from a fork and the next one
 * from a fork that has since been deleted (REST head.repo null, GraphQL
 * headRepository null).
 */
function placeForks(pulls, humans, name) {
  const human = new Set(humans.map((u) => u.login));
  const candidates = pulls.filter((p) => p.number >= 7 && human.has(p.user));
  if (candidates[0]) candidates[0].head_repo = `${candidates[0].user}/${name}`;
  if (candidates[1]) candidates[1].head_repo = null;
}

/**
 * Give ids in time order, repository-wide, the way GitHub's sequences do:
 * pull requests by number, reviews by creation time, and conversation plus review
 * comments from one shared sequence (the comments table is unique on github_id
 * across both kinds).
 */
function assignIds(rng, pulls, slot) {
  let prId = 2_500_000_000 + slot * 2 ** 20;
  let reviewId = 4_300_000_000 + slot * 2 ** 20;
  let commentId = 4_700_000_000 + slot * 2 ** 20;

  for (const pr of pulls) {
    prId += rng.int(1, 5000);
    pr.id = prId;
    pr.node_id = nodeId('PullRequest', prId);
  }

  const reviews = pulls.flatMap((pr) => pr.reviews.map((r, k) => ({ r, pr: pr.number, k })));
  reviews.sort((a, b) => a.r._t - b.r._t || a.pr - b.pr || a.k - b.k);
  for (const { r } of reviews) {
    reviewId += rng.int(1, 40);
    r.id = reviewId;
  }

  // Review comments are created one second apart just before their review.
  for (const pr of pulls) {
    for (const review of pr.reviews) {
      const n = review._comments.length;
      review._comments.forEach((c, q) => { c._t = review._t - (n - q) * SECOND; });
    }
  }
  const comments = pulls.flatMap((pr) => [
    ...pr.issue_comments.map((c, k) => ({ c, pr: pr.number, kind: 0, k })),
    ...pr.review_comments.map((c, k) => ({ c, pr: pr.number, kind: 1, k })),
  ]);
  comments.sort((a, b) => a.c._t - b.c._t || a.pr - b.pr || a.kind - b.kind || a.k - b.k);
  for (const { c } of comments) {
    commentId += rng.int(1, 40);
    c.id = commentId;
  }
}

/** Turn the working PR into its final JSON form: ids, links, totals, updated_at. */
function finishPull(rng, pr, now) {
  const lastActivity = [];
  const editedAt = (t) => {
    // A quarter of the comments were edited later.
    const u = rng.chance(0.25) ? Math.min(t + rng.int(60, 2 * 86400) * SECOND, now - MINUTE) : t;
    return Math.max(u, t);
  };

  pr.reviews = pr.reviews.map((r) => {
    lastActivity.push(r._t);
    return {
      id: r.id,
      node_id: nodeId('PullRequestReview', r.id),
      user: r.user,
      state: r.state,
      body: r.body,
      submitted_at: r.state === 'PENDING' ? null : isoSeconds(r._t),
      commit_id: r.commit_id,
    };
  }).sort((a, b) => a.id - b.id);

  pr.issue_comments = pr.issue_comments.map((c) => {
    const updated = editedAt(c._t);
    lastActivity.push(updated);
    return {
      id: c.id,
      node_id: nodeId('IssueComment', c.id),
      user: c.user,
      body: c.body,
      created_at: isoSeconds(c._t),
      updated_at: isoSeconds(updated),
    };
  }).sort((a, b) => a.id - b.id);

  // Thread heads: the earliest comment of each thread.
  const heads = new Map();
  for (const c of [...pr.review_comments].sort((a, b) => a.id - b.id)) {
    if (!heads.has(c.thread)) heads.set(c.thread, c.id);
  }
  pr.review_comments = pr.review_comments.map((c) => {
    const updated = editedAt(c._t);
    lastActivity.push(updated);
    const head = heads.get(c.thread);
    const out = {
      id: c.id,
      node_id: nodeId('PullRequestReviewComment', c.id),
      user: c.user,
      body: c.body,
      created_at: isoSeconds(c._t),
      updated_at: isoSeconds(updated),
      path: c.path,
      position: c.position,
      original_position: c.original_position,
      diff_hunk: c.diff_hunk,
      commit_id: c.commit_id,
      original_commit_id: c.original_commit_id,
    };
    if (head !== c.id) out.in_reply_to_id = head;
    out.pull_request_review_id = c._review.id;
    out.thread = c.thread;
    return out;
  }).sort((a, b) => a.id - b.id);

  // Threads are numbered in the order of their first comment.
  const order = [...heads.entries()].sort((a, b) => a[1] - b[1]).map(([t]) => t);
  const renumber = new Map(order.map((t, k) => [t, k]));
  for (const c of pr.review_comments) c.thread = renumber.get(c.thread);

  pr.additions = pr.files.reduce((s, f) => s + f.additions, 0);
  pr.deletions = pr.files.reduce((s, f) => s + f.deletions, 0);
  pr.changed_files = pr.files.length;
  pr.commits = pr.commits_list.length;

  if (pr.merged) {
    const t = Date.parse(pr.merged_at);
    const first = pr.commits_list[0];
    pr.merge_commit = {
      sha: pr.merge_commit_sha,
      message: `${pr.title} (#${pr.number})\n\n${pr.commits_list.map((c) => `* ${c.message.split('\n')[0]}`).join('\n')}`,
      author_login: first.author_login,
      author_name: first.author_name,
      author_email: first.author_email,
      authored_at: isoSeconds(t),
      committer_login: null,
      committer_name: 'GitHub',
      committer_email: 'noreply@github.com',
      committed_at: isoSeconds(t),
      // A squash merge: the PR's whole diff.
      additions: pr.additions,
      deletions: pr.deletions,
      changed_files: pr.changed_files,
    };
  }

  const created = Date.parse(pr.created_at);
  const closeAt = pr._closeAt ?? created;
  const latest = Math.max(created, closeAt, ...lastActivity, ...pr.commits_list.map((c) => Date.parse(c.committed_at)));
  pr.updated_at = isoSeconds(Math.min(now, latest + rng.int(0, 120) * SECOND));
  delete pr._closeAt;
  delete pr._end;
  delete pr._threadSizes;
}

// ---------------------------------------------------------------------------
// Helpers for tests and for the server

/** The pull request with that number, or undefined. */
export function findPull(scn, number) {
  return scn.pulls.find((p) => p.number === Number(number));
}

/** The user object for a REST login, or undefined (null login → undefined). */
export function findUser(scn, login) {
  return login == null ? undefined : scn.users.find((u) => u.login === login);
}

/**
 * Review threads of one PR, in the order of their first comment:
 * [{ index, id (GraphQL node id), path, comments: [reviewComment, ...] }].
 */
export function reviewThreads(pull) {
  const threads = [];
  for (const c of pull.review_comments) {
    let t = threads[c.thread];
    if (!t) {
      t = { index: c.thread, id: nodeId('PullRequestReviewThread', `${pull.id}:${c.thread}`), path: c.path, comments: [] };
      threads[c.thread] = t;
    }
    t.comments.push(c);
  }
  return threads.filter(Boolean);
}

/**
 * The default branch's history, newest first: merge commits of merged PRs and
 * direct commits, each with `pull_number` (null for a direct commit).
 */
export function defaultBranchCommits(scn) {
  const list = [
    ...scn.pulls.filter((p) => p.merge_commit).map((p) => ({ ...p.merge_commit, pull_number: p.number })),
    ...scn.direct_commits.map((c) => ({ ...c, pull_number: null })),
  ];
  return list.sort((a, b) => cmp(b.committed_at, a.committed_at) || cmp(a.sha, b.sha));
}

/**
 * The files a commit touches (REST GET /commits/{sha} `files`), deterministic and
 * consistent with the commit's counts: their additions and deletions sum to the
 * commit's, and there are `changed_files` of them. The merge commit of a merged PR
 * (pass the PR) lists the PR's files while they still add up to the commit's counts;
 * any other commit gets synthetic files derived from its sha (never renamed or copied).
 */
export function commitFiles(commit, pull = null) {
  if (pull && pull.merge_commit_sha === commit.sha && pull.files.length === commit.changed_files
    && pull.files.reduce((s, f) => s + f.additions, 0) === commit.additions
    && pull.files.reduce((s, f) => s + f.deletions, 0) === commit.deletions) {
    return pull.files;
  }
  const n = commit.changed_files ?? 0;
  if (n <= 0) return [];
  const r = new Rng(fnv1a(`files:${commit.sha}`));
  const split = (total) => {
    const cuts = Array.from({ length: n - 1 }, () => r.int(0, total)).sort((a, b) => a - b);
    return [...cuts, total].map((c, i) => c - (i ? cuts[i - 1] : 0));
  };
  const adds = split(commit.additions ?? 0);
  const dels = split(commit.deletions ?? 0);
  const files = [];
  for (let i = 0; i < n; i++) {
    const a = adds[i];
    const d = dels[i];
    const ext = r.pick(EXTS);
    const filename = `${r.pick(DIRS)}/${r.pick(NAMES)}_${i + 1}${ext}`;
    const status = a > 0 && d === 0 ? 'added' : a === 0 && d > 0 ? 'removed' : a === 0 ? 'changed' : 'modified';
    files.push({ filename, status, additions: a, deletions: d, changes: a + d });
  }
  return files;
}

/** GraphQL's spelling of a login: bots lose their "[bot]" suffix. */
export function graphqlLogin(login) {
  return login == null ? null : login.replace(/\[bot\]$/, '');
}
