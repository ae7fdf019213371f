/**
 * Runs the bench: one sink process and one load-generator process for the whole run; per round,
 * each variant in its own fresh process (the order rotates every round to spread drift), warmed
 * up, then measured from outside (load results from autocannon, CPU and RSS from /proc).
 * Every wait is bounded; every child is killed on the way out, also on errors and signals.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import type { Writable } from 'node:stream';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadavg } from 'node:os';
import { METRICS } from '../../service/src/telemetry/registry.js';
import { dirname, join } from 'node:path';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { LoadGenerator, LoadReply, LoadRequest, LoadResult } from './load-protocol.js';
import { sampleProcess } from './proc-stats.js';
import { diffStats, type SinkMessage, type SinkStats } from './sink.js';
import { commonEnv, entryArgs, expandEnv, REPO_ROOT, type Variant } from './variants.js';

export interface BenchOptions {
  readonly variants: readonly Variant[];
  readonly durationSeconds: number;
  readonly warmupSeconds: number;
  readonly connections: number;
  readonly rounds: number;
  /** Request path the load generator hits. */
  readonly path: string;
  /** After the saturating measurement, measure latency again at this fixed rate (req/s); 0: skip. */
  readonly rate: number;
  /** Generator of every run (wrk paces itself to the fixed rate with a Lua script). */
  readonly generator: LoadGenerator;
  /** Write a V8 CPU profile of every measured process into this directory (slows them down). */
  readonly cpuProfDir?: string;
  readonly startTimeoutSeconds: number;
  /** Progress lines (stderr by default in the CLI). */
  readonly progress?: (line: string) => void;
}

export interface Measurement {
  readonly variant: string;
  readonly round: number;
  /** As many requests as the variant answers (`connections` in flight at all times). */
  readonly load: LoadResult;
  /** The same process at the fixed rate (BenchOptions.rate), well below saturation; absent when skipped. */
  readonly fixedRate?: LoadResult;
  /** sample_service_log_lines_dropped_total at the end (NaN for variants that do not expose it). */
  readonly logLinesDropped: number;
  /** CPU used by the measured process over the measured window, in % of one core. */
  readonly cpuPercent: number;
  /** CPU time per served request, in microseconds. */
  readonly cpuMicrosPerRequest: number;
  /** Peak RSS over the measured window, in MiB. */
  readonly rssPeakMiB: number;
  /** Lines the process wrote to stdout (its logs) over its life, per request served (warm-up included). */
  readonly logLinesPerRequest: number;
  readonly logBytesPerRequest: number;
  /** What the process exported to the sink during the measured window. */
  readonly exported: SinkStats;
  /**
   * One-minute load average at the end of the measured window. Above the number of CPUs, other
   * work competed with the bench and the absolute numbers (and, less so, the ratios) are not reliable.
   */
  readonly loadAverage: number;
}

const TSX_IMPORT = import.meta.resolve('tsx');
const HERE = join(REPO_ROOT, 'scripts/bench');

/** Every child this module started and has not yet reaped. */
const children = new Set<ChildProcess>();

function track<T extends ChildProcess>(child: T): T {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Kills every child still running (SIGKILL): for exit paths where waiting is not an option. */
export function killAllChildren(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  children.clear();
}

async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = sleep(graceMs).then(() => 'timeout' as const);
  if ((await Promise.race([exited.then(() => 'exited' as const), timer])) === 'timeout') {
    child.kill('SIGKILL');
    await Promise.race([exited, sleep(2000)]);
  }
}

function forkTs(file: string): ChildProcess {
  return track(
    fork(join(HERE, file), [], {
      cwd: REPO_ROOT,
      execArgv: ['--import', TSX_IMPORT],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, NODE_OPTIONS: '' },
    }),
  );
}

function nextMessage<T extends { type: string }>(child: ChildProcess, accept: (m: T) => boolean, timeoutMs: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onMessage = (m: T): void => {
      if (!accept(m)) return;
      cleanup();
      resolve(m);
    };
    const onExit = (code: number | null, signal: string | null): void => {
      cleanup();
      reject(new Error(`${what}: process exited (code ${code}, signal ${signal})`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`${what}: no answer within ${Math.round(timeoutMs / 1000)} s`));
    }, timeoutMs);
    function cleanup(): void {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    }
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

class SinkProcess {
  private readonly child: ChildProcess;
  readonly url: string;

  private constructor(child: ChildProcess, url: string) {
    this.child = child;
    this.url = url;
  }

  static async start(): Promise<SinkProcess> {
    const child = forkTs('sink-process.ts');
    const ready = await nextMessage<SinkMessage>(child, (m) => m.type === 'ready', 30_000, 'sink start');
    return new SinkProcess(child, `http://127.0.0.1:${(ready as { port: number }).port}`);
  }

  async stats(): Promise<SinkStats> {
    const reply = nextMessage<SinkMessage>(this.child, (m) => m.type === 'stats', 10_000, 'sink stats');
    this.child.send({ type: 'stats' });
    return ((await reply) as { stats: SinkStats }).stats;
  }

  stop(): Promise<void> {
    return stopChild(this.child, 3000);
  }
}

