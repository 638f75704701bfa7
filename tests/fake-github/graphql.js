// GitHub's GraphQL API, faked: queries are parsed and validated against GitHub's
// published schema (npm @octokit/graphql-schema) and executed by graphql-js with
// resolvers that read the same scenario as the REST side.
//
// runGraphQL() handles one POST /graphql body and knows nothing of HTTP: the
// caller passes in how to find repositories and how to charge points. Fields the
// fake does not model resolve to null, or, when the schema says non-null, to a
// neutral value ("" / 0 / false / the enum's first value), so any valid query runs.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  buildClientSchema, execute, GraphQLError, isEnumType, isListType, isNonNullType, isScalarType,
  Kind, parse, validate,
} from 'graphql';
import { computeCost } from './cost.js';
import { GHOST } from './mutate.js';
import { filterHistory, parseNodeId } from './repo-index.js';
import { cmp, fnv1a, graphqlLogin, isoSeconds, mergeability, nodeId } from './scenario.js';

const NODE_LIMIT = 500_000;

let schemaCache = null;

/** GitHub's schema as a graphql-js GraphQLSchema (built once, from schema.json). */
export function githubSchema() {
  if (!schemaCache) {
    const file = fileURLToPath(new URL('./schema.json', import.meta.resolve('@octokit/graphql-schema')));
    const json = JSON.parse(readFileSync(file, 'utf8'));
    schemaCache = buildClientSchema(json);
  }
  return schemaCache;
}

// ---------------------------------------------------------------------------
// Errors in GitHub's format: { type?, path?, locations?, message }

function gqlError(type, message) {
  return new GraphQLError(message, { extensions: type ? { type } : {} });
}

export function formatError(e) {
  const out = {};
  const { type, ...rest } = e.extensions ?? {};
  if (type) out.type = type;
  if (e.path) out.path = e.path;
  if (e.locations) out.locations = e.locations;
  out.message = e.message;
  if (Object.keys(rest).length) out.extensions = rest;
  return out;
}

/**
 * graphql-js validation errors, reworded where GitHub (graphql-ruby) words them
 * differently and clients are known to match on it: an unknown field.
 */
