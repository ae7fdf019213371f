import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it, before, after } from 'node:test';
import {
  HTTP_DURATION_BUCKETS,
  HTTP_LABELS,
  LOOKUP_RESULTS,
  METRICS,
  OPERATIONS,
  OUTCOMES,
  ROUTES,
  RUNTIME_METRICS,
  UNMATCHED_ROUTE,
} from '../src/telemetry/registry.js';
import { request, startTestServer, type TestServer } from './support/in-process.js';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the Prometheus text exposition format (enough for prom-client's output). */
function parseExposition(text: string): { samples: Sample[]; types: Map<string, string> } {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) types.set(type[1]!, type[2]!);
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(m, `unparseable sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return { samples, types };
}

/** promtool in CI is mandatory (.ci/run installs it); locally a missing promtool skips with a reason. */
function promtool(): { available: true } | { available: false; reason: string } {
  const probe = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
  if (probe.error === undefined && probe.status === 0) return { available: true };
  return { available: false, reason: 'promtool not found (Debian/Ubuntu: apt-get install prometheus)' };
}

describe('metrics after traffic', () => {
  let svc: TestServer;
  let text: string;
  let samples: Sample[];
  let types: Map<string, string>;

  before(async () => {
    svc = await startTestServer({ SLOW_MIN_MS: '5', SLOW_MAX_MS: '10', RANDOM_SEED: '1', FLAKY_FAILURE_RATE: '0.5' });
    const paths = ['/health', '/ready', '/api/users', '/api/users/1', '/api/users/2', '/api/users/424242', '/api/users/abc',
      '/api/error', '/api/slow', '/no/such/path', '/another/unknown/path'];
    for (const p of paths) await request(svc.url, p);
    for (let i = 0; i < 20; i++) await request(svc.url, '/api/flaky');
    await request(svc.url, '/api/users', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"A","email":"a@b.io"}' });
    await request(svc.url, '/api/users', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' });
    await request(svc.url, '/api/users', { method: 'PROPFIND' });
    await request(svc.url, '/metrics');
    text = (await request(svc.url, '/metrics')).text;
    ({ samples, types } = parseExposition(text));
  });
  after(() => svc.shutdown());

  const httpSamples = (name: string) => samples.filter((s) => s.name === name);

  it('declares every registry metric with its type', () => {
    for (const def of Object.values(METRICS)) assert.equal(types.get(def.name), def.type, def.name);
    for (const def of Object.values(RUNTIME_METRICS)) assert.equal(types.get(def.name), def.type, def.name);
  });

  it('labels HTTP metrics by method, route template and status code only', () => {
    for (const s of httpSamples(METRICS.httpRequests.name)) assert.deepEqual(Object.keys(s.labels).sort(), [...HTTP_LABELS].sort());
  });

  it('uses route templates, one shared label for unmatched requests, and never raw paths', () => {
    const routes = new Set(httpSamples(METRICS.httpRequests.name).map((s) => s.labels.route));
    const allowed = new Set<string>([...Object.values(ROUTES), UNMATCHED_ROUTE]);
    for (const r of routes) assert.ok(allowed.has(r!), `unexpected route label ${r}`);
    for (const r of [ROUTES.health, ROUTES.ready, ROUTES.users, ROUTES.user, ROUTES.error, ROUTES.flaky, ROUTES.slow, ROUTES.metrics, UNMATCHED_ROUTE]) {
      assert.ok(routes.has(r), `missing route label ${r}`);
    }
    assert.doesNotMatch(text, /route="\/api\/users\/(1|2|424242|abc)"/);
    assert.doesNotMatch(text, /no\/such\/path|another\/unknown/);
  });

  it('counts each request once with its status code', () => {
    const count = (route: string, status: string, method = 'GET') =>
      httpSamples(METRICS.httpRequests.name).find((s) => s.labels.route === route && s.labels.status_code === status && s.labels.method === method)?.value ?? 0;
    assert.equal(count(ROUTES.user, '200'), 2);
    assert.equal(count(ROUTES.user, '404'), 1);
    assert.equal(count(ROUTES.user, '400'), 1);
    assert.equal(count(ROUTES.error, '500'), 1);
    assert.equal(count(UNMATCHED_ROUTE, '404'), 2);
    assert.equal(count(ROUTES.users, '201', 'POST'), 1);
    assert.equal(count(ROUTES.users, '400', 'POST'), 1);
    assert.equal(count(ROUTES.flaky, '200') + count(ROUTES.flaky, '500'), 20);
    // Methods outside the HTTP/PATCH set (here WebDAV's PROPFIND) share one label value; on a known
    // route they are answered 405 under that route's template.
    assert.equal(count(ROUTES.users, '405', '_OTHER'), 1);
  });

  it('buckets request durations with the registry buckets, covering the slow endpoint', () => {
    const les = new Set(httpSamples(`${METRICS.httpRequestDuration.name}_bucket`).map((s) => s.labels.le));
    assert.deepEqual([...les].sort(), [...HTTP_DURATION_BUCKETS.map(String), '+Inf'].sort());
    for (const le of ['2', '3', '4', '5']) assert.ok(les.has(le));
    const slowCount = httpSamples(`${METRICS.httpRequestDuration.name}_count`).find((s) => s.labels.route === ROUTES.slow);
    assert.equal(slowCount?.value, 1);
  });

  it('reports requests in flight (the scrape itself)', () => {
    assert.equal(httpSamples(METRICS.httpRequestsInFlight.name)[0]?.value, 1);
  });

  it('counts user lookups by result and users created', () => {
    const lookups = Object.fromEntries(httpSamples(METRICS.userLookups.name).map((s) => [s.labels.result, s.value]));
    assert.deepEqual(Object.keys(lookups).sort(), [...LOOKUP_RESULTS].sort());
    assert.equal(lookups.found, 2);
    assert.equal(lookups.not_found, 1);
    assert.equal(httpSamples(METRICS.usersCreated.name)[0]?.value, 1);
  });

  it('counts operations by name and outcome, every series present from the start', () => {
    const ops = httpSamples(METRICS.operations.name);
    assert.equal(ops.length, OPERATIONS.length * OUTCOMES.length);
    const value = (operation: string, outcome: string) => ops.find((s) => s.labels.operation === operation && s.labels.outcome === outcome)?.value;
    assert.equal(value('error', 'failure'), 1);
    assert.equal(value('slow', 'success'), 1);
    assert.equal((value('flaky', 'success') ?? 0) + (value('flaky', 'failure') ?? 0), 20);
    assert.equal(value('get_user', 'success'), 2);
  });

  it('exposes build info with version, commit and Node version', () => {
    const info = httpSamples(METRICS.buildInfo.name);
    assert.equal(info.length, 1);
    assert.equal(info[0]!.value, 1);
    assert.deepEqual(info[0]!.labels, { version: svc.config.service.version, commit: 'unknown', node_version: process.version });
  });

  it('passes promtool check metrics', (t) => {
    const tool = promtool();
    if (!tool.available) {
      if (process.env.CI === 'true') assert.fail(`${tool.reason}; CI must install it (.ci/run does)`);
      t.skip(tool.reason);
      return;
    }
    const result = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    assert.equal(result.status, 0, `promtool reported:\n${result.stdout}${result.stderr}`);
    assert.equal(`${result.stdout}${result.stderr}`.trim(), '', 'promtool printed problems');
  });
});
