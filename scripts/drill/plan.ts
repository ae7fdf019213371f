/**
 * What a drill can show on this target: for every alert the scenario expects to fire or to stay
 * quiet, the rules that implement it on the detected licence, and, for the availability burn-rate
 * alerts, the minute the burn-rate math predicts they fire (alerts/drills.ts). A scenario that can
 * show nothing (every alert it expects to fire is missing on this licence, or cannot fire within
 * the chosen duration) is refused with the reasons.
 */
import { alertSpecs } from '../../alerts/catalogue.js';
import { RULE_INTERVAL } from '../../alerts/config.js';
import { predictDrill, type DrillScenario } from '../../alerts/drills.js';
import type { AlertId } from '../../alerts/ids.js';
import { ruleIdOf } from '../../alerts/rules/model.js';
import type { Resource } from '../../model/resources.js';
import { ENDPOINTS, type EndpointId } from '../traffic/endpoints.js';
import type { Scenario } from '../traffic/scenarios.js';

export interface Prediction {
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

  const expectation = (alertId: AlertId, expect: 'fire' | 'quiet'): Expectation => {
    const ids = rulesOf(alertId);
    const urgency = URGENCY_OF[alertId];
    const predicted = urgency === undefined ? undefined : { fresh: prediction.fresh[urgency], afterADayOfTraffic: prediction.afterADayOfTraffic[urgency] };
    const base = { alertId, expect, ruleIds: ids, ...(predicted ? { predicted } : {}) };
    if (ids.length === 0) return { ...base, skipped: `no rule implements it on a ${target.licence} licence` };
    if (expect === 'fire' && target.durationSeconds < RULE_INTERVAL_SECONDS) return { ...base, skipped: `${target.durationSeconds} s is shorter than the rules' ${RULE_INTERVAL} check interval` };
    if (expect === 'fire' && predicted !== undefined && predicted.fresh === undefined) {
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
