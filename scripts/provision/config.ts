/**
 * Flags and environment, read and validated in one place. Every problem is collected and reported
 * together (ConfigError, exit 2); the result is frozen.
 *
 * Environment:
 *   KIBANA_URL, ELASTICSEARCH_URL          base URLs (https in production; a Kibana base path is kept)
 *   ELASTIC_API_KEY                         encoded API key (the `encoded` value of the create API key response)
 *   ELASTIC_USERNAME / ELASTIC_PASSWORD     alternative to the API key (not accepted by Serverless)
 *   KIBANA_SPACE                            Kibana space id (default: the default space)
 *   ELASTIC_CA_FILE                         PEM file of CA certificates to trust in addition to the
 *                                           system ones (like NODE_EXTRA_CA_CERTS, which is honoured too)
 *   PROVISION_REQUEST_TIMEOUT, PROVISION_TIMEOUT   total deadline per request and per run (deadline.ts)
 */
import { readFileSync } from 'node:fs';
import { readDeadlines, type Deadlines } from './deadline.js';
import { ConfigError } from './errors.js';
import { KIND_ORDER, secretEnvNames, type Flavour, type Resource, type ResourceKind } from '../../model/resources.js';

export type Mode = 'apply' | 'dry-run' | 'print' | 'print-role';
/**
 * What the licence allows: `platinum` (platinum, enterprise, trial and Serverless), `gold`, or
 * `basic` (also an expired licence).
 */
export type LicenceTier = 'platinum' | 'gold' | 'basic';

/** Flags as the CLI (or a test) passes them; validated by `loadConfig`. */
export interface ProvisionOptions {
  readonly dryRun?: boolean;
  readonly print?: boolean;
  /** No network: print the API key role descriptor the definitions need (`POST /_security/api_key` body). */
  readonly printRole?: boolean;
  readonly prune?: boolean;
  /** Remove what this project provisioned (with dryRun: only show it). */
  readonly uninstall?: boolean;
  readonly only?: readonly string[];
  readonly fromEck?: boolean;
  readonly eckNamespace?: string;
  readonly concurrency?: number;
  /** --print: folder to write one JSON file per request to (default: JSON lines on stdout). */
  readonly out?: string;
  /** --print: which flavour to render for (no network to detect it). */
  readonly flavour?: string;
  /** --print: which licence tier to render for. */
  readonly licence?: string;
  /** Total deadline per request and per run: `30s`, `2m`, `500ms`, or seconds (see deadline.ts). */
  readonly requestTimeout?: string | number;
  readonly timeout?: string | number;
}

export type Auth =
  | { readonly kind: 'apiKey'; readonly apiKey: string }
  | { readonly kind: 'basic'; readonly username: string; readonly password: string };

export interface Target {
  readonly kibanaUrl: string;
  readonly elasticsearchUrl: string;
  readonly space: string | undefined;
  readonly auth: Auth;
  /** Extra CA certificates (PEM), added to the system trust store. */
  readonly caPem: string | undefined;
  /** TLS server names to verify when connecting through a port-forward (set by --from-eck). */
  readonly kibanaServername?: string;
  readonly elasticsearchServername?: string;
}

export interface Config {
  readonly mode: Mode;
  readonly prune: boolean;
  /** Remove instead of apply: owned objects deleted, this project's keys taken out of shared templates. */
  readonly uninstall: boolean;
  readonly only: ReadonlySet<ResourceKind> | undefined;
  readonly concurrency: number;
  readonly out: string | undefined;
  readonly printFlavour: Flavour;
  /** `both`: print the platinum set and the Basic fallback together, each request labelled with its tier. */
  readonly printLicence: LicenceTier | 'both';
  readonly fromEck: { readonly namespace: string } | undefined;
  /** Absent in --print mode and before --from-eck has derived it. */
  readonly target: Target | undefined;
  readonly deadlines: Deadlines;
  /** --print-role: the Kibana space the role grants (KIBANA_SPACE; undefined: the default space). */
  readonly roleSpace: string | undefined;
}

export const DEFAULT_CONCURRENCY = 4;
export const MAX_CONCURRENCY = 16;
export const DEFAULT_ECK_NAMESPACE = 'elastic-stack';

