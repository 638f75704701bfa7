// GitHub's own REST response examples, from the official OpenAPI description
// (npm @octokit/openapi, generated/api.github.com.json).
//
// The 13 MB file is read once, on first use, and only the handful of examples the
// fake answers with are kept. Every answer the fake sends starts as a deep copy of
// one of these, so field names and nesting are GitHub's. Nothing here knows about
// scenarios.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// name we use → key under components.examples (arrays: first element)
const WANTED = {
  repository: 'full-repository-default-response',
  pullSimple: 'pull-request-simple-items',
  pull: 'pull-request',
  file: 'diff-entry-items',
  review: 'pull-request-review-items',
  issueComment: 'issue-comment-items',
  reviewComment: 'pull-request-review-comment-items',
  commit: 'commit-items',
  commitDetail: 'commit',
  simpleUser: 'simple-user',
  publicUser: 'public-user-default-response',
  rateLimit: 'rate-limit-overview',
  workflowRun: 'workflow-run',
  dispatch: 'workflow-dispatch-response',
  integration: 'integration',
  installation: 'installation',
  baseInstallation: 'base-installation',
  installationToken: 'installation-token',
};

let kept = null;

function load() {
  const file = fileURLToPath(import.meta.resolve('@octokit/openapi/generated/api.github.com.json'));
  const spec = JSON.parse(readFileSync(file, 'utf8'));
  const all = spec.components.examples;
  const out = {};
  for (const [name, key] of Object.entries(WANTED)) {
    const ex = all[key];
    if (!ex || ex.value === undefined) throw new Error(`OpenAPI example ${key} not found`);
    out[name] = Array.isArray(ex.value) ? ex.value[0] : ex.value;
  }
  return out;
}

/** A fresh deep copy of one example (see WANTED for the names). */
export function example(name) {
  kept ??= load();
  const ex = kept[name];
  if (ex === undefined) throw new Error(`unknown example ${name}`);
  return structuredClone(ex);
}
