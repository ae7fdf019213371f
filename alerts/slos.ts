/**
 * The two SLOs as data: what is counted, against which objective, and the Kibana SLO API body.
 *
 * Indicator choice: the Prometheus data (`metrics-prometheus.collector-*`), not the APM indicators.
 * - The service's own counters and histogram count every request exactly once: traces can be
 *   sampled, and log shipping can drop or delay lines.
 * - They are labelled with the route template and status code, so the SLI selects routes and 5xx
 *   exactly, and probes are excluded by label (they are not even traced, so an APM indicator could
 *   not see them, but neither could it select by status code without relying on event.outcome).
 * - The APM indicators depend on how APM Server names OTLP transactions and maps the environment
 *   (notes 5.2 and 8.7, unverified); the Prometheus labels come from the telemetry registry.
 * Availability: `sli.metric.custom`, good = sum of the request counter's per-scrape increase for
 * non-5xx statuses, total = the same for every status. Latency: `sli.histogram.custom` over the
 * duration histogram, good = the requests in buckets up to LATENCY_THRESHOLD_SECONDS.
 */
import {
  INDEX_PATTERNS,
  OWNER_TAG,
  SERVICE_NAME,
  SERVICE_NAME_FIELD,
  SLO_IDS,
  promField,
  promLabel,
} from '../kibana/telemetry-fields.js';
import { HTTP_DURATION_BUCKETS, METRICS } from '../service/src/telemetry/registry.js';
import type { SloResource } from '../model/resources.js';
import { LATENCY_THRESHOLD_SECONDS, OBJECTIVES, SLI_ROUTES, type SloObjective } from './config.js';

export type SloKey = 'availability' | 'latency';

export interface SloDefinition {
  readonly key: SloKey;
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly objective: SloObjective;
  /** One sentence: what a good event is. */
  readonly good: string;
  readonly routes: readonly string[];
}

const ROUTE_LABEL = promLabel(METRICS.httpRequests, 'route');
const STATUS_LABEL = promLabel(METRICS.httpRequests, 'status_code');
const DURATION_ROUTE_LABEL = promLabel(METRICS.httpRequestDuration, 'route');

/** KQL: `field : ("a" or "b")`. */
export function anyOf(field: string, values: readonly string[]): string {
  return `${field} : (${values.map((v) => JSON.stringify(v)).join(' or ')})`;
}

export const SLOS: Readonly<Record<SloKey, SloDefinition>> = {
  availability: {
    key: 'availability',
    id: SLO_IDS.availability,
    name: '[Sample Service] API availability',
    description:
      `${OBJECTIVES.availability.target * 100}% of API requests answer without a 5xx over ${OBJECTIVES.availability.periodDays} days ` +
      '(probes excluded; /api/error and /api/flaky included on purpose, see alerts/config.ts).',
    objective: OBJECTIVES.availability,
    good: 'a request to an API route that answered with a status below 500',
    routes: SLI_ROUTES.availability,
  },
  latency: {
    key: 'latency',
    id: SLO_IDS.latency,
    name: '[Sample Service] API latency',
    description:
      `${OBJECTIVES.latency.target * 100}% of requests to the fast endpoints complete within ${LATENCY_THRESHOLD_SECONDS * 1000} ms ` +
      `over ${OBJECTIVES.latency.periodDays} days (/api/slow and /api/error excluded on purpose, see alerts/config.ts).`,
    objective: OBJECTIVES.latency,
    good: `a request to a fast endpoint that completed within ${LATENCY_THRESHOLD_SECONDS * 1000} ms`,
    routes: SLI_ROUTES.latency,
  },
};

/** The 5xx selector on the Prometheus data: labels are keyword strings, so a prefix match, not a range. */
export const SERVER_ERROR_STATUS_KQL = `${STATUS_LABEL} : 5*`;

/**
 * The `to` of the histogram range that counts "within the threshold". Range `to` is exclusive and
 * the collector stores each bucket as one value somewhere inside the bucket (its upper bound or a
 * point between the bounds, notes 3.2 [U]); half-way between the threshold and the next
 * boundary includes the threshold's bucket and excludes the next one in both representations.
 */
export function histogramGoodUpperBound(threshold: number = LATENCY_THRESHOLD_SECONDS): number {
  const buckets = HTTP_DURATION_BUCKETS as readonly number[];
  const i = buckets.indexOf(threshold);
  if (i < 0) throw new Error(`${threshold} is not a bucket boundary`);
  const next = buckets[i + 1];
  if (next === undefined) throw new Error(`${threshold} is the last bucket boundary: nothing above it to exclude`);
  // The next bucket's lowest representative point is its midpoint (threshold + next) / 2.
  return (threshold + (threshold + next) / 2) / 2;
}

function availabilityIndicator(): Record<string, unknown> {
  const requests = promField(METRICS.httpRequests, 'rate');
  return {
    type: 'sli.metric.custom',
    params: {
      index: INDEX_PATTERNS.metrics,
      timestampField: '@timestamp',
      filter: `${SERVICE_NAME_FIELD} : ${JSON.stringify(SERVICE_NAME)} and ${anyOf(ROUTE_LABEL, SLOS.availability.routes)}`,
      good: {
        metrics: [{ name: 'A', aggregation: 'sum', field: requests, filter: `not ${SERVER_ERROR_STATUS_KQL}` }],
        equation: 'A',
      },
      total: {
        metrics: [{ name: 'A', aggregation: 'sum', field: requests }],
        equation: 'A',
      },
    },
  };
}

function latencyIndicator(): Record<string, unknown> {
  const histogram = promField(METRICS.httpRequestDuration, 'histogram');
  return {
    type: 'sli.histogram.custom',
    params: {
      index: INDEX_PATTERNS.metrics,
      timestampField: '@timestamp',
      filter: `${SERVICE_NAME_FIELD} : ${JSON.stringify(SERVICE_NAME)} and ${anyOf(DURATION_ROUTE_LABEL, SLOS.latency.routes)}`,
      good: { aggregation: 'range', field: histogram, from: 0, to: histogramGoodUpperBound() },
      total: { aggregation: 'value_count', field: histogram },
    },
  };
}

export function sloBody(slo: SloDefinition): SloResource['body'] {
  return {
    id: slo.id,
    name: slo.name,
    description: slo.description,
    indicator: slo.key === 'availability' ? availabilityIndicator() : latencyIndicator(),
    timeWindow: { duration: `${slo.objective.periodDays}d`, type: 'rolling' },
    budgetingMethod: slo.objective.budgetingMethod,
    objective: { target: slo.objective.target },
    // syncDelay covers the scrape period (10 s) plus ingest and refresh; frequency matches the rule interval.
    settings: { syncDelay: '2m', frequency: '1m' },
    tags: [OWNER_TAG, `slo:${slo.key}`],
  };
}

/** Every field each SLO queries (checked by the telemetry contract test). */
export function sloFields(slo: SloDefinition): string[] {
  return slo.key === 'availability'
    ? ['@timestamp', SERVICE_NAME_FIELD, ROUTE_LABEL, STATUS_LABEL, promField(METRICS.httpRequests, 'rate')]
    : ['@timestamp', SERVICE_NAME_FIELD, DURATION_ROUTE_LABEL, promField(METRICS.httpRequestDuration, 'histogram')];
}

export function sloResources(): SloResource[] {
  return Object.values(SLOS).map((slo) => ({
    kind: 'kibana.slo',
    id: slo.id,
    title: slo.name,
    when: { licence: 'platinum' },
    fields: sloFields(slo),
    body: sloBody(slo),
  }));
}
