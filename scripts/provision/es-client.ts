/**
 * The Elasticsearch side: an @elastic/elasticsearch client (every ES call goes through it) with the
 * engine's retry policy and error translation. The client's own retries are turned off so that 429,
 * 500 and connection errors get the same bounded exponential backoff as Kibana calls.
 */
import type { ClientRequest } from 'node:http';
import {
  Client,
  HttpConnection,
  errors,
  type ConnectionOptions,
  type ConnectionRequestOptions,
  type ConnectionRequestOptionsAsStream,
  type ConnectionRequestParams,
  type ConnectionRequestResponse,
  type ConnectionRequestResponseAsStream,
} from '@elastic/elasticsearch';
import type { Target } from './config.js';
import { DEFAULT_REQUEST_TIMEOUT_MS, RunStopped, requestDeadlineError, slowNotice, slowNoticeMs, stopReason } from './deadline.js';
import { AuthenticationError, PrivilegeError, RemoteError, UnexpectedAnswerError, networkCause, targetAt, unexpectedAnswer } from './errors.js';
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

export interface EsLimits {
  /** Total deadline of one attempt, from connect to the last byte. */
  readonly requestTimeoutMs: number;
  /** Aborts every request of the run (Ctrl-C, run deadline). */
  readonly signal?: AbortSignal;
  /** Told once per attempt that is still waiting after a while (10 s, or half the deadline). */
  readonly onSlow?: (message: string) => void;
}

/**
 * HttpConnection with what the transport lacks: a total deadline and an abort that hold until the
 * last byte (the transport's `requestTimeout` is a socket idle timeout, and it stops listening to
 * the abort signal once the headers arrive, so a server trickling its body holds a call forever), a
 * redirect or the other product as an error (the transport only fails on 4xx/5xx), and the Node
 * error code of a network failure kept as the cause (the transport's ConnectionError drops it).
 */
const REDACTION: { type: 'replace'; additionalKeys: string[] } = { type: 'replace', additionalKeys: [] };

