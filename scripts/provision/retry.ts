/**
 * One retry policy for every call to Kibana and Elasticsearch: retry 429, 5xx and connection
 * errors with exponential backoff and full jitter, a bounded number of times.
 */
import { stopReason } from './deadline.js';

export interface RetryPolicy {
  /** Attempts in total, first one included. */
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 250, maxDelayMs: 8_000 };

export type Sleep = (ms: number) => Promise<void>;
export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export function isRetryableStatus(status: number | undefined): boolean {
  return status === 429 || (status !== undefined && status >= 500 && status <= 599);
}

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'UND_ERR_SOCKET']);

export function isConnectionError(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; name?: unknown; cause?: unknown };
  if (typeof e.code === 'string' && CONNECTION_CODES.has(e.code)) return true;
  if (e.name === 'ConnectionError' || e.name === 'TimeoutError') return true;
  return e.cause !== undefined && e.cause !== err && isConnectionError(e.cause);
}

/** Full-jitter backoff: a random delay in [0, min(max, base * 2^attempt)], or Retry-After when given. */
export function backoffDelay(policy: RetryPolicy, attempt: number, retryAfterSeconds?: number, random: () => number = Math.random): number {
  if (retryAfterSeconds !== undefined && Number.isFinite(retryAfterSeconds) && retryAfterSeconds >= 0) {
    return Math.min(policy.maxDelayMs, retryAfterSeconds * 1000);
  }
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.floor(random() * ceiling);
}

export interface RetryDecision {
  readonly retry: boolean;
  readonly retryAfterSeconds?: number;
  readonly reason: string;
}

/**
 * Runs `fn` until it succeeds, `classify` says the failure is final, or the attempts run out.
 * `onRetry` is told about each retry (for progress output).
 */
export async function withRetry<T>(
  policy: RetryPolicy,
  sleep: Sleep,
  fn: () => Promise<T>,
  classify: (err: unknown) => RetryDecision,
  onRetry?: (info: { attempt: number; delayMs: number; reason: string }) => void,
  signal?: AbortSignal,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    if (signal?.aborted) throw stopReason(signal);
    try {
      return await fn();
    } catch (err) {
      if (signal?.aborted) throw stopReason(signal);
      const decision = classify(err);
      if (!decision.retry || attempt >= policy.attempts) throw err;
      const delayMs = backoffDelay(policy, attempt - 1, decision.retryAfterSeconds);
      onRetry?.({ attempt, delayMs, reason: decision.reason });
      await sleepUnlessAborted(sleep, delayMs, signal);
    }
  }
}

/** Sleeps, but wakes (and throws the stop reason) as soon as `signal` aborts. */
async function sleepUnlessAborted(sleep: Sleep, ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal === undefined) return sleep(ms);
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(stopReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    await Promise.race([sleep(ms), aborted]);
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}
