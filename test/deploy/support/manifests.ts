/**
 * Renders this project's kustomize overlays with `kubectl kustomize` (offline) and gives tests a
 * uniform view of what they contain: objects, pod specs and containers, including the pod
 * templates inside ECK objects.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { REPO_ROOT } from '../../support/contracts.js';

export type Json = Record<string, unknown>;

export interface K8sObject extends Json {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> } & Json;
}

/** The overlays users apply (the whole stack) and the Elastic-only overlays they are built from. */
export const STACK_OVERLAYS = ['k8s/overlays/local', 'k8s/overlays/production'] as const;

export function allOverlays(): string[] {
  const out: string[] = [];
  for (const root of ['k8s/overlays', 'elastic/overlays']) {
    const dir = path.join(REPO_ROOT, root);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) {
      if (existsSync(path.join(dir, name, 'kustomization.yaml'))) out.push(`${root}/${name}`);
    }
  }
  return out;
}

/** Why rendering tests must skip, or undefined when kubectl (with its built-in kustomize) is here. */
export function kubectlSkipReason(): string | undefined {
  const r = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
  if (r.error !== undefined) {
    return 'skipped: kubectl not found on PATH; install kubectl (it includes kustomize) to render the overlays';
  }
  return undefined;
}

const cache = new Map<string, K8sObject[]>();

/** `kubectl kustomize <overlay>` parsed into objects; throws with kustomize's message on failure. */
export function render(overlay: string): K8sObject[] {
  const hit = cache.get(overlay);
  if (hit !== undefined) return hit;
  const r = spawnSync('kubectl', ['kustomize', overlay], { cwd: REPO_ROOT, encoding: 'utf8', maxBuffer: 32 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`kubectl kustomize ${overlay} failed:\n${r.stderr}`);
  const objects = parseAllDocuments(r.stdout)
    .map((d) => d.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);
  cache.set(overlay, objects);
  return objects;
}

export function ref(o: K8sObject): string {
  return `${o.kind}/${o.metadata.namespace ?? '-'}/${o.metadata.name}`;
}

export const ECK_GROUPS = new Set([
  'elasticsearch.k8s.elastic.co',
  'kibana.k8s.elastic.co',
  'apm.k8s.elastic.co',
  'agent.k8s.elastic.co',
  'beat.k8s.elastic.co',
  'logstash.k8s.elastic.co',
  'enterprisesearch.k8s.elastic.co',
  'maps.k8s.elastic.co',
  'stackconfigpolicy.k8s.elastic.co',
  'autoscaling.k8s.elastic.co',
  'packageregistry.k8s.elastic.co',
  'autoops.k8s.elastic.co',
]);

export function group(o: K8sObject): string {
  return o.apiVersion.includes('/') ? (o.apiVersion.split('/')[0] ?? '') : '';
}

export function isEck(o: K8sObject): boolean {
  return ECK_GROUPS.has(group(o));
}

export interface PodSpecView {
  /** e.g. `Deployment/sample-service/sample-service` or `Elasticsearch/elastic-stack/elasticsearch[default]`. */
  readonly owner: string;
  readonly object: K8sObject;
  /** True for pod templates inside ECK objects: ECK adds the main container itself. */
  readonly eck: boolean;
  readonly spec: Json;
  /** ECK's `resources` shorthand for the main container, where the object has one. */
  readonly mainResources?: Json;
}

function get(o: unknown, ...keys: string[]): unknown {
  let cur: unknown = o;
  for (const k of keys) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Json)[k];
  }
  return cur;
}

/** Every pod spec in the rendered output: core workloads and ECK pod templates. */
export function podSpecs(objects: readonly K8sObject[]): PodSpecView[] {
  const out: PodSpecView[] = [];
  for (const o of objects) {
    const spec = o.spec as Json | undefined;
    switch (o.kind) {
      case 'Deployment':
      case 'DaemonSet':
      case 'StatefulSet':
      case 'Job':
        out.push({ owner: ref(o), object: o, eck: false, spec: (get(spec, 'template', 'spec') as Json) ?? {} });
        break;
      case 'Elasticsearch':
        for (const ns of (get(spec, 'nodeSets') as Json[] | undefined) ?? []) {
          out.push({
            owner: `${ref(o)}[${String(ns.name)}]`,
            object: o,
            eck: true,
            spec: (get(ns, 'podTemplate', 'spec') as Json) ?? {},
            mainResources: ns.resources as Json | undefined,
          });
        }
        break;
      case 'Kibana':
      case 'ApmServer':
        out.push({ owner: ref(o), object: o, eck: true, spec: (get(spec, 'podTemplate', 'spec') as Json) ?? {}, mainResources: spec?.resources as Json | undefined });
        break;
      case 'Agent': {
        const workload = (get(spec, 'daemonSet') ?? get(spec, 'deployment') ?? get(spec, 'statefulSet')) as Json | undefined;
        out.push({ owner: ref(o), object: o, eck: true, spec: (get(workload, 'podTemplate', 'spec') as Json) ?? {}, mainResources: spec?.resources as Json | undefined });
        break;
      }
      default:
        break;
    }
  }
  return out;
}

export interface ContainerView {
  readonly pod: PodSpecView;
  readonly name: string;
  readonly init: boolean;
  readonly container: Json;
  /** `<owner>:<container>` */
  readonly id: string;
}

export function containers(pods: readonly PodSpecView[]): ContainerView[] {
  const out: ContainerView[] = [];
  for (const pod of pods) {
    for (const [key, init] of [
      ['initContainers', true],
      ['containers', false],
    ] as const) {
      for (const c of (pod.spec[key] as Json[] | undefined) ?? []) {
        out.push({ pod, name: String(c.name), init, container: c, id: `${pod.owner}:${String(c.name)}` });
      }
    }
  }
  return out;
}

export { get };
