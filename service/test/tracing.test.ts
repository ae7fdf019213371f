import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { createServer, type Socket } from 'node:net';
import { describe, it, before, after } from 'node:test';
import { ACCESS_LOG_MESSAGE, CORRELATION_LOG_FIELDS, SPAN_ATTRIBUTES, SPAN_NAMES } from '../src/telemetry/registry.js';
import { SPAN_KIND, STATUS_CODE, startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './support/otlp-receiver.js';
import { spawnService, type LogLine, type SpawnedService } from './support/spawn-service.js';

/** Export quickly so tests do not wait for the default 5 s batch delay. */
const FAST_EXPORT = { OTEL_BSP_SCHEDULE_DELAY: '50', SLOW_MIN_MS: '10', SLOW_MAX_MS: '30' };

async function get(svc: SpawnedService, path: string, headers: Record<string, string> = {}): Promise<number> {
  const res = await fetch(svc.url + path, { headers, signal: AbortSignal.timeout(10_000) });
  await res.arrayBuffer();
  return res.status;
}

function accessLine(svc: SpawnedService, requestId: string): LogLine {
  const line = svc.logLines().find((l) => l.message === ACCESS_LOG_MESSAGE && l['http.request.id'] === requestId);
  assert.ok(line, `no access log line for ${requestId}`);
  return line;
}

function serverSpan(spans: readonly ReceivedSpan[], requestId: string): ReceivedSpan {
  const span = spans.find((s) => s.kind === SPAN_KIND.server && s.attributes[SPAN_ATTRIBUTES.requestId] === requestId);
  assert.ok(span, `no server span for ${requestId}; got ${spans.map((s) => s.name).join(', ')}`);
  return span;
}

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe('OpenTelemetry traces over OTLP/HTTP protobuf (the default protocol)', () => {
  let rx: OtlpReceiver;
  let svc: SpawnedService;
  const parentTraceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  const parentSpanId = '00f067aa0ba902b7';

  before(async () => {
    rx = await startOtlpReceiver();
    svc = await spawnService({
      env: {
        ...FAST_EXPORT,
        OTEL_EXPORTER_OTLP_ENDPOINT: rx.url,
        OTEL_EXPORTER_OTLP_HEADERS: 'Authorization=Bearer test-secret-token',
        OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=ci,team=sre',
        POD_NAME: 'sample-service-7d9f-abcde',
      },
    });
    // Probes first: spans are exported in order, so once the last request's span has arrived, any
    // probe span would have arrived before it.
    for (const p of ['/health', '/ready', '/metrics']) assert.equal(await get(svc, p, { 'x-request-id': `probe${p.replace('/', '-')}` }), 200);
    assert.equal(await get(svc, '/api/users/1', { 'x-request-id': 'found' }), 200);
    assert.equal(await get(svc, '/api/users/424242', { 'x-request-id': 'not-found' }), 404);
    assert.equal(await get(svc, '/api/error', { 'x-request-id': 'error' }), 500);
    assert.equal(await get(svc, '/no/such/route', { 'x-request-id': 'unmatched' }), 404);
    assert.equal(await get(svc, '/api/users', { 'x-request-id': 'propagated', traceparent: `00-${parentTraceId}-${parentSpanId}-01` }), 200);
    assert.equal(await get(svc, '/api/slow', { 'x-request-id': 'slow' }), 200);
    await rx.waitFor((spans) => spans.some((s) => s.attributes[SPAN_ATTRIBUTES.requestId] === 'slow'));
  });
  after(async () => {
    const code = await svc.stop();
    await rx.close();
    assert.equal(code, 0);
  });

  it('sends binary protobuf with the configured headers', () => {
    assert.ok(rx.requests.length > 0);
    for (const r of rx.requests) {
      assert.equal(r.contentType, 'application/x-protobuf');
      assert.equal(r.headers.authorization, 'Bearer test-secret-token');
    }
  });

  it('names server spans by method and route template with HTTP semantic-convention attributes', () => {
    const span = serverSpan(rx.spans, 'found');
    assert.equal(span.name, 'GET /api/users/:id');
    assert.equal(span.attributes['http.route'], '/api/users/:id');
    assert.equal(span.attributes['http.request.method'], 'GET');
    assert.equal(span.attributes['http.response.status_code'], 200);
    assert.equal(span.attributes['url.path'], '/api/users/1');
    assert.equal(span.status.code, STATUS_CODE.unset);
    assert.equal(serverSpan(rx.spans, 'error').name, 'GET /api/error');
    assert.equal(serverSpan(rx.spans, 'slow').name, 'GET /api/slow');
  });

  it('carries the stable HTTP server attributes of the request and its connection', () => {
    const { attributes } = serverSpan(rx.spans, 'found');
    const port = Number(new URL(svc.url).port);
    assert.equal(attributes['url.scheme'], 'http');
    assert.equal(attributes['server.address'], '127.0.0.1');
    assert.equal(attributes['server.port'], port);
    assert.equal(attributes['client.address'], '127.0.0.1');
    assert.equal(attributes['network.peer.address'], '127.0.0.1');
    assert.equal(typeof attributes['network.peer.port'], 'number');
    assert.equal(attributes['network.protocol.version'], '1.1');
    assert.equal(typeof attributes['user_agent.original'], 'string');
  });

  it('keeps unmatched requests to the bare method name, never the raw path', () => {
    const span = serverSpan(rx.spans, 'unmatched');
    assert.equal(span.name, 'GET');
    assert.equal(span.attributes['http.route'], undefined);
  });

  it('marks 5xx server spans as errors and records the exception', () => {
    const span = serverSpan(rx.spans, 'error');
    assert.equal(span.status.code, STATUS_CODE.error);
    const exception = span.events.find((e) => e.name === 'exception');
    assert.ok(exception, 'no exception event');
    assert.equal(exception.attributes['exception.message'], 'This endpoint always fails.');
    assert.ok(String(exception.attributes['exception.stacktrace']).length > 0);
    // 4xx are the client's fault: not span errors.
    assert.equal(serverSpan(rx.spans, 'not-found').status.code, STATUS_CODE.unset);
  });

  it('creates child spans for the user lookup and the slow work', () => {
    const found = serverSpan(rx.spans, 'found');
    const lookup = rx.spans.find((s) => s.name === SPAN_NAMES.userLookup && s.parentSpanId === found.spanId);
    assert.ok(lookup, 'no users.lookup child span');
    assert.equal(lookup.traceId, found.traceId);
    assert.equal(lookup.kind, SPAN_KIND.internal);
    assert.equal(lookup.attributes[SPAN_ATTRIBUTES.userId], 1);
    assert.equal(lookup.attributes[SPAN_ATTRIBUTES.userFound], true);
    const missing = rx.spans.find((s) => s.name === SPAN_NAMES.userLookup && s.parentSpanId === serverSpan(rx.spans, 'not-found').spanId);
    assert.equal(missing?.attributes[SPAN_ATTRIBUTES.userFound], false);
    assert.equal(missing?.status.code, STATUS_CODE.unset);

    const slow = serverSpan(rx.spans, 'slow');
    const work = rx.spans.find((s) => s.name === SPAN_NAMES.slowWork && s.parentSpanId === slow.spanId);
    assert.ok(work, 'no slow.work child span');
    const delay = work.attributes[SPAN_ATTRIBUTES.slowDelayMs] as number;
    assert.ok(delay >= 10 && delay <= 30, `delay ${delay}`);
  });

  it('parents the users.create span to the server span after the request body was read', async () => {
    // The body arrives in a later packet than the headers, so the body parser's callbacks run from
    // socket I/O, outside the call that started the span.
    const body = JSON.stringify({ name: 'Ada Lovelace', email: 'ada@example.com' });
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = httpRequest(`${svc.url}/api/users`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-request-id': 'create' },
        timeout: 10_000,
      });
      req.on('response', (res) => {
        let data = '';
        res.setEncoding('utf8').on('data', (c: string) => (data += c)).on('end', () => resolve({ status: res.statusCode ?? 0, text: data }));
      });
      req.on('error', reject).on('timeout', () => req.destroy(new Error('timeout')));
      req.flushHeaders();
      setTimeout(() => req.end(body), 100);
    });
    assert.equal(status, 201);
    const created = JSON.parse(text) as { id: number };
    const spans = await rx.waitFor((all) => all.some((s) => s.attributes[SPAN_ATTRIBUTES.requestId] === 'create'));
    const server = serverSpan(spans, 'create');
    assert.equal(server.name, 'POST /api/users');
    const create = spans.find((s) => s.name === SPAN_NAMES.userCreate && s.parentSpanId === server.spanId);
    assert.ok(create, 'no users.create child span');
    assert.equal(create.traceId, server.traceId);
    assert.equal(create.attributes[SPAN_ATTRIBUTES.userId], created.id);
    assert.equal(accessLine(svc, 'create')['trace.id'], server.traceId);
  });

  it('continues an incoming W3C traceparent', () => {
    const span = serverSpan(rx.spans, 'propagated');
    assert.equal(span.traceId, parentTraceId);
    assert.equal(span.parentSpanId, parentSpanId);
  });

  it('does not trace health, readiness or metrics requests', () => {
    const paths = rx.spans.map((s) => s.attributes['url.path']);
    for (const probe of ['/health', '/ready', '/metrics']) assert.ok(!paths.includes(probe), `${probe} was traced`);
    assert.ok(!rx.spans.some((s) => String(s.attributes[SPAN_ATTRIBUTES.requestId] ?? '').startsWith('probe')));
  });

  it('describes the service in the resource', () => {
    const { resource } = serverSpan(rx.spans, 'found');
    assert.equal(resource['service.name'], 'sample-service');
    assert.equal(resource['deployment.environment.name'], 'ci');
    assert.equal(resource['deployment.environment'], 'ci');
    assert.equal(resource['service.instance.id'], 'sample-service-7d9f-abcde');
    assert.equal(resource.team, 'sre');
    assert.equal(typeof resource['service.version'], 'string');
  });

  it('writes the trace id of the received span into the access log of the same request', () => {
    for (const id of ['found', 'not-found', 'error', 'unmatched', 'propagated', 'slow']) {
      const span = serverSpan(rx.spans, id);
      const line = accessLine(svc, id);
      assert.equal(line['trace.id'], span.traceId, id);
      assert.equal(line['transaction.id'], span.spanId, id);
      for (const f of CORRELATION_LOG_FIELDS) assert.match(String(line[f]), /^[0-9a-f]{16,32}$/, `${id}: ${f}`);
    }
  });

  it('logs probe requests without trace ids, as they are not traced', () => {
    const lines = svc.logLines().filter((l) => l['url.path'] === '/health');
    for (const l of lines) assert.equal(l['trace.id'], undefined);
  });
});

