/**
 * The request's SERVER span, made by the service's first middleware instead of
 * @opentelemetry/instrumentation-http (see docs/performance.md for why).
 *
 * It carries what that instrumentation sets on an incoming request under the stable HTTP semantic
 * conventions (v1.23+): the same attribute keys, values computed by the same rules (server.address
 * and client.address from Forwarded / X-Forwarded-* first, the method normalised to `_OTHER`,
 * url.query with signature parameters redacted). The parent comes from the incoming headers through
 * the globally configured propagator, so OTEL_PROPAGATORS keeps working.
 */
import type { IncomingMessage } from 'node:http';
import {
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
} from '@opentelemetry/api';
import {
  ATTR_CLIENT_ADDRESS,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_REQUEST_METHOD_ORIGINAL,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_NETWORK_PEER_ADDRESS,
  ATTR_NETWORK_PEER_PORT,
  ATTR_NETWORK_PROTOCOL_VERSION,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_PATH,
  ATTR_URL_QUERY,
  ATTR_URL_SCHEME,
  ATTR_USER_AGENT_ORIGINAL,
} from '@opentelemetry/semantic-conventions';
import parseForwarded from 'forwarded-parse';

const tracer = trace.getTracer('sample-service');

/** Methods kept as they are; anything else is `_OTHER` with the original in http.request.method_original. */
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH', 'QUERY']);

/** Query parameters whose values never reach a span (instrumentation-http's default list). */
export const REDACTED_QUERY_PARAMS = [
  'sig',
  'Signature',
  'AWSAccessKeyId',
  'X-Goog-Signature',
  'X-Amz-Signature',
  'X-Amz-Credential',
  'X-Amz-Security-Token',
] as const;
const REDACTED = 'REDACTED';

/** A path the URL parser returns unchanged: only characters it keeps, and no `.` or `..` segment. */
const PLAIN_PATH_CHARS = /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*$/;
const DOT_SEGMENT = /\/\.\.?(?:\/|$)/;

function splitUrl(url: string): { path: string; search: string } {
  const q = url.indexOf('?');
  const rawPath = q === -1 ? url : url.slice(0, q);
  if (PLAIN_PATH_CHARS.test(rawPath) && !DOT_SEGMENT.test(rawPath)) return { path: rawPath, search: q === -1 ? '' : url.slice(q) };
  try {
    const parsed = new URL(url, 'http://localhost');
    return { path: parsed.pathname, search: parsed.search };
  } catch {
    return { path: rawPath, search: q === -1 ? '' : url.slice(q) };
  }
}

function redactQuery(search: string): string {
  const params = new URLSearchParams(search.slice(1));
  for (const name of REDACTED_QUERY_PARAMS) if (params.has(name)) params.set(name, REDACTED);
  return params.toString();
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function forwardedEntries(header: string): Record<string, string>[] {
  try {
    return parseForwarded(header);
  } catch {
    return [];
  }
}

/** host[:port] of a Host-like header; the scheme's default port when none is given. */
function parseHost(host: string, proto?: string): { host: string; port?: string } {
  const parts = host.split(':');
  const defaultPort = proto === 'http' ? '80' : proto === 'https' ? '443' : undefined;
  if (parts.length === 1) return defaultPort === undefined ? { host } : { host, port: defaultPort };
  if (parts.length === 2) return { host: parts[0]!, port: parts[1]! };
  // IPv6: [::1] or [::1]:8080
  if (host.startsWith('[')) {
    if (host.endsWith(']')) return defaultPort === undefined ? { host } : { host, port: defaultPort };
    const close = host.lastIndexOf(']:');
    if (close !== -1) return { host: host.slice(0, close + 1), port: host.slice(close + 2) };
  }
  return { host };
}

function serverAddress(req: IncomingMessage, scheme: string): { host: string; port?: string } | undefined {
  const { headers } = req;
  if (headers.forwarded) {
    for (const entry of forwardedEntries(headers.forwarded)) if (entry.host) return parseHost(entry.host, entry.proto);
  }
  const xfHost = first(headers['x-forwarded-host']);
  if (xfHost) return parseHost(xfHost, first(headers['x-forwarded-proto']));
  const host = headers.host;
  return host ? parseHost(host, scheme) : undefined;
}

function withoutPort(address: string): string {
  try {
    const { hostname } = new URL(`http://${address}`);
    return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  } catch {
    return address;
  }
}

function clientAddress(req: IncomingMessage): string | undefined {
  const { headers } = req;
  if (headers.forwarded) {
    for (const entry of forwardedEntries(headers.forwarded)) if (entry.for) return withoutPort(entry.for);
  }
  const xff = first(headers['x-forwarded-for']);
  if (xff) return withoutPort(xff.split(',')[0]!.trim());
  return req.socket.remoteAddress;
}

/** The stable HTTP semantic-convention attributes of an incoming request, as instrumentation-http sets them. */
export function serverSpanAttributes(req: IncomingMessage, scheme: 'http' | 'https' = 'http'): Attributes {
  const method = req.method ?? 'GET';
  const normalized = KNOWN_METHODS.has(method) ? method : KNOWN_METHODS.has(method.toUpperCase()) ? method.toUpperCase() : '_OTHER';
  const { path, search } = splitUrl(req.url ?? '/');
  const server = serverAddress(req, scheme);
  const client = clientAddress(req);
  const attributes: Attributes = {
    [ATTR_HTTP_REQUEST_METHOD]: normalized,
    [ATTR_URL_SCHEME]: scheme,
    [ATTR_SERVER_ADDRESS]: server?.host,
    [ATTR_NETWORK_PEER_ADDRESS]: req.socket.remoteAddress,
    [ATTR_NETWORK_PEER_PORT]: req.socket.remotePort,
    [ATTR_NETWORK_PROTOCOL_VERSION]: req.httpVersion,
    [ATTR_USER_AGENT_ORIGINAL]: req.headers['user-agent'],
    [ATTR_URL_PATH]: path,
  };
  if (search.length > 1) attributes[ATTR_URL_QUERY] = redactQuery(search);
  if (client !== undefined) attributes[ATTR_CLIENT_ADDRESS] = client;
  if (server?.port !== undefined) attributes[ATTR_SERVER_PORT] = Number(server.port);
  if (method !== normalized) attributes[ATTR_HTTP_REQUEST_METHOD_ORIGINAL] = method;
  return attributes;
}

export interface ServerSpan {
  readonly span: Span;
  /** The context to run the request in: the server span, its parent's baggage and trace state. */
  readonly context: Context;
}

/**
 * Starts the SERVER span of an incoming request, named by its method until the route is known
 * (nameServerSpan), the parent extracted from the headers by the global propagator.
 */
export function startServerSpan(req: IncomingMessage): ServerSpan {
  const parent = propagation.extract(ROOT_CONTEXT, req.headers);
  const span = tracer.startSpan(req.method ?? 'GET', { kind: SpanKind.SERVER, attributes: serverSpanAttributes(req) }, parent);
  return { span, context: trace.setSpan(parent, span) };
}

/**
 * Ends the server span when the response is closed. The status code is set when a response was
 * sent (a client that hung up before the headers leaves it unset); 5xx marks the span failed.
 * The exception itself is recorded where it is handled (recordSpanError in the error edge).
 */
export function endServerSpan(span: Span, statusCode: number, headersSent: boolean, errorMessage?: string): void {
  if (headersSent) {
    span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, statusCode);
    if (statusCode >= 500) span.setStatus(errorMessage === undefined ? { code: SpanStatusCode.ERROR } : { code: SpanStatusCode.ERROR, message: errorMessage });
  }
  span.end();
}
