// Lookup tables over one scenario, shared by the REST and GraphQL sides.
//
// buildIndex(scn) is pure: it reads the scenario and never changes it. The server
// caches one index per scenario object and rebuilds it on setScenario(), so a
// test that edits a scenario in place must call setScenario() again.

import { defaultBranchCommits, reviewThreads } from './scenario.js';

/**
 * {
 *   scn, repo, users: Map<login, user> (incl. the repository owner),
 *   pulls: Map<number, pull>, pullList: pull[] (by number),
 *   branch: commit[] (default branch, newest first, each with pull_number),
 *   commits: Map<sha, { commit, pulls: number[], parent: sha|null }>,
 *   reviewComments: [{ c, pr }] and issueComments: [{ c, pr }] (repository-wide, by id),
 *   threads(pr): cached reviewThreads(pr),
 * }
 */
export function buildIndex(scn) {
  const repo = scn.repo;
  const users = new Map(scn.users.map((u) => [u.login, u]));
  users.set(repo.owner.login, repo.owner);
  const pullList = [...scn.pulls].sort((a, b) => a.number - b.number);
  const pulls = new Map(pullList.map((p) => [p.number, p]));

  const branch = defaultBranchCommits(scn);
  const commits = new Map();
  const add = (commit, parent, prNumber) => {
    let e = commits.get(commit.sha);
    if (!e) {
      e = { commit, pulls: [], parent };
      commits.set(commit.sha, e);
    }
    if (prNumber != null && !e.pulls.includes(prNumber)) e.pulls.push(prNumber);
  };
  branch.forEach((c, i) => add(c, branch[i + 1]?.sha ?? null, c.pull_number));
  for (const pr of pullList) {
    pr.commits_list.forEach((c, i) => add(c, i === 0 ? pr.base_sha : pr.commits_list[i - 1].sha, pr.number));
  }

  const reviewComments = pullList.flatMap((pr) => pr.review_comments.map((c) => ({ c, pr })))
    .sort((a, b) => a.c.id - b.c.id);
  const issueComments = pullList.flatMap((pr) => pr.issue_comments.map((c) => ({ c, pr })))
    .sort((a, b) => a.c.id - b.c.id);

  const threadCache = new Map();
  const threads = (pr) => {
    if (!threadCache.has(pr.number)) threadCache.set(pr.number, reviewThreads(pr));
    return threadCache.get(pr.number);
  };

  return { scn, repo, users, pulls, pullList, branch, commits, reviewComments, issueComments, threads };
}
