/** Starts the service in this process (real HTTP on 127.0.0.1, ephemeral port) with logs captured in memory. */
import { loadConfig, type Config, type Env } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import type { RandomSource } from '../../src/random.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { parseLogLines, type LogLine } from './spawn-service.js';

export interface TestServer extends RunningServer {
  readonly config: Config;
  logLines(): LogLine[];
}

export async function startTestServer(env: Env = {}, options: { random?: RandomSource } = {}): Promise<TestServer> {
  const config = loadConfig({ LOG_LEVEL: 'debug', ...env, PORT: '0', HOST: '127.0.0.1' });
  let text = '';
  const logger = createLogger(config, { destination: { write: (chunk: string) => void (text += chunk) } });
  const running = await startServer(config, { logger, ...options });
  return { ...running, config, logLines: () => parseLogLines(text) };
}

/** Fetches `path` and returns status, headers and the parsed JSON (or text) body. */
export async function request(
  base: string,
  path: string,
  init: RequestInit = {},
): Promise<{ status: number; headers: Headers; body: unknown; text: string }> {
  const res = await fetch(base + path, init);
  const text = await res.text();
  let body: unknown = text;
  if ((res.headers.get('content-type') ?? '').includes('json')) body = JSON.parse(text);
  return { status: res.status, headers: res.headers, body, text };
}
