import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { METRICS } from '../src/telemetry/registry.js';
import { spawnService, type SpawnedService } from './support/spawn-service.js';

async function inFlight(svc: SpawnedService): Promise<number> {
  const text = await (await fetch(`${svc.url}/metrics`)).text();
  const m = new RegExp(`^${METRICS.httpRequestsInFlight.name} (\\d+)$`, 'm').exec(text);
  return Number(m?.[1] ?? 0);
}

async function waitFor(condition: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('graceful shutdown', () => {
  it('finishes every accepted request under concurrent load, turns readiness 503, and exits 0', async (t) => {
    const SLOW = 50;
    const FAST = 149;
    const svc = await spawnService({
      env: { SLOW_MIN_MS: '300', SLOW_MAX_MS: '900', SHUTDOWN_DELAY_MS: '3000', SHUTDOWN_GRACE_MS: '15000' },
    });
    t.after(() => svc.stop('SIGKILL'));

    // 50 slow requests in flight...
    const slow = Array.from({ length: SLOW }, (_, i) =>
      fetch(`${svc.url}/api/slow`, { headers: { 'x-request-id': `slow-${i}` } }).then(async (r) => ({ status: r.status, body: await r.text() })),
    );
    await waitFor(async () => (await inFlight(svc)) >= SLOW + 1, 'slow requests in flight');

    // ...then SIGTERM, and more load while the service drains.
    const exit = svc.stop('SIGTERM');
    const paths = ['/api/users', '/api/users/1', '/api/flaky', '/api/users/99999'];
    const fast = Array.from({ length: FAST }, (_, i) =>
      fetch(`${svc.url}${paths[i % paths.length]}`, { headers: { 'x-request-id': `fast-${i}` } }).then((r) => r.status),
    );
    const ready = fetch(`${svc.url}/ready`).then((r) => r.status);

    const slowResults = await Promise.all(slow);
    const fastStatuses = await Promise.all(fast);
    assert.equal(await ready, 503, 'readiness must be 503 while draining');
    for (const r of slowResults) {
      assert.equal(r.status, 200);
      assert.match(r.body, /"delayMs":\d+/);
    }
    for (const s of fastStatuses) assert.ok([200, 404, 500].includes(s), `status ${s}`);
    assert.equal(await exit, 0);

    // Every request got exactly one access line: none was lost or cut.
    const ids = new Set(svc.logLines().map((l) => l['http.request.id']).filter((id) => typeof id === 'string' && /^(slow|fast)-/.test(id)));
    assert.equal(ids.size, SLOW + FAST);
    const messages = svc.logLines().map((l) => l.message);
    assert.ok(messages.includes('shutdown complete'));
    assert.ok(!messages.includes('grace period over: closing remaining connections'));
  });

  it('stops accepting connections once the drain delay is over', async (t) => {
    const svc = await spawnService({ env: { SLOW_MIN_MS: '1500', SLOW_MAX_MS: '1500', SHUTDOWN_GRACE_MS: '10000' } });
    t.after(() => svc.stop('SIGKILL'));
    const slow = fetch(`${svc.url}/api/slow`).then((r) => r.status);
    await waitFor(async () => (await inFlight(svc)) >= 2, 'slow request in flight');
    const exit = svc.stop('SIGTERM');
    await waitFor(async () => svc.logLines().some((l) => l.message === 'shutdown started: readiness is 503'), 'shutdown start');
    await assert.rejects(fetch(`${svc.url}/health`, { headers: { connection: 'close' } }), 'new connections must be refused');
    assert.equal(await slow, 200);
    assert.equal(await exit, 0);
  });

  it('bounds the wait for in-flight requests by SHUTDOWN_GRACE_MS, logs each cut request as 499, then exits 0', async (t) => {
    const svc = await spawnService({ env: { SLOW_MIN_MS: '60000', SLOW_MAX_MS: '60000', SHUTDOWN_GRACE_MS: '300' } });
    t.after(() => svc.stop('SIGKILL'));
    const cut = ['cut-1', 'cut-2'].map((id) =>
      fetch(`${svc.url}/api/slow`, { headers: { 'x-request-id': id } }).then(
        (r) => r.status,
        () => 'connection closed',
      ),
    );
    await waitFor(async () => (await inFlight(svc)) >= 3, 'slow requests in flight');
    assert.equal(await svc.stop('SIGTERM'), 0);
    for (const outcome of cut) assert.equal(await outcome, 'connection closed');
    const lines = svc.logLines();
    const order = (predicate: (l: Record<string, unknown>) => boolean, what: string): number => {
      const i = lines.findIndex(predicate);
      assert.ok(i >= 0, `no line for ${what}`);
      return i;
    };
    const graceOver = order((l) => l.message === 'grace period over: closing remaining connections', 'grace over');
    const accessLines = ['cut-1', 'cut-2'].map((id) => order((l) => l['http.request.id'] === id, id));
    const closed = order((l) => l.message === 'server closed', 'server closed');
    const complete = order((l) => l.message === 'shutdown complete', 'shutdown complete');
    for (const i of accessLines) {
      assert.equal(lines[i]!['http.response.status_code'], 499);
      assert.ok(graceOver < i && i < closed, 'each cut request is logged after the grace period and before the server closed');
    }
    assert.ok(closed < complete);
  });

  it('still serves and exits 0 after the reader of its stdout went away', async (t) => {
    const svc = await spawnService();
    t.after(() => svc.stop('SIGKILL'));
    svc.child.stdout?.destroy();
    for (let i = 0; i < 20; i++) assert.equal((await fetch(`${svc.url}/api/users`)).status, 200);
    assert.equal(await svc.stop('SIGTERM'), 0);
  });

  it('keeps serving and still exits 0 when the reader of its stdout stops reading', async (t) => {
    const svc = await spawnService();
    t.after(() => svc.stop('SIGKILL'));
    // The reader is alive but reads nothing: the pipe fills up and every further write meets EAGAIN.
    svc.child.stdout?.pause();
    const before = svc.stdout().length;
    let served = 0;
    const worker = async (): Promise<void> => {
      for (let i = 0; i < 150; i++) {
        const res = await fetch(`${svc.url}/api/users`, { headers: { 'user-agent': 'x'.repeat(2000) }, signal: AbortSignal.timeout(10_000) });
        assert.equal(res.status, 200);
        await res.arrayBuffer();
        served++;
      }
    };
    await Promise.all(Array.from({ length: 20 }, worker));
    assert.equal(served, 3000);
    // Over 6 MB of access lines were produced; nothing has been read since the pause.
    assert.equal(svc.stdout().length, before);
    assert.equal(await svc.stop('SIGTERM'), 0);
  });

  it('exits 0 on SIGINT too', async () => {
    const svc = await spawnService();
    assert.equal((await fetch(`${svc.url}/health`)).status, 200);
    assert.equal(await svc.stop('SIGINT'), 0);
  });
});
