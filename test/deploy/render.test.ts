import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { TELEMETRY_FLUSH_TIMEOUT_MS } from '../../service/src/telemetry/agent.js';
import { REPO_ROOT } from '../support/contracts.js';
import { allOverlays, isEck, kubectlSkipReason, ref, render, STACK_OVERLAYS, type K8sObject } from './support/manifests.js';

const skip = kubectlSkipReason();
if (skip !== undefined) console.log(`# ${skip}`);

const stackVersion = (
  parse(readFileSync(path.join(REPO_ROOT, 'elastic/components/stack-version/stack-version.yaml'), 'utf8')) as { data: { version: string } }
).data.version;

test('every overlay renders with kubectl kustomize', { skip }, () => {
  const overlays = allOverlays();
  assert.deepEqual(overlays, ['k8s/overlays/local', 'k8s/overlays/production', 'elastic/overlays/local', 'elastic/overlays/production']);
  for (const overlay of overlays) assert.ok(render(overlay).length > 0, `${overlay} rendered nothing`);
});

test('each stack overlay holds the whole stack: Elastic, Fleet, kube-state-metrics and the service', { skip }, () => {
  for (const overlay of STACK_OVERLAYS) {
    const refs = new Set(render(overlay).map(ref));
    for (const want of [
      'Namespace/-/elastic-stack',
      'Namespace/-/sample-service',
      'Elasticsearch/elastic-stack/elasticsearch',
      'Kibana/elastic-stack/kibana',
      'ApmServer/elastic-stack/apm-server',
      'Agent/elastic-stack/fleet-server',
      'Agent/elastic-stack/elastic-agent',
      'Deployment/elastic-stack/kube-state-metrics',
      'Service/elastic-stack/kube-state-metrics',
      'Deployment/sample-service/sample-service',
      'Service/sample-service/sample-service',
      'PodDisruptionBudget/sample-service/sample-service',
      'NetworkPolicy/sample-service/default-deny',
    ]) {
      assert.ok(refs.has(want), `${overlay} lacks ${want}`);
    }
  }
});

test('every ECK object carries the one pinned stack version', { skip }, () => {
  assert.match(stackVersion, /^\d+\.\d+\.\d+$/);
  for (const overlay of allOverlays()) {
    const eck = render(overlay).filter((o) => isEck(o));
    assert.ok(eck.length >= 5, `${overlay}: expected the ECK objects`);
    for (const o of eck) assert.equal((o.spec as { version?: string }).version, stackVersion, `${overlay} ${ref(o)}`);
  }
});

test('no object name is rendered twice in an overlay', { skip }, () => {
  for (const overlay of allOverlays()) {
    const seen = new Set<string>();
    for (const o of render(overlay)) {
      const key = `${o.apiVersion} ${ref(o)}`;
      assert.ok(!seen.has(key), `${overlay}: duplicate ${key}`);
      seen.add(key);
    }
  }
});

test('local runs one Elasticsearch node without host tuning; production three with volumes and anti-affinity', { skip }, () => {
  const es = (overlay: string) =>
    render(overlay).find((o) => o.kind === 'Elasticsearch') as K8sObject & {
      spec: { nodeSets: { count: number; config?: Record<string, unknown>; volumeClaimTemplates?: unknown[]; podTemplate?: { spec?: Record<string, unknown> } }[] };
    };
  const local = es('k8s/overlays/local').spec.nodeSets;
  assert.equal(local.length, 1);
  assert.equal(local[0]?.count, 1);
  assert.equal(local[0]?.config?.['node.store.allow_mmap'], false);

  const prod = es('k8s/overlays/production').spec.nodeSets[0];
  assert.equal(prod?.count, 3);
  assert.equal(prod?.config?.['node.store.allow_mmap'], undefined, 'production uses mmap with vm.max_map_count set');
  assert.ok(JSON.stringify(prod?.podTemplate?.spec?.initContainers).includes('vm.max_map_count'));
  const vct = prod?.volumeClaimTemplates as { metadata: { name: string }; spec: { resources: { requests: { storage: string } } } }[];
  assert.equal(vct[0]?.metadata.name, 'elasticsearch-data', 'ECK requires this claim name');
  assert.match(vct[0]?.spec.resources.requests.storage ?? '', /^\d+Gi$/);
  const anti = JSON.stringify(prod?.podTemplate?.spec?.affinity);
  assert.ok(anti.includes('requiredDuringSchedulingIgnoredDuringExecution') && anti.includes('kubernetes.io/hostname'));
});

test('production protects Kibana, APM Server and Fleet Server with PDBs but leaves Elasticsearch to ECK', { skip }, () => {
  const objects = render('k8s/overlays/production');
  const pdbs = objects.filter((o) => o.kind === 'PodDisruptionBudget');
  const selectors = pdbs.map((p) => JSON.stringify((p.spec as { selector: unknown }).selector));
  for (const label of ['kibana.k8s.elastic.co/name', 'apm.k8s.elastic.co/name', 'agent.k8s.elastic.co/name']) {
    assert.ok(selectors.some((s) => s.includes(label)), `no PDB selects ${label}`);
  }
  assert.ok(!selectors.some((s) => s.includes('elasticsearch.k8s.elastic.co')), 'ECK already creates the Elasticsearch PDB');
  for (const kind of ['Kibana', 'ApmServer']) {
    const o = objects.find((x) => x.kind === kind) as K8sObject & { spec: { count: number } };
    assert.ok(o.spec.count >= 2, `${kind} count`);
  }
  const fleet = objects.find((x) => x.kind === 'Agent' && x.metadata.name === 'fleet-server') as K8sObject & {
    spec: { deployment: { replicas: number } };
  };
  assert.ok(fleet.spec.deployment.replicas >= 2);
});

