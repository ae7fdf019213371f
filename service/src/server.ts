/**
 * Starts the HTTP server and owns its graceful shutdown:
 * readiness 503 -> optional delay while endpoints are removed -> stop accepting -> idle keep-alive
 * connections closed -> in-flight requests finish within the grace period -> remaining sockets closed.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { createApp } from './app.js';
import type { Config } from './config.js';
import { Lifecycle } from './lifecycle.js';
import { createLogger, type Logger } from './logger.js';
import { ServiceMetrics } from './metrics.js';
import { createRandom, type RandomSource } from './random.js';
import { LIFECYCLE_LOG_MESSAGES } from './telemetry/registry.js';
import { UserStore } from './users.js';

export interface StartOptions {
  readonly logger?: Logger;
  readonly random?: RandomSource;
}

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  readonly logger: Logger;
  readonly metrics: ServiceMetrics;
  readonly lifecycle: Lifecycle;
  /** Graceful shutdown; resolves when every connection is closed (or was cut after the grace period). */
  shutdown(): Promise<void>;
}

/** Upper bound for destroyed sockets to report 'close' after the grace period. */
const SOCKET_CLOSE_TIMEOUT_MS = 1_000;

/**
 * Resolves once every socket in `sockets` has emitted 'close' (or after `timeoutMs`). The listener is
 * added after the response's own, so by then each cut response has emitted 'close' too.
 */
function socketsGone(sockets: ReadonlySet<Socket>, timeoutMs: number): Promise<void> {
  const pending = [...sockets].map((socket) => new Promise<void>((resolve) => socket.once('close', () => resolve())));
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
    timer.unref();
  });
  return Promise.race([Promise.all(pending).then(() => undefined), timeout]).finally(() => clearTimeout(timer));
}

export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger(config);
  const lifecycle = new Lifecycle();
  const metrics = new ServiceMetrics(config);
  const app = createApp({
    config,
    logger,
    metrics,
    lifecycle,
    users: new UserStore(),
    random: options.random ?? createRandom(config.randomSeed),
  });

  const server = createServer(app);
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? (address.address === '::' ? '127.0.0.1' : `[${address.address}]`) : address.address === '0.0.0.0' ? '127.0.0.1' : address.address;
  const url = `http://${urlHost}:${address.port}`;
  lifecycle.markReady();
  logger.info({ 'server.address': address.address, 'server.port': address.port }, LIFECYCLE_LOG_MESSAGES.listening);

  let shuttingDown: Promise<void> | undefined;
  const shutdown = (): Promise<void> => {
    shuttingDown ??= (async () => {
      lifecycle.markDraining();
      logger.info(
        { 'event.action': 'shutdown', delay_ms: config.shutdownDelayMs, grace_ms: config.shutdownGraceMs, connections: sockets.size },
        LIFECYCLE_LOG_MESSAGES.draining,
      );
      if (config.shutdownDelayMs > 0) await sleep(config.shutdownDelayMs);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive connections become idle once their in-flight response is sent: close them as they do.
      server.closeIdleConnections();
      const idleSweep = setInterval(() => server.closeIdleConnections(), 100);
      let timer: NodeJS.Timeout | undefined;
      const graceOver = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), config.shutdownGraceMs);
      });
      const outcome = await Promise.race([closed.then(() => 'closed' as const), graceOver]);
      clearTimeout(timer);
      clearInterval(idleSweep);
      if (outcome === 'timeout') {
        logger.warn({ 'event.action': 'shutdown', connections: sockets.size }, LIFECYCLE_LOG_MESSAGES.graceOver);
        // The server's 'close' comes before the sockets' own 'close' events, which end the cut
        // responses and write their access lines (499): wait for those too, bounded.
        const socketsClosed = socketsGone(sockets, SOCKET_CLOSE_TIMEOUT_MS);
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
        await Promise.all([closed, socketsClosed]);
      }
      logger.info({ 'event.action': 'shutdown' }, LIFECYCLE_LOG_MESSAGES.closed);
    })();
    return shuttingDown;
  };

  return { url, port: address.port, server, logger, metrics, lifecycle, shutdown };
}
