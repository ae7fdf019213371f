/**
 * A small typed Kibana HTTP client: auth, `kbn-xsrf` on every request, the space prefix
 * (`/s/<space>`), `elastic-api-version` for the versioned public APIs, bounded retries with
 * exponential backoff and jitter on 429/5xx/connection errors, and errors that name the missing
 * privilege on 403. It never logs or returns credentials.
 */
import http from 'node:http';
import https from 'node:https';
import { DEFAULT_REQUEST_TIMEOUT_MS, RunStopped, requestDeadlineError, slowNotice, slowNoticeMs, stopReason } from './deadline.js';
import { AuthenticationError, PrivilegeError, RemoteError, UnexpectedAnswerError, htmlPage, networkCause, targetAt, unexpectedAnswer } from './errors.js';
import { kibanaPrivilegeFor } from './privileges.js';
import { isConnectionError, isRetryableStatus, withRetry, type RetryPolicy, type Sleep } from './retry.js';

/**
 * Kibana's public versioned APIs (data views, Fleet, SLOs, ...) take this version header; without it
 * Kibana picks a default that differs between stateful ("oldest") and Serverless ("newest").
 * Routes that are not versioned ignore it.
 */
export const KIBANA_API_VERSION = '2023-10-31';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface MultipartFile {
  readonly field: string;
  readonly filename: string;
  readonly contentType: string;
  readonly content: string;
}

export interface KibanaRequest {
  readonly method: Method;
  /** Path below the space, e.g. `/api/data_views/data_view/x`. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string | number | boolean>>;
  readonly body?: unknown;
  readonly multipart?: MultipartFile;
  /** Statuses returned to the caller instead of thrown (e.g. 404 on a read, 409 on a create). */
  readonly accept?: readonly number[];
}

export interface KibanaResponse<T = unknown> {
  readonly status: number;
  readonly body: T;
}

export interface KibanaClientOptions {
  readonly baseUrl: string;
  readonly space: string | undefined;
  readonly authorization: string;
  readonly ca: string[] | undefined;
  readonly servername: string | undefined;
  readonly retry: RetryPolicy;
  readonly sleep: Sleep;
  readonly onRetry?: (message: string) => void;
  /** Told once per attempt that is still waiting after a while (10 s, or half the deadline). */
  readonly onSlow?: (message: string) => void;
  /** Total deadline of one attempt, from connect to the last byte (default 60 s). */
  readonly timeoutMs?: number;
  /** Aborts every request and retry of the run (Ctrl-C, run deadline). */
  readonly signal?: AbortSignal;
}

/** Kibana's answers are small JSON documents; anything larger is not one of them. */
const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

class HttpStatusError extends Error {
  readonly status: number;
  readonly body: unknown;
  readonly retryAfter: number | undefined;
  constructor(status: number, body: unknown, retryAfter: number | undefined) {
    super(`HTTP ${status}`);
    this.status = status;
    this.body = body;
    this.retryAfter = retryAfter;
  }
}

export function kibanaErrorMessage(body: unknown): string {
  if (typeof body === 'object' && body !== null) {
    const b = body as { message?: unknown; error?: unknown };
    if (typeof b.message === 'string') return b.message;
    if (typeof b.error === 'string') return b.error;
  }
  if (typeof body === 'string' && body.length > 0) return htmlPage(body) ?? body.slice(0, 500);
  return 'no message';
}

export class KibanaClient {
  readonly #opts: KibanaClientOptions;
  readonly #base: URL;

  constructor(opts: KibanaClientOptions) {
    this.#opts = opts;
    this.#base = new URL(opts.baseUrl.endsWith('/') ? opts.baseUrl : `${opts.baseUrl}/`);
  }

  /** `/s/<space>` + path for space-aware APIs; the default space has no prefix. */
  spacePath(path: string): string {
    return this.#opts.space === undefined ? path : `/s/${this.#opts.space}${path}`;
  }

