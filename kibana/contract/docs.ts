/** The mapping tables of docs/telemetry-contract.md, generated from kibana/telemetry-fields.ts. */
import { METRICS, RUNTIME_METRICS, type MetricDefinition } from '../../service/src/telemetry/registry.js';
import {
  APM_FIELD_CATALOGUE,
  CONTAINER_LOG_FIELDS,
  DATA_STREAM_FIELDS,
  INDEX_PATTERNS,
  KUBERNETES_METRIC_FIELDS,
  LOG_FIELDS,
  PROMETHEUS_COLLECTOR_FIELDS,
  STORED_LOG_EVENT_DATASET,
  WRITTEN_LOG_EVENT_DATASET,
  promField,
  type DocumentedField,
} from '../telemetry-fields.js';

export const MAPPING_START = '<!-- telemetry-mapping:generated:start -->';
export const MAPPING_END = '<!-- telemetry-mapping:generated:end -->';

function metricRows(defs: ReadonlyArray<Pick<MetricDefinition, 'name' | 'type'> & { labels?: readonly string[] }>): string[] {
  return defs.map((d) => {
    const fields = d.type === 'counter' ? [promField(d, 'counter'), promField(d, 'rate')] : [promField(d)];
    const labels = (d.labels ?? []).map((l) => `\`prometheus.labels.${l}\``).join(', ');
    return `| \`${d.name}\` | ${d.type} | ${fields.map((f) => `\`${f}\``).join(', ')} | ${labels || '–'} |`;
  });
}

function documentedRows(docs: readonly DocumentedField[]): string[] {
  return docs.map((d) => `| \`${d.field}\` | ${d.status === 'verified' ? 'verified' : '**to confirm**'} | ${d.source.replace(/\|/g, '\\|')} |`);
}

export function mappingReference(): string {
  const header = '| Field | Status | Source |\n|---|---|---|';
  return [
    MAPPING_START,
    '',
    `### Metrics: \`${INDEX_PATTERNS.metrics}\` (data view \`sample-service-metrics\`)`,
    '',
    'From the registry (`METRICS`, `RUNTIME_METRICS`); each is checked against the live `/metrics` output.',
    '',
    '| Metric | Type | Fields | Labels |',
    '|---|---|---|---|',
    ...metricRows([...Object.values(METRICS), ...Object.values(RUNTIME_METRICS)]),
    '',
    'Added by the collector:',
    '',
    header,
    ...documentedRows([...DATA_STREAM_FIELDS, ...PROMETHEUS_COLLECTOR_FIELDS]),
    '',
    `### Logs: \`${INDEX_PATTERNS.logs}\` (data view \`sample-service-logs\`)`,
    '',
    'The service\'s ECS fields (checked against its real log lines):',
    '',
    '| Role | Field |',
    '|---|---|',
    ...Object.entries(LOG_FIELDS).map(([role, field]) => `| ${role} | \`${field}\` |`),
    '',
    `\`event.dataset\`: the service writes \`${WRITTEN_LOG_EVENT_DATASET}\`; Elasticsearch stores \`${STORED_LOG_EVENT_DATASET}\` ` +
      '(the kubernetes package\'s pipeline reroutes container logs, and reroute overwrites `event.dataset`). ' +
      'Queries select the service\'s lines by `service.name`.',
    '',
    'Added by the kubernetes integration:',
    '',
    header,
    ...documentedRows(CONTAINER_LOG_FIELDS),
    '',
    `### Traces: \`${INDEX_PATTERNS.traces}\`, \`${INDEX_PATTERNS.apmMetrics}\` (APM Server, classic ECS layout)`,
    '',
    header,
    ...documentedRows(APM_FIELD_CATALOGUE),
    '',
    `### Kubernetes: \`${INDEX_PATTERNS.kubernetes}\` (data view \`sample-service-kubernetes-metrics\`)`,
    '',
    header,
    ...documentedRows(KUBERNETES_METRIC_FIELDS),
    '',
    MAPPING_END,
  ].join('\n');
}
