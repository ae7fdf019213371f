/** Node.js runtime panels, from prom-client's default metrics (RUNTIME_METRICS in the registry). */
import { RUNTIME_METRICS } from '../../../service/src/telemetry/registry.js';
import { DATA_VIEW_IDS, promField } from '../../telemetry-fields.js';
import { metricsScope, SIZES, type PanelSpec } from '../defaults.js';
import { dateHistogram, metric, percentile, terms, xyVisualization } from '../lens.js';
import { lensPanel } from './common.js';

const INSTANCE = 'prometheus.labels.instance';

function byInstance() {
  return terms('instance', INSTANCE, { label: 'Pod (instance)', size: 10 });
}

export function eventLoopLag(): PanelSpec {
  const x = dateHistogram('time');
  const split = byInstance();
  const p99 = metric('lag-p99', 'max', promField(RUNTIME_METRICS.eventLoopLagP99), { label: 'Event loop lag p99', format: 'duration_s' });
  return lensPanel({
    key: 'event-loop-lag',
    title: 'Event loop lag p99 per pod',
    question: 'Is the event loop blocked (CPU-bound work, sync I/O), delaying every request on that pod?',
    size: SIZES.half,
    dataViewId: DATA_VIEW_IDS.metrics,
    scope: metricsScope(),
    columns: [x, split, p99],
    visualizationType: 'lnsXY',
    visualization: (layerId) => xyVisualization(layerId, { x: x.id, accessors: [p99.id], splitAccessor: split.id, seriesType: 'line', yTitle: 'seconds' }),
  });
}

export function heapAndRss(): PanelSpec {
  const x = dateHistogram('time');
  const used = metric('heap-used', 'max', promField(RUNTIME_METRICS.heapUsed), { label: 'Heap used', format: 'bytes' });
  const total = metric('heap-total', 'max', promField(RUNTIME_METRICS.heapTotal), { label: 'Heap total', format: 'bytes' });
  const rss = metric('rss', 'max', promField(RUNTIME_METRICS.residentMemory), { label: 'Resident set (RSS)', format: 'bytes' });
  return lensPanel({
    key: 'heap-and-rss',
    title: 'Heap and resident memory (largest pod)',
    question: 'Is memory growing without bound (a leak) or close to the container limit?',
    size: SIZES.half,
    dataViewId: DATA_VIEW_IDS.metrics,
    scope: metricsScope(),
    columns: [x, used, total, rss],
    visualizationType: 'lnsXY',
    visualization: (layerId) => xyVisualization(layerId, { x: x.id, accessors: [used.id, total.id, rss.id], seriesType: 'line', yTitle: 'bytes' }),
  });
}

export function gcPauses(): PanelSpec {
  const x = dateHistogram('time');
  const kind = terms('kind', 'prometheus.labels.kind', { label: 'GC kind', size: 5 });
  const p95 = percentile('gc-p95', promField(RUNTIME_METRICS.gcDuration, 'histogram'), 95, { label: 'GC pause p95', format: 'duration_s' });
  return lensPanel({
    key: 'gc-pauses',
    title: 'GC pause p95 by kind',
    question: 'Are garbage-collection pauses long enough to hurt latency (major GCs under memory pressure)?',
    size: SIZES.half,
    dataViewId: DATA_VIEW_IDS.metrics,
    scope: metricsScope(),
    columns: [x, kind, p95],
    visualizationType: 'lnsXY',
    visualization: (layerId) => xyVisualization(layerId, { x: x.id, accessors: [p95.id], splitAccessor: kind.id, seriesType: 'line', yTitle: 'seconds' }),
  });
}

export function processCpu(): PanelSpec {
  const x = dateHistogram('time');
  const split = byInstance();
  const cores = metric('cpu', 'sum', promField(RUNTIME_METRICS.cpuSeconds, 'rate'), { label: 'CPU (cores)', timeScale: 's', format: 'number' });
  return lensPanel({
    key: 'process-cpu',
    title: 'Process CPU per pod (cores)',
    question: 'How much CPU does each Node.js process use (one core is the ceiling for the event loop)?',
    size: SIZES.half,
    dataViewId: DATA_VIEW_IDS.metrics,
    scope: metricsScope(),
    columns: [x, split, cores],
    visualizationType: 'lnsXY',
    visualization: (layerId) => xyVisualization(layerId, { x: x.id, accessors: [cores.id], splitAccessor: split.id, seriesType: 'line', yTitle: 'cores' }),
  });
}
