// Runs the binary the way the GitHub Actions runner runs a container action,
// and reads back what it wrote, with the runner's own parsing rules.
//
//   runAction({ inputs, env, args, bin }) -> { code, stdout, stderr, log, outputs, summary, commands }
//
// inputs become INPUT_<NAME> variables (upper case, hyphens kept, spaces to
// underscores, as the runner's AddInputsToEnvironment does); GITHUB_OUTPUT and
// GITHUB_STEP_SUMMARY are fresh empty files, as the runner pre-creates them.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = process.env.PC_BIN || join(ROOT, 'progressive-capture');

// The runner's EnvFileKeyValuePairs parser (FileCommandManager.cs), for GITHUB_OUTPUT:
// NAME=VALUE lines, or NAME<<DELIM heredocs ending at a line exactly equal to DELIM.
export function parseFileCommand(text) {
  const out = {};
  const lines = text.split('\n');
  // A file ending in "\n" yields a last empty element that is not a line.
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line === '') continue;
    const eq = line.indexOf('=');
    const hd = line.indexOf('<<');
    if (eq >= 0 && (hd < 0 || eq < hd)) {
      const name = line.slice(0, eq);
      if (!name) throw new Error(`invalid format: empty name in '${line}'`);
      out[name] = line.slice(eq + 1);
    } else if (hd >= 0) {
      const name = line.slice(0, hd);
      const delim = line.slice(hd + 2);
      if (!name || !delim) throw new Error(`invalid format: '${line}'`);
      const value = [];
      let found = false;
      for (i++; i < lines.length; i++) {
        if (lines[i] === delim) { found = true; break; }
        value.push(lines[i]);
      }
      if (!found) throw new Error(`Matching delimiter not found '${delim}'`);
      out[name] = value.join('\n');
    } else {
      throw new Error(`invalid format: '${line}'`);
    }
  }
  return out;
}

// Workflow commands (::name props::message) in a log, after the runner's unescaping.
export function parseCommands(log) {
  const cmds = [];
  for (const raw of log.split('\n')) {
    const line = raw.trimStart();
    const m = /^::([A-Za-z-]+)( [^:]*)?::(.*)$/.exec(line);
    if (!m) continue;
    const message = m[3].replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
    cmds.push({ name: m[1].toLowerCase(), props: (m[2] || '').trim(), message });
  }
  return cmds;
}

export function inputEnv(inputs) {
  const env = {};
  for (const [k, v] of Object.entries(inputs || {}))
    env['INPUT_' + k.replace(/ /g, '_').toUpperCase()] = String(v);
  return env;
}

// whileRunning(child): called once the process is started (not awaited), e.g. to kill it.
//
// Where it runs: on this machine (default); chroot: a directory, the binary
// being `bin` inside it (run directories are made under it and named by their
// path inside); container: { image, engine = ['podman'], engineArgs = [] },
// run as GitHub's runner runs a container action (docker run --rm --workdir
// /github/workspace, -e for every variable, the runner's mounts, the file
// commands at /github/file_commands/<kind>_<guid>).
// wrap: a command to run the binary under (e.g. ['/usr/bin/time', '-f', '%M']); the
// PC_WRAP variable does the same for a whole suite (valgrind).
// workspace: a directory that outlives the run, as a job's workspace outlives its
// steps (GITHUB_WORKSPACE and the working directory; mounted at /github/workspace
// in a container); by default a fresh one that is removed with the run.
export async function runAction({ inputs = {}, env = {}, args = [], bin = BIN, actions = true, timeoutMs = 120000,
  whileRunning = null, chroot = null, container = null, wrap = null, workspace: jobWorkspace = null } = {}) {
  const dir = mkdtempSync(join(chroot ?? tmpdir(), 'pc-run-'));
  const inside = (p) => (chroot ? p.slice(chroot.length) || '/' : p);
  const guid = randomUUID();
  let outputPath, summaryPath, workspace, home;
  if (container) {
    for (const d of ['_temp/_runner_file_commands', '_temp/_github_home', '_temp/_github_workflow', 'workspace'])
      mkdirSync(join(dir, d), { recursive: true });
    outputPath = join(dir, '_temp/_runner_file_commands', `set_output_${guid}`);
    summaryPath = join(dir, '_temp/_runner_file_commands', `step_summary_${guid}`);
    workspace = jobWorkspace ?? join(dir, 'workspace');
    home = join(dir, '_temp/_github_home');
  } else {
    outputPath = join(dir, 'set_output');
    summaryPath = join(dir, 'step_summary');
    workspace = jobWorkspace ?? dir;
    home = dir;
  }
  writeFileSync(outputPath, '');
  writeFileSync(summaryPath, '');
  const inContainer = (p) => p.replace(join(dir, '_temp/_runner_file_commands'), '/github/file_commands')
    .replace(join(dir, '_temp/_github_home'), '/github/home').replace(workspace, '/github/workspace');
  const path = container ? inContainer : inside;
  const base = {
    PATH: process.env.PATH,
    HOME: path(home),
    LANG: 'C.UTF-8',
    ...(actions ? {
      GITHUB_ACTIONS: 'true', CI: 'true',
      GITHUB_OUTPUT: path(outputPath), GITHUB_STEP_SUMMARY: path(summaryPath),
      GITHUB_RUN_ID: '987654321', GITHUB_RUN_ATTEMPT: '1', GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_REPOSITORY: 'acme/capture-jobs', GITHUB_WORKFLOW: 'capture',
      GITHUB_WORKSPACE: path(workspace),
    } : {}),
  };
  const fullEnv = { ...base, ...inputEnv(inputs), ...env };
  const wrapper = wrap ?? (process.env.PC_WRAP ? process.env.PC_WRAP.trim().split(/\s+/) : []);
  let argv, childEnv = fullEnv;
  if (container) {
    const { image, engine = ['podman'], engineArgs = [] } = container;
    // Values travel as `-e NAME` (from the engine's own environment), as the runner passes them.
    argv = [...engine, 'run', '--rm', '--workdir', '/github/workspace', ...engineArgs,
      ...Object.keys(fullEnv).filter((k) => k !== 'PATH').flatMap((k) => ['-e', k]),
      '-v', `${join(dir, '_temp/_github_home')}:/github/home`,
      '-v', `${join(dir, '_temp/_github_workflow')}:/github/workflow`,
      '-v', `${join(dir, '_temp/_runner_file_commands')}:/github/file_commands`,
      '-v', `${workspace}:/github/workspace`,
      image, ...args];
    childEnv = { ...process.env, ...fullEnv, PATH: process.env.PATH };
  } else if (chroot) {
    argv = ['chroot', chroot, bin, ...args];
  } else {
    argv = [...wrapper, bin, ...args];
  }
  const child = spawn(argv[0], argv.slice(1), {
    env: childEnv,
    cwd: container || jobWorkspace ? workspace : dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '', stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const closed = new Promise((resolve) => child.on('close', resolve));
  if (whileRunning) whileRunning(child, closed);
  const code = await new Promise((resolve) => child.on('close', (c, sig) => resolve(sig ? `signal ${sig}` : c)));
  clearTimeout(timer);
  const outText = readFileSync(outputPath, 'utf8');
  const summary = readFileSync(summaryPath, 'utf8');
  rmSync(dir, { recursive: true, force: true });
  const log = stdout + stderr;
  return { code, stdout, stderr, log, outputText: outText, outputs: parseFileCommand(outText), summary, commands: parseCommands(stderr + '\n' + stdout) };
}
