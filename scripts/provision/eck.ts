/**
 * `--from-eck`: derives the target from an ECK-managed stack. Reads the `elastic` user's password
 * and the HTTP CA certificates from the Secrets ECK creates, opens `kubectl port-forward` to the
 * Elasticsearch and Kibana services on free local ports, and always closes them again (also on
 * Ctrl-C). TLS is verified against the services' in-cluster names, which ECK's certificates carry.
 *
 * Needs a live cluster and kubectl with access to the namespace; tests cannot exercise it.
 */
import { spawn, execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { stopReason } from './deadline.js';
import { ConfigError } from './errors.js';

/** Names ECK derives from the resource names `elasticsearch` and `kibana` (see docs/provisioning.md). */
export const ECK_NAMES = {
  elasticsearchService: 'elasticsearch-es-http',
  elasticsearchPort: 9200,
  elasticUserSecret: 'elasticsearch-es-elastic-user',
  elasticUserKey: 'elastic',
  elasticsearchCaSecret: 'elasticsearch-es-http-certs-public',
  kibanaService: 'kibana-kb-http',
  kibanaPort: 5601,
  kibanaCaSecret: 'kibana-kb-http-certs-public',
  caKey: 'ca.crt',
} as const;

export interface PortForward {
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

export interface EckDeps {
  kubectl(args: readonly string[]): Promise<string>;
  portForward(args: readonly string[]): PortForward;
  freePort(): Promise<number>;
}

export interface EckConnection {
  /** KIBANA_URL, ELASTICSEARCH_URL, ELASTIC_USERNAME, ELASTIC_PASSWORD, ELASTIC_CA_FILE-equivalent handled via caPem. */
  readonly env: Record<string, string>;
  readonly kibanaServername: string;
  readonly elasticsearchServername: string;
  close(): Promise<void>;
}

const PORT_FORWARD_READY_MS = 20_000;
const KUBECTL_TIMEOUT_MS = 30_000;

/**
 * Checks that kubectl can reach a cluster before anything else, and says so in the words of
 * `make deploy` (scripts/deploy/lib.sh): without a current context kubectl falls back to
 * localhost:8080 and prints its discovery error several times, which names nothing useful.
 */
export async function checkKubeContext(deps: EckDeps): Promise<string> {
  let context = '';
  try {
    context = (await deps.kubectl(['config', 'current-context'])).trim();
  } catch (e) {
    if ((e as { code?: unknown }).code === 'ENOENT') {
      throw new ConfigError(['kubectl is not installed; install it from https://kubernetes.io/docs/tasks/tools/ and run again (or set KIBANA_URL, ELASTICSEARCH_URL and credentials instead of --from-eck)']);
    }
  }
  if (context === '') {
    throw new ConfigError([
      `--from-eck needs a Kubernetes cluster: kubectl has no current context (KUBECONFIG=${process.env.KUBECONFIG ?? '~/.kube/config'}). ` +
        "Point kubectl at the cluster that runs the ECK stack ('kubectl config use-context <name>'; 'make deploy' creates one), " +
        'or set KIBANA_URL, ELASTICSEARCH_URL and credentials instead of --from-eck',
    ]);
  }
  try {
    await deps.kubectl(['version', '--request-timeout=15s']);
  } catch {
    throw new ConfigError([
      `kube context '${context}' is selected but its cluster does not answer (kubectl version failed). ` +
        "Start that cluster, or switch context with 'kubectl config use-context <name>', then run again.",
    ]);
  }
  return context;
}

export const realEckDeps: EckDeps = {
  kubectl: (args) =>
    new Promise((resolve, reject) => {
      execFile('kubectl', [...args], { maxBuffer: 4 * 1024 * 1024, timeout: KUBECTL_TIMEOUT_MS }, (error, stdout, stderr) => {
        // kubectl repeats its connection errors (one line per discovery attempt): keep the last line.
        const last = stderr.trim().split('\n').at(-1) ?? '';
        if (error) reject(Object.assign(new Error(`kubectl ${args.slice(0, 3).join(' ')} failed: ${last || error.message}`), { code: error.code }));
        else resolve(stdout);
      });
    }),
  portForward(args) {
    const child = spawn('kubectl', [...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`kubectl ${args.join(' ')} did not become ready in ${PORT_FORWARD_READY_MS / 1000} s`)), PORT_FORWARD_READY_MS);
      child.stdout.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('Forwarding from')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', (e) => {
        clearTimeout(timer);
        reject(new Error(`cannot run kubectl: ${e.message}`));
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`kubectl port-forward exited (${code ?? 'signal'}): ${stderr.trim()}`));
      });
    });
    ready.catch(() => undefined);
    return {
      ready,
      close: () =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    };
  },
  freePort: () =>
    new Promise((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        const port = typeof address === 'object' && address !== null ? address.port : 0;
        server.close(() => resolve(port));
      });
    }),
};

