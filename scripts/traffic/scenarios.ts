/**
 * Fault scenarios as data. Each scenario is a list of phases (what to send, when) and the alerts it
 * is expected to make fire and the ones that must stay quiet, by the alert ids of alerts/ids.ts.
 * Alerts in neither list are not constrained by the scenario. The fire drill reads these lists.
 *
 * The lists hold at the default --rps (10) and the scenario's recommended duration, on a service
 * that gets no other traffic; scenarios.test.ts replays each plan through the burn-rate math of
 * alerts/ to check them. Thresholds come from alerts/config.ts, so the lists follow its changes.
 *
 * Timing inside a run is relative: `from`/`to`/`at` are fractions of the run's duration, paced
 * phases send at `--rps`, and `count` phases send a fixed number of requests whatever the duration.
 */
import { OBJECTIVES, SLI_ROUTES, THRESHOLDS } from '../../alerts/config.js';
import type { AlertId } from '../../alerts/ids.js';
import { computeWindows } from '../../alerts/windows.js';
import { ROUTES } from '../../service/src/telemetry/registry.js';
import type { EndpointId } from './endpoints.js';

/** Relative weights of endpoints within a phase; the planner interleaves them in exact proportion. */
export type Mix = Readonly<Partial<Record<EndpointId, number>>>;

export type Phase =
  /** Requests at `--rps` from `from` to `to` (fractions of the duration). */
  | { readonly kind: 'paced'; readonly label: string; readonly from: number; readonly to: number; readonly mix: Mix }
  /** `count` requests all due at `at`: sent as fast as `--concurrency` allows. */
  | { readonly kind: 'burst'; readonly label: string; readonly at: number; readonly count: number; readonly mix: Mix }
  /** `count` requests spaced evenly from `from` to `to`. */
  | {
      readonly kind: 'spread';
      readonly label: string;
      readonly from: number;
      readonly to: number;
      readonly count: number;
      readonly mix: Mix;
    };

