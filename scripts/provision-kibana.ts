/**
 * `npm run provision-kibana -- [--dry-run] [--prune] [--only <kind>[,<kind>]] [--print] [--from-eck] [--timeout 15m] [--request-timeout 60s]`
 *
 * Makes Elasticsearch and Kibana match the definitions in elastic/, fleet/, kibana/ and alerts/.
 * This module only parses flags (yargs command module) and calls `provision()`; see
 * docs/provisioning.md for modes, environment and exit codes.
 */
import { pathToFileURL } from 'node:url';
import yargs, { type Argv, type ArgumentsCamelCase } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { DEFAULT_CONCURRENCY, DEFAULT_ECK_NAMESPACE } from './provision/config.js';
import { DEFAULT_REQUEST_TIMEOUT_MS, DEFAULT_RUN_TIMEOUT_MS, RunStopped, formatDuration } from './provision/deadline.js';
import { provision } from './provision/engine.js';
import { EXIT } from './provision/errors.js';
import { KIND_ORDER } from '../model/resources.js';
import { failWithUsageLine } from './cli-usage.js';

export const command = '$0';
export const describe = 'Provision index lifecycle, Fleet policies, data views, saved objects, connectors, SLOs and rules';

export function builder(y: Argv) {
  return y
    .option('dry-run', { type: 'boolean', default: false, describe: 'Read the live state and print the plan (create / update with diff / unchanged / delete); write nothing' })
    .option('print', { type: 'boolean', default: false, describe: 'No network: print every request body as JSON lines (or to --out), secrets as <from env NAME>' })
    .option('print-role', { type: 'boolean', default: false, describe: 'No network: print the API key request (role descriptor) the definitions need, for POST /_security/api_key' })
    .option('out', { type: 'string', describe: 'With --print: write one JSON file per request into this folder' })
    .option('prune', { type: 'boolean', default: false, describe: 'Delete objects this project owns (id prefix sample-service- or owner tag) that no definition names any more' })
    .option('uninstall', { type: 'boolean', default: false, describe: "Remove what this project provisioned: owned objects, and only this project's keys in the shared @custom templates (with --dry-run: show it)" })
    // Validated by loadConfig, which also splits comma-separated lists (yargs `choices` would reject them).
    .option('only', { type: 'string', array: true, describe: `Apply only these kinds (repeatable or comma-separated): ${KIND_ORDER.join(', ')}` })
    .option('from-eck', { type: 'boolean', default: false, describe: 'Derive URLs and credentials from the ECK stack via kubectl (opens and closes port-forwards)' })
    .option('eck-namespace', { type: 'string', default: DEFAULT_ECK_NAMESPACE, describe: 'Namespace of the ECK stack for --from-eck' })
    .option('request-timeout', { type: 'string', describe: `Total deadline of one request, e.g. 30s, 2m (env PROVISION_REQUEST_TIMEOUT; default ${formatDuration(DEFAULT_REQUEST_TIMEOUT_MS)})` })
    .option('timeout', { type: 'string', describe: `Total deadline of the run, e.g. 10m (env PROVISION_TIMEOUT; default ${formatDuration(DEFAULT_RUN_TIMEOUT_MS)})` })
    .option('concurrency', { type: 'number', default: DEFAULT_CONCURRENCY, describe: 'Objects applied in parallel within one stage' })
    .option('flavour', { type: 'string', choices: ['stateful', 'serverless'], describe: 'With --print or --print-role: render for this flavour (default stateful)' })
    .option('licence', { type: 'string', choices: ['platinum', 'gold', 'basic'], describe: 'With --print or --print-role: render for this licence tier only (default: both tiers, each request labelled)' })
    .example('$0 --dry-run', 'show what would change')
    .example('$0 --only kibana.data_view,kibana.saved_object', 'apply data views and saved objects only')
    .example('$0 --print --out out/provision', 'write every request body for review')
    .example('$0 --uninstall --dry-run', 'show what uninstalling would remove')
    .example('$0 --print-role', 'the API key role the definitions need')
    .strict();
}

type Args = ArgumentsCamelCase<{
  dryRun: boolean;
  print: boolean;
  printRole: boolean;
  out?: string;
  prune: boolean;
  uninstall: boolean;
  only?: string[];
  fromEck: boolean;
  eckNamespace: string;
  concurrency: number;
  flavour?: string;
  licence?: string;
  requestTimeout?: string;
  timeout?: string;
}>;

/** Aborted on the first Ctrl-C (or SIGTERM): the engine stops starting requests and prints its summary. */
const interrupt = new AbortController();

export async function handler(argv: Args): Promise<void> {
  const result = await provision(
    {
      dryRun: argv.dryRun,
      print: argv.print,
      printRole: argv.printRole,
      prune: argv.prune,
      uninstall: argv.uninstall,
      fromEck: argv.fromEck,
      eckNamespace: argv.eckNamespace,
      concurrency: argv.concurrency,
      ...(argv.out !== undefined ? { out: argv.out } : {}),
      ...(argv.only !== undefined ? { only: argv.only } : {}),
      ...(argv.flavour !== undefined ? { flavour: argv.flavour } : {}),
      ...(argv.licence !== undefined ? { licence: argv.licence } : {}),
      ...(argv.requestTimeout !== undefined ? { requestTimeout: argv.requestTimeout } : {}),
      ...(argv.timeout !== undefined ? { timeout: argv.timeout } : {}),
    },
    { env: process.env, stdout: process.stdout, stderr: process.stderr, signal: interrupt.signal },
  );
  process.exitCode = result.exitCode;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  // `... --print | head` closes the pipe early: that is not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(EXIT.ok);
    throw e;
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\nprovision-kibana: ${signal}: stopping; the summary follows (${signal === 'SIGINT' ? 'Ctrl-C' : signal} again to quit at once)\n`);
      interrupt.abort(new RunStopped(`interrupted (${signal})`));
      process.once(signal, () => process.exit(signal === 'SIGINT' ? 130 : 143));
    });
  }
  await yargs(hideBin(process.argv))
    .scriptName('provision-kibana')
    .command({ command, describe, builder, handler: handler as (argv: unknown) => Promise<void> })
    .fail(failWithUsageLine('provision-kibana', EXIT.usage))
    .help()
    .parseAsync();
}
