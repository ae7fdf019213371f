/**
 * `kubectl port-forward` to the service for the duration of a run. kubectl picks a free local port
 * itself (`:8080`) and reports it; the run starts once GET /health answers through the tunnel. The
 * child is always stopped: by stop(), on a startup failure or abort, and, as a last resort, by a
 * synchronous kill when the process exits.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import { SERVICE } from '../../service/src/telemetry/registry.js';
import { deadlineSignal } from './abort.js';
import { TrafficError } from './errors.js';

export const SERVICE_PORT = 8080;
const POLL_INTERVAL_MS = 250;
const STOP_GRACE_MS = 3_000;
const MAX_STDERR_LINES = 20;
const CONTEXT_CHECK_TIMEOUT_MS = 10_000;

export interface PortForwardOptions {
  readonly namespace: string;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  /** The kubectl binary; KUBECTL from the environment or `kubectl` on PATH. */
  readonly kubectl?: string;
  readonly service?: string;
  readonly servicePort?: number;
  readonly log?: (message: string) => void;
}

export interface PortForward {
  readonly url: string;
  readonly pid: number | undefined;
  /** Stops kubectl and waits for it to exit (SIGTERM, then SIGKILL after a grace period). Idempotent. */
  stop(): Promise<void>;
}

export function portForwardArgs(namespace: string, service: string, servicePort: number): string[] {
  return ['port-forward', '--namespace', namespace, `svc/${service}`, `:${servicePort}`, '--address', '127.0.0.1'];
}

const FORWARDING = /Forwarding from 127\.0\.0\.1:(\d+) ->/;

/** What `make deploy` (scripts/deploy/lib.sh) says when kubectl has no current context, plus the way out here. */
export function noContextMessage(kubeconfig: string | undefined): string {
  return (
    `Port-forward failed: kubectl has no current context (KUBECONFIG=${kubeconfig ?? '~/.kube/config'}), so there is no cluster to reach. ` +
    "Point kubectl at a cluster ('kubectl config use-context <name>') and deploy the service with 'make deploy', " +
    'or target a service running elsewhere with --base-url.'
  );
}

/**
 * Resolves undefined when kubectl has a current context, else the reason. Without one, kubectl would
 * try its built-in default API server (localhost:8080, which is also this service's port) and
 * repeat the same connection error for every retry.
 */
function checkContext(kubectl: string, signal: AbortSignal): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(kubectl, ['config', 'current-context'], { timeout: CONTEXT_CHECK_TIMEOUT_MS, signal }, (error, stdout) => {
      if (error === null) {
        resolve(stdout.trim() === '' ? noContextMessage(process.env.KUBECONFIG) : undefined);
        return;
      }
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') resolve(`Port-forward failed: ${kubectl} was not found on PATH (install kubectl or use --base-url).`);
      else if (code === 'ABORT_ERR') resolve('Port-forward failed: interrupted.');
      else if (typeof code === 'number') resolve(noContextMessage(process.env.KUBECONFIG));
      // Anything else (a timeout): let port-forward itself report.
      else resolve(undefined);
    });
  });
}

/** kubectl's stderr, each distinct line once (with its count): it repeats one error per retry. */
export function summarizeKubectlLines(lines: readonly string[]): string[] {
  const counts = new Map<string, number>();
  for (const line of lines) counts.set(line, (counts.get(line) ?? 0) + 1);
  return [...counts].map(([line, n]) => (n > 1 ? `${line} (${n} times)` : line));
}

export async function startPortForward(options: PortForwardOptions): Promise<PortForward> {
  const kubectl = options.kubectl ?? process.env.KUBECTL ?? 'kubectl';
  const service = options.service ?? SERVICE.name;
  const servicePort = options.servicePort ?? SERVICE_PORT;
  const target = `svc/${service} in namespace ${options.namespace}`;
  const noContext = await checkContext(kubectl, options.signal);
  if (noContext !== undefined) throw new TrafficError('PORT_FORWARD_FAILED', noContext);
  const child = spawn(kubectl, portForwardArgs(options.namespace, service, servicePort), {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => {
    stderr.push(line);
    if (stderr.length > MAX_STDERR_LINES) stderr.shift();
  });

  const exited = new Promise<string>((resolve) => {
    child.once('error', (error: NodeJS.ErrnoException) =>
      resolve(error.code === 'ENOENT' ? `${kubectl} was not found on PATH (install kubectl or use --base-url)` : error.message),
    );
    child.once('exit', (code, signal) => resolve(`kubectl exited with ${signal ?? `code ${code}`}`));
  });
  let hasExited = false;
  void exited.then(() => (hasExited = true));

  const killOnExit = (): void => {
    if (!hasExited) child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  const stop = async (): Promise<void> => {
    process.removeListener('exit', killOnExit);
    await stopChild(child, exited, () => hasExited);
  };

  const guard = deadlineSignal(options.timeoutMs, options.signal);
  const deadline = guard.signal;
  const fail = async (reason: string): Promise<never> => {
    guard.clear();
    await stop();
    const details = stderr.length > 0 ? `\n${summarizeKubectlLines(stderr).map((l) => `  kubectl: ${l}`).join('\n')}` : '';
    throw new TrafficError('PORT_FORWARD_FAILED', `Port-forward to ${target} failed: ${reason}.${details}`);
  };

  const timeoutText = `no answer from /health within ${options.timeoutMs / 1000} s`;

  // 1. kubectl reports the local port it bound.
  const port = await new Promise<number | string>((resolve) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const match = FORWARDING.exec(line);
      if (match) resolve(Number(match[1]));
    });
    void exited.then(resolve);
    deadline.addEventListener('abort', () => resolve(options.signal.aborted ? 'interrupted' : timeoutText), {
      once: true,
    });
  });
  if (typeof port === 'string') return fail(port);

  // 2. The service answers /health through the tunnel.
  const url = `http://127.0.0.1:${port}`;
  options.log?.(`Forwarding ${url} -> ${target} port ${servicePort} (kubectl pid ${child.pid}); waiting for /health`);
  const agent = new Agent({ connections: 1 });
  let lastProblem = '';
  try {
    while (!deadline.aborted && !hasExited) {
      try {
        const response = await request(`${url}/health`, { dispatcher: agent, signal: deadline, reset: true });
        await response.body.dump();
        if (response.statusCode >= 200 && response.statusCode < 300) {
          guard.clear();
          return { url, pid: child.pid, stop };
        }
        lastProblem = `/health answered ${response.statusCode}`;
      } catch (error) {
        lastProblem = error instanceof Error ? error.message : String(error);
      }
      await sleep(POLL_INTERVAL_MS, undefined, { signal: deadline }).catch(() => undefined);
    }
  } finally {
    await agent.close();
  }
  if (hasExited) return fail(await exited);
  if (options.signal.aborted) return fail('interrupted');
  return fail(lastProblem ? `${timeoutText} (last: ${lastProblem})` : timeoutText);
}

async function stopChild(child: ChildProcess, exited: Promise<unknown>, hasExited: () => boolean): Promise<void> {
  if (hasExited() || child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const grace = new AbortController();
  const killed = await Promise.race([
    exited.then(() => true),
    sleep(STOP_GRACE_MS, false, { signal: grace.signal }).catch(() => false),
  ]);
  grace.abort();
  if (!killed && !hasExited()) {
    child.kill('SIGKILL');
    await exited;
  }
}
