/**
 * The telemetry contract's mapping: where each signal the service emits (declared in the telemetry
 * registry) lands in Elasticsearch, and under which field names. Dashboards, SLOs and rules build
 * every field name and index pattern through this module, never by hand.
 *
 * Sources (see docs/telemetry-contract.md):
 * - Prometheus metrics, scraped by the Fleet `prometheus` integration with `use_types: true` and
 *   `rate_counters: true`: counter → `prometheus.<metric>.counter` (+ `.rate`), gauge →
 *   `prometheus.<metric>.value`, histogram → `prometheus.<metric>.histogram`; labels →
 *   `prometheus.labels.<label>`; data stream `metrics-prometheus.collector-<namespace>`.
 * - Logs: container logs collected by the Fleet `kubernetes` integration, the service's ECS JSON
 *   parsed into top-level fields; data stream `logs-kubernetes.container_logs-<namespace>`.
 * - Traces: OTLP into APM Server, stored in the ECS layout; `traces-apm-<namespace>`.
 */
import { ERROR_MESSAGE_KEYWORD } from '../elastic/mappings.js';
import type { ACCESS_LOG_FIELDS, CORRELATION_LOG_FIELDS, ERROR_LOG_FIELDS } from '../service/src/telemetry/registry.js';
import {
  ACCESS_LOG_MESSAGE,
  LOG_EVENT_DATASET,
  METRICS,
  RUNTIME_METRICS,
  SERVICE,
  SPAN_ATTRIBUTES,
  type MetricDefinition,
  type MetricType,
} from '../service/src/telemetry/registry.js';

/** Data stream index patterns the stack writes the service's signals to. */
export const INDEX_PATTERNS = {
  logs: 'logs-kubernetes.container_logs-*',
  metrics: 'metrics-prometheus.collector-*',
  traces: 'traces-apm*',
  apmMetrics: 'metrics-apm*',
  apmErrors: 'logs-apm.error-*',
  kubernetes: 'metrics-kubernetes.*',
} as const;
export type Signal = keyof typeof INDEX_PATTERNS;

/** Datasets, for `data_stream.dataset` filters. */
export const DATASETS = {
  logs: 'kubernetes.container_logs',
  metrics: 'prometheus.collector',
  kubernetesPod: 'kubernetes.pod',
  kubernetesContainer: 'kubernetes.container',
  kubernetesStatePod: 'kubernetes.state_pod',
  kubernetesStateContainer: 'kubernetes.state_container',
  kubernetesStateDeployment: 'kubernetes.state_deployment',
} as const;

/** Stable ids: every object this project owns carries this prefix (prune relies on it). */
export const OWNER_PREFIX = 'sample-service-';
/** Tag put on every taggable object this project owns. */
export const OWNER_TAG = 'managed-by:sample-service-observability';

export const DATA_VIEW_IDS = {
  logs: `${OWNER_PREFIX}logs`,
  metrics: `${OWNER_PREFIX}metrics`,
  traces: `${OWNER_PREFIX}traces`,
  kubernetes: `${OWNER_PREFIX}kubernetes-metrics`,
} as const;

export const SAVED_SEARCH_IDS = {
  logs: `${OWNER_PREFIX}logs-search`,
} as const;

/** Field that carries the service name on each signal, and its value. */
export const SERVICE_NAME_FIELD = 'service.name';
export const SERVICE_NAME = SERVICE.name;

/**
 * The collector's scrape verdict for each target (`up`, a gauge: `.value` with `use_types`). It is
 * the only field of a failed scrape's document, which still carries `service.name`.
 */
export const PROMETHEUS_UP_FIELD = 'prometheus.up.value';

/** Kubernetes label of the service's pods as it appears on documents enriched by Elastic Agent. */
export const APP_LABEL_FIELD = 'kubernetes.labels.app_kubernetes_io/name';

type PromSuffix = 'counter' | 'rate' | 'value' | 'histogram';
const SUFFIXES: Record<MetricType, readonly PromSuffix[]> = {
  counter: ['counter', 'rate'],
  gauge: ['value'],
  histogram: ['histogram'],
};

/** `prometheus.<metric>.<suffix>`; the suffix must fit the metric's type. */
export function promField(def: Pick<MetricDefinition, 'name' | 'type'>, suffix?: PromSuffix): string {
  const allowed = SUFFIXES[def.type];
  const chosen = suffix ?? allowed[0];
  if (chosen === undefined || !allowed.includes(chosen)) {
    throw new Error(`metric ${def.name} is a ${def.type}: field suffix "${String(suffix)}" does not exist`);
  }
  return `prometheus.${def.name}.${chosen}`;
}

