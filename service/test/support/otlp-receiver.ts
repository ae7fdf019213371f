/**
 * An OTLP/HTTP trace receiver for tests: listens on 127.0.0.1 (ephemeral port), accepts
 * `POST /v1/traces` in binary protobuf (application/x-protobuf, what APM Server requires) and JSON
 * (application/json), optionally gzip-compressed, and decodes the spans.
 *
 * With `{ apmServer: true }` it follows Elastic APM Server's OTLP/HTTP intake instead
 * (elastic/apm-server v9.4.3, internal/beater/otlp/http.go): every body is unmarshalled as protobuf
 * whatever its Content-Type, and one that does not unmarshal (JSON) is answered 400. With
 * `authorization` set, a request without exactly that Authorization header is answered 401, as APM
 * Server's AuthMiddleware does (internal/beater/middleware/auth_middleware.go) before any handler.
 *
 * The protobuf schema below is the subset of opentelemetry-proto's trace, resource and common
 * messages the tests read, with the field numbers of opentelemetry/proto/trace/v1/trace.proto.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import protobuf from 'protobufjs';

const OTLP_SCHEMA = {
  nested: {
    ExportTraceServiceRequest: { fields: { resourceSpans: { rule: 'repeated', type: 'ResourceSpans', id: 1 } } },
    ResourceSpans: {
      fields: {
        resource: { type: 'Resource', id: 1 },
        scopeSpans: { rule: 'repeated', type: 'ScopeSpans', id: 2 },
      },
    },
    Resource: { fields: { attributes: { rule: 'repeated', type: 'KeyValue', id: 1 } } },
    ScopeSpans: {
      fields: {
        scope: { type: 'InstrumentationScope', id: 1 },
        spans: { rule: 'repeated', type: 'Span', id: 2 },
      },
    },
    InstrumentationScope: { fields: { name: { type: 'string', id: 1 }, version: { type: 'string', id: 2 } } },
    Span: {
      fields: {
        traceId: { type: 'bytes', id: 1 },
        spanId: { type: 'bytes', id: 2 },
        parentSpanId: { type: 'bytes', id: 4 },
        name: { type: 'string', id: 5 },
        kind: { type: 'int32', id: 6 },
        startTimeUnixNano: { type: 'fixed64', id: 7 },
        endTimeUnixNano: { type: 'fixed64', id: 8 },
        attributes: { rule: 'repeated', type: 'KeyValue', id: 9 },
        events: { rule: 'repeated', type: 'Event', id: 11 },
        status: { type: 'Status', id: 15 },
      },
    },
    Event: {
      fields: {
        timeUnixNano: { type: 'fixed64', id: 1 },
        name: { type: 'string', id: 2 },
        attributes: { rule: 'repeated', type: 'KeyValue', id: 3 },
      },
    },
    Status: { fields: { message: { type: 'string', id: 2 }, code: { type: 'int32', id: 3 } } },
    KeyValue: { fields: { key: { type: 'string', id: 1 }, value: { type: 'AnyValue', id: 2 } } },
    AnyValue: {
      oneofs: { value: { oneof: ['stringValue', 'boolValue', 'intValue', 'doubleValue', 'arrayValue'] } },
      fields: {
        stringValue: { type: 'string', id: 1 },
        boolValue: { type: 'bool', id: 2 },
        intValue: { type: 'int64', id: 3 },
        doubleValue: { type: 'double', id: 4 },
        arrayValue: { type: 'ArrayValue', id: 5 },
      },
    },
    ArrayValue: { fields: { values: { rule: 'repeated', type: 'AnyValue', id: 1 } } },
  },
};

const ExportTraceServiceRequest = protobuf.Root.fromJSON(OTLP_SCHEMA).lookupType('ExportTraceServiceRequest');

/** OTLP span kinds (opentelemetry-proto SpanKind). */
export const SPAN_KIND = { internal: 1, server: 2, client: 3 } as const;
/** OTLP status codes. */
export const STATUS_CODE = { unset: 0, ok: 1, error: 2 } as const;

export type AttributeValue = string | number | boolean | AttributeValue[];

export interface ReceivedSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string;
  readonly name: string;
  readonly kind: number;
  readonly attributes: Readonly<Record<string, AttributeValue>>;
  readonly events: readonly { name: string; attributes: Readonly<Record<string, AttributeValue>> }[];
  readonly status: { readonly code: number; readonly message: string };
  readonly resource: Readonly<Record<string, AttributeValue>>;
  readonly scope: string;
}

export interface ReceivedRequest {
  readonly contentType: string;
  readonly headers: IncomingMessage['headers'];
}

