// Bad input: one clear ::error:: line, exit 2, and nothing sent anywhere
// (neither GitHub nor the store sees a request).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRig } from '../lib/rig.js';
import { runAction } from '../lib/runner.js';

let rig;
before(async () => { rig = await startRig('inputs', { scenario: { prs: 3 } }); });
after(async () => { await rig?.close(); });

const cases = [
  [{ 'pr-numbers': '1,abc' }, /pr-numbers: 'abc' is not a pull request number/],
  [{ 'time-range': '30d' }, /time-range: '30d' is not an integer/],
  [{ 'max-items': '-1' }, /max-items/],
  [{ 'job-id': '987654321-3' }, /job-id: '987654321-3' is not a UUID/],
  [{ 'repository-id': 'abc' }, /repository-id: 'abc' is not a UUID/],
  [{ repository: 'not a repo' }, /repository: 'not a repo' is not owner\/name/],
  [{ repository: '' }, /pr-details needs a repository/],
  [{ 'fail-on-partial': 'yes' }, /fail-on-partial: 'yes' is not a boolean/],
  [{ 'dry-run': '1' }, /dry-run: '1' is not a boolean/],
  [{ command: 'pr-detail' }, /unknown command 'pr-detail'/],
  [{ 'supabase-url': 'db.example.com' }, /supabase-url: 'db.example.com' is not an http\(s\) URL/],
  [{ 'supabase-url': 'https://x.supabase.co', 'supabase-key': '' }, /supabase-url is given but supabase-key is not/],
];

for (const [inputs, message] of cases) {
  test(`bad input ${JSON.stringify(inputs)} exits 2 with one error and sends nothing`, async () => {
    rig.clearLogs();
    // SQLite: a database that does not exist yet must not be created.
    const never = join(mkdtempSync(join(tmpdir(), 'pc-never-')), 'never.db');
    const r = await rig.run(rig.gw ? inputs : { database: never, ...inputs });
    assert.equal(r.code, 2, r.log);
    const errors = r.commands.filter((c) => c.name === 'error');
    assert.equal(errors.length, 1, r.log);
    assert.match(errors[0].message, message);
    assert.equal(rig.gh.log.length, 0, 'GitHub saw a request');
    if (rig.gw) assert.equal(rig.gw.log.length, 0, 'the store saw a request');
    else assert.ok(!existsSync(never), 'the SQLite file was created');
  });
}

test('outside Actions the error reads like git and goes to stderr', async () => {
  const r = await runAction({ actions: false, args: ['pr-details', '--repo', 'acme', '--prs', '1'] });
  assert.equal(r.code, 2);
  assert.equal(r.stderr.trim(), "error: repository: 'acme' is not owner/name");
  assert.equal(r.stdout, '');
});

test('--help lists every command and option, --version prints the version', async () => {
  const h = await runAction({ actions: false, args: ['--help'] });
  assert.equal(h.code, 0);
  for (const word of ['pr-details', '--repository', '--repo', '--pr-numbers', '--prs', '--time-range',
    '--days', '--job-id', '--github-token', '--supabase-url', '--supabase-key', '--dry-run', 'EXIT STATUS'])
    assert.ok(h.stdout.includes(word), word);
  const v = await runAction({ actions: false, args: ['--version'] });
  assert.match(v.stdout, /^progressive-capture \d+\.\d+\.\d+\nlibcurl\/\S+ .*, SQLite \S+, cJSON \S+\n$/);
});
