/**
 * Golden signals per route, from the service's Prometheus metrics (prometheus integration,
 * `use_types` + `rate_counters`).
 *
 * - Counters: `prometheus.<name>.rate` is the increase since the previous scrape; summed per bucket
 *   and normalised per second (Lens "normalize by unit") it is a per-second rate.
 * - Histograms: `prometheus.<name>.histogram` is an Elasticsearch `histogram` field holding the
 *   per-scrape bucket counts (the collector turns cumulative buckets into increments). Lens computes
 *   percentiles (and percentile ranks) on it; there are no `_sum`/`_count` fields, so no mean.
 */
import { METRICS, PROBE_ROUTES } from '../../../service/src/telemetry/registry.js';
import { DATA_VIEW_IDS, promField, promLabel } from '../../telemetry-fields.js';
import { metricsScope, SIZES, type PanelSpec, type Scope } from '../defaults.js';
import {
  dateHistogram,
  datatableVisualization,
  kqlAnd,
  metric,
  metricVisualization,
  percentile,
  ratio,
  terms,
  xyVisualization,
} from '../lens.js';
import { lensPanel } from './common.js';

const REQUESTS = METRICS.httpRequests;
const DURATION = METRICS.httpRequestDuration;
const ROUTE = promLabel(REQUESTS, 'route');
const STATUS = promLabel(REQUESTS, 'status_code');
const REQUEST_RATE = promField(REQUESTS, 'rate');
const DURATION_HISTOGRAM = promField(DURATION, 'histogram');
const SERVER_ERROR = { query: `${STATUS} : 5*`, fields: [STATUS] };
const NOT_SERVER_ERROR = { query: `not ${SERVER_ERROR.query}`, fields: [STATUS] };

/** Application traffic only: health, readiness and scrape requests are not user traffic. */
function trafficScope(): Scope {
  const base = metricsScope();
  const probes = PROBE_ROUTES.map((r) => `"${r}"`).join(' or ');
  return { query: kqlAnd(base.query, `not ${ROUTE} : (${probes})`), fields: [...base.fields, ROUTE] };
}

function routeSplit(id: string) {
  return terms(id, ROUTE, { label: 'Route', size: 10 });
}

function requestRate(id: string, label = 'Requests/s') {
  return metric(id, 'sum', REQUEST_RATE, { label, timeScale: 's', format: 'number' });
}

function errorRatio(id: string) {
  return ratio(
    id,
    metric(`${id}-errors`, 'sum', REQUEST_RATE, { label: '5xx', filter: SERVER_ERROR }),
    metric(`${id}-all`, 'sum', REQUEST_RATE, { label: 'all' }),
    { label: 'Error ratio (5xx)', formula: `sum(${REQUEST_RATE}, kql='${SERVER_ERROR.query}') / sum(${REQUEST_RATE})`, format: 'percent' },
  );
}

export function requestRateByRoute(): PanelSpec {
  const x = dateHistogram('time');
  const y = requestRate('rate');
  const split = routeSplit('route');
  return lensPanel({
    key: 'request-rate-by-route',
    title: 'Request rate by route',
    question: 'How much traffic is each route serving right now, and did it change?',
    size: SIZES.half,
    dataViewId: DATA_VIEW_IDS.metrics,
    scope: trafficScope(),
    columns: [x, split, y],
    visualizationType: 'lnsXY',
    visualization: (layerId) => xyVisualization(layerId, { x: x.id, accessors: [y.id], splitAccessor: split.id, seriesType: 'line', yTitle: 'requests/s' }),
  });
}

export function errorRatioByRoute(): PanelSpec {
  const x = dateHistogram('time');
  const y = errorRatio('ratio');
  const split = routeSplit('route');
  return lensPanel({
    key: 'error-ratio-by-route',
    title: 'Error ratio (5xx) by route',
    question: 'Which routes are failing, and what share of their requests fail?',
    size: SIZES.half,
    dataViewId: DATA_VIEW_IDS.metrics,
    scope: trafficScope(),
    columns: [x, split, y],
    visualizationType: 'lnsXY',
    visualization: (layerId) => xyVisualization(layerId, { x: x.id, accessors: [y.id], splitAccessor: split.id, seriesType: 'line', yTitle: '5xx / all' }),
  });
}

