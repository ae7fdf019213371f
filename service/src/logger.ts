/**
 * Logger: pino with @elastic/ecs-pino-format, JSON lines on stdout.
 *
 * Lines go to stdout through one process-wide LineSink: each line is appended to a batch, and the
 * batch is handed to `process.stdout` once per event-loop turn, so a request never waits on the
 * pipe and many lines share one system call under load. `process.stdout` never blocks the event
 * loop on a pipe or a socket (libuv puts the descriptor in non-blocking mode and queues what the
 * reader has not taken yet); on a regular file each write is synchronous and completes at once.
 *
 * Nothing is lost silently. The sink holds at most LOG_BUFFER_MAX_BYTES not yet written (batch plus
 * stdout's queue); a line beyond that, or any line once stdout's reader is gone (EPIPE), is dropped
 * and counted: `sample_service_log_lines_dropped_total` on /metrics, one warning line at most every
 * LOG_DROP_REPORT_INTERVAL_MS while drops go on, and a line on stderr at exit for lines still queued.
 *
 * Exits are bounded whatever stdout does: drainLogger() waits for the queue to empty, at most for
 * its budget, while the event loop still runs; flushLogger() hands the last batch to stdout without
 * ever waiting, then the process may exit (libuv never blocks an exit on a queued write).
 *
 * Correlation: with the OpenTelemetry SDK a pino mixin adds `trace.id`, `transaction.id` and
 * `span.id` of the active span; with elastic-apm-node, ecs-pino-format's own APM integration does.
 */
import { ecsFormat } from '@elastic/ecs-pino-format';
import { pino, type DestinationStream, type Logger } from 'pino';
import type { Config } from './config.js';
import { LOG_EVENT_DATASET, LOG_LINES_DROPPED_MESSAGE } from './telemetry/registry.js';
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
  /** Where lines go; defaults to stdout (stdoutSink()). */
  readonly destination?: DestinationStream;
}

/** Largest amount of log data waiting for stdout (the batch plus stdout's queue); lines beyond it are dropped and counted. */
export const LOG_BUFFER_MAX_BYTES = 16 * 1024 * 1024;

/** Upper bound for writing out queued log lines at exit when no other budget is given. */
export const LOG_FLUSH_TIMEOUT_MS = 2_000;

/** At most one warning line about dropped log lines per this interval. */
export const LOG_DROP_REPORT_INTERVAL_MS = 10_000;

/** The part of a Writable the sink uses (process.stdout in the service). */
export interface LineOutput {
  readonly writableLength: number;
  write(chunk: string, callback: (error?: Error | null) => void): boolean;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

export interface LineSinkStats {
  /** Lines dropped so far: buffer full, stdout's reader gone, or a write that failed. */
  readonly droppedLines: number;
  /** Lines accepted and not yet written (batch plus stdout's queue). */
  readonly pendingLines: number;
}

/**
 * A pino destination that batches lines per event-loop turn into a Writable, bounds what waits in
 * memory, and counts every line it cannot write.
 */
export class LineSink implements DestinationStream {
  readonly #out: LineOutput;
  readonly #maxBytes: number;
  readonly #reportIntervalMs: number;
  #batch: string[] = [];
  #batchBytes = 0;
  /** Lines handed to #out whose write has not completed yet. */
  #queuedLines = 0;
  #dropped = 0;
  #reported = 0;
  #lastReport = 0;
  #reportTimer: NodeJS.Timeout | undefined;
  #broken = false;
  /** True while onDropped runs (its own line must not count as a drop). */
  #reporting = false;
  #scheduled = false;
  #idle: (() => void)[] = [];
  /** Called at most once per report interval while lines are being dropped (the service logs a warning). */
  onDropped: ((dropped: number, total: number) => void) | undefined;

  constructor(out: LineOutput, options: { maxBytes?: number; reportIntervalMs?: number } = {}) {
    this.#out = out;
    this.#maxBytes = options.maxBytes ?? LOG_BUFFER_MAX_BYTES;
    this.#reportIntervalMs = options.reportIntervalMs ?? LOG_DROP_REPORT_INTERVAL_MS;
    // EPIPE (the reader is gone) or any other write error: nothing more can be written.
    out.on('error', () => {
      this.#broken = true;
    });
  }

