/**
 * Feasibility lint: with the request volume the rules are sized for (EXPECTED_TRAFFIC), can every
 * rule fire, and does it stay quiet under the designed background? A threshold that cannot be
 * reached (burn rate x (1 - objective) > 1) or a short window so empty that one request decides
 * it are configuration bugs that no live test would catch before an incident.
 */
import {
  BURN_RATE_WINDOWS,
  EXPECTED_TRAFFIC,
  MIN_EVENTS_SAFETY_FACTOR,
  OBJECTIVES,
  THRESHOLDS,
  type BurnRateWindow,
  type SloObjective,
} from './config.js';
import { computeWindows, formatMinutes } from './windows.js';

/** The shape of a config constant with its literal numbers widened, so tests can pass other values. */
type Widen<T> = T extends number ? number : T extends string ? string : { readonly [K in keyof T]: Widen<T[K]> };

export interface FeasibilityInput {
  readonly objectives: Readonly<Record<string, SloObjective>>;
  readonly windows: readonly BurnRateWindow[];
  readonly traffic: {
    readonly apiRequestsPerSecond: number;
    readonly flakyShare: number;
    readonly flakyErrorRatio: number;
    readonly slowShare: number;
  };
  readonly thresholds: Widen<typeof THRESHOLDS>;
}

export const DEFAULT_FEASIBILITY_INPUT: FeasibilityInput = {
  objectives: OBJECTIVES,
  windows: BURN_RATE_WINDOWS,
  traffic: EXPECTED_TRAFFIC,
  thresholds: THRESHOLDS,
};

export interface Problem {
  readonly subject: string;
  readonly message: string;
}

/** Kibana's burn-rate rule validation: long window within 1-72 h, threshold within 0.01..max. */
const KIBANA_LONG_WINDOW_MINUTES = { min: 60, max: 72 * 60 } as const;
const KIBANA_MIN_BURN_RATE = 0.01;

/** Smallest number of events in a short window such that a single bad event stays below the threshold ratio, times the safety factor. */
export function minimumEventsPerShortWindow(errorRatioThreshold: number): number {
  return Math.ceil(MIN_EVENTS_SAFETY_FACTOR / errorRatioThreshold);
}

export function lintFeasibility(input: FeasibilityInput = DEFAULT_FEASIBILITY_INPUT): Problem[] {
  const problems: Problem[] = [];
  const rps = input.traffic.apiRequestsPerSecond;
  const steadyErrorRatio = input.traffic.flakyShare * input.traffic.flakyErrorRatio;

  for (const [key, objective] of Object.entries(input.objectives)) {
    if (!(objective.target > 0 && objective.target < 1)) {
      problems.push({ subject: `${key} SLO`, message: `objective ${objective.target} must be strictly between 0 and 1` });
      continue;
    }
    if (key === 'availability' && steadyErrorRatio >= 1 - objective.target) {
      problems.push({
        subject: `${key} SLO`,
        message:
          `the designed background error ratio ${(steadyErrorRatio * 100).toFixed(2)}% already spends the whole ` +
          `${((1 - objective.target) * 100).toFixed(2)}% budget: the ticket would fire forever`,
      });
    }
    for (const w of computeWindows(objective, input.windows)) {
      const subject = `${key} ${w.urgency} ${formatMinutes(w.longWindowMinutes)}/${formatMinutes(w.shortWindowMinutes)}`;
      if (w.errorRatioThreshold > 1) {
        problems.push({
          subject,
          message: `unreachable: burn rate ${w.burnRateThreshold} x (1 - ${objective.target}) = ${w.errorRatioThreshold} > 1, more errors than requests`,
        });
      }
      if (w.burnRateThreshold < KIBANA_MIN_BURN_RATE || w.burnRateThreshold > w.maxBurnRateThreshold) {
        problems.push({ subject, message: `burn rate ${w.burnRateThreshold} outside Kibana's accepted ${KIBANA_MIN_BURN_RATE}..${w.maxBurnRateThreshold}` });
      }
      if (w.longWindowMinutes < KIBANA_LONG_WINDOW_MINUTES.min || w.longWindowMinutes > KIBANA_LONG_WINDOW_MINUTES.max) {
        problems.push({ subject, message: `long window ${formatMinutes(w.longWindowMinutes)} outside Kibana's accepted 1h..72h` });
      }
      if (w.shortWindowMinutes >= w.longWindowMinutes) {
        problems.push({ subject, message: 'short window must be shorter than the long window' });
      }
      const expected = rps * 60 * w.shortWindowMinutes;
      const needed = minimumEventsPerShortWindow(w.errorRatioThreshold);
      if (expected < needed) {
        problems.push({
          subject,
          message:
            `cannot fire meaningfully: ${expected.toFixed(1)} expected events in the ${formatMinutes(w.shortWindowMinutes)} short window, ` +
            `needs at least ${needed} so that one bad request cannot decide it`,
        });
      }
    }
  }

  const t = input.thresholds;
  const windowEvents = (minutes: number): number => rps * 60 * minutes;
  if (windowEvents(t.errorLogSpike.windowMinutes) <= t.errorLogSpike.count) {
    problems.push({
      subject: 'error-log-spike',
      message: `can never fire: even if every request logged an error, ${windowEvents(t.errorLogSpike.windowMinutes)} lines in ${t.errorLogSpike.windowMinutes} m do not exceed ${t.errorLogSpike.count}`,
    });
  }
  const background = windowEvents(t.errorLogSpike.windowMinutes) * steadyErrorRatio;
  if (background >= t.errorLogSpike.count) {
    problems.push({
      subject: 'error-log-spike',
      message: `fires on the designed background: ~${background.toFixed(1)} error lines per ${t.errorLogSpike.windowMinutes} m from /api/flaky alone`,
    });
  }
  if (t.serviceDown.windowMinutes * 60 < 2 * t.serviceDown.scrapePeriodSeconds) {
    problems.push({ subject: 'service-down', message: 'window shorter than two scrape periods: one missed scrape would page' });
  }
  if (!(t.memorySaturation.limitFraction > 0 && t.memorySaturation.limitFraction <= 1)) {
    problems.push({ subject: 'memory-saturation', message: `unreachable: usage / limit cannot exceed 1 (threshold ${t.memorySaturation.limitFraction})` });
  }
  if (!Number.isInteger(t.podRestarts.restarts) || t.podRestarts.restarts < 1) {
    problems.push({ subject: 'pod-restarts', message: 'restart threshold must be a whole number of at least 1' });
  }
  if (!(t.eventLoopLag.p99Seconds > 0 && t.eventLoopLag.p99Seconds < t.eventLoopLag.windowMinutes * 60)) {
    problems.push({ subject: 'event-loop-lag', message: 'lag threshold must be positive and shorter than its window' });
  }
  if (input.traffic.slowShare >= 0.05) {
    problems.push({
      subject: 'apm-latency',
      message: `/api/slow is ${(input.traffic.slowShare * 100).toFixed(1)}% of calls: the service p95 sits at the slow endpoint's 2-5 s and the rule never recovers`,
    });
  }
  if (!(t.apmLatency.p95Milliseconds > 0)) problems.push({ subject: 'apm-latency', message: 'threshold must be positive' });
  return problems;
}
