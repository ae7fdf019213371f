/**
 * The Elasticsearch side: an @elastic/elasticsearch client (every ES call goes through it) with the
 * engine's retry policy and error translation. The client's own retries are turned off so that 429,
 * 500 and connection errors get the same bounded exponential backoff as Kibana calls.
 */
import { Client, HttpConnection, errors } from '@elastic/elasticsearch';
import type { Target } from './config.js';
import { AuthenticationError, PrivilegeError, RemoteError } from './errors.js';
import { elasticsearchPrivilegeFor } from './privileges.js';
import { isConnectionError, isRetryableStatus, withRetry, type RetryPolicy, type Sleep } from './retry.js';

export interface EsCaller {
  readonly client: Client;
  /**
   * Runs one client call with retries. `request` (e.g. `PUT /_ilm/policy/x`) names the call in
   * errors; `accept` lists statuses that resolve to `undefined` instead of throwing (404 on reads).
   */
  call<T>(request: string, fn: (client: Client) => Promise<T>, accept?: readonly number[]): Promise<T | undefined>;
}

export function createEsClient(target: Target, ca: string[] | undefined): Client {
  return new Client({
    node: target.elasticsearchUrl,
    auth:
      target.auth.kind === 'apiKey'
        ? { apiKey: target.auth.apiKey }
        : { username: target.auth.username, password: target.auth.password },
    // Node's http stack honours `servername` for certificate verification through a port-forward.
    Connection: HttpConnection,
    tls: {
      ...(ca ? { ca } : {}),
      ...(target.elasticsearchServername ? { servername: target.elasticsearchServername } : {}),
    },
    maxRetries: 0,
    requestTimeout: 60_000,
    name: 'sample-service-provision',
  });
}

function reason(err: unknown): string {
  if (err instanceof errors.ResponseError) return `HTTP ${err.statusCode ?? '?'}`;
  const e = err as { name?: unknown; message?: unknown; code?: unknown };
  return typeof e?.code === 'string' ? e.code : typeof e?.name === 'string' ? String(e.name) : 'error';
}

function esMessage(err: errors.ResponseError): string {
  const body = err.meta.body as { error?: { type?: string; reason?: string } | string } | undefined;
  if (typeof body?.error === 'string') return body.error;
  if (body?.error?.reason) return `${body.error.type ?? 'error'}: ${body.error.reason}`;
  return `HTTP ${err.statusCode ?? '?'}`;
}

export function esCaller(client: Client, retry: RetryPolicy, sleep: Sleep, onRetry?: (message: string) => void): EsCaller {
  return {
    client,
    async call(request, fn, accept = []) {
      const path = request.replace(/^[A-Z]+ /, '');
      try {
        return await withRetry(
          retry,
          sleep,
          () => fn(client),
          (err) => {
            if (err instanceof errors.ResponseError) {
              if (accept.includes(err.statusCode ?? 0)) return { retry: false, reason: 'accepted' };
              const ra = Number((err.meta.headers ?? {})['retry-after']);
              return { retry: isRetryableStatus(err.statusCode), retryAfterSeconds: Number.isFinite(ra) ? ra : undefined, reason: reason(err) };
            }
            return { retry: isConnectionError(err), reason: reason(err) };
          },
          ({ attempt, delayMs, reason: why }) =>
            onRetry?.(`retrying ${request} after ${why} (attempt ${attempt + 1} of ${retry.attempts}, in ${delayMs} ms)`),
        );
      } catch (err) {
        if (err instanceof errors.ResponseError) {
          const status = err.statusCode;
          if (status !== undefined && accept.includes(status)) return undefined;
          if (status === 401) throw new AuthenticationError('elasticsearch', request);
          if (status === 403) throw new PrivilegeError('elasticsearch', request, elasticsearchPrivilegeFor(path), esMessage(err));
          throw new RemoteError('elasticsearch', request, status, `${request} failed: ${esMessage(err)}`);
        }
        if (err instanceof errors.ProductNotSupportedError) {
          throw new RemoteError('elasticsearch', request, undefined, `${request} failed: the server at ELASTICSEARCH_URL is not Elasticsearch`);
        }
        throw new RemoteError('elasticsearch', request, undefined, `${request} failed: ${reason(err)} (Elasticsearch unreachable)`);
      }
    },
  };
}
