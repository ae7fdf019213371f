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
import {
  METRICS,
  RUNTIME_METRICS,
  SERVICE,
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