function limitedConnection(baseUrl: string, limits: EsLimits): typeof HttpConnection {
  return class LimitedConnection extends HttpConnection {
    #last: ClientRequest | undefined;

    constructor(opts: ConnectionOptions) {
      super(opts);
      const make = this.makeRequest.bind(this) as (o: unknown) => ClientRequest;
      this.makeRequest = ((o: unknown) => (this.#last = make(o))) as typeof this.makeRequest;
    }

    override request(params: ConnectionRequestParams, options: ConnectionRequestOptions): Promise<ConnectionRequestResponse>;
    override request(params: ConnectionRequestParams, options: ConnectionRequestOptionsAsStream): Promise<ConnectionRequestResponseAsStream>;
    override async request(
      params: ConnectionRequestParams,
      options: ConnectionRequestOptions | ConnectionRequestOptionsAsStream,
    ): Promise<ConnectionRequestResponse | ConnectionRequestResponseAsStream> {
      const signal = limits.signal;
      if (signal?.aborted) throw stopReason(signal);
      // makeRequest runs synchronously inside super.request, so #last is this call's request (or
      // undefined when super.request rejected before making one).
      this.#last = undefined;
      const pending = super.request(params, options as ConnectionRequestOptions);
      const request = this.#last as ClientRequest | undefined;
      let stopped: Error | undefined;
      let network: Error | undefined;
      const stop = (e: Error): void => {
        stopped ??= e;
        request?.destroy(e);
      };
      request?.once('error', (e: Error) => (network ??= e));
      const timer = setTimeout(() => stop(requestDeadlineError(limits.requestTimeoutMs)), limits.requestTimeoutMs);
      const slowMs = slowNoticeMs(limits.requestTimeoutMs);
      const slow = setTimeout(
        () => limits.onSlow?.(slowNotice(`${params.method} ${params.path}`, targetAt('elasticsearch', baseUrl), slowMs, limits.requestTimeoutMs)),
        slowMs,
      );
      const onAbort = (): void => stop(signal ? stopReason(signal) : new RunStopped('interrupted'));
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        const response = await pending;
        if (stopped !== undefined) throw stopped;
        const body = typeof response.body === 'string' ? response.body : Buffer.isBuffer(response.body) ? response.body.toString('utf8') : '';
        const label = `${params.method} ${params.path}`;
        const odd = unexpectedAnswer('elasticsearch', baseUrl, label, response.statusCode, response.headers ?? {}, body);
        if (odd !== undefined && (odd.actualProduct !== undefined || response.statusCode < 400)) throw odd;
        return response;
      } catch (e) {
        if (stopped instanceof RunStopped) throw stopped;
        if (stopped !== undefined) throw new errors.TimeoutError(stopped.message, undefined, { cause: stopped, redaction: REDACTION });
        if (e instanceof errors.ConnectionError && network !== undefined) throw new errors.ConnectionError(e.message, undefined, { cause: network, redaction: REDACTION });
        throw e;
      } finally {
        clearTimeout(timer);
        clearTimeout(slow);
        signal?.removeEventListener('abort', onAbort);
      }
    }
  };
}

export function createEsClient(target: Target, ca: string[] | undefined, limits: EsLimits = { requestTimeoutMs: DEFAULT_REQUEST_TIMEOUT_MS }): Client {
  return new Client({
    node: target.elasticsearchUrl,
    auth:
      target.auth.kind === 'apiKey'
        ? { apiKey: target.auth.apiKey }
        : { username: target.auth.username, password: target.auth.password },
    // Node's http stack honours `servername` for certificate verification through a port-forward.
    Connection: limitedConnection(target.elasticsearchUrl, limits),
    tls: {
      ...(ca ? { ca } : {}),
      ...(target.elasticsearchServername ? { servername: target.elasticsearchServername } : {}),
    },
    maxRetries: 0,
    requestTimeout: limits.requestTimeoutMs,
    name: 'sample-service-provision',
  });
}

function reason(err: unknown): string {
  if (err instanceof errors.ResponseError) return `HTTP ${err.statusCode ?? '?'}`;
  return networkCause(err);
}

function esMessage(err: errors.ResponseError): string {
  const body = err.meta.body as { error?: { type?: string; reason?: string } | string } | undefined;
  if (typeof body?.error === 'string') return body.error;
  if (body?.error?.reason) return `${body.error.type ?? 'error'}: ${body.error.reason}`;
  return `HTTP ${err.statusCode ?? '?'}`;
}

export function esCaller(client: Client, retry: RetryPolicy, sleep: Sleep, onRetry?: (message: string) => void, signal?: AbortSignal): EsCaller {
  const base = client.connectionPool.connections[0]?.url;
  const where = targetAt('elasticsearch', base ? `${base.origin}${base.pathname.replace(/\/$/, '')}` : 'ELASTICSEARCH_URL');
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
            onRetry?.(`retrying ${request} after ${why} from ${where} (attempt ${attempt + 1} of ${retry.attempts}, in ${delayMs} ms)`),
          signal,
        );
      } catch (err) {
        if (err instanceof errors.ResponseError) {
          const status = err.statusCode;
          if (status !== undefined && accept.includes(status)) return undefined;
          if (status === 401) throw new AuthenticationError('elasticsearch', request);
          if (status === 403) throw new PrivilegeError('elasticsearch', request, elasticsearchPrivilegeFor(path), esMessage(err));
          throw new RemoteError('elasticsearch', request, status, `${request} failed: ${esMessage(err)}`);
        }
        if (err instanceof RemoteError || err instanceof RunStopped) throw err;
        if (err instanceof errors.ProductNotSupportedError) {
          throw new UnexpectedAnswerError(
            'elasticsearch',
            request,
            err.meta?.statusCode ?? 200,
            `${request} failed: the server at ${where} is not Elasticsearch (its answer lacks X-elastic-product: Elasticsearch)`,
          );
        }
        throw new RemoteError('elasticsearch', request, undefined, `${request} failed: ${where}: ${reason(err)}`);
      }
    },
  };
}