/** `prometheus.labels.<label>`, only for labels the metric really has. */
export function promLabel<L extends string>(def: MetricDefinition<L>, label: L): string {
  if (!def.labels.includes(label)) {
    throw new Error(`metric ${def.name} has no label "${label}"`);
  }
  return `prometheus.labels.${label}`;
}

/** Every Elasticsearch field the service's Prometheus metrics can produce under the mapping above. */
export function allPrometheusFields(): string[] {
  const fields = new Set<string>();
  const defs: Array<Pick<MetricDefinition, 'name' | 'type'> & { labels?: readonly string[] }> = [
    ...Object.values(METRICS),
    ...Object.values(RUNTIME_METRICS),
  ];
  for (const def of defs) {
    for (const suffix of SUFFIXES[def.type]) fields.add(`prometheus.${def.name}.${suffix}`);
    for (const label of def.labels ?? []) fields.add(`prometheus.labels.${label}`);
  }
  return [...fields].sort();
}

// ---------------------------------------------------------------------------------------------
// Field catalogue. Every field a dashboard, SLO or rule may use is named here, with where it comes
// from. `status` says how the name is known:
// - `verified`: read from the integration's own field definitions or source (see `source`), or
//   emitted by the service itself (checked at test time against its real output);
// - `to-confirm`: the documented behaviour of the stack, still to be confirmed on a live cluster
//   (docs/telemetry-contract.md lists the check to run).
// ---------------------------------------------------------------------------------------------

export type FieldStatus = 'verified' | 'to-confirm';

export interface DocumentedField {
  readonly field: string;
  /** Where the field comes from (package file, ECS, APM mapping, processor). */
  readonly source: string;
  readonly status: FieldStatus;
}

function documented(status: FieldStatus, source: string, fields: readonly string[]): DocumentedField[] {
  return fields.map((field) => ({ field, source, status }));
}

/** Fields every data stream document carries (Elastic data stream naming scheme). */
export const DATA_STREAM_FIELDS: readonly DocumentedField[] = documented(
  'verified',
  'Elastic data stream naming scheme: @timestamp and data_stream.{type,dataset,namespace} on every document',
  ['@timestamp', 'data_stream.type', 'data_stream.dataset', 'data_stream.namespace'],
);

/**
 * Added to every `metrics-prometheus.collector-*` document by the collector, not by the service.
 * `instance`/`job` labels: package README sample event; `service.name`: the processor in the
 * prometheus package policy (fleet/); `kubernetes.*`: metadata of the scraped pod from the
 * kubernetes provider that resolves `${kubernetes.pod.ip}`.
 */
export const PROMETHEUS_COLLECTOR_FIELDS: readonly DocumentedField[] = [
  ...documented(
    'verified',
    'elastic/integrations packages/prometheus (collector README sample: prometheus.labels.instance, prometheus.labels.job)',
    ['prometheus.labels.instance', 'prometheus.labels.job'],
  ),
  ...documented('verified', 'prometheus package policy processor `add_fields` (fleet/): service.name', [SERVICE_NAME_FIELD]),
  ...documented(
    'verified',
    'elastic/beats metricbeat/module/prometheus/collector/collector.go: an `up` gauge on every fetch, 1 when the scrape succeeded, 0 when it failed ("send up event only")',
    [PROMETHEUS_UP_FIELD],
  ),
  ...documented(
    'to-confirm',
    'Elastic Agent kubernetes provider: metadata of the pod matched by the stream condition',
    ['kubernetes.pod.name', 'kubernetes.namespace'],
  ),
];

/**
 * Added to every container log line by the kubernetes integration (container_logs data stream),
 * around the service's own ECS fields (notes §4.1, §4.2: packages/kubernetes container_logs sample_event.json).
 */
export const CONTAINER_LOG_FIELDS: readonly DocumentedField[] = [
  ...documented('verified', 'elastic/integrations packages/kubernetes data_stream/container_logs sample_event.json', [
    'kubernetes.pod.name',
    'kubernetes.pod.uid',
    'kubernetes.namespace',
    'kubernetes.node.name',
    'kubernetes.container.name',
    APP_LABEL_FIELD,
    'kubernetes.replicaset.name',
    'container.id',
    'container.image.name',
    'orchestrator.cluster.name',
    'log.file.path',
    'input.type',
  ]),
  ...documented('to-confirm', 'kubernetes provider with add_resource_metadata.deployment: true (notes §4.2)', ['kubernetes.deployment.name']),
  ...documented('verified', 'keyword sub-field of the service\'s error.message, mapped by this project in logs-kubernetes.container_logs@custom (elastic/mappings.ts)', [
    ERROR_MESSAGE_KEYWORD,
  ]),
];

