/**
 * What serialising one span for OTLP costs on this Node, apart from everything else: 512 spans
 * shaped like the service's server spans (name, kind, the 13 attributes) serialised by
 * otlp-transformer's protobuf and JSON serialisers, as the OTLP/HTTP exporters do per batch.
 *
 *   npx tsx scripts/bench/span-serialisation.ts                 # on the default node
 *   npx -y node@26 --import tsx scripts/bench/span-serialisation.ts
 */
import { randomUUID } from 'node:crypto';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { FastProtobufTraceSerializer } from '../../service/src/telemetry/otlp-trace-serializer.js';
import { recordServerSpan } from '../../service/test/support/server-spans.js';

const BATCH = 512;
const ROUNDS = 200;

const exporter = new InMemorySpanExporter();
const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).getTracer('span-serialisation');
for (let i = 0; i < BATCH; i++) {
  recordServerSpan(tracer, { peerPort: 40_000 + i, path: '/api/users', route: '/api/users', requestId: randomUUID(), status: 200 });
}
const spans = exporter.getFinishedSpans();

const serializers = [
  ['protobuf (service)', FastProtobufTraceSerializer],
  ['protobuf (otlp-transformer)', ProtobufTraceSerializer],
  ['json (otlp-transformer)', JsonTraceSerializer],
] as const;
for (const [name, serializer] of serializers) {
  for (let i = 0; i < 50; i++) serializer.serializeRequest(spans); // warm-up
  let bytes = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < ROUNDS; i++) bytes = serializer.serializeRequest(spans)?.length ?? 0;
  const micros = Number(process.hrtime.bigint() - start) / 1e3 / (ROUNDS * spans.length);
  console.log(`Node ${process.versions.node} ${name}: ${micros.toFixed(2)} µs per span, ${Math.round(bytes / spans.length)} bytes per span`);
}
