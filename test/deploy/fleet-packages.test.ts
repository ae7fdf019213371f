/**
 * fleet/policies.ts against the integration packages (every input key, stream key and variable,
 * with its type), and elastic/base/kibana.yaml's Fleet preconfiguration against Kibana's config
 * schema: keys Kibana does not know are rejected at start-up, and Kibana would not start.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { kubernetesPackagePolicy, prometheusPackagePolicy } from '../../fleet/policies.js';
import { REPO_ROOT } from '../support/contracts.js';
import { StackDouble } from '../support/stack-double.js';
import { POLICY_TEMPLATES, STREAM_VARS, fits, type VarSpec } from '../support/integration-packages.js';

type Stream = { enabled: boolean; vars?: Record<string, unknown> };
type Inputs = Record<string, { enabled: boolean; vars?: Record<string, unknown>; streams?: Record<string, Stream> }>;

/** Every way a package policy's simplified inputs disagree with the package. */
export function packageViolations(pkg: 'kubernetes' | 'prometheus', inputs: Inputs, streamVars = STREAM_VARS): string[] {
  const out: string[] = [];
  const templates = POLICY_TEMPLATES[pkg];
  for (const [key, input] of Object.entries(inputs)) {
    const template = Object.entries(templates).find(([name, t]) => key === `${name}-${t.input}`);
    if (template === undefined) {
      out.push(`${pkg}: input ${key} is no <policy_template>-<input type> of the package`);
      continue;
    }
    if (input.vars !== undefined && Object.keys(input.vars).length > 0) out.push(`${pkg}: ${key} sets input variables (none used here are checked)`);
    for (const [streamKey, stream] of Object.entries(input.streams ?? {})) {
      const ds = streamKey.startsWith(`${pkg}.`) ? streamKey.slice(pkg.length + 1) : undefined;
      if (ds === undefined || !template[1].dataStreams.includes(ds)) {
        out.push(`${pkg}: stream ${streamKey} is not a data stream of policy template ${template[0]}`);
        continue;
      }
      for (const [name, value] of Object.entries(stream.vars ?? {})) {
        const spec: VarSpec | undefined = streamVars[streamKey]?.[name];
        if (spec === undefined) out.push(`${streamKey}: variable ${name} is not declared by the data stream`);
        else if (!fits(spec, value)) out.push(`${streamKey}: ${name} must be ${spec.multi === true ? 'a list of ' : ''}${spec.type}, not ${JSON.stringify(value)}`);
      }
    }
  }
  return out;
}

const k8sInputs = kubernetesPackagePolicy.body.inputs as Inputs;
const promInputs = prometheusPackagePolicy.body.inputs as Inputs;

test('every input, stream and variable of the package policies exists in the kubernetes and prometheus packages, with its type', () => {
  assert.deepEqual(packageViolations('kubernetes', k8sInputs), []);
  assert.deepEqual(packageViolations('prometheus', promInputs), []);
});

test('the package check reports an unknown input, a stream of another template, an unknown variable and a wrong type', () => {
  const bad: Inputs = {
    'kubelet-filestream': { enabled: true },
    'kubelet-kubernetes/metrics': {
      enabled: true,
      streams: {
        'kubernetes.state_pod': { enabled: true },
        'kubernetes.pod': { enabled: true, vars: { period: 10, leaderelection: true } },
      },
    },
  };
  const found = packageViolations('kubernetes', bad);
  assert.equal(found.length, 4, found.join('\n'));
  assert.match(found.join('\n'), /input kubelet-filestream/);
  assert.match(found.join('\n'), /stream kubernetes\.state_pod is not a data stream of policy template kubelet/);
  assert.match(found.join('\n'), /kubernetes\.pod: period must be text, not 10/);
  assert.match(found.join('\n'), /kubernetes\.pod: variable leaderelection is not declared/);
});

// Kibana's Fleet preconfiguration schema (elastic/kibana
// x-pack/platform/plugins/shared/fleet/server/types/models/preconfiguration.ts, agent_policy.ts
// AgentPolicyBaseSchema, output.ts): the keys this project may use in kibana.yml.
const PRECONFIG = {
  packages: ['name', 'version', 'prerelease', 'skipDataStreamRollover'],
  agentPolicy: [
    'id', 'space_id', 'space_ids', 'name', 'namespace', 'description', 'is_managed', 'has_fleet_server', 'is_default',
    'is_default_fleet_server', 'unenroll_timeout', 'inactivity_timeout', 'monitoring_enabled', 'keep_monitoring_alive',
    'data_output_id', 'monitoring_output_id', 'download_source_id', 'fleet_server_host_id', 'agent_features', 'is_protected',
    'overrides', 'global_data_tags', 'package_policies',
  ],
  packagePolicy: ['id', 'name', 'package', 'description', 'namespace', 'output_id', 'inputs'],
  output: [
    'id', 'name', 'type', 'hosts', 'is_default', 'is_default_monitoring', 'is_internal', 'is_preconfigured', 'ca_sha256',
    'ca_trusted_fingerprint', 'config', 'ssl', 'proxy_id', 'shipper', 'allow_edit', 'preset',
  ],
  outputSsl: ['certificate_authorities', 'certificate', 'key', 'verification_mode'],
} as const;

