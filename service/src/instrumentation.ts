/**
 * Tracing bootstrap, loaded before the application with `node --import ./dist/instrumentation.js`.
 *
 * - APM_AGENT=otel (default): the OpenTelemetry Node SDK (tracer provider, context manager, the
 *   propagators of OTEL_PROPAGATORS), a batch span processor and the OTLP exporter chosen by
 *   OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL. No instrumentation is loaded: the service's first
 *   middleware starts the SERVER span itself (telemetry/http-server-span.ts), which costs far less
 *   per request than @opentelemetry/instrumentation-http (docs/performance.md). Started only when an
 *   OTLP endpoint is configured and OTEL_SDK_DISABLED is not true; otherwise nothing is loaded.
 * - APM_AGENT=elastic: elastic-apm-node, configured by its ELASTIC_APM_* variables, with its
 *   OpenTelemetry bridge so the application's @opentelemetry/api calls create Elastic spans.
 * - APM_AGENT=none: no tracing.
 *
 * Invalid configuration is not reported here: main.ts reports every problem and exits.
 * No module is patched by OpenTelemetry, and elastic-apm-node patches only core modules (http,
 * through require hooks), so no ESM loader hook (import-in-the-middle) is registered: it would wrap
 * every ES module for nothing.
 */
import { createRequire } from 'node:module';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createLogger, type Logger } from './logger.js';
import { exportFailureHint } from './startup.js';
import { registerAgent } from './telemetry/agent.js';
import { PROBE_ROUTES } from './telemetry/registry.js';

const require = createRequire(import.meta.url);

/** Forwards OpenTelemetry diagnostics to the service logger at warn, at most `burst` lines per minute. */
function rateLimitedDiag(logger: Logger, config: Config, burst = 5, windowMs = 60_000) {
  let windowStart = 0;
  let count = 0;
  let suppressed = 0;
  const log = (level: 'error' | 'warn', message: string, args: unknown[]): void => {
    const now = Date.now();
    if (now - windowStart >= windowMs) {
      if (suppressed > 0) logger.warn({ 'event.action': 'otel-diag', suppressed }, 'OpenTelemetry diagnostics suppressed in the last minute');
      windowStart = now;
      count = 0;
      suppressed = 0;
    }
    if (count >= burst) {
      suppressed++;
      return;
    }
    count++;
    const detail = args.map((a) => (a instanceof Error ? a.message : typeof a === 'string' ? a : JSON.stringify(a))).join(' ');
    // A 401/403 from the endpoint is a setting to fix: say which endpoint and which setting.
    const hint = exportFailureHint(`${message} ${detail}`, config);
    if (hint !== undefined) {
      logger.warn({ 'event.action': 'otel-diag', 'log.origin.level': level, 'http.response.status_code': hint.status }, `OpenTelemetry: ${hint.message}`);
      return;
    }
    logger.warn({ 'event.action': 'otel-diag', 'log.origin.level': level }, `OpenTelemetry: ${message}${detail ? ` ${detail}` : ''}`);
  };
  return {
    error: (message: string, ...args: unknown[]) => log('error', message, args),
    warn: (message: string, ...args: unknown[]) => log('warn', message, args),
    info: () => undefined,
    debug: () => undefined,
    verbose: () => undefined,
  };
}

async function startOpenTelemetry(config: Config, logger: Logger): Promise<void> {
  const [{ diag, DiagLogLevel }, { NodeSDK }, resources, { NoopSpanProcessor }] = await Promise.all([
    import('@opentelemetry/api'),
    import('@opentelemetry/sdk-node'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/sdk-trace-base'),
  ]);
  diag.setLogger(rateLimitedDiag(logger, config), DiagLogLevel.WARN);

  // Each exporter reads OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT / _HEADERS / _CERTIFICATE / _TIMEOUT
  // itself; NodeSDK wraps it in a BatchSpanProcessor configured by OTEL_BSP_*.
  let traceExporter;
  if (config.tracing.exporter === 'otlp') {
    switch (config.tracing.protocol) {
      case 'grpc':
        traceExporter = new (await import('@opentelemetry/exporter-trace-otlp-grpc')).OTLPTraceExporter();
        break;
      case 'http/json':
        traceExporter = new (await import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter();
        break;
      default:
        // exporter-trace-otlp-proto's exporter with a faster encoder of the same bytes (docs/performance.md).
        traceExporter = new (await import('./telemetry/otlp-trace-exporter.js')).ProtobufTraceExporter();
    }
  }

  const { service } = config;
  const sdk = new NodeSDK({
    // Defaults from the configuration; OTEL_RESOURCE_ATTRIBUTES / OTEL_SERVICE_NAME (detected) override them.
    resource: resources.defaultResource().merge(
      resources.resourceFromAttributes({
        'service.name': service.name,
        'service.version': service.version,
        'service.instance.id': service.nodeName,
        'deployment.environment.name': service.environment,
        // Older name, still the one APM Server maps to service.environment.
        'deployment.environment': service.environment,
      }),
    ),
    serviceName: service.name,
    // OTEL_TRACES_EXPORTER=none: spans are created (trace ids in logs, context propagated), never exported.
    ...(traceExporter === undefined ? { spanProcessors: [new NoopSpanProcessor()] } : { traceExporter }),
    // Metrics are scraped from /metrics and logs go to stdout: no OTLP metric or log pipelines.
    metricReaders: [],
    logRecordProcessors: [],
    // The server span comes from the service's own middleware; the service makes no outgoing calls.
    // (Add @opentelemetry/instrumentation-http here if it ever does: client spans need it.)
    instrumentations: [],
  });
  sdk.start();
  registerAgent('otel', () => sdk.shutdown());
  logger.debug(
    { 'event.action': 'tracing-start', exporter: config.tracing.exporter, protocol: config.tracing.protocol, endpoint: config.tracing.tracesEndpoint },
    'OpenTelemetry tracing started',
  );
}

async function startElasticApm(config: Config, logger: Logger): Promise<void> {
  const apm = (await import('elastic-apm-node')).default;
  apm.start({
    // ELASTIC_APM_* variables take precedence over these defaults.
    serviceName: config.service.name,
    serviceVersion: config.service.version,
    environment: config.service.environment,
    serviceNodeName: config.service.nodeName,
    transactionIgnoreUrls: [...PROBE_ROUTES],
    opentelemetryBridgeEnabled: true,
    // main.ts owns uncaught exceptions (log, flush, exit 1).
    captureExceptions: false,
    logger: logger.child({ 'log.logger': 'elastic-apm-node' }),
  });
  require('http');
  require('https');
  registerAgent('elastic', async () => {
    await new Promise<void>((resolve) => apm.flush(() => resolve()));
    await apm.destroy();
  });
}

let config: Config | undefined;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
}

if (config !== undefined && config.tracing.agent !== 'none') {
  // The same stdout sink as the application's logger: ordered lines, and no blocking write at exit.
  const logger = createLogger(config);
  try {
    if (config.tracing.agent === 'elastic') await startElasticApm(config, logger);
    else if (config.tracing.otelEnabled) await startOpenTelemetry(config, logger);
  } catch (error) {
    // Tracing must never keep the service from serving.
    logger.error({ err: error, 'event.action': 'tracing-start' }, 'tracing could not be started; continuing without it');
  }
}
