import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { loadConfig } from '../src/config.js';
import { exportFailureHint, listenFailureMessage, protocolWarning, redactUrl, tracingLine } from '../src/startup.js';
import { startOtlpReceiver } from './support/otlp-receiver.js';
import { spawnService } from './support/spawn-service.js';

const ENDPOINT = 'http://apm-server-apm-http:8200';

describe('the start-up tracing line', () => {
  const cases = [
    { title: 'no endpoint', env: {}, active: 'none', message: /^tracing off: no OTEL_EXPORTER_OTLP_ENDPOINT/ },
    { title: 'APM_AGENT=none', env: { APM_AGENT: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT }, active: 'none', message: /^tracing off: APM_AGENT=none$/ },
    { title: 'the SDK disabled', env: { OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT }, active: 'none', message: /^tracing off: OTEL_SDK_DISABLED=true$/ },
    { title: 'an endpoint', env: { OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT }, active: 'otel', message: new RegExp(`^tracing on: OpenTelemetry SDK exporting OTLP http/protobuf to ${ENDPOINT}/v1/traces$`) },
    { title: 'gRPC', env: { OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, active: 'otel', message: new RegExp(`exporting OTLP grpc to ${ENDPOINT}$`) },
    { title: 'export off', env: { OTEL_TRACES_EXPORTER: 'none' }, active: 'otel', message: /^tracing on, export off/ },
    { title: 'elastic-apm-node', env: { APM_AGENT: 'elastic' }, active: 'elastic', message: /^tracing on: elastic-apm-node/ },
    { title: 'an endpoint but no SDK started', env: { OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT }, active: 'none', message: /not started: .*--import/ },
  ] as const;
  for (const c of cases) {
    it(`says where traces go with ${c.title}`, () => {
      const line = tracingLine(loadConfig(c.env), c.active);
      assert.match(line.message, c.message);
      assert.equal(line.fields['tracing.enabled'], !c.message.source.includes('off:') && !c.message.source.includes('not started'));
    });
  }

  it('never shows credentials in the endpoint', () => {
    const line = tracingLine(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://user:s3cret@apm.example.com:8200' }), 'otel');
    assert.doesNotMatch(line.message, /s3cret|user/);
    assert.equal(redactUrl('https://user:s3cret@apm.example.com:8200/v1/traces'), 'https://apm.example.com:8200/v1/traces');
  });
});

describe('the OTLP protocol warning', () => {
  for (const variable of ['OTEL_EXPORTER_OTLP_PROTOCOL', 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL']) {
    it(`warns that APM Server rejects ${variable}=http/json, naming the variable`, () => {
      const line = protocolWarning(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT, [variable]: 'http/json' }));
      assert.equal(line?.level, 'warn');
      assert.match(line?.message ?? '', new RegExp(`^${variable}=http/json: Elastic APM Server accepts OTLP over HTTP only as binary protobuf`));
    });
  }

  for (const env of [{ OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT }, { OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }, { APM_AGENT: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }]) {
    it(`stays silent for ${JSON.stringify(env)}`, () => {
      assert.equal(protocolWarning(loadConfig(env)), undefined);
    });
  }

  it('is right: an APM-Server-like intake rejects every http/json export and receives no span, and the service said so at start', async (t) => {
    const rx = await startOtlpReceiver({ apmServer: true });
    t.after(() => rx.close());
    const svc = await spawnService({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: rx.url, OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json', OTEL_BSP_SCHEDULE_DELAY: '50' } });
    t.after(() => svc.stop('SIGKILL'));
    for (let i = 0; i < 5; i++) assert.equal((await fetch(`${svc.url}/api/users/1`)).status, 200);
    assert.equal(await svc.stop('SIGTERM'), 0);
    assert.ok(rx.rejected.length > 0 && rx.rejected.every((s) => s === 400), `rejected: ${rx.rejected.join(', ')}`);
    assert.equal(rx.spans.length, 0);
    assert.ok(svc.logLines().some((l) => l['log.level'] === 'warn' && String(l.message).startsWith('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=http/json: Elastic APM Server')));
  });

  it('and the same intake decodes the default http/protobuf export', async (t) => {
    const rx = await startOtlpReceiver({ apmServer: true });
    t.after(() => rx.close());
    const svc = await spawnService({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: rx.url, OTEL_BSP_SCHEDULE_DELAY: '50' } });
    t.after(() => svc.stop('SIGKILL'));
    assert.equal((await fetch(`${svc.url}/api/users/1`)).status, 200);
    await rx.waitFor((spans) => spans.some((s) => s.name === 'GET /api/users/:id'));
    assert.deepEqual(rx.rejected, []);
    assert.ok(!svc.logLines().some((l) => String(l.message).includes('http/json')));
    assert.ok(svc.logLines().some((l) => l.message === `tracing on: OpenTelemetry SDK exporting OTLP http/protobuf to ${rx.url}/v1/traces`));
  });
});

describe('an OTLP endpoint that answers 401', () => {
  it('gets a warning naming the endpoint and the setting to check, never the header value', async (t) => {
    const rx = await startOtlpReceiver({ apmServer: true, authorization: 'Bearer right-token' });
    t.after(() => rx.close());
    const svc = await spawnService({
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: rx.url, OTEL_EXPORTER_OTLP_HEADERS: 'Authorization=Bearer wrong-token', OTEL_BSP_SCHEDULE_DELAY: '50' },
    });
    t.after(() => svc.stop('SIGKILL'));
    assert.equal((await fetch(`${svc.url}/api/users/1`)).status, 200);
    const deadline = Date.now() + 10_000;
    while (!svc.logLines().some((l) => l['event.action'] === 'otel-diag') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(await svc.stop('SIGTERM'), 0);
    const diag = svc.logLines().filter((l) => l['event.action'] === 'otel-diag');
    assert.ok(diag.length > 0, 'no diagnostic for the 401');
    assert.equal(diag[0]!['http.response.status_code'], 401);
    assert.match(String(diag[0]!.message), new RegExp(`${rx.url}/v1/traces answered 401 Unauthorized: .*check OTEL_EXPORTER_OTLP_HEADERS`));
    assert.doesNotMatch(svc.stdout() + svc.stderr(), /wrong-token/);
  });

  it('recognises 401 and 403 in the exporter diagnostic and nothing else', () => {
    const config = loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT });
    const diagnostic = (code: number, message: string): string => JSON.stringify({ stack: `OTLPExporterError: ${message}`, message, name: 'OTLPExporterError', code: String(code) });
    assert.equal(exportFailureHint(diagnostic(401, 'Unauthorized'), config)?.status, 401);
    assert.match(exportFailureHint(diagnostic(403, 'Forbidden'), config)?.message ?? '', /event:write/);
    assert.equal(exportFailureHint(diagnostic(503, 'Service Unavailable'), config), undefined);
    assert.equal(exportFailureHint('connect ECONNREFUSED 127.0.0.1:4318', config), undefined);
  });

  it('recognises gRPC UNAUTHENTICATED and PERMISSION_DENIED when the protocol is grpc', () => {
    const config = loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' });
    const diagnostic = (code: number, name: string): string => JSON.stringify({ message: `${code} ${name}: authentication failed`, code: String(code) });
    assert.match(exportFailureHint(diagnostic(16, 'UNAUTHENTICATED'), config)?.message ?? '', /answered UNAUTHENTICATED \(gRPC 16\): .*OTEL_EXPORTER_OTLP_HEADERS/);
    assert.equal(exportFailureHint(diagnostic(7, 'PERMISSION_DENIED'), config)?.status, 403);
    assert.equal(exportFailureHint(diagnostic(14, 'UNAVAILABLE'), config), undefined);
    // An HTTP status code means nothing on gRPC, and a gRPC code nothing on HTTP.
    assert.equal(exportFailureHint(JSON.stringify({ code: '401' }), config), undefined);
    assert.equal(exportFailureHint(diagnostic(16, 'x'), loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT })), undefined);
  });
});

describe('a port already in use', () => {
  it('gives one human line on stderr, a fatal log line without a stack, and exit code 1', async (t) => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    t.after(() => blocker.close());
    const { port } = blocker.address() as AddressInfo;
    await assert.rejects(spawnService({ env: { PORT: String(port) } }), (error: Error) => {
      assert.match(error.message, /exited with code 1 before listening/);
      const stderr = /stderr:\n([\s\S]*?)\nstdout:/.exec(error.message)?.[1] ?? '';
      assert.equal(stderr.trim(), `sample-service: cannot listen on 127.0.0.1:${port}: it is already in use. Stop the other process or set PORT to a free port.`);
      assert.doesNotMatch(error.message, /stack_trace|\n {4}at /);
      return true;
    });
    assert.match(listenFailureMessage({ code: 'EACCES' }, loadConfig({ PORT: '80' })) ?? '', /^cannot listen on port 80: permission denied/);
    assert.equal(listenFailureMessage(new Error('other'), loadConfig({})), undefined);
  });
});
