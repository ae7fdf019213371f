/**
 * Data views of the service's signals, with the stable ids of kibana/telemetry-fields.ts so that
 * dashboards, saved searches and rules can reference them. Plain data; applied by the engine.
 */
import type { DataViewResource, DataViewSpec, Resource } from '../model/resources.js';
import { DATA_VIEW_IDS, INDEX_PATTERNS } from './telemetry-fields.js';

/**
 * Kibana's APM app route that resolves a trace id to its trace view (route `/link-to/trace/:traceId`
 * in the APM plugin), written relative to `/app/`. Kibana's URL field format
 * (`field_formats/common/converters/url.tsx`, `getUrlPrefix`) keeps a template that starts with the
 * current base path, and otherwise prefixes `<origin><base path>/app/`; the base path includes the
 * space (`/s/<space>`) and any `server.basePath`. A template starting with `/app/` therefore only
 * works in the default space without a base path (elsewhere it becomes `/s/<space>/app/app/apm/...`);
 * `apm/...` becomes `<origin><base path>/app/apm/...` everywhere.
 */
export const APM_TRACE_LINK = 'apm/link-to/trace/{{value}}';

/** `trace.id` rendered as a link to the trace in the APM UI: logs and traces one click apart. */
export const TRACE_ID_FORMAT = {
  id: 'url',
  params: { type: 'a', urlTemplate: APM_TRACE_LINK, labelTemplate: '{{value}}' },
} as const;

function dataView(spec: DataViewSpec, fields: readonly string[]): DataViewResource {
  return { kind: 'kibana.data_view', id: spec.id, title: spec.name, body: { data_view: spec }, fields };
}

export function dataViews(): Resource[] {
  // allowNoIndex: the views are provisioned before the first document arrives.
  return [
    dataView(
      {
        id: DATA_VIEW_IDS.logs,
        name: '[Sample Service] Logs',
        title: INDEX_PATTERNS.logs,
        timeFieldName: '@timestamp',
        allowNoIndex: true,
        fieldFormats: { 'trace.id': TRACE_ID_FORMAT },
      },
      ['@timestamp', 'trace.id'],
    ),
    dataView(
      { id: DATA_VIEW_IDS.metrics, name: '[Sample Service] Metrics', title: INDEX_PATTERNS.metrics, timeFieldName: '@timestamp', allowNoIndex: true },
      ['@timestamp'],
    ),
    dataView(
      { id: DATA_VIEW_IDS.traces, name: '[Sample Service] Traces', title: INDEX_PATTERNS.traces, timeFieldName: '@timestamp', allowNoIndex: true },
      ['@timestamp'],
    ),
    dataView(
      {
        id: DATA_VIEW_IDS.kubernetes,
        name: '[Sample Service] Kubernetes metrics',
        title: INDEX_PATTERNS.kubernetes,
        timeFieldName: '@timestamp',
        allowNoIndex: true,
      },
      ['@timestamp'],
    ),
  ];
}
