/**
 * A test double of APM Server's intake for elastic-apm-node: answers the server-info request
 * (`GET /`) and accepts `POST /intake/v2/events` (ND-JSON, gzip or deflate), keeping the events.
 * It implements only what the agent needs to send data; it does not validate the events' schema.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync, inflateSync } from 'node:zlib';

export type IntakeEvent = Record<string, Record<string, unknown>>;

export interface ApmIntakeSink {
  readonly url: string;
  readonly events: IntakeEvent[];
  /** Events of one kind (`transaction`, `span`, `error`, `metadata`), unwrapped. */
  of(kind: string): Record<string, unknown>[];
  waitFor(predicate: (events: readonly IntakeEvent[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startApmIntakeSink(): Promise<ApmIntakeSink> {
  const events: IntakeEvent[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'GET' && req.url === '/') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ version: '9.2.0' }));
        return;
      }
      if (req.method === 'POST' && req.url?.startsWith('/intake/v2/events')) {
        let body = Buffer.concat(chunks);
        if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
        else if (req.headers['content-encoding'] === 'deflate') body = inflateSync(body);
        for (const line of body.toString('utf8').split('\n')) if (line.trim() !== '') events.push(JSON.parse(line) as IntakeEvent);
        res.writeHead(202).end();
        return;
      }
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    events,
    of: (kind) => events.filter((e) => kind in e).map((e) => e[kind]!),
    async waitFor(predicate, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(events)) {
        if (Date.now() > deadline) throw new Error(`expected APM events not received within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
