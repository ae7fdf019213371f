/**
 * `drill(options, deps)`: a fire drill. Runs a traffic scenario against the deployed service,
 * watches Kibana's alerts while it runs and after, and reports for every rule the scenario expects
 * to fire whether and when it fired (next to the burn-rate prediction), for every rule it expects
 * to stay quiet whether it did; then, the traffic stopped, whether the alerts recovered.
 * Exit 0 only when every expectation held; 2 when the drill was refused (or bad usage); 3 when the
 * traffic never reached the service.
 */
import { ConfigError, describeError } from '../provision/errors.js';
import { DEFAULT_ECK_NAMESPACE } from '../provision/config.js';
import type { EckDeps } from '../provision/eck.js';
import type { Sink } from '../provision/redact.js';
import { realSleep, type RetryPolicy, type Sleep } from '../provision/retry.js';
import { selectResources } from '../provision/select.js';
import { TrafficError } from '../traffic/errors.js';
import { resolveOptions, type TrafficOptions } from '../traffic/options.js';
import { runTraffic, type TrafficIO, type TrafficResult } from '../traffic/run.js';
import { SCENARIOS, SCENARIO_NAMES, isScenarioName } from '../traffic/scenarios.js';
import type { Resource } from '../../model/resources.js';
import { configure, connectFor, type Stack } from '../verify/connect.js';
import { DOCS, type Section } from '../verify/report.js';
import { AlertWatch, type RuleAlerts } from './alerts.js';
import { planDrill, type DrillPlan, type Expectation } from './plan.js';

export const DRILL_EXIT = { ok: 0, failed: 1, refused: 2, unreachable: 3 } as const;
export type DrillExit = (typeof DRILL_EXIT)[keyof typeof DRILL_EXIT];

export interface DrillOptions {
  readonly scenario?: string;
  /** Seconds of traffic (default: the scenario's recommended duration). */
  readonly duration?: number;
  readonly rps?: number;
  readonly baseUrl?: string;
  readonly portForward?: boolean;
  readonly namespace?: string;
  readonly fromEck?: boolean;
  readonly eckNamespace?: string;
  /** Seconds between looks at the alerts (default 15). */
  readonly poll?: number;
  /** Seconds to keep watching after the traffic for expected alerts that have not fired (default 300). */
  readonly settle?: number;
  /** Seconds to wait for fired alerts to recover once the traffic stopped (default 900; 0: do not wait). */
  readonly recovery?: number;
  readonly json?: boolean;
}

export interface DrillDeps {
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: Sink;
  readonly stderr: Sink;
  readonly sleep?: Sleep;
  readonly now?: () => Date;
  readonly retry?: RetryPolicy;
  readonly eck?: EckDeps;
  readonly resources?: () => readonly Resource[];
  readonly signal?: AbortSignal;
  readonly runTraffic?: (options: TrafficOptions, io: TrafficIO) => Promise<TrafficResult>;
}

export const DRILL_DEFAULTS = { poll: 15, settle: 300, recovery: 900 } as const;

export interface ExpectationResult {
  readonly alertId: string;
  readonly expect: 'fire' | 'quiet';
  readonly ruleIds: readonly string[];
  readonly outcome: 'pass' | 'fail' | 'skip';
  readonly detail: string;
  readonly firedAfterMinutes?: number;
  readonly predicted?: Expectation['predicted'];
  readonly recovery?: { readonly recovered: boolean; readonly afterTrafficMinutes?: number };
}

export interface DrillReport {
  readonly scenario: string;
  readonly durationSeconds: number;
  readonly rps: number;
  readonly licence: string;
  readonly startedAt: string;
  readonly trafficStoppedAt: string;
  readonly requestsSent: number;
  readonly expectations: readonly ExpectationResult[];
  readonly passed: boolean;
}

export interface DrillResult {
  readonly exitCode: DrillExit;
  readonly plan?: DrillPlan;
  readonly report?: DrillReport;
}

interface Settings {
  readonly traffic: TrafficOptions;
  readonly pollMs: number;
  readonly settleMs: number;
  readonly recoveryMs: number;
  readonly fromEck: string | undefined;
}

