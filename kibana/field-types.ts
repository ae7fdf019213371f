/**
 * The Elasticsearch type of every field a dashboard panel, saved search, SLO or rule reads, in the
 * data stream it reads it from, each with the source it was read from. Plain data: the use checker
 * (kibana/contract/field-types-check.ts), the provisioning test double and `make verify` all read
 * this one table, so a use the real stack would reject fails here first.
 *
 * How a field gets its type, per data stream:
 * - `logs-kubernetes.container_logs-*`: the kubernetes package's container_logs fields
 *   (`base-fields.yml`, `ecs.yml`); every other field of the service's ECS JSON (parsed to the top
 *   level by the ndjson parser, fleet/policies.ts) is mapped dynamically by `ecs@mappings`, which
 *   Fleet composes into every integration template after `@package` and `@custom`
 *   (`logs@mappings` only maps `@timestamp` and `data_stream.*`). Strings become `keyword` unless an
 *   ECS-named template matches first (`*.message` match_only_text, `*url.path` wildcard, `*.name`
 *   keyword + text); JSON numbers get Elasticsearch's default dynamic type (`long`).
 * - `metrics-prometheus.collector-*`: a time series data stream; the prometheus package's
 *   collector fields (`use_types`/`rate_counters`): labels keyword dimensions, `.value`/`.rate`
 *   double gauges, `.counter` double counters, `.histogram` histograms.
 * - `metrics-kubernetes.*`: each data stream's own `fields.yml` and `base-fields.yml`.
 * - `traces-apm*`, `metrics-apm*`: Elasticsearch's apm-data plugin templates, then `ecs@mappings`.
 *
 * Package versions: the engine installs whatever version the Fleet registry offers when the package
 * is absent (scripts/provision/kinds/fleet.ts), so the files below were read at the commits named;
 * `make verify` compares the table with `_field_caps` on the live stack.
 */
import { CUSTOM_MAPPINGS, ERROR_MESSAGE_KEYWORD } from '../elastic/mappings.js';
import { ENABLED_KSM_DATASETS, ENABLED_KUBELET_DATASETS } from '../fleet/policies.js';
import type { SignalKind } from './contract/emitted.js';
import { DATASETS, INDEX_PATTERNS, PROMETHEUS_UP_FIELD, STORED_LOG_EVENT_DATASET } from './telemetry-fields.js';

/** Elasticsearch field types that occur in the table. */
export type EsType =
  | 'date'
  | 'constant_keyword'
  | 'keyword'
  | 'wildcard'
  | 'match_only_text'
  | 'long'
  | 'integer'
  | 'float'
  | 'double'
  | 'scaled_float'
  | 'histogram'
  | 'boolean'
  | 'ip';

/** Type families, as `_field_caps` users and Kibana group them. */
export type TypeFamily = 'date' | 'keyword' | 'text' | 'number' | 'histogram' | 'boolean' | 'ip';

export const FAMILY: Readonly<Record<EsType, TypeFamily>> = {
  date: 'date',
  constant_keyword: 'keyword',
  keyword: 'keyword',
  wildcard: 'keyword',
  match_only_text: 'text',
  long: 'number',
  integer: 'number',
  float: 'number',
  double: 'number',
  scaled_float: 'number',
  histogram: 'histogram',
  boolean: 'boolean',
  ip: 'ip',
};

/** Text fields have no doc values: no terms, sort or metric aggregation on them. */
export function isAggregatable(type: EsType): boolean {
  return FAMILY[type] !== 'text';
}

export interface FieldType {
  /** Field name; `*` matches any run of characters (as an index template's `path_match`). */
  readonly field: string;
  readonly type: EsType;
  /** `time_series_metric` in a time series data stream. */
  readonly metric?: 'gauge' | 'counter';
  /** The value every document of the data stream has (a constant, or what the pipeline sets). */
  readonly value?: string;
  /** The values documents can have, when the project decides them (the datasets its policies enable). */
  readonly values?: readonly string[];
  /** The only datasets whose documents have the field, in a pattern that spans several. */
  readonly datasets?: readonly string[];
  /** Repository, path and commit it was read from (or this project's own mapping). */
  readonly source: string;
}