function githubValidationError(e) {
  const m = /^Cannot query field "([^"]+)" on type "([^"]+)"\./.exec(e.message);
  if (!m) return formatError(e);
  return {
    extensions: { code: 'undefinedField', typeName: m[2], fieldName: m[1] },
    locations: e.locations,
    message: `Field '${m[1]}' doesn't exist on type '${m[2]}'`,
  };
}

// ---------------------------------------------------------------------------
// Connections: first/last/after/before with GitHub's checks, opaque cursors.

const encodeCursor = (i) => Buffer.from(`cursor:v2:${i}`).toString('base64');

function decodeCursor(s) {
  const m = /^cursor:v2:(\d+)$/.exec(Buffer.from(String(s), 'base64').toString('utf8'));
  return m ? Number(m[1]) : null;
}

/** Field names selected under this field (fragments expanded). */
function selectedNames(info) {
  const names = new Set();
  const visit = (set) => {
    for (const sel of set?.selections ?? []) {
      if (sel.kind === Kind.FIELD) names.add(sel.name.value);
      else if (sel.kind === Kind.INLINE_FRAGMENT) visit(sel.selectionSet);
      else if (sel.kind === Kind.FRAGMENT_SPREAD) visit(info.fragments[sel.name.value]?.selectionSet);
    }
  };
  for (const node of info.fieldNodes) visit(node.selectionSet);
  return names;
}

function connection(items, args, info, toNode) {
  const label = info.fieldName;
  const { first, last, after, before } = args;
  if (first == null && last == null) {
    const names = selectedNames(info);
    names.delete('totalCount');
    names.delete('__typename');
    if (names.size > 0) {
      throw gqlError('MISSING_PAGINATION_BOUNDARIES',
        `You must provide a \`first\` or \`last\` value to properly paginate the \`${label}\` connection.`);
    }
  }
  if (first != null && last != null) {
    throw gqlError('INVALID_ARGUMENTS', `Passing both \`first\` and \`last\` to paginate the \`${label}\` connection is not supported.`);
  }
  for (const [name, v] of [['first', first], ['last', last]]) {
    if (v == null) continue;
    if (v > 100) {
      throw gqlError('EXCESSIVE_PAGINATION',
        `Requesting ${v} records on the \`${label}\` connection exceeds the \`${name}\` limit of 100 records.`);
    }
    if (v < 1) {
      throw gqlError('INVALID_ARGUMENTS', `\`${name}\` on the \`${label}\` connection must be between 1 and 100 (got ${v}).`);
    }
  }
  let start = 0;
  let end = items.length;
  for (const [name, cur] of [['after', after], ['before', before]]) {
    if (cur == null) continue;
    const i = decodeCursor(cur);
    if (i == null) throw gqlError('INVALID_CURSOR_ARGUMENTS', `\`${cur}\` does not appear to be a valid cursor.`);
    if (name === 'after') start = Math.max(start, i + 1);
    else end = Math.min(end, i);
  }
  if (end < start) end = start;
  if (first != null) end = Math.min(end, start + first);
  if (last != null) start = Math.max(start, end - last);
  const edges = [];
  for (let i = start; i < end; i++) edges.push({ cursor: encodeCursor(i), node: toNode(items[i]) });
  return {
    totalCount: items.length,
    pageInfo: {
      hasNextPage: end < items.length,
      hasPreviousPage: start > 0,
      startCursor: edges.length ? edges[0].cursor : null,
      endCursor: edges.length ? edges[edges.length - 1].cursor : null,
    },
    edges,
    nodes: edges.map((e) => e.node),
  };
}

// ---------------------------------------------------------------------------
// Node builders: plain objects with __typename; complex fields go through the
// resolver table below, which reads the hidden _idx/_pr/... references.

const TZ = ['+00:00', '+01:00', '-07:00', '+05:30', '+09:00', '-03:00'];

/** A GitTimestamp: the instant in the author's (deterministic) local offset. */
function gitTimestamp(iso, key) {
  const tz = TZ[fnv1a(key ?? '') % TZ.length];
  const sign = tz[0] === '-' ? -1 : 1;
  const minutes = sign * (Number(tz.slice(1, 3)) * 60 + Number(tz.slice(4, 6)));
  const local = new Date(Date.parse(iso) + minutes * 60_000).toISOString().replace(/\.\d{3}Z$/, '');
  return local + tz;
}

function actorNode(idx, login) {
  // A deleted account: REST's ghost, GraphQL's null (mutate.js GHOST).
  if (login == null || login === GHOST.login) return null;
  const u = idx.user(login); // the same record REST's userJson() uses
  const typename = u.type === 'Bot' ? 'Bot' : u.type === 'Organization' ? 'Organization' : 'User';
  const gl = graphqlLogin(u.login);
  return {
    __typename: typename,
    id: u.node_id,
    login: gl,
    databaseId: u.id,
    name: u.name ?? null,
    avatarUrl: u.avatar_url,
    url: u.html_url,
    resourcePath: typename === 'Bot' ? `/apps/${gl}` : `/${gl}`,
    email: '',
    createdAt: '2012-03-04T05:06:07Z',
    updatedAt: '2025-01-02T03:04:05Z',
  };
}

function gitActor(idx, login, name, email, date) {
  const u = login ? idx.users.get(login) : null;
  return {
    __typename: 'GitActor',
    name,
    email,
    date: gitTimestamp(date, email),
    avatarUrl: u?.avatar_url ?? 'https://avatars.githubusercontent.com/u/0?v=4',
    // GitActor.user is a User: bots and unlinked e-mails give null.
    user: u && u.type === 'User' ? actorNode(idx, login) : null,
  };
}

function commitNode(idx, sha) {
  if (!sha) return null;
  const entry = idx.commits.get(sha);
  const web = `https://github.com/${idx.repo.full_name}/commit/${sha}`;
  const base = {
    __typename: 'Commit', _idx: idx, _sha: sha, id: nodeId('Commit', `${idx.repo.id}:${sha}`),
    oid: sha, abbreviatedOid: sha.slice(0, 7), url: web, commitUrl: web,
    resourcePath: `/${idx.repo.full_name}/commit/${sha}`,
  };
  if (!entry) return base;
  const c = entry.commit;
  const [headline, ...rest] = c.message.split('\n');
  return Object.assign(base, {
    additions: c.additions ?? 0,
    deletions: c.deletions ?? 0,
    changedFilesIfAvailable: c.changed_files ?? null,
    changedFiles: c.changed_files ?? 0,
    message: c.message,
    messageHeadline: headline,
    messageBody: rest.join('\n').replace(/^\n+/, ''),
    authoredDate: c.authored_at,
    committedDate: c.committed_at,
    author: gitActor(idx, c.author_login, c.author_name, c.author_email, c.authored_at),
    committer: gitActor(idx, c.committer_login, c.committer_name ?? c.author_name,
      c.committer_email ?? c.author_email, c.committed_at),
  });
}

const prNode = (idx, pr) => ({ __typename: 'PullRequest', _idx: idx, _pr: pr });
const reviewNode = (idx, pr, r) => ({ __typename: 'PullRequestReview', _idx: idx, _pr: pr, _r: r });
const issueCommentNode = (idx, pr, c) => ({ __typename: 'IssueComment', _idx: idx, _pr: pr, _c: c });
const reviewCommentNode = (idx, pr, c) => ({ __typename: 'PullRequestReviewComment', _idx: idx, _pr: pr, _c: c });
const threadNode = (idx, pr, t) => ({ __typename: 'PullRequestReviewThread', _idx: idx, _pr: pr, _t: t });
const repoNode = (idx) => ({ __typename: 'Repository', _idx: idx });

const prState = (pr) => (pr.merged ? 'MERGED' : pr.state === 'closed' ? 'CLOSED' : 'OPEN');
const CHANGE_TYPE = { added: 'ADDED', removed: 'DELETED', modified: 'MODIFIED', renamed: 'RENAMED',
  copied: 'COPIED', changed: 'CHANGED', unchanged: 'MODIFIED' };
const headSha = (pr) => (pr.commits_list.length ? pr.commits_list[pr.commits_list.length - 1].sha : pr.base_sha);
const escapeHtml = (s) => String(s ?? '').replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

function assoc(idx, login) {
  const u = login ? idx.users.get(login) : null;
  if (!u || u.type !== 'User') return 'NONE';
  return ['MEMBER', 'CONTRIBUTOR', 'COLLABORATOR'][fnv1a(u.login) % 3];
}

function notFound(what, message) {
  return gqlError('NOT_FOUND', message ?? `Could not resolve to ${what}.`);
}

const nodeNotFound = (id) => notFound(null, `Could not resolve to a node with the global id of '${id}'`);

/** Query.node / Query.nodes: the object behind a global id in any served repository, or null. */
function lookupNode(ctx, id) {
  const parsed = parseNodeId(id);
  if (!parsed) return null;
  for (const idx of ctx.env.allRepos()) {
    const n = idx.node(parsed);
    if (!n) continue;
    switch (n.kind) {
      case 'Repository': return repoNode(idx);
      case 'PullRequest': return prNode(idx, n.pr);
      case 'PullRequestReviewThread': return threadNode(idx, n.pr, n.thread);
      case 'PullRequestReview': return reviewNode(idx, n.pr, n.r);
      case 'IssueComment': return issueCommentNode(idx, n.pr, n.c);
      case 'PullRequestReviewComment': return reviewCommentNode(idx, n.pr, n.c);
      case 'Commit': return commitNode(idx, n.sha);
      case 'Actor': return actorNode(idx, n.user.login);
      default: break;
    }
  }
  return null;
}

/** A GitTimestamp argument as ms (undefined when absent); a malformed one is an error. */
function gitTimestampArg(name, v) {
  if (v == null) return undefined;
  const ms = Date.parse(v);
  if (Number.isNaN(ms)) throw gqlError('INVALID_ARGUMENT', `Argument '${name}' on Field 'history' has an invalid value (${JSON.stringify(v)}). Expected type 'GitTimestamp'.`);
  return ms;
}

// ---------------------------------------------------------------------------
// Resolvers: RESOLVERS[typeName][fieldName](source, args, ctx, info)

const commentCommon = (get) => ({
  id: (s) => get(s).node_id,
  fullDatabaseId: (s) => String(get(s).id),
  databaseId: (s) => get(s).id, // Int: ids above 2^31-1 fail to serialize, as the schema says
  body: (s) => get(s).body ?? '',
  bodyText: (s) => get(s).body ?? '',
  bodyHTML: (s) => `<p>${escapeHtml(get(s).body)}</p>`,
  author: (s) => actorNode(s._idx, get(s).user),
  authorAssociation: (s) => assoc(s._idx, get(s).user),
  createdAt: (s) => get(s).created_at,
  updatedAt: (s) => get(s).updated_at,
  publishedAt: (s) => get(s).created_at,
  lastEditedAt: (s) => (get(s).updated_at !== get(s).created_at ? get(s).updated_at : null),
  includesCreatedEdit: () => false,
  isMinimized: (s) => Boolean(get(s).minimized_reason),
  minimizedReason: (s) => get(s).minimized_reason ?? null,
  pullRequest: (s) => prNode(s._idx, s._pr),
  repository: (s) => repoNode(s._idx),
});

const RESOLVERS = {
  Query: {
    rateLimit: (_s, args, ctx) => ({
      __typename: 'RateLimit',
      cost: ctx.cost,
      limit: ctx.rate.limit,
      remaining: ctx.rate.remaining,
      used: ctx.rate.used,
      resetAt: isoSeconds(ctx.rate.reset * 1000),
      nodeCount: ctx.nodeCount,
    }),
    repository: (_s, { owner, name, followRenames }, ctx) => {
      if (ctx.dryRun) return null;
      // Old names of a renamed or transferred repository resolve to it (followRenames
      // defaults to true: "Follow repository renames. If disabled, a repository
      // referenced by its old name will return an error.", GitHub's schema).
      const idx = ctx.env.lookupRepo(owner, name, { followRenames: followRenames !== false });
      if (!idx) throw notFound(null, `Could not resolve to a Repository with the name '${owner}/${name}'.`);
      return repoNode(idx);
    },
    viewer: (_s, _a, ctx) => (ctx.dryRun ? null : {
      __typename: 'User', id: nodeId('User', ctx.env.viewer.id), login: ctx.env.viewer.login,
      databaseId: ctx.env.viewer.id, name: null, url: `https://github.com/${ctx.env.viewer.login}`,
      avatarUrl: `https://avatars.githubusercontent.com/u/${ctx.env.viewer.id}?v=4`, email: '',
    }),
    node: (_s, { id }, ctx) => {
      if (ctx.dryRun) return null;
      const n = lookupNode(ctx, id);
      if (!n) throw nodeNotFound(id);
      return n;
    },
    nodes: (_s, { ids }, ctx) => {
      if (ctx.dryRun) return [];
      // A missing id is a null in its place plus an error with its index in the path.
      return ids.map((id) => lookupNode(ctx, id) ?? nodeNotFound(id));
    },
    user: (_s, { login }, ctx) => {
      if (ctx.dryRun) return null;
      const u = ctx.env.findAccount?.(String(login));
      if (u && u.type === 'User' && u.login !== GHOST.login) {
        const idx = ctx.env.allRepos()[0];
        return idx ? actorNode(idx, u.login) : null;
      }
      if (!ctx.env.findAccount) {
        for (const idx of ctx.env.allRepos()) {
          for (const x of idx.users.values()) {
            if (x.type === 'User' && x.login.toLowerCase() === String(login).toLowerCase()) return actorNode(idx, x.login);
          }
        }
      }
      throw notFound(null, `Could not resolve to a User with the login of '${login}'.`);
    },
  },

  Repository: {
    id: (s) => s._idx.repo.node_id,
    databaseId: (s) => s._idx.repo.id,
    name: (s) => s._idx.repo.name,
    nameWithOwner: (s) => s._idx.repo.full_name,
    owner: (s) => actorNode(s._idx, s._idx.repo.owner.login),
    description: (s) => s._idx.repo.description,
    url: (s) => s._idx.repo.html_url,
    homepageUrl: (s) => s._idx.repo.homepage,
    isPrivate: (s) => s._idx.repo.private,
    isFork: (s) => s._idx.repo.fork,
    isArchived: (s) => s._idx.repo.archived,
    isDisabled: (s) => s._idx.repo.disabled,
    stargazerCount: (s) => s._idx.repo.stargazers_count,
    forkCount: (s) => s._idx.repo.forks_count,
    diskUsage: (s) => s._idx.repo.size,
    createdAt: (s) => s._idx.repo.created_at,
    updatedAt: (s) => s._idx.repo.updated_at,
    pushedAt: (s) => s._idx.repo.pushed_at,
    hasIssuesEnabled: (s) => s._idx.repo.has_issues,
    hasWikiEnabled: (s) => s._idx.repo.has_wiki,
    hasProjectsEnabled: (s) => s._idx.repo.has_projects,
    hasDiscussionsEnabled: (s) => s._idx.repo.has_discussions,
    primaryLanguage: (s) => (s._idx.repo.language
      ? { __typename: 'Language', name: s._idx.repo.language, color: '#555555', id: nodeId('Language', 1) } : null),
    licenseInfo: (s) => (s._idx.repo.license ? {
      __typename: 'License', key: s._idx.repo.license.key, name: s._idx.repo.license.name,
      spdxId: s._idx.repo.license.spdx_id, id: nodeId('License', s._idx.repo.license.key),
    } : null),
    isEmpty: (s) => s._idx.empty,
    // An empty repository has no branch at all.
    defaultBranchRef: (s) => (s._idx.empty ? null : {
      __typename: 'Ref', id: nodeId('Ref', `${s._idx.repo.id}:main`), name: s._idx.repo.default_branch,
      prefix: 'refs/heads/', target: commitNode(s._idx, s._idx.branch[0]?.sha), repository: repoNode(s._idx),
    }),
    pullRequest: (s, { number }) => {
      const pr = s._idx.pulls.get(number);
      if (!pr) throw notFound(null, `Could not resolve to a PullRequest with the number of ${number}.`);
      return prNode(s._idx, pr);
    },
    issueOrPullRequest: (s, { number }) => {
      const pr = s._idx.pulls.get(number);
      if (!pr) throw notFound(null, `Could not resolve to an issue or pull request with the number of ${number}.`);
      return prNode(s._idx, pr);
    },
    pullRequests: (s, args, _ctx, info) => {
      let list = s._idx.pullList;
      if (args.states?.length) list = list.filter((p) => args.states.includes(prState(p)));
      if (args.baseRefName) list = list.filter((p) => p.base_ref === args.baseRefName);
      if (args.headRefName) list = list.filter((p) => p.head_ref === args.headRefName);
      if (args.labels?.length) list = [];
      if (args.orderBy) {
        const key = { CREATED_AT: (p) => p.created_at, UPDATED_AT: (p) => p.updated_at,
          COMMENTS: (p) => String(p.issue_comments.length).padStart(9, '0') }[args.orderBy.field];
        const dir = args.orderBy.direction === 'DESC' ? -1 : 1;
        list = [...list].sort((a, b) => dir * (cmp(key(a), key(b)) || a.number - b.number));
      }
      return connection(list, args, info, (p) => prNode(s._idx, p));
    },
  },

  PullRequest: {
    id: (s) => s._pr.node_id,
    number: (s) => s._pr.number,
    fullDatabaseId: (s) => String(s._pr.id),
    databaseId: (s) => s._pr.id,
    title: (s) => s._pr.title,
    titleHTML: (s) => escapeHtml(s._pr.title),
    body: (s) => s._pr.body ?? '',
    bodyText: (s) => s._pr.body ?? '',
    bodyHTML: (s) => (s._pr.body ? `<p>${escapeHtml(s._pr.body)}</p>` : ''),
    state: (s) => prState(s._pr),
    isDraft: (s) => s._pr.draft,
    closed: (s) => s._pr.state === 'closed',
    merged: (s) => s._pr.merged,
    mergedAt: (s) => s._pr.merged_at,
    createdAt: (s) => s._pr.created_at,
    publishedAt: (s) => s._pr.created_at,
    updatedAt: (s) => s._pr.updated_at,
    closedAt: (s) => s._pr.closed_at,
    additions: (s) => s._pr.additions,
    deletions: (s) => s._pr.deletions,
    changedFiles: (s) => s._pr.changed_files,
    baseRefName: (s) => s._pr.base_ref,
    headRefName: (s) => s._pr.head_ref,
    baseRefOid: (s) => s._pr.base_sha,
    headRefOid: (s) => headSha(s._pr),
    url: (s) => s._pr.html_url,
    permalink: (s) => s._pr.html_url,
    resourcePath: (s) => `/${s._idx.repo.full_name}/pull/${s._pr.number}`,
    author: (s) => actorNode(s._idx, s._pr.user),
    authorAssociation: (s) => assoc(s._idx, s._pr.user),
    mergedBy: (s) => actorNode(s._idx, s._pr.merged_by),
    mergeCommit: (s) => (s._pr.merged ? commitNode(s._idx, s._pr.merge_commit_sha) : null),
    // REST's mergeable / mergeable_state, spelt as GraphQL's MergeableState / MergeStateStatus.
    mergeable: (s) => {
      const m = mergeability(s._pr).mergeable;
      return m === null ? 'UNKNOWN' : m ? 'MERGEABLE' : 'CONFLICTING';
    },
    mergeStateStatus: (s) => mergeability(s._pr).mergeable_state.toUpperCase(),
    locked: () => false,
    maintainerCanModify: () => false,
    isCrossRepository: (s) => s._pr.head_repo !== s._idx.repo.full_name,
    headRepository: (s) => (s._pr.head_repo === s._idx.repo.full_name ? repoNode(s._idx) : null),
    baseRepository: (s) => repoNode(s._idx),
    repository: (s) => repoNode(s._idx),
    totalCommentsCount: (s) => s._pr.issue_comments.length + s._pr.review_comments.length,
    files: (s, args, _ctx, info) => connection(s._pr.files, args, info, (f) => ({
      __typename: 'PullRequestChangedFile', path: f.filename, additions: f.additions,
      deletions: f.deletions, changeType: CHANGE_TYPE[f.status] ?? 'MODIFIED', viewerViewedState: 'UNVIEWED',
    })),
    reviews: (s, args, _ctx, info) => {
      let list = s._pr.reviews;
      if (args.states?.length) list = list.filter((r) => args.states.includes(r.state));
      if (args.author) list = list.filter((r) => graphqlLogin(r.user)?.toLowerCase() === args.author.toLowerCase());
      return connection(list, args, info, (r) => reviewNode(s._idx, s._pr, r));
    },
    comments: (s, args, _ctx, info) => {
      let list = s._pr.issue_comments;
      if (args.orderBy) {
        const dir = args.orderBy.direction === 'DESC' ? -1 : 1;
        list = [...list].sort((a, b) => dir * (cmp(a.updated_at, b.updated_at) || a.id - b.id));
      }
      return connection(list, args, info, (c) => issueCommentNode(s._idx, s._pr, c));
    },
    reviewThreads: (s, args, _ctx, info) => connection(s._idx.threads(s._pr), args, info,
      (t) => threadNode(s._idx, s._pr, t)),
    commits: (s, args, _ctx, info) => connection(s._pr.commits_list, args, info, (c) => ({
      __typename: 'PullRequestCommit',
      id: nodeId('PullRequestCommit', `${s._pr.id}:${c.sha}`),
      commit: commitNode(s._idx, c.sha),
      pullRequest: prNode(s._idx, s._pr),
      url: `${s._pr.html_url}/commits/${c.sha}`,
      resourcePath: `/${s._idx.repo.full_name}/pull/${s._pr.number}/commits/${c.sha}`,
    })),
  },

  PullRequestReview: {
    id: (s) => s._r.node_id,
    fullDatabaseId: (s) => String(s._r.id),
    databaseId: (s) => s._r.id,
    state: (s) => s._r.state,
    body: (s) => s._r.body ?? '',
    bodyText: (s) => s._r.body ?? '',
    bodyHTML: (s) => (s._r.body ? `<p>${escapeHtml(s._r.body)}</p>` : ''),
    submittedAt: (s) => s._r.submitted_at,
    publishedAt: (s) => s._r.submitted_at,
    createdAt: (s) => s._r.submitted_at ?? s._pr.updated_at,
    updatedAt: (s) => s._r.submitted_at ?? s._pr.updated_at,
    author: (s) => actorNode(s._idx, s._r.user),
    authorAssociation: (s) => assoc(s._idx, s._r.user),
    commit: (s) => commitNode(s._idx, s._r.commit_id),
    url: (s) => `${s._pr.html_url}#pullrequestreview-${s._r.id}`,
    resourcePath: (s) => `/${s._idx.repo.full_name}/pull/${s._pr.number}#pullrequestreview-${s._r.id}`,
    pullRequest: (s) => prNode(s._idx, s._pr),
    repository: (s) => repoNode(s._idx),
    comments: (s, args, _ctx, info) => connection(
      s._pr.review_comments.filter((c) => c.pull_request_review_id === s._r.id), args, info,
      (c) => reviewCommentNode(s._idx, s._pr, c)),
  },

  IssueComment: {
    ...commentCommon((s) => s._c),
    url: (s) => `${s._pr.html_url}#issuecomment-${s._c.id}`,
    resourcePath: (s) => `/${s._idx.repo.full_name}/pull/${s._pr.number}#issuecomment-${s._c.id}`,
  },

  PullRequestReviewComment: {
    ...commentCommon((s) => s._c),
    url: (s) => `${s._pr.html_url}#discussion_r${s._c.id}`,
    resourcePath: (s) => `/${s._idx.repo.full_name}/pull/${s._pr.number}#discussion_r${s._c.id}`,
    path: (s) => s._c.path,
    position: (s) => s._c.position,
    originalPosition: (s) => s._c.original_position,
    line: (s) => (s._c.position == null ? null : s._c.original_position),
    originalLine: (s) => s._c.original_position,
    diffHunk: (s) => s._c.diff_hunk,
    outdated: (s) => s._c.position == null,
    state: () => 'SUBMITTED',
    subjectType: () => 'LINE',
    draftedAt: (s) => s._c.created_at,
    commit: (s) => commitNode(s._idx, s._c.commit_id),
    originalCommit: (s) => commitNode(s._idx, s._c.original_commit_id),
    replyTo: (s) => {
      if (s._c.in_reply_to_id === undefined) return null;
      const head = s._idx.node({ type: 'PullRequestReviewComment', key: String(s._c.in_reply_to_id) });
      return head ? reviewCommentNode(s._idx, head.pr, head.c) : null;
    },
    pullRequestReview: (s) => {
      const r = s._idx.node({ type: 'PullRequestReview', key: String(s._c.pull_request_review_id) });
      return r ? reviewNode(s._idx, r.pr, r.r) : null;
    },
  },

  PullRequestReviewThread: {
    id: (s) => s._t.id,
    path: (s) => s._t.path,
    isResolved: (s) => s._t.index % 3 === 0,
    isOutdated: (s) => s._t.comments[0].position == null,
    isCollapsed: (s) => s._t.index % 3 === 0,
    line: (s) => (s._t.comments[0].position == null ? null : s._t.comments[0].original_position),
    originalLine: (s) => s._t.comments[0].original_position,
    diffSide: () => 'RIGHT',
    subjectType: () => 'LINE',
    pullRequest: (s) => prNode(s._idx, s._pr),
    repository: (s) => repoNode(s._idx),
    comments: (s, args, _ctx, info) => {
      const list = args.skip ? s._t.comments.slice(args.skip) : s._t.comments;
      return connection(list, args, info, (c) => reviewCommentNode(s._idx, s._pr, c));
    },
  },

  Commit: {
    // In the order REST's GET /commits/{sha}/pulls lists them (repo-index.js).
    associatedPullRequests: (s, args, _ctx, info) => {
      const numbers = s._idx.commits.get(s._sha)?.pulls ?? [];
      return connection(numbers.map((n) => s._idx.pulls.get(n)), args, info, (p) => prNode(s._idx, p));
    },
    // The same walk and filters as REST's GET /commits?sha=&since=&until=&path=.
    history: (s, args, _ctx, info) => {
      const since = gitTimestampArg('since', args.since);
      const until = gitTimestampArg('until', args.until);
      let list = filterHistory(s._idx, s._idx.history(s._sha) ?? [], { since, until, path: args.path ?? undefined });
      if (args.author?.emails?.length) {
        const emails = new Set(args.author.emails.map((e) => e.toLowerCase()));
        list = list.filter((c) => emails.has(c.author_email.toLowerCase()));
      }
      if (args.author?.id) {
        const parsed = parseNodeId(args.author.id);
        const u = parsed ? s._idx.node(parsed) : null;
        list = u?.kind === 'Actor' ? list.filter((c) => c.author_login === u.user.login) : [];
      }
      return connection(list, args, info, (c) => commitNode(s._idx, c.sha));
    },
    parents: (s, args, _ctx, info) => {
      const parent = s._idx.commits.get(s._sha)?.parent;
      return connection(parent ? [parent] : [], args, info, (sha) => commitNode(s._idx, sha));
    },
  },
};

/** A non-null value for a field the fake does not model; null when nullable. */
function neutral(type) {
  if (!isNonNullType(type)) return null;
  const inner = type.ofType;
  if (isListType(inner)) return [];
  if (isEnumType(inner)) return inner.getValues()[0].value;
  if (isScalarType(inner)) {
    switch (inner.name) {
      case 'Int': case 'Float': return 0;
      case 'Boolean': return false;
      case 'URI': return 'https://github.com/';
      case 'DateTime': case 'PreciseDateTime': case 'GitTimestamp': case 'Date': return '1970-01-01T00:00:00Z';
      case 'GitObjectID': return '0'.repeat(40);
      case 'BigInt': return '0';
      default: return '';
    }
  }
  return null; // a non-null object we do not model: graphql-js reports it as an error
}

function fieldResolver(source, args, ctx, info) {
  const fn = RESOLVERS[info.parentType.name]?.[info.fieldName];
  if (fn) return fn(source, args, ctx, info);
  if (source && typeof source === 'object' && Object.hasOwn(source, info.fieldName)) return source[info.fieldName];
  return neutral(info.returnType);
}

// ---------------------------------------------------------------------------

/** The operation that will run (by name, or the only one), or null. */
function pickOperation(doc, operationName) {
  const ops = doc.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  if (operationName) return ops.find((d) => d.name?.value === operationName) ?? null;
  return ops.length === 1 ? ops[0] : null;
}

/** rateLimit(dryRun: true) at the root: cost is reported, not charged, nothing else runs. */
function isDryRun(op, variables) {
  return op.selectionSet.selections.some((sel) => {
    if (sel.kind !== Kind.FIELD || sel.name.value !== 'rateLimit') return false;
    const a = sel.arguments.find((x) => x.name.value === 'dryRun');
    if (!a) return false;
    if (a.value.kind === Kind.BOOLEAN) return a.value.value;
    if (a.value.kind === Kind.VARIABLE) return variables[a.value.name.value] === true;
    return false;
  });
}

/**
 * Run one GraphQL request body ({ query, variables, operationName }).
 *
 * env: {
 *   lookupRepo(owner, name) → index | null,
 *   allRepos() → index[],
 *   viewer: { login, id },
 *   charge(points) → { ok, state },   // state: { limit, used, remaining, reset }
 *   peek() → state,
 * }
 * Returns { body, cost (points charged), queryCost, nodeCount, operation, rateLimited }.
 * Never throws on bad input.
 */
export async function runGraphQL(reqBody, env) {
  const schema = githubSchema();
  const out = (body, extra = {}) => ({ body, cost: 0, queryCost: 0, nodeCount: 0, operation: null, rateLimited: false, ...extra });

  if (!reqBody || typeof reqBody !== 'object' || typeof reqBody.query !== 'string') {
    return out({ errors: [{ message: 'A query attribute must be specified and must be a string.' }] });
  }
  const variables = reqBody.variables && typeof reqBody.variables === 'object' ? reqBody.variables : {};
  const operationName = typeof reqBody.operationName === 'string' && reqBody.operationName ? reqBody.operationName : undefined;

  let doc;
  try {
    doc = parse(reqBody.query);
  } catch (e) {
    return out({ errors: [formatError(e)] });
  }
  const validationErrors = validate(schema, doc);
  if (validationErrors.length) return out({ errors: validationErrors.map(githubValidationError) });

  const op = pickOperation(doc, operationName);
  if (!op) {
    const message = operationName
      ? `Unknown operation named "${operationName}".`
      : 'Must provide operation name if query contains multiple operations.';
    return out({ errors: [{ message }] });
  }
  const firstField = op.selectionSet.selections.find((s) => s.kind === Kind.FIELD);
  const operation = op.name?.value ?? firstField?.name.value ?? null;

  const { cost, nodeCount } = computeCost(doc, { variables, operationName, schema });
  if (nodeCount > NODE_LIMIT) {
    return out({ errors: [{
      type: 'MAX_NODE_LIMIT_EXCEEDED',
      message: `This query requests up to ${nodeCount.toLocaleString('en-US')} possible nodes which exceeds the maximum limit of ${NODE_LIMIT.toLocaleString('en-US')}.`,
    }] }, { operation, queryCost: cost, nodeCount });
  }

  const dryRun = isDryRun(op, variables);
  let rate;
  let charged = 0;
  if (dryRun) rate = env.peek();
  else {
    const r = env.charge(cost);
    if (!r.ok) {
      return out({ errors: [{ type: 'RATE_LIMITED', message: `API rate limit exceeded for user ID ${env.viewer.id}.` }] },
        { operation, queryCost: cost, nodeCount, rateLimited: true });
    }
    rate = r.state;
    charged = cost;
  }

  const result = await execute({
    schema, document: doc, rootValue: {}, variableValues: variables, operationName,
    contextValue: { env, cost, nodeCount, rate, dryRun }, fieldResolver,
  });
  const body = {};
  if (result.errors?.length) body.errors = result.errors.map(formatError);
  if (result.data !== undefined) body.data = result.data;
  // GitHub puts "data" first when both are present.
  const ordered = body.data !== undefined ? { data: body.data, ...(body.errors ? { errors: body.errors } : {}) } : body;
  return out(ordered, { cost: charged, queryCost: cost, nodeCount, operation });
}
