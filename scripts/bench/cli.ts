/**
 * `npm run bench [-- options]`: what telemetry costs the service, measured side by side.
 *
 *   npm run bench                                   # bare, metrics-logs, otel, elastic; 3 rounds
 *   npm run bench -- --rate 10000                   # the fixed-rate phase at 10k req/s (0: skip it)
 *   npm run bench -- --json out.json                # also write the report as JSON
 *   npm run bench -- --variants bare,otel --rounds 5 --duration 20
 *   npm run bench -- --variants bare,otel,otel-no-export --cpu-prof bench-results/profiles
 *   npm run bench -- --variant-file scripts/bench/candidates.json --variants bare,otel,otel-bsp-large
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, resolve } from 'node:path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { formatTable, summarise, type BenchReport } from './report.js';
import { killAllChildren, runBench } from './runner.js';
import { LOAD_GENERATORS, type LoadGenerator } from './load-protocol.js';
import { pacingScript, resolveGenerator } from './wrk.js';
import { DEFAULT_VARIANTS, loadVariantFile, selectVariants, UsageError, VARIANTS, VariantError, type Variant } from './variants.js';

export interface CliArgs {
  duration: number;
  warmup: number;
  connections: number;
  rounds: number;
  variants: string[];
  variantFile?: string;
  path: string;
  rate: number;
  load: 'auto' | LoadGenerator;
  json?: string;
  cpuProf?: string;
  startTimeout: number;
}

/** Default of --rate: far below what every variant answers on a 2-core machine, on Node 20 or 26. */
export const DEFAULT_RATE = 1000;

export function parseArgs(argv: readonly string[]): CliArgs {
  return yargs(argv)
    .scriptName('npm run bench --')
    .usage('$0 [options]\n\nRuns each variant as its own process on 127.0.0.1 under the same load and prints medians and ratios to bare.')
    .option('duration', { type: 'number', default: 10, describe: 'Measured seconds per variant and round' })
    .option('warmup', { type: 'number', default: 3, describe: 'Warm-up seconds before each measurement (not measured)' })
    .option('connections', { type: 'number', default: 50, describe: 'Concurrent connections of the load generator' })
    .option('rounds', { type: 'number', default: 3, describe: 'Rounds; variants are interleaved within each round and the median is reported' })
    .option('variants', {
      type: 'string',
      array: true,
      default: [...DEFAULT_VARIANTS],
      coerce: (v: string[]) => v.flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s !== ''),
      describe: `Variants to run, comma-separated (catalogue: ${Object.keys(VARIANTS).join(', ')})`,
    })
    .option('variant-file', { type: 'string', describe: 'JSON file with extra variants: [{ "name", "base", "env"?, "serviceDir"?, "stdout"?: "pipe"|"null", "description"? }]' })
    .option('path', { type: 'string', default: '/api/users', describe: 'Request path under load' })
    .option('rate', {
      type: 'number',
      default: DEFAULT_RATE,
      describe: 'After each saturating measurement, measure latency again at this fixed rate (req/s over all connections), well below saturation; 0 skips it',
    })
    .option('load', {
      choices: ['auto', ...LOAD_GENERATORS],
      default: 'auto',
      describe: 'Load generator: wrk (native, cheaper on a small machine; paced by a Lua script at the fixed rate), autocannon (its fixed rate sends each second\'s requests in one burst), or auto (wrk when installed)',
    })
    .option('json', { type: 'string', describe: 'Also write the report (summary and every measurement) to this JSON file' })
    .option('cpu-prof', { type: 'string', describe: 'Write a V8 CPU profile of each measured process into this directory (profiling slows them: do not compare those numbers)' })
    .option('start-timeout', { type: 'number', default: 60, describe: 'Seconds a variant may take to answer GET /health' })
    .check((a) => {
      const problems: string[] = [];
      if (!(a.duration > 0 && a.duration <= 3600)) problems.push('--duration must be > 0 and <= 3600 seconds');
      if (!(a.warmup >= 0 && a.warmup <= 600)) problems.push('--warmup must be from 0 to 600 seconds');
      if (!(Number.isInteger(a.connections) && a.connections >= 1 && a.connections <= 10_000)) problems.push('--connections must be an integer from 1 to 10000');
      if (!(Number.isInteger(a.rounds) && a.rounds >= 1 && a.rounds <= 50)) problems.push('--rounds must be an integer from 1 to 50');
      if (!(a['start-timeout'] > 0 && a['start-timeout'] <= 600)) problems.push('--start-timeout must be > 0 and <= 600 seconds');
      if (!a.path.startsWith('/')) problems.push('--path must start with /');
      if (!(Number.isInteger(a.rate) && a.rate >= 0 && a.rate <= 1_000_000)) problems.push('--rate must be an integer from 0 to 1000000 (requests per second)');
      if (a.variants.length === 0) problems.push('--variants must name at least one variant');
      if (problems.length > 0) throw new Error(problems.join('\n'));
      return true;
    })
    .strict()
    .help()
    // A bad option prints the problem and exits 2 (main), not the whole help with exit 1.
    .fail((message: string | undefined, error: Error | undefined) => {
      throw new UsageError(error?.message ?? message ?? 'invalid arguments');
    })
    .parseSync() as unknown as CliArgs;
}

