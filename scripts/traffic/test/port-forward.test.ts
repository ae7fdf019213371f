/**
 * --port-forward with a fake kubectl (test/fake-kubectl.ts) first on PATH: the arguments kubectl
 * gets, waiting for /health through the tunnel, and that the kubectl child is always stopped:
 * after a normal run, on a startup failure, on a timeout and on Ctrl-C (SIGINT).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { REPO_ROOT } from '../../../test/support/contracts.js';
import { TrafficError } from '../errors.js';
import { portForwardArgs, startPortForward, summarizeKubectlLines } from '../port-forward.js';
import { createFakeKubectl, isAlive, type FakeKubectl, type FakeKubectlMode } from './fake-kubectl.js';

let kubectl: FakeKubectl;
before(async () => {
  kubectl = await createFakeKubectl();
});
after(async () => {
  await kubectl?.remove();
});

async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 40 && isAlive(pid); i++) await sleep(50);
  return !isAlive(pid);
}

/** Runs startPortForward with the fake's environment applied to this process for the call. */
async function withFakeEnv<T>(mode: FakeKubectlMode, fn: () => Promise<T>): Promise<T> {
  const saved = { PATH: process.env.PATH, rec: process.env.FAKE_KUBECTL_RECORD, mode: process.env.FAKE_KUBECTL_MODE };
  const env = kubectl.env(mode);
  process.env.PATH = env.PATH;
  process.env.FAKE_KUBECTL_RECORD = env.FAKE_KUBECTL_RECORD;
  process.env.FAKE_KUBECTL_MODE = mode;
  try {
    return await fn();
  } finally {
    process.env.PATH = saved.PATH;
    if (saved.rec === undefined) delete process.env.FAKE_KUBECTL_RECORD;
    else process.env.FAKE_KUBECTL_RECORD = saved.rec;
    if (saved.mode === undefined) delete process.env.FAKE_KUBECTL_MODE;
    else process.env.FAKE_KUBECTL_MODE = saved.mode;
  }
}

describe('kubectl port-forward', { timeout: 60_000 }, () => {
  it('forwards svc/sample-service port 8080 in the namespace, waits for /health and stops kubectl', async () => {
    const forward = await withFakeEnv('serve', () =>
      startPortForward({ namespace: 'team-a', timeoutMs: 10_000, signal: new AbortController().signal }),
    );
    const record = await kubectl.record();
    assert.deepEqual(record.args, portForwardArgs('team-a', 'sample-service', 8080));
    assert.deepEqual(record.args, [
      'port-forward',
      '--namespace',
      'team-a',
      'svc/sample-service',
      ':8080',
      '--address',
      '127.0.0.1',
    ]);
    assert.match(forward.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.ok((await kubectl.served()) >= 1, 'polled /health through the tunnel');
    assert.ok(isAlive(record.pid));
    await forward.stop();
    assert.ok(await gone(record.pid), 'kubectl was stopped');
    await forward.stop(); // idempotent
  });

  it('fails with kubectl\'s own error when kubectl exits', async () => {
    await assert.rejects(
      withFakeEnv('fail', () =>
        startPortForward({ namespace: 'sample-service', timeoutMs: 10_000, signal: new AbortController().signal }),
      ),
      (error: unknown) =>
        error instanceof TrafficError &&
        error.code === 'PORT_FORWARD_FAILED' &&
        /svc\/sample-service in namespace sample-service/.test(error.message) &&
        /services "sample-service" not found/.test(error.message),
    );
  });

  it('says what make deploy says when kubectl has no current context, once, without kubectl\'s localhost:8080 errors', async () => {
    await rm(kubectl.recordFile, { force: true });
    await assert.rejects(
      withFakeEnv('no-context', () =>
        startPortForward({ namespace: 'sample-service', timeoutMs: 10_000, signal: new AbortController().signal }),
      ),
      (error: unknown) => {
        assert.ok(error instanceof TrafficError);
        assert.equal(error.code, 'PORT_FORWARD_FAILED');
        assert.match(error.message, /kubectl has no current context \(KUBECONFIG=.*\)/);
        assert.match(error.message, /kubectl config use-context <name>/);
        assert.match(error.message, /make deploy/);
        assert.match(error.message, /--base-url/);
        assert.doesNotMatch(error.message, /localhost:8080|memcache/);
        assert.equal(error.message.split('\n').length, 1);
        return true;
      },
    );
    await assert.rejects(kubectl.record(), 'port-forward was never started');
  });

  it('shows each distinct kubectl error line once, with how often it came', () => {
    const line = 'The connection to the server localhost:8080 was refused';
    assert.deepEqual(summarizeKubectlLines([line, line, 'other', line]), [`${line} (3 times)`, 'other']);
  });

  it('gives up after the timeout and stops kubectl', async () => {
    await assert.rejects(
      withFakeEnv('silent', () =>
        startPortForward({ namespace: 'sample-service', timeoutMs: 500, signal: new AbortController().signal }),
      ),
      /no answer from \/health within 0.5 s/,
    );
    assert.ok(await gone((await kubectl.record()).pid), 'kubectl was stopped');
  });

  it('says so when kubectl is not installed', async () => {
    await assert.rejects(
      startPortForward({
        namespace: 'sample-service',
        timeoutMs: 5_000,
        signal: new AbortController().signal,
        kubectl: '/nonexistent/kubectl',
      }),
      /was not found on PATH/,
    );
  });

  it('stops kubectl when the generator is interrupted with Ctrl-C, after printing the summary', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'scripts/traffic/cli.ts', '60', '--port-forward', '--json', '--rps', '5'],
      { cwd: REPO_ROOT, env: kubectl.env('serve'), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    for (let i = 0; i < 600 && !/Sending \d+ requests/.test(stderr) && child.exitCode === null; i++) await sleep(50);
    assert.match(stderr, /Sending \d+ requests to http:\/\/127\.0\.0\.1:\d+/);
    const { pid } = await kubectl.record();
    assert.ok(isAlive(pid));
    child.kill('SIGINT');
    const [code] = await exited;
    assert.equal(code, 130, stderr);
    const summary = JSON.parse(stdout) as { stopReason: string; reachable: boolean };
    assert.equal(summary.stopReason, 'interrupted');
    assert.ok(await gone(pid), 'kubectl was stopped');
  });

  it('stops kubectl when Ctrl-C comes while the port-forward is still starting', async () => {
    await rm(kubectl.recordFile, { force: true });
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/traffic/cli.ts', '60', '--port-forward'], {
      cwd: REPO_ROOT,
      env: kubectl.env('silent'),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    let pid: number | undefined;
    for (let i = 0; i < 600 && pid === undefined && child.exitCode === null; i++) {
      pid = await kubectl.record().then((r) => r.pid, () => undefined);
      if (pid === undefined) await sleep(50);
    }
    assert.ok(pid !== undefined && isAlive(pid), `kubectl started; stderr: ${stderr}`);
    child.kill('SIGINT');
    const [code] = await exited;
    assert.equal(code, 130, stderr);
    assert.match(stderr, /Interrupted before any traffic was sent/);
    assert.ok(await gone(pid), 'kubectl was stopped');
  });
});
