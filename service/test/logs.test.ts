import assert from 'node:assert/strict';
import { describe, it, before, after } from 'node:test';
import {
  ACCESS_LOG_FIELDS,
  ACCESS_LOG_MESSAGE,
  ERROR_LOG_FIELDS,
  LOG_EVENT_DATASET,
} from '../src/telemetry/registry.js';
import { field, hasField } from './support/log-fields.js';
import { spawnService, type LogLine, type SpawnedService } from './support/spawn-service.js';

/** Fields every line carries, whatever logged it (ecs-pino-format plus the service identity). */
const BASE_FIELDS = ['@timestamp', 'log.level', 'message', 'ecs.version', 'event.dataset', 'service.name',
  'service.version', 'service.environment', 'service.node.name'] as const;

const SECRET_TOKEN = 'Bearer super-secret-token-0123456789';
const SECRET_COOKIE = 'session=cookie-secret-abcdef';

describe('logs of the running service', () => {
  let svc: SpawnedService;
  let lines: LogLine[];
  let exitCode: number | null;

  before(async () => {
    svc = await spawnService({
      env: { LOG_LEVEL: 'info', POD_NAME: 'sample-service-5f6d-xyz12', OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=staging' },
    });
    const send = async (path: string, init: RequestInit = {}) => {
      const res = await fetch(svc.url + path, init);
      await res.arrayBuffer();
    };
    await send('/api/users/1', { headers: { authorization: SECRET_TOKEN, cookie: SECRET_COOKIE, 'user-agent': 'log-test/1.0', 'x-request-id': 'log-1' } });
    await send('/api/error', { headers: { 'x-request-id': 'log-error' } });
    await send('/api/users', { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'log-post' }, body: '{' });
    await send('/missing', { headers: { 'x-request-id': 'log-missing' } });
    await send('/health', { headers: { 'x-request-id': 'log-probe' } });
    exitCode = await svc.stop();
    lines = svc.logLines();
  });
  after(async () => {
    await svc.stop();
  });

  it('writes only JSON lines to stdout and nothing to stderr', () => {
    assert.equal(exitCode, 0);
    assert.ok(lines.length >= 5);
    for (const l of lines) assert.equal(l.unparsed, undefined, `not JSON: ${String(l.unparsed)}`);
    assert.equal(svc.stderr(), '');
  });

  it('puts the ECS base fields and the service identity on every line', () => {
    for (const l of lines) {
      for (const f of BASE_FIELDS) assert.ok(hasField(l, f), `${f} missing in ${JSON.stringify(l)}`);
      assert.equal(l['service.name'], 'sample-service');
      assert.equal(l['service.environment'], 'staging');
      assert.equal(l['service.node.name'], 'sample-service-5f6d-xyz12');
      assert.equal(l['event.dataset'], LOG_EVENT_DATASET);
      assert.ok(!Number.isNaN(Date.parse(String(l['@timestamp']))));
    }
  });

  it('writes one access line per request with every access field', () => {
    const access = lines.filter((l) => l.message === ACCESS_LOG_MESSAGE);
    assert.deepEqual(access.map((l) => l['http.request.id']).sort(), ['log-1', 'log-error', 'log-missing', 'log-post']);
    for (const l of access) for (const f of ACCESS_LOG_FIELDS) assert.ok(hasField(l, f), `${f} missing in ${JSON.stringify(l)}`);
    const first = access.find((l) => l['http.request.id'] === 'log-1')!;
    assert.equal(first['http.request.method'], 'GET');
    assert.equal(first['url.path'], '/api/users/1');
    assert.equal(first['http.route'], '/api/users/:id');
    assert.equal(first['http.response.status_code'], 200);
    assert.equal(first['user_agent.original'], 'log-test/1.0');
    assert.equal(first['client.ip'], '127.0.0.1');
    assert.equal(first['event.outcome'], 'success');
    assert.ok(Number.isInteger(first['event.duration']) && (first['event.duration'] as number) > 0, 'event.duration in ns');
    assert.equal(access.find((l) => l['http.request.id'] === 'log-missing')!['http.route'], 'unmatched');
  });

  it('logs server errors at error level with error.type, error.message and error.stack_trace', () => {
    const line = lines.find((l) => l['http.request.id'] === 'log-error')!;
    assert.equal(line['log.level'], 'error');
    assert.equal(line['event.outcome'], 'failure');
    for (const f of ERROR_LOG_FIELDS) assert.ok(hasField(line, f), `${f} missing`);
    assert.equal(field(line, 'error.message'), 'This endpoint always fails.');
    assert.match(String(field(line, 'error.stack_trace')), /AppError: This endpoint always fails\./);
    // Client errors are not logged as errors.
    assert.equal(lines.find((l) => l['http.request.id'] === 'log-post')!['log.level'], 'info');
  });

  it('never writes the Authorization or Cookie header values', () => {
    const out = svc.stdout();
    assert.ok(!out.includes('super-secret-token'), 'Authorization leaked');
    assert.ok(!out.includes('cookie-secret'), 'Cookie leaked');
  });

  it('honours LOG_LEVEL: probe access lines are debug and hidden at info', () => {
    assert.equal(lines.find((l) => l['http.request.id'] === 'log-probe'), undefined);
    assert.ok(lines.every((l) => l['log.level'] !== 'debug'));
  });

  it('logs the lifecycle: listening, signal, shutdown complete', () => {
    const messages = lines.map((l) => l.message);
    for (const m of ['server listening', 'signal received', 'shutdown complete']) assert.ok(messages.includes(m), m);
    const listening = lines.find((l) => l.message === 'server listening')!;
    assert.equal(typeof listening['server.port'], 'number');
    assert.equal(listening['server.address'], '127.0.0.1');
  });
});

describe('log level debug', () => {
  it('shows probe access lines at debug', async (t) => {
    const svc = await spawnService({ env: { LOG_LEVEL: 'debug' } });
    t.after(() => svc.stop());
    await (await fetch(`${svc.url}/ready`, { headers: { 'x-request-id': 'probe-debug' } })).arrayBuffer();
    assert.equal(await svc.stop(), 0);
    const line = svc.logLines().find((l) => l['http.request.id'] === 'probe-debug');
    assert.equal(line?.['log.level'], 'debug');
    assert.equal(line?.['http.route'], '/ready');
  });
});
