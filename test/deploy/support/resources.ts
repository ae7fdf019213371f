/**
 * Resource arithmetic over rendered overlays: Kubernetes quantities, and what each workload asks
 * the scheduler for (requests and limits of its running containers times its replicas), including
 * the main containers ECK generates from the `resources` shorthand.
 */
import { containers, get, podSpecs, type Json, type K8sObject, type PodSpecView } from './manifests.js';

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };
const DECIMAL: Record<string, number> = { m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };

/** A Kubernetes quantity (`500m`, `"1"`, `512Mi`, `2Gi`) as a number (cores or bytes). */
export function quantity(q: unknown): number {
  const m = /^([0-9.]+)([A-Za-z]*)$/.exec(String(q));
  const factor = m === null ? undefined : (BINARY[m[2] ?? ''] ?? DECIMAL[m[2] ?? '']);
  if (m === null || factor === undefined) throw new Error(`not a Kubernetes quantity: ${String(q)}`);
  return Number(m[1]) * factor;
}

export const GiB = 2 ** 30;
export const MiB = 2 ** 20;

export interface Totals {
  cpuRequest: number;
  memoryRequest: number;
  cpuLimit: number;
  memoryLimit: number;
}

export const ZERO: Totals = { cpuRequest: 0, memoryRequest: 0, cpuLimit: 0, memoryLimit: 0 };

export function add(a: Totals, b: Totals, times = 1): Totals {
  return {
    cpuRequest: a.cpuRequest + b.cpuRequest * times,
    memoryRequest: a.memoryRequest + b.memoryRequest * times,
    cpuLimit: a.cpuLimit + b.cpuLimit * times,
    memoryLimit: a.memoryLimit + b.memoryLimit * times,
  };
}

function of(resources: unknown): Totals {
  const v = (k: string, r: string) => {
    const q = get(resources, k, r);
    return q === undefined ? 0 : quantity(q);
  };
  return { cpuRequest: v('requests', 'cpu'), memoryRequest: v('requests', 'memory'), cpuLimit: v('limits', 'cpu'), memoryLimit: v('limits', 'memory') };
}

/** Pods a workload runs; a DaemonSet counts `nodes` pods. */
function replicas(pod: PodSpecView, nodes: number): number {
  const o = pod.object;
  switch (o.kind) {
    case 'Deployment':
    case 'StatefulSet':
      return (get(o, 'spec', 'replicas') as number | undefined) ?? 1;
    case 'DaemonSet':
      return nodes;
    case 'Kibana':
    case 'ApmServer':
      return (get(o, 'spec', 'count') as number | undefined) ?? 1;
    case 'Elasticsearch': {
      const name = /\[(.*)\]$/.exec(pod.owner)?.[1];
      const set = ((get(o, 'spec', 'nodeSets') as Json[] | undefined) ?? []).find((s) => s.name === name);
      return (set?.count as number | undefined) ?? 1;
    }
    case 'Agent':
      if (get(o, 'spec', 'daemonSet') !== undefined) return nodes;
      return (get(o, 'spec', 'deployment', 'replicas') as number | undefined) ?? (get(o, 'spec', 'statefulSet', 'replicas') as number | undefined) ?? 1;
    default:
      return 1;
  }
}

export interface WorkloadTotals {
  readonly owner: string;
  readonly pods: number;
  /** One pod's running containers (init containers run before them and do not add up). */
  readonly perPod: Totals;
}

/** Every workload of the rendered objects with its per-pod resources and pod count. */
export function workloads(objects: readonly K8sObject[], nodes = 1): WorkloadTotals[] {
  return podSpecs(objects).map((pod) => {
    let perPod = pod.eck ? of(pod.mainResources) : ZERO;
    for (const c of containers([pod])) {
      if (c.init || (pod.eck && get(c.container, 'resources') === undefined)) continue;
      perPod = add(perPod, of(c.container.resources));
    }
    return { owner: pod.owner, pods: replicas(pod, nodes), perPod };
  });
}

export function total(ws: readonly WorkloadTotals[]): Totals {
  return ws.reduce((sum, w) => add(sum, w.perPod, w.pods), ZERO);
}
