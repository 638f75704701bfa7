// The image, run as GitHub's runner runs a container action: `docker run
// --rm --workdir /github/workspace -e INPUT_... -v <file commands>:/github/
// file_commands -v <workspace>:/github/workspace ...` (tests/lib/runner.js),
// with podman, on the host network to reach the fake servers. Started by
// tests/container/run.sh, which builds the image (PC_IMAGE).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startRig, expectedPull, storedPull, expectedFiles, storedFiles } from '../lib/rig.js';
import { expectedReviews } from '../lib/truth.js';
import { dumpDatabase } from '../lib/dump.js';

const IMAGE = process.env.PC_IMAGE || 'localhost/progressive-capture:test';
const MAX_IMAGE_BYTES = 5 * 1024 * 1024;
const container = { image: IMAGE, engine: ['podman'], engineArgs: ['--network=host'] };

let rig;
before(async () => {
  rig = await startRig('container', { scenario: { seed: 33, prs: 6 }, store: 'postgrest' });
});
after(async () => { await rig?.close(); });

const inspect = (format) => execFileSync('podman', ['image', 'inspect', '--format', format, IMAGE], { encoding: 'utf8' }).trim();

test('the image is the binary and a CA bundle, under 5 MB, started as the runner expects', () => {
  const size = Number(inspect('{{.Size}}'));
  console.log(`image ${IMAGE}: ${size} bytes (${(size / 1048576).toFixed(2)} MB)`);
  assert.ok(size > 0 && size <= MAX_IMAGE_BYTES, `${size} bytes`);
  assert.equal(inspect('{{json .Config.Entrypoint}}'), '["/progressive-capture"]');
  assert.equal(inspect('{{.Config.User}}'), '', 'no USER: the runner needs root for the workspace');
  assert.equal(inspect('{{.Config.WorkingDir}}'), '', 'no WORKDIR: the runner sets --workdir');
  const layers = JSON.parse(inspect('{{json .RootFS.Layers}}'));
  assert.equal(layers.length, 2, 'FROM scratch: the CA bundle and the binary');
});

test('a capture through the image: rows in the store, outputs and summary in the mounted file_commands', async () => {
  const r = await rig.run({ command: 'pr-all', 'pr-numbers': '1-6' }, { container });
  assert.equal(r.code, 0, r.log);
  assert.equal(r.outputs.status, 'completed');
  assert.equal(r.outputs.processed, '6');
  assert.match(r.outputs['job-id'], /^[0-9a-f-]{36}$/);
  assert.match(r.summary, /^### progressive-capture pr-all: acme\/widgets — completed/);
  assert.match(r.summary, /\| #?\\?#1 \|/);
  assert.ok(r.commands.some((c) => c.name === 'add-mask'), 'the token is masked first');
  for (const p of rig.scn.pulls) {
    assert.deepEqual(await storedPull(rig.db, p.number), expectedPull(p, rig.scn.repo.full_name));
    assert.deepEqual(await storedFiles(rig.db, p.number), expectedFiles(p));
  }
  assert.deepEqual((await dumpDatabase(rig.db)).reviews, expectedReviews(rig.scn, rig.scn.pulls.map((p) => p.number)));
});

test('the SQLite store writes its file into the mounted workspace', async () => {
  const r = await rig.run({ command: 'pr-details', 'pr-numbers': '2', 'supabase-url': null, 'supabase-key': null,
    database: 'capture.db' }, { container });
  assert.equal(r.code, 0, r.log);
  assert.match(r.log, /store sqlite capture\.db/);
  assert.match(r.summary, /Store: sqlite capture\.db/);
});

test('bad input in the container: one ::error:: and exit 2', async () => {
  const r = await rig.run({ command: 'pr-details', 'pr-numbers': 'twelve' }, { container });
  assert.equal(r.code, 2, r.log);
  const errors = r.commands.filter((c) => c.name === 'error');
  assert.equal(errors.length, 1, r.log);
  assert.match(errors[0].message, /pr-numbers: 'twelve'/);
});
