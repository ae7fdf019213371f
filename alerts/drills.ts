/**
 * What the burn-rate math predicts for a traffic scenario used as a fire drill: the availability
 * SLI's error ratio the scenario produces, and after how many minutes the page and the ticket fire,
 * both on a fresh cluster (no earlier data in the windows) and on one that has served a day of
 * normal traffic (the long windows then dilute the fault, and detection takes longer).
 *
 * The scenario shape is structural (scripts/traffic/scenarios.ts) so this module does not depend on
 * the traffic generator; only `paced` phases are modelled (fixed-count bursts are a handful of
 * requests and do not move a burn rate).
 */
import { EXPECTED_ERROR_RATIO, EXPECTED_TRAFFIC, OBJECTIVES, SLI_ROUTES, type Urgency } from './config.js';
import { simulate, type TrafficSegment } from './burn-rate.js';

export interface DrillPhase {
  readonly kind: string;
  readonly from?: number;
  readonly to?: number;
  readonly mix: Readonly<Record<string, number | undefined>>;
}

export interface DrillScenario {
  readonly name: string;
  readonly phases: readonly DrillPhase[];
  readonly recommendedDurationSeconds: number;
}

/** Designed failure ratio of each route (service/src): /api/error always fails, /api/flaky 30%. */
export const DESIGNED_ERROR_RATIO: Readonly<Record<string, number>> = {
  '/api/error': 1,
  '/api/flaky': EXPECTED_TRAFFIC.flakyErrorRatio,
};

export interface DrillPrediction {
  readonly scenario: string;
  readonly minutes: number;
  /** Error ratio of the availability SLI during the scenario's paced phases (weighted by time). */
  readonly errorRatio: number;
  /** Minutes from the scenario's start until each alert fires, undefined when it does not within the run. */
  readonly fresh: Readonly<Record<Urgency, number | undefined>>;
  readonly afterADayOfTraffic: Readonly<Record<Urgency, number | undefined>>;
}

/** One paced phase's SLI share of requests and error ratio. */
function phaseSli(mix: DrillPhase['mix'], routeOf: (endpoint: string) => string | undefined): { share: number; errorRatio: number } {
  const sli = new Set<string>(SLI_ROUTES.availability);
  let total = 0;
  let eligible = 0;
  let bad = 0;
  for (const [endpoint, weight = 0] of Object.entries(mix)) {
    total += weight;
    const route = routeOf(endpoint);
    if (route === undefined || !sli.has(route)) continue;
    eligible += weight;
    bad += weight * (DESIGNED_ERROR_RATIO[route] ?? 0);
  }
  return { share: total === 0 ? 0 : eligible / total, errorRatio: eligible === 0 ? 0 : bad / eligible };
}

export function predictDrill(
  scenario: DrillScenario,
  routeOf: (endpoint: string) => string | undefined,
  requestsPerSecond: number = EXPECTED_TRAFFIC.apiRequestsPerSecond,
): DrillPrediction {
  const minutes = Math.max(1, Math.round(scenario.recommendedDurationSeconds / 60));
  const segments: TrafficSegment[] = [];
  let weighted = 0;
  let covered = 0;
  for (const phase of scenario.phases) {
    if (phase.kind !== 'paced' || phase.from === undefined || phase.to === undefined) continue;
    const phaseMinutes = Math.max(1, Math.round((phase.to - phase.from) * minutes));
    const { share, errorRatio } = phaseSli(phase.mix, routeOf);
    segments.push({ minutes: phaseMinutes, perMinute: Math.round(requestsPerSecond * 60 * share), errorRatio });
    weighted += errorRatio * phaseMinutes;
    covered += phaseMinutes;
  }
  const history: TrafficSegment = { minutes: 24 * 60, perMinute: requestsPerSecond * 60, errorRatio: EXPECTED_ERROR_RATIO };
  const first = (segs: TrafficSegment[], offset: number): Record<Urgency, number | undefined> => {
    const result = simulate(segs, OBJECTIVES.availability);
    const at = (u: Urgency): number | undefined => {
      const m = result[u].firedAt.find((x) => x >= offset);
      return m === undefined ? undefined : m - offset + 1;
    };
    return { page: at('page'), ticket: at('ticket') };
  };
  return {
    scenario: scenario.name,
    minutes,
    errorRatio: covered === 0 ? 0 : weighted / covered,
    fresh: first(segments, 0),
    afterADayOfTraffic: first([history, ...segments], history.minutes),
  };
}
