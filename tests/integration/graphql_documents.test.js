// Every GraphQL document the binary can send validates against GitHub's
// published schema (@octokit/graphql-schema), and costs what the binary
// predicts (its guess counts when an answer does not say); and the check
// itself can fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse, validate } from 'graphql';
import { githubSchema } from '../fake-github/graphql.js';
import { computeCost } from '../fake-github/cost.js';
import { runAction } from '../lib/runner.js';

const schema = githubSchema();

async function documents() {
  const r = await runAction({ actions: false, args: ['--graphql-documents'] });
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.split('# end\n').filter((d) => d.trim() !== '').map((d) => {
    const m = /# cost (\d+)\n$/.exec(d);
    assert.ok(m, `a document without its cost: ${d.slice(-200)}`);
    return { text: d.slice(0, m.index), cost: Number(m[1]) };
  });
}

const problems = (doc) => validate(schema, parse(doc)).map((e) => e.message);

test('every document shape the binary sends validates against the official schema', async () => {
  const docs = (await documents()).map((d) => d.text);
  // 8 part combinations, full batches of 24 and 100, 5 continuation kinds alone and
  // together, 2 history pages, 2 pull request list pages, the re-sync's stamps of 100 PRs.
  assert.equal(docs.length, 21);
  for (const d of docs) assert.deepEqual(problems(d), [], d.slice(0, 400));
  // Every field of the pull request fragments is really asked for.
  const all = docs.join('\n');
  for (const field of ['fullDatabaseId', 'reviewThreads', 'changeType', 'replyTo', 'associatedPullRequests',
    'changedFilesIfAvailable', 'rateLimit'])
    assert.ok(all.includes(field), field);
});

test('the binary predicts what GitHub\'s formula charges for every document', async () => {
  const docs = await documents();
  const costs = docs.map((d) => computeCost(d.text, { schema }).cost);
  assert.deepEqual(docs.map((d) => d.cost), costs);
  assert.ok(costs.some((c) => c > 1), 'some document costs more than the minimum');
});

test('one invalid field makes the check fail', async () => {
  const [{ text: first }] = await documents();
  const broken = first.replace(' additions ', ' additionz ');
  assert.notEqual(broken, first);
  const errs = problems(broken);
  assert.equal(errs.length, 1);
  assert.match(errs[0], /additionz/);
});