function loadSettings(options: DrillOptions): Settings {
  const problems: string[] = [];
  if (options.scenario === undefined || !isScenarioName(options.scenario)) {
    problems.push(`SCENARIO must be one of ${SCENARIO_NAMES.join(', ')}, got ${JSON.stringify(options.scenario ?? '')}`);
  }
  const seconds = (name: string, v: number | undefined, fallback: number, min: number): number => {
    if (v === undefined) return fallback;
    if (!Number.isFinite(v) || v < min || v > 86_400) problems.push(`${name} must be a number of seconds from ${min} to 86400, got ${v}`);
    return v;
  };
  const pollMs = seconds('--poll', options.poll, DRILL_DEFAULTS.poll, 1) * 1000;
  const settleMs = seconds('--settle', options.settle, DRILL_DEFAULTS.settle, 0) * 1000;
  const recoveryMs = seconds('--recovery', options.recovery, DRILL_DEFAULTS.recovery, 0) * 1000;
  let traffic: TrafficOptions | undefined;
  if (problems.length === 0) {
    const scenario = SCENARIOS[options.scenario as keyof typeof SCENARIOS];
    try {
      traffic = resolveOptions({
        scenario: scenario.name,
        duration: options.duration ?? scenario.recommendedDurationSeconds,
        ...(options.rps !== undefined ? { rps: options.rps } : {}),
        ...(options.baseUrl !== undefined ? { baseUrl: options.baseUrl } : {}),
        ...(options.portForward === true ? { portForward: true } : {}),
        ...(options.namespace !== undefined ? { namespace: options.namespace } : {}),
      });
    } catch (e) {
      problems.push(describeError(e).replace(/^Invalid options:\n\s*- /, ''));
    }
  }
  if (problems.length > 0 || traffic === undefined) throw new ConfigError(problems);
  return { traffic, pollMs, settleMs, recoveryMs, fromEck: options.fromEck === true ? (options.eckNamespace ?? DEFAULT_ECK_NAMESPACE) : undefined };
}

const minutes = (ms: number): number => Math.round((ms / 60_000) * 10) / 10;

function predictionText(p: Expectation['predicted']): string {
  if (p === undefined) return '';
  const f = (m: number | undefined): string => (m === undefined ? 'not within the run' : `${m} min`);
  if (p.model === 'log-count') return ` (log threshold math: ${f(p.fresh)})`;
  return ` (burn-rate math: ${f(p.fresh)} on a fresh cluster, ${f(p.afterADayOfTraffic)} after a day of normal traffic)`;
}

