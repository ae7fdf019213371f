/** runTraffic() against small in-process HTTP servers (the service itself is exercised in test/). */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { describe, it, type TestContext } from 'node:test';
import { EXIT_CODES, TrafficError } from './errors.js';
import { resolveOptions, type RawOptions } from './options.js';
import { runTraffic, type TrafficIO } from './run.js';

async function server(t: TestContext, delayMs: number): Promise<{ url: string; hits: () => number }> {
  let hits = 0;
  const s: Server = createServer((_req, res) => {
    hits++;
    setTimeout(() => res.end('{}'), delayMs);
  });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    s.closeAllConnections();
    s.close();
  });
  const { port } = s.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, hits: () => hits };
}

function capture(signal?: AbortSignal): TrafficIO & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (c: string) => (out += c) },
    stderr: { write: (c: string) => (err += c), isTTY: false },
    ...(signal ? { signal } : {}),
    out: () => out,
    err: () => err,
  };
}

function options(raw: RawOptions) {
  return resolveOptions({ seed: 1, ...raw });
}

describe('runTraffic', () => {
  it('prints the table on stdout and progress and the banner on stderr', async (t) => {
    const target = await server(t, 0);
    const io = capture();
    const result = await runTraffic(options({ baseUrl: target.url, duration: 1, rps: 20, scenario: 'outage' }), io);
    assert.equal(result.exitCode, EXIT_CODES.ok);
    assert.equal(target.hits(), 20);
    assert.match(io.out(), /^endpoint\s+count/m);
    assert.match(io.out(), /^GET \/api\/error\s+20\s+20\s/m);
    assert.match(io.err(), /Scenario outage/);
    assert.match(io.err(), /sent 20 /, 'the final progress line');
  });

  it('reports an interrupted run as interrupted, even before the first answer', async (t) => {
    const target = await server(t, 5_000);
    for (const [reason, code] of [
      ['SIGINT', EXIT_CODES.sigint],
      ['SIGTERM', EXIT_CODES.sigterm],
    ] as const) {
      const interrupt = new AbortController();
      const io = capture(interrupt.signal);
      setTimeout(() => interrupt.abort(reason), 200);
      const result = await runTraffic(options({ baseUrl: target.url, duration: 30, rps: 10, json: true }), io);
      assert.equal(result.exitCode, code);
      assert.equal(result.summary.stopReason, 'interrupted');
      assert.equal(result.summary.reachable, false);
      assert.doesNotMatch(io.err(), /no response from/);
    }
  });

  it('refuses a run that would send nothing', async () => {
    await assert.rejects(
      runTraffic(options({ duration: 0.05, rps: 1, scenario: 'outage' }), capture()),
      (e: unknown) => e instanceof TrafficError && e.code === 'USAGE' && /Nothing to send/.test(e.message),
    );
  });

  it('records requests that time out as failures with the timeout in the message', async (t) => {
    const target = await server(t, 3_000);
    const io = capture();
    const result = await runTraffic(
      options({ baseUrl: target.url, duration: 0.5, rps: 4, timeout: 0.2, scenario: 'outage', json: true }),
      io,
    );
    assert.equal(result.summary.totals.failed, 2);
    assert.match(result.summary.failures[0]?.message ?? '', /timed out after 200 ms/);
  });
});
