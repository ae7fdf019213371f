/**
 * Resource figures against ECK 3.5.0's own defaults (each a floor: ECK chose it because less
 * crashes), and the local stack's totals as docs/deploy.md states them and as `make deploy`'s
 * Docker memory check assumes them.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../support/contracts.js';
import { allOverlays, get, kubectlSkipReason, podSpecs, render, type K8sObject } from './support/manifests.js';
import { GiB, MiB, add, quantity, total, workloads, type Totals } from './support/resources.js';

const skip = kubectlSkipReason();
if (skip !== undefined) console.log(`# ${skip}`);

const ECK = 'elastic/cloud-on-k8s tag v3.5.0 (386c7b14f2)';

/** ECK 3.5.0's default memory for each main container: the floor this project never goes below. */
export const ECK_MEMORY_FLOORS: readonly { kind: string; fleet?: boolean; floor: string; applies: 'request and limit' | 'limit'; source: string }[] = [
  // "Kibana 9.x raised its V8 heap limit from 60% to 75% of container memory ... 1Gi containers still
  // don't provide enough headroom and crash during plugin initialization."
  { kind: 'Kibana', floor: '2Gi', applies: 'request and limit', source: `${ECK} pkg/controller/kibana/pod.go DefaultMemoryLimits` },
  // "The JVM default heap size is 1Gi, so we request at least 2Gi for the container."
  { kind: 'Elasticsearch', floor: '2Gi', applies: 'request and limit', source: `${ECK} pkg/controller/elasticsearch/nodespec/defaults.go` },
  { kind: 'ApmServer', floor: '512Mi', applies: 'request and limit', source: `${ECK} pkg/controller/apmserver/pod.go DefaultMemoryLimits` },
  // Fleet mode: 1Gi request = limit. The DaemonSet agent requests less (it is scheduled on every
  // node, the kind node included) but may use the full 1Gi.
  { kind: 'Agent', fleet: true, floor: '1Gi', applies: 'limit', source: `${ECK} pkg/controller/agent/pod.go defaultFleetResources` },
];

/** ECK operator 3.5.0 (not in the overlays: make deploy installs Elastic's operator.yaml). */
export const ECK_OPERATOR: Totals = { cpuRequest: 0.1, memoryRequest: 150 * MiB, cpuLimit: 1, memoryLimit: 1 * GiB };
// Source: cloud-on-k8s v3.5.0 deploy/eck-operator/values.yaml `resources` (operator.yaml is rendered from it).

/** Memory requests of kind's own pods on its one node: etcd 100Mi, CoreDNS 2 x 70Mi, kindnet 50Mi. */
export const KIND_SYSTEM_MEMORY_REQUEST = 290 * MiB;

/** Every violation of the floors in one overlay's objects. */
export function floorViolations(objects: readonly K8sObject[]): string[] {
  const out: string[] = [];
  for (const pod of podSpecs(objects).filter((p) => p.eck)) {
    const o = pod.object;
    const rule = ECK_MEMORY_FLOORS.find((f) => f.kind === o.kind && (f.fleet === undefined || (get(o, 'spec', 'mode') === 'fleet') === f.fleet));
    if (rule === undefined) continue;
    const keys = rule.applies === 'limit' ? ['limits'] : ['requests', 'limits'];
    for (const k of keys) {
      const q = get(pod.mainResources, k, 'memory');
      // Not set: ECK applies its own default, which is the floor.
      if (q !== undefined && quantity(q) < quantity(rule.floor)) {
        out.push(`${pod.owner}: memory ${k} ${String(q)} is below ECK's default ${rule.floor} (${rule.source})`);
      }
    }
  }
  return out;
}

test('no Elastic component gets less memory than ECK 3.5.0 gives it by default, Kibana at least 2Gi', { skip }, () => {
  for (const overlay of allOverlays()) assert.deepEqual(floorViolations(render(overlay)), [], overlay);
  for (const overlay of allOverlays()) {
    const kibana = render(overlay).find((o) => o.kind === 'Kibana');
    assert.ok(quantity(get(kibana, 'spec', 'resources', 'limits', 'memory')) >= 2 * GiB, `${overlay}: Kibana limit`);
  }
});

