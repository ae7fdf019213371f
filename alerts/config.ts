/**
 * Every number the alerting definitions use, each with the reason it has that value
 * (kubernetes-mixin's `config.libsonnet` style). Rule files read from here and never type a threshold.
 *
 * Changing an objective here changes the SLO bodies, the burn-rate thresholds (computed in
 * windows.ts), the Basic-licence fallback rules and the feasibility lint together.
 */
import { HTTP_DURATION_BUCKETS, PROBE_ROUTES, ROUTES, SERVICE, type RouteTemplate } from '../service/src/telemetry/registry.js';

/** Durations are kept in minutes everywhere in alerts/ (the window table and the math module). */
export type Minutes = number;

export const SERVICE_IDENTITY = {
  name: SERVICE.name,
  /**
   * APM rules take an environment; ENVIRONMENT_ALL makes one rule cover every environment the
   * service is deployed to (each alert still names its environment through the rule's context).
   */
  apmEnvironment: 'ENVIRONMENT_ALL',
  /** APM transaction type of inbound HTTP requests (OTel SERVER spans). */
  apmTransactionType: 'request',
  /** Kubernetes namespace dedicated to the service (names.md): scopes the kubernetes metrics. */
  kubernetesNamespace: SERVICE.namespace,
} as const;

/**
 * Which routes each SLI counts. Probes (/health, /ready, /metrics) are never part of an SLI: they
 * are answered by the platform's kubelet and scraper, not by users, and a healthy probe says
 * nothing about the API. Requests that matched no route (`unmatched`, 404s for unknown paths) are
 * not part of the API either.
 */
export const SLI_ROUTES = {
  /**
   * Availability counts the whole user-facing API, as a client sees it:
   * - /api/flaky is in: it stands for an endpoint whose dependency fails 30% of the time; those
   *   failures are real user-visible errors and must burn budget.
   * - /api/slow is in: slow by design, but it must still answer without a 5xx.
   * - /api/error is in, explicitly: it stands for a broken endpoint. The normal traffic pattern
   *   never calls it, so it burns budget only when a fault is injected, which is exactly what the
   *   error-burst and outage drills must page on. Leaving it out would make the SLO blind to the
   *   one failure mode the drills can produce on demand.
   */
  availability: [ROUTES.users, ROUTES.user, ROUTES.flaky, ROUTES.slow, ROUTES.error],
  /**
   * Latency counts the fast endpoints only:
   * - /api/slow is out: it sleeps 2-5 s by design, so including it would make the SLI measure the
   *   traffic mix (how often clients call it), not the service. Its latency is watched by the
   *   apm-latency rule at service level instead.
   * - /api/error is out: it answers a 500 immediately; counting that as a fast "good" event would
   *   hide latency problems behind errors, which the availability SLO already counts.
   * - /api/flaky is in: it is fast whether it succeeds or fails.
   */
  latency: [ROUTES.users, ROUTES.user, ROUTES.flaky],
} as const satisfies Record<string, readonly RouteTemplate[]>;

/** Compile-time and run-time guard: no probe route may enter an SLI. */
for (const route of [...SLI_ROUTES.availability, ...SLI_ROUTES.latency]) {
  if ((PROBE_ROUTES as readonly string[]).includes(route)) throw new Error(`probe route ${route} cannot be part of an SLI`);
}

/**
 * The latency SLI's threshold in seconds. It must be one of the histogram's bucket boundaries
 * (registry HTTP_DURATION_BUCKETS): a Prometheus histogram only knows how many requests fell in
 * each bucket, so "under T" is exact only when T is a boundary.
 * 250 ms: the fast endpoints do in-memory work and answer in single-digit milliseconds, so 250 ms
 * is far above normal (no false budget burn from jitter or GC pauses), and it is the point at
 * which an API call starts to feel sluggish in an interactive UI. The next boundaries either side
 * (100 ms, 500 ms) are respectively too close to noise on a busy kind node and too lenient.
 */
export const LATENCY_THRESHOLD_SECONDS = 0.25;
if (!(HTTP_DURATION_BUCKETS as readonly number[]).includes(LATENCY_THRESHOLD_SECONDS)) {
  throw new Error(`LATENCY_THRESHOLD_SECONDS ${LATENCY_THRESHOLD_SECONDS} must be a histogram bucket boundary`);
}

export interface SloObjective {
  /** Fraction of good events, 0 < target < 1. */
  readonly target: number;
  /** Rolling window the budget is computed over. */
  readonly periodDays: number;
  readonly budgetingMethod: 'occurrences' | 'timeslices';
  readonly why: string;
}