class LoadProcess {
  private nextId = 1;
  private readonly child: ChildProcess;

  private constructor(child: ChildProcess) {
    this.child = child;
  }

  static start(): LoadProcess {
    return new LoadProcess(forkTs('load-worker.ts'));
  }

  async run(url: string, connections: number, durationSeconds: number, generator: LoadGenerator, rate?: number): Promise<LoadResult> {
    const id = this.nextId++;
    // Generous bound: autocannon stops itself after durationSeconds; this only catches a hang.
    const timeoutMs = (durationSeconds + 60) * 1000;
    const reply = nextMessage<LoadReply>(this.child, (m) => m.id === id, timeoutMs, `load run on ${url}`);
    const request: LoadRequest = { type: 'run', id, url, connections, durationSeconds, timeoutSeconds: 10, generator, ...(rate === undefined ? {} : { rate }) };
    this.child.send(request);
    const r = await reply;
    if (r.type === 'error') throw new Error(`load run on ${url} failed: ${r.message}`);
    return r.result;
  }

  stop(): Promise<void> {
    return stopChild(this.child, 3000);
  }
}

async function freePort(): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * A measured process. Its stdout (the service's log lines) is a pipe drained by `wc -lc`, a separate
 * native process, as a container runtime drains a container's stdout: the logging cost (formatting
 * and write syscalls into a pipe) is real, and the reader competes neither with the measured process
 * nor with this one. `wc` reports the lines and bytes once the process has exited.
 */
class VariantProcess {
  private stderrTail = '';
  readonly child: ChildProcess;
  readonly url: string;
  private readonly drained: Promise<{ lines: number; bytes: number }>;

  private constructor(child: ChildProcess, url: string, drained: Promise<{ lines: number; bytes: number }>) {
    this.child = child;
    this.url = url;
    this.drained = drained;
    child.stderr?.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-4000);
    });
  }

  static async start(variant: Variant, sinkUrl: string, cpuProfDir: string | undefined, round: number, timeoutMs: number): Promise<VariantProcess> {
    const port = await freePort();
    // One directory per process: the module loader's worker thread (tsx hooks) writes its own profile
    // next to the main thread's, under Node's default file names (…<pid>.<thread id>…).
    const nodeFlags = cpuProfDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${join(cpuProfDir, `${variant.name}-round${round}`)}`];
    const args = [...nodeFlags, ...entryArgs(variant, TSX_IMPORT)];
    const env = { ...commonEnv(process.env, port), ...expandEnv(variant.env, sinkUrl) };
    let child: ChildProcess;
    let drained: Promise<{ lines: number; bytes: number }>;
    if (variant.stdout === 'null' || variant.stdout === 'file') {
      const file = variant.stdout === 'null' ? '/dev/null' : join(mkdtempSync(join(tmpdir(), 'bench-stdout-')), 'stdout.log');
      const fd = openSync(file, 'w');
      try {
        child = track(spawn(process.execPath, args, { cwd: REPO_ROOT, env, stdio: ['ignore', fd, 'pipe'] }));
      } finally {
        closeSync(fd);
      }
      drained =
        variant.stdout === 'null'
          ? Promise.resolve({ lines: NaN, bytes: NaN })
          : new Promise((resolve) => {
              child.once('exit', () => {
                const text = readFileSync(file);
                rmSync(dirname(file), { recursive: true, force: true });
                let lines = 0;
                for (let i = text.indexOf(10); i !== -1; i = text.indexOf(10, i + 1)) lines++;
                resolve({ lines, bytes: text.length });
              });
            });
    } else {
      const drain = track(spawn('wc', ['-lc'], { stdio: ['pipe', 'pipe', 'ignore'] }));
      let counts = '';
      drain.stdout?.on('data', (chunk: Buffer) => {
        counts += chunk.toString('utf8');
      });
      drained = new Promise<{ lines: number; bytes: number }>((resolve) => {
        drain.once('exit', () => {
          const [lines, bytes] = counts.trim().split(/\s+/).map(Number);
          resolve({ lines: lines ?? NaN, bytes: bytes ?? NaN });
        });
      });
      try {
        child = track(spawn(process.execPath, args, { cwd: REPO_ROOT, env, stdio: ['ignore', drain.stdin as Writable, 'pipe'] }));
      } finally {
        // The child holds its own copy of the pipe: wc sees end-of-file when the child exits.
        drain.stdin?.destroy();
      }
    }
    const proc = new VariantProcess(child, `http://127.0.0.1:${port}`, drained);
    try {
      await proc.waitReady(timeoutMs, variant.name);
    } catch (err) {
      await proc.stop(2000);
      throw err;
    }
    return proc;
  }

  /** Lines and bytes the process wrote to stdout over its life; resolves after it has exited. */
  output(): Promise<{ lines: number; bytes: number }> {
    return Promise.race([this.drained, sleep(10_000).then(() => ({ lines: NaN, bytes: NaN }))]);
  }

  private async waitReady(timeoutMs: number, name: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(`variant ${name} exited during start (code ${this.child.exitCode}, signal ${this.child.signalCode}):\n${this.stderrTail}`);
      }
      try {
        const res = await fetch(`${this.url}/health`, { signal: AbortSignal.timeout(1000) });
        await res.arrayBuffer();
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    throw new Error(`variant ${name} not healthy within ${Math.round(timeoutMs / 1000)} s:\n${this.stderrTail}`);
  }

  get pid(): number {
    return this.child.pid as number;
  }

  /** The service's count of log lines it could not write to stdout; NaN when it exposes none. */
  async logLinesDropped(): Promise<number> {
    try {
      const res = await fetch(`${this.url}/metrics`, { signal: AbortSignal.timeout(5000) });
      const text = await res.text();
      const m = new RegExp(`^${METRICS.logLinesDropped.name} (\\d+)$`, 'm').exec(text);
      return m === null ? NaN : Number(m[1]);
    } catch {
      return NaN;
    }
  }

  stop(graceMs: number): Promise<void> {
    return stopChild(this.child, graceMs);
  }
}

