/**
 * The Fleet policies in fleet/ are valid Fleet API request bodies (Kibana's Fleet OpenAPI contract),
 * agree with the ECK manifests (policy ids, kibana.yml preconfiguration, kube-state-metrics
 * service, the service's labels and port), and configure what the telemetry contract relies on.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'yaml';
import { fleetResources } from '../../fleet/index.js';
import {
  AGENT_POLICY_ID,
  DISABLED_KUBERNETES_INPUTS,
  ECS_JSON_PARSERS,
  FLEET_SERVER_POLICY_ID,
  KUBE_STATE_METRICS_HOST,
  SERVICE_CONTAINER_NAME,
  SERVICE_METRICS_PORT,
  SERVICE_NAME_PROCESSOR,
  agentPolicy,
  kubernetesPackagePolicy,
  prometheusPackagePolicy,
} from '../../fleet/policies.js';
import { SERVICE } from '../../service/src/telemetry/registry.js';
import { contractFile } from '../support/contracts.js';
import { OpenApiContract } from '../support/openapi.js';
import { get, kubectlSkipReason, render, type Json } from './support/manifests.js';

const fleetContract = contractFile('kibana-fleet-bundled.yaml');
if (fleetContract.skip !== undefined) console.log(`# ${fleetContract.skip}`);
const kubectlSkip = kubectlSkipReason();
if (kubectlSkip !== undefined) console.log(`# ${kubectlSkip}`);

/** The engine fills in the installed package version before it sends a package policy. */
function asSent(body: Json): Json {
  return { ...body, package: { ...(body.package as Json), version: '1.0.0' } };
}

type Inputs = Record<string, { enabled: boolean; streams?: Record<string, { enabled: boolean; vars?: Record<string, unknown> }> }>;
const inputsOf = (body: Json) => body.inputs as Inputs;

test('fleet/index.ts exports the agents\' policy and the kubernetes and prometheus package policies', () => {
  const resources = fleetResources();
  assert.deepEqual(
    resources.map((r) => `${r.kind} ${r.id}`),
    ['fleet.agent_policy sample-service-agents', 'fleet.package_policy sample-service-kubernetes', 'fleet.package_policy sample-service-prometheus'],
  );
  for (const r of resources) {
    assert.ok(r.id.startsWith('sample-service-'));
    assert.ok(r.kind === 'fleet.agent_policy' || r.kind === 'fleet.package_policy');
    assert.equal(r.body.id, r.id, 'the body carries the stable id, so applying is an upsert');
  }
});

test('the policies validate against the Fleet API contract (POST agent_policies, POST package_policies)', { skip: fleetContract.skip }, () => {
  const contract = new OpenApiContract(fleetContract.path as string);
  assert.deepEqual(contract.validateRequest('POST', '/api/fleet/agent_policies', agentPolicy.body), []);
  for (const p of [kubernetesPackagePolicy, prometheusPackagePolicy]) {
    assert.deepEqual(contract.validateRequest('POST', '/api/fleet/package_policies', asSent(p.body)), [], p.id);
  }
  // The contract check has teeth: a package policy without its package name is rejected.
  const { package: _omit, ...noPackage } = asSent(kubernetesPackagePolicy.body);
  assert.notDeepEqual(contract.validateRequest('POST', '/api/fleet/package_policies', noPackage), []);
});

