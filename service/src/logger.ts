/**
 * Logger: pino with @elastic/ecs-pino-format, JSON lines on stdout.
 *
 * Correlation: with the OpenTelemetry SDK a pino mixin adds `trace.id`, `transaction.id` and
 * `span.id` of the active span; with elastic-apm-node, ecs-pino-format's own APM integration does.
 */
import { ecsFormat } from '@elastic/ecs-pino-format';
import { pino, type DestinationStream, type Logger } from 'pino';
import type { Config } from './config.js';
import { LOG_EVENT_DATASET } from './telemetry/registry.js';
import { currentTraceIds } from './telemetry/tracing.js';

export type { Logger } from 'pino';

/** Header paths never written to a log line, whatever object carries them. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
  '["http.request.headers.authorization"]',
  '["http.request.headers.cookie"]',
];

export interface LoggerOptions {
  /** Where lines go; defaults to stdout. */
  readonly destination?: DestinationStream;
}

export function createLogger(config: Config, options: LoggerOptions = {}): Logger {
  // The mixin reads the active span through @opentelemetry/api: the OpenTelemetry SDK's span, or
  // elastic-apm-node's through its OpenTelemetry bridge (then ecs-pino-format's own APM integration
  // sets the same trace.id/transaction.id, and the mixin adds span.id on lines outside a child span).
  const useOtelMixin = config.tracing.agent !== 'none';
  // Synchronous writes (pino's default for stdout): a line is out before the next statement runs, so
  // a crash loses nothing, and exit never waits on a buffer. (An asynchronous destination must be
  // flushed synchronously at exit, and sonic-boom retries that flush forever if stdout's reader is gone.)
  const destination = options.destination ?? pino.destination({ dest: 1, sync: true });
  return pino(
    {
      ...ecsFormat({
        // Only load elastic-apm-node's integration when that agent is the active one.
        apmIntegration: config.tracing.agent === 'elastic',
        serviceName: config.service.name,
        serviceVersion: config.service.version,
        serviceEnvironment: config.service.environment,
        serviceNodeName: config.service.nodeName,
        eventDataset: LOG_EVENT_DATASET,
        convertErr: true,
      }),
      level: config.logLevel,
      redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' },
      // pino merges each line's fields into the mixin's result, so it must be a fresh object.
      ...(useOtelMixin ? { mixin: () => currentTraceIds() ?? {} } : {}),
    },
    destination,
  );
}

/** Writes out buffered lines; call before the process exits. */
export function flushLogger(logger: Logger): void {
  try {
    logger.flush();
  } catch {
    // stdout already closed: nothing more can be written anyway.
  }
}
