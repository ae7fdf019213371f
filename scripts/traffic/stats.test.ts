import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatProgress, formatTable } from './format.js';
import type { PlannedRequest } from './plan.js';
import { percentile, RunStats, summarizeLatency } from './stats.js';

function req(route: string, seq: number, tagged = false): PlannedRequest {
  return {
    seq,
    atMs: seq,
    phase: 0,
    endpoint: 'users',
    method: 'GET',
    route,
    path: route,
    ...(tagged
      ? { correlation: { requestId: `r${seq}`, traceId: 't'.repeat(32), spanId: 's'.repeat(16), traceparent: 'x' } }
      : {}),
  };
}

describe('percentiles', () => {
  it('uses the nearest-rank method', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.equal(percentile(sorted, 50), 50);
    assert.equal(percentile(sorted, 95), 95);
    assert.equal(percentile(sorted, 99), 99);
    assert.equal(percentile([7], 99), 7);
    assert.equal(percentile([1, 2, 3], 50), 2);
  });

  it('summarizes unsorted latencies and reports none for an empty list', () => {
    assert.deepEqual(summarizeLatency([30, 10, 20, 40]), { p50: 20, p95: 40, p99: 40, max: 40 });
    assert.equal(summarizeLatency([]), null);
  });
});

describe('RunStats', () => {
  it('counts per endpoint by status code and class, and totals them', () => {
    const stats = new RunStats();
    const outcomes: [string, number | null][] = [
      ['/api/users', 200],
      ['/api/users', 200],
      ['/api/users', 404],
      ['/api/error', 500],
      ['/api/error', null],
    ];
    outcomes.forEach(([route, status], i) => {
      const r = req(route, i, i === 3);
      stats.sent(r, true);
      stats.record(
        r,
        status === null
          ? { kind: 'failure', message: 'connect ECONNREFUSED', latencyMs: 1 }
          : { kind: 'response', status, latencyMs: 10 * (i + 1) },
      );
    });
    const [errorRoute, usersRoute] = stats.endpointSummaries();
    assert.equal(errorRoute?.route, '/api/error');
    assert.deepEqual(errorRoute?.status, { '500': 1 });
    assert.equal(errorRoute?.failed, 1);
    assert.deepEqual(usersRoute?.status, { '200': 2, '404': 1 });
    assert.deepEqual(usersRoute?.classes, { '2xx': 2, '3xx': 0, '4xx': 1, '5xx': 0 });
    assert.deepEqual(usersRoute?.latencyMs, { p50: 20, p95: 30, p99: 30, max: 30 });
    const totals = stats.totalSummary();
    assert.equal(totals.count, 5);
    assert.equal(totals.failed, 1);
    assert.deepEqual(stats.progress(), { sent: 5, completed: 5, responses: 4, errors: 2 });
    assert.deepEqual(stats.failures(), [{ message: 'connect ECONNREFUSED', count: 1 }]);
    assert.equal(stats.correlation().tagged, 1);
    assert.equal(stats.correlation().errorExamples[0]?.status, 500);
  });

  it('tracks failures in a row until a response arrives', () => {
    const stats = new RunStats();
    for (let i = 0; i < 3; i++) stats.record(req('/health', i), { kind: 'failure', message: 'x', latencyMs: 0 });
    assert.equal(stats.consecutiveFailures, 3);
    assert.equal(stats.everAnswered, false);
    stats.record(req('/health', 3), { kind: 'response', status: 200, latencyMs: 0 });
    assert.equal(stats.consecutiveFailures, 0);
    assert.equal(stats.everAnswered, true);
  });
});

describe('output formatting', () => {
  it('aligns the per-endpoint table and ends with the totals', () => {
    const stats = new RunStats();
    const r = req('/api/users/:id', 0);
    stats.sent(r, true);
    stats.record(r, { kind: 'response', status: 200, latencyMs: 1234.5 });
    const table = formatTable(stats.endpointSummaries(), stats.totalSummary()).split('\n');
    assert.equal(table.length, 5);
    assert.match(table[0]!, /^endpoint\s+count\s+2xx\s+4xx\s+5xx\s+failed\s+p50\s+p95\s+p99$/);
    assert.match(table[2]!, /^GET \/api\/users\/:id\s+1\s+1\s+0\s+0\s+0\s+1\.23s\s+1\.23s\s+1\.23s$/);
    assert.match(table[4]!, /^total\s+1\s+1\s/);
    assert.equal(new Set(table.map((l) => l.length)).size, 1, 'every line has the same width');
  });

  it('shows elapsed time, requests sent, rate and errors on the progress line', () => {
    const line = formatProgress(2_000, 60_000, { sent: 20, completed: 18, responses: 17, errors: 3 });
    assert.match(line, /2\.0s \/ 60s/);
    assert.match(line, /sent 20/);
    assert.match(line, /rps 10\.0/);
    assert.match(line, /errors 3/);
    assert.match(line, /in flight 2/);
  });
});
