/**
 * The service's NetworkPolicies as rendered, judged by a NetworkPolicy evaluator: who may scrape
 * /metrics, where DNS may go (NodeLocal DNSCache included), that nothing wide is admitted, and that
 * the agent selector matches the agents the overlays actually deploy.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { get, kubectlSkipReason, render, STACK_OVERLAYS, type K8sObject } from './support/manifests.js';
import { allowed, ipBlocks, type PodPeer } from './support/netpol.js';

const skip = kubectlSkipReason();
if (skip !== undefined) console.log(`# ${skip}`);

const SERVICE: PodPeer = { namespace: 'sample-service', labels: { 'app.kubernetes.io/name': 'sample-service' }, ip: '10.244.1.7' };

/** The Elastic Agent DaemonSet's pod labels as the overlay deploys them. */
function agentPod(objects: readonly K8sObject[]): PodPeer {
  const agent = objects.find((o) => o.kind === 'Agent' && get(o, 'spec', 'daemonSet') !== undefined);
  assert.ok(agent !== undefined, 'an Agent DaemonSet');
  const labels = get(agent, 'spec', 'daemonSet', 'podTemplate', 'metadata', 'labels') as Record<string, string>;
  return { namespace: agent.metadata.namespace ?? '', labels };
}

test('the hostNetwork agent DaemonSet is admitted to /metrics by pod selector in every overlay', { skip }, () => {
  for (const overlay of STACK_OVERLAYS) {
    const objects = render(overlay);
    const agent = objects.find((o) => o.kind === 'Agent' && get(o, 'spec', 'daemonSet') !== undefined);
    // Why the ipBlock question arises at all: the agents share the node's network namespace.
    assert.equal(get(agent, 'spec', 'daemonSet', 'podTemplate', 'spec', 'hostNetwork'), true, overlay);
    assert.ok(allowed(objects, SERVICE, 'Ingress', agentPod(objects), 8080), `${overlay}: agent pods scrape 8080`);
    assert.ok(!allowed(objects, SERVICE, 'Ingress', agentPod(objects), 9229), `${overlay}: but no other port`);
  }
});

test('no other pod and no pod-network address reaches the service, in production above all', { skip }, () => {
  for (const overlay of STACK_OVERLAYS) {
    const objects = render(overlay);
    const intruders: PodPeer[] = [
      { namespace: 'default', labels: { app: 'x' }, ip: '10.8.3.4' },
      { namespace: 'elastic-stack', labels: { 'elasticsearch.k8s.elastic.co/cluster-name': 'elasticsearch' }, ip: '10.12.0.9' },
      { namespace: 'sample-service', labels: { app: 'other' }, ip: '10.244.3.3' },
    ];
    for (const peer of intruders) assert.ok(!allowed(objects, SERVICE, 'Ingress', peer, 8080), `${overlay}: ${JSON.stringify(peer)}`);
    // The clients label opts a pod of the namespace in.
    assert.ok(allowed(objects, SERVICE, 'Ingress', { namespace: 'sample-service', labels: { 'sample-service/client': 'true' } }, 8080));
  }
  const prod = render('k8s/overlays/production');
  assert.ok(!allowed(prod, SERVICE, 'Ingress', { ip: '10.0.0.5' }, 8080), 'production admits no 10/8 address');
  assert.deepEqual(ipBlocks(prod).filter((b) => b.where.includes('ingress')), [], 'production ingress has no ipBlock: the nodes are added by make deploy');
});

test('every ipBlock the overlays admit is /16 or narrower', { skip }, () => {
  for (const overlay of STACK_OVERLAYS) {
    for (const b of ipBlocks(render(overlay))) {
      assert.ok(Number(b.cidr.split('/')[1]) >= 16, `${overlay} ${b.where}: ${b.cidr} is wider than /16`);
    }
  }
});

test('the local overlay admits kind\'s node and ptp gateway addresses, the sources of host traffic there', { skip }, () => {
  const local = render('k8s/overlays/local');
  assert.ok(allowed(local, SERVICE, 'Ingress', { ip: '172.18.0.2' }, 8080), 'kind node address');
  assert.ok(allowed(local, SERVICE, 'Ingress', { ip: '10.244.0.1' }, 8080), 'kindnet gateway of the first node');
  assert.ok(!allowed(local, SERVICE, 'Ingress', { ip: '10.244.0.9' }, 8080), 'not the pods of that node');
});

test('DNS resolves through kube-dns pods or NodeLocal DNSCache, and nothing else leaves on port 53', { skip }, () => {
  for (const overlay of STACK_OVERLAYS) {
    const objects = render(overlay);
    for (const protocol of ['UDP', 'TCP']) {
      assert.ok(allowed(objects, SERVICE, 'Egress', { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } }, 53, protocol), `${overlay} kube-dns ${protocol}`);
      assert.ok(allowed(objects, SERVICE, 'Egress', { ip: '169.254.20.10' }, 53, protocol), `${overlay} NodeLocal DNSCache ${protocol}`);
      assert.ok(allowed(objects, SERVICE, 'Egress', { namespace: 'kube-system', labels: { 'k8s-app': 'node-local-dns' } }, 53, protocol), overlay);
    }
    assert.ok(!allowed(objects, SERVICE, 'Egress', { ip: '8.8.8.8' }, 53, 'UDP'), `${overlay}: no outside resolver`);
    assert.ok(!allowed(objects, SERVICE, 'Egress', { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } }, 443), `${overlay}: DNS pods only on 53`);
  }
});

test('the service reaches APM Server on 8200 and nothing else', { skip }, () => {
  for (const overlay of STACK_OVERLAYS) {
    const objects = render(overlay);
    const apm = { namespace: 'elastic-stack', labels: { 'apm.k8s.elastic.co/name': 'apm-server' } };
    assert.ok(allowed(objects, SERVICE, 'Egress', apm, 8200));
    assert.ok(!allowed(objects, SERVICE, 'Egress', { namespace: 'elastic-stack', labels: { 'elasticsearch.k8s.elastic.co/cluster-name': 'elasticsearch' } }, 9200));
    assert.ok(!allowed(objects, SERVICE, 'Egress', { ip: '93.184.216.34' }, 443), `${overlay}: no internet`);
  }
});

test('the evaluator has teeth: without the default deny everything is allowed, and a 10/8 block admits pods', { skip }, () => {
  const objects = render('k8s/overlays/production');
  const none = objects.filter((o) => o.kind !== 'NetworkPolicy');
  assert.ok(allowed(none, SERVICE, 'Ingress', { ip: '10.0.0.5' }, 8080));
  const wide = structuredClone(objects);
  const ingress = wide.find((o) => o.metadata.name === 'sample-service-ingress') as K8sObject & { spec: { ingress: { from: unknown[] }[] } };
  ingress.spec.ingress[0]?.from.push({ ipBlock: { cidr: '10.0.0.0/8' } });
  assert.ok(allowed(wide, SERVICE, 'Ingress', { namespace: 'default', labels: {}, ip: '10.8.3.4' }, 8080), 'a pod address inside 10/8 gets in');
});
