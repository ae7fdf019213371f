/**
 * The service overlays docs/elastic-cloud.md tells Elastic Cloud users to save as `cloud/kustomization.yaml`
 * render with `kubectl kustomize` against `k8s/base` and do what the page says: traces to the Cloud
 * APM endpoint with its public CA, the nodes' range admitted for the agents' scrape, HTTPS egress, and
 * on Serverless an API key header defined after the variable it refers to.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../support/contracts.js';
import { kubectlSkipReason, render, type K8sObject } from './support/manifests.js';
import { allowed, type PodPeer } from './support/netpol.js';

const skip = kubectlSkipReason();
const PAGE = readFileSync(path.join(REPO_ROOT, 'docs/elastic-cloud.md'), 'utf8');
const SERVICE: PodPeer = { namespace: 'sample-service', labels: { 'app.kubernetes.io/name': 'sample-service' } };
const NODE = '10.20.3.4';

/** The page's YAML blocks, out of their list-item indentation, placeholders filled in. */
function yamlBlocks(): string[] {
  return [...PAGE.matchAll(/^( *)```yaml\n([\s\S]*?)^ *```/gm)].map(([, indent = '', body = '']) =>
    body
      .split('\n')
      .map((line) => line.slice(Math.min(indent.length, line.length - line.trimStart().length)))
      .join('\n')
      .replaceAll('<registry>', 'registry.example.com')
      .replaceAll('<APM endpoint>', 'https://apm.example.com')
      .replaceAll("<nodes' CIDR>", '10.20.0.0/16'),
  );
}

/** The Hosted overlay, and the Serverless one: the Hosted overlay with its `env:` list replaced by the page's. */
function overlays(): { hosted: string; serverless: string } {
  const [hosted, serverlessEnv] = yamlBlocks();
  if (!hosted?.includes('kind: Kustomization') || !serverlessEnv?.trimStart().startsWith('env:')) {
    throw new Error('docs/elastic-cloud.md no longer shows the Hosted overlay, then the Serverless env list');
  }
  const lines = hosted.split('\n');
  const from = lines.findIndex((l) => l.trim() === 'env:');
  const to = lines.findIndex((l, i) => i > from && l.trim().endsWith(':') && l.search(/\S/) <= (lines[from] as string).search(/\S/));
  const indent = ' '.repeat((lines[from] as string).search(/\S/) - serverlessEnv.search(/\S/));
  const env = serverlessEnv.trimEnd().split('\n').map((l) => indent + l);
  return { hosted, serverless: [...lines.slice(0, from), ...env, ...lines.slice(to)].join('\n') };
}

function renderOverlay(kustomization: string): K8sObject[] {
  // Next to k8s/, as the page says: kustomize takes no absolute base path.
  const dir = mkdtempSync(path.join(REPO_ROOT, '.cloud-overlay-'));
  try {
    writeFileSync(path.join(dir, 'kustomization.yaml'), kustomization);
    return render(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

type EnvVar = { name: string; value?: string; valueFrom?: unknown };
function serviceEnv(objects: readonly K8sObject[]): EnvVar[] {
  const deployment = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'sample-service') as unknown as {
    spec: { template: { spec: { containers: { env: EnvVar[]; volumeMounts?: { mountPath: string }[] }[]; volumes?: { name: string }[] } } };
  };
  const pod = deployment.spec.template.spec;
  assert.ok(!pod.volumes?.some((v) => v.name === 'apm-ca') && !pod.containers[0]?.volumeMounts?.some((m) => m.mountPath === '/etc/apm-ca'), 'no ECK CA volume');
  return pod.containers[0]?.env ?? [];
}

function assertCloudNetwork(objects: readonly K8sObject[]): void {
  assert.ok(allowed(objects, SERVICE, 'Ingress', { ip: NODE }, 8080), "the nodes' range reaches /metrics on 8080");
  assert.ok(allowed(objects, SERVICE, 'Egress', { ip: '203.0.113.10' }, 443), 'HTTPS to the Cloud endpoint');
}

test('the Elastic Cloud Hosted overlay renders and sends traces to the APM endpoint with the secret token and the public CA', { skip }, () => {
  const objects = renderOverlay(overlays().hosted);
  const env = serviceEnv(objects);
  const value = (name: string) => env.find((e) => e.name === name)?.value;
  assert.equal(value('OTEL_EXPORTER_OTLP_ENDPOINT'), 'https://apm.example.com:443');
  assert.equal(value('DEPLOYMENT_ENVIRONMENT'), 'production');
  assert.ok(!env.some((e) => e.name === 'OTEL_EXPORTER_OTLP_CERTIFICATE'), 'no ECK CA file');
  assert.equal(value('OTEL_EXPORTER_OTLP_HEADERS'), 'Authorization=Bearer $(APM_SECRET_TOKEN)');
  assertCloudNetwork(objects);
});

test('the Serverless overlay renders with an API key header defined after the variable it refers to and no secret token', { skip }, () => {
  const objects = renderOverlay(overlays().serverless);
  const env = serviceEnv(objects);
  const names = env.map((e) => e.name);
  assert.ok(!names.includes('APM_SECRET_TOKEN') && !names.includes('OTEL_EXPORTER_OTLP_CERTIFICATE'));
  assert.equal(env.find((e) => e.name === 'OTEL_EXPORTER_OTLP_HEADERS')?.value, 'Authorization=ApiKey $(APM_API_KEY)');
  assert.ok(names.indexOf('APM_API_KEY') >= 0 && names.indexOf('APM_API_KEY') < names.indexOf('OTEL_EXPORTER_OTLP_HEADERS'), names.join(', '));
  assertCloudNetwork(objects);
});