export const SCENARIO_NAMES = ['steady', 'error-burst', 'slow-burn', 'latency', 'outage'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

export interface Scenario {
  readonly name: ScenarioName;
  readonly description: string;
  readonly phases: readonly Phase[];
  readonly expectFire: readonly AlertId[];
  readonly expectQuiet: readonly AlertId[];
  /** Why these alerts are expected to fire or stay quiet. */
  readonly why: string;
  /** How long to run it for the alert windows to see it (the drill's default duration). */
  readonly recommendedDurationSeconds: number;
}

/**
 * The availability SLO the error scenarios are sized against, read from alerts/ (objective and the
 * burn-rate window table): page windows fire at 14.4x (1 h / 5 m) and 6x (6 h / 30 m), ticket
 * windows at 3x (1 d / 2 h) and 1x (3 d / 6 h) for a 99% objective over 30 days.
 */
const availabilityWindows = computeWindows(OBJECTIVES.availability);
export const AVAILABILITY_SLO = {
  objective: OBJECTIVES.availability.target,
  /** The lowest burn rate that pages. */
  pageBurnRate: Math.min(...availabilityWindows.filter((w) => w.urgency === 'page').map((w) => w.burnRateThreshold)),
  /** The burn rate at which every ticket window pair fires. */
  ticketBurnRate: Math.max(...availabilityWindows.filter((w) => w.urgency === 'ticket').map((w) => w.burnRateThreshold)),
} as const;

/** Share of 5xx for a given burn rate of the availability budget. */
export function errorShareForBurnRate(burnRate: number): number {
  return burnRate * (1 - AVAILABILITY_SLO.objective);
}

/** slow-burn's burn rate: midway between the ticket threshold and the lowest page threshold. */
export const SLOW_BURN_RATE = (AVAILABILITY_SLO.ticketBurnRate + AVAILABILITY_SLO.pageBurnRate) / 2;

/** Whether /api/slow counts towards the latency SLO (alerts/config.ts decides; today it does not). */
export const SLOW_IN_LATENCY_SLO = (SLI_ROUTES.latency as readonly string[]).includes(ROUTES.slow);
const LATENCY_BURN: readonly AlertId[] = ['latency-burn-rate-page', 'latency-burn-rate-ticket'];

const NORMAL: Mix = { users: 1, user: 1, health: 1 };
const API: Mix = { users: 1, user: 1 };

function apiWithErrors(errorShare: number): Mix {
  return { users: (1 - errorShare) / 2, user: (1 - errorShare) / 2, error: errorShare };
}

/** Alerts traffic at these rates cannot cause: they need the pods themselves to misbehave. */
const PLATFORM_ALERTS: readonly AlertId[] = ['pod-restarts', 'memory-saturation', 'event-loop-lag'];
const LOG_SPIKE = THRESHOLDS.errorLogSpike;
const APM_LATENCY = THRESHOLDS.apmLatency;

const steady: Scenario = {
  name: 'steady',
  description:
    'The default pattern: normal API usage (/api/users, /api/users/{id}, /health) at --rps for 60% of the ' +
    'duration, then a spike of 30 rapid requests, 10 requests to /api/flaky and 5 to /api/slow.',
  phases: [
    { kind: 'paced', label: 'normal usage', from: 0, to: 0.6, mix: NORMAL },
    { kind: 'burst', label: 'spike', at: 0.6, count: 30, mix: API },
    { kind: 'spread', label: 'flaky', from: 0.6, to: 0.8, count: 10, mix: { flaky: 1 } },
    { kind: 'spread', label: 'slow', from: 0.8, to: 1, count: 5, mix: { slow: 1 } },
  ],
  expectFire: [],
  expectQuiet: [
    'availability-burn-rate-page',
    'availability-burn-rate-ticket',
    ...LATENCY_BURN,
    'error-log-spike',
    'service-down',
    ...PLATFORM_ALERTS,
  ],
  why:
    'Over 5 minutes at 10 rps about 1,250 API requests are sent; even if all 10 flaky requests failed that is ' +
    `0.8%, under the 1x slow-ticket burn rate, and 10 error lines stay under the ${LOG_SPIKE.count}-line log ` +
    'threshold. Runs much shorter than the recommended duration (the classic 60 s) make those few flaky ' +
    'failures about 1% of the traffic: the slow ticket window may then fire. apm-latency is not constrained: ' +
    `the run ends with the 5 slow requests, and once traffic stops the rule's ${APM_LATENCY.windowMinutes}-minute ` +
    `window holds mostly them, so on an otherwise idle service its p95 passes ${APM_LATENCY.p95Milliseconds} ms ` +
    'for a few minutes after the run.',
  recommendedDurationSeconds: 300,
};

const errorBurst: Scenario = {
  name: 'error-burst',
  description: 'Sustained 5xx: half of the API requests go to /api/error for the whole duration, at --rps.',
  phases: [{ kind: 'paced', label: 'error burst', from: 0, to: 1, mix: apiWithErrors(0.5) }],
  expectFire: ['availability-burn-rate-page', 'error-log-spike'],
  expectQuiet: [...LATENCY_BURN, 'apm-latency', 'service-down', ...PLATFORM_ALERTS],
  why:
    'A 50% error ratio burns the 1% budget at 50x, above the 14.4x fast-burn page threshold in both the ' +
    `long and the short window, and 5 error lines a second are far over ${LOG_SPIKE.count} in ` +
    `${LOG_SPIKE.windowMinutes} minutes. The availability ticket is not constrained: it is suppressed while ` +
    'the page fires, and its 2 h / 1 d windows can fire after the page has recovered. /api/error answers at ' +
    'once and is outside the latency SLO, so latency stays quiet.',
  recommendedDurationSeconds: 600,
};

const slowBurn: Scenario = {
  name: 'slow-burn',
  description:
    `A small, steady excess of errors: ${(errorShareForBurnRate(SLOW_BURN_RATE) * 100).toFixed(1)}% of the ` +
    'API requests go to /api/error, mixed into normal traffic at --rps.',
  phases: [
    { kind: 'paced', label: 'slow burn', from: 0, to: 1, mix: apiWithErrors(errorShareForBurnRate(SLOW_BURN_RATE)) },
  ],
  expectFire: ['availability-burn-rate-ticket', 'error-log-spike'],
  expectQuiet: ['availability-burn-rate-page', ...LATENCY_BURN, 'apm-latency', 'service-down', ...PLATFORM_ALERTS],
  why:
    `A 5xx ratio at ${SLOW_BURN_RATE}x the budget is above the ${AVAILABILITY_SLO.ticketBurnRate}x ticket ` +
    `threshold and below the ${AVAILABILITY_SLO.pageBurnRate}x lowest page threshold: a ticket, never a page. ` +
    `At 10 rps that is ~0.45 error lines a second, over the ${LOG_SPIKE.count}-line log threshold; below ` +
    'about 1 rps the log rule would stay quiet.',
  recommendedDurationSeconds: 1800,
};

const latency: Scenario = {
  name: 'latency',
  description: 'Many slow requests: a third of the API requests go to /api/slow (2-5 s each), at --rps.',
  phases: [{ kind: 'paced', label: 'slow requests', from: 0, to: 1, mix: { users: 1, user: 1, slow: 1 } }],
  expectFire: ['apm-latency', ...(SLOW_IN_LATENCY_SLO ? (['latency-burn-rate-page'] as const) : [])],
  expectQuiet: [
    'availability-burn-rate-page',
    'availability-burn-rate-ticket',
    ...(SLOW_IN_LATENCY_SLO ? [] : LATENCY_BURN),
    'error-log-spike',
    'service-down',
    ...PLATFORM_ALERTS,
  ],
  why:
    `A third of the transactions take 2-5 s, so the service p95 goes far above ${APM_LATENCY.p95Milliseconds} ms ` +
    'and the APM latency rule fires. No request fails. ' +
    (SLOW_IN_LATENCY_SLO
      ? 'The latency SLO counts /api/slow, so a third of its events are slow: a 33x burn that pages.'
      : 'The latency SLO leaves /api/slow out (alerts/config.ts SLI_ROUTES), so its burn-rate alerts stay quiet: ' +
        'slow-by-design calls do not spend the latency budget.'),
  recommendedDurationSeconds: 600,
};

const outage: Scenario = {
  name: 'outage',
  description: 'Every request fails: all traffic goes to /api/error, at --rps.',
  phases: [{ kind: 'paced', label: 'all errors', from: 0, to: 1, mix: { error: 1 } }],
  expectFire: ['availability-burn-rate-page', 'error-log-spike'],
  expectQuiet: [...LATENCY_BURN, 'apm-latency', ...PLATFORM_ALERTS],
  why:
    'A 100% error ratio burns the budget at 100x and every request logs an error. The ticket is suppressed ' +
    'while the page fires (not constrained, as in error-burst). service-down is not constrained: it fires only ' +
    'when the pods stop answering (scale the Deployment to 0 for that drill), which traffic alone cannot ' +
    'cause; against an unreachable target the generator stops early and exits non-zero.',
  recommendedDurationSeconds: 600,
};

export const SCENARIOS: Readonly<Record<ScenarioName, Scenario>> = {
  steady,
  'error-burst': errorBurst,
  'slow-burn': slowBurn,
  latency,
  outage,
};

export function isScenarioName(value: string): value is ScenarioName {
  return (SCENARIO_NAMES as readonly string[]).includes(value);
}
