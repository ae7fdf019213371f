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

  it('keeps every in-flight request on the run\'s stop signal without a MaxListenersExceededWarning', async (t) => {
    const target = await server(t, 100);
    const warnings: string[] = [];
    const onWarning = (w: Error): void => void warnings.push(`${w.name}: ${w.message}`);
    process.on('warning', onWarning);
    t.after(() => process.off('warning', onWarning));
    // steady's spike sends 30 requests at once: 30 concurrent listeners on the run's signal.
    const result = await runTraffic(options({ baseUrl: target.url, duration: 1, rps: 10, scenario: 'steady', json: true }), capture());
    assert.equal(result.summary.totals.failed, 0);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(warnings.filter((w) => w.includes('MaxListenersExceeded')), []);
  });

  it('warns, at the start and in the summary, when the run is shorter than the scenario\'s recommended duration', async (t) => {
    const target = await server(t, 0);
    const io = capture();
    const result = await runTraffic(options({ baseUrl: target.url, duration: 1, rps: 10, scenario: 'error-burst', json: true }), io);
    assert.match(io.err(), /Warning: 1 s is shorter than error-burst's recommended 600 s.*Expected to fire but may not: availability-burn-rate-page, error-log-spike\./);
    assert.deepEqual(result.summary.expectations.shortRun?.mayNotFire, ['availability-burn-rate-page', 'error-log-spike']);
  });

  it('warns when every response was 404: the target is not the service', async (t) => {
    const s: Server = createServer((_req, res) => res.writeHead(404).end());
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    t.after(() => s.close());
    const io = capture();
    const url = `http://127.0.0.1:${(s.address() as { port: number }).port}`;
    const result = await runTraffic(options({ baseUrl: url, duration: 0.5, rps: 10, scenario: 'outage', json: true }), io);
    assert.equal(result.exitCode, EXIT_CODES.ok);
    assert.match(io.err(), new RegExp(`Warning: all 5 responses from ${url} were 404 Not Found.*Check --base-url`));
    const target = await server(t, 0);
    const fine = capture();
    await runTraffic(options({ baseUrl: target.url, duration: 0.5, rps: 10, scenario: 'outage', json: true }), fine);
    assert.doesNotMatch(fine.err(), /were 404/);
  });

  it('sends credentials from --base-url as a header and prints them nowhere', async (t) => {
    const seen: (string | undefined)[] = [];
    const s: Server = createServer((req, res) => {
      seen.push(req.headers.authorization);
      res.end('{}');
    });
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    t.after(() => s.close());
    const io = capture();
    const port = (s.address() as { port: number }).port;
    const result = await runTraffic(options({ baseUrl: `http://ops:hunter2@127.0.0.1:${port}`, duration: 0.3, rps: 10, scenario: 'outage' }), io);
    assert.equal(result.summary.baseUrl, `http://127.0.0.1:${port}`);
    assert.ok(seen.length > 0 && seen.every((h) => h === `Basic ${Buffer.from('ops:hunter2').toString('base64')}`));
    assert.doesNotMatch(io.out() + io.err(), /hunter2|ops:/);
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