export interface OtlpReceiverOptions {
  /** Behave like APM Server's OTLP/HTTP intake: protobuf only, whatever the Content-Type. */
  readonly apmServer?: boolean;
  /** The Authorization header value required (e.g. `Bearer <secret token>`); others get 401. */
  readonly authorization?: string;
}

export interface OtlpReceiver {
  /** Base URL, for OTEL_EXPORTER_OTLP_ENDPOINT. */
  readonly url: string;
  readonly spans: ReceivedSpan[];
  readonly requests: ReceivedRequest[];
  /** Status codes of the requests answered with an error (400, 401), in order. */
  readonly rejected: number[];
  /** Resolves once `predicate` holds for the spans received (polls; rejects after `timeoutMs`). */
  waitFor(predicate: (spans: readonly ReceivedSpan[]) => boolean, timeoutMs?: number): Promise<readonly ReceivedSpan[]>;
  close(): Promise<void>;
}

/* eslint-disable @typescript-eslint/no-explicit-any -- decoded wire data is untyped by nature */
function anyValue(v: any): AttributeValue {
  if (v === undefined || v === null) return '';
  if (v.stringValue !== undefined) return String(v.stringValue);
  if (v.boolValue !== undefined) return Boolean(v.boolValue);
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return Number(v.doubleValue);
  if (v.arrayValue !== undefined) return ((v.arrayValue.values ?? []) as any[]).map(anyValue);
  return '';
}

function attributes(list: any[] | undefined): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const kv of list ?? []) out[String(kv.key)] = anyValue(kv.value);
  return out;
}

function hexId(id: unknown): string {
  if (id === undefined || id === null) return '';
  if (typeof id === 'string') return id.toLowerCase(); // OTLP/JSON: hex strings
  return Buffer.from(id as Uint8Array).toString('hex');
}

function toSpans(request: any): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  for (const rs of request.resourceSpans ?? []) {
    const resource = attributes(rs.resource?.attributes);
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        out.push({
          traceId: hexId(s.traceId),
          spanId: hexId(s.spanId),
          parentSpanId: hexId(s.parentSpanId),
          name: String(s.name ?? ''),
          kind: Number(s.kind ?? 0),
          attributes: attributes(s.attributes),
          events: ((s.events ?? []) as any[]).map((e) => ({ name: String(e.name ?? ''), attributes: attributes(e.attributes) })),
          status: { code: Number(s.status?.code ?? 0), message: String(s.status?.message ?? '') },
          resource,
          scope: String(ss.scope?.name ?? ''),
        });
      }
    }
  }
  return out;
}
/* eslint-enable @typescript-eslint/no-explicit-any */

export function decodeTraceRequest(body: Buffer, contentType: string): ReceivedSpan[] {
  if (contentType.startsWith('application/json')) return toSpans(JSON.parse(body.toString('utf8')));
  const message = ExportTraceServiceRequest.decode(body);
  return toSpans(ExportTraceServiceRequest.toObject(message, { longs: String, defaults: false }));
}

/** The decoded export request as the OTLP/JSON shape (ids as bytes when the body was protobuf). */
export function decodeTraceRequestObject(body: Buffer, contentType: string): unknown {
  if (contentType.startsWith('application/json')) return JSON.parse(body.toString('utf8'));
  return ExportTraceServiceRequest.toObject(ExportTraceServiceRequest.decode(body), { longs: String, defaults: false });
}

export async function startOtlpReceiver(options: OtlpReceiverOptions = {}): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const requests: ReceivedRequest[] = [];
  const rejected: number[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const contentType = String(req.headers['content-type'] ?? '');
      if (req.method !== 'POST' || req.url !== '/v1/traces') {
        res.writeHead(404).end();
        return;
      }
      if (options.authorization !== undefined && req.headers.authorization !== options.authorization) {
        rejected.push(401);
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"authentication failed"}');
        return;
      }
      try {
        let body = Buffer.concat(chunks);
        if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
        spans.push(...decodeTraceRequest(body, options.apmServer === true ? 'application/x-protobuf' : contentType));
        requests.push({ contentType, headers: req.headers });
        // An empty ExportTraceServiceResponse: zero bytes in protobuf, {} in JSON.
        if (contentType.startsWith('application/json')) res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        else res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      } catch (error) {
        rejected.push(400);
        res.writeHead(400, { 'content-type': 'text/plain' }).end(`failed to unmarshal request body: ${String(error)}`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    requests,
    rejected,
    async waitFor(predicate, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(spans)) {
        if (Date.now() > deadline) {
          throw new Error(`expected spans not received within ${timeoutMs} ms; got: ${spans.map((s) => s.name).join(', ') || 'none'}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      return spans;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
