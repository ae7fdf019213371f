/**
 * The telemetry registry: every metric, label, log field and custom span attribute the service
 * emits is declared here, once. The service builds its instruments from these declarations, and
 * dashboards, SLOs, alerts and the telemetry contract tests import them, so a rename here is a
 * compile error (or a failing contract test) everywhere that depends on it.
 *
 * This module is plain data: no I/O, no prom-client, no OpenTelemetry imports.
 */

/** Identity defaults; the runtime values come from OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES. */
export const SERVICE = {
  name: 'sample-service',
  /** Kubernetes label `app.kubernetes.io/name` on the service's pods; Fleet scopes collection by it. */
  appLabel: 'sample-service',
  namespace: 'sample-service',
  defaultEnvironment: 'development',
} as const;

/** Label names used on HTTP metrics. `route` is always a route template, never a raw path. */
export const HTTP_LABELS = ['method', 'route', 'status_code'] as const;
export type HttpLabel = (typeof HTTP_LABELS)[number];

/** The `route` label value shared by every request that matched no route (bounded cardinality). */
export const UNMATCHED_ROUTE = 'unmatched';

/** Route templates served by the service: the complete set of `route` label values besides UNMATCHED_ROUTE. */
export const ROUTES = {
  health: '/health',
  ready: '/ready',
  metrics: '/metrics',
  users: '/api/users',
  user: '/api/users/:id',
  error: '/api/error',
  flaky: '/api/flaky',
  slow: '/api/slow',
} as const;
export type RouteTemplate = (typeof ROUTES)[keyof typeof ROUTES];

/** Infrastructure endpoints: never traced, never part of an SLI. */
export const PROBE_ROUTES: readonly RouteTemplate[] = [ROUTES.health, ROUTES.ready, ROUTES.metrics];

/**
 * Histogram buckets in seconds. Fine below 100 ms for the fast endpoints, and one bucket per second
 * across 2–5 s so the deliberately slow endpoint (uniform 2–5 s) is resolved too.
 */
export const HTTP_DURATION_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 4, 5, 7.5, 10,
] as const;

export type MetricType = 'counter' | 'gauge' | 'histogram';

export interface MetricDefinition<L extends string = string> {
  readonly name: string;
  readonly type: MetricType;
  readonly help: string;
  readonly labels: readonly L[];
  readonly buckets?: readonly number[];
}

function metric<const L extends string>(def: MetricDefinition<L>): MetricDefinition<L> {
  return def;
}

/** Application metrics (prom-client's default runtime metrics are listed in RUNTIME_METRICS). */
export const METRICS = {
  httpRequests: metric({
    name: 'http_requests_total',
    type: 'counter',
    help: 'HTTP requests completed, by method, route template and status code.',
    labels: HTTP_LABELS,
  }),
  httpRequestDuration: metric({
    name: 'http_request_duration_seconds',
    type: 'histogram',
    help: 'HTTP request duration in seconds, by method, route template and status code.',
    labels: HTTP_LABELS,
    buckets: HTTP_DURATION_BUCKETS,
  }),
  httpRequestsInFlight: metric({
    name: 'http_requests_in_flight',
    type: 'gauge',
    help: 'HTTP requests currently being served.',
    labels: [],
  }),
  userLookups: metric({
    name: 'sample_service_user_lookups_total',
    type: 'counter',
    help: 'User lookups by id, by result (found or not_found).',
    labels: ['result'],
  }),
  usersCreated: metric({
    name: 'sample_service_users_created_total',
    type: 'counter',
    help: 'Users created through POST /api/users.',
    labels: [],
  }),
  operations: metric({
    name: 'sample_service_operations_total',
    type: 'counter',
    help: 'Business operations by operation name and outcome (success or failure).',
    labels: ['operation', 'outcome'],
  }),
  logLinesDropped: metric({
    name: 'sample_service_log_lines_dropped_total',
    type: 'counter',
    help: 'Log lines not written to stdout: its reader was too slow (bounded buffer full) or gone.',
    labels: [],
  }),
  buildInfo: metric({
    name: 'sample_service_build_info',
    type: 'gauge',
    help: 'Build information; the value is always 1.',
    labels: ['version', 'commit', 'node_version'],
  }),
} as const;