export function machineInfo(): BenchReport['machine'] {
  const list = cpus();
  return {
    cpus: list.length,
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    totalMemoryMiB: Math.round(totalmem() / (1024 * 1024)),
    node: process.versions.node,
    platform: `${process.platform}-${process.arch}`,
  };
}

export async function bench(args: CliArgs, progress: (line: string) => void): Promise<BenchReport> {
  const extra: Variant[] = args.variantFile === undefined ? [] : loadVariantFile(resolve(args.variantFile));
  const variants = selectVariants(args.variants, extra);
  const settings = {
    durationSeconds: args.duration,
    warmupSeconds: args.warmup,
    connections: args.connections,
    rounds: args.rounds,
    path: args.path,
    rate: args.rate,
    generator: resolveGenerator(args.load),
  };
  // Fails before anything starts when wrk cannot pace this rate.
  if (settings.generator === 'wrk' && settings.rate > 0) pacingScript(settings.rate, settings.connections);
  const measurements = await runBench({
    variants,
    ...settings,
    startTimeoutSeconds: args.startTimeout,
    progress,
    ...(args.cpuProf === undefined ? {} : { cpuProfDir: resolve(args.cpuProf) }),
  });
  return summarise(variants, measurements, settings, machineInfo());
}

async function main(): Promise<void> {
  let args: CliArgs;
  try {
    args = parseArgs(hideBin(process.argv));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`npm run bench: ${err.message}\n(npm run bench -- --help lists the options)`);
    process.exit(2);
  }
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping every bench process`);
      killAllChildren();
      process.exit(130);
    });
  }
  process.once('exit', killAllChildren);
  const started = Date.now();
  try {
    const report = await bench(args, (line) => console.error(line));
    console.log(formatTable(report));
    if (args.json !== undefined) {
      const file = resolve(args.json);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
      console.error(`report written to ${file}`);
    }
    if (args.cpuProf !== undefined) console.error(`CPU profiles in ${resolve(args.cpuProf)} (one directory per process; summarise one: tsx scripts/bench/profile-summary.ts <directory>)`);
    console.error(`bench finished in ${Math.round((Date.now() - started) / 1000)} s`);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`npm run bench: ${err.message}`);
      process.exitCode = 2;
      return;
    }
    console.error(err instanceof VariantError ? err.message : `bench failed: ${(err as Error).stack ?? String(err)}`);
    process.exitCode = 1;
  } finally {
    killAllChildren();
  }
}

await main();