type Kibana = { spec: { config: Record<string, unknown> } };

export function preconfigViolations(config: Record<string, unknown>): string[] {
  const out: string[] = [];
  const unknown = (where: string, o: unknown, allowed: readonly string[]) => {
    for (const k of Object.keys((o ?? {}) as object)) if (!allowed.includes(k)) out.push(`${where}: unknown key ${k}`);
  };
  for (const p of (config['xpack.fleet.packages'] as Record<string, unknown>[] | undefined) ?? []) {
    unknown(`package ${String(p.name)}`, p, PRECONFIG.packages);
    if (p.version !== 'latest' && !/^\d+\.\d+\.\d+(-[\w.]+)?$/.test(String(p.version))) out.push(`package ${String(p.name)}: version must be semver or latest`);
  }
  for (const o of (config['xpack.fleet.outputs'] as Record<string, unknown>[] | undefined) ?? []) {
    unknown(`output ${String(o.id)}`, o, PRECONFIG.output);
    unknown(`output ${String(o.id)} ssl`, o.ssl, PRECONFIG.outputSsl);
  }
  for (const a of (config['xpack.fleet.agentPolicies'] as Record<string, unknown>[] | undefined) ?? []) {
    unknown(`agent policy ${String(a.id)}`, a, PRECONFIG.agentPolicy);
    for (const m of (a.monitoring_enabled as string[] | undefined) ?? []) if (!['logs', 'metrics', 'traces'].includes(m)) out.push(`agent policy ${String(a.id)}: monitoring_enabled ${m}`);
    if (a.unenroll_timeout !== undefined && !(Number.isInteger(a.unenroll_timeout) && (a.unenroll_timeout as number) >= 0)) out.push(`agent policy ${String(a.id)}: unenroll_timeout`);
    for (const pp of (a.package_policies as Record<string, unknown>[] | undefined) ?? []) unknown(`package policy ${String(pp.name)}`, pp, PRECONFIG.packagePolicy);
  }
  return out;
}

const kibanaConfig = (parse(readFileSync(path.join(REPO_ROOT, 'elastic/base/kibana.yaml'), 'utf8')) as Kibana).spec.config;

test('the Fleet preconfiguration in kibana.yml uses only keys Kibana\'s config schema declares', () => {
  assert.deepEqual(preconfigViolations(kibanaConfig), []);
  const packages = ((kibanaConfig['xpack.fleet.packages'] as { name: string }[] | undefined) ?? []).map((p) => p.name);
  for (const pkg of [kubernetesPackagePolicy, prometheusPackagePolicy].map((p) => (p.body.package as { name: string }).name)) {
    assert.ok(packages.includes(pkg), `kibana.yml installs ${pkg}, which fleet/policies.ts configures`);
  }
});

test('the preconfiguration check reports a misspelt key and a bad monitoring type', () => {
  const bad = structuredClone(kibanaConfig) as { 'xpack.fleet.agentPolicies': Record<string, unknown>[] };
  const policy = bad['xpack.fleet.agentPolicies'][0] as Record<string, unknown>;
  policy.unenrol_timeout = 900;
  policy.monitoring_enabled = ['logs', 'apm'];
  assert.deepEqual(preconfigViolations(bad), ['agent policy eck-fleet-server: unknown key unenrol_timeout', 'agent policy eck-fleet-server: monitoring_enabled apm']);
});

test('the stack double answers like Fleet: the project\'s package policy is accepted, an undeclared variable is a 400', async (t) => {
  const double = await StackDouble.start({ apiKey: 'k', packages: { kubernetes: '1.66.3' } });
  t.after(() => double.close());
  const call = async (method: string, p: string, body?: unknown) => {
    const res = await fetch(`${double.kibanaUrl}${p}`, {
      method,
      headers: { authorization: 'ApiKey k', 'kbn-xsrf': 'true', 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    return { status: res.status, body: (await res.json()) as { message?: string } };
  };
  assert.equal((await call('POST', '/api/fleet/epm/packages/kubernetes/1.66.3')).status, 200);
  assert.equal((await call('POST', '/api/fleet/agent_policies', { id: 'sample-service-agents', name: 'a', namespace: 'default' })).status, 200);
  const body = { ...kubernetesPackagePolicy.body, package: { name: 'kubernetes', version: '1.66.3' } };
  assert.equal((await call('POST', '/api/fleet/package_policies', body)).status, 200);

  const bad = structuredClone(body) as typeof body & { id: string; inputs: Inputs };
  bad.id = 'other';
  (bad.inputs['kubelet-kubernetes/metrics']?.streams ?? {})['kubernetes.pod'] = { enabled: true, vars: { leaderelection: true } };
  const r = await call('POST', '/api/fleet/package_policies', bad);
  assert.equal(r.status, 400);
  assert.equal(r.body.message, 'Variable kubelet-kubernetes/metrics kubernetes.pod:leaderelection not found');
});
