import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { difference, parseSamples, requestCounts } from './prometheus-text.js';

const TEXT = `# HELP http_requests_total HTTP requests completed.
# TYPE http_requests_total counter
http_requests_total{method="GET",route="/api/users",status_code="200"} 35
http_requests_total{method="GET",route="/api/flaky",status_code="500"} 5
http_requests_total{method="GET",route="/api/flaky",status_code="200"} 5
process_cpu_seconds_total 1.5
weird{label="a \\"quoted\\" value"} 1 1700000000000
`;

describe('Prometheus text parsing (test support)', () => {
  it('reads samples with and without labels, escapes and timestamps', () => {
    const samples = parseSamples(TEXT);
    assert.equal(samples.length, 5);
    assert.deepEqual(samples[3], { name: 'process_cpu_seconds_total', labels: {}, value: 1.5 });
    assert.equal(samples[4]?.labels.label, 'a "quoted" value');
  });

  it('groups http_requests_total by method, route and status, and subtracts snapshots', () => {
    const after = requestCounts(TEXT, 'http_requests_total');
    assert.deepEqual(after['GET /api/flaky'], { '500': 5, '200': 5 });
    const before = { 'GET /api/users': { '200': 30 }, 'GET /api/flaky': { '500': 5 } };
    assert.deepEqual(difference(after, before), { 'GET /api/users': { '200': 5 }, 'GET /api/flaky': { '200': 5 } });
  });

  it('rejects lines that are not samples', () => {
    assert.throws(() => parseSamples('not a sample line at all'), /not a Prometheus sample/);
  });
});
