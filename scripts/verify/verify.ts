/**
 * `verify(options, deps)`: checks a deployed stack end to end and reports one line per check.
 * Signals, shape and correlation look at the data streams; Kibana and Fleet checks read the
 * provisioned objects and their health. Checks whose condition may still change (no document yet, a
 * rule that has not run) are looked at again until `--timeout`, with progress on stderr. Exit 0 only
 * when every required check passed; a check never passes without having seen data.
 */
import { SERVICE } from '../../service/src/telemetry/registry.js';
import { ConfigError, EXIT, describeError, type ExitCode } from '../provision/errors.js';
import { DEFAULT_ECK_NAMESPACE } from '../provision/config.js';
import type { EckDeps } from '../provision/eck.js';
import type { Sink } from '../provision/redact.js';
import { realSleep, type RetryPolicy, type Sleep } from '../provision/retry.js';
import { selectResources } from '../provision/select.js';
import { resolveOptions, type TrafficOptions } from '../traffic/options.js';
import { runTraffic, type TrafficResult } from '../traffic/run.js';
import type { Resource } from '../../model/resources.js';
import { configure, connectFor } from './connect.js';
import type { CheckContext, CheckSettings } from './context.js';
import { checkApmService, checkTraceLink } from './correlation.js';
import { checkAgents, checkPackages } from './fleet.js';
import { checkConnector, checkObjects, checkRules, checkSlos } from './kibana.js';
import { buildReport, fail, formatReport, type CheckResult, type Group, type Report } from './report.js';
import { checkFieldCaps, checkLogShape, checkMetricFields, accessLines } from './shape.js';
import { SIGNALS, checkSignal } from './signals.js';

export interface VerifyOptions {
  readonly fromEck?: boolean;
  readonly eckNamespace?: string;
  /** Overall bound, seconds (default 300). */
  readonly timeout?: number;
  /** Seconds between looks while waiting for data (default 10). */
  readonly poll?: number;
  readonly json?: boolean;
  /** Where to send a little traffic when there is none (or --port-forward). */
  readonly baseUrl?: string;
  readonly portForward?: boolean;
  /** Namespace of the service (its pods' Kubernetes metrics, the port-forward). */
  readonly namespace?: string;
  readonly environment?: string;
  /** When the deploy started (ISO 8601 or seconds since the epoch): time to first signal is measured from it. */
  readonly since?: string;
  /** A signal whose latest document is older than this many seconds has stopped (default 600). */
  readonly maxAge?: number;
  /** Seconds of traffic to send when there is none (default 30). */
  readonly trafficSeconds?: number;
}

export interface VerifyDeps {
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: Sink;
  readonly stderr: Sink;
  readonly sleep?: Sleep;
  readonly retry?: RetryPolicy;
  readonly eck?: EckDeps;
  readonly now?: () => Date;
  readonly resources?: () => readonly Resource[];
  readonly runTraffic?: (options: TrafficOptions, io: { stdout: Sink; stderr: Sink }) => Promise<TrafficResult>;
}

export interface VerifyResult {
  readonly exitCode: ExitCode;
  readonly report?: Report;
}

export const VERIFY_DEFAULTS = { timeout: 300, poll: 10, maxAge: 600, trafficSeconds: 30, trafficRps: 5 } as const;
const REQUEST_TIMEOUT_MS = 30_000;
const RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 250, maxDelayMs: 2_000 };

interface Settings {
  readonly timeoutMs: number;
  readonly pollMs: number;
  readonly check: Omit<CheckSettings, 'trafficSeen'>;
  readonly traffic: TrafficOptions | undefined;
  readonly fromEck: string | undefined;
}

function positive(name: string, value: number | undefined, fallback: number, max: number, problems: string[]): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0 || value > max) problems.push(`${name} must be a number greater than 0 and at most ${max}, got ${value}`);
  return value;
}

function parseSince(raw: string | undefined, problems: string[]): Date | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const d = /^\d+$/.test(raw.trim()) ? new Date(Number(raw) * 1000) : new Date(raw);
  if (Number.isNaN(d.getTime())) {
    problems.push(`--since must be an ISO 8601 time or seconds since the epoch, got ${JSON.stringify(raw)}`);
    return undefined;
  }
  return d;
}

