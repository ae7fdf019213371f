/**
 * OTLP/protobuf encoding of an ExportTraceServiceRequest, byte for byte what
 * @opentelemetry/otlp-transformer's ProtobufTraceSerializer (0.223) writes for the same spans, in
 * about a third of its time on Node 26 (docs/performance.md, "Cheaper spans on Node 26").
 *
 * Where the time goes in the upstream serialiser: every span is walked twice (a size estimate,
 * then the write), every string is scanned twice and copied character by character, ids are
 * converted from hex in JavaScript. Here every span is walked once into a growing Buffer, strings
 * and ids are written by Node's native encoders, and what repeats from span to span is encoded
 * once: attribute keys, the KeyValue of a (key, string value) pair seen before (bounded per key,
 * so a high-cardinality value such as a request id costs memory only up to the bound), the
 * resource and the instrumentation scope.
 *
 * Field numbers and order follow opentelemetry-proto (opentelemetry/proto/trace/v1/trace.proto,
 * common/v1/common.proto, resource/v1/resource.proto) as the upstream serialiser writes them; the
 * test compares the two outputs byte for byte over spans with every field this writer knows.
 */
import type { Attributes, AttributeValue, HrTime, SpanContext } from '@opentelemetry/api';
import { ProtobufTraceSerializer, type IExportTraceServiceResponse, type ISerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace-base';

type Link = ReadableSpan['links'][number];
type Resource = ReadableSpan['resource'];
/** The scope as the upstream serialiser reads it (attributes are newer than the SDK's type). */
type Scope = ReadableSpan['instrumentationScope'] & { attributes?: Attributes; droppedAttributesCount?: number };

/** Distinct string values per attribute key whose encoded KeyValue is kept (about 64 KiB per key at most). */
const VALUES_PER_KEY = 256;
/** Distinct attribute keys kept; keys are names from the code, this only bounds a misbehaving caller. */
const MAX_KEYS = 1024;
/** Longest string value kept encoded: longer ones rarely repeat. */
const MAX_CACHED_VALUE = 256;

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LEN = 2;
const WIRE_FIXED32 = 5;
const SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE = 0x100;
const SPAN_FLAGS_CONTEXT_IS_REMOTE = 0x200;
const MIN_INT64 = -(2 ** 63);
const MAX_INT64 = 2 ** 63;

function varintSize(value: number): number {
  let size = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 0x80);
    size++;
  }
  return size;
}

