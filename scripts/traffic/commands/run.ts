/**
 * The default command: `traffic [duration] [options]`. The builder declares every option; the
 * handler validates them in one place (resolveOptions) and calls runTraffic(), which tests call too.
 */
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { EXIT_CODES } from '../errors.js';
import { DEFAULTS, resolveOptions, type RawOptions } from '../options.js';
import { runTraffic } from '../run.js';
import { SCENARIO_NAMES } from '../scenarios.js';

export const command = '$0 [duration]';
export const describe = 'Send the sample service a traffic pattern or a fault scenario and summarize what it answered';

export function builder(yargs: Argv): Argv<RawOptions> {
  return yargs
    .positional('duration', {
      describe: 'How long to send traffic, in seconds',
      // No type: yargs would turn `abc` into NaN (echoed as null); resolveOptions() validates it.
      defaultDescription: String(DEFAULTS.durationSeconds),
    })
    // Numeric options carry no yargs type: yargs would turn `abc` into NaN (echoed as null). yargs-parser
    // still reads numbers as numbers; resolveOptions() validates every value and echoes what was typed.
    .options({
      'base-url': {
        describe: 'Base URL of the service',
        type: 'string',
        defaultDescription: DEFAULTS.baseUrl,
      },
      'port-forward': {
        describe: 'Reach the service through `kubectl port-forward svc/sample-service` on a free local port',
        type: 'boolean',
      },
      namespace: {
        alias: 'n',
        describe: 'Kubernetes namespace of the service (with --port-forward)',
        type: 'string',
        defaultDescription: DEFAULTS.namespace,
      },
      'port-forward-timeout': {
        describe: 'Seconds to wait for the port-forward to answer /health',
        requiresArg: true,
        defaultDescription: String(DEFAULTS.portForwardTimeoutSeconds),
      },
      scenario: {
        alias: 's',
        describe: 'Traffic pattern or fault scenario (list them with the `scenarios` command)',
        type: 'string',
        choices: SCENARIO_NAMES,
        defaultDescription: DEFAULTS.scenario,
      },
      rps: {
        describe: 'Requests per second of the paced phases (bursts and fixed-count phases come on top)',
        requiresArg: true,
        defaultDescription: String(DEFAULTS.rps),
      },
      concurrency: {
        alias: 'c',
        describe: 'Maximum requests in flight (and keep-alive connections)',
        requiresArg: true,
        defaultDescription: String(DEFAULTS.concurrency),
      },
      'max-requests': {
        describe: 'Total request cap for the run',
        requiresArg: true,
        defaultDescription: String(DEFAULTS.maxRequests),
      },
      timeout: {
        describe: 'Per-request timeout, in seconds',
        requiresArg: true,
        defaultDescription: String(DEFAULTS.timeoutSeconds),
      },
      seed: {
        describe: 'Seed for every random choice (user ids, correlation ids), to repeat a run exactly',
        requiresArg: true,
        defaultDescription: 'random, printed in the summary',
      },
      'correlation-share': {
        describe: 'Share of requests (0-1) sent with X-Request-ID and a W3C traceparent',
        requiresArg: true,
        defaultDescription: String(DEFAULTS.correlationShare),
      },
      json: {
        describe: 'Print the summary as JSON on stdout (progress stays on stderr)',
        type: 'boolean',
      },
      progress: {
        describe: 'Show the live progress line on stderr (--no-progress to hide it)',
        type: 'boolean',
        defaultDescription: 'true',
      },
    })
    .epilogue(examplesText()) as Argv<RawOptions>;
}

/** Command examples, each command on a line of its own (yargs' two-column examples wrap commands mid-way). */
export const EXAMPLES: readonly (readonly [command: string, description: string])[] = [
  ['$0 60', 'The default pattern for 60 s against http://localhost:8080'],
  ['$0 --port-forward 300', 'The default pattern for 5 min through kubectl port-forward'],
  ['$0 600 --scenario error-burst --rps 20', 'A fire drill: sustained 5xx for 10 min'],
  ['$0 30 --json --no-progress | jq .totals', 'Machine-readable summary'],
];

function examplesText(): string {
  return ['Examples:', ...EXAMPLES.flatMap(([command, description]) => [`  ${command}`, `      ${description}`])].join('\n');
}

export async function handler(argv: ArgumentsCamelCase<RawOptions>): Promise<void> {
  const options = resolveOptions(argv);
  const interrupt = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (interrupt.signal.aborted) {
      // A second Ctrl-C: stop now (port-forward children are killed by their exit hook).
      process.exit(signal === 'SIGTERM' ? EXIT_CODES.sigterm : EXIT_CODES.sigint);
    }
    process.stderr.write(`\nReceived ${signal}: stopping, summarizing what was sent (again to quit at once).\n`);
    interrupt.abort(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const result = await runTraffic(options, { stdout: process.stdout, stderr: process.stderr, signal: interrupt.signal });
    process.exitCode = result.exitCode;
  } catch (error) {
    // Ctrl-C while the port-forward was still starting: an interruption, not a failure.
    if (!interrupt.signal.aborted) throw error;
    process.stderr.write('Interrupted before any traffic was sent.\n');
    process.exitCode = interrupt.signal.reason === 'SIGTERM' ? EXIT_CODES.sigterm : EXIT_CODES.sigint;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

export const runCommand: CommandModule<object, RawOptions> = { command, describe, builder, handler };