/** Values of the bounded labels above. */
export const LOOKUP_RESULTS = ['found', 'not_found'] as const;
export const OUTCOMES = ['success', 'failure'] as const;
export const OPERATIONS = ['list_users', 'get_user', 'create_user', 'error', 'flaky', 'slow'] as const;
export type Operation = (typeof OPERATIONS)[number];

/**
 * prom-client default metrics that dashboards and alerts use (the collector emits more).
 * Names are prom-client 15's; the telemetry contract test checks each is really exposed.
 */
export const RUNTIME_METRICS = {
  eventLoopLagP99: { name: 'nodejs_eventloop_lag_p99_seconds', type: 'gauge' },
  eventLoopLagMean: { name: 'nodejs_eventloop_lag_mean_seconds', type: 'gauge' },
  heapUsed: { name: 'nodejs_heap_size_used_bytes', type: 'gauge' },
  heapTotal: { name: 'nodejs_heap_size_total_bytes', type: 'gauge' },
  gcDuration: { name: 'nodejs_gc_duration_seconds', type: 'histogram' },
  cpuSeconds: { name: 'process_cpu_seconds_total', type: 'counter' },
  residentMemory: { name: 'process_resident_memory_bytes', type: 'gauge' },
  startTime: { name: 'process_start_time_seconds', type: 'gauge' },
} as const satisfies Record<string, { name: string; type: MetricType }>;

/**
 * ECS fields on every access log line (one per request). Names are ECS field names; the values
 * come from @elastic/ecs-pino-format plus the service's own request logging.
 */
export const ACCESS_LOG_FIELDS = [
  '@timestamp',
  'log.level',
  'message',
  'ecs.version',
  'event.dataset',
  'event.duration',
  'event.outcome',
  'http.request.method',
  'http.request.id',
  'http.response.status_code',
  'http.route',
  'url.path',
  'user_agent.original',
  'client.ip',
  'service.name',
  'service.version',
  'service.environment',
  'service.node.name',
] as const;

/** Correlation fields, present on every line logged while a traced request is active. */
export const CORRELATION_LOG_FIELDS = ['trace.id', 'transaction.id', 'span.id'] as const;

/** Error fields, present on lines that log an error. */
export const ERROR_LOG_FIELDS = ['error.type', 'error.message', 'error.stack_trace'] as const;

/** The access log line's message, so queries can select access logs exactly. */
export const ACCESS_LOG_MESSAGE = 'request completed';

/** Message of the warning logged (at most once per interval) while log lines are being dropped. */
export const LOG_LINES_DROPPED_MESSAGE = 'log lines dropped: stdout is not read fast enough';

/** `event.dataset` written by the service's logger: lets queries select this service's lines. */
export const LOG_EVENT_DATASET = 'sample-service.log';

/** Custom span attributes (standard HTTP semantic-convention attributes are not repeated here). */
export const SPAN_ATTRIBUTES = {
  userId: 'app.user.id',
  userFound: 'app.user.found',
  slowDelayMs: 'app.slow.delay_ms',
  requestId: 'http.request.id',
} as const;

/** Names of the child spans the service creates itself. */
export const SPAN_NAMES = {
  userLookup: 'users.lookup',
  userCreate: 'users.create',
  slowWork: 'slow.work',
} as const;

/**
 * Level of each access line: 5xx at `error` (the line then carries ERROR_LOG_FIELDS, so one line per
 * failed request is both its access record and its error record; an expected 5xx, readiness 503 while
 * starting or draining, is no error: errors.ts isExpected), probe requests at `debug` (hidden
 * at the default LOG_LEVEL=info: kubelet probes and scrapes would otherwise dominate the logs), every
 * other request at `info`.
 */
export const ACCESS_LOG_LEVELS = { serverError: 'error', probe: 'debug', default: 'info' } as const;

/**
 * `status_code` label and `http.response.status_code` recorded for a request whose client went away
 * before the response was complete (nginx's convention); it is neither a success nor a server error.
 */
export const CLIENT_CLOSED_STATUS = 499;

/** Messages of the service's lifecycle log lines (startup and graceful shutdown). */
export const LIFECYCLE_LOG_MESSAGES = {
  listening: 'server listening',
  signal: 'signal received',
  draining: 'shutdown started: readiness is 503',
  graceOver: 'grace period over: closing remaining connections',
  closed: 'server closed',
  complete: 'shutdown complete',
  fatal: 'fatal error: exiting',
} as const;