export function latencyPercentiles(): PanelSpec {
  const x = dateHistogram('time');
  const p50 = percentile('p50', DURATION_HISTOGRAM, 50, { label: 'p50', format: 'duration_s' });
  const p95 = percentile('p95', DURATION_HISTOGRAM, 95, { label: 'p95', format: 'duration_s' });
  const p99 = percentile('p99', DURATION_HISTOGRAM, 99, { label: 'p99', format: 'duration_s' });
  return lensPanel({
    key: 'latency-percentiles',
    title: 'Latency p50 / p95 / p99 (all routes)',
    question: 'How long do requests take for typical and for the slowest users?',
    size: SIZES.half,
    dataViewId: DATA_VIEW_IDS.metrics,
    scope: trafficScope(),
    columns: [x, p50, p95, p99],
    visualizationType: 'lnsXY',
    visualization: (layerId) => xyVisualization(layerId, { x: x.id, accessors: [p50.id, p95.id, p99.id], seriesType: 'line', yTitle: 'seconds' }),
  });
}

export function latencyP95ByRoute(): PanelSpec {
  const x = dateHistogram('time');
  const p95 = percentile('p95', DURATION_HISTOGRAM, 95, { label: 'p95', format: 'duration_s' });
  const split = routeSplit('route');
  return lensPanel({
    key: 'latency-p95-by-route',
    title: 'Latency p95 by route',
    question: 'Which route is slow?',
    size: SIZES.half,
    dataViewId: DATA_VIEW_IDS.metrics,
    scope: trafficScope(),
    columns: [x, split, p95],
    visualizationType: 'lnsXY',
    visualization: (layerId) => xyVisualization(layerId, { x: x.id, accessors: [p95.id], splitAccessor: split.id, seriesType: 'line', yTitle: 'seconds' }),
  });
}

/** One row per route: rate, error ratio and latency percentiles over the selected time range. */
export function goldenSignalsTable(): PanelSpec {
  const route = routeSplit('route');
  const rate = requestRate('rate');
  const errors = errorRatio('ratio');
  const p50 = percentile('p50', DURATION_HISTOGRAM, 50, { label: 'p50', format: 'duration_s' });
  const p95 = percentile('p95', DURATION_HISTOGRAM, 95, { label: 'p95', format: 'duration_s' });
  const p99 = percentile('p99', DURATION_HISTOGRAM, 99, { label: 'p99', format: 'duration_s' });
  return lensPanel({
    key: 'golden-signals-table',
    title: 'Golden signals per route',
    question: 'For each route over the selected time range: how busy, how failing, how slow?',
    size: SIZES.wideTable,
    dataViewId: DATA_VIEW_IDS.metrics,
    scope: trafficScope(),
    columns: [route, rate, errors, p50, p95, p99],
    visualizationType: 'lnsDatatable',
    visualization: (layerId) => datatableVisualization(layerId, [route.id, rate.id, errors.id, p50.id, p95.id, p99.id], { columnId: rate.id, direction: 'desc' }),
  });
}

export function requestsInFlight(): PanelSpec {
  const inFlight = METRICS.httpRequestsInFlight;
  const x = dateHistogram('time');
  const y = metric('in-flight', 'max', promField(inFlight, 'value'), { label: 'In flight (max)', format: 'number' });
  const split = terms('instance', 'prometheus.labels.instance', { label: 'Pod (instance)', size: 10 });
  return lensPanel({
    key: 'requests-in-flight',
    title: 'Requests in flight per pod',
    question: 'Is a pod saturated: are requests piling up faster than it completes them?',
    size: SIZES.half,
    dataViewId: DATA_VIEW_IDS.metrics,
    scope: metricsScope(),
    columns: [x, split, y],
    visualizationType: 'lnsXY',
    visualization: (layerId) => xyVisualization(layerId, { x: x.id, accessors: [y.id], splitAccessor: split.id, seriesType: 'line', yTitle: 'requests' }),
  });
}

/**
 * The availability SLI computed from the metrics, without the SLO feature: share of non-5xx
 * application requests over the selected time range. Works on every licence.
 */
export function availabilitySli(): PanelSpec {
  const good = ratio(
    'availability',
    metric('availability-good', 'sum', REQUEST_RATE, { label: 'good', filter: NOT_SERVER_ERROR }),
    metric('availability-all', 'sum', REQUEST_RATE, { label: 'all' }),
    { label: 'Availability (non-5xx)', formula: `sum(${REQUEST_RATE}, kql='${NOT_SERVER_ERROR.query}') / sum(${REQUEST_RATE})`, format: 'percent' },
  );
  return lensPanel({
    key: 'availability-sli',
    title: 'Availability SLI (selected range)',
    question: 'What share of application requests succeeded (no 5xx) over the selected time range?',
    size: { w: 12, h: 8 },
    dataViewId: DATA_VIEW_IDS.metrics,
    scope: trafficScope(),
    columns: [good],
    visualizationType: 'lnsMetric',
    visualization: (layerId) => metricVisualization(layerId, { metric: good.id }),
  });
}