/** Sources, read at these commits (docs/fidelity.md lists them with their tests). */
export const SOURCES = {
  k8sLogsBase: 'elastic/integrations packages/kubernetes/data_stream/container_logs/fields/base-fields.yml @0fe640ce',
  k8sLogsEcs: 'elastic/integrations packages/kubernetes/data_stream/container_logs/fields/ecs.yml @682f8896 (external: ecs; ECS types)',
  k8sLogsPipeline:
    'elastic/integrations packages/kubernetes/data_stream/container_logs/elasticsearch/ingest_pipeline/default.yml @0fe640ce (set service.name from the app.kubernetes.io/name label; reroute)',
  reroute:
    'elastic/elasticsearch modules/ingest-common/src/main/java/org/elasticsearch/ingest/common/RerouteProcessor.java @e13451ec (event.dataset, when present, is set to the target dataset)',
  ecsMappings: 'elastic/elasticsearch x-pack/plugin/core/template-resources/src/main/resources/ecs@mappings.json @0cb05a5f',
  dynamicNumber: 'Elasticsearch dynamic mapping: a JSON integer with no matching dynamic template is mapped long',
  fleetTemplate:
    'elastic/kibana x-pack/platform/plugins/shared/fleet/server/services/epm/elasticsearch/template/template.ts (getTemplate: logs@mappings, logs@settings, @package, @custom, ecs@mappings)',
  project: 'this project: elastic/mappings.ts, logs-kubernetes.container_logs@custom',
  promCollector:
    'elastic/integrations packages/prometheus/data_stream/collector/fields/fields.yml @04a38f1b; manifest.yml @032d8bfa index_mode time_series',
  promProcessor: 'fleet/policies.ts SERVICE_NAME_PROCESSOR (add_fields service.name) + ecs@mappings `*.name` keyword',
  promUp: 'elastic/beats metricbeat/module/prometheus/collector/collector.go: `up` gauge on every fetch (0 when the scrape fails), labels instance and job',
  k8sMetricsBase: 'elastic/integrations packages/kubernetes/data_stream/state_deployment/fields/base-fields.yml @024989cb (and each data stream\'s base-fields.yml)',
  k8sContainer: 'elastic/integrations packages/kubernetes/data_stream/container/fields/fields.yml @347226da',
  k8sPod: 'elastic/integrations packages/kubernetes/data_stream/pod/fields/fields.yml @1e76ff63',
  k8sStateContainer:
    'elastic/integrations packages/kubernetes/data_stream/state_container/fields/fields.yml @146501bd; manifest.yml @14b13321 index_mode time_series',
  k8sStateDeployment: 'elastic/integrations packages/kubernetes/data_stream/state_deployment/fields/fields.yml @3c885550',
  apmTraces: 'elastic/elasticsearch x-pack/plugin/apm-data/src/main/resources/component-templates/traces-apm@mappings.yaml @457aac9d',
  apmTransactionMetrics: 'elastic/elasticsearch x-pack/plugin/apm-data/src/main/resources/component-templates/metrics-apm.transaction@mappings.yaml @3b44190c',
  apmMappings: 'elastic/elasticsearch x-pack/plugin/apm-data/src/main/resources/component-templates/apm@mappings.yaml @2270bb47',
  apmEcs: 'elastic/elasticsearch x-pack/plugin/apm-data/src/main/resources/index-templates/traces-apm@template.yaml @103b1f83 (composes ecs@mappings) + ecs@mappings',
} as const;

function types(type: EsType, source: string, fields: readonly string[], extra: Pick<FieldType, 'metric' | 'datasets'> = {}): FieldType[] {
  return fields.map((field) => ({ field, type, source, ...extra }));
}

const COMMON = (dataset: string | undefined, source: string): FieldType[] => [
  { field: '@timestamp', type: 'date', source },
  { field: 'data_stream.type', type: 'constant_keyword', source },
  { field: 'data_stream.dataset', type: 'constant_keyword', source, ...(dataset !== undefined ? { value: dataset } : {}) },
  { field: 'data_stream.namespace', type: 'constant_keyword', source },
];

/** `error.message.keyword` exists only through this project's own mapping; read it from there. */
function projectKeywordSubfields(): FieldType[] {
  const logs = CUSTOM_MAPPINGS['logs-kubernetes.container_logs@custom'];
  const message = (logs?.properties?.error as { properties?: Record<string, { fields?: Record<string, { type?: string }> }> } | undefined)?.properties
    ?.message;
  return message?.fields?.keyword?.type === 'keyword' ? [{ field: ERROR_MESSAGE_KEYWORD, type: 'keyword', source: SOURCES.project }] : [];
}

