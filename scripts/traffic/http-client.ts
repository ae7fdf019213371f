/**
 * Sends the planned requests over a keep-alive connection pool (undici), one pool per run sized
 * to --concurrency, and turns each into an Outcome: a status code and latency, or a transport
 * failure with a readable message. Never rejects.
 */
import { Agent, request } from 'undici';
import { deadlineSignal } from './abort.js';
import type { PlannedRequest } from './plan.js';
import type { Outcome } from './stats.js';

export const USER_AGENT = 'sample-service-traffic/1.0';

export interface HttpClient {
  send(request: PlannedRequest, signal: AbortSignal): Promise<Outcome>;
  close(): Promise<void>;
}

export function createHttpClient(options: { baseUrl: string; concurrency: number; timeoutMs: number; authorization?: string | undefined }): HttpClient {
  const agent = new Agent({
    connections: options.concurrency,
    keepAliveTimeout: 30_000,
    connect: { timeout: Math.min(options.timeoutMs, 10_000) },
  });
  return {
    async send(planned, runSignal) {
      const headers: Record<string, string> = { 'user-agent': USER_AGENT, accept: 'application/json' };
      if (options.authorization !== undefined) headers.authorization = options.authorization;
      if (planned.correlation) {
        headers['x-request-id'] = planned.correlation.requestId;
        headers.traceparent = planned.correlation.traceparent;
      }
      const deadline = deadlineSignal(options.timeoutMs, runSignal);
      const { signal } = deadline;
      const started = performance.now();
      try {
        const response = await request(options.baseUrl + planned.path, {
          method: planned.method as 'GET',
          headers,
          dispatcher: agent,
          signal,
        });
        await response.body.dump({ limit: 1 << 20, signal });
        return { kind: 'response', status: response.statusCode, latencyMs: performance.now() - started };
      } catch (error) {
        return {
          kind: 'failure',
          message: deadline.timedOut() ? `timed out after ${options.timeoutMs} ms` : describeError(error),
          latencyMs: performance.now() - started,
        };
      } finally {
        deadline.clear();
      }
    },
    close: () => agent.close(),
  };
}

/** "connect ECONNREFUSED 127.0.0.1:8080" rather than "fetch failed" or an undici class name. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof Error && cause.message) return cause.message;
  const code = (error as { code?: unknown }).code;
  if (error.name === 'AbortError') return 'aborted';
  return typeof code === 'string' && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
}
