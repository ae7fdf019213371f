/**
 * The generator's configuration, validated in one place. The CLI hands its parsed arguments to
 * resolveOptions(), which reports every invalid value at once and returns frozen options.
 */
import { TrafficError } from './errors.js';
import { MAX_SEED } from './random.js';
import { SCENARIO_NAMES, isScenarioName, type ScenarioName } from './scenarios.js';

export interface TrafficOptions {
  readonly durationSeconds: number;
  /** Target base URL without a trailing slash and without credentials; ignored with portForward. */
  readonly baseUrl: string;
  /** `Basic …` from credentials given in --base-url (sent as a header, never printed). */
  readonly authorization: string | undefined;
  readonly portForward: boolean;
  readonly namespace: string;
  readonly portForwardTimeoutSeconds: number;
  readonly rps: number;
  readonly concurrency: number;
  readonly scenario: ScenarioName;
  /** Undefined: the run draws a seed and reports it. */
  readonly seed: number | undefined;
  readonly json: boolean;
  readonly maxRequests: number;
  readonly timeoutSeconds: number;
  readonly correlationShare: number;
  readonly progress: boolean;
}

export const DEFAULTS = {
  durationSeconds: 60,
  baseUrl: 'http://localhost:8080',
  namespace: 'sample-service',
  portForwardTimeoutSeconds: 30,
  rps: 10,
  concurrency: 50,
  scenario: 'steady',
  maxRequests: 100_000,
  timeoutSeconds: 10,
  correlationShare: 0.5,
} as const satisfies Partial<Record<keyof TrafficOptions, unknown>>;

export const LIMITS = {
  maxDurationSeconds: 86_400,
  maxRps: 10_000,
  maxConcurrency: 10_000,
  maxRequests: 10_000_000,
} as const;

/** Arguments as the CLI parsed them (yargs camel-case keys); anything may be missing or malformed. */
export interface RawOptions {
  readonly duration?: unknown;
  readonly baseUrl?: unknown;
  readonly portForward?: unknown;
  readonly namespace?: unknown;
  readonly portForwardTimeout?: unknown;
  readonly rps?: unknown;
  readonly concurrency?: unknown;
  readonly scenario?: unknown;
  readonly seed?: unknown;
  readonly json?: unknown;
  readonly maxRequests?: unknown;
  readonly timeout?: unknown;
  readonly correlationShare?: unknown;
  readonly progress?: unknown;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '') return Number(value);
  return Number.NaN;
}

/** The URL with any password replaced by `***`, for messages. */
export function redactCredentials(value: string): string {
  const url = parseUrl(value);
  if (url === null) return value.replace(/\/\/([^/@\s]*)@/, '//***@');
  if (url.password !== '') url.password = '***';
  return url.href;
}

function parseUrl(value: string): URL | null {
  try {
    return new URL(value);
  } catch {
    return null;
  }
}

