import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { context, SpanKind, SpanStatusCode, trace, TraceFlags, type Attributes } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { serializeTraceRequest } from '../src/telemetry/otlp-trace-serializer.js';
import { decodeTraceRequest, SPAN_KIND, STATUS_CODE } from './support/otlp-receiver.js';
import { recordServerSpan } from './support/server-spans.js';

function provider(attributes: Attributes) {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({
    resource: resourceFromAttributes(attributes),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  return { exporter, tracerProvider };
}

/** The service's server span: the 13 attributes the middleware sets. */
function serverSpan(tracer: ReturnType<BasicTracerProvider['getTracer']>, i: number, extra: Attributes = {}): void {
  recordServerSpan(tracer, { peerPort: 40_000 + i, path: `/api/users/${i % 300}`, route: '/api/users/:id', requestId: `req-${i}`, status: i % 7 === 0 ? 503 : 200, extra });
}

/** Spans with every field the encoder writes: two resources, two scopes, events, links, remote parents, odd values. */
function variedSpans(): ReadableSpan[] {
  const a = provider({ 'service.name': 'sample-service', 'process.command_args': ['node', '--import', 'x.js'], 'host.cpus': 2, ok: true });
  const b = provider({ 'service.name': 'other', 'résumé': 'naïve ☃' });
  const tracer = a.tracerProvider.getTracer('sample-service', '1.2.3', { schemaUrl: 'https://opentelemetry.io/schemas/1.30.0' });
  const other = a.tracerProvider.getTracer('second-scope');
  const tracerB = b.tracerProvider.getTracer('b');

  for (let i = 0; i < 40; i++) serverSpan(tracer, i);

  const remote = trace.setSpanContext(context.active(), {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
    traceState: new TraceState('es=s:1,vendor=value'),
  });
  const parent = tracer.startSpan('POST /api/users', { kind: SpanKind.SERVER }, remote);
  const child = other.startSpan(
    'users.create ünïcödé 日本',
    {
      kind: SpanKind.INTERNAL,
      attributes: {
        double: 1.5,
        negative: -42,
        'min.safe': Number.MIN_SAFE_INTEGER,
        big: 2 ** 40,
        huge: 2 ** 60,
        bool: false,
        empty: '',
        strings: ['a', 'ß', ''],
        numbers: [1, 2.5, -3],
        long: 'x'.repeat(1000),
        unicode: '日本語テキスト',
      },
      links: [
        { context: parent.spanContext(), attributes: { 'link.kind': 'follows' } },
        { context: { traceId: 'ABCDEF0123456789ABCDEF0123456789', spanId: '0123456789ABCDEF', traceFlags: 0, traceState: new TraceState('k=v') } },
      ],
    },
    trace.setSpan(remote, parent),
  );
  child.addEvent('checkpoint', { step: 1, 'step.name': 'validate' });
  child.recordException(new Error('the store is read-only ✗'));
  child.setStatus({ code: SpanStatusCode.ERROR, message: 'the store is read-only ✗' });
  child.end();
  parent.setStatus({ code: SpanStatusCode.OK });
  parent.end();

  // A span larger than 16 KiB (its length needs three bytes) and one with no attributes (one byte).
  tracer.startSpan('big', { attributes: { payload: 'y'.repeat(20_000) } }).end();
  tracerB.startSpan('bare').end();
  serverSpan(tracer, 1000, { 'url.query': 'q=%E2%9C%93' });

  return [...a.exporter.getFinishedSpans(), ...b.exporter.getFinishedSpans()];
}

describe('OTLP trace serialiser', () => {
  it('writes the same bytes as the OpenTelemetry protobuf serialiser for spans with every field', () => {
    const spans = variedSpans();
    const expected = ProtobufTraceSerializer.serializeRequest(spans);
    assert.ok(expected !== undefined);
    // Twice: the second time from the caches of keys, values, resource and scope.
    assert.deepEqual(Buffer.from(serializeTraceRequest(spans)), Buffer.from(expected));
    assert.deepEqual(Buffer.from(serializeTraceRequest(spans)), Buffer.from(expected));
  });

  it('writes the same bytes when the request needs a four-byte length and values exceed the cache bound', () => {
    const { exporter, tracerProvider } = provider({ 'service.name': 'sample-service' });
    const tracer = tracerProvider.getTracer('sample-service');
    // 400 distinct values of one key (past the 256 kept) and 2.4 MiB in one resource's spans.
    for (let i = 0; i < 400; i++) serverSpan(tracer, i, { 'url.path': `/api/users/${i}`, filler: 'z'.repeat(6000) });
    const spans = exporter.getFinishedSpans();
    const expected = ProtobufTraceSerializer.serializeRequest(spans);
    assert.ok(expected !== undefined && expected.length > 2 ** 21);
    assert.deepEqual(Buffer.from(serializeTraceRequest(spans)), Buffer.from(expected));
  });

  it('is decoded by an OTLP receiver into the spans, attributes, events and statuses that were recorded', () => {
    const spans = variedSpans();
    const received = decodeTraceRequest(Buffer.from(serializeTraceRequest(spans)), 'application/x-protobuf');
    assert.equal(received.length, spans.length);

    const server = received.find((s) => s.attributes['http.request.id'] === 'req-7');
    assert.ok(server);
    assert.equal(server.name, 'GET /api/users/:id');
    assert.equal(server.kind, SPAN_KIND.server);
    assert.equal(server.scope, 'sample-service');
    assert.deepEqual(server.status, { code: STATUS_CODE.error, message: '' });
    assert.equal(server.attributes['http.response.status_code'], 503);
    assert.equal(server.attributes['network.peer.port'], 40_007);
    assert.equal(server.attributes['http.route'], '/api/users/:id');
    assert.deepEqual(server.resource['process.command_args'], ['node', '--import', 'x.js']);

    const child = received.find((s) => s.name === 'users.create ünïcödé 日本');
    assert.ok(child);
    const parent = received.find((s) => s.name === 'POST /api/users');
    assert.equal(child.parentSpanId, parent?.spanId);
    assert.equal(parent?.parentSpanId, 'b7ad6b7169203331');
    assert.equal(parent?.traceId, '0af7651916cd43dd8448eb211c80319c');
    assert.equal(child.attributes.negative, -42);
    assert.equal(child.attributes.double, 1.5);
    assert.equal(child.attributes.unicode, '日本語テキスト');
    assert.deepEqual(child.attributes.strings, ['a', 'ß', '']);
    assert.deepEqual(
      child.events.map((e) => e.name),
      ['checkpoint', 'exception'],
    );
    assert.equal(child.events[1]?.attributes['exception.message'], 'the store is read-only ✗');
    assert.deepEqual(child.status, { code: STATUS_CODE.error, message: 'the store is read-only ✗' });

    assert.deepEqual(received.find((s) => s.name === 'bare')?.resource, { 'service.name': 'other', 'résumé': 'naïve ☃' });
  });
});
