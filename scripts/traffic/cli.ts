/**
 * Traffic generator for the sample service: `npm run traffic -- [duration] [options]` or
 * `./scripts/generate-traffic.sh [duration] [options]`. Exit codes: see errors.ts.
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { runCommand } from './commands/run.js';
import { listScenariosCommand } from './commands/scenarios.js';
import { EXIT_CODES, TrafficError } from './errors.js';

export async function main(argv: string[]): Promise<void> {
  const cli = yargs(argv)
    .scriptName(process.env.TRAFFIC_SCRIPT_NAME ?? 'npm run traffic --')
    .command(runCommand)
    .command(listScenariosCommand)
    .strict()
    .help()
    .alias('help', 'h')
    .version(false)
    .wrap(Math.min(120, process.stdout.columns || 100))
    .fail((message, error) => {
      if (error) throw error;
      process.stderr.write(`Error: ${message}\nRun with --help for usage.\n`);
      process.exit(EXIT_CODES.usage);
    });
  try {
    await cli.parseAsync();
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

await main(hideBin(process.argv));
