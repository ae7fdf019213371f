/**
 * Logger: pino with @elastic/ecs-pino-format, JSON lines on stdout.
 *
 * Lines go to stdout through an asynchronous destination (pino's sonic-boom, `sync: false`): a line
 * is appended to a buffer and written by the next `write(2)`, so a request never waits on the pipe
 * and many lines share one system call under load. The price is pino's documented one: lines still
 * in the buffer when the process dies abruptly are lost. Exits go through a bounded flush instead:
 * drainLogger() waits for the buffer to be written (at most LOG_FLUSH_TIMEOUT_MS), flushLogger()
 * writes the rest synchronously and gives up once that deadline has passed (a stdout whose reader
 * stopped reading would otherwise hold the exit forever).
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
  /** Where lines go; defaults to stdout (stdoutDestination()). */
  readonly destination?: DestinationStream;
}

/** Largest amount of not-yet-written log data kept in memory (sonic-boom's maxLength). */
export const LOG_BUFFER_MAX_BYTES = 16 * 1024 * 1024;

/** Upper bound for writing out buffered log lines at exit. */
export const LOG_FLUSH_TIMEOUT_MS = 2_000;

interface BoundedFlush {
  /** Date.now() after which a full pipe is no longer retried; undefined while serving. */
  deadline: number | undefined;
}
const flushState = new WeakMap<object, BoundedFlush>();

/**
 * stdout as a pino destination. Asynchronous by default; `sync: true` writes each line with a
 * blocking system call (used by the tracing bootstrap, whose few lines must not wait on a buffer).
 */
export function stdoutDestination(options: { sync?: boolean } = {}): DestinationStream {
  if (options.sync === true) return pino.destination({ dest: 1, sync: true });
  const state: BoundedFlush = { deadline: undefined };
  const stream = pino.destination({
    dest: 1,
    sync: false,
    // Bounded memory when stdout's reader falls far behind: lines beyond this are dropped, not queued.
    maxLength: LOG_BUFFER_MAX_BYTES,
    // A full pipe (EAGAIN) is retried: asynchronously while serving, so the event loop keeps running;
    // during the final synchronous flush only until the deadline, after which the lines are dropped.
    retryEAGAIN: () => state.deadline === undefined || Date.now() < state.deadline,
  });
  // Every synchronous flush (pino's on 'exit' and after a fatal line, flushLogger()) is bounded and
  // never throws: without a deadline yet it gets LOG_FLUSH_TIMEOUT_MS of its own.
  const flushSync = stream.flushSync.bind(stream);
  stream.flushSync = () => {
    const serving = state.deadline === undefined;
    if (serving) state.deadline = Date.now() + LOG_FLUSH_TIMEOUT_MS;
    try {
      flushSync();
    } catch {
      // Deadline passed with the pipe still full, or stdout closed: those lines are lost.
    } finally {
      if (serving) state.deadline = undefined;
    }
  };
  // Past the deadline a full pipe is reported as an error instead of retried: those lines are given
  // up. EPIPE (the reader is gone) is pino's to handle: it turns the destination into a no-op.
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') return;
    if (state.deadline !== undefined && (error.code === 'EAGAIN' || error.code === 'EBUSY')) return;
    throw error;
  });
  // pino flushes an asynchronous destination synchronously on 'exit' (its handler was registered
  // when the destination was created): this runs first and bounds that flush too.
  process.prependListener('exit', () => {
    state.deadline ??= Date.now() + LOG_FLUSH_TIMEOUT_MS;
  });
  flushState.set(stream, state);
  return stream;
}

export function createLogger(config: Config, options: LoggerOptions = {}): Logger {
  // The mixin reads the active span through @opentelemetry/api: the OpenTelemetry SDK's span, or
  // elastic-apm-node's through its OpenTelemetry bridge (then ecs-pino-format's own APM integration
  // sets the same trace.id/transaction.id, and the mixin adds span.id on lines outside a child span).
  const useOtelMixin = config.tracing.agent !== 'none';
  const destination = options.destination ?? stdoutDestination();
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

function destinationOf(logger: Logger): object {
  return (logger as unknown as Record<symbol, object>)[pino.symbols.streamSym] ?? {};
}

/**
 * Waits until the buffered lines are written, at most `timeoutMs`; never throws. Call it on a
 * graceful exit while the event loop still runs, then flushLogger().
 */
export async function drainLogger(logger: Logger, timeoutMs = LOG_FLUSH_TIMEOUT_MS): Promise<void> {
  const state = flushState.get(destinationOf(logger));
  if (state === undefined) return;
  state.deadline ??= Date.now() + timeoutMs;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    new Promise<void>((resolve) => {
      // sonic-boom's flush(cb) calls back at once when minLength is 0, even with a write in flight;
      // a synchronous flush after it would then put the buffered lines ahead of that write's line.
      // While a write is in flight, wait for 'drain' (everything written) instead.
      const stream = destinationOf(logger) as { _writing?: unknown; once?: (event: string, listener: () => void) => unknown };
      if (stream._writing === true && typeof stream.once === 'function') {
        stream.once('drain', resolve);
        return;
      }
      try {
        logger.flush(() => resolve());
      } catch {
        resolve();
      }
    }),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, Math.max(0, state.deadline! - Date.now()));
      timer.unref();
    }),
  ]);
  clearTimeout(timer);
}

/**
 * Writes out what is still buffered, synchronously, right before the process exits; gives up
 * (dropping those lines) once LOG_FLUSH_TIMEOUT_MS has passed since the exit began. Never throws.
 */
export function flushLogger(logger: Logger): void {
  const destination = destinationOf(logger);
  const state = flushState.get(destination);
  if (state === undefined) {
    try {
      logger.flush();
    } catch {
      // stdout already closed: nothing more can be written anyway.
    }
    return;
  }
  state.deadline ??= Date.now() + LOG_FLUSH_TIMEOUT_MS;
  try {
    (destination as { flushSync(): void }).flushSync();
  } catch {
    // Not open yet: nothing was written through it.
  }
}
