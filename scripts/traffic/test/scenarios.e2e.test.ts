/**
 * Every scenario for a few seconds against the real service (spawned on an ephemeral port): the
 * requests per endpoint follow the scenario's pattern, and the summary's numbers are exactly what
 * the service's own http_requests_total counted.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { isDeepStrictEqual, promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { startOtlpReceiver, type OtlpReceiver } from '../../../service/test/support/otlp-receiver.js';
import { spawnService, REPO_ROOT, type SpawnedService } from '../../../service/test/support/spawn-service.js';
import { METRICS, SPAN_ATTRIBUTES } from '../../../service/src/telemetry/registry.js';
import { resolveOptions, type RawOptions } from '../options.js';
import { runTraffic } from '../run.js';
import type { TrafficSummary } from '../summary.js';
import { difference, requestCounts, type RouteStatusCounts } from './prometheus-text.js';

const execFileAsync = promisify(execFile);

let service: SpawnedService;
let otlp: OtlpReceiver;

before(async () => {
  // Traces go to a local OTLP receiver, so the test can see which trace each request joined.
  otlp = await startOtlpReceiver();
  service = await spawnService({
    env: {
      SLOW_MIN_MS: '20',
      SLOW_MAX_MS: '60',
      RANDOM_SEED: '7',
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
      OTEL_BSP_SCHEDULE_DELAY: '100',
    },
  });
});
after(async () => {
  await service?.stop();
  await otlp?.close();
});

async function scrape(): Promise<RouteStatusCounts> {
  const response = await fetch(`${service.url}/metrics`);
  assert.equal(response.status, 200);
  const counts = requestCounts(await response.text(), METRICS.httpRequests.name);
  delete counts['GET /metrics'];
  return counts;
}

function summaryCounts(summary: TrafficSummary): RouteStatusCounts {
  const counts: RouteStatusCounts = {};
  for (const e of summary.endpoints) {
    if (Object.keys(e.status).length > 0) counts[`${e.method} ${e.route}`] = { ...e.status };
  }
  return counts;
}

function countOf(summary: TrafficSummary, route: string): number {
  return summary.endpoints.find((e) => e.route === route)?.count ?? 0;
}

interface Run {
  readonly summary: TrafficSummary;
  readonly exitCode: number;
  readonly stderr: string;
  /** What the service counted during the run. */
  readonly served: RouteStatusCounts;
}

async function run(raw: RawOptions): Promise<Run> {
  const beforeCounts = await scrape();
  let stdout = '';
  let stderr = '';
  const result = await runTraffic(resolveOptions({ baseUrl: service.url, json: true, progress: false, ...raw }), {
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
  });
  const summary = JSON.parse(stdout) as TrafficSummary;
  assert.deepEqual(summary, JSON.parse(JSON.stringify(result.summary)), '--json prints the summary');
  // The service counts a request when its response closes; give the last ones a moment to land.
  let served = difference(await scrape(), beforeCounts);
  for (let i = 0; i < 20 && !isDeepStrictEqual(served, summaryCounts(summary)); i++) {
    await sleep(50);
    served = difference(await scrape(), beforeCounts);
  }
  return { summary, exitCode: result.exitCode, stderr, served };
}

function assertCommon(r: Run): void {
  assert.equal(r.exitCode, 0, r.stderr);
  assert.equal(r.summary.reachable, true);
  assert.equal(r.summary.sent, r.summary.planned, 'every planned request was sent');
  assert.equal(r.summary.skipped, 0);
  assert.equal(r.summary.totals.failed, 0, JSON.stringify(r.summary.failures));
  assert.deepEqual(summaryCounts(r.summary), r.served, 'summary equals what /metrics counted');
  const totalFromEndpoints = r.summary.endpoints.reduce((s, e) => s + e.count, 0);
  assert.equal(r.summary.totals.count, totalFromEndpoints);
}

