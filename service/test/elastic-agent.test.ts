import assert from 'node:assert/strict';
import { describe, it, before, after } from 'node:test';
import { ACCESS_LOG_MESSAGE, SPAN_NAMES } from '../src/telemetry/registry.js';
import { startApmIntakeSink, type ApmIntakeSink } from './support/apm-intake-sink.js';
import { spawnService, type LogLine, type SpawnedService } from './support/spawn-service.js';

describe('APM_AGENT=elastic (elastic-apm-node)', () => {
  let sink: ApmIntakeSink;
  let svc: SpawnedService;
  let exitCode: number | null;
  let lines: LogLine[];

  before(async () => {
    sink = await startApmIntakeSink();
    svc = await spawnService({
      env: {
        APM_AGENT: 'elastic',
        ELASTIC_APM_SERVER_URL: sink.url,
        ELASTIC_APM_API_REQUEST_TIME: '100ms',
        ELASTIC_APM_CENTRAL_CONFIG: 'false',
        ELASTIC_APM_CLOUD_PROVIDER: 'none',
        ELASTIC_APM_METRICS_INTERVAL: '0s',
        SLOW_MIN_MS: '10',
        SLOW_MAX_MS: '20',
      },
    });
    for (const [path, id] of [['/health', 'e-probe'], ['/api/users/1', 'e-user'], ['/api/error', 'e-error'], ['/api/slow', 'e-slow']]) {
      const res = await fetch(svc.url + path!, { headers: { 'x-request-id': id! } });
      await res.arrayBuffer();
    }
    await sink.waitFor(() => sink.of('transaction').some((t) => t.name === 'GET /api/slow'));
    exitCode = await svc.stop();
    lines = svc.logLines();
  });
  after(async () => {
    await svc.stop();
    await sink.close();
  });

  it('starts, serves and exits 0 with only JSON on stdout', () => {
    assert.equal(exitCode, 0);
    for (const l of lines) assert.equal(l.unparsed, undefined, String(l.unparsed));
  });

  it('names transactions by route template and creates the child spans through the OpenTelemetry bridge', () => {
    const names = sink.of('transaction').map((t) => t.name);
    for (const n of ['GET /api/users/:id', 'GET /api/error', 'GET /api/slow']) assert.ok(names.includes(n), `${n} in ${names.join(', ')}`);
    const spans = sink.of('span').map((s) => s.name);
    assert.ok(spans.includes(SPAN_NAMES.userLookup));
    assert.ok(spans.includes(SPAN_NAMES.slowWork));
    const failed = sink.of('transaction').find((t) => t.name === 'GET /api/error');
    assert.equal(failed?.outcome, 'failure');
    assert.ok(sink.of('error').some((e) => e.transaction_id === failed?.id), 'the 500 is reported as an APM error');
  });

  it('does not trace probes', () => {
    assert.ok(!sink.of('transaction').some((t) => String(t.name).includes('/health')));
  });

  it('correlates access logs with the transactions', () => {
    for (const [id, name] of [['e-user', 'GET /api/users/:id'], ['e-error', 'GET /api/error'], ['e-slow', 'GET /api/slow']]) {
      const line = lines.find((l) => l.message === ACCESS_LOG_MESSAGE && l['http.request.id'] === id);
      const tx = sink.of('transaction').find((t) => t.name === name);
      assert.ok(line && tx, id);
      assert.equal(line['trace.id'], tx.trace_id, id);
      assert.equal(line['transaction.id'], tx.id, id);
      assert.equal(line['span.id'], tx.id, id);
    }
    // One value per key: the agent's log integration and the service's own correlation agree.
    for (const raw of svc.stdout().split('\n').filter((l) => l.includes('"trace.id"'))) {
      assert.equal(raw.split('"trace.id"').length, 2, raw);
    }
  });
});