/** Rotates the variant order by round, so each variant runs early and late across rounds. */
export function roundOrder<T>(items: readonly T[], round: number): T[] {
  const k = items.length === 0 ? 0 : round % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

export async function runBench(options: BenchOptions): Promise<Measurement[]> {
  const progress = options.progress ?? (() => {});
  if (options.cpuProfDir !== undefined) mkdirSync(options.cpuProfDir, { recursive: true });
  const sink = await SinkProcess.start();
  const load = LoadProcess.start();
  const measurements: Measurement[] = [];
  try {
    for (let round = 0; round < options.rounds; round++) {
      for (const variant of roundOrder(options.variants, round)) {
        progress(`round ${round + 1}/${options.rounds}: ${variant.name} ...`);
        const proc = await VariantProcess.start(variant, sink.url, options.cpuProfDir, round + 1, options.startTimeoutSeconds * 1000);
        let m: Omit<Measurement, 'logLinesPerRequest' | 'logBytesPerRequest'>;
        let requestsServed = 0;
        try {
          const target = `${proc.url}${options.path}`;
          if (options.warmupSeconds > 0) {
            requestsServed += (await load.run(target, options.connections, options.warmupSeconds, options.generator)).requests;
          }
          const sinkBefore = await sink.stats();
          let rssPeak = 0;
          const sampleRss = (): void => {
            try {
              rssPeak = Math.max(rssPeak, sampleProcess(proc.pid).rssBytes);
            } catch {
              // process gone: the load result will show it
            }
          };
          const before = sampleProcess(proc.pid);
          const t0 = process.hrtime.bigint();
          const rssTimer = setInterval(sampleRss, 250);
          let result: LoadResult;
          try {
            result = await load.run(target, options.connections, options.durationSeconds, options.generator);
          } finally {
            clearInterval(rssTimer);
          }
          const after = sampleProcess(proc.pid);
          const wallSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
          sampleRss();
          const sinkAfter = await sink.stats();
          requestsServed += result.requests;
          let fixedRate: LoadResult | undefined;
          if (options.rate > 0) {
            fixedRate = await load.run(target, options.connections, options.durationSeconds, options.generator, options.rate);
            requestsServed += fixedRate.requests;
          }
          const cpuSeconds = after.cpuSeconds - before.cpuSeconds;
          m = {
            variant: variant.name,
            round: round + 1,
            load: result,
            ...(fixedRate === undefined ? {} : { fixedRate }),
            logLinesDropped: await proc.logLinesDropped(),
            cpuPercent: (cpuSeconds / wallSeconds) * 100,
            cpuMicrosPerRequest: (cpuSeconds * 1e6) / Math.max(result.requests, 1),
            rssPeakMiB: rssPeak / (1024 * 1024),
            exported: diffStats(sinkAfter, sinkBefore),
            loadAverage: loadavg()[0] ?? 0,
          };
        } finally {
          // A profiled process writes its profile on exit: give it time.
          await proc.stop(options.cpuProfDir === undefined ? 5000 : 30_000);
        }
        // Log volume over the process's life (warm-up and measured requests; start/stop lines are noise).
        const out = await proc.output();
        const served = Math.max(requestsServed, 1);
        measurements.push({ ...m, logLinesPerRequest: out.lines / served, logBytesPerRequest: out.bytes / served });
        progress(
          `round ${round + 1}/${options.rounds}: ${variant.name}: ${Math.round(m.load.requestsPerSecond)} req/s, ` +
            `p99 ${m.load.latencyP99Ms} ms, CPU ${Math.round(m.cpuPercent)}%` +
            (m.fixedRate === undefined ? '' : `, p99 ${m.fixedRate.latencyP99Ms} ms at ${options.rate} req/s`) +
            (Number.isFinite(m.logLinesDropped) ? `, ${m.logLinesDropped} log lines dropped` : '') +
            (Number.isFinite(out.lines) ? `, ${(out.lines / served).toFixed(2)} log lines/request` : ''),
        );
      }
    }
  } finally {
    await Promise.allSettled([load.stop(), sink.stop()]);
    killAllChildren();
  }
  return measurements;
}
