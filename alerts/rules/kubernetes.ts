/** Kubernetes cause rules, per pod: repeated container restarts and memory near the limit. */
import { DATA_VIEW_IDS, DATASETS, KUBERNETES_FIELDS, SERVICE_NAME, promField } from '../../kibana/telemetry-fields.js';
import { RUNTIME_METRICS } from '../../service/src/telemetry/registry.js';
import { SERVICE_IDENTITY, THRESHOLDS } from '../config.js';
import type { AlertSpec } from './model.js';
import { perPodThresholdParams } from './per-pod-threshold.js';

function scope(dataset: string): string {
  return `data_stream.dataset : ${JSON.stringify(dataset)} and ${KUBERNETES_FIELDS.namespace} : ${JSON.stringify(SERVICE_IDENTITY.kubernetesNamespace)}`;
}

export const RESTARTS_KQL = scope(DATASETS.kubernetesStateContainer);
export const MEMORY_KQL = scope(DATASETS.kubernetesContainer);

const POD_CONTEXT = [
  '{{context.reason}}',
  `Affected: service ${SERVICE_NAME}, pod {{#context.group}}{{value}}{{/context.group}} in namespace ${SERVICE_IDENTITY.kubernetesNamespace}; value {{context.value}}`,
  'Open in app: {{context.viewInAppUrl}}',
];

export function podRestartsSpec(): AlertSpec {
  const t = THRESHOLDS.podRestarts;
  return {
    alertId: 'pod-restarts',
    name: '[Sample Service] Pod restarting',
    severity: 'warning',
    urgency: 'ticket',
    summary: `A ${SERVICE_NAME} pod restarted ${t.restarts} or more times in ${t.windowMinutes} minutes`,
    description:
      'A container of the pod keeps restarting (crash loop, OOM kill or failing liveness probe). Capacity is reduced while it ' +
      'restarts; if every replica does it, service-down and the burn-rate pages follow.',
    condition: `increase of ${KUBERNETES_FIELDS.containerRestarts} (max - min) >= ${t.restarts} over ${t.windowMinutes} m, per pod`,
    why: t.why,
    ruleTypeId: 'observability.rules.custom_threshold',
    consumer: 'logs',
    params: perPodThresholdParams({
      comparator: '>=',
      threshold: t.restarts,
      windowMinutes: t.windowMinutes,
      metrics: [
        { name: 'A', aggType: 'max', field: KUBERNETES_FIELDS.containerRestarts },
        { name: 'B', aggType: 'min', field: KUBERNETES_FIELDS.containerRestarts },
      ],
      equation: 'A - B',
      label: 'restarts in window',
      dataViewId: DATA_VIEW_IDS.kubernetes,
      kql: RESTARTS_KQL,
    }),
    fields: ['@timestamp', 'data_stream.dataset', KUBERNETES_FIELDS.namespace, KUBERNETES_FIELDS.podName, KUBERNETES_FIELDS.containerRestarts],
    fireGroups: ['custom_threshold.fired'],
    contextLines: POD_CONTEXT,
    hasAlertDetailsUrl: true,
  };
}

export function memorySaturationSpec(): AlertSpec {
  const t = THRESHOLDS.memorySaturation;
  return {
    alertId: 'memory-saturation',
    name: '[Sample Service] Memory near the limit',
    severity: 'warning',
    urgency: 'ticket',
    summary: `A ${SERVICE_NAME} pod uses more than ${t.limitFraction * 100}% of its memory limit`,
    description:
      'The container is close to its memory limit; the next allocation burst gets it OOM-killed (exit 137), which drops its ' +
      'in-flight requests. Usually a leak (heap growing across GCs) or a limit set below the working set.',
    condition: `avg ${KUBERNETES_FIELDS.containerMemoryLimitPct} > ${t.limitFraction} over ${t.windowMinutes} m, per pod`,
    why: t.why,
    ruleTypeId: 'observability.rules.custom_threshold',
    consumer: 'logs',
    params: perPodThresholdParams({
      comparator: '>',
      threshold: t.limitFraction,
      windowMinutes: t.windowMinutes,
      metrics: [{ name: 'A', aggType: 'avg', field: KUBERNETES_FIELDS.containerMemoryLimitPct }],
      equation: 'A',
      label: 'memory / limit',
      dataViewId: DATA_VIEW_IDS.kubernetes,
      kql: MEMORY_KQL,
    }),
    fields: ['@timestamp', 'data_stream.dataset', KUBERNETES_FIELDS.namespace, KUBERNETES_FIELDS.podName, KUBERNETES_FIELDS.containerMemoryLimitPct],
    relatedFields: [
      KUBERNETES_FIELDS.containerMemoryWorkingSet,
      KUBERNETES_FIELDS.podMemoryWorkingSet,
      KUBERNETES_FIELDS.containerMemoryLimit,
      promField(RUNTIME_METRICS.heapUsed, 'value'),
      promField(RUNTIME_METRICS.residentMemory, 'value'),
    ],
    fireGroups: ['custom_threshold.fired'],
    contextLines: POD_CONTEXT,
    hasAlertDetailsUrl: true,
  };
}
