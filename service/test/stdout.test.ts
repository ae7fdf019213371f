/**
 * The service's stdout under load: every served request has its access line with a reader that
 * keeps up (a pipe or a plain file); lines that cannot be written (a stalled or closed reader) are
 * counted and reported; and SIGTERM exits within SHUTDOWN_DELAY_MS + SHUTDOWN_GRACE_MS + the
 * telemetry flush budget whatever the reader does.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { LIFECYCLE_LOG_MESSAGES, LOG_LINES_DROPPED_MESSAGE, METRICS } from '../src/telemetry/registry.js';
import { LOG_DROP_REPORT_INTERVAL_MS } from '../src/logger.js';
import { TELEMETRY_FLUSH_TIMEOUT_MS } from '../src/telemetry/agent.js';
import { parseLogLines, REPO_ROOT, spawnService, type SpawnedService } from './support/spawn-service.js';

const SHUTDOWN = { SHUTDOWN_DELAY_MS: '200', SHUTDOWN_GRACE_MS: '1000' };
/** The documented exit budget for SHUTDOWN, plus room for process start-up and teardown on a busy machine. */
const EXIT_BOUND_MS = Number(SHUTDOWN.SHUTDOWN_DELAY_MS) + Number(SHUTDOWN.SHUTDOWN_GRACE_MS) + TELEMETRY_FLUSH_TIMEOUT_MS + 4_000;

