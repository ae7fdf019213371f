/**
 * Which alerts a scenario's plan would make fire, by replaying it minute by minute through the
 * alerting definitions' own numbers: the SLOs' burn-rate math (alerts/burn-rate.ts), the error-log
 * and APM latency thresholds (alerts/config.ts). Used to check the scenarios' expectFire and
 * expectQuiet lists (test/expectations.test.ts) and to say, at the start of a run shorter than the
 * scenario's recommended duration, which expectations may not hold; alerts that depend on the pods themselves (service-down, restarts, memory,
 * event loop) are not modelled.
 *
 * Assumptions, each on the cautious side for a quiet expectation:
 * - the service sees no other traffic than the run;
 * - every /api/flaky request fails (worst case; 30% do on average);
 * - every 5xx writes one error-level log line (the access log line);
 * - a slow request takes more than the APM latency threshold, any other request less.
 */
import { evaluate, timeline, type MinuteCounts } from '../../alerts/burn-rate.js';
import { OBJECTIVES, SLI_ROUTES, THRESHOLDS } from '../../alerts/config.js';
import type { AlertId } from '../../alerts/ids.js';
import { PROBE_ROUTES, ROUTES } from '../../service/src/telemetry/registry.js';
import { planRequests, type PlanInput } from './plan.js';

export const MODELLED_ALERTS: readonly AlertId[] = [
  'availability-burn-rate-page',
  'availability-burn-rate-ticket',
  'latency-burn-rate-page',
  'latency-burn-rate-ticket',
  'error-log-spike',
  'apm-latency',
];

interface Minute {
  availability: { good: number; bad: number };
  latency: { good: number; bad: number };
  errorLines: number;
  transactions: number;
  slowTransactions: number;
}

function emptyMinute(): Minute {
  return { availability: { good: 0, bad: 0 }, latency: { good: 0, bad: 0 }, errorLines: 0, transactions: 0, slowTransactions: 0 };
}

/** Per-minute counts of the run followed by `tailMinutes` without traffic. */
export function minutesOf(input: PlanInput, tailMinutes: number): Minute[] {
  const minutes: Minute[] = [];
  const availability = SLI_ROUTES.availability as readonly string[];
  const latency = SLI_ROUTES.latency as readonly string[];
  for (const request of planRequests(input)) {
    const index = Math.floor(request.atMs / 60_000);
    while (minutes.length <= index) minutes.push(emptyMinute());
    const m = minutes[index] as Minute;
    const fails = request.route === ROUTES.error || request.route === ROUTES.flaky;
    const slow = request.route === ROUTES.slow;
    if (availability.includes(request.route)) m.availability[fails ? 'bad' : 'good']++;
    if (latency.includes(request.route)) m.latency[slow ? 'bad' : 'good']++;
    if (fails) m.errorLines++;
    if (!(PROBE_ROUTES as readonly string[]).includes(request.route)) {
      m.transactions++;
      if (slow) m.slowTransactions++;
    }
  }
  for (let i = 0; i < tailMinutes; i++) minutes.push(emptyMinute());
  return minutes;
}

function sloAlerts(counts: MinuteCounts[], key: 'availability' | 'latency'): AlertId[] {
  const objective = OBJECTIVES[key];
  const evaluations = evaluate(counts, objective);
  const fired: AlertId[] = [];
  if (timeline(evaluations, 'page', objective).firedAt.length > 0) fired.push(`${key}-burn-rate-page`);
  if (timeline(evaluations, 'ticket', objective).firedAt.length > 0) fired.push(`${key}-burn-rate-ticket`);
  return fired;
}

function windowSums(minutes: readonly Minute[], window: number, pick: (m: Minute) => number): number[] {
  return minutes.map((_, t) => minutes.slice(Math.max(0, t - window + 1), t + 1).reduce((s, m) => s + pick(m), 0));
}

/** The modelled alerts that fire at some point during the run or the silence after it. */
export function firingAlerts(input: PlanInput, tailMinutes = 360): Set<AlertId> {
  const minutes = minutesOf(input, tailMinutes);
  const fired = new Set<AlertId>([
    ...sloAlerts(minutes.map((m) => m.availability), 'availability'),
    ...sloAlerts(minutes.map((m) => m.latency), 'latency'),
  ]);
  const log = THRESHOLDS.errorLogSpike;
  if (windowSums(minutes, log.windowMinutes, (m) => m.errorLines).some((n) => n > log.count)) fired.add('error-log-spike');
  const apm = THRESHOLDS.apmLatency;
  const total = windowSums(minutes, apm.windowMinutes, (m) => m.transactions);
  const slow = windowSums(minutes, apm.windowMinutes, (m) => m.slowTransactions);
  // p95 is above the threshold when more than 5% of the window's transactions are slow.
  if (total.some((n, t) => n > 0 && (slow[t] ?? 0) / n > 0.05)) fired.add('apm-latency');
  return fired;
}

/** Most planned requests the start-of-run model replays (a few hundred milliseconds of work). */
export const MODEL_MAX_REQUESTS = 200_000;

/** What a run shorter than its scenario's recommended duration may not show. */
export interface ShortRunCaveat {
  readonly durationSeconds: number;
  readonly recommendedDurationSeconds: number;
  /** Expected to fire, but the alert windows may not see enough of this run (all of expectFire). */
  readonly mayNotFire: readonly AlertId[];
  /** Expected to stay quiet, but the model says this shorter run makes them fire. */
  readonly mayFire: readonly AlertId[];
}

/**
 * Undefined when the run is at least the scenario's recommended duration (the expectations hold
 * there: test/expectations.test.ts); otherwise which of them may not hold for this run.
 */
export function shortRunCaveat(input: PlanInput): ShortRunCaveat | undefined {
  const { scenario } = input;
  const durationSeconds = input.durationMs / 1000;
  if (durationSeconds >= scenario.recommendedDurationSeconds) return undefined;
  // Bounded work at start: beyond MODEL_MAX_REQUESTS the model sees the plan's first part only.
  const fired = firingAlerts({ ...input, maxRequests: Math.min(input.maxRequests, MODEL_MAX_REQUESTS) });
  return {
    durationSeconds,
    recommendedDurationSeconds: scenario.recommendedDurationSeconds,
    mayNotFire: scenario.expectFire,
    mayFire: scenario.expectQuiet.filter((id) => fired.has(id)),
  };
}

/** The caveat as one warning line. */
export function formatShortRunCaveat(scenario: string, caveat: ShortRunCaveat): string {
  const parts = [
    `Warning: ${caveat.durationSeconds} s is shorter than ${scenario}'s recommended ${caveat.recommendedDurationSeconds} s, ` +
      'the length its alert expectations are sized for.',
  ];
  if (caveat.mayNotFire.length > 0) parts.push(`Expected to fire but may not: ${caveat.mayNotFire.join(', ')}.`);
  if (caveat.mayFire.length > 0) parts.push(`Expected quiet but may fire at this length: ${caveat.mayFire.join(', ')}.`);
  if (caveat.mayNotFire.length === 0 && caveat.mayFire.length === 0) parts.push('Its expectations still hold at this length.');
  return parts.join(' ');
}