const LOGS: readonly FieldType[] = [
  ...COMMON(DATASETS.logs, SOURCES.k8sLogsBase),
  ...types('keyword', SOURCES.k8sLogsBase, [
    'kubernetes.pod.name',
    'kubernetes.pod.uid',
    'kubernetes.namespace',
    'kubernetes.node.name',
    'kubernetes.container.name',
    'kubernetes.deployment.name',
    'kubernetes.replicaset.name',
    'kubernetes.labels.*',
    'log.file.path',
    'input.type',
  ]),
  ...types('match_only_text', SOURCES.k8sLogsEcs, ['message', 'error.message']),
  ...types('keyword', SOURCES.k8sLogsEcs, ['container.id', 'ecs.version']),
  ...projectKeywordSubfields(),
  { field: 'event.dataset', type: 'keyword', value: STORED_LOG_EVENT_DATASET, source: `${SOURCES.reroute}; ${SOURCES.k8sLogsPipeline}` },
  { field: 'service.name', type: 'keyword', source: `${SOURCES.k8sLogsPipeline}; ${SOURCES.ecsMappings} (*.name)` },
  ...types('wildcard', `${SOURCES.ecsMappings} (*url.path)`, ['url.path']),
  ...types('wildcard', `${SOURCES.ecsMappings} (*stack_trace)`, ['error.stack_trace']),
  ...types('ip', `${SOURCES.ecsMappings} (*.ip)`, ['client.ip']),
  ...types('keyword', `${SOURCES.ecsMappings} (all_strings_to_keywords)`, [
    'log.level',
    'event.outcome',
    'http.request.method',
    'http.request.id',
    'http.route',
    'service.environment',
    'service.version',
    'service.node.name',
    'trace.id',
    'transaction.id',
    'span.id',
    'error.type',
    'user_agent.original',
  ]),
  ...types('long', SOURCES.dynamicNumber, ['http.response.status_code', 'event.duration']),
];

const PROMETHEUS: readonly FieldType[] = [
  ...COMMON(DATASETS.metrics, SOURCES.promCollector),
  ...types('keyword', SOURCES.promCollector, ['prometheus.labels.*']),
  ...types('double', `${SOURCES.promCollector}; ${SOURCES.promUp}`, [PROMETHEUS_UP_FIELD], { metric: 'gauge' }),
  ...types('double', SOURCES.promCollector, ['prometheus.*.value', 'prometheus.*.rate'], { metric: 'gauge' }),
  ...types('double', SOURCES.promCollector, ['prometheus.*.counter'], { metric: 'counter' }),
  ...types('histogram', SOURCES.promCollector, ['prometheus.*.histogram']),
  ...types('keyword', SOURCES.promProcessor, ['service.name']),
  ...types('keyword', `${SOURCES.ecsMappings} (*.name, all_strings_to_keywords)`, ['kubernetes.pod.name', 'kubernetes.namespace']),
];

const KUBELET_CONTAINER = { metric: 'gauge', datasets: [DATASETS.kubernetesContainer] } as const;
const STATE_CONTAINER_GAUGE = { metric: 'gauge', datasets: [DATASETS.kubernetesStateContainer] } as const;

/** The kubernetes datasets that exist: the ones the project's package policy enables (fleet/policies.ts). */
const KUBERNETES_DATASETS = [...ENABLED_KUBELET_DATASETS, ...ENABLED_KSM_DATASETS].map((d) => `kubernetes.${d}`);

