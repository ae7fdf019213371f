/**
 * Runs the real service as a child process (the same command line as `npm run dev`, without watch):
 * `node --import tsx --import ./service/src/instrumentation.ts ./service/src/main.ts`, on an ephemeral
 * port (PORT=0), and waits for its `server listening` log line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export type LogLine = Record<string, unknown>;

export interface SpawnOptions {
  /** Extra environment variables (merged over a minimal, deterministic base). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** How long to wait for `server listening` (default 60 s). */
  readonly startTimeoutMs?: number;
}

export interface SpawnedService {
  /** Base URL, e.g. http://127.0.0.1:40123 */
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Every stdout line parsed as JSON so far (a non-JSON line is kept as `{ unparsed: line }`). */
  logLines(): LogLine[];
  /** Raw stdout and stderr so far. */
  stdout(): string;
  stderr(): string;
  /** Sends `signal` (default SIGTERM) and resolves the exit code (null when killed by a signal). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Resolves the exit code once the process has exited on its own. */
  exited(): Promise<number | null>;
}

/** Variables from the parent environment that could change the service's behaviour in tests. */
const SCRUBBED_PREFIXES = ['OTEL_', 'ELASTIC_APM_', 'APM_'];
const SCRUBBED = new Set([
  'PORT', 'HOST', 'LOG_LEVEL', 'FLAKY_FAILURE_RATE', 'SLOW_MIN_MS', 'SLOW_MAX_MS', 'SHUTDOWN_DELAY_MS',
  'SHUTDOWN_GRACE_MS', 'BODY_LIMIT', 'RANDOM_SEED', 'GIT_COMMIT', 'SERVICE_VERSION', 'POD_NAME', 'NODE_OPTIONS',
]);

function baseEnv(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || SCRUBBED.has(k) || SCRUBBED_PREFIXES.some((p) => k.startsWith(p))) continue;
    out[k] = v;
  }
  return out;
}

export function parseLogLines(text: string): LogLine[] {
  const lines: LogLine[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      lines.push(JSON.parse(line) as LogLine);
    } catch {
      lines.push({ unparsed: line });
    }
  }
  return lines;
}

/** Starts the service process and resolves once it logged `server listening`. */
export function spawnService(options: SpawnOptions = {}): Promise<SpawnedService> {
  const env: Record<string, string> = { ...baseEnv(), PORT: '0', HOST: '127.0.0.1' };
  for (const [k, v] of Object.entries(options.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  const level = (env.LOG_LEVEL ?? 'info').toLowerCase();
  if (['warn', 'error', 'fatal', 'silent'].includes(level)) {
    return Promise.reject(new Error(`spawnService needs LOG_LEVEL info or lower to see "server listening" (got ${level})`));
  }
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--import', './service/src/instrumentation.ts', './service/src/main.ts'],
    { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  // Never leave a service behind when the test process ends, however it ends.
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  const exit = new Promise<number | null>((resolveExit) => {
    child.once('exit', (code) => {
      process.off('exit', killOnExit);
      resolveExit(code);
    });
  });
  // Generous: only a failing start waits this long, and CI machines can be busy.
  const timeoutMs = options.startTimeoutMs ?? 60_000;

  return new Promise<SpawnedService>((resolveStart, rejectStart) => {
    let started = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      rejectStart(new Error(`service did not log "server listening" within ${timeoutMs} ms\nstderr:\n${err}\nstdout:\n${out}`));
    }, timeoutMs);

    const service: Omit<SpawnedService, 'url' | 'port'> = {
      pid: child.pid ?? -1,
      child,
      logLines: () => parseLogLines(out),
      stdout: () => out,
      stderr: () => err,
      stop: (signal: NodeJS.Signals = 'SIGTERM') => {
        if (child.exitCode === null && child.signalCode === null) child.kill(signal);
        return exit;
      },
      exited: () => exit,
    };

    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      if (started) return;
      for (const line of parseLogLines(out)) {
        if (line.message === 'server listening' && typeof line['server.port'] === 'number') {
          started = true;
          clearTimeout(timer);
          const port = line['server.port'];
          resolveStart({ ...service, url: `http://127.0.0.1:${port}`, port });
          return;
        }
      }
    });
    child.stderr.on('data', (chunk: string) => {
      err += chunk;
    });
    void exit.then((code) => {
      if (started) return;
      clearTimeout(timer);
      rejectStart(new Error(`service exited with code ${code} before listening\nstderr:\n${err}\nstdout:\n${out}`));
    });
  });
}