function isKind(value: string): value is ResourceKind {
  return (KIND_ORDER as readonly string[]).includes(value);
}

function checkUrl(name: string, raw: string | undefined, problems: string[]): string | undefined {
  const example = `https://localhost:${name === 'KIBANA_URL' ? '5601' : '9200'}`;
  if (raw === undefined || raw.trim() === '') {
    problems.push(`${name} is not set (the base URL, e.g. ${example})`);
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    problems.push(`${name} is not a valid URL (expected e.g. ${example})`);
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    // `localhost:5601` parses with the scheme `localhost:`: say what a URL here looks like.
    problems.push(`${name} must start with https:// or http:// (e.g. ${example})`);
    return undefined;
  }
  if (url.username !== '' || url.password !== '') {
    problems.push(`${name} must not contain credentials: use ELASTIC_API_KEY or ELASTIC_USERNAME/ELASTIC_PASSWORD`);
    return undefined;
  }
  if (url.search !== '' || url.hash !== '') {
    problems.push(`${name} must not contain a query or fragment`);
    return undefined;
  }
  return url.toString().replace(/\/+$/, '');
}

/** Reads and checks the target (URLs, auth, space, CA) from an environment. */
export function targetFromEnv(env: NodeJS.ProcessEnv, problems: string[]): Target | undefined {
  const kibanaUrl = checkUrl('KIBANA_URL', env.KIBANA_URL, problems);
  const elasticsearchUrl = checkUrl('ELASTICSEARCH_URL', env.ELASTICSEARCH_URL, problems);

  const apiKey = env.ELASTIC_API_KEY?.trim() || undefined;
  const username = env.ELASTIC_USERNAME?.trim() || undefined;
  const password = env.ELASTIC_PASSWORD || undefined;
  let auth: Auth | undefined;
  if (apiKey !== undefined && (username !== undefined || password !== undefined)) {
    problems.push('set either ELASTIC_API_KEY or ELASTIC_USERNAME/ELASTIC_PASSWORD, not both');
  } else if (apiKey !== undefined) {
    if (/\s/.test(apiKey) || apiKey.toLowerCase().startsWith('apikey')) {
      problems.push('ELASTIC_API_KEY must be the encoded key alone (no "ApiKey " prefix, no spaces)');
    } else {
      auth = { kind: 'apiKey', apiKey };
    }
  } else if (username !== undefined && password !== undefined) {
    auth = { kind: 'basic', username, password };
  } else if (username !== undefined) {
    problems.push('ELASTIC_USERNAME is set but ELASTIC_PASSWORD is not');
  } else if (password !== undefined) {
    problems.push('ELASTIC_PASSWORD is set but ELASTIC_USERNAME is not');
  } else {
    problems.push('no credentials: set ELASTIC_API_KEY (recommended; the only option on Serverless) or ELASTIC_USERNAME and ELASTIC_PASSWORD');
  }

  const rawSpace = env.KIBANA_SPACE?.trim() || undefined;
  let space: string | undefined;
  if (rawSpace !== undefined) {
    if (!/^[a-z0-9_-]+$/.test(rawSpace)) {
      problems.push(`KIBANA_SPACE "${rawSpace}" is not a space id (lowercase letters, digits, "_" and "-")`);
    } else if (rawSpace !== 'default') {
      space = rawSpace;
    }
  }

  const caPem = readCa('ELASTIC_CA_FILE', env.ELASTIC_CA_FILE, problems);
  if (kibanaUrl === undefined || elasticsearchUrl === undefined || auth === undefined) return undefined;
  return { kibanaUrl, elasticsearchUrl, space, auth, caPem };
}

