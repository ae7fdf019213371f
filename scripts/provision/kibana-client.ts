/**
 * A small typed Kibana HTTP client: auth, `kbn-xsrf` on every request, the space prefix
 * (`/s/<space>`), `elastic-api-version` for the versioned public APIs, bounded retries with
 * exponential backoff and jitter on 429/5xx/connection errors, and errors that name the missing
 * privilege on 403. It never logs or returns credentials.
 */
import http from 'node:http';
import https from 'node:https';
import { AuthenticationError, PrivilegeError, RemoteError } from './errors.js';
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
  readonly timeoutMs?: number;
}

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
  if (typeof body === 'string' && body.length > 0) return body.slice(0, 500);
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
    try {
      return await withRetry(
        this.#opts.retry,
        this.#opts.sleep,
        () => this.#once<T>(req),
        (err) => {
          if (err instanceof HttpStatusError) {
            return { retry: isRetryableStatus(err.status), retryAfterSeconds: err.retryAfter, reason: `HTTP ${err.status}` };
          }
          return { retry: isConnectionError(err), reason: connectionReason(err) };
        },
        ({ attempt, delayMs, reason }) =>
          this.#opts.onRetry?.(`retrying ${label} after ${reason} (attempt ${attempt + 1} of ${this.#opts.retry.attempts}, in ${delayMs} ms)`),
      );
    } catch (err) {
      if (err instanceof HttpStatusError) {
        if (err.status === 401) throw new AuthenticationError('kibana', label);
        if (err.status === 403) throw new PrivilegeError('kibana', label, kibanaPrivilegeFor(req.path), kibanaErrorMessage(err.body));
        throw new RemoteError('kibana', label, err.status, `${label} failed: HTTP ${err.status}: ${kibanaErrorMessage(err.body)}`);
      }
      throw new RemoteError('kibana', label, undefined, `${label} failed: ${connectionReason(err)} (Kibana at ${this.#base.origin} unreachable)`);
    }
  }

  #once<T>(req: KibanaRequest): Promise<KibanaResponse<T>> {
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
    return new Promise((resolve, reject) => {
      const request = lib.request(
        url,
        {
          method: req.method,
          headers,
          ...(url.protocol === 'https:'
            ? { ...(this.#opts.ca ? { ca: this.#opts.ca } : {}), ...(this.#opts.servername ? { servername: this.#opts.servername } : {}) }
            : {}),
          timeout: this.#opts.timeoutMs ?? 60_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let body: unknown = text;
            const type = res.headers['content-type'] ?? '';
            if (text !== '' && type.includes('json')) {
              try {
                body = JSON.parse(text);
              } catch {
                body = text;
              }
            }
            const status = res.statusCode ?? 0;
            if (status >= 400 && !(req.accept ?? []).includes(status)) {
              const ra = Number(res.headers['retry-after']);
              reject(new HttpStatusError(status, body, Number.isFinite(ra) ? ra : undefined));
              return;
            }
            resolve({ status, body: body as T });
          });
        },
      );
      request.on('timeout', () => request.destroy(Object.assign(new Error('request timed out'), { code: 'ETIMEDOUT' })));
      request.on('error', reject);
      if (payload !== undefined) request.write(payload);
      request.end();
    });
  }
}

function connectionReason(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown };
  if (typeof e?.code === 'string') return e.code;
  return typeof e?.message === 'string' ? e.message : 'connection error';
}
