/** APM symptom rule: service-level p95 transaction latency (`apm.transaction_duration`). */
import { APM_FIELDS, SERVICE_NAME, promField } from '../../kibana/telemetry-fields.js';
import { METRICS } from '../../service/src/telemetry/registry.js';
import { SERVICE_IDENTITY, THRESHOLDS } from '../config.js';
import type { AlertSpec } from './model.js';

export function apmLatencySpec(): AlertSpec {
  const t = THRESHOLDS.apmLatency;
  return {
    alertId: 'apm-latency',
    name: '[Sample Service] APM latency (p95)',
    severity: 'warning',
    urgency: 'ticket',
    summary: `${SERVICE_NAME} p95 request latency is above ${t.p95Milliseconds} ms`,
    description:
      'More than 5% of request transactions take longer than the threshold, service-wide. Open the service in APM: the ' +
      'transactions table shows which route (transaction name) moved, and the latency distribution whether it is the slow ' +
      'endpoint\'s share of traffic or the fast paths degrading.',
    condition: `p95 ${APM_FIELDS.transactionDurationHistogram} of ${SERVICE_IDENTITY.apmTransactionType} transactions > ${t.p95Milliseconds} ms over ${t.windowMinutes} m, per environment`,
    why: t.why,
    ruleTypeId: 'apm.transaction_duration',
    consumer: 'apm',
    params: {
      serviceName: SERVICE_NAME,
      transactionType: SERVICE_IDENTITY.apmTransactionType,
      environment: SERVICE_IDENTITY.apmEnvironment,
      windowSize: t.windowMinutes,
      windowUnit: 'm',
      // Milliseconds, as the rule form enters it (notes 7.3).
      threshold: t.p95Milliseconds,
      aggregationType: '95th',
      groupBy: [APM_FIELDS.serviceName, APM_FIELDS.serviceEnvironment, APM_FIELDS.transactionType],
    },
    fields: [APM_FIELDS.serviceName, APM_FIELDS.serviceEnvironment, APM_FIELDS.transactionType, APM_FIELDS.transactionDurationHistogram],
    relatedFields: [promField(METRICS.httpRequestDuration, 'histogram'), APM_FIELDS.transactionDuration],
    fireGroups: ['threshold_met'],
    contextLines: [
      '{{context.reason}}',
      'Affected: service {{context.serviceName}} in {{context.environment}}, {{context.transactionType}} transactions; p95 {{context.triggerValue}} (threshold {{context.threshold}})',
      'APM: {{context.viewInAppUrl}}',
    ],
    hasAlertDetailsUrl: true,
  };
}
