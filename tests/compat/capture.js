// Runs the binary against a fixture, the way tests/lib/rig.js runs it against a
// database of our own: through the PostgREST gateway, with the fake GitHub
// serving the fixture's scenario.
//
//   const cap = await startCapture(fx);          // fx from createFixture (db/migrations applied or not)
//   const r = await cap.run({ command: 'pr-all', api: 'rest' });   // runAction's result
//   cap.failures() -> [{ status, code, request }]  the store's refusals (the run's log has the messages)
//   await cap.close();                           // the servers; fx.close() drops the database
//
// As a command (for a person reading what a capture meets; builds its own fixture):
//   node tests/compat/capture.js [--variant prod|strict] [--lacking] [--collisions a,b] [--command pr-all] [--api graphql|rest]
//                                [--strict-report]   (after the run: the rows the strict CHECKs would refuse)
import { pathToFileURL } from 'node:url';
import { startFakeGitHub } from '../fake-github/server.js';
import { startGateway } from '../postgrest/server.js';
import { runAction } from '../lib/runner.js';
import { createFixture, LATER_COLUMNS, strictRefusals } from './fixture.js';

export const TOKEN = 'ghp_test_token';
export const KEY = 'service-role-key';

export async function startCapture(fx, { gateway = {}, github = {} } = {}) {
  const gw = await startGateway({ databaseUrl: fx.db.url, apiKey: KEY, ...gateway });
  const gh = await startFakeGitHub({ scenario: fx.scenario, tokens: [TOKEN], ...github });
  const repository = fx.scenario.repo.full_name;
  return {
    gw, gh, repository,
    run(inputs = {}, opts = {}) {
      const all = { command: 'pr-all', repository, 'github-token': TOKEN, 'supabase-url': gw.url,
        'supabase-key': KEY, ...inputs };
      for (const k of Object.keys(all)) if (all[k] === null) delete all[k];
      return runAction({ inputs: all, env: { GITHUB_API_URL: gh.url, GITHUB_GRAPHQL_URL: gh.graphqlUrl }, ...opts });
    },
    // The store's refusals since the last clearLogs: [{ status, code, request }]
    // (the binary's log carries PostgREST's message).
    failures() {
      return gw.log.filter((e) => e.status >= 400)
        .map((e) => ({ status: e.status, code: e.code, request: `${e.method} ${e.path}${e.query ? `?${e.query}` : ''}` }));
    },
    clearLogs() { gh.clearLog(); gw.clearLog(); },
    async reloadSchema() { await gw.reloadSchema(); },
    async close() {
      await gh.close();
      await gw.close();
    },
  };
}

async function main(argv) {
  const arg = (name, def) => {
    const i = argv.indexOf(`--${name}`);
    return i < 0 ? def : argv[i + 1];
  };
  const fx = await createFixture('capture_cli', {
    variant: arg('variant', 'prod'),
    lacking: argv.includes('--lacking') ? LATER_COLUMNS : [],
    collisions: arg('collisions', '').split(',').filter(Boolean),
  });
  try {
    const warnings = (await fx.migrate()).filter((n) => n.severity === 'WARNING');
    for (const w of warnings) console.log(`migration WARNING: ${w.message}`);
    const cap = await startCapture(fx);
    try {
      const r = await cap.run({ command: arg('command', 'pr-all'), api: arg('api', 'graphql'),
        'time-range': '3650' });
      console.log(r.log);
      console.log(`exit ${r.code}; outputs ${JSON.stringify(r.outputs)}`);
      for (const f of cap.failures()) console.log(`store refused: ${JSON.stringify(f)}`);
      if (argv.includes('--strict-report'))
        for (const x of await strictRefusals(fx.db.pool)) console.log(`strict would refuse: ${JSON.stringify(x)}`);
    } finally {
      await cap.close();
    }
  } finally {
    await fx.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