export function resolveOptions(raw: RawOptions): TrafficOptions {
  const problems: string[] = [];
  const number = (
    name: string,
    value: unknown,
    fallback: number,
    check: { min: number; max: number; integer?: boolean; minExclusive?: boolean },
  ): number => {
    if (value === undefined) return fallback;
    const n = toNumber(value);
    const low = check.minExclusive ? n <= check.min : n < check.min;
    if (!Number.isFinite(n) || low || n > check.max || (check.integer && !Number.isInteger(n))) {
      const kind = check.integer ? 'an integer' : 'a number';
      const range = `${check.minExclusive ? `greater than ${check.min}` : `at least ${check.min}`} and at most ${check.max}`;
      problems.push(`${name} must be ${kind} ${range}, got ${JSON.stringify(value)}`);
      return fallback;
    }
    return n;
  };
  const bool = (name: string, value: unknown, fallback: boolean): boolean => {
    if (value === undefined) return fallback;
    if (typeof value === 'boolean') return value;
    problems.push(`${name} must be true or false, got ${JSON.stringify(value)}`);
    return fallback;
  };

  const durationSeconds = number('duration', raw.duration, DEFAULTS.durationSeconds, {
    min: 0,
    max: LIMITS.maxDurationSeconds,
    minExclusive: true,
  });
  const rps = number('--rps', raw.rps, DEFAULTS.rps, { min: 0, max: LIMITS.maxRps, minExclusive: true });
  const concurrency = number('--concurrency', raw.concurrency, DEFAULTS.concurrency, {
    min: 1,
    max: LIMITS.maxConcurrency,
    integer: true,
  });
  const maxRequests = number('--max-requests', raw.maxRequests, DEFAULTS.maxRequests, {
    min: 1,
    max: LIMITS.maxRequests,
    integer: true,
  });
  const timeoutSeconds = number('--timeout', raw.timeout, DEFAULTS.timeoutSeconds, {
    min: 0,
    max: 600,
    minExclusive: true,
  });
  const portForwardTimeoutSeconds = number(
    '--port-forward-timeout',
    raw.portForwardTimeout,
    DEFAULTS.portForwardTimeoutSeconds,
    { min: 0, max: 600, minExclusive: true },
  );
  const correlationShare = number('--correlation-share', raw.correlationShare, DEFAULTS.correlationShare, {
    min: 0,
    max: 1,
  });
  const seed = raw.seed === undefined ? undefined : number('--seed', raw.seed, 0, { min: 0, max: MAX_SEED, integer: true });
  const portForward = bool('--port-forward', raw.portForward, false);
  const json = bool('--json', raw.json, false);
  const progress = bool('--progress', raw.progress, true);

  let scenario: ScenarioName = DEFAULTS.scenario;
  if (raw.scenario !== undefined) {
    if (typeof raw.scenario === 'string' && isScenarioName(raw.scenario)) scenario = raw.scenario;
    else problems.push(`--scenario must be one of ${SCENARIO_NAMES.join(', ')}, got ${JSON.stringify(raw.scenario)}`);
  }

  let namespace: string = DEFAULTS.namespace;
  if (raw.namespace !== undefined) {
    if (typeof raw.namespace === 'string' && DNS_LABEL.test(raw.namespace)) namespace = raw.namespace;
    else problems.push(`--namespace must be a Kubernetes namespace name (DNS-1123 label), got ${JSON.stringify(raw.namespace)}`);
  }

  let baseUrl: string = DEFAULTS.baseUrl;
  let authorization: string | undefined;
  if (raw.baseUrl !== undefined) {
    if (portForward) {
      problems.push('--base-url and --port-forward exclude each other: --port-forward targets the forwarded local port');
    }
    const parsed = typeof raw.baseUrl === 'string' ? parseUrl(raw.baseUrl) : null;
    if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || parsed.search || parsed.hash) {
      const shown = typeof raw.baseUrl === 'string' ? redactCredentials(raw.baseUrl) : raw.baseUrl;
      problems.push(`--base-url must be an http:// or https:// URL without query or fragment, got ${JSON.stringify(shown)}`);
    } else {
      // Credentials in the URL become a Basic Authorization header (what curl does); the URL keeps none.
      if (parsed.username !== '' || parsed.password !== '') {
        const user = decodeURIComponent(parsed.username);
        const password = decodeURIComponent(parsed.password);
        authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
        parsed.username = '';
        parsed.password = '';
      }
      baseUrl = parsed.href.replace(/\/+$/, '');
    }
  }

  if (problems.length > 0) {
    throw new TrafficError('USAGE', `Invalid options:\n  - ${problems.join('\n  - ')}`);
  }
  return Object.freeze({
    durationSeconds,
    baseUrl,
    authorization,
    portForward,
    namespace,
    portForwardTimeoutSeconds,
    rps,
    concurrency,
    scenario,
    seed,
    json,
    maxRequests,
    timeoutSeconds,
    correlationShare,
    progress,
  });
}
