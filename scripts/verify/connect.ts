/**
 * The connection `make verify` and `make drill` share with the provisioning: the same target
 * (KIBANA_URL, ELASTICSEARCH_URL, ELASTIC_API_KEY or ELASTIC_USERNAME/ELASTIC_PASSWORD,
 * KIBANA_SPACE, ELASTIC_CA_FILE, or `--from-eck`), the same HTTP clients (retries, deadlines,
 * errors that name a missing privilege) and the same detection of flavour and licence.
 */
import { ConfigError } from '../provision/errors.js';
import { targetFromEnv, type LicenceTier, type Target } from '../provision/config.js';
import { openEck, type EckConnection, type EckDeps } from '../provision/eck.js';
import { basicToken, createClients } from '../provision/clients.js';
import { detect, type Detected } from '../provision/engine.js';
import { describeError } from '../provision/errors.js';
import type { EsCaller } from '../provision/es-client.js';
import type { KibanaClient } from '../provision/kibana-client.js';
import { Redactor, redactingSink, type Sink } from '../provision/redact.js';
import { DEFAULT_RETRY, realSleep, type RetryPolicy, type Sleep } from '../provision/retry.js';
import { loadDefinitions } from '../provision/engine.js';
import type { Flavour, Resource } from '../../model/resources.js';

export interface ConnectOptions {
  /** Namespace of the ECK stack when the target comes from the cluster (`--from-eck`). */
  readonly fromEck: string | undefined;
  /** Deadline of each HTTP request, in milliseconds. */
  readonly requestTimeoutMs: number;
}

export interface ConnectDeps {
  readonly env: NodeJS.ProcessEnv;
  readonly sleep?: Sleep;
  readonly retry?: RetryPolicy;
  readonly eck?: EckDeps;
  readonly log: (message: string) => void;
}

export interface Stack {
  readonly es: EsCaller;
  readonly kibana: KibanaClient;
  readonly flavour: Flavour;
  readonly licence: LicenceTier;
  readonly licenceType: string;
  readonly version: string;
  readonly space: string | undefined;
  /** Wraps an output sink so that no credential read here is ever written. */
  redacting(sink: Sink): Sink;
  close(): Promise<void>;
}

/** Reads the target, opens the clients and detects the stack. Throws ConfigError on bad settings. */
export async function connect(options: ConnectOptions, deps: ConnectDeps): Promise<Stack> {
  const redactor = new Redactor();
  redactor.add(deps.env.ELASTIC_API_KEY?.trim());
  redactor.add(deps.env.ELASTIC_PASSWORD);
  if (deps.env.ELASTIC_USERNAME && deps.env.ELASTIC_PASSWORD) redactor.add(basicToken(deps.env.ELASTIC_USERNAME.trim(), deps.env.ELASTIC_PASSWORD));

  let eck: EckConnection | undefined;
  let target: Target | undefined;
  const problems: string[] = [];
  if (options.fromEck !== undefined) {
    eck = await openEck(options.fromEck, deps.eck, deps.log);
    redactor.add(eck.env.ELASTIC_PASSWORD);
    const derived = targetFromEnv({ ...deps.env, ...eck.env, ELASTIC_API_KEY: undefined }, problems);
    if (derived !== undefined) {
      target = {
        ...derived,
        caPem: [derived.caPem, eck.env.ECK_CA_PEM].filter(Boolean).join('\n'),
        kibanaServername: eck.kibanaServername,
        elasticsearchServername: eck.elasticsearchServername,
      };
    }
  } else {
    target = targetFromEnv(deps.env, problems);
  }
  if (target === undefined) {
    await eck?.close();
    throw new ConfigError(problems);
  }

  const onRetry = (m: string): void => deps.log(redactor.redact(`  ${m}`));
  const { esClient, es, kibana } = createClients(target, {
    env: deps.env,
    retry: deps.retry ?? DEFAULT_RETRY,
    sleep: deps.sleep ?? realSleep,
    onRetry,
    requestTimeoutMs: options.requestTimeoutMs,
  });
  const close = async (): Promise<void> => {
    await esClient.close();
    await eck?.close();
  };
  let detected: Detected;
  try {
    detected = await detect(es);
  } catch (e) {
    await close();
    throw e;
  }
  return {
    es,
    kibana,
    flavour: detected.flavour,
    licence: detected.licence,
    licenceType: detected.licenceType,
    version: detected.version,
    space: target.space,
    redacting: (sink) => redactingSink(sink, redactor),
    close,
  };
}

/**
 * `connect` for a command: configuration problems and connection failures are written to `stderr`
 * as `<command>: <message>` and come back as `usage` or `failed` instead of a stack.
 */
export async function connectFor(command: string, options: ConnectOptions, deps: ConnectDeps & { stderr: Sink }): Promise<Stack | 'usage' | 'failed'> {
  try {
    return await connect(options, deps);
  } catch (e) {
    deps.stderr.write(`${command}: ${describeError(e)}\n`);
    return e instanceof ConfigError ? 'usage' : 'failed';
  }
}

/**
 * A command's settings (`load`, which throws ConfigError) and the definitions, read before any
 * network call; problems are written to `stderr` as `<command>: <message>` and come back as undefined.
 */
export function configure<S>(
  command: string,
  deps: { env: NodeJS.ProcessEnv; resources?: () => readonly Resource[]; stderr: Sink },
  load: () => S,
): { settings: S; resources: readonly Resource[] } | undefined {
  try {
    return { settings: load(), resources: loadDefinitions(deps) };
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    deps.stderr.write(`${command}: ${e.message}\n`);
    return undefined;
  }
}