export async function drill(options: DrillOptions, deps: DrillDeps): Promise<DrillResult> {
  const configured = configure('drill', deps, () => loadSettings(options));
  if (configured === undefined) return { exitCode: DRILL_EXIT.refused };
  const { settings, resources } = configured;
  const now = deps.now ?? (() => new Date());
  const sleep = deps.sleep ?? realSleep;
  const stack = await connectFor(
    'drill',
    { fromEck: settings.fromEck, requestTimeoutMs: 30_000 },
    { env: deps.env, stderr: deps.stderr, sleep, ...(deps.retry ? { retry: deps.retry } : {}), ...(deps.eck ? { eck: deps.eck } : {}), log: (m) => deps.stderr.write(`${m}\n`) },
  );
  if (stack === 'usage' || stack === 'failed') return { exitCode: stack === 'usage' ? DRILL_EXIT.refused : DRILL_EXIT.failed };
  const out = stack.redacting(deps.stdout);
  const err = stack.redacting(deps.stderr);
  try {
    const { applicable } = selectResources(resources, { flavour: stack.flavour, licence: stack.licence, env: deps.env, only: undefined });
    const scenario = SCENARIOS[settings.traffic.scenario];
    const plan = planDrill(scenario, { applicable, licence: stack.licenceType, durationSeconds: settings.traffic.durationSeconds, rps: settings.traffic.rps });
    if (plan.refusal !== undefined) {
      err.write(`drill: refused: ${plan.refusal}\n`);
      return { exitCode: DRILL_EXIT.refused, plan };
    }
    const watched = plan.expectations.filter((e) => e.skipped === undefined);
    const ruleIds = [...new Set(watched.flatMap((e) => e.ruleIds))];
    const unusable = await unusableRules(stack, ruleIds);
    if (unusable.length > 0) {
      err.write(`drill: refused: these rules cannot fire, so the drill would show nothing about them:\n${unusable.map((u) => `  - ${u}`).join('\n')}\nRun npm run provision-kibana (or enable them), then the drill again.\n`);
      return { exitCode: DRILL_EXIT.refused, plan };
    }
    const start = now();
    const watch = new AlertWatch(stack, ruleIds, start, (m) => err.write(`  ${m}\n`));
    const before = await watch.read(start);
    err.write(
      `Drill ${scenario.name}: ${settings.traffic.durationSeconds} s at ${settings.traffic.rps} rps; licence ${stack.licenceType}; ` +
        `watching ${ruleIds.length} rules (${watched.filter((e) => e.expect === 'fire').length} to fire, ${watched.filter((e) => e.expect === 'quiet').length} to stay quiet)\n`,
    );

    let seen = new Map<string, RuleAlerts>();
    const announced = new Set<string>();
    const observe = async (): Promise<void> => {
      try {
        seen = await watch.read(now());
      } catch (e) {
        err.write(`  could not read alerts: ${describeError(e)}\n`);
        return;
      }
      for (const [id, a] of seen) {
        if (a.firstStart !== undefined && !announced.has(id)) {
          announced.add(id);
          err.write(`  ${minutes(a.firstStart.getTime() - start.getTime())} min: ${id} fired\n`);
        }
      }
    };
    const firedOf = (e: Expectation): Date | undefined =>
      e.ruleIds.map((id) => seen.get(id)?.firstStart).filter((d): d is Date => d !== undefined).sort((a, b) => a.getTime() - b.getTime())[0];
    const aborted = (): boolean => deps.signal?.aborted === true;

    // 1. The traffic, with the alerts watched while it runs.
    let done = false;
    const run = deps.runTraffic ?? runTraffic;
    // The traffic's own summary goes to stderr with the progress: stdout carries the drill's report.
    const traffic = run(settings.traffic, { stdout: err, stderr: err, ...(deps.signal ? { signal: deps.signal } : {}) }).finally(() => (done = true));
    while (!done) {
      await Promise.race([traffic.catch(() => undefined), sleep(settings.pollMs)]);
      await observe();
    }
    const result = await traffic;
    const stopped = now();
    if (!result.summary.reachable) {
      err.write('drill: the traffic never reached the service: nothing to observe (check --base-url or --port-forward)\n');
      return { exitCode: DRILL_EXIT.unreachable, plan };
    }
    err.write(`Traffic stopped after ${result.summary.sent} requests; watching up to ${settings.settleMs / 1000} s more for the expected alerts\n`);

    // 2. Expected alerts that have not fired yet get `--settle` more.
    await observe();
    while (!aborted() && now().getTime() - stopped.getTime() < settings.settleMs && watched.some((e) => e.expect === 'fire' && firedOf(e) === undefined)) {
      await sleep(settings.pollMs);
      await observe();
    }

    // 3. Recovery of everything that fired.
    const isActive = (e: Expectation): boolean => e.ruleIds.some((id) => seen.get(id)?.active === true && seen.get(id)?.firstStart !== undefined);
    const recoveryStart = now();
    if (settings.recoveryMs > 0 && watched.some(isActive)) err.write(`Waiting up to ${settings.recoveryMs / 1000} s for the fired alerts to recover\n`);
    while (!aborted() && now().getTime() - recoveryStart.getTime() < settings.recoveryMs && watched.some(isActive)) {
      await sleep(settings.pollMs);
      await observe();
    }

    const report = buildDrillReport(plan, { start, stopped, sent: result.summary.sent, licence: stack.licenceType, before, firedOf, isActive, seen, recoveryWaited: settings.recoveryMs > 0 });
    out.write(options.json === true ? `${JSON.stringify(report, null, 2)}\n` : formatDrillReport(report));
    return { exitCode: report.passed ? DRILL_EXIT.ok : DRILL_EXIT.failed, plan, report };
  } catch (e) {
    err.write(`drill: ${describeError(e)}\n`);
    // The traffic could not start (port-forward) or reach the service: nothing was observed.
    return { exitCode: e instanceof TrafficError && e.code !== 'USAGE' ? DRILL_EXIT.unreachable : DRILL_EXIT.failed };
  } finally {
    await stack.close();
  }
}

/** Rules that do not exist or are disabled on the target. */
async function unusableRules(stack: Stack, ruleIds: readonly string[]): Promise<string[]> {
  const problems: string[] = [];
  for (const id of ruleIds) {
    const res = await stack.kibana.request<{ enabled?: boolean }>({ method: 'GET', path: `/api/alerting/rule/${encodeURIComponent(id)}`, accept: [404] });
    if (res.status === 404) problems.push(`${id} does not exist`);
    else if (res.body.enabled === false) problems.push(`${id} is disabled`);
  }
  return problems;
}

