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

/** Puts an executable shell script named `name` in dir/bin (first on noClusterEnv's PATH). */
function stub(dir: string, name: string, body: string): void {
  spawnSync('mkdir', ['-p', path.join(dir, 'bin')]);
  const file = path.join(dir, 'bin', name);
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
}

test('make deploy refuses a kubectl older than 1.27 before it installs anything', { skip: makeSkip }, (t) => {
  const dir = tempDir(t);
  const env = noClusterEnv(dir);
  stub(dir, 'kubectl', 'echo \'{"clientVersion": {"major": "1", "minor": "26", "gitVersion": "v1.26.9"}}\'');
  const r = make(['deploy'], env);
  assert.equal(r.status, 2, r.stdout + r.stderr);
  assert.match(r.stderr, /kubectl 1\.26 is too old: the overlays need kubectl >= 1\.27/);
  assert.doesNotMatch(r.stdout, /Installing the ECK operator|Building image|Creating kind cluster/);
});

test('make deploy refuses a Node.js older than package.json\'s engines before it installs anything', { skip: makeSkip }, (t) => {
  const dir = tempDir(t);
  const env = noClusterEnv(dir);
  stub(dir, 'node', 'echo v18.20.4');
  const r = make(['deploy'], env);
  assert.equal(r.status, 2, r.stdout + r.stderr);
  assert.match(r.stderr, /Node\.js v18\.20\.4 is too old: package\.json needs >= 20\.19/);
  assert.doesNotMatch(r.stdout, /Installing the ECK operator|Creating kind cluster/);
});

test('make deploy on kind refuses a Docker engine with less memory than the stack requests, before creating the cluster', { skip: makeSkip ?? kubectlSkip }, (t) => {
  const dir = tempDir(t);
  const env = noClusterEnv(dir);
  // A Docker engine that answers, with 4 GiB; kind present with no cluster yet.
  stub(dir, 'docker', 'if [ "$1 $2" = "info --format" ]; then echo 4294967296; fi; exit 0');
  stub(dir, 'kind', 'echo "kind $*" >> "$(dirname "$0")/kind.log"; exit 0');
  const r = make(['deploy'], env);
  assert.equal(r.status, 2, r.stdout + r.stderr);
  assert.match(r.stderr, /Docker has 4096 MiB of memory; the local stack on kind requests 6400 MiB/);
  assert.doesNotMatch(r.stdout, /Creating kind cluster|Installing the ECK operator/);
  assert.ok(!existsSync(path.join(dir, 'bin', 'kind.log')), 'kind was not run');
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

const ESC = String.fromCharCode(27);
/** The environment without NO_COLOR, so a test sees what a user who never set it sees. */
function colourEnv(noColor?: string): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NO_COLOR;
  return noColor === undefined ? env : { ...env, NO_COLOR: noColor };
}

test('make help lists the deploy targets and settings, without colour codes when piped', { skip: makeSkip }, () => {
  const r = make(['help'], colourEnv());
  assert.equal(r.status, 0);
  assert.ok(!r.stdout.includes(ESC), 'piped output holds no escape codes');
  const targets = r.stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/)[0]);
  for (const target of ['deploy', 'undeploy', 'status', 'render', 'port-forward', 'help', 'test', 'install', 'build', 'typecheck', 'lint']) {
    assert.ok(targets.includes(target), target);
  }
  for (const setting of ['OVERLAY', 'REGISTRY', 'TRIAL=1']) assert.ok(r.stdout.includes(setting), setting);
  assert.match(r.stdout, /EULA/);
});

const scriptSkip = spawnSync('script', ['--version']).error ? 'skipped: script (util-linux) not found: no pseudo-terminal to test with' : undefined;
test('make help colours the target names on a terminal, unless NO_COLOR is set', { skip: makeSkip ?? scriptSkip }, () => {
  // script(1) runs make on a pseudo-terminal, as a user's shell would.
  const onTty = (env: NodeJS.ProcessEnv) =>
    spawnSync('script', ['-qec', 'make --no-print-directory help', '/dev/null'], { cwd: REPO_ROOT, env, encoding: 'utf8', timeout: 60_000 });
  const coloured = onTty(colourEnv());
  assert.equal(coloured.status, 0, coloured.stderr);
  assert.ok(coloured.stdout.includes(`${ESC}[36mdeploy`), 'target names are coloured on a terminal');
  const plain = onTty(colourEnv('1'));
  assert.equal(plain.status, 0, plain.stderr);
  assert.match(plain.stdout, /deploy/);
  assert.ok(!plain.stdout.includes(ESC), 'NO_COLOR turns colour off on a terminal too');
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
