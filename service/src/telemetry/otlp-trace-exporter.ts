/**
 * The OTLP/HTTP protobuf span exporter: @opentelemetry/exporter-trace-otlp-proto's OTLPTraceExporter
 * assembled from the same public parts (the node-http export delegate with its retries, timeout,
 * bounded concurrency, compression and OTEL_EXPORTER_OTLP_(TRACES_)* configuration), with the
 * service's faster request encoder (otlp-trace-serializer.ts) in place of otlp-transformer's.
 */
import { OTLPExporterBase, type OTLPExporterNodeConfigBase } from '@opentelemetry/otlp-exporter-base';
import { convertLegacyHttpOptions, createOtlpHttpExportDelegate } from '@opentelemetry/otlp-exporter-base/node-http';
import { TraceExporterMetricsHelper } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { FastProtobufTraceSerializer } from './otlp-trace-serializer.js';

/** The component type exporter-trace-otlp-proto reports in its self-observability metrics. */
const COMPONENT_TYPE = 'otlp_http_span_exporter';

export class ProtobufTraceExporter extends OTLPExporterBase<ReadableSpan[]> implements SpanExporter {
  constructor(config: OTLPExporterNodeConfigBase = {}) {
    super(
      createOtlpHttpExportDelegate(
        convertLegacyHttpOptions(config, 'TRACES', 'v1/traces', { 'Content-Type': 'application/x-protobuf' }),
        FastProtobufTraceSerializer,
        COMPONENT_TYPE,
        TraceExporterMetricsHelper,
        undefined,
      ),
    );
  }
}