/** A growing output buffer; every write makes room first. */
class Writer {
  buf: Buffer;
  pos = 0;

  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size);
  }

  room(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + bytes) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }

  /** A non-negative integer below 2^53. */
  varint(value: number): void {
    this.room(10);
    const { buf } = this;
    if (value <= 0xffffffff) {
      let v = value >>> 0;
      while (v > 0x7f) {
        buf[this.pos++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
      buf[this.pos++] = v;
      return;
    }
    this.varint64(value >>> 0, (value / 0x100000000) >>> 0);
  }

  /** Any integer in int64's range, negative ones as ten-byte two's complement (protobuf int64). */
  int64(value: number): void {
    if (value >= 0) {
      this.varint(value);
      return;
    }
    const abs = -value;
    let low = ~(abs >>> 0) >>> 0;
    let high = ~((abs / 0x100000000) >>> 0) >>> 0;
    low = (low + 1) >>> 0;
    if (low === 0) high = (high + 1) >>> 0;
    this.room(10);
    this.varint64(low, high);
  }

  private varint64(low: number, high: number): void {
    const { buf } = this;
    while (high > 0 || low > 0x7f) {
      buf[this.pos++] = (low & 0x7f) | 0x80;
      low = ((low >>> 7) | (high << 25)) >>> 0;
      high >>>= 7;
    }
    buf[this.pos++] = low & 0x7f;
  }

  tag(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }

  bytes(bytes: Uint8Array): void {
    this.varint(bytes.length);
    this.room(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /** Bytes already encoded as a whole field (tag and length included). */
  raw(bytes: Uint8Array): void {
    this.room(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  string(value: string): void {
    const length = Buffer.byteLength(value, 'utf8');
    this.varint(length);
    this.room(length);
    this.pos += this.buf.write(value, this.pos, length, 'utf8');
  }

  /** A lower-case or upper-case hex id as bytes (trace and span ids). */
  hexId(hex: string): void {
    const length = hex.length >>> 1;
    this.varint(length);
    this.room(length);
    const written = this.buf.write(hex, this.pos, length, 'hex');
    // An id that is not valid hex is written as the upstream serialiser does, character by character.
    if (written !== length) writeHexSlowly(this.buf, hex, this.pos, length);
    this.pos += length;
  }

  fixed32(value: number): void {
    this.room(4);
    this.buf.writeUInt32LE(value >>> 0, this.pos);
    this.pos += 4;
  }

  double(value: number): void {
    this.room(8);
    this.buf.writeDoubleLE(value, this.pos);
    this.pos += 8;
  }

  /** [seconds, nanoseconds] as fixed64 nanoseconds since the epoch, exactly (no float rounding). */
  hrTime(time: HrTime): void {
    const [seconds, nanos] = time;
    const fromLow16 = (seconds & 0xffff) * 1e9;
    const fromHigh = ((seconds / 0x10000) >>> 0) * 1e9;
    const low = (fromLow16 >>> 0) + (((fromHigh & 0xffff) * 0x10000) >>> 0) + nanos;
    const high = Math.floor(fromLow16 / 0x100000000) + ((fromHigh / 0x10000) >>> 0) + Math.floor(low / 0x100000000);
    this.room(8);
    this.buf.writeUInt32LE(low >>> 0, this.pos);
    this.buf.writeUInt32LE(high >>> 0, this.pos + 4);
    this.pos += 8;
  }

  /**
   * Starts a length-delimited field whose length is not known yet, reserving `reserve` bytes for
   * it (the size its length usually needs); returns the mark for end().
   */
  begin(reserve: number): number {
    this.room(reserve);
    this.pos += reserve;
    return this.pos;
  }

  /** Writes the length of the field begun at `mark`, moving its content when the length needs another size. */
  end(mark: number, reserve: number): void {
    const length = this.pos - mark;
    const size = varintSize(length);
    if (size !== reserve) {
      this.room(size);
      this.buf.copy(this.buf, mark - reserve + size, mark, this.pos);
      this.pos += size - reserve;
    }
    let at = mark - reserve;
    let v = length;
    while (v > 0x7f) {
      this.buf[at++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[at] = v;
  }

  finish(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}

function hexDigit(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  return code - 55;
}

function writeHexSlowly(buf: Buffer, hex: string, at: number, length: number): void {
  for (let i = 0; i < length; i++) buf[at + i] = ((hexDigit(hex.charCodeAt(2 * i)) << 4) | hexDigit(hex.charCodeAt(2 * i + 1))) & 0xff;
}

function encode(size: number, write: (w: Writer) => void): Buffer {
  const w = new Writer(size);
  write(w);
  return Buffer.from(w.finish());
}

function writeAnyValue(w: Writer, value: unknown): void {
  if (typeof value === 'string') {
    w.tag(1, WIRE_LEN);
    w.string(value);
  } else if (typeof value === 'boolean') {
    w.tag(2, WIRE_VARINT);
    w.varint(value ? 1 : 0);
  } else if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= MIN_INT64 && value < MAX_INT64) {
      w.tag(3, WIRE_VARINT);
      w.int64(value);
    } else {
      w.tag(4, WIRE_FIXED64);
      w.double(value);
    }
  } else if (value instanceof Uint8Array) {
    w.tag(7, WIRE_LEN);
    w.bytes(value);
  } else if (Array.isArray(value)) {
    w.tag(5, WIRE_LEN);
    const array = w.begin(1);
    for (const item of value) {
      w.tag(1, WIRE_LEN);
      const mark = w.begin(1);
      writeAnyValue(w, item);
      w.end(mark, 1);
    }
    w.end(array, 1);
  } else if (typeof value === 'object' && value !== null) {
    w.tag(6, WIRE_LEN);
    const list = w.begin(1);
    for (const key in value) {
      if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
      w.tag(1, WIRE_LEN);
      const kv = w.begin(1);
      writeKeyValueBody(w, key, (value as Record<string, unknown>)[key]);
      w.end(kv, 1);
    }
    w.end(list, 1);
  }
}

function writeKeyValueBody(w: Writer, key: string, value: unknown): void {
  w.tag(1, WIRE_LEN);
  w.string(key);
  w.tag(2, WIRE_LEN);
  const mark = w.begin(1);
  writeAnyValue(w, value);
  w.end(mark, 1);
}

/** Encoded `KeyValue` fields by field number, key and string value; bounded (see the constants above). */
class KeyValueCache {
  private readonly byKey = new Map<string, Map<string, Buffer>>();
  private readonly field: number;

  constructor(field: number) {
    this.field = field;
  }

  get(key: string, value: string): Buffer | undefined {
    let values = this.byKey.get(key);
    if (values === undefined) {
      if (this.byKey.size >= MAX_KEYS) return undefined;
      values = new Map();
      this.byKey.set(key, values);
    }
    let encoded = values.get(value);
    if (encoded === undefined) {
      if (values.size >= VALUES_PER_KEY || value.length > MAX_CACHED_VALUE) return undefined;
      encoded = encode(64, (w) => writeAttribute(w, this.field, key, value));
      values.set(value, encoded);
    }
    return encoded;
  }
}

function writeAttribute(w: Writer, field: number, key: string, value: unknown): void {
  w.tag(field, WIRE_LEN);
  // The common values (a string, a non-negative integer) with their lengths computed up front.
  if (typeof value === 'string' || (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0)) {
    const keyLength = Buffer.byteLength(key, 'utf8');
    const valueLength = typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : varintSize(value);
    const anyValue = 1 + (typeof value === 'string' ? varintSize(valueLength) : 0) + valueLength;
    w.varint(1 + varintSize(keyLength) + keyLength + 1 + varintSize(anyValue) + anyValue);
    w.tag(1, WIRE_LEN);
    w.string(key);
    w.tag(2, WIRE_LEN);
    w.varint(anyValue);
    if (typeof value === 'string') {
      w.tag(1, WIRE_LEN);
      w.string(value);
    } else {
      w.tag(3, WIRE_VARINT);
      w.varint(value);
    }
    return;
  }
  const mark = w.begin(1);
  writeKeyValueBody(w, key, value);
  w.end(mark, 1);
}

const spanAttributeCache = new KeyValueCache(9);

function writeAttributes(w: Writer, attributes: Attributes, field: number, cache?: KeyValueCache): void {
  for (const key in attributes) {
    if (!Object.prototype.hasOwnProperty.call(attributes, key)) continue;
    const value: AttributeValue | undefined = attributes[key];
    const cached = cache !== undefined && typeof value === 'string' ? cache.get(key, value) : undefined;
    if (cached !== undefined) w.raw(cached);
    else writeAttribute(w, field, key, value);
  }
}

function spanFlags(traceFlags: number, isRemote: boolean | undefined): number {
  return (traceFlags & 0xff) | SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE | (isRemote ? SPAN_FLAGS_CONTEXT_IS_REMOTE : 0);
}

function writeEvent(w: Writer, event: TimedEvent): void {
  w.tag(11, WIRE_LEN);
  const mark = w.begin(1);
  w.tag(1, WIRE_FIXED64);
  w.hrTime(event.time);
  w.tag(2, WIRE_LEN);
  w.string(event.name);
  if (event.attributes) writeAttributes(w, event.attributes, 3);
  w.tag(4, WIRE_VARINT);
  w.varint(event.droppedAttributesCount || 0);
  w.end(mark, 1);
}

/** trace_id, span_id and trace_state: fields 1 to 3 of both Span and Span.Link. */
function writeIds(w: Writer, ctx: SpanContext): void {
  w.tag(1, WIRE_LEN);
  w.hexId(ctx.traceId);
  w.tag(2, WIRE_LEN);
  w.hexId(ctx.spanId);
  const traceState = ctx.traceState?.serialize();
  if (traceState) {
    w.tag(3, WIRE_LEN);
    w.string(traceState);
  }
}

function writeLink(w: Writer, link: Link): void {
  w.tag(13, WIRE_LEN);
  const mark = w.begin(1);
  const ctx: SpanContext = link.context;
  writeIds(w, ctx);
  if (link.attributes) writeAttributes(w, link.attributes, 4);
  w.tag(5, WIRE_VARINT);
  w.varint(link.droppedAttributesCount || 0);
  w.tag(6, WIRE_FIXED32);
  w.fixed32(spanFlags(ctx.traceFlags, ctx.isRemote));
  w.end(mark, 1);
}

function writeSpan(w: Writer, span: ReadableSpan): void {
  w.tag(2, WIRE_LEN);
  const mark = w.begin(2);
  const ctx = span.spanContext();
  writeIds(w, ctx);
  const parent = span.parentSpanContext;
  if (parent?.spanId) {
    w.tag(4, WIRE_LEN);
    w.hexId(parent.spanId);
  }
  w.tag(5, WIRE_LEN);
  w.string(span.name);
  const kind = span.kind == null ? 0 : span.kind + 1;
  if (kind !== 0) {
    w.tag(6, WIRE_VARINT);
    w.varint(kind);
  }
  w.tag(7, WIRE_FIXED64);
  w.hrTime(span.startTime);
  w.tag(8, WIRE_FIXED64);
  w.hrTime(span.endTime);
  if (span.attributes) writeAttributes(w, span.attributes, 9, spanAttributeCache);
  w.tag(10, WIRE_VARINT);
  w.varint(span.droppedAttributesCount);
  for (const event of span.events) writeEvent(w, event);
  w.tag(12, WIRE_VARINT);
  w.varint(span.droppedEventsCount);
  for (const link of span.links) writeLink(w, link);
  w.tag(14, WIRE_VARINT);
  w.varint(span.droppedLinksCount);
  w.tag(15, WIRE_LEN);
  const status = w.begin(1);
  if (span.status.message) {
    w.tag(2, WIRE_LEN);
    w.string(span.status.message);
  }
  w.tag(3, WIRE_VARINT);
  w.varint(span.status.code);
  w.end(status, 1);
  w.tag(16, WIRE_FIXED32);
  w.fixed32(spanFlags(ctx.traceFlags, parent?.isRemote));
  w.end(mark, 2);
}

// The resource and the scope of a process's spans are the same objects from span to span.
const encodedResources = new WeakMap<Resource, Buffer>();
const encodedScopes = new WeakMap<Scope, Buffer>();

function resourceField(resource: Resource): Buffer {
  let encoded = encodedResources.get(resource);
  if (encoded === undefined) {
    encoded = encode(1024, (w) => {
      w.tag(1, WIRE_LEN);
      const mark = w.begin(2);
      if (resource.attributes) writeAttributes(w, resource.attributes, 1);
      w.tag(2, WIRE_VARINT);
      w.varint(0);
      w.end(mark, 2);
    });
    // A resource whose attributes are still being detected asynchronously changes: keep only settled ones.
    if (resource.asyncAttributesPending !== true) encodedResources.set(resource, encoded);
  }
  return encoded;
}

function scopeField(scope: Scope): Buffer {
  let encoded = encodedScopes.get(scope);
  if (encoded === undefined) {
    encoded = encode(128, (w) => {
      w.tag(1, WIRE_LEN);
      const mark = w.begin(1);
      w.tag(1, WIRE_LEN);
      w.string(scope.name);
      if (scope.version) {
        w.tag(2, WIRE_LEN);
        w.string(scope.version);
      }
      if (scope.attributes) writeAttributes(w, scope.attributes, 3);
      if (scope.droppedAttributesCount) {
        w.tag(4, WIRE_VARINT);
        w.varint(scope.droppedAttributesCount);
      }
      w.end(mark, 1);
    });
    encodedScopes.set(scope, encoded);
  }
  return encoded;
}

/** Spans grouped by resource, then by scope, in first-seen order (as the upstream serialiser groups them). */
function group(spans: readonly ReadableSpan[]): Map<Resource, Map<Scope, ReadableSpan[]>> {
  const byResource = new Map<Resource, Map<Scope, ReadableSpan[]>>();
  for (const span of spans) {
    let byScope = byResource.get(span.resource);
    if (byScope === undefined) {
      byScope = new Map();
      byResource.set(span.resource, byScope);
    }
    const list = byScope.get(span.instrumentationScope);
    if (list === undefined) byScope.set(span.instrumentationScope, [span]);
    else list.push(span);
  }
  return byResource;
}

/** An OTLP ExportTraceServiceRequest in protobuf for `spans`. */
export function serializeTraceRequest(spans: readonly ReadableSpan[]): Uint8Array {
  const w = new Writer(1024 + spans.length * 640);
  for (const [resource, byScope] of group(spans)) {
    w.tag(1, WIRE_LEN);
    const resourceSpans = w.begin(3);
    w.raw(resourceField(resource));
    for (const [scope, scopeSpans] of byScope) {
      w.tag(2, WIRE_LEN);
      const mark = w.begin(3);
      w.raw(scopeField(scope));
      for (const span of scopeSpans) writeSpan(w, span);
      if (scope.schemaUrl) {
        w.tag(3, WIRE_LEN);
        w.string(scope.schemaUrl);
      }
      w.end(mark, 3);
    }
    if (resource.schemaUrl) {
      w.tag(3, WIRE_LEN);
      w.string(resource.schemaUrl);
    }
    w.end(resourceSpans, 3);
  }
  return w.finish();
}

/** The serialiser for the OTLP/HTTP exporter: this encoder for requests, the upstream one for responses. */
export const FastProtobufTraceSerializer: ISerializer<ReadableSpan[], IExportTraceServiceResponse> = {
  serializeRequest: serializeTraceRequest,
  deserializeResponse: (data) => ProtobufTraceSerializer.deserializeResponse(data),
};
