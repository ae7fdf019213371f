/** Log-based symptom: a spike of error-level log lines from the service (`.es-query`). */
import { INDEX_PATTERNS, KUBERNETES_FIELDS, LOG_FIELDS, SERVICE_NAME } from '../../kibana/telemetry-fields.js';
import { THRESHOLDS } from '../config.js';
import type { AlertSpec } from './model.js';

const t = THRESHOLDS.errorLogSpike;

/** The query, shared with the runbook's "how to confirm" (KQL form). */
export const ERROR_LOG_KQL = `${LOG_FIELDS.serviceName} : ${JSON.stringify(SERVICE_NAME)} and ${LOG_FIELDS.level} : "error"`;

export function errorLogSpikeSpec(): AlertSpec {
  return {
    alertId: 'error-log-spike',
    name: '[Sample Service] Error log spike',
    severity: 'warning',
    urgency: 'ticket',
    summary: `${SERVICE_NAME} logs more than ${t.count} errors in ${t.windowMinutes} minutes`,
    description:
      `The service wrote more error-level log lines than its designed background of failures. ` +
      'The sample hits below name the pods and routes that logged them.',
    condition: `count of error-level log lines of ${SERVICE_NAME} > ${t.count} over ${t.windowMinutes} m`,
    why: t.why,
    // Stack rule: consumer "stackAlerts" is the rule type's own producer, allowed wherever stack rules are.
    ruleTypeId: '.es-query',
    consumer: 'stackAlerts',
    params: {
      searchType: 'esQuery',
      index: [INDEX_PATTERNS.logs],
      timeField: '@timestamp',
      esQuery: JSON.stringify({
        query: {
          bool: {
            filter: [
              { term: { [LOG_FIELDS.serviceName]: SERVICE_NAME } },
              { term: { [LOG_FIELDS.level]: 'error' } },
            ],
          },
        },
      }),
      size: 10,
      threshold: [t.count],
      thresholdComparator: '>',
      timeWindowSize: t.windowMinutes,
      timeWindowUnit: 'm',
      aggType: 'count',
      groupBy: 'all',
      excludeHitsFromPreviousRun: false,
    },
    fields: [
      '@timestamp',
      LOG_FIELDS.serviceName,
      LOG_FIELDS.level,
      LOG_FIELDS.route,
      LOG_FIELDS.errorMessage,
      KUBERNETES_FIELDS.podName,
    ],
    fireGroups: ['query matched'],
    contextLines: [
      '{{context.message}}',
      `Affected: service ${SERVICE_NAME}; {{context.value}} error lines in ${t.windowMinutes} m`,
      `Sample (pod route: error): {{#context.hits}}{{_source.${KUBERNETES_FIELDS.podName}}} {{_source.${LOG_FIELDS.route}}}: {{_source.${LOG_FIELDS.errorMessage}}}; {{/context.hits}}`,
      'Discover: {{context.link}}',
    ],
    hasAlertDetailsUrl: false,
  };
}