function readCa(name: string, file: string | undefined, problems: string[]): string | undefined {
  if (file === undefined || file.trim() === '') return undefined;
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (err) {
    problems.push(`${name} ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    return undefined;
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    problems.push(`${name} ${file} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
    return undefined;
  }
  return pem;
}

export function loadConfig(options: ProvisionOptions, env: NodeJS.ProcessEnv): Config {
  const problems: string[] = [];
  const printRole = options.printRole === true;
  const print = options.print === true || printRole;
  const printFlag = printRole ? '--print-role' : '--print';
  const dryRun = options.dryRun === true;
  const prune = options.prune === true;
  const fromEck = options.fromEck === true;
  const uninstall = options.uninstall === true;

  if (printRole && options.print === true) problems.push('--print and --print-role cannot be combined');
  if (print && dryRun) problems.push(`${printFlag} and --dry-run cannot be combined: ${printFlag} never contacts the cluster`);
  if (print && uninstall) problems.push(`--uninstall needs the live state: it cannot be combined with ${printFlag}`);
  if (uninstall && prune) problems.push('--uninstall already removes every owned object: drop --prune');
  if (print && prune) problems.push(`--prune needs the live state: it cannot be combined with ${printFlag}`);
  if (print && fromEck) problems.push(`--from-eck cannot be combined with ${printFlag} (${printFlag} never contacts the cluster)`);
  if ((!print || printRole) && options.out !== undefined) problems.push('--out only applies to --print');
  if (!print && options.flavour !== undefined) problems.push('--flavour only applies to --print and --print-role (otherwise it is detected)');
  if (!print && options.licence !== undefined) problems.push('--licence only applies to --print and --print-role (otherwise it is detected)');

  let printFlavour: Flavour = 'stateful';
  if (options.flavour !== undefined) {
    if (options.flavour === 'stateful' || options.flavour === 'serverless') printFlavour = options.flavour;
    else problems.push(`--flavour must be stateful or serverless, not "${options.flavour}"`);
  }
  let printLicence: LicenceTier | 'both' = 'both';
  if (options.licence !== undefined) {
    if (options.licence === 'platinum' || options.licence === 'gold' || options.licence === 'basic') printLicence = options.licence;
    else problems.push(`--licence must be platinum, gold or basic, not "${options.licence}"`);
  }

  let only: Set<ResourceKind> | undefined;
  if (options.only !== undefined && options.only.length > 0) {
    only = new Set();
    for (const value of options.only.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean)) {
      if (isKind(value)) only.add(value);
      else problems.push(`--only "${value}" is not a resource kind (one of: ${KIND_ORDER.join(', ')})`);
    }
  }

  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_CONCURRENCY) {
    problems.push(`--concurrency must be an integer from 1 to ${MAX_CONCURRENCY}`);
  }

  const namespace = options.eckNamespace ?? DEFAULT_ECK_NAMESPACE;
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(namespace)) problems.push(`--eck-namespace "${namespace}" is not a Kubernetes namespace name`);

  const deadlines = readDeadlines(options, env, problems);

  let target: Target | undefined;
  if (!print && !fromEck) target = targetFromEnv(env, problems);
  if (fromEck) {
    // The cluster supplies URLs and credentials; a space and extra CA from the environment still apply.
    const space = env.KIBANA_SPACE?.trim();
    if (space !== undefined && space !== '' && !/^[a-z0-9_-]+$/.test(space)) problems.push(`KIBANA_SPACE "${space}" is not a space id`);
    readCa('ELASTIC_CA_FILE', env.ELASTIC_CA_FILE, problems);
  }

  let roleSpace: string | undefined;
  if (printRole) {
    const space = env.KIBANA_SPACE?.trim();
    if (space !== undefined && space !== '' && !/^[a-z0-9_-]+$/.test(space)) problems.push(`KIBANA_SPACE "${space}" is not a space id`);
    else if (space !== undefined && space !== '' && space !== 'default') roleSpace = space;
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze({
    mode: printRole ? 'print-role' : print ? 'print' : dryRun ? 'dry-run' : 'apply',
    prune,
    uninstall,
    only,
    concurrency,
    out: options.out,
    printFlavour,
    printLicence,
    fromEck: fromEck ? { namespace } : undefined,
    target,
    deadlines,
    roleSpace,
  });
}

/** Problems with the secrets the applicable definitions read from the environment (one per variable). */
export function secretProblems(applicable: readonly Resource[], env: NodeJS.ProcessEnv): string[] {
  const names = [...new Set(applicable.flatMap((r) => secretEnvNames(r)))];
  return names.filter((name) => !env[name]).map((name) => `${name} is not set (a secret one of the definitions reads)`);
}