  get stats(): LineSinkStats {
    // A write the output completed at once (a pipe with room, a file) leaves nothing in its buffer
    // but calls back only on a later tick: at exit those lines are written, not pending.
    const handedOver = this.#out.writableLength === 0 ? 0 : this.#queuedLines;
    return { droppedLines: this.#dropped, pendingLines: this.#batch.length + handedOver };
  }

  write(line: string): void {
    if (this.#broken || this.#batchBytes + this.#out.writableLength + line.length > this.#maxBytes) {
      // The sink's own drop report, itself dropped, is not an application line: counting it would
      // schedule the next report, and so on, one "drop" per interval for as long as the reader is gone.
      if (!this.#reporting) this.#drop(1);
      return;
    }
    this.#batch.push(line);
    this.#batchBytes += line.length;
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.#writeBatch);
    }
  }

  /** Calls back once every accepted line is written (or dropped); pino's logger.flush(cb) lands here. */
  flush(callback?: (error?: Error) => void): void {
    this.#writeBatch();
    if (callback === undefined) return;
    if (this.#queuedLines === 0) callback();
    else this.#idle.push(() => callback());
  }

  /** Hands the batch to stdout now and returns without waiting for the pipe. */
  flushSync(): void {
    this.#writeBatch();
  }

  /** Resolves when every accepted line is written, or after `timeoutMs`; never rejects. */
  async drain(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((resolve) => this.flush(() => resolve())),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, Math.max(0, timeoutMs));
      }),
    ]);
    clearTimeout(timer);
  }

  readonly #writeBatch = (): void => {
    this.#scheduled = false;
    const lines = this.#batch.length;
    if (lines === 0) return;
    const chunk = this.#batch.length === 1 ? this.#batch[0]! : this.#batch.join('');
    this.#batch = [];
    this.#batchBytes = 0;
    if (this.#broken) {
      this.#drop(lines);
      return;
    }
    this.#queuedLines += lines;
    const done = (error?: Error | null): void => {
      this.#queuedLines -= lines;
      if (error) {
        this.#broken = true;
        this.#drop(lines);
      }
      if (this.#queuedLines === 0) for (const resolve of this.#idle.splice(0)) resolve();
    };
    try {
      this.#out.write(chunk, done);
    } catch (error) {
      done(error as Error);
    }
  };

  #drop(lines: number): void {
    this.#dropped += lines;
    if (this.#reportTimer !== undefined || this.onDropped === undefined) return;
    const wait = Math.max(0, this.#lastReport + this.#reportIntervalMs - Date.now());
    this.#reportTimer = setTimeout(() => {
      this.#reportTimer = undefined;
      this.#lastReport = Date.now();
      const dropped = this.#dropped - this.#reported;
      this.#reported = this.#dropped;
      if (dropped === 0) return;
      this.#reporting = true;
      try {
        this.onDropped?.(dropped, this.#dropped);
      } finally {
        this.#reporting = false;
      }
    }, wait);
    this.#reportTimer.unref();
  }
}

// One sink per process, shared by the tracing bootstrap and the application even when they load
// this module through different loaders (as agent.ts does for the agent).
const SINK_KEY = Symbol.for('sample-service.stdout-log-sink');
const processGlobal = globalThis as { [SINK_KEY]?: LineSink };

/** The process-wide sink over process.stdout. */
export function stdoutSink(): LineSink {
  let sink = processGlobal[SINK_KEY];
  if (sink === undefined) {
    sink = processGlobal[SINK_KEY] = new LineSink(process.stdout);
    // Whatever ends the process, lines still queued are not lost silently.
    process.once('exit', () => reportUnwritten(sink!));
  }
  return sink;
}

/** Lines dropped by the stdout sink so far (0 before anything was logged to stdout). */
export function droppedLogLines(): number {
  return processGlobal[SINK_KEY]?.stats.droppedLines ?? 0;
}

function reportUnwritten(sink: LineSink): void {
  const { droppedLines, pendingLines } = sink.stats;
  if (droppedLines === 0 && pendingLines === 0) return;
  // process.stderr never blocks on a pipe either: at worst this line is lost with the rest.
  process.stderr.write(
    `sample-service: ${droppedLines} log line(s) dropped and ${pendingLines} not yet written at exit: stdout's reader was too slow or gone\n`,
  );
}

export function createLogger(config: Config, options: LoggerOptions = {}): Logger {
  // The mixin reads the active span through @opentelemetry/api: the OpenTelemetry SDK's span, or
  // elastic-apm-node's through its OpenTelemetry bridge (then ecs-pino-format's own APM integration
  // sets the same trace.id/transaction.id, and the mixin adds span.id on lines outside a child span).
  const useOtelMixin = config.tracing.agent !== 'none';
  const destination = options.destination ?? stdoutSink();
  const logger = pino(
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
  if (destination instanceof LineSink) {
    destination.onDropped = (dropped, total) => {
      logger.warn({ 'event.action': 'log-lines-dropped', dropped, dropped_total: total }, LOG_LINES_DROPPED_MESSAGE);
    };
  }
  return logger;
}

function sinkOf(logger: Logger): LineSink | undefined {
  const stream = (logger as unknown as Record<symbol, unknown>)[pino.symbols.streamSym];
  return stream instanceof LineSink ? stream : undefined;
}

/**
 * Waits until the queued lines are written, at most `timeoutMs`; never throws. Call it on a
 * graceful exit while the event loop still runs, then flushLogger().
 */
export async function drainLogger(logger: Logger, timeoutMs = LOG_FLUSH_TIMEOUT_MS): Promise<void> {
  const sink = sinkOf(logger);
  if (sink !== undefined) await sink.drain(timeoutMs);
}

/**
 * Hands what is still batched to stdout right before the process exits, without waiting: lines the
 * reader has not taken by then are reported on stderr at exit. Never throws.
 */
export function flushLogger(logger: Logger): void {
  try {
    logger.flush();
  } catch {
    // A destination that cannot flush has nothing more to write.
  }
}
