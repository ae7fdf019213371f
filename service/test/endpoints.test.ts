import assert from 'node:assert/strict';
import { describe, it, before, after } from 'node:test';
import { seededRandom } from '../src/random.js';
import type { ERROR_CODES } from '../src/errors.js';
import { DEFAULT_PAGE_SIZE, SEED_USERS } from '../src/users.js';
import { request, startTestServer, type TestServer } from './support/in-process.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function assertErrorShape(body: unknown, code: keyof typeof ERROR_CODES, requestId?: string): void {
  const err = (body as { error: Record<string, unknown> }).error;
  assert.equal(err.code, code);
  assert.equal(typeof err.message, 'string');
  assert.ok((err.message as string).length > 0);
  if (requestId !== undefined) assert.equal(err.requestId, requestId);
  else assert.match(String(err.requestId), UUID);
}

describe('service endpoints', () => {
  let svc: TestServer;
  before(async () => {
    svc = await startTestServer({ SLOW_MIN_MS: '20', SLOW_MAX_MS: '60', BODY_LIMIT: '1kb' });
  });
  after(() => svc.shutdown());

  it('reports liveness with status, version and uptime', async () => {
    const r = await request(svc.url, '/health');
    assert.equal(r.status, 200);
    const body = r.body as Record<string, unknown>;
    assert.equal(body.status, 'ok');
    assert.equal(body.version, svc.config.service.version);
    assert.equal(typeof body.uptimeSeconds, 'number');
  });

  it('reports readiness once started', async () => {
    const r = await request(svc.url, '/ready');
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { status: 'ready' });
  });

  it('serves Prometheus text on /metrics', async () => {
    const r = await request(svc.url, '/metrics');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    assert.match(r.text, /^# HELP http_requests_total /m);
  });

  it('lists the seed users on the first page', async () => {
    const r = await request(svc.url, '/api/users');
    assert.equal(r.status, 200);
    const page = r.body as { users: { id: number; name: string; email: string }[]; total: number; limit: number; offset: number };
    assert.ok(page.users.length >= SEED_USERS.length);
    assert.deepEqual(page.users.slice(0, SEED_USERS.length).map((u) => u.name), SEED_USERS.map((u) => u.name));
    assert.equal(page.limit, DEFAULT_PAGE_SIZE);
    assert.equal(page.offset, 0);
    assert.ok(page.total >= page.users.length);
  });

  it('returns one user by id', async () => {
    const r = await request(svc.url, '/api/users/2');
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { id: 2, ...SEED_USERS[1] });
  });

  it('answers 404 with the error shape for an unknown user id', async () => {
    const r = await request(svc.url, '/api/users/999999', { headers: { 'x-request-id': 'lookup-404' } });
    assert.equal(r.status, 404);
    assertErrorShape(r.body, 'user_not_found', 'lookup-404');
  });

  it('states the real id limit: 9 digits pass validation, 10 do not', async () => {
    assert.equal((await request(svc.url, '/api/users/999999999')).status, 404);
    const r = await request(svc.url, '/api/users/1000000000');
    assert.equal(r.status, 400);
    assert.match((r.body as { error: { message: string } }).error.message, /from 1 to 999999999/);
  });

  for (const bad of ['abc', '0', '-1', '1.5', '12345678901']) {
    it(`answers 400 for the malformed id ${JSON.stringify(bad)}`, async () => {
      const r = await request(svc.url, `/api/users/${encodeURIComponent(bad)}`);
      assert.equal(r.status, 400);
      assertErrorShape(r.body, 'invalid_id');
    });
  }

  it('creates a user, answers 201 with a Location, and serves it afterwards', async () => {
    const r = await request(svc.url, '/api/users', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Katherine Johnson', email: 'katherine@example.com' }),
    });
    assert.equal(r.status, 201);
    const created = r.body as { id: number; name: string };
    assert.equal(created.name, 'Katherine Johnson');
    assert.equal(r.headers.get('location'), `/api/users/${created.id}`);
    const again = await request(svc.url, `/api/users/${created.id}`);
    assert.deepEqual(again.body, created);
  });

  it('answers 400 invalid_json for a body that is not JSON', async () => {
    const r = await request(svc.url, '/api/users', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name": "x",',
    });
    assert.equal(r.status, 400);
    assertErrorShape(r.body, 'invalid_json');
  });

  it('answers 400 validation_failed listing every field error', async () => {
    const r = await request(svc.url, '/api/users', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: '', email: 'not-an-email', role: 'admin' }),
    });
    assert.equal(r.status, 400);
    assertErrorShape(r.body, 'validation_failed');
    const fields = ((r.body as { error: { details: { field: string }[] } }).error.details).map((d) => d.field).sort();
    assert.deepEqual(fields, ['email', 'name', 'role']);
  });

  it('answers 400 for a JSON body that is not an object', async () => {
    const r = await request(svc.url, '/api/users', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '[1,2]',
    });
    assert.equal(r.status, 400);
    assertErrorShape(r.body, 'validation_failed');
  });

  for (const [body, got] of [['null', 'null'], ['42', 'a number'], ['"x"', 'a string'], ['[1,2]', 'an array']] as const) {
    it(`answers 400 for the JSON body ${body}, saying it must be an object, not ${got}`, async () => {
      const r = await request(svc.url, '/api/users', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      assert.equal(r.status, 400);
      assertErrorShape(r.body, 'validation_failed');
      assert.match((r.body as { error: { message: string } }).error.message, new RegExp(`must be a JSON object.*not ${got}\\.$`));
    });
  }

  it('answers 413 for a body above BODY_LIMIT, stating the limit', async () => {
    const r = await request(svc.url, '/api/users', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x'.repeat(2048), email: 'big@example.com' }),
    });
    assert.equal(r.status, 413);
    assertErrorShape(r.body, 'payload_too_large');
    assert.match((r.body as { error: { message: string } }).error.message, /limit of 1024 bytes/);
    assert.deepEqual((r.body as { error: { details: unknown } }).error.details, { limitBytes: 1024 });
  });

  it('answers 415 naming the charset when the JSON body is not UTF-8', async () => {
    const r = await request(svc.url, '/api/users', {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=latin1' },
      body: JSON.stringify({ name: 'Zoë', email: 'zoe@example.com' }),
    });
    assert.equal(r.status, 415);
    assertErrorShape(r.body, 'unsupported_media_type');
    assert.match((r.body as { error: { message: string } }).error.message, /charset "latin1" is not supported.*UTF-8/);
  });

  it('answers 415 for a body that is not declared as JSON', async () => {
    const r = await request(svc.url, '/api/users', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'name=x',
    });
    assert.equal(r.status, 415);
    assertErrorShape(r.body, 'unsupported_media_type');
  });

  it('always answers 500 on /api/error', async () => {
    for (let i = 0; i < 3; i++) {
      const r = await request(svc.url, '/api/error');
      assert.equal(r.status, 500);
      assertErrorShape(r.body, 'simulated_error');
    }
  });

  it('answers /api/slow after a delay within SLOW_MIN_MS..SLOW_MAX_MS', async () => {
    const r = await request(svc.url, '/api/slow');
    assert.equal(r.status, 200);
    const { delayMs } = r.body as { delayMs: number };
    assert.ok(delayMs >= 20 && delayMs <= 60, `delayMs ${delayMs}`);
  });

  it('answers unknown routes with a JSON 404 carrying the request id', async () => {
    const r = await request(svc.url, '/no/such/route', { headers: { 'x-request-id': 'req-404' } });
    assert.equal(r.status, 404);
    assert.equal(r.headers.get('x-request-id'), 'req-404');
    assertErrorShape(r.body, 'route_not_found', 'req-404');
  });

  it('answers other methods on a known route with 405 and an Allow header listing the served ones', async () => {
    const r = await request(svc.url, '/api/error', { method: 'DELETE' });
    assert.equal(r.status, 405);
    assert.equal(r.headers.get('allow'), 'GET, HEAD, OPTIONS');
    assertErrorShape(r.body, 'method_not_allowed');
    const put = await request(svc.url, '/api/users', { method: 'PUT' });
    assert.equal(put.status, 405);
    assert.equal(put.headers.get('allow'), 'GET, HEAD, POST, OPTIONS');
    assert.match((put.body as { error: { message: string } }).error.message, /GET, HEAD, POST, OPTIONS/);
    const onUser = await request(svc.url, '/api/users/1', { method: 'PATCH' });
    assert.equal(onUser.status, 405);
    assert.equal(onUser.headers.get('allow'), 'GET, HEAD, OPTIONS');
  });

  it('answers OPTIONS on a known route with 204 and Allow', async () => {
    const r = await request(svc.url, '/api/users', { method: 'OPTIONS' });
    assert.equal(r.status, 204);
    assert.equal(r.headers.get('allow'), 'GET, HEAD, POST, OPTIONS');
  });

  it('echoes a valid X-Request-ID and replaces an invalid one with a generated id', async () => {
    const valid = await request(svc.url, '/api/users', { headers: { 'x-request-id': 'abc-123_DEF.4:5' } });
    assert.equal(valid.headers.get('x-request-id'), 'abc-123_DEF.4:5');
    const tooLong = await request(svc.url, '/api/users', { headers: { 'x-request-id': 'a'.repeat(129) } });
    assert.match(tooLong.headers.get('x-request-id') ?? '', UUID);
    const badChars = await request(svc.url, '/api/users', { headers: { 'x-request-id': 'bad id<script>' } });
    assert.match(badChars.headers.get('x-request-id') ?? '', UUID);
    const absent = await request(svc.url, '/api/users');
    assert.match(absent.headers.get('x-request-id') ?? '', UUID);
  });
});

