/**
 * The telemetry contract (B3): runs the real service, drives traffic over every route (errors and
 * slow requests included), reads its actual /metrics output, log lines and exported spans, derives
 * the Elasticsearch fields they become under kibana/telemetry-fields.ts, and fails when any
 * dashboard, saved search, SLO or rule uses a field that is not among them, naming the resource,
 * the panel and the field.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { allResources } from '../../scripts/provision/definitions.js';
import type { Resource, SavedObjectResource } from '../../model/resources.js';
import { decodeTraceRequestObject } from '../../service/test/support/otlp-receiver.js';
import { spawnService, type SpawnedService } from '../../service/test/support/spawn-service.js';
import { METRICS, ROUTES, RUNTIME_METRICS, SPAN_ATTRIBUTES } from '../../service/src/telemetry/registry.js';
import { DASHBOARD_IDS, dashboards } from '../dashboards/index.js';
import { allPrometheusFields, LOG_FIELDS } from '../telemetry-fields.js';
import { formatViolations, undeclaredFields, unemittedFields } from './check.js';
import { emittedFields, parseExposition, type EmittedFields } from './emitted.js';

/**
 * An OTLP/HTTP receiver standing in for APM Server's intake: like APM Server (apm-server v9.4.3,
 * internal/beater/otlp/http.go) it unmarshals every body as protobuf and answers 400 when that fails,
 * so the service's real export path (http/protobuf, the default) is the one decoded here.
 */
async function otlpReceiver(): Promise<{ server: Server; url: string; bodies: unknown[] }> {
  const bodies: unknown[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/traces') {
        res.writeHead(404).end();
        return;
      }
      try {
        bodies.push(decodeTraceRequestObject(Buffer.concat(chunks), 'application/x-protobuf'));
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      } catch (error) {
        res.writeHead(400, { 'content-type': 'text/plain' }).end(`failed to unmarshal request body: ${String(error)}`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bodies };
}

async function call(base: string, path: string, init?: RequestInit): Promise<number> {
  const res = await fetch(base + path, init);
  await res.arrayBuffer();
  return res.status;
}

/** Every route, the failing and slow ones included, a bounded number of times. */
async function driveTraffic(base: string): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await call(base, ROUTES.health);
    await call(base, ROUTES.ready);
    await call(base, ROUTES.users);
    await call(base, ROUTES.users, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: `Contract ${i}`, email: `contract${i}@example.com` }),
    });
    await call(base, '/api/users/1');
    await call(base, '/api/users/999999');
    await call(base, ROUTES.error);
    await call(base, ROUTES.flaky);
    await call(base, ROUTES.flaky);
    await call(base, ROUTES.slow);
    await call(base, '/no/such/route');
  }
}

/** Until the runtime histogram has samples (a GC ran), at most 60 rounds of 20 requests. */
async function untilGarbageCollected(base: string): Promise<string> {
  let text = '';
  for (let round = 0; round < 60; round++) {
    text = await (await fetch(base + ROUTES.metrics)).text();
    if ((parseExposition(text).get(RUNTIME_METRICS.gcDuration.name)?.samples ?? 0) > 0) return text;
    for (let i = 0; i < 20; i++) await call(base, ROUTES.users);
  }
  return text;
}

function dashboardById(id: string): SavedObjectResource {
  const found = dashboards().find((r): r is SavedObjectResource => r.kind === 'kibana.saved_object' && r.id === id);
  assert.ok(found, `no dashboard ${id}`);
  return found;
}

