/**
 * What a drill can show on this target: for every alert the scenario expects to fire or to stay
 * quiet, the rules that implement it on the detected licence, and, for the availability burn-rate
 * alerts, the minute the burn-rate math predicts they fire (alerts/drills.ts; the error-log alert from
 * its count threshold, shown but never a reason to refuse). A scenario that can
 * show nothing (every alert it expects to fire is missing on this licence, or cannot fire within
 * the chosen duration) is refused with the reasons.
 */
import { alertSpecs } from '../../alerts/catalogue.js';
import { RULE_INTERVAL, THRESHOLDS } from '../../alerts/config.js';
import { DESIGNED_ERROR_RATIO, predictDrill, type DrillScenario } from '../../alerts/drills.js';
import type { AlertId } from '../../alerts/ids.js';
import { ruleIdOf } from '../../alerts/rules/model.js';
import type { Resource } from '../../model/resources.js';
import { ENDPOINTS, type EndpointId } from '../traffic/endpoints.js';
import type { Scenario } from '../traffic/scenarios.js';

export interface Prediction {
  /** What predicts it: the SLO burn-rate windows, or the log rule's count threshold. */
  readonly model: 'burn-rate' | 'log-count';
  /** Minutes from the start until it fires on a cluster with no earlier traffic. */
  readonly fresh: number | undefined;
  /** The same after a day of normal traffic (the long windows dilute the fault). */
  readonly afterADayOfTraffic: number | undefined;
}

export interface Expectation {
  readonly alertId: AlertId;
  readonly expect: 'fire' | 'quiet';
  /** Rule ids that implement the alert here (several on Basic: one per window pair). */
  readonly ruleIds: readonly string[];
  readonly predicted?: Prediction;
  /** Why it is not checked. */
  readonly skipped?: string;
}

export interface DrillPlan {
  readonly scenario: Scenario;
  readonly durationSeconds: number;
  readonly rps: number;
  readonly expectations: readonly Expectation[];
  /** Set when the drill cannot show anything: the reasons. */
  readonly refusal?: string;
}

const URGENCY_OF: Partial<Record<AlertId, 'page' | 'ticket'>> = {
  'availability-burn-rate-page': 'page',
  'availability-burn-rate-ticket': 'ticket',
};

/** The rule check interval, in seconds: a run shorter than this is never evaluated by a rule. */
const RULE_INTERVAL_SECONDS = Number.parseInt(RULE_INTERVAL, 10) * 60;

const routeOf = (endpoint: string): string | undefined => ENDPOINTS[endpoint as EndpointId]?.route;

export function planDrill(scenario: Scenario, target: { applicable: readonly Resource[]; licence: string; durationSeconds: number; rps: number }): DrillPlan {
  const ruleIds = new Set(target.applicable.filter((r) => r.kind === 'kibana.rule').map((r) => r.id));
  const rulesOf = (alertId: AlertId): string[] => alertSpecs().filter((s) => s.alertId === alertId).map(ruleIdOf).filter((id) => ruleIds.has(id));
  const prediction = predictDrill({ ...scenario, recommendedDurationSeconds: target.durationSeconds } as DrillScenario, routeOf, target.rps);
  const logSpikeMinute = predictLogSpike(scenario, target.durationSeconds, target.rps);
  const logSpike: Prediction = { model: 'log-count', fresh: logSpikeMinute, afterADayOfTraffic: logSpikeMinute };

  const expectation = (alertId: AlertId, expect: 'fire' | 'quiet'): Expectation => {
    const ids = rulesOf(alertId);
    const urgency = URGENCY_OF[alertId];
    const predicted: Prediction | undefined =
      urgency !== undefined
        ? { model: 'burn-rate', fresh: prediction.fresh[urgency], afterADayOfTraffic: prediction.afterADayOfTraffic[urgency] }
        : alertId === 'error-log-spike'
          ? logSpike
          : undefined;
    const base = { alertId, expect, ruleIds: ids, ...(predicted ? { predicted } : {}) };
    if (ids.length === 0) return { ...base, skipped: `no rule implements it on a ${target.licence} licence` };
    if (expect === 'fire' && target.durationSeconds < RULE_INTERVAL_SECONDS) return { ...base, skipped: `${target.durationSeconds} s is shorter than the rules' ${RULE_INTERVAL} check interval` };
    if (expect === 'fire' && predicted?.model === 'burn-rate' && predicted.fresh === undefined) {
      return { ...base, skipped: `the burn-rate math predicts it does not fire within ${target.durationSeconds} s at ${target.rps} rps (recommended: ${scenario.recommendedDurationSeconds} s)` };
    }
    return base;
  };
  const expectations = [...scenario.expectFire.map((a) => expectation(a, 'fire')), ...scenario.expectQuiet.map((a) => expectation(a, 'quiet'))];
  const fire = expectations.filter((e) => e.expect === 'fire');
  let refusal: string | undefined;
  if (fire.length > 0 && fire.every((e) => e.skipped !== undefined)) {
    refusal = `scenario ${scenario.name} cannot show any of the alerts it should fire here:\n${fire.map((e) => `  - ${e.alertId}: ${e.skipped}`).join('\n')}`;
  } else if (expectations.every((e) => e.skipped !== undefined)) {
    refusal = `scenario ${scenario.name} checks no rule that exists here (licence ${target.licence})`;
  }
  return { scenario, durationSeconds: target.durationSeconds, rps: target.rps, expectations, ...(refusal ? { refusal } : {}) };
}

/**
 * The minute the error-log rule fires: more than THRESHOLDS.errorLogSpike.count error lines in its
 * window, counting one error-level access line per 5xx (the service logs each 5xx at error level;
 * other error lines only make it earlier). Paced phases only, as the burn-rate prediction.
 */
export function predictLogSpike(scenario: Scenario, durationSeconds: number, rps: number): number | undefined {
  const { count, windowMinutes } = THRESHOLDS.errorLogSpike;
  const minutes = Math.max(1, Math.round(durationSeconds / 60));
  const perMinute = Array.from({ length: minutes }, () => 0);
  for (const phase of scenario.phases) {
    if (phase.kind !== 'paced') continue;
    const weights = Object.entries(phase.mix) as Array<[EndpointId, number]>;
    const total = weights.reduce((sum, [, w]) => sum + w, 0);
    const errorShare = total === 0 ? 0 : weights.reduce((sum, [id, w]) => sum + w * (DESIGNED_ERROR_RATIO[ENDPOINTS[id].route] ?? 0), 0) / total;
    for (let m = Math.floor(phase.from * minutes); m < Math.round(phase.to * minutes); m++) perMinute[m] = (perMinute[m] ?? 0) + rps * 60 * errorShare;
  }
  for (let m = 0; m < minutes; m++) {
    const inWindow = perMinute.slice(Math.max(0, m - windowMinutes + 1), m + 1).reduce((a, b) => a + b, 0);
    if (inWindow > count) return m + 1;
  }
  return undefined;
}
