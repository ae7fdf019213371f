/**
 * Pod and Deployment panels from the kubernetes integration: kubelet (`kubernetes.container`)
 * for usage, kube-state-metrics (`kubernetes.state_container`, `kubernetes.state_deployment`) for
 * requests, limits, restarts and replicas. Usage and requests/limits are different documents of the
 * same data view, so each series filters on its own dataset.
 */
import { DATA_VIEW_IDS, DATASETS, KUBERNETES_FIELDS as K } from '../../telemetry-fields.js';
import { kubernetesScope, SIZES, type PanelSpec } from '../defaults.js';
import { dateHistogram, kqlIs, metric, metricVisualization, ratio, terms, xyVisualization, type Column } from '../lens.js';
import { lensPanel } from './common.js';

const USAGE = { query: kqlIs('data_stream.dataset', DATASETS.kubernetesContainer), fields: ['data_stream.dataset'] };
const STATE = { query: kqlIs('data_stream.dataset', DATASETS.kubernetesStateContainer), fields: ['data_stream.dataset'] };

function byPod() {
  return terms('pod', K.podName, { label: 'Pod', size: 10 });
}

/** Usage per pod (kubelet) against the container's request and limit (kube-state-metrics), over time. */
function usageVsRequestAndLimit(spec: {
  key: string;
  title: string;
  question: string;
  used: Column;
  request: Column;
  limit: Column;
  yTitle: string;
}): PanelSpec {
  const x = dateHistogram('time');
  const pod = byPod();
  return lensPanel({
    key: spec.key,
    title: spec.title,
    question: spec.question,
    size: SIZES.half,
    dataViewId: DATA_VIEW_IDS.kubernetes,
    scope: kubernetesScope([DATASETS.kubernetesContainer, DATASETS.kubernetesStateContainer]),
    columns: [x, pod, spec.used, spec.request, spec.limit],
    visualizationType: 'lnsXY',
    visualization: (layerId) =>
      xyVisualization(layerId, {
        x: x.id,
        accessors: [spec.used.id, spec.request.id, spec.limit.id],
        splitAccessor: pod.id,
        seriesType: 'line',
        yTitle: spec.yTitle,
      }),
  });
}

export function podCpuVsRequestsLimits(): PanelSpec {
  return usageVsRequestAndLimit({
    key: 'pod-cpu-vs-requests-limits',
    title: 'Pod CPU vs request and limit',
    question: 'Is a pod using more CPU than it requested (noisy neighbour risk) or hitting its limit (throttling)?',
    used: ratio('cpu-usage', metric('n', 'max', K.containerCpuNanocores, { label: 'nanocores', filter: USAGE }), 1e9, {
      label: 'CPU used (cores)',
      formula: `max(${K.containerCpuNanocores}, kql='${USAGE.query}') / 1000000000`,
      format: 'number',
    }),
    request: metric('cpu-request', 'max', K.containerCpuRequest, { label: 'CPU request (cores)', filter: STATE, format: 'number' }),
    limit: metric('cpu-limit', 'max', K.containerCpuLimit, { label: 'CPU limit (cores)', filter: STATE, format: 'number' }),
    yTitle: 'cores',
  });
}

export function podMemoryVsRequestsLimits(): PanelSpec {
  return usageVsRequestAndLimit({
    key: 'pod-memory-vs-requests-limits',
    title: 'Pod memory vs request and limit',
    question: 'Will a pod be OOM-killed soon (working set close to its limit)?',
    used: metric('mem-used', 'max', K.containerMemoryWorkingSet, { label: 'Working set', filter: USAGE, format: 'bytes' }),
    request: metric('mem-request', 'max', K.containerMemoryRequest, { label: 'Memory request', filter: STATE, format: 'bytes' }),
    limit: metric('mem-limit', 'max', K.containerMemoryLimit, { label: 'Memory limit', filter: STATE, format: 'bytes' }),
    yTitle: 'bytes',
  });
}

export function containerRestarts(): PanelSpec {
  const x = dateHistogram('time');
  const pod = byPod();
  const restarts = metric('restarts', 'max', K.containerRestarts, { label: 'Restarts (total)', format: 'number' });
  return lensPanel({
    key: 'container-restarts',
    title: 'Container restarts per pod',
    question: 'Are pods crash-looping or being OOM-killed (restart count rising)?',
    size: SIZES.half,
    dataViewId: DATA_VIEW_IDS.kubernetes,
    scope: kubernetesScope([DATASETS.kubernetesStateContainer]),
    columns: [x, pod, restarts],
    visualizationType: 'lnsXY',
    visualization: (layerId) => xyVisualization(layerId, { x: x.id, accessors: [restarts.id], splitAccessor: pod.id, seriesType: 'bar', yTitle: 'restarts' }),
  });
}

export function readyReplicas(): PanelSpec {
  const x = dateHistogram('time');
  const desired = metric('desired', 'max', K.deploymentReplicasDesired, { label: 'Desired', format: 'number' });
  const available = metric('available', 'min', K.deploymentReplicasAvailable, { label: 'Available (ready)', format: 'number' });
  return lensPanel({
    key: 'ready-replicas',
    title: 'Deployment replicas: available vs desired',
    question: 'Does the Deployment have all the replicas it asked for (rollout stuck, pods not ready)?',
    size: SIZES.half,
    dataViewId: DATA_VIEW_IDS.kubernetes,
    scope: kubernetesScope([DATASETS.kubernetesStateDeployment], 'deployment'),
    columns: [x, desired, available],
    visualizationType: 'lnsXY',
    visualization: (layerId) => xyVisualization(layerId, { x: x.id, accessors: [desired.id, available.id], seriesType: 'line', yTitle: 'replicas' }),
  });
}

export function unavailableReplicasNow(): PanelSpec {
  const unavailable = metric('unavailable', 'last_value', K.deploymentReplicasUnavailable, { label: 'Unavailable replicas (latest)', format: 'number' });
  return lensPanel({
    key: 'unavailable-replicas',
    title: 'Unavailable replicas now',
    question: 'Right now, how many replicas of the Deployment are not available?',
    size: { w: 12, h: 8 },
    dataViewId: DATA_VIEW_IDS.kubernetes,
    scope: kubernetesScope([DATASETS.kubernetesStateDeployment], 'deployment'),
    columns: [unavailable],
    visualizationType: 'lnsMetric',
    visualization: (layerId) => metricVisualization(layerId, { metric: unavailable.id }),
  });
}
