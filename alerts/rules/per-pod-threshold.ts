/**
 * Params of a one-condition `observability.rules.custom_threshold` rule evaluated per pod: the shape
 * shared by the pod-restart, memory and event-loop rules (the burn-rate fallback has its own, with
 * two AND-ed windows).
 */
import { KUBERNETES_FIELDS } from '../../kibana/telemetry-fields.js';

export interface PerPodThreshold {
  readonly comparator: '>' | '>=';
  readonly threshold: number;
  readonly windowMinutes: number;
  readonly metrics: ReadonlyArray<{ readonly name: string; readonly aggType: 'avg' | 'max' | 'min'; readonly field: string }>;
  readonly equation: string;
  readonly label: string;
  readonly dataViewId: string;
  readonly kql: string;
}

export function perPodThresholdParams(p: PerPodThreshold): Record<string, unknown> {
  return {
    criteria: [
      {
        comparator: p.comparator,
        threshold: [p.threshold],
        timeSize: p.windowMinutes,
        timeUnit: 'm',
        metrics: p.metrics,
        equation: p.equation,
        label: p.label,
      },
    ],
    groupBy: [KUBERNETES_FIELDS.podName],
    alertOnNoData: false,
    alertOnGroupDisappear: false,
    searchConfiguration: { index: p.dataViewId, query: { query: p.kql, language: 'kuery' } },
  };
}