const KUBERNETES: readonly FieldType[] = [
  ...COMMON(undefined, SOURCES.k8sMetricsBase).map((t) =>
    t.field === 'data_stream.dataset' ? { ...t, values: KUBERNETES_DATASETS, source: `${t.source}; enabled datasets: fleet/policies.ts` } : t,
  ),
  ...types('keyword', SOURCES.k8sMetricsBase, ['kubernetes.namespace', 'kubernetes.pod.name', 'kubernetes.container.name', 'kubernetes.deployment.name', 'kubernetes.labels.*']),
  ...types('long', SOURCES.k8sContainer, ['kubernetes.container.cpu.usage.nanocores', 'kubernetes.container.memory.workingset.bytes'], KUBELET_CONTAINER),
  ...types('scaled_float', SOURCES.k8sContainer, ['kubernetes.container.cpu.usage.limit.pct', 'kubernetes.container.memory.usage.limit.pct'], KUBELET_CONTAINER),
  ...types('long', SOURCES.k8sPod, ['kubernetes.pod.cpu.usage.nanocores', 'kubernetes.pod.memory.working_set.bytes'], { metric: 'gauge', datasets: [DATASETS.kubernetesPod] }),
  ...types('float', SOURCES.k8sStateContainer, ['kubernetes.container.cpu.request.cores', 'kubernetes.container.cpu.limit.cores'], STATE_CONTAINER_GAUGE),
  ...types('long', SOURCES.k8sStateContainer, ['kubernetes.container.memory.request.bytes', 'kubernetes.container.memory.limit.bytes'], STATE_CONTAINER_GAUGE),
  ...types('integer', SOURCES.k8sStateContainer, ['kubernetes.container.status.restarts'], { metric: 'counter', datasets: [DATASETS.kubernetesStateContainer] }),
  ...types('boolean', SOURCES.k8sStateContainer, ['kubernetes.container.status.ready'], { datasets: [DATASETS.kubernetesStateContainer] }),
  ...types('keyword', SOURCES.k8sStateContainer, ['kubernetes.container.status.last_terminated_reason'], { datasets: [DATASETS.kubernetesStateContainer] }),
  ...types(
    'integer',
    SOURCES.k8sStateDeployment,
    ['kubernetes.deployment.replicas.desired', 'kubernetes.deployment.replicas.available', 'kubernetes.deployment.replicas.unavailable'],
    { datasets: [DATASETS.kubernetesStateDeployment] },
  ),
];

const APM: readonly FieldType[] = [
  ...COMMON(undefined, SOURCES.apmMappings),
  ...types('keyword', SOURCES.apmTraces, ['processor.event']),
  ...types('long', SOURCES.apmTraces, ['transaction.duration.us', 'span.duration.us']),
  ...types('histogram', SOURCES.apmTransactionMetrics, ['transaction.duration.histogram']),
  ...types('constant_keyword', SOURCES.apmTransactionMetrics, ['metricset.name']),
  ...types('scaled_float', SOURCES.apmMappings, ['numeric_labels.*']),
  ...types('keyword', `${SOURCES.apmEcs} (*.name)`, ['service.name', 'transaction.name', 'span.name']),
  ...types('keyword', `${SOURCES.apmEcs} (all_strings_to_keywords)`, [
    'service.environment',
    'transaction.type',
    'transaction.id',
    'trace.id',
    'event.outcome',
    'http.request.method',
    'labels.*',
  ]),
  ...types('long', SOURCES.dynamicNumber, ['http.response.status_code']),
];

export interface DataStreamFieldTypes {
  readonly signal: SignalKind;
  /** The index patterns (data views) the fields are read through. */
  readonly patterns: readonly string[];
  readonly fields: readonly FieldType[];
}

export const FIELD_TYPES: Readonly<Record<SignalKind, DataStreamFieldTypes>> = {
  logs: { signal: 'logs', patterns: [INDEX_PATTERNS.logs], fields: LOGS },
  metrics: { signal: 'metrics', patterns: [INDEX_PATTERNS.metrics], fields: PROMETHEUS },
  kubernetes: { signal: 'kubernetes', patterns: [INDEX_PATTERNS.kubernetes], fields: KUBERNETES },
  apm: { signal: 'apm', patterns: [INDEX_PATTERNS.traces, INDEX_PATTERNS.apmMetrics], fields: APM },
};

/** Whether `value` matches `pattern`, where `*` matches any run of characters (KQL wildcards, `path_match`). */
export function globMatches(pattern: string, value: string): boolean {
  if (!pattern.includes('*')) return pattern === value;
  return new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(value);
}

/** The type of `field` in the signal's data stream: the first matching entry, as dynamic templates apply. */
export function fieldType(signal: SignalKind, field: string): FieldType | undefined {
  return FIELD_TYPES[signal].fields.find((t) => globMatches(t.field, field));
}