describe('OpenTelemetry traces over OTLP/HTTP JSON', () => {
  it('sends JSON-encoded spans when OTEL_EXPORTER_OTLP_PROTOCOL=http/json', async (t) => {
    const rx = await startOtlpReceiver();
    t.after(() => rx.close());
    const svc = await spawnService({ env: { ...FAST_EXPORT, OTEL_EXPORTER_OTLP_ENDPOINT: rx.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' } });
    t.after(() => svc.stop());
    assert.equal(await get(svc, '/api/users/2', { 'x-request-id': 'json' }), 200);
    const spans = await rx.waitFor((s) => s.some((x) => x.attributes[SPAN_ATTRIBUTES.requestId] === 'json'));
    assert.ok(rx.requests.every((r) => r.contentType.startsWith('application/json')));
    assert.equal(serverSpan(spans, 'json').name, 'GET /api/users/:id');
    assert.equal(accessLine(svc, 'json')['trace.id'], serverSpan(spans, 'json').traceId);
  });

  it('honours OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as the full traces URL', async (t) => {
    const rx = await startOtlpReceiver();
    t.after(() => rx.close());
    const svc = await spawnService({ env: { ...FAST_EXPORT, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${rx.url}/v1/traces` } });
    t.after(() => svc.stop());
    assert.equal(await get(svc, '/api/users', { 'x-request-id': 'traces-endpoint' }), 200);
    await rx.waitFor((s) => s.some((x) => x.attributes[SPAN_ATTRIBUTES.requestId] === 'traces-endpoint'));
  });
});

describe('tracing switched off', () => {
  for (const [title, env] of [
    ['no OTLP endpoint is configured', {}],
    ['OTEL_SDK_DISABLED=true', { OTEL_SDK_DISABLED: 'true' }],
    ['APM_AGENT=none', { APM_AGENT: 'none' }],
  ] as const) {
    it(`sends nothing and logs no trace ids when ${title}`, async (t) => {
      const rx = await startOtlpReceiver();
      t.after(() => rx.close());
      const withEndpoint = title.startsWith('no') ? {} : { OTEL_EXPORTER_OTLP_ENDPOINT: rx.url };
      const svc = await spawnService({ env: { ...FAST_EXPORT, ...env, ...withEndpoint } });
      for (let i = 0; i < 5; i++) assert.equal(await get(svc, '/api/users/1', { 'x-request-id': `off-${i}` }), 200);
      // Stopping flushes any exporter, so after exit nothing more can arrive.
      assert.equal(await svc.stop(), 0);
      assert.equal(rx.spans.length, 0);
      const lines = svc.logLines();
      assert.ok(lines.length > 0);
      for (const l of lines) assert.equal(l['trace.id'], undefined);
      assert.equal(svc.stderr(), '');
    });
  }
});

describe('OTEL_TRACES_EXPORTER=none', () => {
  it('creates spans for log correlation and trace propagation but exports nothing', async (t) => {
    const rx = await startOtlpReceiver();
    t.after(() => rx.close());
    const svc = await spawnService({ env: { ...FAST_EXPORT, OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: rx.url } });
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    assert.equal(await get(svc, '/api/users/1', { 'x-request-id': 'none-1', traceparent: `00-${traceId}-b7ad6b7169203331-01` }), 200);
    assert.equal(await svc.stop(), 0);
    assert.equal(rx.spans.length, 0);
    assert.equal(accessLine(svc, 'none-1')['trace.id'], traceId);
  });
});

describe('an unreachable collector', () => {
  it('does not fail requests, reports export errors as rate-limited warnings, and exits cleanly', async (t) => {
    const port = await closedPort();
    const svc = await spawnService({ env: { ...FAST_EXPORT, OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}` } });
    t.after(() => svc.stop());
    // Every request completes well inside a bound far below the exporter's own 10 s timeout.
    for (let i = 0; i < 100; i++) {
      const res = await fetch(`${svc.url}/api/users/1`, { signal: AbortSignal.timeout(5_000) });
      assert.equal(res.status, 200);
      await res.arrayBuffer();
    }
    // Let a few batches fail to export.
    const deadline = Date.now() + 10_000;
    while (!svc.logLines().some((l) => l['event.action'] === 'otel-diag') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const diag = svc.logLines().filter((l) => l['event.action'] === 'otel-diag');
    assert.ok(diag.length > 0, 'export failure not reported');
    assert.ok(diag.every((l) => l['log.level'] === 'warn'));
    assert.ok(diag.length <= 6, `diagnostics not rate-limited: ${diag.length} lines`);
    assert.equal(await svc.stop(), 0);
  });

  it('loads the gRPC exporter for OTEL_EXPORTER_OTLP_PROTOCOL=grpc and keeps serving when it cannot connect', async (t) => {
    const port = await closedPort();
    const svc = await spawnService({
      env: { ...FAST_EXPORT, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`, LOG_LEVEL: 'debug' },
    });
    t.after(() => svc.stop('SIGKILL'));
    for (let i = 0; i < 20; i++) assert.equal(await get(svc, '/api/users/1', { 'x-request-id': `grpc-${i}` }), 200);
    // The SDK is active (ids in the logs) with the gRPC exporter.
    assert.match(String(accessLine(svc, 'grpc-0')['trace.id']), /^[0-9a-f]{32}$/);
    const started = svc.logLines().find((l) => l['event.action'] === 'tracing-start');
    assert.equal(started?.protocol, 'grpc');
    assert.equal(await svc.stop(), 0);
  });

  it('does not hold requests or shutdown when the collector accepts connections but never answers', async (t) => {
    const sockets = new Set<Socket>();
    const blackhole = createServer((s) => {
      sockets.add(s);
      s.on('error', () => undefined);
    });
    await new Promise<void>((r) => blackhole.listen(0, '127.0.0.1', r));
    t.after(() => {
      for (const s of sockets) s.destroy();
      blackhole.close();
    });
    const { port } = blackhole.address() as { port: number };
    const svc = await spawnService({ env: { ...FAST_EXPORT, OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}` } });
    t.after(() => svc.stop('SIGKILL'));
    for (let i = 0; i < 50; i++) {
      const res = await fetch(`${svc.url}/api/users`, { signal: AbortSignal.timeout(5_000) });
      assert.equal(res.status, 200);
      await res.arrayBuffer();
    }
    // The exit waits for the flush at most its bounded timeout, then exits 0.
    assert.equal(await svc.stop(), 0);
    assert.ok(svc.logLines().some((l) => l.message === 'shutdown complete'));
  });
});
