/**
 * `npm run drill -- <scenario> [--duration <s>] [--rps <n>] [--base-url <url> | --port-forward] ...`
 * (`make drill SCENARIO=<name>`)
 *
 * A fire drill: runs a traffic scenario against the deployed service and checks, in Kibana's
 * alerts, that the rules the scenario expects to fire do (and when, next to the burn-rate
 * prediction), that the others stay quiet, and that the fired ones recover. Configured like
 * `npm run provision-kibana`. Parses flags only and calls `drill()`; see docs/verify.md#drill.
 * Exit codes: 0 every expectation held, 1 one failed, 2 refused or bad usage, 3 service unreachable.
 */
import { pathToFileURL } from 'node:url';
import yargs, { type Argv, type ArgumentsCamelCase } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { DEFAULT_ECK_NAMESPACE } from '../provision/config.js';
import { SCENARIO_NAMES } from '../traffic/scenarios.js';
import { SERVICE } from '../../service/src/telemetry/registry.js';
import { DRILL_DEFAULTS, DRILL_EXIT, drill } from './drill.js';
import { failWithUsageLine } from '../cli-usage.js';

export const command = '$0 <scenario>';
export const describe = 'Run a traffic scenario and check that the expected alerts fire, the others stay quiet, and the fired ones recover';

export function builder(y: Argv) {
  return y
    .positional('scenario', { type: 'string', choices: SCENARIO_NAMES, describe: 'Traffic scenario (npm run traffic -- scenarios lists them)' })
    .option('duration', { type: 'number', describe: 'Seconds of traffic (default: the scenario\'s recommended duration)' })
    .option('rps', { type: 'number', describe: 'Requests per second of the paced phases (default 10)' })
    .option('base-url', { type: 'string', describe: 'The service\'s URL' })
    .option('port-forward', { type: 'boolean', default: false, describe: 'Reach the service through kubectl port-forward' })
    .option('namespace', { type: 'string', default: SERVICE.namespace, describe: 'Namespace of the service (for --port-forward)' })
    .option('from-eck', { type: 'boolean', default: false, describe: 'Derive Kibana/Elasticsearch URLs and credentials from the ECK stack via kubectl' })
    .option('eck-namespace', { type: 'string', default: DEFAULT_ECK_NAMESPACE, describe: 'Namespace of the ECK stack for --from-eck' })
    .option('poll', { type: 'number', default: DRILL_DEFAULTS.poll, describe: 'Seconds between looks at the alerts' })
    .option('settle', { type: 'number', default: DRILL_DEFAULTS.settle, describe: 'Seconds to keep watching after the traffic for expected alerts' })
    .option('recovery', { type: 'number', default: DRILL_DEFAULTS.recovery, describe: 'Seconds to wait for fired alerts to recover (0: do not wait)' })
    .option('json', { type: 'boolean', default: false, describe: 'Print the report as JSON on stdout' })
    .example('$0 error-burst --from-eck --port-forward', 'page drill against the stack make deploy created')
    .strict();
}

type Args = ArgumentsCamelCase<{
  scenario: string;
  duration?: number;
  rps?: number;
  baseUrl?: string;
  portForward: boolean;
  namespace: string;
  fromEck: boolean;
  eckNamespace: string;
  poll: number;
  settle: number;
  recovery: number;
  json: boolean;
}>;

export async function handler(argv: Args): Promise<void> {
  const abort = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => abort.abort(signal);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const result = await drill(
      {
        scenario: argv.scenario,
        portForward: argv.portForward,
        namespace: argv.namespace,
        fromEck: argv.fromEck,
        eckNamespace: argv.eckNamespace,
        poll: argv.poll,
        settle: argv.settle,
        recovery: argv.recovery,
        json: argv.json,
        ...(argv.duration !== undefined ? { duration: argv.duration } : {}),
        ...(argv.rps !== undefined ? { rps: argv.rps } : {}),
        ...(argv.baseUrl !== undefined ? { baseUrl: argv.baseUrl } : {}),
      },
      { env: process.env, stdout: process.stdout, stderr: process.stderr, signal: abort.signal },
    );
    process.exitCode = result.exitCode;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await yargs(hideBin(process.argv))
    .scriptName('drill')
    .command({ command, describe, builder, handler: handler as (argv: unknown) => Promise<void> })
    .fail(failWithUsageLine('drill', DRILL_EXIT.refused))
    .help()
    .parseAsync();
}