test('the package policies use the verified input keys and scope collection to the service\'s pods', () => {
  const k8s = inputsOf(kubernetesPackagePolicy.body);
  assert.deepEqual(Object.keys(k8s).sort(), [
    'audit-logs-filestream',
    'container-logs-filestream',
    'events-kubernetes/metrics',
    'kube-apiserver-kubernetes/metrics',
    'kube-controller-manager-kubernetes/metrics',
    'kube-proxy-kubernetes/metrics',
    'kube-scheduler-kubernetes/metrics',
    'kube-state-metrics-kubernetes/metrics',
    'kubelet-kubernetes/metrics',
  ]);
  for (const key of DISABLED_KUBERNETES_INPUTS) assert.equal(k8s[key]?.enabled, false, key);

  const logs = k8s['container-logs-filestream']?.streams?.['kubernetes.container_logs'];
  assert.equal(logs?.enabled, true);
  assert.match(String(logs?.vars?.condition), /\$\{kubernetes\.labels\.app\.kubernetes\.io\/name\} == 'sample-service'/);
  // ECS JSON parsed to top-level fields (filestream ndjson parser).
  const parsers = parse(String(logs?.vars?.additionalParsersConfig)) as { ndjson: Record<string, unknown> }[];
  assert.deepEqual(parsers[0]?.ndjson, { target: '', overwrite_keys: true, expand_keys: true, add_error_key: true, ignore_decoding_error: true });
  assert.equal(logs?.vars?.additionalParsersConfig, ECS_JSON_PARSERS);

  const kubelet = k8s['kubelet-kubernetes/metrics']?.streams ?? {};
  for (const ds of ['kubernetes.pod', 'kubernetes.container', 'kubernetes.node']) assert.equal(kubelet[ds]?.enabled, true, ds);
  const ksm = k8s['kube-state-metrics-kubernetes/metrics']?.streams ?? {};
  assert.equal(Object.keys(ksm).length, 15, 'every state_* stream is stated, enabled or not');
  for (const ds of ['state_container', 'state_pod', 'state_deployment', 'state_replicaset']) {
    const s = ksm[`kubernetes.${ds}`];
    assert.equal(s?.enabled, true, ds);
    assert.deepEqual(s?.vars?.hosts, [KUBE_STATE_METRICS_HOST]);
    assert.equal(s?.vars?.leaderelection, true);
  }

  const prom = inputsOf(prometheusPackagePolicy.body)['prometheus-prometheus/metrics'];
  const collector = prom?.streams?.['prometheus.collector'];
  assert.equal(collector?.enabled, true);
  assert.deepEqual(collector?.vars?.hosts, ['${kubernetes.pod.ip}:8080']);
  assert.equal(collector?.vars?.use_types, true);
  assert.equal(collector?.vars?.rate_counters, true);
  assert.equal(collector?.vars?.metrics_path, '/metrics');
  assert.match(String(collector?.vars?.condition), /app\.kubernetes\.io\/name\} == 'sample-service'/);
  const processors = parse(String(collector?.vars?.processors)) as { add_fields: { target: string; fields: Json } }[];
  assert.deepEqual(processors[0]?.add_fields, { target: 'service', fields: { name: SERVICE.name } });
  assert.equal(collector?.vars?.processors, SERVICE_NAME_PROCESSOR);
  assert.equal(prom?.streams?.['prometheus.remote_write']?.enabled, false);
});

test('the policies agree with the ECK manifests and the service\'s Deployment', { skip: kubectlSkip }, () => {
  const objects = render('k8s/overlays/local');
  const agent = (name: string) => objects.find((o) => o.kind === 'Agent' && o.metadata.name === name);
  assert.equal(get(agent('elastic-agent'), 'spec', 'policyID'), AGENT_POLICY_ID);
  assert.equal(get(agent('fleet-server'), 'spec', 'policyID'), FLEET_SERVER_POLICY_ID);

  // kibana.yml preconfigures the same agents' policy shell, so the DaemonSet enrolls at once.
  const kibana = objects.find((o) => o.kind === 'Kibana');
  const preconfigured = (get(kibana, 'spec', 'config', 'xpack.fleet.agentPolicies') as Json[]).find((p) => p.id === AGENT_POLICY_ID);
  assert.ok(preconfigured !== undefined);
  for (const key of ['name', 'namespace', 'description', 'monitoring_enabled', 'unenroll_timeout'] as const) {
    assert.deepEqual(preconfigured[key], (agentPolicy.body as Json)[key], `kibana.yml and fleet/policies.ts disagree on ${key}`);
  }
  assert.deepEqual(preconfigured.package_policies, [], 'integrations come from the Fleet API, not kibana.yml');
  const packages = (get(kibana, 'spec', 'config', 'xpack.fleet.packages') as { name: string }[]).map((p) => p.name);
  for (const p of [kubernetesPackagePolicy, prometheusPackagePolicy]) assert.ok(packages.includes((p.body.package as { name: string }).name));

  // kube-state-metrics is where the policy scrapes it.
  const ksmService = objects.find((o) => o.kind === 'Service' && o.metadata.name === 'kube-state-metrics');
  assert.equal(`${ksmService?.metadata.name}.${ksmService?.metadata.namespace}.svc:${String(get(ksmService, 'spec', 'ports', '0', 'port'))}`, KUBE_STATE_METRICS_HOST);

  // The service's pods carry the label, container name and port the conditions and hosts use.
  const dep = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'sample-service');
  assert.equal(get(dep, 'spec', 'template', 'metadata', 'labels', 'app.kubernetes.io/name'), SERVICE.appLabel);
  const container = (get(dep, 'spec', 'template', 'spec', 'containers') as Json[])[0];
  assert.equal(container?.name, SERVICE_CONTAINER_NAME);
  assert.deepEqual(get(container, 'ports', '0'), { name: 'http', containerPort: SERVICE_METRICS_PORT, protocol: 'TCP' });
});