export function loadSettings(options: VerifyOptions): Settings {
  const problems: string[] = [];
  const timeout = positive('--timeout', options.timeout, VERIFY_DEFAULTS.timeout, 3600, problems);
  const poll = positive('--poll', options.poll, VERIFY_DEFAULTS.poll, 600, problems);
  const maxAge = positive('--max-age', options.maxAge, VERIFY_DEFAULTS.maxAge, 86_400, problems);
  const trafficSeconds = positive('--traffic-seconds', options.trafficSeconds, VERIFY_DEFAULTS.trafficSeconds, 600, problems);
  const since = parseSince(options.since, problems);
  const namespace = options.namespace ?? SERVICE.namespace;
  const eckNamespace = options.eckNamespace ?? DEFAULT_ECK_NAMESPACE;
  let traffic: TrafficOptions | undefined;
  if (options.baseUrl !== undefined || options.portForward === true) {
    try {
      traffic = resolveOptions({
        scenario: 'steady',
        duration: trafficSeconds,
        rps: VERIFY_DEFAULTS.trafficRps,
        namespace,
        progress: false,
        ...(options.baseUrl !== undefined ? { baseUrl: options.baseUrl } : {}),
        ...(options.portForward === true ? { portForward: true } : {}),
      });
    } catch (e) {
      problems.push(describeError(e).replace(/^Invalid options:\n\s*- /, ''));
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    timeoutMs: timeout * 1000,
    pollMs: poll * 1000,
    traffic,
    fromEck: options.fromEck === true ? eckNamespace : undefined,
    check: { serviceName: SERVICE.name, environment: options.environment ?? SERVICE.defaultEnvironment, namespace, since, maxAgeSeconds: maxAge },
  };
}

interface Check {
  readonly name: string;
  readonly group: Group;
  run(ctx: CheckContext): Promise<CheckResult[]>;
}

const one = (f: (ctx: CheckContext) => Promise<CheckResult>) => async (ctx: CheckContext) => [await f(ctx)];

export const CHECKS: readonly Check[] = [
  ...SIGNALS.map((s): Check => ({ name: `signal:${s.id}`, group: 'signals', run: one((ctx) => checkSignal(ctx, s)) })),
  { name: 'shape:logs', group: 'shape', run: checkLogShape },
  { name: 'shape:prometheus-fields', group: 'shape', run: one(checkMetricFields) },
  { name: 'shape:field-caps', group: 'shape', run: (ctx) => checkFieldCaps(ctx) },
  { name: 'correlation:trace-id', group: 'correlation', run: one(checkTraceLink) },
  { name: 'correlation:apm-service', group: 'correlation', run: one(checkApmService) },
  { name: 'kibana:objects', group: 'kibana', run: checkObjects },
  { name: 'kibana:rules', group: 'kibana', run: checkRules },
  { name: 'kibana:slos', group: 'kibana', run: checkSlos },
  { name: 'kibana:connector', group: 'kibana', run: checkConnector },
  { name: 'fleet:agents', group: 'fleet', run: checkAgents },
  { name: 'fleet:integrations', group: 'fleet', run: checkPackages },
];

async function runCheck(check: Check, ctx: CheckContext): Promise<CheckResult[]> {
  try {
    return await check.run(ctx);
  } catch (e) {
    return [fail(check.group, check.name, `could not check: ${describeError(e)}`, 'the request failed: see the message (credentials, privileges, or the target is unreachable)', 'troubleshooting')];
  }
}

const isPending = (results: readonly CheckResult[]): boolean => results.some((r) => r.status === 'fail' && r.pending === true);

export async function verify(options: VerifyOptions, deps: VerifyDeps): Promise<VerifyResult> {
  const configured = configure('verify', deps, () => loadSettings(options));
  if (configured === undefined) return { exitCode: EXIT.usage };
  const { settings, resources } = configured;
  const now = deps.now ?? (() => new Date());
  const sleep = deps.sleep ?? realSleep;
  const started = now().getTime();
  const left = (): number => settings.timeoutMs - (now().getTime() - started);

  const stack = await connectFor(
    'verify',
    { fromEck: settings.fromEck, requestTimeoutMs: REQUEST_TIMEOUT_MS },
    { env: deps.env, stderr: deps.stderr, sleep, retry: deps.retry ?? RETRY, ...(deps.eck ? { eck: deps.eck } : {}), log: (m) => deps.stderr.write(`${m}\n`) },
  );
  if (stack === 'usage' || stack === 'failed') return { exitCode: EXIT[stack] };
  const out = stack.redacting(deps.stdout);
  const err = stack.redacting(deps.stderr);
  try {
    const { applicable, skipped } = selectResources(resources, { flavour: stack.flavour, licence: stack.licence, env: deps.env, only: undefined });
    const ctx: CheckContext = { stack, applicable, skipped, settings: { ...settings.check, trafficSeen: false }, now };
    err.write(`Verifying ${settings.check.serviceName} (${settings.check.environment}) on Elasticsearch ${stack.version} (${stack.flavour}, licence ${stack.licenceType}), within ${Math.round(settings.timeoutMs / 1000)} s\n`);

    ctx.settings.trafficSeen = await hadRecentTraffic(ctx);
    if (!ctx.settings.trafficSeen) {
      if (settings.traffic === undefined) {
        err.write('No recent request to the service, and no --base-url or --port-forward to send some: checks that need traffic may fail.\n');
      } else {
        // Within --timeout: the traffic takes at most what is left of it.
        const traffic = { ...settings.traffic, durationSeconds: Math.max(1, Math.min(settings.traffic.durationSeconds, Math.floor(left() / 1000))) };
        err.write(`No recent request to the service: sending ${traffic.durationSeconds} s of steady traffic.\n`);
        const run = deps.runTraffic ?? ((o, io) => runTraffic(o, io));
        try {
          const result = await run(traffic, { stdout: { write: () => undefined }, stderr: err });
          ctx.settings.trafficSeen = result.summary.reachable;
          if (!result.summary.reachable) err.write('The service did not answer: its signals cannot appear.\n');
        } catch (e) {
          // A failed port-forward is reported; the checks still say what is there.
          err.write(`Could not send traffic: ${describeError(e)}\n`);
        }
      }
    }

    const results: CheckResult[][] = [];
    for (const check of CHECKS) results.push(await runCheck(check, ctx));
    while (results.some(isPending) && left() > 0) {
      const waiting = results.flat().filter((r) => r.status === 'fail' && r.pending).map((r) => r.id);
      err.write(`  waiting for ${waiting.length} checks (${waiting.slice(0, 6).join(', ')}${waiting.length > 6 ? ', ...' : ''}), ${Math.round(left() / 1000)} s left\n`);
      await sleep(Math.min(settings.pollMs, Math.max(0, left())));
      for (const [i, check] of CHECKS.entries()) if (isPending(results[i] ?? [])) results[i] = await runCheck(check, ctx);
    }

    const report = buildReport(
      {
        elasticsearch: `${stack.version} (${stack.flavour})`,
        licence: stack.licenceType,
        space: stack.space ?? 'default',
        service: `${settings.check.serviceName} (${settings.check.environment})`,
      },
      results.flat(),
    );
    out.write(options.json === true ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
    return { exitCode: report.passed ? EXIT.ok : EXIT.failed, report };
  } finally {
    await stack.close();
  }
}

/** Whether the service answered requests recently (an access line within --max-age). */
async function hadRecentTraffic(ctx: CheckContext): Promise<boolean> {
  try {
    const [latest] = await accessLines(ctx, 1);
    const at = latest === undefined ? undefined : Date.parse(String(latest.source['@timestamp']));
    return at !== undefined && !Number.isNaN(at) && ctx.now().getTime() - at <= ctx.settings.maxAgeSeconds * 1000;
  } catch {
    return false;
  }
}
