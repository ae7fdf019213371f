/**
 * Fault scenarios as data. Each scenario is a list of phases (what to send, when) and the alerts it
 * is expected to make fire and the ones that must stay quiet, by the alert ids of alerts/ids.ts.
 * Alerts in neither list are not constrained by the scenario. The fire drill reads these lists.
 *
 * Timing inside a run is relative: `from`/`to`/`at` are fractions of the run's duration, paced
 * phases send at `--rps`, and `count` phases send a fixed number of requests whatever the duration.
 */
import type { AlertId } from '../../alerts/ids.js';
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
 * The availability SLO the error scenarios are sized against: 99% of API requests (health probes
 * excluded) answer without a 5xx, and the multiwindow burn-rate thresholds of the Google SRE
 * workbook for a 30-day SLO (page at 14.4x over 1 h / 5 m and 6x over 6 h / 30 m, ticket at 3x
 * over 1 d / 2 h and 1x over 3 d / 6 h). Keep in step with alerts/.
 */
export const AVAILABILITY_SLO = {
  objective: 0.99,
  pageBurnRate: 6,
  ticketBurnRate: 3,
} as const;

/** Share of 5xx for a given burn rate of the availability budget. */
export function errorShareForBurnRate(burnRate: number): number {
  return burnRate * (1 - AVAILABILITY_SLO.objective);
}

/** slow-burn's burn rate: between the ticket threshold and the lowest page threshold. */
export const SLOW_BURN_RATE = (AVAILABILITY_SLO.ticketBurnRate + AVAILABILITY_SLO.pageBurnRate) / 2;

const NORMAL: Mix = { users: 1, user: 1, health: 1 };
const API: Mix = { users: 1, user: 1 };

function apiWithErrors(errorShare: number): Mix {
  return { users: (1 - errorShare) / 2, user: (1 - errorShare) / 2, error: errorShare };
}

/** Alerts none of the traffic scenarios can cause: they need the pods themselves to misbehave. */
const PLATFORM_ALERTS: readonly AlertId[] = ['pod-restarts', 'memory-saturation', 'event-loop-lag'];

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
    'latency-burn-rate-page',
    'service-down',
    ...PLATFORM_ALERTS,
  ],
  why:
    'About 3 of the 10 flaky requests fail, a fraction of a percent of the API traffic over any alert ' +
    'window at the default rate: far below the 6x page threshold. The 5 slow requests are a similar ' +
    'small share of latency. Ticket-level and log alerts are left unconstrained: at very low --rps or ' +
    'short durations those few errors can be a visible share.',
  recommendedDurationSeconds: 300,
};

const errorBurst: Scenario = {
  name: 'error-burst',
  description: 'Sustained 5xx: half of the API requests go to /api/error for the whole duration, at --rps.',
  phases: [{ kind: 'paced', label: 'error burst', from: 0, to: 1, mix: apiWithErrors(0.5) }],
  expectFire: ['availability-burn-rate-page', 'error-log-spike'],
  expectQuiet: ['latency-burn-rate-page', 'service-down', ...PLATFORM_ALERTS],
  why:
    'A 50% error ratio burns the 1% budget at 50x, far above the 14.4x fast-burn page threshold in both ' +
    'the long and the short window; every /api/error request also logs an error, so the error-log ' +
    'spike rule fires. The service stays up and fast.',
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
  expectFire: ['availability-burn-rate-ticket'],
  expectQuiet: ['availability-burn-rate-page', 'latency-burn-rate-page', 'service-down', ...PLATFORM_ALERTS],
  why:
    `A 5xx ratio of ${SLOW_BURN_RATE}x the budget is above the ${AVAILABILITY_SLO.ticketBurnRate}x ticket ` +
    `threshold and below the ${AVAILABILITY_SLO.pageBurnRate}x lowest page threshold: a ticket, not a page.`,
  recommendedDurationSeconds: 1800,
};

const latency: Scenario = {
  name: 'latency',
  description: 'Many slow requests: a third of the API requests go to /api/slow (2-5 s each), at --rps.',
  phases: [{ kind: 'paced', label: 'slow requests', from: 0, to: 1, mix: { users: 1, user: 1, slow: 1 } }],
  expectFire: ['apm-latency'],
  expectQuiet: ['availability-burn-rate-page', 'availability-burn-rate-ticket', 'service-down', ...PLATFORM_ALERTS],
  why:
    'A third of the transactions take 2-5 s, so the service\'s transaction latency rises far above its ' +
    'threshold and the APM latency rule fires. No request fails. The latency SLO burn-rate rules are not ' +
    'constrained here: whether /api/slow counts towards the latency SLO is decided in alerts/.',
  recommendedDurationSeconds: 600,
};

const outage: Scenario = {
  name: 'outage',
  description: 'Every request fails: all traffic goes to /api/error, at --rps.',
  phases: [{ kind: 'paced', label: 'all errors', from: 0, to: 1, mix: { error: 1 } }],
  expectFire: ['availability-burn-rate-page', 'availability-burn-rate-ticket', 'error-log-spike'],
  expectQuiet: ['latency-burn-rate-page', ...PLATFORM_ALERTS],
  why:
    'A 100% error ratio burns the budget at 100x: both page and ticket windows fire, and every request ' +
    'logs an error. service-down is not constrained: it fires only when the pods stop answering (scale ' +
    'the Deployment to 0 for that drill), which traffic alone cannot cause; against an unreachable target ' +
    'the generator stops early and exits non-zero.',
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