test('environment variables reference only variables defined before them', { skip }, () => {
  for (const overlay of allOverlays()) {
    for (const o of render(overlay).filter((x) => x.kind === 'Deployment')) {
      const cs = (o.spec as { template: { spec: { containers: { name: string; env?: { name: string; value?: string }[] }[] } } }).template.spec
        .containers;
      for (const c of cs) {
        const defined = new Set<string>();
        for (const e of c.env ?? []) {
          for (const m of (e.value ?? '').matchAll(/\$\(([A-Z0-9_]+)\)/g)) {
            assert.ok(defined.has(m[1] ?? ''), `${overlay} ${ref(o)} ${c.name}: ${e.name} uses $(${m[1]}) before it is defined`);
          }
          defined.add(e.name);
        }
      }
    }
  }
});

test('the service image tag in k8s/base is the package.json version', { skip }, () => {
  const { version } = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
  for (const overlay of STACK_OVERLAYS) {
    const dep = render(overlay).find((o) => o.kind === 'Deployment' && o.metadata.name === 'sample-service') as K8sObject & {
      spec: { template: { spec: { containers: { image: string }[] } } };
    };
    assert.equal(dep.spec.template.spec.containers[0]?.image, `sample-service:${version}`);
  }
});

test('the service drains within the pod termination grace period, with margin for the kubelet', { skip }, () => {
  for (const overlay of STACK_OVERLAYS) {
    const dep = render(overlay).find((o) => o.kind === 'Deployment' && o.metadata.name === 'sample-service') as K8sObject & {
      spec: { template: { spec: { terminationGracePeriodSeconds?: number; containers: { env?: { name: string; value?: string }[] }[] } } };
    };
    const pod = dep.spec.template.spec;
    const env = new Map((pod.containers[0]?.env ?? []).map((e) => [e.name, Number(e.value)]));
    // The service's own defaults apply when a variable is not set (service/src/config.ts).
    const delayMs = env.get('SHUTDOWN_DELAY_MS') ?? 0;
    const graceMs = env.get('SHUTDOWN_GRACE_MS') ?? 10_000;
    const budgetMs = delayMs + graceMs + TELEMETRY_FLUSH_TIMEOUT_MS;
    const podGraceMs = (pod.terminationGracePeriodSeconds ?? 30) * 1000;
    assert.ok(
      budgetMs + 2_000 <= podGraceMs,
      `${overlay}: delay ${delayMs} + grace ${graceMs} + flush ${TELEMETRY_FLUSH_TIMEOUT_MS} ms leaves under 2 s before SIGKILL at ${podGraceMs} ms`,
    );
  }
});

test('every Secret the service reads that the overlays do not create is copied by make deploy and named in the GitOps docs', { skip }, () => {
  const doc = readFileSync(path.join(REPO_ROOT, 'docs/deploy.md'), 'utf8');
  const gitops = doc.slice(doc.indexOf('## GitOps'), doc.indexOf('\n## ', doc.indexOf('## GitOps') + 3));
  const copier = readFileSync(path.join(REPO_ROOT, 'scripts/deploy/secrets.sh'), 'utf8');
  for (const overlay of STACK_OVERLAYS) {
    const objects = render(overlay);
    const created = new Set(objects.filter((o) => o.kind === 'Secret').map((o) => `${o.metadata.namespace}/${o.metadata.name}`));
    const dep = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'sample-service') as K8sObject & {
      spec: { template: { spec: { volumes?: { secret?: { secretName: string; optional?: boolean } }[]; containers: { env?: { valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } } }[] }[] } } };
    };
    const pod = dep.spec.template.spec;
    const needed = new Map<string, string>();
    for (const v of pod.volumes ?? []) if (v.secret !== undefined && v.secret.optional !== true) needed.set(v.secret.secretName, 'volume');
    for (const c of pod.containers) {
      for (const e of c.env ?? []) {
        const ref = e.valueFrom?.secretKeyRef;
        if (ref !== undefined && ref.optional !== true) needed.set(ref.name, ref.key);
      }
    }
    const external = [...needed.keys()].filter((name) => !created.has(`sample-service/${name}`));
    assert.deepEqual(external.sort(), ['apm-ca', 'apm-credentials'], `${overlay}: the Secrets from outside the manifests`);
    for (const name of external) {
      assert.ok(gitops.includes(`\`${name}\``), `docs/deploy.md GitOps section names ${name}`);
      assert.match(copier, new RegExp(`create secret generic ${name} `), `scripts/deploy/secrets.sh creates ${name}`);
    }
  }
  assert.match(gitops, /make apm-credentials/);
});