describe('traffic scenarios against the real service', () => {
  it('steady sends normal usage, then a 30-request spike, 10 flaky and 5 slow requests', async () => {
    const r = await run({ scenario: 'steady', duration: 3, rps: 20, seed: 11 });
    assertCommon(r);
    // Normal usage: 60% of 3 s at 20 rps = 36 requests, a third each; the spike: 15 + 15.
    assert.equal(countOf(r.summary, '/health'), 12);
    assert.equal(countOf(r.summary, '/api/users'), 12 + 15);
    assert.equal(countOf(r.summary, '/api/users/:id'), 12 + 15);
    assert.equal(countOf(r.summary, '/api/flaky'), 10);
    assert.equal(countOf(r.summary, '/api/slow'), 5);
    assert.equal(r.summary.totals.count, 36 + 30 + 10 + 5);
    assert.deepEqual(r.summary.expectations.fire, []);
    // Correlation headers arrive: the service logs our X-Request-ID with the trace id of our
    // traceparent, and its server span joins that trace.
    const example = r.summary.correlation.examples.find((e) => e.path !== '/health');
    assert.ok(example, 'some API requests carried correlation headers');
    const logged = service.logLines().find((l) => l['http.request.id'] === example.requestId);
    assert.ok(logged, `service logged request id ${example.requestId}`);
    assert.equal(logged['url.path'], example.path);
    assert.equal(logged['trace.id'], example.traceId);
    const spans = await otlp.waitFor((all) => all.some((s) => s.attributes[SPAN_ATTRIBUTES.requestId] === example.requestId));
    const span = spans.find((s) => s.attributes[SPAN_ATTRIBUTES.requestId] === example.requestId);
    assert.equal(span?.traceId, example.traceId);
  });

  it('error-burst sends half of the API requests to /api/error, all answered 500', async () => {
    const r = await run({ scenario: 'error-burst', duration: 1.5, rps: 20, seed: 12 });
    assertCommon(r);
    assert.equal(r.summary.totals.count, 30);
    assert.equal(countOf(r.summary, '/api/error'), 15);
    assert.deepEqual(r.served['GET /api/error'], { '500': 15 });
    assert.equal(r.summary.totals.classes['5xx'], 15);
    assert.ok(r.summary.expectations.fire.includes('availability-burn-rate-page'));
  });

  it('slow-burn holds 50 rps within 5% and mixes in errors at its target share', async () => {
    const r = await run({ scenario: 'slow-burn', duration: 4, rps: 50, seed: 13 });
    assertCommon(r);
    assert.equal(r.summary.totals.count, 200);
    assert.ok(
      Math.abs(r.summary.rate.achievedRps - 50) <= 2.5,
      `achieved ${r.summary.rate.achievedRps} rps (max lag ${r.summary.rate.maxLagMs} ms)`,
    );
    const errors = countOf(r.summary, '/api/error');
    assert.ok(Math.abs(errors - 200 * 0.045) <= 1, `${errors} errors`);
    assert.ok(r.summary.expectations.fire.includes('availability-burn-rate-ticket'));
    assert.ok(r.summary.expectations.quiet.includes('availability-burn-rate-page'));
  });

  it('latency sends a third of the requests to /api/slow, none failing', async () => {
    const r = await run({ scenario: 'latency', duration: 1.5, rps: 20, seed: 14 });
    assertCommon(r);
    assert.equal(countOf(r.summary, '/api/slow'), 10);
    assert.equal(r.summary.totals.classes['5xx'], 0);
    const slow = r.summary.endpoints.find((e) => e.route === '/api/slow');
    assert.ok((slow?.latencyMs?.p50 ?? 0) >= 20, 'slow requests take at least SLOW_MIN_MS');
  });

  it('outage makes every request fail with a 5xx', async () => {
    const r = await run({ scenario: 'outage', duration: 1, rps: 20, seed: 15 });
    assertCommon(r);
    assert.deepEqual(r.served, { 'GET /api/error': { '500': 20 } });
    assert.equal(r.summary.totals.classes['5xx'], r.summary.totals.count);
  });

  it('prints a --json summary that parses when run from the command line', async () => {
    const { stdout, stderr } = await execFileAsync(
      process.execPath,
      ['--import', 'tsx', 'scripts/traffic/cli.ts', '1', '--base-url', service.url, '--json', '--seed', '5', '--rps', '10'],
      { cwd: REPO_ROOT, timeout: 30_000 },
    );
    const summary = JSON.parse(stdout) as TrafficSummary;
    assert.equal(summary.scenario, 'steady');
    assert.equal(summary.seed, 5);
    assert.equal(summary.baseUrl, service.url);
    assert.equal(summary.totals.count, 6 + 45);
    assert.match(stderr, /Sending 51 requests/);
  });
});
