/**
 * The bench's baseline: a bare Express 5 app serving GET /api/users with the service's handler
 * shape (the same UserStore and seed data, `res.json({ users })`, x-powered-by and ETag off) and
 * nothing else: no metrics, no logs, no tracing. Every variant's cost is measured against it.
 *
 * Env: PORT (the bench passes a free port), HOST (default 127.0.0.1).
 */
import express from 'express';
import type { AddressInfo } from 'node:net';
import { UserStore } from '../../service/src/users.js';

const users = new UserStore();
const app = express();
app.disable('x-powered-by');
app.set('etag', false);
app.get('/health', (_req, res) => {
  res.json({ status: 'ok' });
});
app.get('/api/users', async (_req, res) => {
  const list = await Promise.resolve(users.list());
  res.json({ users: list });
});

const server = app.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1', () => {
  const { address, port } = server.address() as AddressInfo;
  console.log(JSON.stringify({ message: 'server listening', 'server.address': address, 'server.port': port }));
});

function stop(): void {
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
