/** Node.js runtime cause rule: event loop lag per pod, from prom-client's default metrics. */
import { DATA_VIEW_IDS, KUBERNETES_FIELDS, SERVICE_NAME, SERVICE_NAME_FIELD, promField } from '../../kibana/telemetry-fields.js';
import { RUNTIME_METRICS } from '../../service/src/telemetry/registry.js';
import { THRESHOLDS } from '../config.js';
import type { AlertSpec } from './model.js';
import { perPodThresholdParams } from './per-pod-threshold.js';

export const EVENT_LOOP_LAG_FIELD = promField(RUNTIME_METRICS.eventLoopLagP99, 'value');

export function eventLoopLagSpec(): AlertSpec {
  const t = THRESHOLDS.eventLoopLag;
  const kql = `${SERVICE_NAME_FIELD} : ${JSON.stringify(SERVICE_NAME)}`;
  return {
    alertId: 'event-loop-lag',
    name: '[Sample Service] Event loop lag',
    severity: 'warning',
    urgency: 'ticket',
    summary: `The event loop of a ${SERVICE_NAME} pod lags more than ${t.p99Seconds * 1000} ms (p99)`,
    description:
      'Requests on this pod wait for the event loop before their handler runs: CPU saturation (throttling at the CPU limit), ' +
      'synchronous work on the loop, or long GC pauses. Latency of every route on the pod rises together.',
    condition: `avg ${EVENT_LOOP_LAG_FIELD} > ${t.p99Seconds} s over ${t.windowMinutes} m, per pod`,
    why: t.why,
    ruleTypeId: 'observability.rules.custom_threshold',
    consumer: 'logs',
    params: perPodThresholdParams({
      comparator: '>',
      threshold: t.p99Seconds,
      windowMinutes: t.windowMinutes,
      metrics: [{ name: 'A', aggType: 'avg', field: EVENT_LOOP_LAG_FIELD }],
      equation: 'A',
      label: 'event loop lag p99 (s)',
      dataViewId: DATA_VIEW_IDS.metrics,
      kql,
    }),
    fields: ['@timestamp', SERVICE_NAME_FIELD, KUBERNETES_FIELDS.podName, EVENT_LOOP_LAG_FIELD],
    fireGroups: ['custom_threshold.fired'],
    contextLines: [
      '{{context.reason}}',
      `Affected: service ${SERVICE_NAME}, pod {{#context.group}}{{value}}{{/context.group}}; lag {{context.value}} s`,
      'Open in app: {{context.viewInAppUrl}}',
    ],
    hasAlertDetailsUrl: true,
  };
}