/** Kubernetes integration metric fields the dashboards and rules use, per dataset. */
export const KUBERNETES_FIELDS = {
  podName: 'kubernetes.pod.name',
  namespace: 'kubernetes.namespace',
  containerName: 'kubernetes.container.name',
  deploymentName: 'kubernetes.deployment.name',
  appLabel: APP_LABEL_FIELD,
  // kubelet: kubernetes.container
  containerCpuNanocores: 'kubernetes.container.cpu.usage.nanocores',
  containerCpuLimitPct: 'kubernetes.container.cpu.usage.limit.pct',
  containerMemoryWorkingSet: 'kubernetes.container.memory.workingset.bytes',
  containerMemoryLimitPct: 'kubernetes.container.memory.usage.limit.pct',
  // kubelet: kubernetes.pod
  podCpuNanocores: 'kubernetes.pod.cpu.usage.nanocores',
  podMemoryWorkingSet: 'kubernetes.pod.memory.working_set.bytes',
  // kube-state-metrics: kubernetes.state_container
  containerCpuRequest: 'kubernetes.container.cpu.request.cores',
  containerCpuLimit: 'kubernetes.container.cpu.limit.cores',
  containerMemoryRequest: 'kubernetes.container.memory.request.bytes',
  containerMemoryLimit: 'kubernetes.container.memory.limit.bytes',
  containerRestarts: 'kubernetes.container.status.restarts',
  containerReady: 'kubernetes.container.status.ready',
  containerLastTerminatedReason: 'kubernetes.container.status.last_terminated_reason',
  // kube-state-metrics: kubernetes.state_deployment
  deploymentReplicasDesired: 'kubernetes.deployment.replicas.desired',
  deploymentReplicasAvailable: 'kubernetes.deployment.replicas.available',
  deploymentReplicasUnavailable: 'kubernetes.deployment.replicas.unavailable',
} as const;

const K8S_PACKAGE = 'elastic/integrations packages/kubernetes data_stream';
/** The kubernetes integration's metric fields, each from its data stream's fields.yml. */
export const KUBERNETES_METRIC_FIELDS: readonly DocumentedField[] = [
  ...documented('verified', `${K8S_PACKAGE}/container/fields/fields.yml (kubelet)`, [
    KUBERNETES_FIELDS.containerCpuNanocores,
    KUBERNETES_FIELDS.containerCpuLimitPct,
    KUBERNETES_FIELDS.containerMemoryWorkingSet,
    KUBERNETES_FIELDS.containerMemoryLimitPct,
  ]),
  ...documented('verified', `${K8S_PACKAGE}/pod/fields/fields.yml (kubelet)`, [
    KUBERNETES_FIELDS.podCpuNanocores,
    KUBERNETES_FIELDS.podMemoryWorkingSet,
  ]),
  ...documented('verified', `${K8S_PACKAGE}/state_container/fields/fields.yml (kube-state-metrics)`, [
    KUBERNETES_FIELDS.containerCpuRequest,
    KUBERNETES_FIELDS.containerCpuLimit,
    KUBERNETES_FIELDS.containerMemoryRequest,
    KUBERNETES_FIELDS.containerMemoryLimit,
    KUBERNETES_FIELDS.containerRestarts,
    KUBERNETES_FIELDS.containerReady,
    KUBERNETES_FIELDS.containerLastTerminatedReason,
  ]),
  ...documented('verified', `${K8S_PACKAGE}/state_deployment/fields/fields.yml (kube-state-metrics)`, [
    KUBERNETES_FIELDS.deploymentReplicasDesired,
    KUBERNETES_FIELDS.deploymentReplicasAvailable,
    KUBERNETES_FIELDS.deploymentReplicasUnavailable,
  ]),
  ...documented('verified', `${K8S_PACKAGE}/*/fields/base-fields.yml and ecs.yml (metadata on every kubernetes.* document)`, [
    KUBERNETES_FIELDS.podName,
    KUBERNETES_FIELDS.namespace,
    KUBERNETES_FIELDS.containerName,
    KUBERNETES_FIELDS.deploymentName,
  ]),
  ...documented(
    'to-confirm',
    'kubernetes integration metadata enrichment (add_metadata: true) copies pod labels, dots replaced by `_`',
    [APP_LABEL_FIELD],
  ),
];

