/**
 * Container policy on the rendered overlays: requests and limits, pinned images, probes where a
 * container serves traffic, non-root, no privilege escalation, all capabilities dropped, read-only
 * root filesystems, RuntimeDefault seccomp and no host access, with the exceptions listed (and
 * justified) in policy-exceptions.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { POLICY_EXCEPTIONS, type PolicyRule } from './policy-exceptions.js';
import { allOverlays, containers, get, kubectlSkipReason, podSpecs, render, type Json, type PodSpecView } from './support/manifests.js';

const skip = kubectlSkipReason();
if (skip !== undefined) console.log(`# ${skip}`);

/** The container ECK generates in each kind (its resources come from the `resources` shorthand). */
const ECK_MAIN_CONTAINER: Record<string, string> = {
  Elasticsearch: 'elasticsearch',
  Kibana: 'kibana',
  ApmServer: 'apm-server',
  Agent: 'agent',
};
/** ECK adds readiness probes to these main containers itself. */
const ECK_PROBED = new Set(['Elasticsearch', 'Kibana', 'ApmServer']);

export interface Violation {
  readonly target: string;
  readonly rule: PolicyRule;
  readonly detail: string;
}

function pinned(image: unknown): boolean {
  if (typeof image !== 'string' || image === '') return false;
  if (image.includes('@sha256:')) return true;
  const lastSegment = image.split('/').pop() ?? '';
  const tag = lastSegment.includes(':') ? lastSegment.split(':').pop() : undefined;
  return tag !== undefined && tag !== '' && tag !== 'latest';
}

function fullResources(r: unknown): boolean {
  return ['requests', 'limits'].every((k) => ['cpu', 'memory'].every((res) => get(r, k, res) !== undefined));
}

/** Every violation of the policy in one overlay's objects (before exceptions). */
export function violations(pods: readonly PodSpecView[]): Violation[] {
  const out: Violation[] = [];
  for (const pod of pods) {
    const podSc = (pod.spec.securityContext as Json | undefined) ?? {};
    if (pod.spec.hostNetwork === true || pod.spec.hostPID === true || pod.spec.hostIPC === true) {
      out.push({ target: pod.owner, rule: 'host-access', detail: 'host namespaces' });
    } else if (((pod.spec.volumes as Json[] | undefined) ?? []).some((v) => v.hostPath !== undefined)) {
      out.push({ target: pod.owner, rule: 'host-access', detail: 'hostPath volume' });
    }
    if (!pod.eck && get(podSc, 'seccompProfile', 'type') !== 'RuntimeDefault') {
      out.push({ target: pod.owner, rule: 'seccomp', detail: 'pod seccompProfile is not RuntimeDefault' });
    }

    const views = containers([pod]);
    const mainName = pod.eck ? ECK_MAIN_CONTAINER[pod.object.kind] : undefined;
    if (mainName !== undefined && !views.some((c) => c.name === mainName && !c.init)) {
      views.push({ pod, name: mainName, init: false, container: { name: mainName }, id: `${pod.owner}:${mainName}` });
    }

    for (const c of views) {
      const isMain = c.name === mainName && !c.init;
      const sc = (c.container.securityContext as Json | undefined) ?? {};
      const declared = !isMain || Object.keys(c.container).length > 1;

      const resources = isMain ? pod.mainResources : c.container.resources;
      if (!fullResources(resources)) out.push({ target: c.id, rule: 'resources', detail: 'cpu/memory requests and limits' });

      if (isMain) {
        const image = get(pod.object, 'spec', 'image');
        if (image !== undefined && !pinned(image)) out.push({ target: c.id, rule: 'pinned-image', detail: String(image) });
      } else if (!(pod.eck && c.container.image === undefined) && !pinned(c.container.image)) {
        // ECK fills in the stack image (pinned by spec.version) for containers declared without one.
        out.push({ target: c.id, rule: 'pinned-image', detail: String(c.container.image) });
      }

      if (!c.init) {
        const servesTraffic = isMain ? pod.object.kind !== 'Agent' || get(pod.object, 'spec', 'fleetServerEnabled') === true : c.container.ports !== undefined;
        const probed = isMain && ECK_PROBED.has(pod.object.kind) ? true : c.container.readinessProbe !== undefined && c.container.livenessProbe !== undefined;
        if (servesTraffic && !probed) out.push({ target: c.id, rule: 'probes', detail: 'readiness and liveness probes' });
      }

      const runAsUser = sc.runAsUser ?? podSc.runAsUser;
      const runAsNonRoot = sc.runAsNonRoot ?? podSc.runAsNonRoot;
      // ECK's images run as uid 1000 when nothing says otherwise.
      const nonRoot = runAsUser !== undefined ? runAsUser !== 0 : runAsNonRoot === true || pod.eck;
      if (!nonRoot) out.push({ target: c.id, rule: 'non-root', detail: `runAsUser=${String(runAsUser)} runAsNonRoot=${String(runAsNonRoot)}` });

      if (declared) {
        if (sc.allowPrivilegeEscalation !== false || sc.privileged === true) {
          out.push({ target: c.id, rule: 'no-privilege-escalation', detail: `allowPrivilegeEscalation=${String(sc.allowPrivilegeEscalation)} privileged=${String(sc.privileged)}` });
        }
        const caps = (sc.capabilities as { drop?: string[]; add?: string[] } | undefined) ?? {};
        if (!(caps.drop ?? []).includes('ALL') || (caps.add ?? []).length > 0) {
          out.push({ target: c.id, rule: 'drop-all-capabilities', detail: JSON.stringify(caps) });
        }
        if (!pod.eck && sc.readOnlyRootFilesystem !== true) {
          out.push({ target: c.id, rule: 'read-only-root-fs', detail: 'readOnlyRootFilesystem is not true' });
        }
      }
    }
  }
  return out;
}

