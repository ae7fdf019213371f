/**
 * Traffic generator for the sample service: `npm run traffic -- [duration] [options]` or
 * `./scripts/generate-traffic.sh [duration] [options]`. Exit codes: see errors.ts.
 */
import { pathToFileURL } from 'node:url';
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { runCommand } from './commands/run.js';
import { listScenariosCommand } from './commands/scenarios.js';
import { EXIT_CODES, TrafficError } from './errors.js';
import { usageMessage } from '../cli-usage.js';

/** The command-line parser; usage errors reject with a TrafficError (exit code 2). */
export function buildParser(argv: readonly string[]): Argv {
  return yargs([...argv])
    .scriptName(process.env.TRAFFIC_SCRIPT_NAME ?? 'npm run traffic --')
    .command(runCommand)
    .command(listScenariosCommand)
    .strict()
    .help()
    .alias('help', 'h')
    .version(false)
    .wrap(Math.min(120, process.stdout.columns || 100))
    .fail((message: string | null, error: Error | undefined) => {
      // yargs' own parse errors (YError: a missing value, …) are usage errors too; anything else is thrown as is.
      if (error !== undefined && error.name !== 'YError') throw error;
      throw new TrafficError('USAGE', `Error: ${usageMessage(message ?? error?.message ?? 'invalid arguments')}\nRun with --help for usage.`);
    });
}

/**
 * What the command line prints for --help or a usage error, without exiting the process. Only for
 * argument lists that run no command (help and yargs' own validation).
 */
export function parseOnly(argv: readonly string[]): Promise<{ output: string }> {
  return new Promise((resolve, reject) => {
    try {
      const result: unknown = buildParser(argv)
        .exitProcess(false)
        .parse([...argv], {}, (error, _args, output) => (error ? reject(error) : resolve({ output })));
      if (result instanceof Promise) result.catch(reject);
    } catch (error) {
      reject(error);
    }
  });
}

export async function main(argv: readonly string[]): Promise<void> {
  try {
    await buildParser(argv).parseAsync();
  } catch (error) {
    if (error instanceof TrafficError) {
      process.stderr.write(`${error.message}\n`);
      process.exitCode = error.exitCode;
      return;
    }
    process.stderr.write(`Unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = EXIT_CODES.failure;
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main(hideBin(process.argv));
}
