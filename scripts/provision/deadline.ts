/**
 * Time limits of a run: a total deadline per request (`--request-timeout`, PROVISION_REQUEST_TIMEOUT)
 * and per run (`--timeout`, PROVISION_TIMEOUT). Both are total, not idle: a server that trickles a
 * byte now and then cannot hold a request past its deadline. Ctrl-C and the run deadline share one
 * AbortSignal, which stops retries and in-flight requests and lets the engine print its summary.
 */

export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;
export const DEFAULT_RUN_TIMEOUT_MS = 15 * 60_000;

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** `90`, `90s`, `1.5m`, `500ms`, `1h`: a positive duration in milliseconds (a bare number is seconds). */
export function parseDuration(raw: string | number): number | undefined {
  const text = String(raw).trim();
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text);
  if (m === null) return undefined;
  const ms = Math.round(Number(m[1]) * (UNITS[m[2] ?? 's'] ?? 1_000));
  return ms > 0 ? ms : undefined;
}

/** `1500` -> `1.5 s`, `900000` -> `15 min`: for messages. */
export function formatDuration(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000} min`;
  return ms >= 1_000 ? `${ms / 1_000} s` : `${ms} ms`;
}

export interface Deadlines {
  readonly requestTimeoutMs: number;
  readonly runTimeoutMs: number;
}

/** Reads both limits from a flag or else its environment variable; problems are collected, not thrown. */
export function readDeadlines(
  options: { readonly requestTimeout?: string | number; readonly timeout?: string | number },
  env: NodeJS.ProcessEnv,
  problems: string[],
): Deadlines {
  /** The value in milliseconds and where it came from, for messages. */
  const read = (flag: string, variable: string, value: string | number | undefined, fallback: number): { ms: number; source: string } => {
    const raw = value ?? (env[variable]?.trim() || undefined);
    if (raw === undefined) return { ms: fallback, source: 'the default' };
    const source = value !== undefined ? flag : variable;
    const ms = parseDuration(raw);
    if (ms === undefined) {
      problems.push(`${source} "${raw}" is not a duration (e.g. 30s, 2m, 500ms; a bare number is seconds)`);
      return { ms: fallback, source: 'the default' };
    }
    return { ms, source };
  };
  const request = read('--request-timeout', 'PROVISION_REQUEST_TIMEOUT', options.requestTimeout, DEFAULT_REQUEST_TIMEOUT_MS);
  const run = read('--timeout', 'PROVISION_TIMEOUT', options.timeout, DEFAULT_RUN_TIMEOUT_MS);
  if (request.ms > run.ms) {
    // Name both values and their sources: PROVISION_TIMEOUT=20s alone trips this against the request default.
    problems.push(
      `the request deadline (${formatDuration(request.ms)}, ${request.source}) must not be longer than the run deadline ` +
        `(${formatDuration(run.ms)}, ${run.source}): set --request-timeout or PROVISION_REQUEST_TIMEOUT lower, or the run deadline higher`,
    );
  }
  const requestTimeoutMs = request.ms;
  const runTimeoutMs = run.ms;
  return { requestTimeoutMs, runTimeoutMs };
}

/** A request that got no complete answer in time; retried like any other timeout. */
export function requestDeadlineError(ms: number): Error {
  return Object.assign(new Error(`no complete answer within ${formatDuration(ms)} (--request-timeout)`), { code: 'ETIMEDOUT' });
}

/** When a request still without a complete answer is reported as slow: 10 s, or half its deadline when shorter. */
export function slowNoticeMs(requestTimeoutMs: number): number {
  return Math.min(10_000, Math.floor(requestTimeoutMs / 2));
}

/** The line printed while a request waits: so that silence never lasts a whole deadline. */
export function slowNotice(request: string, where: string, afterMs: number, requestTimeoutMs: number): string {
  return `still waiting for ${request} from ${where}: no complete answer after ${formatDuration(afterMs)}; giving up at ${formatDuration(requestTimeoutMs)} (--request-timeout)`;
}

/** Why the run stopped early: Ctrl-C or the run deadline. Never retried. */
export class RunStopped extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunStopped';
  }
}

/** The reason an aborted signal carries, as a RunStopped. */
export function stopReason(signal: AbortSignal): RunStopped {
  const reason: unknown = signal.reason;
  if (reason instanceof RunStopped) return reason;
  return new RunStopped(reason instanceof Error ? reason.message : 'interrupted');
}

/**
 * One signal for the whole run: aborted by `interrupt` (Ctrl-C in the CLI) or when `runTimeoutMs`
 * has passed. `dispose()` clears the timer.
 */
export function runSignal(runTimeoutMs: number, interrupt: AbortSignal | undefined): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new RunStopped(`the run deadline of ${formatDuration(runTimeoutMs)} passed (--timeout)`)),
    runTimeoutMs,
  );
  timer.unref();
  const onInterrupt = (): void => controller.abort(new RunStopped(interrupt?.reason instanceof Error ? interrupt.reason.message : 'interrupted'));
  if (interrupt?.aborted) onInterrupt();
  else interrupt?.addEventListener('abort', onInterrupt, { once: true });
  return {
    signal: controller.signal,
    dispose: () => {
      clearTimeout(timer);
      interrupt?.removeEventListener('abort', onInterrupt);
    },
  };
}
