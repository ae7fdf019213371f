/**
 * The start-up lines meant for a person: where traces go, settings that cannot work with Elastic
 * APM Server, a listen failure in one sentence, and what an OTLP 401/403 means. Plain functions of the
 * configuration: main.ts and instrumentation.ts write what they return.
 */
import type { Config } from './config.js';

export type ActiveAgent = 'otel' | 'elastic' | 'none';

export interface StartupLine {
  readonly level: 'info' | 'warn';
  readonly fields: Readonly<Record<string, unknown>>;
  readonly message: string;
}

/** The URL without user name and password (an endpoint may carry them; they never reach a log). */
export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.username === '' && url.password === '') return raw;
    url.username = '';
    url.password = '';
    return url.toString();
  } catch {
    return '(not a URL)';
  }
}

/** One line saying whether tracing is on, which agent produces it, and where spans are exported. */
export function tracingLine(config: Config, active: ActiveAgent): StartupLine {
  const t = config.tracing;
  const endpoint = t.tracesEndpoint === undefined ? undefined : redactUrl(t.tracesEndpoint);
  const base = { 'event.action': 'tracing-status', 'tracing.agent': t.agent };
  if (t.agent === 'none') return { level: 'info', fields: { ...base, 'tracing.enabled': false }, message: 'tracing off: APM_AGENT=none' };
  if (t.agent === 'elastic') {
    if (active !== 'elastic') return { level: 'warn', fields: { ...base, 'tracing.enabled': false }, message: notStarted('APM_AGENT=elastic') };
    return { level: 'info', fields: { ...base, 'tracing.enabled': true }, message: 'tracing on: elastic-apm-node, sending to ELASTIC_APM_SERVER_URL (see its own settings)' };
  }
  if (!t.otelEnabled) {
    const why = t.exporter === 'otlp' && t.tracesEndpoint === undefined ? 'no OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set' : 'OTEL_SDK_DISABLED=true';
    return { level: 'info', fields: { ...base, 'tracing.enabled': false }, message: `tracing off: ${why}` };
  }
  if (active !== 'otel') return { level: 'warn', fields: { ...base, 'tracing.enabled': false }, message: notStarted('the OpenTelemetry SDK') };
  if (t.exporter === 'none') {
    return { level: 'info', fields: { ...base, 'tracing.enabled': true, 'tracing.exporter': 'none' }, message: 'tracing on, export off (OTEL_TRACES_EXPORTER=none): spans give log correlation and propagation only' };
  }
  return {
    level: 'info',
    fields: { ...base, 'tracing.enabled': true, 'tracing.exporter': 'otlp', 'tracing.protocol': t.protocol, 'url.full': endpoint },
    message: `tracing on: OpenTelemetry SDK exporting OTLP ${t.protocol} to ${endpoint ?? '(unknown)'}`,
  };
}

function notStarted(what: string): string {
  return `tracing configured (${what}) but not started: the tracing bootstrap failed (see the line above) or was not loaded with --import`;
}

/**
 * A warning when the configured OTLP protocol cannot reach Elastic APM Server: its OTLP/HTTP intake
 * (apm-server internal/beater/otlp/http.go, v9.4.3) unmarshals every body as protobuf, whatever its
 * Content-Type, and answers anything else with 400. gRPC and http/protobuf work.
 */
export function protocolWarning(config: Config): StartupLine | undefined {
  const t = config.tracing;
  if (t.agent !== 'otel' || !t.otelEnabled || t.exporter !== 'otlp' || t.protocol !== 'http/json') return undefined;
  return {
    level: 'warn',
    fields: { 'event.action': 'tracing-status', 'tracing.protocol': t.protocol },
    message:
      `${t.protocolVariable}=http/json: Elastic APM Server accepts OTLP over HTTP only as binary protobuf and rejects ` +
      'JSON export requests (400), so no span will arrive if this endpoint is APM Server. Use http/protobuf (the default) ' +
      'or grpc; keep http/json only for a collector that accepts it.',
  };
}

/** One sentence for a listen failure a person can fix (port taken, port needs privileges), or undefined. */
export function listenFailureMessage(error: unknown, config: Config): string | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  const where = config.host === undefined ? `port ${config.port}` : `${config.host}:${config.port}`;
  switch (code) {
    case 'EADDRINUSE':
      return `cannot listen on ${where}: it is already in use. Stop the other process or set PORT to a free port.`;
    case 'EACCES':
      return `cannot listen on ${where}: permission denied (ports below 1024 need privileges). Set PORT to 1024 or above.`;
    case 'EADDRNOTAVAIL':
      return `cannot listen on ${where}: HOST is not an address of this machine. Unset HOST to listen on every interface.`;
    default:
      return undefined;
  }
}

/**
 * A hint for an export failure the OTLP endpoint refused for its credentials, from the exporter's
 * diagnostic text (the error flattened to JSON by OpenTelemetry's error handler): HTTP 401/403, or
 * gRPC UNAUTHENTICATED (16) / PERMISSION_DENIED (7). Undefined for any other failure. Header values
 * are never repeated: they carry the credentials.
 */
export function exportFailureHint(diagnostic: string, config: Config): { status: number; message: string } | undefined {
  const grpc = config.tracing.protocol === 'grpc';
  let denied: 'unauthenticated' | 'forbidden' | undefined;
  let answer = '';
  const http = /"code":"?(401|403)"?/.exec(diagnostic);
  if (!grpc && http !== null) {
    denied = http[1] === '401' ? 'unauthenticated' : 'forbidden';
    answer = http[1] === '401' ? '401 Unauthorized' : '403 Forbidden';
  } else if (grpc && (/"code":"?16"?[,}]/.test(diagnostic) || /\bUNAUTHENTICATED\b/.test(diagnostic))) {
    denied = 'unauthenticated';
    answer = 'UNAUTHENTICATED (gRPC 16)';
  } else if (grpc && (/"code":"?7"?[,}]/.test(diagnostic) || /\bPERMISSION_DENIED\b/.test(diagnostic))) {
    denied = 'forbidden';
    answer = 'PERMISSION_DENIED (gRPC 7)';
  }
  if (denied === undefined) return undefined;
  const endpoint = config.tracing.tracesEndpoint === undefined ? 'the OTLP endpoint' : redactUrl(config.tracing.tracesEndpoint);
  const check =
    denied === 'unauthenticated'
      ? 'check OTEL_EXPORTER_OTLP_HEADERS (or OTEL_EXPORTER_OTLP_TRACES_HEADERS): APM Server expects Authorization=Bearer <secret token> or Authorization=ApiKey <base64 id:key>'
      : 'the credentials in OTEL_EXPORTER_OTLP_HEADERS (or OTEL_EXPORTER_OTLP_TRACES_HEADERS) are valid but lack the privilege to write traces (an API key needs the event:write privilege)';
  return { status: denied === 'unauthenticated' ? 401 : 403, message: `${endpoint} answered ${answer}: spans are dropped; ${check}.` };
}
