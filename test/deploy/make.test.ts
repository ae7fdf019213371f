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

/** package.json's engines range for Node.js, which make deploy checks before it installs anything. */
const ENGINES = (JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

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

/** `make deploy` with no cluster and these stand-in tools (name → shell body); it must stop with exit 2. */
function deployRefused(t: TestContext, tools: Readonly<Record<string, string>>): { stdout: string; stderr: string; dir: string } {
  const dir = tempDir(t);
  const env = noClusterEnv(dir);
  for (const [name, body] of Object.entries(tools)) stub(dir, name, body);
  const r = make(['deploy'], env);
  assert.equal(r.status, 2, r.stdout + r.stderr);
  return { stdout: r.stdout, stderr: r.stderr, dir };
}

test('make deploy refuses a kubectl older than 1.27 before it installs anything', { skip: makeSkip }, (t) => {
  const r = deployRefused(t, { kubectl: 'echo \'{"clientVersion": {"major": "1", "minor": "26", "gitVersion": "v1.26.9"}}\'' });
  assert.match(r.stderr, /kubectl 1\.26 is too old: the overlays need kubectl >= 1\.27/);
  assert.doesNotMatch(r.stdout, /Installing the ECK operator|Building image|Creating kind cluster/);
});

test('make deploy names the problem when kubectl reports no version it can read, instead of stopping silently', { skip: makeSkip }, (t) => {
  const r = deployRefused(t, { kubectl: 'echo "{}"' });
  assert.match(r.stderr, /kubectl 1\.\? is too old: the overlays need kubectl >= 1\.27/);
});

test('make deploy refuses a Node.js older than package.json\'s engines before it installs anything', { skip: makeSkip }, (t) => {
  const r = deployRefused(t, { node: 'echo v18.20.4' });
  assert.match(r.stderr, new RegExp(`Node\\.js v18\\.20\\.4 is not supported: package\\.json's engines need ${escapeRegExp(ENGINES)}`));
  assert.doesNotMatch(r.stdout, /Installing the ECK operator|Creating kind cluster/);
});

test('make deploy takes every Node.js line package.json\'s engines name and refuses the lines between them', { skip: makeSkip }, (t) => {
  for (const [version, allowed] of [['v22.13.0', true], ['v22.12.0', false], ['v23.11.0', false], ['v24.0.0', true], ['v25.9.0', false], ['v26.10.0', true], ['v28.1.0', true]] as const) {
    const r = deployRefused(t, { node: `echo ${version}` });
    if (allowed) assert.doesNotMatch(r.stderr, /is not supported/, version);
    else assert.match(r.stderr, new RegExp(`Node\\.js ${escapeRegExp(version)} is not supported`), version);
  }
});

test('make deploy on kind refuses a Docker engine with less memory than the stack requests, before creating the cluster', { skip: makeSkip ?? kubectlSkip }, (t) => {
  // A Docker engine that answers, with 4 GiB; kind present with no cluster yet.
  const r = deployRefused(t, {
    docker: 'if [ "$1 $2" = "info --format" ]; then echo 4294967296; fi; exit 0',
    kind: 'echo "kind $*" >> "$(dirname "$0")/kind.log"; exit 0',
  });
  assert.match(r.stderr, /Docker has 4096 MiB of memory; the local stack on kind requests 6400 MiB/);
  assert.doesNotMatch(r.stdout, /Creating kind cluster|Installing the ECK operator/);
  assert.ok(!existsSync(path.join(r.dir, 'bin', 'kind.log')), 'kind was not run');
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
  for (const target of ['deploy', 'undeploy', 'status', 'render', 'port-forward', 'apm-credentials', 'help', 'test', 'install', 'build', 'typecheck', 'lint']) {
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

/** Runs `. scripts/deploy/lib.sh && <script>` with dir/bin first on PATH (for stubs). */
function lib(dir: string, script: string, env: NodeJS.ProcessEnv = {}) {
  return spawnSync('bash', ['-c', `. scripts/deploy/lib.sh && ${script}`], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, NO_COLOR: '1', ...env, PATH: `${path.join(dir, 'bin')}${path.delimiter}${process.env.PATH ?? ''}` },
  });
}

type Doc = { kind: string; metadata: { name: string }; spec: Record<string, unknown> };

test('the kustomization make deploy applies sets the image by digest, the nodes\' and DNS addresses and the StorageClass', { skip: kubectlSkip }, (t) => {
  const dir = tempDir(t);
  const out = path.join(dir, 'deploy');
  const digest = `sha256:${'ab'.repeat(32)}`;
  const r = lib(dir, `write_deploy_kustomization ${out} production`, {
    DK_IMAGE_NAME: 'ghcr.io/acme/sample-service',
    DK_TAG: '1.2.3',
    DK_DIGEST: digest,
    DK_SCRAPE_CIDRS: '10.1.0.0/20 10.1.0.7/32 10.244.1.1/32',
    DK_DNS_CIDRS: '172.20.0.10/32',
    DK_STORAGE_CLASS: 'gp3',
  });
  assert.equal(r.status, 0, r.stderr);
  const rendered = spawnSync('kubectl', ['kustomize', out], { encoding: 'utf8' });
  assert.equal(rendered.status, 0, rendered.stderr);
  const docs = parseAllDocuments(rendered.stdout).map((d) => d.toJS() as Doc);
  const dep = docs.find((d) => d.kind === 'Deployment' && d.metadata.name === 'sample-service');
  const pod = (dep?.spec as { template: { spec: { containers: { image: string; imagePullPolicy: string }[] } } }).template.spec;
  assert.equal(pod.containers[0]?.image, `ghcr.io/acme/sample-service@${digest}`, 'deployed by digest: a rebuilt image always rolls out');
  assert.equal((dep?.spec as { replicas: number }).replicas, 3, 'the production overlay underneath');
  const np = (name: string) => docs.find((d) => d.kind === 'NetworkPolicy' && d.metadata.name === name)?.spec;
  const from = (np('sample-service-ingress') as { ingress: { from: { ipBlock?: { cidr: string } }[] }[] }).ingress[0]?.from.map((f) => f.ipBlock?.cidr);
  assert.deepEqual(from, [undefined, '10.1.0.0/20', '10.1.0.7/32', '10.244.1.1/32'], 'the agent selector, then the nodes\' addresses');
  const dns = (np('sample-service-egress') as { egress: { to: { ipBlock?: { cidr: string } }[] }[] }).egress[0]?.to.map((f) => f.ipBlock?.cidr);
  assert.ok(dns?.includes('172.20.0.10/32') && dns.includes('169.254.20.10/32'), JSON.stringify(dns));
  const es = docs.find((d) => d.kind === 'Elasticsearch') as Doc & { spec: { nodeSets: { volumeClaimTemplates: { spec: { storageClassName?: string } }[] }[] } };
  assert.equal(es.spec.nodeSets[0]?.volumeClaimTemplates[0]?.spec.storageClassName, 'gp3');

  // Without a digest (kind) it keeps the tag, and adds no patch it was not asked for.
  const plain = path.join(dir, 'plain');
  const k = lib(dir, `write_deploy_kustomization ${plain} local`, { DK_TAG: '1.2.3' });
  assert.equal(k.status, 0, k.stderr);
  const text = readFileSync(path.join(plain, 'kustomization.yaml'), 'utf8');
  assert.match(text, /newName: sample-service\n {4}newTag: "1\.2\.3"/);
  assert.doesNotMatch(text, /patches|digest/);
});

test('make deploy stops before applying when the cluster has no default StorageClass, naming the classes', (t) => {
  const dir = tempDir(t);
  // EKS >= 1.30: gp2 exists but is not the default.
  stub(dir, 'kubectl', 'echo "gp2= efs-sc= "');
  const none = lib(dir, 'check_storage_class ""');
  assert.equal(none.status, 2, none.stdout + none.stderr);
  assert.match(none.stderr, /no default StorageClass.*STORAGE_CLASS=<name> \(the cluster has: gp2 efs-sc\)/);
  const named = lib(dir, 'check_storage_class gp2');
  assert.equal(named.status, 0, named.stderr);
  assert.match(named.stdout, /StorageClass gp2 \(STORAGE_CLASS\)/);
  const missing = lib(dir, 'check_storage_class gp3');
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /StorageClass 'gp3' \(STORAGE_CLASS\) does not exist; the cluster has: gp2 efs-sc/);
  stub(dir, 'kubectl', 'echo "gp2= standard=true "');
  const withDefault = lib(dir, 'check_storage_class ""');
  assert.equal(withDefault.status, 0, withDefault.stderr);
  assert.match(withDefault.stdout, /the cluster default \(standard\)/);
});

test('make deploy refuses a setting with a bad value before it looks for a cluster, one line each, exit 2', { skip: makeSkip }, (t) => {
  const env = noClusterEnv(tempDir(t));
  const cases: [string, RegExp][] = [
    ['TRIAL=yes', /^error: TRIAL='yes' is not a switch: set TRIAL=1 to turn it on/m],
    ['SKIP_BUILD=true', /^error: SKIP_BUILD='true' is not a switch/m],
    ['DEPLOY_TIMEOUT=15m', /^error: DEPLOY_TIMEOUT='15m' is not a number of seconds/m],
    ['IMAGE_DIGEST=latest', /^error: IMAGE_DIGEST='latest' is not an image digest/m],
    ['NODE_CIDR=10.0.0.0/8', /^error: NODE_CIDR='10\.0\.0\.0\/8' is wider than \/16/m],
    ['VERIFY=no', /^error: VERIFY='no' is not a switch/m],
    [`IMAGE_DIGEST=sha256:${'a'.repeat(64)}`, /^error: IMAGE_DIGEST applies only with SKIP_BUILD=1 and REGISTRY/m],
  ];
  for (const [setting, message] of cases) {
    const r = make(['deploy', setting], env);
    assert.equal(r.status, 2, `${setting}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, message, setting);
    assert.doesNotMatch(r.stdout + r.stderr, /no Kubernetes cluster|tools:/, `${setting}: checked before the tools and the cluster`);
  }
  assert.match(make(['deploy', 'TRIAL=1'], env).stderr, /no Kubernetes cluster to deploy to/, 'TRIAL=1 passes the check');
});

test('NODE_CIDR must be an IPv4 subnet of /16 or narrower: a wide private range would admit the pod network', (t) => {
  const dir = tempDir(t);
  for (const wide of ['10.0.0.0/8', '172.16.0.0/12', '0.0.0.0/0']) {
    const r = lib(dir, `check_node_cidr_value ${wide}`);
    assert.equal(r.status, 2, wide);
    assert.match(r.stderr, /wider than \/16/);
  }
  assert.match(lib(dir, 'check_node_cidr_value nodes').stderr, /not an IPv4 CIDR/);
  assert.equal(lib(dir, 'check_node_cidr_value 10.20.0.0/20').status, 0);
});

test('the image is built for the nodes\' platforms, and the pushed digest is read from buildx\'s metadata', (t) => {
  const dir = tempDir(t);
  stub(dir, 'kubectl', 'printf "linux/amd64\\nlinux/arm64\\nlinux/amd64\\n"');
  const p = lib(dir, 'cluster_platforms');
  assert.equal(p.stdout.trim(), 'linux/amd64,linux/arm64');
  const meta = path.join(dir, 'image.json');
  const digest = `sha256:${'0f'.repeat(32)}`;
  writeFileSync(meta, JSON.stringify({ 'containerimage.digest': digest, 'image.name': 'ghcr.io/acme/sample-service:1.2.3' }));
  assert.equal(lib(dir, `digest_from_metadata ${meta}`).stdout.trim(), digest);
  writeFileSync(meta, '{}');
  assert.notEqual(lib(dir, `digest_from_metadata ${meta}`).status, 0, 'no digest, no deploy by a made-up one');
});

test('make deploy adds only the addresses the overlay does not already admit', { skip: kubectlSkip }, (t) => {
  const r = lib(tempDir(t), 'new_cidrs local 10.244.0.1/32 172.18.0.2/32 169.254.20.10/32 10.96.0.10/32');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), '172.18.0.2/32 10.96.0.10/32');
});

test('the nodes\' own addresses are their InternalIPs and pod-CIDR gateways, and the DNS Service IP a /32', (t) => {
  const dir = tempDir(t);
  stub(dir, 'kubectl', 'case "$*" in *kube-dns*) echo 10.96.0.10 ;; *) echo "172.18.0.2 10.244.0.0/24 172.18.0.3 10.244.1.0/24 " ;; esac');
  assert.equal(lib(dir, 'node_source_addresses').stdout.trim(), '172.18.0.2/32 10.244.0.1/32 172.18.0.3/32 10.244.1.1/32');
  assert.equal(lib(dir, 'dns_service_address').stdout.trim(), '10.96.0.10/32');
});

/** A cluster of stand-ins: kubectl answers every call make deploy makes (kustomize is the real one), docker builds nothing. */
function fakeCluster(dir: string, cluster: { context: string; platforms: string } = { context: 'prod', platforms: 'linux/amd64\\nlinux/arm64' }): NodeJS.ProcessEnv {
  const env = { ...noClusterEnv(dir), DEPLOY_WORK_DIR: path.join(dir, 'work'), POLL_SECONDS: '1' };
  const log = path.join(dir, 'calls.log');
  const real = spawnSync('sh', ['-c', 'command -v kubectl'], { encoding: 'utf8' }).stdout.trim();
  stub(dir, 'kubectl', `echo "kubectl $*" >> "${log}"
case "$*" in
  "version --client -o json") echo '{"clientVersion": {"major": "1", "minor": "31"}}' ;;
  "config current-context") echo ${cluster.context} ;;
  "kustomize "*) exec "${real}" "$@" ;;
  "apply -k "*) cp "$3/kustomization.yaml" "${dir}/applied.yaml" ;;
  *"get storageclass"*) echo "gp2= gp3=true " ;;
  *"get nodes"*operatingSystem*) printf '${cluster.platforms}\\n' ;;
  *"get nodes"*InternalIP*) echo "10.1.0.7 10.244.1.0/24 " ;;
  *"get service kube-dns"*) echo 172.20.0.10 ;;
  *"get statefulset elastic-operator"*readyReplicas*) echo 1/1 ;;
  *"get elasticsearch"* | *"get kibana"* | *"get apmserver"* | *"get agent"*) echo "green Ready 1/1" ;;
  *"get secret apm-server-apm-token"*) echo czNjcjN0LXZhbHVl ;;
  *"get secret apm-server-apm-http-certs-public"*) echo Y2E= ;;
  *"create secret generic"*) echo "apiVersion: v1" ;;
  *"label --local"* | "apply -f -"*) cat ;;
  *"get deployment sample-service"*) echo "3/3 updated, 3 available" ;;