/** Sends `total` GET /api/users over `concurrency` workers; resolves the request ids that were answered 200. */
async function drive(url: string, total: number, concurrency: number, prefix: string, userAgent = 'stdout-test'): Promise<string[]> {
  const ids: string[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < total) {
      const id = `${prefix}-${next++}`;
      const res = await fetch(`${url}/api/users`, { headers: { 'x-request-id': id, 'user-agent': userAgent }, signal: AbortSignal.timeout(15_000) });
      await res.arrayBuffer();
      if (res.status === 200) ids.push(id);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return ids;
}

async function droppedTotal(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = new RegExp(`^${METRICS.logLinesDropped.name} (\\d+)$`, 'm').exec(text);
  assert.ok(m, `${METRICS.logLinesDropped.name} is exposed`);
  return Number(m[1]);
}

/** SIGTERM, then the exit code; fails (and kills the process) when the exit takes longer than EXIT_BOUND_MS. */
async function stopWithinBudget(svc: Pick<SpawnedService, 'stop'>): Promise<number | null> {
  const outcome = await Promise.race([svc.stop('SIGTERM'), sleep(EXIT_BOUND_MS).then(() => 'still running' as const)]);
  if (outcome === 'still running') {
    await svc.stop('SIGKILL');
    assert.fail(`no exit within ${EXIT_BOUND_MS} ms of SIGTERM`);
  }
  return outcome;
}

function accessIds(lines: readonly Record<string, unknown>[], prefix: string): Set<string> {
  return new Set(lines.map((l) => l['http.request.id']).filter((id): id is string => typeof id === 'string' && id.startsWith(`${prefix}-`)));
}

describe('stdout under load', () => {
  it('writes one access line for every request served, with a reader that keeps up', async (t) => {
    const svc = await spawnService({ env: SHUTDOWN });
    t.after(() => svc.stop('SIGKILL'));
    const served = await drive(svc.url, 4000, 50, 'pipe');
    assert.equal(await droppedTotal(svc.url), 0);
    assert.equal(await stopWithinBudget(svc), 0);
    assert.equal(served.length, 4000);
    assert.equal(accessIds(svc.logLines(), 'pipe').size, served.length);
  });

  it('writes one access line for every request served when stdout is a plain file', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'stdout-file-'));
    const file = join(dir, 'stdout.log');
    const fd = openSync(file, 'w');
    const child = spawn(process.execPath, ['--import', 'tsx', '--import', './service/src/instrumentation.ts', './service/src/main.ts'], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...SHUTDOWN },
      stdio: ['ignore', fd, 'pipe'],
    });
    closeSync(fd);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    t.after(() => {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    });
    let port: number | undefined;
    for (let i = 0; i < 600 && port === undefined; i++) {
      const listening = parseLogLines(readFileSync(file, 'utf8')).find((l) => l.message === LIFECYCLE_LOG_MESSAGES.listening);
      port = typeof listening?.['server.port'] === 'number' ? listening['server.port'] : undefined;
      if (port === undefined) await sleep(100);
    }
    assert.ok(port !== undefined, 'the service logged its port');
    const url = `http://127.0.0.1:${port}`;
    const served = await drive(url, 4000, 50, 'file');
    assert.equal(await droppedTotal(url), 0);
    assert.equal(await stopWithinBudget({ stop: (signal) => (child.kill(signal), exited) }), 0);
    assert.equal(accessIds(parseLogLines(readFileSync(file, 'utf8')), 'file').size, served.length);
  });

  it('counts the lines it drops while the reader has stopped, warns at most once per interval, and exits within its budget', async (t) => {
    const svc = await spawnService({ env: SHUTDOWN });
    t.after(() => svc.stop('SIGKILL'));
    // The reader is alive but takes nothing: the pipe fills, then the sink's bounded buffer.
    svc.child.stdout?.pause();
    // ~9000 lines of ~2.5 KB: more than the pipe and the 16 MiB buffer together.
    const served = await drive(svc.url, 9000, 20, 'stalled', 'x'.repeat(2000));
    assert.equal(served.length, 9000, 'serving never waits on stdout');
    const dropped = await droppedTotal(svc.url);
    assert.ok(dropped > 0, 'the drops are counted');

    const started = Date.now();
    svc.child.stdout?.resume();
    // A warning can itself be dropped while the buffer is full; then the next one comes an interval later.
    const deadline = Date.now() + LOG_DROP_REPORT_INTERVAL_MS + 10_000;
    while (!svc.logLines().some((l) => l.message === LOG_LINES_DROPPED_MESSAGE) && Date.now() < deadline) await sleep(200);
    const warning = svc.logLines().find((l) => l.message === LOG_LINES_DROPPED_MESSAGE);
    assert.ok(warning, 'a warning line reports the drops');
    assert.equal(warning['log.level'], 'warn');
    assert.ok(Number(warning.dropped) > 0 && Number(warning.dropped) <= Number(warning.dropped_total));
    assert.ok(Number(warning.dropped_total) <= (await droppedTotal(svc.url)));
    const warnings = svc.logLines().filter((l) => l.message === LOG_LINES_DROPPED_MESSAGE).length;
    assert.ok(warnings <= 2 + (Date.now() - started) / LOG_DROP_REPORT_INTERVAL_MS, `${warnings} warnings`);

    assert.equal(await stopWithinBudget(svc), 0);
    assert.match(svc.stderr(), /sample-service: \d+ log line\(s\) dropped and \d+ not yet written at exit/);
  });

  it('counts every line as dropped once the reader has closed its end, and exits within its budget', async (t) => {
    const svc = await spawnService({ env: SHUTDOWN });
    t.after(() => svc.stop('SIGKILL'));
    svc.child.stdout?.destroy();
    const served = await drive(svc.url, 500, 10, 'closed');
    assert.equal(served.length, 500);
    assert.ok((await droppedTotal(svc.url)) >= 500);
    assert.equal(await stopWithinBudget(svc), 0);
  });

  it('exits within its budget when the reader stops reading under load and then closes its end', async (t) => {
    const svc = await spawnService({ env: SHUTDOWN });
    t.after(() => svc.stop('SIGKILL'));
    svc.child.stdout?.pause();
    const served = await drive(svc.url, 3000, 20, 'stalled-closed', 'x'.repeat(2000));
    assert.equal(served.length, 3000);
    // Lines are queued for a pipe nobody reads; then the reader goes away altogether.
    svc.child.stdout?.destroy();
    assert.equal(await stopWithinBudget(svc), 0);
    assert.match(svc.stderr(), /log line\(s\) dropped and \d+ not yet written at exit/);
  });

  it('exits within its budget with a reader that is alive but slow', async (t) => {
    const svc = await spawnService({ env: SHUTDOWN });
    t.after(() => svc.stop('SIGKILL'));
    const stdout = svc.child.stdout!;
    stdout.pause();
    // The reader takes a little now and then: far slower than the service writes.
    const slowReader = setInterval(() => {
      stdout.resume();
      setTimeout(() => stdout.pause(), 2);
    }, 250);
    t.after(() => clearInterval(slowReader));
    const served = await drive(svc.url, 3000, 20, 'slow', 'x'.repeat(2000));
    assert.equal(served.length, 3000);
    assert.equal(await stopWithinBudget(svc), 0);
  });
});
