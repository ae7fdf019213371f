import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import { diag, type Attributes } from '@opentelemetry/api';
import { serverSpanAttributes } from '../src/telemetry/http-server-span.js';

// The reference: the function @opentelemetry/instrumentation-http itself uses for an incoming
// request's span attributes (stable semantic conventions). Internal to the package, hence required by path.
const require = createRequire(import.meta.url);
const reference = require('@opentelemetry/instrumentation-http/build/src/utils.js') as {
  getIncomingRequestAttributes(
    req: IncomingMessage,
    options: { component: string; enableSyntheticSourceDetection: boolean; redactedQueryParams?: string[] },
    logger: typeof diag,
  ): Attributes;
};

interface Shape {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string | string[]>;
  readonly remoteAddress?: string;
  readonly remotePort?: number;
  readonly httpVersion?: string;
}

function fakeRequest(shape: Shape): IncomingMessage {
  return {
    method: shape.method,
    url: shape.url,
    headers: shape.headers,
    httpVersion: shape.httpVersion ?? '1.1',
    socket: { remoteAddress: shape.remoteAddress ?? '127.0.0.1', remotePort: shape.remotePort ?? 51234 },
  } as unknown as IncomingMessage;
}

/** Attribute objects compared without keys whose value is undefined (never exported). */
function defined(attributes: Attributes): Attributes {
  return Object.fromEntries(Object.entries(attributes).filter(([, v]) => v !== undefined));
}

const CASES: Record<string, Shape> = {
  'a plain GET': { method: 'GET', url: '/api/users', headers: { host: 'localhost:8080', 'user-agent': 'curl/8.5' } },
  'a path parameter': { method: 'GET', url: '/api/users/42', headers: { host: 'svc.default.svc:8080' } },
  'a host without a port': { method: 'GET', url: '/api/users', headers: { host: 'example.com' } },
  'no host header': { method: 'GET', url: '/api/users', headers: {} },
  'an IPv6 host with a port': { method: 'GET', url: '/', headers: { host: '[::1]:8080' }, remoteAddress: '::1' },
  'an IPv6 host without a port': { method: 'GET', url: '/', headers: { host: '[::1]' }, remoteAddress: '::1' },
  'a query with a signature to redact': { method: 'GET', url: '/api/users?page=2&sig=secret&X-Amz-Signature=abc', headers: { host: 'h:1' } },
  'dot segments and escapes in the path': { method: 'GET', url: '/api/../api/users/%7Bx%7D/./a b', headers: { host: 'h:1' } },
  'a lower-case method': { method: 'get', url: '/api/users', headers: { host: 'h:1' } },
  'an unknown method': { method: 'FOO', url: '/api/users', headers: { host: 'h:1' } },
  'POST over HTTP/1.0': { method: 'POST', url: '/api/users', headers: { host: 'h:1' }, httpVersion: '1.0' },
  'X-Forwarded-For and X-Forwarded-Host': {
    method: 'GET',
    url: '/api/users',
    headers: { host: 'pod:8080', 'x-forwarded-for': '203.0.113.7, 10.0.0.1', 'x-forwarded-host': 'api.example.com', 'x-forwarded-proto': 'https' },
  },
  'X-Forwarded-For with a port': { method: 'GET', url: '/', headers: { host: 'pod:8080', 'x-forwarded-for': '203.0.113.7:4711' } },
  'Forwarded (RFC 7239)': {
    method: 'GET',
    url: '/api/users',
    headers: { host: 'pod:8080', forwarded: 'for="[2001:db8::1]:4711";host=api.example.com;proto=https, for=10.0.0.1' },
  },
  'a malformed Forwarded header': { method: 'GET', url: '/', headers: { host: 'pod:8080', forwarded: 'for=;;==' } },
};

describe('the service-made server span attributes', () => {
  for (const [title, shape] of Object.entries(CASES)) {
    it(`equal instrumentation-http's stable HTTP attributes for ${title}`, () => {
      const expected = reference.getIncomingRequestAttributes(fakeRequest(shape), { component: 'http', enableSyntheticSourceDetection: false }, diag);
      assert.deepEqual(defined(serverSpanAttributes(fakeRequest(shape))), defined(expected));
    });
  }

  it('never carries a redacted query value', () => {
    const attributes = serverSpanAttributes(fakeRequest(CASES['a query with a signature to redact']!));
    assert.equal(attributes['url.query'], 'page=2&sig=REDACTED&X-Amz-Signature=REDACTED');
  });
});
