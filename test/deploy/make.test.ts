/**
 * The Makefile's deploy targets, run for real where no cluster is needed: `make deploy` stops at
 * once with a message naming what is missing when there is no cluster and no kind/Docker to create
 * one; `make render` writes every overlay; the scripts are valid bash (and shellcheck-clean when
 * shellcheck is installed).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { REPO_ROOT } from '../support/contracts.js';
import { kubectlSkipReason } from './support/manifests.js';

const makeSkip = spawnSync('make', ['--version']).error ? 'skipped: make not found on PATH' : undefined;
const kubectlSkip = kubectlSkipReason();
const SCRIPTS = readdirSync(path.join(REPO_ROOT, 'scripts/deploy'))
  .filter((f) => f.endsWith('.sh'))
  .map((f) => path.join('scripts/deploy', f));

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'deploy-test-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * An environment in which no cluster can be found: KUBECONFIG names a file that does not exist (or
 * the given one), `kind` is not on PATH, and `docker` is a stand-in whose `docker info` fails like a
 * client without an engine.
 */
function noClusterEnv(dir: string, kubeconfig?: string): NodeJS.ProcessEnv {
  const bin = path.join(dir, 'bin');
  spawnSync('mkdir', ['-p', bin]);
  const docker = path.join(bin, 'docker');
  writeFileSync(docker, '#!/bin/sh\necho "Cannot connect to the Docker daemon" >&2\nexit 1\n');
  chmodSync(docker, 0o755);
  const pathDirs = (process.env.PATH ?? '').split(path.delimiter).filter((d) => d !== '' && !existsSync(path.join(d, 'kind')));
  return {
    ...process.env,
    PATH: [bin, ...pathDirs].join(path.delimiter),
    KUBECONFIG: kubeconfig ?? path.join(dir, 'no-such-kubeconfig'),
    HOME: dir,
    NO_COLOR: '1',
  };
}

function make(args: string[], env: NodeJS.ProcessEnv) {
  return spawnSync('make', ['--no-print-directory', ...args], { cwd: REPO_ROOT, env, encoding: 'utf8', timeout: 120_000 });
}

test('make deploy without a cluster, kind or a Docker engine stops at once and names what is missing', { skip: makeSkip ?? kubectlSkip }, (t) => {
  const r = make(['deploy'], noClusterEnv(tempDir(t)));
  assert.equal(r.error, undefined, 'make deploy finished on its own');
  assert.equal(r.status, 2, r.stdout + r.stderr);
  assert.match(r.stderr, /no Kubernetes cluster to deploy to/);
  assert.match(r.stderr, /kubectl has no current context/);
  assert.match(r.stderr, /kind \(https:\/\/kind\.sigs\.k8s\.io/);
  assert.match(r.stderr, /running Docker engine/);
  // It stopped before doing anything: no operator install, no image build.
  assert.doesNotMatch(r.stdout, /Installing the ECK operator|Building image/);
});

test('make deploy with a context whose cluster does not answer says so instead of creating a kind cluster', { skip: makeSkip ?? kubectlSkip }, (t) => {
  const dir = tempDir(t);
  const kubeconfig = path.join(dir, 'kubeconfig');
  // 127.0.0.1:1 refuses connections at once: a cluster that is down.
  writeFileSync(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters: [{name: down, cluster: {server: "https://127.0.0.1:1"}}]',
      'users: [{name: u, user: {token: t}}]',
      'contexts: [{name: down-cluster, context: {cluster: down, user: u}}]',
      'current-context: down-cluster',
      '',
    ].join('\n'),
  );
  const r = make(['deploy'], noClusterEnv(dir, kubeconfig));
  assert.equal(r.status, 2, r.stdout + r.stderr);
  assert.match(r.stderr, /kube context 'down-cluster' is selected but its cluster does not answer/);
  assert.doesNotMatch(r.stdout + r.stderr, /Creating kind cluster/);

  // undeploy of production refuses without CONFIRM=1, before touching the cluster.
  const u = make(['undeploy', 'OVERLAY=production'], noClusterEnv(dir, kubeconfig));
  assert.equal(u.status, 2);
  assert.match(u.stderr, /CONFIRM=1/);
});

test('make deploy rejects an unknown overlay and lists the real ones', { skip: makeSkip }, (t) => {
  const r = make(['deploy', 'OVERLAY=staging'], noClusterEnv(tempDir(t)));
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown OVERLAY='staging': choose one of: local production/);
});

