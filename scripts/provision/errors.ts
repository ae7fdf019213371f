/**
 * The engine's small catalogue of coded errors and the exit codes they map to (at one edge: the
 * CLI). Messages are written for an operator and never carry credentials.
 */

export const EXIT = {
  /** Applied, or nothing to do. */
  ok: 0,
  /** At least one object failed (per-object report printed). */
  failed: 1,
  /** Bad usage or configuration. */
  usage: 2,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Bad flags or environment: every problem found, reported together (exit 2). */
export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** An HTTP call to Kibana or Elasticsearch that failed (after retries where retryable). */
export class RemoteError extends Error {
  readonly status: number | undefined;
  readonly target: 'kibana' | 'elasticsearch';
  readonly request: string;
  constructor(target: 'kibana' | 'elasticsearch', request: string, status: number | undefined, message: string) {
    super(message);
    this.name = 'RemoteError';
    this.target = target;
    this.request = request;
    this.status = status;
  }
}

/** 401: the credentials were rejected. Stops the whole run. */
export class AuthenticationError extends RemoteError {
  constructor(target: 'kibana' | 'elasticsearch', request: string) {
    super(
      target,
      request,
      401,
      `${target === 'kibana' ? 'Kibana' : 'Elasticsearch'} rejected the credentials (401 Unauthorized) on ${request}: ` +
        'check ELASTIC_API_KEY (an encoded API key, as shown once when it was created) or ELASTIC_USERNAME/ELASTIC_PASSWORD, ' +
        'and that the key has not expired or been invalidated',
    );
    this.name = 'AuthenticationError';
  }
}

/** 403: authenticated, but a privilege is missing; names the privilege. */
export class PrivilegeError extends RemoteError {
  readonly privilege: string;
  constructor(target: 'kibana' | 'elasticsearch', request: string, privilege: string, detail?: string) {
    super(
      target,
      request,
      403,
      `${target === 'kibana' ? 'Kibana' : 'Elasticsearch'} refused ${request} (403 Forbidden): missing privilege ${privilege}` +
        (detail ? ` (${detail})` : ''),
    );
    this.name = 'PrivilegeError';
    this.privilege = privilege;
  }
}

/** Extracts a readable message from anything thrown; never includes request headers. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

export type TargetName = 'kibana' | 'elasticsearch';

/** How each target is named to an operator, and the variable that sets its URL. */
export const TARGET = {
  kibana: { label: 'Kibana', urlVariable: 'KIBANA_URL', defaultPort: 5601 },
  elasticsearch: { label: 'Elasticsearch', urlVariable: 'ELASTICSEARCH_URL', defaultPort: 9200 },
} as const;

/**
 * A 2xx or 3xx answer that is not the product's JSON: a redirect (a proxy or single sign-on page in
 * front of the target), an HTML page, or the other product. Never retried: nothing was written.
 */
export class UnexpectedAnswerError extends RemoteError {
  /** Set when the answer came from the other product (the URL points at the wrong one). */
  readonly actualProduct: TargetName | undefined;
  constructor(target: TargetName, request: string, status: number, message: string, actualProduct?: TargetName) {
    super(target, request, status, message);
    this.name = 'UnexpectedAnswerError';
    this.actualProduct = actualProduct;
  }
}

type Headers = Readonly<Record<string, string | readonly string[] | undefined>>;

function header(headers: Headers, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(', ') : (v as string | undefined);
}

/**
 * Checks one answer's status, headers and body for the cases no caller can handle: the other product
 * (Elasticsearch sets `X-elastic-product: Elasticsearch` on every REST response, Kibana sets
 * `kbn-name` on every response), a redirect, or a 2xx that is not JSON. Returns undefined when the
 * answer is a plausible answer of `target`.
 */
export function unexpectedAnswer(
  target: TargetName,
  baseUrl: string,
  request: string,
  status: number,
  headers: Headers,
  body: string,
): UnexpectedAnswerError | undefined {
  const { label, urlVariable } = TARGET[target];
  const where = `${label} at ${baseUrl} (${urlVariable})`;
  const other: TargetName | undefined =
    target === 'kibana' && header(headers, 'x-elastic-product') === 'Elasticsearch'
      ? 'elasticsearch'
      : target === 'elasticsearch' && header(headers, 'kbn-name') !== undefined
        ? 'kibana'
        : undefined;
  if (other !== undefined) {
    return new UnexpectedAnswerError(
      target,
      request,
      status,
      `${urlVariable} ${baseUrl} points at ${TARGET[other].label}, not ${label} (it answered ${request} with ` +
        `${other === 'elasticsearch' ? 'X-elastic-product: Elasticsearch' : 'a kbn-name header'}): set ${urlVariable} to ${label}'s URL ` +
        `(port ${TARGET[target].defaultPort} by default)`,
      other,
    );
  }
  if (status >= 300 && status < 400) {
    const location = header(headers, 'location');
    return new UnexpectedAnswerError(
      target,
      request,
      status,
      `${where} answered ${request} with HTTP ${status}${location ? ` (redirect to ${redactUrl(location)})` : ''}, not an API answer: ` +
        `nothing was done. A proxy or sign-in page is in front of ${label}; set ${urlVariable} to ${label} itself`,
    );
  }
  const type = header(headers, 'content-type') ?? '';
  if (status >= 200 && status < 300 && body.trim() !== '' && !type.includes('json')) {
    return new UnexpectedAnswerError(
      target,
      request,
      status,
      `${where} answered ${request} with ${htmlPage(body, type) ?? `content-type "${type || 'none'}"`} ` +
        `(HTTP ${status}), not JSON: a sign-in page or proxy answers in place of ${label}; set ${urlVariable} to ${label} itself`,
    );
  }
  return undefined;
}

/** `an HTML page ("Sign in")` when `body` is one, else undefined: a page is named, never printed. */
export function htmlPage(body: string, contentType = ''): string | undefined {
  if (!contentType.includes('html') && !/^\s*<(!doctype|html)/i.test(body)) return undefined;
  const title = /<title[^>]*>([^<]{1,80})/i.exec(body)?.[1]?.trim();
  return `an HTML page${title ? ` ("${title}")` : ''}`;
}

/** A URL without its query and fragment (sign-in redirects carry state and tokens there). */
function redactUrl(raw: string): string {
  try {
    const u = new URL(raw, 'http://relative.invalid');
    return u.host === 'relative.invalid' ? u.pathname : `${u.origin}${u.pathname}`;
  } catch {
    return '(unparsable location)';
  }
}

const NETWORK_CAUSES: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused (nothing listens at that address and port)',
  ENOTFOUND: 'host name not found (DNS)',
  EAI_AGAIN: 'host name lookup failed (DNS temporarily unavailable)',
  ECONNRESET: 'connection reset by the server (an https:// endpoint addressed as http://?)',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EPIPE: 'connection closed by the server while sending',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'TLS: the server certificate is self-signed and not trusted: set ELASTIC_CA_FILE to its CA certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'TLS: the server certificate chain ends in an untrusted CA: set ELASTIC_CA_FILE to that CA certificate',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS: the server certificate is not signed by a trusted CA: set ELASTIC_CA_FILE to its CA certificate',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'TLS: the issuer of the server certificate is not trusted: set ELASTIC_CA_FILE to its CA certificate',
  CERT_HAS_EXPIRED: 'TLS: the server certificate has expired',
  ERR_TLS_CERT_ALTNAME_INVALID: 'TLS: the server certificate does not name this host',
  ERR_SSL_WRONG_VERSION_NUMBER: 'TLS handshake failed: the server does not speak TLS (an http:// endpoint addressed as https://?)',
  EPROTO: 'TLS handshake failed (an http:// endpoint addressed as https://?)',
};

