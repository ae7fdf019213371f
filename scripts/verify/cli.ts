/**
 * `npm run verify -- [--from-eck] [--timeout <s>] [--json] [--base-url <url> | --port-forward] ...`
 *
 * Checks a deployed stack end to end (signals, shape, correlation, Kibana, Fleet) and prints one line
 * per check. Configured like `npm run provision-kibana` (same environment, same --from-eck). Parses
 * flags only and calls `verify()`; see docs/verify.md. Exit codes: 0 every required check passed,
 * 1 a check failed, 2 bad usage or configuration.
 */
import { pathToFileURL } from 'node:url';
import yargs, { type Argv, type ArgumentsCamelCase } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { DEFAULT_ECK_NAMESPACE } from '../provision/config.js';
import { EXIT } from '../provision/errors.js';
import { SERVICE } from '../../service/src/telemetry/registry.js';
import { VERIFY_DEFAULTS, verify } from './verify.js';
import { failWithUsageLine } from '../cli-usage.js';

export const command = '$0';
export const describe = 'Check that the deployed stack collects, parses, correlates and alerts on the service\'s telemetry';

export function builder(y: Argv) {
  return y
    .option('from-eck', { type: 'boolean', default: false, describe: 'Derive URLs and credentials from the ECK stack via kubectl (as provision-kibana does)' })
    .option('eck-namespace', { type: 'string', default: DEFAULT_ECK_NAMESPACE, describe: 'Namespace of the ECK stack for --from-eck' })
    .option('timeout', { type: 'number', default: VERIFY_DEFAULTS.timeout, describe: 'Seconds to wait, in all, for data and rule runs' })
    .option('poll', { type: 'number', default: VERIFY_DEFAULTS.poll, describe: 'Seconds between looks while waiting' })
    .option('json', { type: 'boolean', default: false, describe: 'Print the report as JSON on stdout (progress stays on stderr)' })
    .option('base-url', { type: 'string', describe: 'The service\'s URL, to send a little traffic when it has had none' })
    .option('port-forward', { type: 'boolean', default: false, describe: 'Reach the service through kubectl port-forward to send traffic' })
    .option('namespace', { type: 'string', default: SERVICE.namespace, describe: 'Namespace of the service' })
    .option('environment', { type: 'string', default: SERVICE.defaultEnvironment, describe: 'Expected service.environment of the APM service' })
    .option('since', { type: 'string', describe: 'When the deploy started (ISO 8601 or epoch seconds): time to first signal is measured from it' })
    .option('max-age', { type: 'number', default: VERIFY_DEFAULTS.maxAge, describe: 'Seconds after which a signal whose latest document is older counts as stopped' })
    .option('traffic-seconds', { type: 'number', default: VERIFY_DEFAULTS.trafficSeconds, describe: 'Seconds of traffic to send when there is none' })
    .example('$0 --from-eck --port-forward', 'verify the stack make deploy created')
    .example('$0 --json > verify.json', 'machine-readable report')
    .strict();
}

type Args = ArgumentsCamelCase<{
  fromEck: boolean;
  eckNamespace: string;
  timeout: number;
  poll: number;
  json: boolean;
  baseUrl?: string;
  portForward: boolean;
  namespace: string;
  environment: string;
  since?: string;
  maxAge: number;
  trafficSeconds: number;
}>;

export async function handler(argv: Args): Promise<void> {
  const result = await verify(
    {
      fromEck: argv.fromEck,
      eckNamespace: argv.eckNamespace,
      timeout: argv.timeout,
      poll: argv.poll,
      json: argv.json,
      portForward: argv.portForward,
      namespace: argv.namespace,
      environment: argv.environment,
      maxAge: argv.maxAge,
      trafficSeconds: argv.trafficSeconds,
      ...(argv.baseUrl !== undefined ? { baseUrl: argv.baseUrl } : {}),
      ...(argv.since !== undefined ? { since: argv.since } : {}),
    },
    { env: process.env, stdout: process.stdout, stderr: process.stderr },
  );
  process.exitCode = result.exitCode;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await yargs(hideBin(process.argv))
    .scriptName('verify')
    .command({ command, describe, builder, handler: handler as (argv: unknown) => Promise<void> })
    .fail(failWithUsageLine('verify', EXIT.usage))
    .help()
    .parseAsync();
}