interface Observed {
  readonly start: Date;
  readonly stopped: Date;
  readonly sent: number;
  readonly licence: string;
  readonly before: ReadonlyMap<string, RuleAlerts>;
  readonly seen: ReadonlyMap<string, RuleAlerts>;
  readonly firedOf: (e: Expectation) => Date | undefined;
  readonly isActive: (e: Expectation) => boolean;
  readonly recoveryWaited: boolean;
}

function judge(e: Expectation, o: Observed): ExpectationResult {
  const base = { alertId: e.alertId, expect: e.expect, ruleIds: e.ruleIds, ...(e.predicted ? { predicted: e.predicted } : {}) };
  if (e.skipped !== undefined) return { ...base, outcome: 'skip', detail: e.skipped };
  if (e.ruleIds.some((id) => (o.before.get(id)?.activeBefore ?? 0) > 0)) {
    return { ...base, outcome: 'skip', detail: 'was already firing before the drill started: inconclusive (run the drill again once it has recovered)' };
  }
  const fired = o.firedOf(e);
  const after = fired === undefined ? undefined : minutes(fired.getTime() - o.start.getTime());
  const firedRules = e.ruleIds.filter((id) => o.seen.get(id)?.firstStart !== undefined);
  const recovery = (): ExpectationResult['recovery'] => {
    if (fired === undefined) return undefined;
    if (o.isActive(e)) return { recovered: false };
    const ends = firedRules.map((id) => o.seen.get(id)?.lastEnd).filter((d): d is Date => d !== undefined);
    const last = ends.sort((a, b) => b.getTime() - a.getTime())[0];
    return { recovered: true, ...(last ? { afterTrafficMinutes: minutes(last.getTime() - o.stopped.getTime()) } : {}) };
  };
  if (e.expect === 'fire') {
    if (fired === undefined) return { ...base, outcome: 'fail', detail: `did not fire${predictionText(e.predicted)}` };
    const rec = recovery();
    const recovered = rec?.recovered !== false || !o.recoveryWaited;
    return {
      ...base,
      outcome: recovered ? 'pass' : 'fail',
      detail: `fired after ${after} min${predictionText(e.predicted)}${firedRules.length < e.ruleIds.length ? ` (${firedRules.join(', ')})` : ''}; ${recoveryText(rec, o.recoveryWaited)}`,
      firedAfterMinutes: after as number,
      ...(rec ? { recovery: rec } : {}),
    };
  }
  if (fired === undefined) return { ...base, outcome: 'pass', detail: 'stayed quiet' };
  return { ...base, outcome: 'fail', detail: `fired after ${after} min although it should stay quiet (${firedRules.join(', ')})`, firedAfterMinutes: after as number };
}

function recoveryText(rec: ExpectationResult['recovery'], waited: boolean): string {
  if (rec === undefined) return '';
  if (!rec.recovered) return waited ? 'still active when the recovery wait ended' : 'still active (recovery not awaited: --recovery 0)';
  return rec.afterTrafficMinutes === undefined ? 'recovered' : `recovered ${rec.afterTrafficMinutes} min after the traffic stopped`;
}

function buildDrillReport(plan: DrillPlan, o: Observed): DrillReport {
  const expectations = plan.expectations.map((e) => judge(e, o));
  return {
    scenario: plan.scenario.name,
    durationSeconds: plan.durationSeconds,
    rps: plan.rps,
    licence: o.licence,
    startedAt: o.start.toISOString(),
    trafficStoppedAt: o.stopped.toISOString(),
    requestsSent: o.sent,
    expectations,
    passed: expectations.every((x) => x.outcome !== 'fail') && expectations.some((x) => x.outcome === 'pass'),
  };
}

const MARK = { pass: 'PASS', fail: 'FAIL', skip: 'SKIP' } as const;

export function formatDrillReport(r: DrillReport): string {
  const width = Math.max(...r.expectations.map((e) => e.alertId.length));
  const lines = [
    `Drill ${r.scenario}: ${r.durationSeconds} s at ${r.rps} rps (${r.requestsSent} requests), licence ${r.licence}, started ${r.startedAt}`,
    '',
    ...r.expectations.map((e) => `${MARK[e.outcome]}  ${(e.expect === 'fire' ? 'fires' : 'quiet').padEnd(6)} ${e.alertId.padEnd(width)}  ${e.detail}`),
    '',
    r.passed ? 'Every expectation held.' : `An expectation failed: see ${DOCS}#${'drill' satisfies Section} and the runbook of the alert (alerts/runbooks/).`,
  ];
  return `${lines.join('\n')}\n`;
}