/** The Node error code of an error or of any error in its `cause` chain. */
function errorCode(err: unknown, depth = 0): string | undefined {
  if (typeof err !== 'object' || err === null || depth > 5) return undefined;
  const e = err as { code?: unknown; cause?: unknown };
  if (typeof e.code === 'string' && e.code in NETWORK_CAUSES) return e.code;
  return errorCode(e.cause, depth + 1);
}

/** A network failure in an operator's words: the cause (refused, not found, TLS, ...) and its code. */
export function networkCause(err: unknown): string {
  const code = errorCode(err);
  if (code !== undefined) return `${NETWORK_CAUSES[code]} [${code}]`;
  const e = err as { code?: unknown; message?: unknown };
  if (typeof e?.message === 'string' && e.message !== '') return typeof e.code === 'string' ? `${e.message} [${e.code}]` : e.message;
  return typeof e?.code === 'string' ? e.code : 'connection error';
}

/** "Kibana at https://kb:5601 (KIBANA_URL)": where a failed call went. */
export function targetAt(target: TargetName, baseUrl: string): string {
  return `${TARGET[target].label} at ${baseUrl} (${TARGET[target].urlVariable})`;
}

/**
 * The configuration problem behind an answer from the other product. When ELASTICSEARCH_URL answers as
 * Kibana, `probeKibana` (a request to KIBANA_URL) tells whether the two URLs are swapped.
 */
export async function wrongProductProblem(e: UnexpectedAnswerError, probeKibana: () => Promise<unknown>): Promise<string> {
  if (e.target === 'elasticsearch' && e.actualProduct === 'kibana') {
    const other = await probeKibana().then(
      () => undefined,
      (x: unknown) => x,
    );
    if (other instanceof UnexpectedAnswerError && other.actualProduct === 'elasticsearch') {
      return 'KIBANA_URL and ELASTICSEARCH_URL are swapped: ELASTICSEARCH_URL answers as Kibana and KIBANA_URL as Elasticsearch; exchange their values';
    }
  }
  return e.message;
}