test('make render writes every overlay\'s manifests without a cluster', { skip: makeSkip ?? kubectlSkip }, (t) => {
  const dir = tempDir(t);
  const out = path.join(dir, 'rendered');
  const r = make(['render', `RENDER_DIR=${out}`], noClusterEnv(dir));
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(readdirSync(out).sort(), ['elastic-local.yaml', 'elastic-production.yaml', 'local.yaml', 'production.yaml']);
  const local = readFileSync(path.join(out, 'local.yaml'), 'utf8');
  assert.match(local, /kind: Elasticsearch/);
  assert.match(local, /kind: Deployment\n/);
  const kubectl = spawnSync('kubectl', ['kustomize', 'k8s/overlays/local'], { cwd: REPO_ROOT, encoding: 'utf8' });
  assert.equal(local, kubectl.stdout, 'render writes exactly what kubectl kustomize produces');
});

test('make help lists the deploy targets and settings', { skip: makeSkip }, () => {
  const r = make(['help'], { ...process.env, NO_COLOR: '1' });
  assert.equal(r.status, 0);
  const targets = r.stdout
    .replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), '')
    .split('\n')
    .map((line) => line.trim().split(/\s+/)[0]);
  for (const target of ['deploy', 'undeploy', 'status', 'render', 'port-forward', 'help', 'test', 'install', 'build', 'typecheck', 'lint']) {
    assert.ok(targets.includes(target), target);
  }
  for (const setting of ['OVERLAY', 'REGISTRY', 'TRIAL=1']) assert.ok(r.stdout.includes(setting), setting);
  assert.match(r.stdout, /EULA/);
});

test('the deploy scripts are valid bash with strict mode', () => {
  assert.ok(SCRIPTS.length >= 6);
  for (const script of SCRIPTS) {
    const r = spawnSync('bash', ['-n', script], { cwd: REPO_ROOT, encoding: 'utf8' });
    assert.equal(r.status, 0, `${script}: ${r.stderr}`);
    const text = readFileSync(path.join(REPO_ROOT, script), 'utf8');
    if (text.startsWith('#!')) assert.match(text, /^set -euo pipefail$/m, `${script} runs with set -euo pipefail`);
  }
});

const shellcheckSkip = spawnSync('shellcheck', ['--version']).error
  ? 'skipped: shellcheck not installed (apt-get install shellcheck / brew install shellcheck)'
  : undefined;
test('the deploy scripts are shellcheck-clean', { skip: shellcheckSkip }, () => {
  const r = spawnSync('shellcheck', ['-x', ...SCRIPTS], { cwd: REPO_ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});

test('the kustomization make deploy applies sets the image and the agents\' source addresses on top of the overlay', { skip: kubectlSkip }, (t) => {
  const dir = path.join(tempDir(t), 'deploy');
  const r = spawnSync(
    'bash',
    ['-c', '. scripts/deploy/lib.sh && write_deploy_kustomization "$1" production ghcr.io/acme/sample-service 1.2.3 10.1.0.0/16 "10.244.0.1/32 10.244.1.1/32"', '_', dir],
    { cwd: REPO_ROOT, encoding: 'utf8' },
  );
  assert.equal(r.status, 0, r.stderr);
  const rendered = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8' });
  assert.equal(rendered.status, 0, rendered.stderr);
  const docs = parseAllDocuments(rendered.stdout).map((d) => d.toJS() as { kind: string; metadata: { name: string }; spec: Record<string, unknown> });
  const dep = docs.find((d) => d.kind === 'Deployment' && d.metadata.name === 'sample-service');
  assert.equal((dep?.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers[0]?.image, 'ghcr.io/acme/sample-service:1.2.3');
  assert.equal((dep?.spec as { replicas: number }).replicas, 3, 'the production overlay underneath');
  const np = docs.find((d) => d.kind === 'NetworkPolicy' && d.metadata.name === 'sample-service-ingress');
  const from = (np?.spec as { ingress: { from: { ipBlock?: { cidr: string } }[] }[] }).ingress[0]?.from.map((f) => f.ipBlock?.cidr);
  assert.deepEqual(from, ['10.1.0.0/16', '10.244.0.1/32', '10.244.1.1/32']);
  assert.ok(docs.some((d) => d.kind === 'Elasticsearch'), 'the whole stack is still applied');
});