  url(path: string, query?: KibanaRequest['query']): URL {
    const url = new URL(this.spacePath(path).replace(/^\//, ''), this.#base);
    for (const [k, v] of Object.entries(query ?? {})) url.searchParams.set(k, String(v));
    return url;
  }

  async request<T = unknown>(req: KibanaRequest): Promise<KibanaResponse<T>> {
    const label = `${req.method} ${this.spacePath(req.path)}`;
    const where = targetAt('kibana', this.#base.origin + this.#base.pathname.replace(/\/$/, ''));
    try {
      return await withRetry(
        this.#opts.retry,
        this.#opts.sleep,
        () => this.#once<T>(req, label, where),
        (err) => {
          if (err instanceof HttpStatusError) {
            return { retry: isRetryableStatus(err.status), retryAfterSeconds: err.retryAfter, reason: `HTTP ${err.status}` };
          }
          return { retry: isConnectionError(err), reason: networkCause(err) };
        },
        ({ attempt, delayMs, reason }) =>
          this.#opts.onRetry?.(`retrying ${label} after ${reason} from ${where} (attempt ${attempt + 1} of ${this.#opts.retry.attempts}, in ${delayMs} ms)`),
        this.#opts.signal,
      );
    } catch (err) {
      if (err instanceof HttpStatusError) {
        if (err.status === 401) throw new AuthenticationError('kibana', label);
        if (err.status === 403) throw new PrivilegeError('kibana', label, kibanaPrivilegeFor(req.path), kibanaErrorMessage(err.body));
        throw new RemoteError('kibana', label, err.status, `${label} failed: HTTP ${err.status}: ${kibanaErrorMessage(err.body)}`);
      }
      if (err instanceof RemoteError || err instanceof RunStopped) throw err;
      throw new RemoteError('kibana', label, undefined, `${label} failed: ${where}: ${networkCause(err)}`);
    }
  }

  #once<T>(req: KibanaRequest, label: string, where: string): Promise<KibanaResponse<T>> {
    const url = this.url(req.path, req.query);
    const headers: Record<string, string> = {
      authorization: this.#opts.authorization,
      'kbn-xsrf': 'true',
      'elastic-api-version': KIBANA_API_VERSION,
      accept: 'application/json',
    };
    let payload: Buffer | undefined;
    if (req.multipart !== undefined) {
      const boundary = `----sample-service-provision-${Math.random().toString(16).slice(2)}`;
      const m = req.multipart;
      payload = Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${m.field}"; filename="${m.filename}"\r\n` +
          `Content-Type: ${m.contentType}\r\n\r\n${m.content}\r\n--${boundary}--\r\n`,
      );
      headers['content-type'] = `multipart/form-data; boundary=${boundary}`;
    } else if (req.body !== undefined) {
      payload = Buffer.from(JSON.stringify(req.body));
      headers['content-type'] = 'application/json';
    }
    if (payload !== undefined) headers['content-length'] = String(payload.length);

    const lib = url.protocol === 'https:' ? https : http;
    const timeoutMs = this.#opts.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    const signal = this.#opts.signal;
    return new Promise((resolve, reject) => {
      let settled = false;
      // The first failure wins: a deadline or abort destroys the socket, which raises follow-up errors.
      let cause: Error | undefined;
      const finish = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        clearTimeout(slow);
        signal?.removeEventListener('abort', onAbort);
        fn();
      };
      const fail = (e: Error): void => finish(() => reject(cause ?? e));
      const stop = (e: Error): void => {
        cause ??= e;
        request.destroy(e);
        fail(e);
      };
      const request = lib.request(
        url,
        {
          method: req.method,
          headers,
          ...(url.protocol === 'https:'
            ? { ...(this.#opts.ca ? { ca: this.#opts.ca } : {}), ...(this.#opts.servername ? { servername: this.#opts.servername } : {}) }
            : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > MAX_RESPONSE_BYTES) stop(new Error(`answer larger than ${MAX_RESPONSE_BYTES / 1024 / 1024} MiB`));
            else chunks.push(c);
          });
          res.on('error', fail);
          res.on('close', () => {
            if (!res.complete) fail(Object.assign(new Error('connection closed before the answer was complete'), { code: 'ECONNRESET' }));
          });
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const status = res.statusCode ?? 0;
            const odd = unexpectedAnswer('kibana', this.#baseText, label, status, res.headers, text);
            // The other product is never an acceptable answer, whatever its status.
            if (odd !== undefined && (odd.actualProduct !== undefined || !(req.accept ?? []).includes(status))) {
              fail(odd);
              return;
            }
            let body: unknown = text;
            const type = res.headers['content-type'] ?? '';
            if (text !== '' && type.includes('json') && !type.includes('ndjson')) {
              try {
                body = JSON.parse(text);
              } catch {
                fail(new UnexpectedAnswerError('kibana', label, status, `${label}: ${targetAt('kibana', this.#baseText)} sent invalid JSON (HTTP ${status})`));
                return;
              }
            } else if (type.includes('ndjson')) {
              body = text;
            }
            if ((status < 200 || status > 299) && !(req.accept ?? []).includes(status)) {
              const ra = Number(res.headers['retry-after']);
              fail(new HttpStatusError(status, body, Number.isFinite(ra) ? ra : undefined));
              return;
            }
            finish(() => resolve({ status, body: body as T }));
          });
        },
      );
      request.on('error', fail);
      const timer = setTimeout(() => stop(requestDeadlineError(timeoutMs)), timeoutMs);
      const slowMs = slowNoticeMs(timeoutMs);
      const slow = setTimeout(() => this.#opts.onSlow?.(slowNotice(label, where, slowMs, timeoutMs)), slowMs);
      const onAbort = (): void => stop(signal ? stopReason(signal) : new RunStopped('interrupted'));
      if (signal?.aborted) {
        onAbort();
        return;
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      if (payload !== undefined) request.write(payload);
      request.end();
    });
  }

  get #baseText(): string {
    return this.#base.toString().replace(/\/$/, '');
  }
}