esac
exit 0`);
  stub(dir, 'docker', `echo "docker $*" >> "${log}"
if [ "$1 $2" = "info --format" ]; then echo 17179869184; fi
if [ "$1 $2" = "image inspect" ]; then echo sha256:${'ef'.repeat(32)}; fi
if [ "$1 $2" = "buildx build" ]; then
  while [ $# -gt 0 ]; do
    if [ "$1" = --metadata-file ]; then echo '{"containerimage.digest": "sha256:${'cd'.repeat(32)}"}' > "$2"; fi
    shift
  done
fi
exit 0`);
  stub(dir, 'npm', `echo "npm $*" >> "${log}"`);
  stub(dir, 'kind', `echo "kind $*" >> "${log}"`);
  return env;
}

test('make deploy to a registry builds for every node platform, pushes, and applies the digest with the cluster\'s addresses', { skip: makeSkip ?? kubectlSkip }, (t) => {
  const dir = tempDir(t);
  const r = make(['deploy', 'OVERLAY=production', 'REGISTRY=ghcr.io/acme', 'TAG=1.2.3', 'STORAGE_CLASS=gp3'], fakeCluster(dir));
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const calls = readFileSync(path.join(dir, 'calls.log'), 'utf8');
  assert.match(calls, /^docker buildx build --platform linux\/amd64,linux\/arm64 -t ghcr\.io\/acme\/sample-service:1\.2\.3 --metadata-file \S+ --push \.$/m);
  assert.doesNotMatch(calls, /^docker build /m, 'no single-platform build');
  const applied = readFileSync(path.join(dir, 'applied.yaml'), 'utf8');
  assert.match(applied, new RegExp(`digest: sha256:${'cd'.repeat(32)}`));
  assert.match(applied, /cidr: 10\.1\.0\.7\/32/);
  assert.match(applied, /cidr: 10\.244\.1\.1\/32/);
  assert.match(applied, /cidr: 172\.20\.0\.10\/32/);
  assert.match(applied, /storageClassName, value: "gp3"/);
  assert.match(calls, /^npm run --silent provision-kibana -- --from-eck$/m);
  assert.match(r.stdout, /StorageClass gp3 \(STORAGE_CLASS\)/);
  assert.match(r.stdout, /nodes' platforms: linux\/amd64,linux\/arm64/);
});

test('make deploy stops before installing ECK when the cluster has no default StorageClass', { skip: makeSkip ?? kubectlSkip }, (t) => {
  const dir = tempDir(t);
  const env = fakeCluster(dir);
  const r = make(['deploy', 'OVERLAY=production', 'REGISTRY=ghcr.io/acme'], env);
  assert.equal(r.status, 0, 'gp3 is the default here');
  stub(dir, 'kubectl', `case "$*" in "version --client -o json") echo '{"clientVersion": {"minor": "31"}}' ;; "config current-context") echo prod ;; *"get storageclass"*) echo "gp2= " ;; esac; echo "kubectl $*" >> "${path.join(dir, 'calls2.log')}"; exit 0`);
  const none = make(['deploy', 'OVERLAY=production', 'REGISTRY=ghcr.io/acme'], env);
  assert.equal(none.status, 2, none.stdout + none.stderr);
  assert.match(none.stderr, /no default StorageClass/);
  assert.doesNotMatch(readFileSync(path.join(dir, 'calls2.log'), 'utf8'), /crds\.yaml|operator\.yaml|apply/, 'nothing installed');
});

test('make deploy on kind builds for the node\'s platform, loads the image and rolls the pods by image id', { skip: makeSkip ?? kubectlSkip }, (t) => {
  const dir = tempDir(t);
  const { version } = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
  const r = make(['deploy'], fakeCluster(dir, { context: 'kind-sample-service', platforms: 'linux/arm64' }));
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const calls = readFileSync(path.join(dir, 'calls.log'), 'utf8');
  assert.match(calls, new RegExp(`^docker build --platform linux/arm64 -t sample-service:${version} \\.$`, 'm'));
  assert.match(calls, new RegExp(`^kind load docker-image sample-service:${version} --name sample-service$`, 'm'));
  assert.match(calls, new RegExp(`sample-service/image-id.*sha256:${'ef'.repeat(32)}`));
  const applied = readFileSync(path.join(dir, 'applied.yaml'), 'utf8');
  assert.match(applied, new RegExp(`newTag: "${version}"`));
  assert.doesNotMatch(applied, /digest:/);
  assert.doesNotMatch(applied, /cidr: 10\.244\.1\.1\/32.*\n.*cidr: 10\.244\.1\.1\/32/, 'no address twice');
  assert.match(r.stdout, /Docker memory: 16384 MiB/);
});

test('make apm-credentials copies the token and CA into the service\'s namespace, for stacks applied without make deploy', { skip: makeSkip ?? kubectlSkip }, (t) => {
  const dir = tempDir(t);
  const r = make(['apm-credentials'], fakeCluster(dir));
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const calls = readFileSync(path.join(dir, 'calls.log'), 'utf8');
  assert.match(calls, /^kubectl -n sample-service create secret generic apm-credentials --from-file=secret-token=\S+ --dry-run=client -o yaml$/m);
  assert.match(calls, /^kubectl -n sample-service create secret generic apm-ca --from-file=ca\.crt=\S+ --dry-run=client -o yaml$/m);
  assert.doesNotMatch(r.stdout + r.stderr + calls, /s3cr3t-value|czNjcjN0LXZhbHVl/, 'the token reaches neither the terminal nor a command line');
  assert.match(r.stdout, /Secrets sample-service\/apm-credentials and sample-service\/apm-ca/);
});

test('make uninstall runs the provisioning uninstall through ECK as deploy provisions, and DRY_RUN=1 only lists it', { skip: makeSkip }, () => {
  const env = { ...process.env, NO_COLOR: '1' };
  const recipe = (args: string[]): string[] =>
    make(['-n', ...args], env)
      .stdout.split('\n')
      .filter((l) => l.includes('provision-kibana'));
  assert.deepEqual(recipe(['uninstall']), ['npm run --silent provision-kibana -- --uninstall --from-eck']);
  assert.deepEqual(recipe(['uninstall', 'DRY_RUN=1']), ['npm run --silent provision-kibana -- --uninstall --from-eck --dry-run']);
  assert.deepEqual(recipe(['uninstall', 'DRY_RUN=0']), ['npm run --silent provision-kibana -- --uninstall --from-eck']);
  // The same target settings as the provisioning step of deploy.
  assert.match(readFileSync(path.join(REPO_ROOT, 'scripts/deploy/deploy.sh'), 'utf8'), /npm run --silent provision-kibana -- --from-eck\n/);
  assert.match(make(['help'], env).stdout, /^ {2}uninstall +Remove what provisioning created .*DRY_RUN=1/m);
});