describe('flaky endpoint', () => {
  const REQUESTS = 200;

  async function failures(env: Record<string, string>, random?: () => number): Promise<number> {
    const svc = await startTestServer(env, random === undefined ? {} : { random });
    try {
      let failed = 0;
      for (let i = 0; i < REQUESTS; i++) {
        const r = await request(svc.url, '/api/flaky');
        if (r.status === 500) {
          assertErrorShape(r.body, 'flaky_failure');
          failed++;
        } else {
          assert.equal(r.status, 200);
        }
      }
      return failed;
    } finally {
      await svc.shutdown();
    }
  }

  it('fails exactly when the seeded random source falls below FLAKY_FAILURE_RATE', async () => {
    const seed = 424242;
    const reference = seededRandom(seed);
    let expected = 0;
    for (let i = 0; i < REQUESTS; i++) if (reference() < 0.3) expected++;
    assert.equal(await failures({ RANDOM_SEED: String(seed) }), expected);
    // And the default rate is about 30 %: within 4 standard deviations of the binomial mean.
    const sd = Math.sqrt(REQUESTS * 0.3 * 0.7);
    assert.ok(Math.abs(expected - REQUESTS * 0.3) < 4 * sd, `expected ${expected}`);
  });

  it('is reproducible for one seed', async () => {
    const a = await failures({ RANDOM_SEED: '7', FLAKY_FAILURE_RATE: '0.5' });
    const b = await failures({ RANDOM_SEED: '7', FLAKY_FAILURE_RATE: '0.5' });
    assert.equal(a, b);
  });

  it('never fails at rate 0 and always fails at rate 1', async () => {
    assert.equal(await failures({ FLAKY_FAILURE_RATE: '0' }), 0);
    assert.equal(await failures({ FLAKY_FAILURE_RATE: '1' }), REQUESTS);
  });
});

describe('readiness during shutdown', () => {
  it('answers 503 not_ready with Connection: close while draining', async () => {
    const svc = await startTestServer({ SHUTDOWN_DELAY_MS: '400' });
    const done = svc.shutdown();
    const r = await request(svc.url, '/ready');
    assert.equal(r.status, 503);
    assertErrorShape(r.body, 'not_ready');
    assert.deepEqual((r.body as { error: { details: unknown } }).error.details, { state: 'draining' });
    assert.equal(r.headers.get('connection'), 'close');
    // Expected while draining: the probe's access line is no error and carries no error fields.
    const line = svc.logLines().find((l) => l['http.route'] === '/ready' && l['http.response.status_code'] === 503);
    assert.ok(line, 'an access line for the 503');
    assert.equal(line['log.level'], 'debug');
    assert.equal(line['error.type'], undefined);
    assert.equal(line['error.stack_trace'], undefined);
    // Liveness stays 200: a draining pod must not be restarted.
    assert.equal((await request(svc.url, '/health')).status, 200);
    await done;
  });
});