test('every container meets the policy, except the listed and justified exceptions', { skip }, () => {
  const used = new Set<string>();
  const unexpected: string[] = [];
  for (const overlay of allOverlays()) {
    for (const v of violations(podSpecs(render(overlay)))) {
      const ex = POLICY_EXCEPTIONS.find((e) => e.target === v.target && e.rule === v.rule);
      if (ex === undefined) unexpected.push(`${overlay}: ${v.target} ${v.rule} (${v.detail})`);
      else used.add(`${ex.target} ${ex.rule}`);
    }
  }
  assert.deepEqual(unexpected, []);
  const stale = POLICY_EXCEPTIONS.filter((e) => !used.has(`${e.target} ${e.rule}`)).map((e) => `${e.target} ${e.rule}`);
  assert.deepEqual(stale, [], 'exceptions that no longer match anything: remove them');
  for (const e of POLICY_EXCEPTIONS) assert.ok(e.reason.length > 40, `${e.target} ${e.rule}: give the reason`);
});

test('the service runs read-only, non-root, without a service account token and with 2+ replicas', { skip }, () => {
  for (const overlay of ['k8s/overlays/local', 'k8s/overlays/production']) {
    const dep = render(overlay).find((o) => o.kind === 'Deployment' && o.metadata.name === 'sample-service');
    assert.ok(dep !== undefined);
    assert.ok((get(dep, 'spec', 'replicas') as number) >= 2);
    assert.equal(get(dep, 'spec', 'strategy', 'rollingUpdate', 'maxUnavailable'), 0);
    const spec = get(dep, 'spec', 'template', 'spec') as Json;
    assert.equal(spec.automountServiceAccountToken, false);
    const c = (spec.containers as Json[])[0] as Json;
    assert.equal(get(c, 'securityContext', 'readOnlyRootFilesystem'), true);
    assert.equal(get(spec, 'securityContext', 'runAsNonRoot'), true);
  }
});

test('the policy check reports a container that runs as root with :latest and no limits', () => {
  const pod: PodSpecView = {
    owner: 'Deployment/x/bad',
    object: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'bad' } },
    eck: false,
    spec: { containers: [{ name: 'c', image: 'nginx:latest', ports: [{ containerPort: 80 }], securityContext: { runAsUser: 0 } }] },
  };
  const rules = new Set(violations([pod]).map((v) => v.rule));
  for (const rule of ['resources', 'pinned-image', 'probes', 'non-root', 'no-privilege-escalation', 'drop-all-capabilities', 'read-only-root-fs', 'seccomp'] as const) {
    assert.ok(rules.has(rule), `missing ${rule}`);
  }
  assert.equal(pinned('registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.19.1'), true);
  assert.equal(pinned('localhost:5000/sample-service'), false);
});
