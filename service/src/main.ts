/**
 * Entry point: load the configuration, start the server, and shut down gracefully on SIGTERM/SIGINT.
 * Exit codes: 0 after a graceful shutdown, 2 on invalid configuration, 1 on any other failure.
 * Tracing is bootstrapped before this module by `--import ./instrumentation.(ts|js)`.
 */
import { CONFIG_ERROR_EXIT_CODE, ConfigError, loadConfig } from './config.js';
import { createLogger, drainLogger, flushLogger } from './logger.js';
import { startServer } from './server.js';
import { listenFailureMessage, protocolWarning, tracingLine } from './startup.js';
import { activeAgent, shutdownTelemetry, TELEMETRY_FLUSH_TIMEOUT_MS } from './telemetry/agent.js';
import { LIFECYCLE_LOG_MESSAGES } from './telemetry/registry.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`sample-service: ${error.message}\n`);
      process.exitCode = CONFIG_ERROR_EXIT_CODE;
      return;
    }
    throw error;
  }

  const logger = createLogger(config);
  const crash = (error: unknown, origin: string): void => {
    try {
      logger.fatal({ err: error, 'event.action': origin }, LIFECYCLE_LOG_MESSAGES.fatal);
      flushLogger(logger);
    } catch {
      process.stderr.write(`sample-service: fatal error (${origin}): ${String(error)}\n`);
    }
    process.exit(1);
  };
  process.on('uncaughtException', (error) => crash(error, 'uncaughtException'));
  process.on('unhandledRejection', (error) => crash(error, 'unhandledRejection'));

  let running;
  try {
    running = await startServer(config, { logger });
  } catch (error) {
    // A mistake a person can fix (port taken, …): one plain line on stderr and on the log, no stack.
    const human = listenFailureMessage(error, config);
    if (human === undefined) {
      logger.fatal({ err: error, 'event.action': 'startup' }, LIFECYCLE_LOG_MESSAGES.fatal);
    } else {
      process.stderr.write(`sample-service: ${human}\n`);
      logger.fatal({ 'event.action': 'startup', 'error.code': (error as { code?: string }).code }, human);
    }
    // The fatal line reaches stdout's reader before the exit (bounded by the flush deadline).
    await drainLogger(logger);
    process.exit(1);
  }
  for (const line of [tracingLine(config, activeAgent()), protocolWarning(config)]) {
    if (line !== undefined) logger[line.level](line.fields, line.message);
  }

  let signalled = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (signalled) {
      logger.warn({ 'event.action': 'shutdown', signal }, 'second signal: exiting now');
      flushLogger(logger);
      process.exit(1);
    }
    signalled = true;
    logger.info({ 'event.action': 'shutdown', signal }, LIFECYCLE_LOG_MESSAGES.signal);
    let flushStart = 0;
    void running
      .shutdown()
      .then(() => {
        flushStart = Date.now();
        return shutdownTelemetry(TELEMETRY_FLUSH_TIMEOUT_MS);
      })
      .then(() => {
        logger.info({ 'event.action': 'shutdown' }, LIFECYCLE_LOG_MESSAGES.complete);
        // Traces and buffered log lines share one flush budget.
        return drainLogger(logger, Math.max(0, TELEMETRY_FLUSH_TIMEOUT_MS - (Date.now() - flushStart)));
      })
      .then(() => {
        flushLogger(logger);
        process.exit(0);
      }, (error: unknown) => crash(error, 'shutdown'));
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

await main();