/**
 * Objectives. Both SLOs use a 30-day rolling window and the occurrences budgeting method:
 * - 30 days rolling: the Google SRE workbook's burn-rate window table is defined against a 30-day
 *   budget (14.4x = 2% of 30 days in 1 h); a rolling window never resets the budget at a calendar
 *   boundary, so an incident on the 30th is not forgiven on the 1st.
 * - occurrences: the budget is a share of requests, which is what burn-rate alerting reasons
 *   about (bad events / all events). Timeslices would turn a quiet night with one failed request
 *   in a 1-minute slice into a bad slice, and make the burn rate depend on traffic volume.
 */
export const OBJECTIVES = {
  availability: {
    target: 0.99,
    periodDays: 30,
    budgetingMethod: 'occurrences',
    why:
      '99% of API requests answer without a 5xx (7.2 h of full outage per 30 days). The API includes ' +
      '/api/flaky, which fails 30% of its calls by design: at the expected mix (EXPECTED_TRAFFIC) it ' +
      'spends about 0.6% of requests, so 99% leaves headroom for designed behaviour while a real ' +
      'regression burns the budget fast. A production service without a deliberately flaky endpoint ' +
      'would set 0.999 here; every threshold follows.',
  },
  latency: {
    target: 0.99,
    periodDays: 30,
    budgetingMethod: 'occurrences',
    why:
      '99% of requests to the fast endpoints complete within LATENCY_THRESHOLD_SECONDS. In-memory ' +
      'handlers should essentially never exceed it; 1% leaves room for cold starts, GC and noisy ' +
      'neighbours on a shared node.',
  },
} as const satisfies Record<'availability' | 'latency', SloObjective>;

/**
 * The request volume the rules are sized for (feasibility.ts checks every rule against it).
 * 5 requests/s of SLI-eligible API traffic is the traffic generator's default pace for normal
 * usage and a modest real service; below about 0.03 requests/s the 5-minute page window would be
 * decided by a single request (the lint says so).
 */
export const EXPECTED_TRAFFIC = {
  apiRequestsPerSecond: 5,
  /** Share of API calls that go to /api/flaky in normal usage (the default pattern sends a handful). */
  flakyShare: 0.02,
  /** /api/flaky's designed failure ratio (service/src). */
  flakyErrorRatio: 0.3,
  /** Share of API calls that go to /api/slow in normal usage. */
  slowShare: 0.01,
} as const;

/** Steady-state error ratio of the availability SLI implied by EXPECTED_TRAFFIC. */
export const EXPECTED_ERROR_RATIO = EXPECTED_TRAFFIC.flakyShare * EXPECTED_TRAFFIC.flakyErrorRatio;

/** How often rules run. 1 minute: the shortest window is 5 minutes, so a check every minute sees each change within 20% of it. */
export const RULE_INTERVAL = '1m';

/**
 * The Basic-licence burn-rate rules query raw access logs over their whole long window (up to 72 h)
 * on every run, unlike the SLO rules that read Kibana's rollups. They run every 1/6 of their short
 * window instead of every minute: detection is delayed by at most a sixth of the window that decides
 * it, and the 72 h query runs hourly instead of 1440 times a day.
 */
export const BASIC_RULE_INTERVAL_FRACTION_OF_SHORT_WINDOW = 1 / 6;

