/** `[Sample Service] Runtime and Kubernetes`: the Node.js process and the pods it runs in. */
import { renderDashboard, type DashboardSpec } from './defaults.js';
import {
  containerRestarts,
  podCpuVsRequestsLimits,
  podMemoryVsRequestsLimits,
  readyReplicas,
  unavailableReplicasNow,
} from './panels/kubernetes.js';
import { DASHBOARD_IDS, drilldowns } from './panels/navigation.js';
import { eventLoopLag, gcPauses, heapAndRss, processCpu } from './panels/runtime.js';
import type { SavedObjectResource } from '../../model/resources.js';

export function runtimeSpec(): DashboardSpec {
  return {
    id: DASHBOARD_IDS.runtime,
    title: '[Sample Service] Runtime and Kubernetes',
    description: 'Event loop, heap, GC and CPU of the Node.js process; pod CPU and memory against requests and limits, restarts and replicas.',
    rows: [
      [drilldowns('runtime')],
      [eventLoopLag(), processCpu()],
      [heapAndRss(), gcPauses()],
      [podCpuVsRequestsLimits(), podMemoryVsRequestsLimits()],
      [containerRestarts(), readyReplicas()],
      [unavailableReplicasNow()],
    ],
  };
}

export function runtimeDashboard(): SavedObjectResource {
  return renderDashboard(runtimeSpec());
}
