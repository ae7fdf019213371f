/**
 * Alert ids: the stable names of every alerting rule. Rule saved-object ids are
 * `sample-service-<alert id>`; traffic scenarios name the alerts they expect to fire by these ids.
 */
export const ALERT_IDS = [
  'availability-burn-rate-page',
  'availability-burn-rate-ticket',
  'latency-burn-rate-page',
  'latency-burn-rate-ticket',
  'error-log-spike',
  'service-down',
  'pod-restarts',
  'event-loop-lag',
  'memory-saturation',
  'apm-latency',
] as const;

export type AlertId = (typeof ALERT_IDS)[number];