/** Symptom and cause rules: each threshold and window with its reason. */
export const THRESHOLDS = {
  errorLogSpike: {
    /** More than this many error-level log lines from the service in the window. */
    count: 25,
    windowMinutes: 5,
    why:
      'At the expected traffic the designed /api/flaky failures log about 0.03 errors/s, i.e. ~9 in ' +
      '5 minutes. 25 is ~3x that: a new error source (an exception path, a failing dependency) crosses ' +
      'it within minutes, while the designed background does not. Errors that do not reach users still ' +
      'show here, which is why this is a warning and not a page.',
  },
  serviceDown: {
    /** No successful scrape of any pod (max `up` < 1), or no available replica, throughout this window. */
    windowMinutes: 3,
    /** The Fleet prometheus integration scrapes every 10 s (fleet/). */
    scrapePeriodSeconds: 10,
    why:
      '3 minutes is 18 scrape periods: one successful scrape (or one available replica) in the window ' +
      'keeps it quiet, so a failed scrape or two never fire it, while a crash loop or a service that is ' +
      'really gone pages within 3-4 minutes. The scrape rule also fires on absence of data, which covers ' +
      'the case where the burn-rate rules go silent because there is no traffic data at all.',
  },
  podRestarts: {
    /** Container restarts of one pod within the window (max - min of the restart counter). */
    restarts: 2,
    windowMinutes: 30,
    why:
      'One restart can be a node event or a single OOM kill and heals itself; a second one within 30 ' +
      'minutes is the start of a crash loop (kubernetes-mixin KubePodCrashLooping looks for the same ' +
      'repeated restarts). Reported per pod so the alert names it.',
  },
  eventLoopLag: {
    /** p99 event loop lag in seconds, averaged over the window, per pod. */
    p99Seconds: 0.1,
    windowMinutes: 5,
    why:
      'Every request on a pod waits for the event loop; a p99 lag of 100 ms spends 40% of the 250 ms ' +
      'latency SLI threshold before a handler even runs. Healthy Node.js services stay in the low ' +
      'milliseconds; sustained 100 ms means CPU saturation or synchronous work on the loop. 5 minutes ' +
      'ignores a single GC pause.',
  },
  memorySaturation: {
    /** Container memory usage as a fraction of its limit, averaged over the window, per pod. */
    limitFraction: 0.9,
    windowMinutes: 5,
    why:
      'At 90% of the memory limit the next allocation burst gets the container OOM-killed (then pod ' +
      'restarts fire, too late). 90% leaves the responder minutes to act; averaged over 5 minutes so a ' +
      'transient peak before GC does not fire it.',
  },
  apmLatency: {
    /** Service-level p95 transaction duration in milliseconds, over the window. */
    p95Milliseconds: 1000,
    windowMinutes: 5,
    why:
      'Service-wide, over every request transaction including /api/slow: the fast endpoints answer ' +
      'within 250 ms and /api/slow (2-5 s) is about 1% of calls, so p95 stays well under 1 s in normal ' +
      'use. Above 1 s, more than 5% of calls take over a second: either the fast paths degraded or the ' +
      'slow endpoint became a large share of traffic. Both deserve a look; neither alone justifies a ' +
      'page (the latency SLO pages).',
  },
} as const;

export type Severity = 'critical' | 'warning';
/** page: wake someone; ticket: next business day; both always reach the server log and the alert history index. */
export type Urgency = 'page' | 'ticket';

export interface BurnRateWindow {
  readonly id: 'page-fast' | 'page-slow' | 'ticket-fast' | 'ticket-slow';
  readonly urgency: Urgency;
  /** Share of the whole period's error budget that, spent within the long window, must alert. */
  readonly budgetConsumed: number;
  readonly longWindowMinutes: Minutes;
  /** One twelfth of the long window: it makes the alert reset soon after the burn stops. */
  readonly shortWindowMinutes: Minutes;
  /** Kibana burn-rate action group: each window pair reports under its own group. */
  readonly actionGroup: 'slo.burnRate.alert' | 'slo.burnRate.high' | 'slo.burnRate.medium' | 'slo.burnRate.low';
}

/**
 * The multiwindow, multi-burn-rate table of the Google SRE workbook ("Alerting on SLOs", table 5-8,
 * the same table sloth ships as google-30d.yaml). Thresholds are NOT typed here: windows.ts derives
 * each burn-rate threshold as budgetConsumed x period / longWindow, so for 30 days they come out
 * as 14.4, 6, 3 and 1.
 * - 2% of the budget in 1 h (page): at that pace the budget is gone in ~2 days; detection of a full
 *   outage takes ~9 minutes at 99%.
 * - 5% in 6 h (page): a sustained burn that would empty the budget in 5 days.
 * - 10% in 1 d and 10% in 3 d (ticket): slow leaks nobody needs to wake up for, but that would
 *   exhaust the budget before the period ends if nobody looks.
 * Kibana's burn-rate rule accepts long windows of 1-72 h, which this table respects.
 */
export const BURN_RATE_WINDOWS: readonly BurnRateWindow[] = [
  { id: 'page-fast', urgency: 'page', budgetConsumed: 0.02, longWindowMinutes: 60, shortWindowMinutes: 5, actionGroup: 'slo.burnRate.alert' },
  { id: 'page-slow', urgency: 'page', budgetConsumed: 0.05, longWindowMinutes: 360, shortWindowMinutes: 30, actionGroup: 'slo.burnRate.high' },
  { id: 'ticket-fast', urgency: 'ticket', budgetConsumed: 0.1, longWindowMinutes: 1440, shortWindowMinutes: 120, actionGroup: 'slo.burnRate.medium' },
  { id: 'ticket-slow', urgency: 'ticket', budgetConsumed: 0.1, longWindowMinutes: 4320, shortWindowMinutes: 360, actionGroup: 'slo.burnRate.low' },
];

/**
 * The feasibility lint requires at least this many expected events in every short window, so that
 * one bad request can never decide an alert on its own (1 bad event out of N must stay below the
 * window's threshold ratio) with a safety factor of 2.
 */
export const MIN_EVENTS_SAFETY_FACTOR = 2;
