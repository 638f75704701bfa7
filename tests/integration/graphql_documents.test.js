// Every GraphQL document the binary can send validates against GitHub's
// published schema (@octokit/graphql-schema); and the check itself can fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse, validate } from 'graphql';
import { githubSchema } from '../fake-github/graphql.js';
import { runAction } from '../lib/runner.js';

const schema = githubSchema();

async function documents() {
  const r = await runAction({ actions: false, args: ['--graphql-documents'] });
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.split('# end\n').filter((d) => d.trim() !== '');
}

const problems = (doc) => validate(schema, parse(doc)).map((e) => e.message);

test('every document shape the binary sends validates against the official schema', async () => {
  const docs = await documents();
  // 8 part combinations, 5 continuation kinds alone and together, 2 history pages.
  assert.equal(docs.length, 16);
  for (const d of docs) assert.deepEqual(problems(d), [], d.slice(0, 400));
  // Every field of the pull request fragments is really asked for.
  const all = docs.join('\n');
  for (const field of ['fullDatabaseId', 'reviewThreads', 'changeType', 'replyTo', 'associatedPullRequests',
    'changedFilesIfAvailable', 'rateLimit'])
    assert.ok(all.includes(field), field);
});

test('one invalid field makes the check fail', async () => {
  const [first] = await documents();
  const broken = first.replace(' additions ', ' additionz ');
  assert.notEqual(broken, first);
  const errs = problems(broken);
  assert.equal(errs.length, 1);
  assert.match(errs[0], /additionz/);
});