test('the floor check reports a 1Gi Kibana and a 256Mi fleet-mode agent', { skip }, () => {
  const objects = structuredClone(render('k8s/overlays/local'));
  const kibana = objects.find((o) => o.kind === 'Kibana') as K8sObject & { spec: { resources: { limits: { memory: string } } } };
  kibana.spec.resources.limits.memory = '1Gi';
  const agent = objects.find((o) => o.kind === 'Agent' && o.metadata.name === 'elastic-agent') as K8sObject & { spec: { resources: { limits: { memory: string } } } };
  agent.spec.resources.limits.memory = '256Mi';
  const found = floorViolations(objects);
  assert.equal(found.length, 2, found.join('\n'));
  assert.ok(found.some((f) => /^Kibana\/.*limits 1Gi is below ECK's default 2Gi/.test(f)), found.join('\n'));
  assert.ok(found.some((f) => /^Agent\/elastic-stack\/elastic-agent: memory limits 256Mi/.test(f)), found.join('\n'));
});

const cpu = (n: number) => String(Math.round(n * 100) / 100);
const gib = (n: number) => `${(n / GiB).toFixed(2)} GiB`;
const row = (label: string, t: Totals) => `| ${label} | ${cpu(t.cpuRequest)} | ${gib(t.memoryRequest)} | ${cpu(t.cpuLimit)} | ${gib(t.memoryLimit)} |`;

test('docs/deploy.md states the local stack\'s requests and limits as the manifests sum them', { skip }, () => {
  const doc = readFileSync(path.join(REPO_ROOT, 'docs/deploy.md'), 'utf8');
  const local = total(workloads(render('k8s/overlays/local'), 1));
  const expected = [row('`k8s/overlays/local` (one node)', local), row('ECK operator', ECK_OPERATOR), row('**total**', add(local, ECK_OPERATOR))];
  for (const line of expected) assert.ok(doc.includes(line), `docs/deploy.md lacks the line\n${line}`);
});

test('README.md and docs/design.md repeat the local totals as the manifests sum them', { skip }, () => {
  const t = add(total(workloads(render('k8s/overlays/local'), 1)), ECK_OPERATOR);
  const read = (file: string) => readFileSync(path.join(REPO_ROOT, file), 'utf8').replace(/\s+/g, ' ');
  const readme = `requests ${cpu(t.cpuRequest)} CPUs and ${gib(t.memoryRequest)} of memory (limits ${cpu(t.cpuLimit)} CPUs, ${gib(t.memoryLimit)})`;
  assert.ok(read('README.md').includes(readme), `README.md lacks "${readme}"`);
  const design = `with the ECK operator | ${cpu(t.cpuRequest)} | ${gib(t.memoryRequest)} | ${cpu(t.cpuLimit)} | ${gib(t.memoryLimit)} |`;
  assert.ok(read('docs/design.md').includes(design), `docs/design.md lacks "${design}"`);
});

test('make deploy\'s Docker memory floor for kind covers every memory request of the local stack', { skip }, () => {
  const lib = readFileSync(path.join(REPO_ROOT, 'scripts/deploy/lib.sh'), 'utf8');
  const floorMiB = Number(/^KIND_MIN_MEMORY_MIB=(\d+)$/m.exec(lib)?.[1]);
  const fullMiB = Number(/^KIND_FULL_MEMORY_MIB=(\d+)$/m.exec(lib)?.[1]);
  const local = add(total(workloads(render('k8s/overlays/local'), 1)), ECK_OPERATOR);
  const requests = (local.memoryRequest + KIND_SYSTEM_MEMORY_REQUEST) / MiB;
  const limits = (local.memoryLimit + KIND_SYSTEM_MEMORY_REQUEST) / MiB;
  assert.ok(floorMiB >= requests, `KIND_MIN_MEMORY_MIB=${floorMiB} is below the requests, ${Math.ceil(requests)} MiB`);
  assert.ok(floorMiB < requests + 512, `KIND_MIN_MEMORY_MIB=${floorMiB} is far above the requests (${Math.ceil(requests)} MiB): refresh it`);
  assert.ok(fullMiB >= limits, `KIND_FULL_MEMORY_MIB=${fullMiB} is below the limits, ${Math.ceil(limits)} MiB`);
});