/** ECS fields of the service's log lines, by role. Built from the registry; the contract test checks each is really written. */
export const LOG_FIELDS = {
  timestamp: '@timestamp',
  level: 'log.level',
  message: 'message',
  dataset: 'event.dataset',
  outcome: 'event.outcome',
  duration: 'event.duration',
  method: 'http.request.method',
  statusCode: 'http.response.status_code',
  route: 'http.route',
  path: 'url.path',
  requestId: 'http.request.id',
  serviceName: SERVICE_NAME_FIELD,
  environment: 'service.environment',
  traceId: 'trace.id',
  errorType: 'error.type',
  errorMessage: 'error.message',
} as const satisfies Record<string, (typeof ACCESS_LOG_FIELDS)[number] | (typeof CORRELATION_LOG_FIELDS)[number] | (typeof ERROR_LOG_FIELDS)[number]>;

/**
 * `event.dataset` as Elasticsearch stores it. The service writes `sample-service.log` (registry
 * LOG_EVENT_DATASET), but the kubernetes package's container_logs pipeline ends in a `reroute`
 * processor, and reroute sets `event.dataset`, when the document has one, to the target dataset:
 * `kubernetes.container_logs` unless the pod carries an `elastic.co/dataset` label (sources in
 * kibana/field-types.ts). Select the service's lines by `service.name`, never by `event.dataset`.
 */
export const STORED_LOG_EVENT_DATASET = DATASETS.logs;
/** What the service writes in `event.dataset`; not what is stored (see STORED_LOG_EVENT_DATASET). */
export const WRITTEN_LOG_EVENT_DATASET = LOG_EVENT_DATASET;
export const ACCESS_LOG = ACCESS_LOG_MESSAGE;

/**
 * APM fields of the service's transactions and spans (OTLP into APM Server, classic ECS layout,
 * notes §5.2). Each entry says which span data of the service produces it; custom attributes come
 * from SPAN_ATTRIBUTES in the registry. APM Server's OTLP translation is not reproducible here, so
 * this list is documented, not measured: names marked `to-confirm` are checked on a live cluster.
 */
export const APM_FIELDS = {
  processorEvent: 'processor.event',
  serviceName: SERVICE_NAME_FIELD,
  serviceEnvironment: 'service.environment',
  transactionName: 'transaction.name',
  transactionType: 'transaction.type',
  transactionDuration: 'transaction.duration.us',
  transactionDurationHistogram: 'transaction.duration.histogram',
  spanName: 'span.name',
  spanDuration: 'span.duration.us',
  eventOutcome: 'event.outcome',
  traceId: 'trace.id',
  transactionId: 'transaction.id',
  httpMethod: 'http.request.method',
  httpStatusCode: 'http.response.status_code',
  metricsetName: 'metricset.name',
  userIdLabel: `numeric_labels.${SPAN_ATTRIBUTES.userId.replace(/\./g, '_')}`,
  userFoundLabel: `labels.${SPAN_ATTRIBUTES.userFound.replace(/\./g, '_')}`,
  slowDelayLabel: `numeric_labels.${SPAN_ATTRIBUTES.slowDelayMs.replace(/\./g, '_')}`,
  requestIdLabel: `labels.${SPAN_ATTRIBUTES.requestId.replace(/\./g, '_')}`,
} as const;

export const APM_FIELD_CATALOGUE: readonly DocumentedField[] = [
  ...documented('verified', 'APM docs (notes §5.2): service.name / service.environment from OTel resource; event.outcome from span status', [
    APM_FIELDS.serviceName,
    APM_FIELDS.serviceEnvironment,
    APM_FIELDS.eventOutcome,
  ]),
  ...documented(
    'to-confirm',
    'APM classic ECS layout (notes §5.2 [U]): SERVER spans -> transactions named from the span name `METHOD /route` the service sets; child spans (SPAN_NAMES) -> spans',
    [
      APM_FIELDS.processorEvent,
      APM_FIELDS.transactionName,
      APM_FIELDS.transactionType,
      APM_FIELDS.transactionDuration,
      APM_FIELDS.transactionDurationHistogram,
      APM_FIELDS.spanName,
      APM_FIELDS.spanDuration,
      APM_FIELDS.traceId,
      APM_FIELDS.transactionId,
      APM_FIELDS.httpMethod,
      APM_FIELDS.httpStatusCode,
      APM_FIELDS.metricsetName,
    ],
  ),
  ...documented(
    'to-confirm',
    'APM Server OTLP translation of custom span attributes (SPAN_ATTRIBUTES): strings/booleans -> labels.*, numbers -> numeric_labels.*, dots -> `_`; the contract test keeps only those seen on the service\'s spans, typed as seen',
    [APM_FIELDS.userIdLabel, APM_FIELDS.userFoundLabel, APM_FIELDS.slowDelayLabel, APM_FIELDS.requestIdLabel],
  ),
];

/** SLO ids (defined in alerts/; dashboards embed them). */
export const SLO_IDS = {
  availability: `${OWNER_PREFIX}availability-slo`,
  latency: `${OWNER_PREFIX}latency-slo`,
} as const;