async function secretValue(deps: EckDeps, namespace: string, secret: string, key: string): Promise<string> {
  const escaped = key.replace(/\./g, '\\.');
  const b64 = (await deps.kubectl(['get', 'secret', secret, '-n', namespace, '-o', `jsonpath={.data.${escaped}}`])).trim();
  if (b64 === '') throw new Error(`secret ${namespace}/${secret} has no key "${key}" (is the ECK stack deployed? run make deploy)`);
  return Buffer.from(b64, 'base64').toString('utf8');
}

/**
 * With `signal` (the engine's run signal: Ctrl-C, run deadline) the caller owns interruption and the
 * forwards close when it aborts; without it, SIGINT/SIGTERM close them and exit.
 */
export async function openEck(
  namespace: string,
  deps: EckDeps = realEckDeps,
  log: (m: string) => void = () => undefined,
  signal?: AbortSignal,
): Promise<EckConnection> {
  const forwards: PortForward[] = [];
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    signal?.removeEventListener('abort', onAbort);
    await Promise.all(forwards.map((f) => f.close()));
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    log(`${signal}: closing port-forwards`);
    void close().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  const onAbort = (): void => void close();
  if (signal === undefined) {
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  } else {
    signal.addEventListener('abort', onAbort, { once: true });
  }
  const step = async <T>(p: Promise<T>): Promise<T> => {
    const value = await p;
    if (signal?.aborted) throw stopReason(signal);
    return value;
  };
  try {
    await step(checkKubeContext(deps));
    const password = await step(secretValue(deps, namespace, ECK_NAMES.elasticUserSecret, ECK_NAMES.elasticUserKey));
    const esCa = await step(secretValue(deps, namespace, ECK_NAMES.elasticsearchCaSecret, ECK_NAMES.caKey));
    const kbCa = await step(secretValue(deps, namespace, ECK_NAMES.kibanaCaSecret, ECK_NAMES.caKey));
    const esPort = await deps.freePort();
    const kbPort = await deps.freePort();
    for (const [service, local, remote] of [
      [ECK_NAMES.elasticsearchService, esPort, ECK_NAMES.elasticsearchPort],
      [ECK_NAMES.kibanaService, kbPort, ECK_NAMES.kibanaPort],
    ] as const) {
      const f = deps.portForward(['port-forward', '-n', namespace, '--address', '127.0.0.1', `service/${service}`, `${local}:${remote}`]);
      forwards.push(f);
      await step(f.ready);
      log(`port-forward service/${service} -> 127.0.0.1:${local}`);
    }
    return {
      env: {
        ELASTICSEARCH_URL: `https://127.0.0.1:${esPort}`,
        KIBANA_URL: `https://127.0.0.1:${kbPort}`,
        ELASTIC_USERNAME: 'elastic',
        ELASTIC_PASSWORD: password,
        ECK_CA_PEM: `${esCa.trim()}\n${kbCa.trim()}\n`,
      },
      elasticsearchServername: `${ECK_NAMES.elasticsearchService}.${namespace}.svc`,
      kibanaServername: `${ECK_NAMES.kibanaService}.${namespace}.svc`,
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}
