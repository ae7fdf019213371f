/**
 * wrk as the bench's load generator: available or not, run (as fast as answered, or paced to a
 * fixed rate by a Lua script), and its `--latency` output parsed into the bench's LoadResult.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoadGenerator, LoadRequest, LoadResult } from './load-protocol.js';
import { UsageError } from './variants.js';

/** The generator a run uses: wrk when asked or, with `auto`, when installed; autocannon otherwise. */
export function resolveGenerator(choice: 'auto' | LoadGenerator, hasWrk: () => boolean = wrkAvailable): LoadGenerator {
  if (choice !== 'auto') {
    if (choice === 'wrk' && !hasWrk()) throw new UsageError('--load wrk: wrk is not installed (Debian/Ubuntu: apt-get install wrk)');
    return choice;
  }
  return hasWrk() ? 'wrk' : 'autocannon';
}

/** True when `wrk` is on PATH. */
export function wrkAvailable(): boolean {
  const r = spawnSync('wrk', ['--version'], { encoding: 'utf8', timeout: 5000 });
  return r.error === undefined && /^wrk /m.test(`${r.stdout}${r.stderr}`);
}

/** A wrk duration (`812.00us`, `4.11ms`, `1.02s`, `2m`) in milliseconds. */
export function wrkMillis(text: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text.trim());
  if (m === null) return NaN;
  const value = Number(m[1]);
  return m[2] === 'us' ? value / 1000 : m[2] === 'ms' ? value : m[2] === 's' ? value * 1000 : value * 60_000;
}

/** Parses `wrk --latency` output into a LoadResult. */
export function parseWrk(output: string): LoadResult {
  const num = (re: RegExp): number => Number(re.exec(output)?.[1] ?? NaN);
  const percentile = (p: number): number => wrkMillis(new RegExp(`^\\s+${p}%\\s+(\\S+)`, 'm').exec(output)?.[1] ?? '');
  const total = /(\d+) requests in ([\d.]+)(us|ms|s|m)/.exec(output);
  if (total === null) throw new Error(`unexpected wrk output:\n${output}`);
  const requests = Number(total[1]);
  const durationSeconds = wrkMillis(`${total[2]}${total[3]}`) / 1000;
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  const non2xx = num(/Non-2xx or 3xx responses: (\d+)/);
  const nonOk = Number.isNaN(non2xx) ? 0 : non2xx;
  return {
    requestsPerSecond: requests / durationSeconds,
    latencyP50Ms: percentile(50),
    latencyP99Ms: percentile(99),
    latencyMeanMs: wrkMillis(/^\s+Latency\s+(\S+)/m.exec(output)?.[1] ?? ''),
    requests,
    status2xx: requests - nonOk,
    non2xx: nonOk,
    errors: socketErrors === null ? 0 : Number(socketErrors[1]) + Number(socketErrors[2]) + Number(socketErrors[3]),
    timeouts: socketErrors === null ? 0 : Number(socketErrors[4]),
    durationSeconds,
  };
}

/**
 * A wrk Lua script that paces each connection so that all of them together send about `rate`
 * requests per second: before each request a connection waits a random time, uniform between 0 and
 * twice the mean gap (`connections / rate`), so arrivals spread over the second instead of coming
 * in lockstep. The wait is whole milliseconds (wrk's `delay()`), rounded, so the mean is kept.
 * The response time adds to each gap: well below saturation (the point of a fixed rate) that is a
 * percent or two of the rate; the report warns when a variant falls 5 % short.
 */
export function pacingScript(rate: number, connections: number): string {
  const meanGapMs = (connections * 1000) / rate;
  if (!(meanGapMs >= 1)) throw new UsageError(`--rate ${rate} with ${connections} connections: at most ${connections * 1000} req/s can be paced (one request per connection per millisecond)`);
  return [
    `math.randomseed(os.time())`,
    `local mean = ${meanGapMs.toFixed(3)}`,
    `function delay() return math.floor(math.random() * 2 * mean + 0.5) end`,
    '',
  ].join('\n');
}

export function runWrk(req: LoadRequest): Promise<LoadResult> {
  const args = ['-t1', `-c${req.connections}`, `-d${req.durationSeconds}s`, `--timeout`, `${req.timeoutSeconds}s`, '--latency'];
  let scriptDir: string | undefined;
  if (req.rate !== undefined) {
    const text = pacingScript(req.rate, req.connections); // throws for a rate it cannot pace: before any file exists
    scriptDir = mkdtempSync(join(tmpdir(), 'bench-wrk-'));
    const script = join(scriptDir, 'pace.lua');
    writeFileSync(script, text);
    args.push('-s', script);
  }
  args.push(req.url);
  return new Promise<LoadResult>((resolve, reject) => {
    execFile('wrk', args, { timeout: (req.durationSeconds + 30) * 1000, killSignal: 'SIGKILL' }, (error, stdout) => {
      if (scriptDir !== undefined) rmSync(scriptDir, { recursive: true, force: true });
      if (error) reject(error);
      else {
        try {
          resolve(parseWrk(stdout));
        } catch (err) {
          reject(err as Error);
        }
      }
    });
  });
}

