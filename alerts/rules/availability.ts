/** Service down / no data: no metrics document from the service at all (custom threshold, no data). */
import { DATA_VIEW_IDS, KUBERNETES_FIELDS, SERVICE_NAME, SERVICE_NAME_FIELD, promField } from '../../kibana/telemetry-fields.js';
import { METRICS } from '../../service/src/telemetry/registry.js';
import { THRESHOLDS } from '../config.js';
import type { AlertSpec } from './model.js';

const t = THRESHOLDS.serviceDown;

export const SERVICE_METRICS_KQL = `${SERVICE_NAME_FIELD} : ${JSON.stringify(SERVICE_NAME)}`;

export function serviceDownSpec(): AlertSpec {
  return {
    alertId: 'service-down',
    name: '[Sample Service] Service down (no metrics)',
    severity: 'critical',
    urgency: 'page',
    summary: `${SERVICE_NAME} has not been scraped for ${t.windowMinutes} minutes: no pod is up or reachable`,
    description:
      `No Prometheus document from any ${SERVICE_NAME} pod arrived in ${t.windowMinutes} minutes. Either every pod is ` +
      'down or not ready, or the collection path (Elastic Agent, Fleet policy) is broken. The burn-rate rules are blind ' +
      'while this fires, because there are no request counts to compute them from.',
    condition: `fewer than 1 metrics document with ${SERVICE_METRICS_KQL} over ${t.windowMinutes} m, or no data`,
    why: t.why,
    ruleTypeId: 'observability.rules.custom_threshold',
    consumer: 'logs',
    params: {
      criteria: [
        {
          comparator: '<',
          threshold: [1],
          timeSize: t.windowMinutes,
          timeUnit: 'm',
          metrics: [{ name: 'A', aggType: 'count', filter: SERVICE_METRICS_KQL }],
          equation: 'A',
          label: 'metrics documents',
        },
      ],
      alertOnNoData: true,
      alertOnGroupDisappear: false,
      searchConfiguration: { index: DATA_VIEW_IDS.metrics, query: { query: SERVICE_METRICS_KQL, language: 'kuery' } },
    },
    fields: ['@timestamp', SERVICE_NAME_FIELD],
    relatedFields: [promField(METRICS.httpRequests, 'rate'), KUBERNETES_FIELDS.deploymentReplicasAvailable],
    fireGroups: ['custom_threshold.fired', 'custom_threshold.nodata'],
    contextLines: ['{{context.reason}}', `Affected: service ${SERVICE_NAME} (all pods)`, 'Open in app: {{context.viewInAppUrl}}'],
    hasAlertDetailsUrl: true,
  };
}
