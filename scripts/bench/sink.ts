/**
 * A local telemetry sink that accepts and discards what the agents export, answering as the real
 * receivers do so the exporters stay on their normal (success) path:
 *   - OTLP/HTTP: POST /v1/traces, /v1/metrics, /v1/logs -> 200 with an empty Export*ServiceResponse
 *     (zero-length protobuf, or `{}` for JSON).
 *   - Elastic APM Server: POST /intake/v2/events -> 202; GET / -> server information (elastic-apm-node
 *     reads the server version from it); GET /config/v1/agents -> 200 `{}` (central config, polled).
 * Anything else is 404. Bodies are drained and counted, never parsed.
 *
 * The bench runs it in its own process (sink-process.ts), off the measured process.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SinkCounter {
  requests: number;
  bytes: number;
}

/** Counters per endpoint kind: `otlp-traces`, `otlp-metrics`, `otlp-logs`, `apm-intake`, `apm-server-info`, `apm-config`, `unknown`. */
export type SinkStats = Record<string, SinkCounter>;

/** The APM Server version the sink claims; elastic-apm-node 4 supports 7.x and 8.x servers. */
export const SINK_APM_SERVER_VERSION = '8.17.0';

function classify(req: IncomingMessage): string {
  const path = (req.url ?? '/').split('?', 1)[0];
  if (req.method === 'POST') {
    if (path === '/v1/traces') return 'otlp-traces';
    if (path === '/v1/metrics') return 'otlp-metrics';
    if (path === '/v1/logs') return 'otlp-logs';
    if (path === '/intake/v2/events' || path === '/intake/v2/rum/events') return 'apm-intake';
  }
  if (req.method === 'GET' || req.method === 'HEAD') {
    if (path === '/') return 'apm-server-info';
    if (path === '/config/v1/agents') return 'apm-config';
  }
  if (req.method === 'POST' && path === '/config/v1/agents') return 'apm-config';
  return 'unknown';
}

function respond(kind: string, req: IncomingMessage, res: ServerResponse): void {
  switch (kind) {
    case 'otlp-traces':
    case 'otlp-metrics':
    case 'otlp-logs': {
      const json = (req.headers['content-type'] ?? '').includes('json');
      res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
      res.end(json ? '{}' : undefined);
      return;
    }
    case 'apm-intake':
      res.writeHead(202);
      res.end();
      return;
    case 'apm-server-info':
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          build_date: '2025-01-01T00:00:00Z',
          build_sha: '0000000000000000000000000000000000000000',
          publish_ready: true,
          version: SINK_APM_SERVER_VERSION,
        }),
      );
      return;
    case 'apm-config':
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=30, must-revalidate', etag: '"bench"' });
      res.end('{}');
      return;
    default:
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
  }
}

export interface Sink {
  readonly server: Server;
  readonly port: number;
  readonly url: string;
  stats(): SinkStats;
  close(): Promise<void>;
}

export async function startSink(host = '127.0.0.1', port = 0): Promise<Sink> {
  const counters: SinkStats = {};
  const server = createServer((req, res) => {
    const kind = classify(req);
    const counter = (counters[kind] ??= { requests: 0, bytes: 0 });
    counter.requests += 1;
    req.on('data', (chunk: Buffer) => {
      counter.bytes += chunk.length;
    });
    req.on('end', () => respond(kind, req, res));
    req.on('error', () => res.destroy());
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    server,
    port: actual,
    url: `http://${host}:${actual}`,
    stats: () => structuredClone(counters),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Differences between two stats snapshots (what one variant exported). */
export function diffStats(after: SinkStats, before: SinkStats): SinkStats {
  const out: SinkStats = {};
  for (const [kind, c] of Object.entries(after)) {
    const b = before[kind] ?? { requests: 0, bytes: 0 };
    if (c.requests > b.requests || c.bytes > b.bytes) out[kind] = { requests: c.requests - b.requests, bytes: c.bytes - b.bytes };
  }
  return out;
}

export type SinkMessage = { type: 'ready'; port: number } | { type: 'stats'; stats: SinkStats };
