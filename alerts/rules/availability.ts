/**
 * Service down: no pod answers its scrape, or the Deployment has no available replica. Two rules
 * (a custom threshold rule reads one data view, and its criteria are AND-ed), one alert.
 *
 * Why not "no metrics document": when a scrape fails, the prometheus collector still sends an `up`
 * document with value 0 (elastic/beats metricbeat/module/prometheus/collector/collector.go, "send up
 * event only"), and the stream's `add_fields` processor puts `service.name` on it (fleet/policies.ts).
 * A crash-looping pod is still a pod, so the agent keeps scraping it and documents keep arriving:
 * a document count never drops below 1. The collector's own verdict, `prometheus.up.value`, does.
 */
import {
  DATA_VIEW_IDS,
  DATASETS,
  KUBERNETES_FIELDS,
  OWNER_PREFIX,
  PROMETHEUS_UP_FIELD,
  SERVICE_NAME,
  SERVICE_NAME_FIELD,
  promField,
} from '../../kibana/telemetry-fields.js';
import { METRICS } from '../../service/src/telemetry/registry.js';
import { SERVICE_IDENTITY, THRESHOLDS } from '../config.js';
import type { AlertSpec } from './model.js';

const t = THRESHOLDS.serviceDown;

/** The service's scrape documents (every target's `up` document carries `service.name` too). */
export const SERVICE_METRICS_KQL = `${SERVICE_NAME_FIELD} : ${JSON.stringify(SERVICE_NAME)}`;

/** The service's Deployment in kube-state-metrics' `state_deployment` documents. */
export const DEPLOYMENT_KQL =
  `data_stream.dataset : ${JSON.stringify(DATASETS.kubernetesStateDeployment)} and ` +
  `${KUBERNETES_FIELDS.namespace} : ${JSON.stringify(SERVICE_IDENTITY.kubernetesNamespace)} and ` +
  `${KUBERNETES_FIELDS.deploymentName} : ${JSON.stringify(SERVICE_NAME)}`;

function common(): Omit<AlertSpec, 'ruleId' | 'name' | 'condition' | 'params' | 'fields' | 'relatedFields' | 'fireGroups' | 'contextLines'> {
  return {
    alertId: 'service-down',
    severity: 'critical',
    urgency: 'page',
    summary: `${SERVICE_NAME} is down: no pod answered a scrape, or no replica is available, for ${t.windowMinutes} minutes`,
    description:
      `For ${t.windowMinutes} minutes either no ${SERVICE_NAME} pod answered its Prometheus scrape (crash loop, hung process, ` +
      'every pod gone, or the collection path broken) or the Deployment had no available replica. The burn-rate rules are ' +
      'blind while this fires: there are no request counts to compute them from.',
    why: t.why,
    ruleTypeId: 'observability.rules.custom_threshold',
    consumer: 'logs',
    hasAlertDetailsUrl: true,
  };
}

function criterion(field: string, label: string): Record<string, unknown> {
  return {
    comparator: '<',
    threshold: [1],
    timeSize: t.windowMinutes,
    timeUnit: 'm',
    // max over the window: one successful scrape (or one available replica) in the window keeps it quiet.
    metrics: [{ name: 'A', aggType: 'max', field }],
    equation: 'A',
    label,
  };
}

/** No successful scrape of any pod in the window; no document at all (no pod, no agent) is "no data" and fires too. */
export function serviceDownScrapeSpec(): AlertSpec {
  return {
    ...common(),
    name: '[Sample Service] Service down (no successful scrape)',
    condition: `max ${PROMETHEUS_UP_FIELD} < 1 with ${SERVICE_METRICS_KQL} over ${t.windowMinutes} m, or no data`,
    params: {
      criteria: [criterion(PROMETHEUS_UP_FIELD, 'pods answering the scrape (max up)')],
      alertOnNoData: true,
      alertOnGroupDisappear: false,
      searchConfiguration: { index: DATA_VIEW_IDS.metrics, query: { query: SERVICE_METRICS_KQL, language: 'kuery' } },
    },
    fields: ['@timestamp', SERVICE_NAME_FIELD, PROMETHEUS_UP_FIELD],
    relatedFields: [promField(METRICS.httpRequests, 'rate'), KUBERNETES_FIELDS.containerRestarts],
    fireGroups: ['custom_threshold.fired', 'custom_threshold.nodata'],
    contextLines: ['{{context.reason}}', `Affected: service ${SERVICE_NAME} (all pods); max up {{context.value}}`, 'Open in app: {{context.viewInAppUrl}}'],
  };
}

/**
 * No available replica in the window (kube-state-metrics). Missing kube-state-metrics data is not
 * an outage of the service, so no data does not fire this one; the scrape rule covers total silence.
 */
export function serviceDownReplicasSpec(): AlertSpec {
  return {
    ...common(),
    ruleId: `${OWNER_PREFIX}service-down-replicas`,
    name: '[Sample Service] Service down (no available replica)',
    condition: `max ${KUBERNETES_FIELDS.deploymentReplicasAvailable} < 1 with ${DEPLOYMENT_KQL} over ${t.windowMinutes} m`,
    params: {
      criteria: [criterion(KUBERNETES_FIELDS.deploymentReplicasAvailable, 'available replicas (max)')],
      alertOnNoData: false,
      alertOnGroupDisappear: false,
      searchConfiguration: { index: DATA_VIEW_IDS.kubernetes, query: { query: DEPLOYMENT_KQL, language: 'kuery' } },
    },
    fields: ['@timestamp', 'data_stream.dataset', KUBERNETES_FIELDS.namespace, KUBERNETES_FIELDS.deploymentName, KUBERNETES_FIELDS.deploymentReplicasAvailable],
    relatedFields: [KUBERNETES_FIELDS.deploymentReplicasDesired, KUBERNETES_FIELDS.deploymentReplicasUnavailable],
    fireGroups: ['custom_threshold.fired'],
    contextLines: ['{{context.reason}}', `Affected: service ${SERVICE_NAME}, Deployment ${SERVICE_NAME}; available replicas {{context.value}}`, 'Open in app: {{context.viewInAppUrl}}'],
  };
}

export function serviceDownSpecs(): AlertSpec[] {
  return [serviceDownScrapeSpec(), serviceDownReplicasSpec()];
}