describe('telemetry contract', () => {
  let service: SpawnedService;
  let receiver: Awaited<ReturnType<typeof otlpReceiver>>;
  let exposition = '';
  let emitted: EmittedFields;

  before(async () => {
    receiver = await otlpReceiver();
    service = await spawnService({
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf',
        OTEL_BSP_SCHEDULE_DELAY: '100',
        SLOW_MIN_MS: '20',
        SLOW_MAX_MS: '60',
        FLAKY_FAILURE_RATE: '0.5',
        RANDOM_SEED: '7',
        LOG_LEVEL: 'info',
      },
    });
    await driveTraffic(service.url);
    exposition = await untilGarbageCollected(service.url);
    // Ends the process gracefully: pending spans are flushed and every log line is written.
    await service.stop('SIGTERM');
    emitted = emittedFields({
      exposition,
      logLines: service.logLines(),
      spanBodies: receiver.bodies,
      customSpanAttributes: Object.values(SPAN_ATTRIBUTES),
    });
  });

  after(async () => {
    await service?.stop('SIGKILL');
    await new Promise<void>((resolve) => (receiver ? receiver.server.close(() => resolve()) : resolve()));
  });

  test('the service exposes every metric of the registry with its declared type and labels', () => {
    const exposed = parseExposition(exposition);
    for (const def of [...Object.values(METRICS), ...Object.values(RUNTIME_METRICS)]) {
      const m = exposed.get(def.name);
      assert.ok(m, `${def.name} is not on /metrics`);
      assert.equal(m.type, def.type, `${def.name} is a ${m.type}, the registry says ${def.type}`);
      for (const label of 'labels' in def ? def.labels : []) assert.ok(m.labels.has(label), `${def.name} lacks label ${label}`);
    }
  });

  test('every Prometheus field the mapping derives from the registry is emitted', () => {
    const missing = allPrometheusFields().filter((f) => !emitted.metrics.has(f));
    assert.deepEqual(missing, [], `mapped but not emitted: ${missing.join(', ')}`);
  });

  test('log lines carry the access, correlation and error fields the dashboards use', () => {
    for (const field of Object.values(LOG_FIELDS)) assert.ok(emitted.logs.has(field), `no log line has ${field}`);
  });

  test('spans were exported and carry the custom attributes the APM labels map', () => {
    assert.ok(receiver.bodies.length > 0, 'no OTLP export request reached the receiver');
    const labels = [...emitted.apm.keys()].filter((f) => /^(numeric_)?labels\./.test(f));
    assert.ok(labels.length > 0, 'no custom span attribute was seen');
  });

  test('every field used by a dashboard, saved search, SLO or rule is emitted by the service', () => {
    const violations = unemittedFields(allResources(), emitted);
    assert.equal(violations.length, 0, `fields used but not emitted:\n${formatViolations(violations)}`);
  });

  test('every field used in a resource body is in its declared fields', () => {
    const violations = undeclaredFields(allResources());
    assert.equal(violations.length, 0, `fields used but not declared:\n${formatViolations(violations)}`);
  });

  test('a panel on a field the service does not emit fails, naming the dashboard, panel and field', () => {
    const overview = dashboardById(DASHBOARD_IDS.overview);
    const broken: Resource = {
      ...overview,
      attributes: {
        ...overview.attributes,
        panelsJSON: String(overview.attributes.panelsJSON).replaceAll('prometheus.http_requests_total.rate', 'prometheus.http_requests.rate'),
      },
    };
    const violations = unemittedFields([broken], emitted);
    assert.ok(violations.length > 0);
    const text = formatViolations(violations);
    assert.match(text, /sample-service-overview/);
    assert.match(text, /panel "Request rate by route": prometheus\.http_requests\.rate \(not emitted on metrics\)/);
  });

  test('a log field used on the metrics data view fails: fields are checked per signal', () => {
    const runtime = dashboardById(DASHBOARD_IDS.runtime);
    const broken: Resource = {
      ...runtime,
      attributes: {
        ...runtime.attributes,
        panelsJSON: String(runtime.attributes.panelsJSON).replace('prometheus.labels.kind', LOG_FIELDS.level),
      },
    };
    const text = formatViolations(unemittedFields([broken], emitted));
    assert.match(text, /panel "GC pause p95 by kind": log\.level \(not emitted on metrics\)/);
  });
});
