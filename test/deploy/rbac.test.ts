/**
 * RBAC as rendered against what each collector reads: the Elastic Agent's kubernetes provider and
 * enabled datasets, the kubelet's authorisation of /stats, leader election, and kube-state-metrics'
 * --resources. Every need is granted, nothing beyond read access is (leases aside), and the
 * kube-state-metrics datasets the policy enables are ones kube-state-metrics is told to export.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ENABLED_KSM_DATASETS } from '../../fleet/policies.js';
import { get, kubectlSkipReason, render, type K8sObject } from './support/manifests.js';

const skip = kubectlSkipReason();
if (skip !== undefined) console.log(`# ${skip}`);

interface Rule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
  resourceNames?: string[];
}

/** Whether the ServiceAccount may `verb` `group/resource` (cluster-wide, or in `namespace` when given). */
function can(objects: readonly K8sObject[], sa: string, verb: string, group: string, resource: string, namespace?: string): boolean {
  const bindings = objects.filter(
    (o) =>
      (o.kind === 'ClusterRoleBinding' || (o.kind === 'RoleBinding' && (namespace === undefined || o.metadata.namespace === namespace))) &&
      ((o.subjects as { kind: string; name: string; namespace?: string }[] | undefined) ?? []).some((s) => s.kind === 'ServiceAccount' && s.name === sa),
  );
  return bindings.some((b) => {
    const ref = b.roleRef as { kind: string; name: string };
    const role = objects.find((o) => o.kind === ref.kind && o.metadata.name === ref.name && (ref.kind === 'ClusterRole' || o.metadata.namespace === b.metadata.namespace));
    if (b.kind === 'RoleBinding' && namespace === undefined) return false;
    return ((role?.rules as Rule[] | undefined) ?? []).some(
      (r) => r.resourceNames === undefined && (r.apiGroups ?? []).includes(group) && (r.resources ?? []).includes(resource) && r.verbs.includes(verb),
    );
  });
}

const READ = ['get', 'list', 'watch'];
/** What the DaemonSet agent reads, and why. */
const AGENT_NEEDS: { group: string; resource: string; verbs: string[]; why: string }[] = [
  { group: '', resource: 'pods', verbs: READ, why: 'kubernetes provider (pod resource) and add_metadata' },
  { group: '', resource: 'nodes', verbs: READ, why: 'kubernetes provider (node resource, on by default) and node metadata' },
  { group: '', resource: 'namespaces', verbs: READ, why: 'namespace metadata' },
  { group: 'apps', resource: 'replicasets', verbs: READ, why: 'add_resource_metadata.deployment: the owning Deployment through its ReplicaSet' },
  { group: 'batch', resource: 'jobs', verbs: READ, why: 'CronJob metadata through the owning Job' },
  // kubelet authorises /stats/* as nodes/stats (kubernetes pkg/kubelet/server/auth.go); the kubelet
  // data streams read /stats/summary at https://${env.NODE_NAME}:10250.
  { group: '', resource: 'nodes/stats', verbs: ['get'], why: 'kubelet /stats/summary' },
];

/** kube-state-metrics dataset -> the --resources value that exports it. */
const KSM_RESOURCE: Record<string, { group: string; resource: string }> = {
  state_container: { group: '', resource: 'pods' },
  state_pod: { group: '', resource: 'pods' },
  state_node: { group: '', resource: 'nodes' },
  state_deployment: { group: 'apps', resource: 'deployments' },
  state_replicaset: { group: 'apps', resource: 'replicasets' },
  state_statefulset: { group: 'apps', resource: 'statefulsets' },
  state_daemonset: { group: 'apps', resource: 'daemonsets' },
  state_job: { group: 'batch', resource: 'jobs' },
  state_cronjob: { group: 'batch', resource: 'cronjobs' },
  state_namespace: { group: '', resource: 'namespaces' },
  state_service: { group: '', resource: 'services' },
};

test('the Elastic Agent may read everything its provider and enabled datasets read, and lease its leadership', { skip }, () => {
  const objects = render('k8s/overlays/local');
  for (const need of AGENT_NEEDS) {
    for (const verb of need.verbs) assert.ok(can(objects, 'elastic-agent', verb, need.group, need.resource), `${verb} ${need.group}/${need.resource}: ${need.why}`);
  }
  // state_* enrichers with add_metadata watch the kind they report on.
  for (const ds of ENABLED_KSM_DATASETS) {
    const r = KSM_RESOURCE[ds];
    assert.ok(r !== undefined, ds);
    for (const verb of READ) assert.ok(can(objects, 'elastic-agent', verb, r.group, r.resource), `${ds}: ${verb} ${r.resource}`);
  }
  for (const verb of ['get', 'create', 'update']) assert.ok(can(objects, 'elastic-agent', verb, 'coordination.k8s.io', 'leases', 'elastic-stack'), `leases ${verb}`);
  assert.ok(!can(objects, 'elastic-agent', 'get', '', 'secrets'), 'no Secret access');
});

test('kube-state-metrics exports every kind an enabled state_* dataset needs, and may list and watch exactly those', { skip }, () => {
  const objects = render('k8s/overlays/local');
  const ksm = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'kube-state-metrics');
  const args = (get(ksm, 'spec', 'template', 'spec', 'containers') as { args: string[] }[])[0]?.args ?? [];
  const exported = (args.find((a) => a.startsWith('--resources='))?.slice('--resources='.length) ?? '').split(',');
  for (const ds of ENABLED_KSM_DATASETS) {
    const r = KSM_RESOURCE[ds];
    assert.ok(r !== undefined && exported.includes(r.resource), `${ds} needs --resources to include ${r?.resource}`);
  }
  for (const resource of exported) {
    const group = Object.values(KSM_RESOURCE).find((r) => r.resource === resource)?.group;
    assert.ok(group !== undefined, `unknown resource ${resource}`);
    for (const verb of ['list', 'watch']) assert.ok(can(objects, 'kube-state-metrics', verb, group, resource), `${verb} ${resource}`);
  }
  const needed = new Set(ENABLED_KSM_DATASETS.map((ds) => KSM_RESOURCE[ds]?.resource));
  assert.deepEqual(exported.filter((r) => !needed.has(r)), [], 'kube-state-metrics exports nothing no dataset reads');
});

test('no role grants writes except the agents\' leader-election lease', { skip }, () => {
  const objects = render('k8s/overlays/production');
  for (const role of objects.filter((o) => o.kind === 'ClusterRole' || o.kind === 'Role')) {
    for (const r of (role.rules as Rule[] | undefined) ?? []) {
      const writes = r.verbs.filter((v) => !READ.includes(v));
      if (writes.length === 0) continue;
      assert.deepEqual(r.resources, ['leases'], `${role.kind}/${role.metadata.name} writes ${String(r.resources)}`);
      assert.equal(role.kind, 'Role', 'lease writes stay namespaced');
    }
  }
});

test('the RBAC check has teeth: without the nodes/stats rule the kubelet need is reported', { skip }, () => {
  const objects = structuredClone(render('k8s/overlays/local'));
  const role = objects.find((o) => o.kind === 'ClusterRole' && o.metadata.name === 'sample-service-elastic-agent') as K8sObject & { rules: Rule[] };
  role.rules = role.rules.filter((r) => !(r.resources ?? []).includes('nodes/stats'));
  assert.equal(can(objects, 'elastic-agent', 'get', '', 'nodes/stats'), false);
  assert.equal(can(objects, 'elastic-agent', 'get', '', 'pods'), true);
});
