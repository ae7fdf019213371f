/**
 * The Elasticsearch and Kibana clients for one target, built the same way wherever they are needed
 * (provisioning, verification, drills): one trust store, one retry policy, one auth header.
 */
import type { Client } from '@elastic/elasticsearch';
import type { Target } from './config.js';
import { DEFAULT_REQUEST_TIMEOUT_MS } from './deadline.js';
import { createEsClient, esCaller, type EsCaller } from './es-client.js';
import { KibanaClient } from './kibana-client.js';
import type { RetryPolicy, Sleep } from './retry.js';
import { trustedCas } from './tls.js';

export interface Clients {
  /** The raw client, to close. */
  readonly esClient: Client;
  readonly es: EsCaller;
  readonly kibana: KibanaClient;
}

export interface ClientOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly retry: RetryPolicy;
  readonly sleep: Sleep;
  readonly onRetry: (message: string) => void;
  /** Total deadline of each request, Elasticsearch and Kibana (default: the clients'). */
  readonly requestTimeoutMs?: number;
  /** Aborts every request (Ctrl-C, the run's deadline). */
  readonly signal?: AbortSignal;
  /** Told once per request still waiting after a while. */
  readonly onSlow?: (message: string) => void;
}

export function basicToken(username: string, password: string): string {
  return Buffer.from(`${username}:${password}`).toString('base64');
}

export function authorization(target: Target): string {
  return target.auth.kind === 'apiKey' ? `ApiKey ${target.auth.apiKey}` : `Basic ${basicToken(target.auth.username, target.auth.password)}`;
}

export function createClients(target: Target, options: ClientOptions): Clients {
  const ca = trustedCas(target.caPem, options.env);
  const esClient = createEsClient(target, ca, {
    requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onSlow ? { onSlow: options.onSlow } : {}),
  });
  return {
    esClient,
    es: esCaller(esClient, options.retry, options.sleep, options.onRetry, options.signal),
    kibana: new KibanaClient({
      baseUrl: target.kibanaUrl,
      space: target.space,
      authorization: authorization(target),
      ca,
      servername: target.kibanaServername,
      retry: options.retry,
      sleep: options.sleep,
      onRetry: options.onRetry,
      ...(options.onSlow ? { onSlow: options.onSlow } : {}),
      ...(options.requestTimeoutMs !== undefined ? { timeoutMs: options.requestTimeoutMs } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    }),
  };
}
