/**
 * Burn-rate alerts for both SLOs, derived from the window table (config.ts) and each SLO's
 * objective: nothing here is typed in.
 * - With a platinum/enterprise/trial licence: `slo.rules.burnRate` rules on the SLOs (the SLO API
 *   does not create them). Page and ticket are separate rules so they route differently; the
 *   ticket rule is suppressed while the page rule fires (Kibana `dependencies`), so one incident
 *   does not also open a ticket.
 * - With a Basic licence (no SLOs): the same multiwindow condition on the availability SLI, with
 *   the custom threshold rule, one rule per window pair (its criteria are AND-ed, verified in
 *   Kibana's executor; the pairs of one alert are OR-ed by being separate rules).
 */
import { DATA_VIEW_IDS, LOG_FIELDS, SERVICE_NAME } from '../../kibana/telemetry-fields.js';
import { ACCESS_LOG_MESSAGE } from '../../service/src/telemetry/registry.js';
import { BASIC_RULE_INTERVAL_FRACTION_OF_SHORT_WINDOW, type Urgency } from '../config.js';
import type { AlertId } from '../ids.js';
import { anyOf, SLOS, type SloDefinition, type SloKey } from '../slos.js';
import { formatMinutes, toDuration, windowsFor, type ComputedWindow } from '../windows.js';
import { ruleIdOf, type AlertSpec } from './model.js';

const ALERT_ID: Record<SloKey, Record<Urgency, AlertId>> = {
  availability: { page: 'availability-burn-rate-page', ticket: 'availability-burn-rate-ticket' },
  latency: { page: 'latency-burn-rate-page', ticket: 'latency-burn-rate-ticket' },
};

export function burnRateAlertId(slo: SloKey, urgency: Urgency): AlertId {
  return ALERT_ID[slo][urgency];
}

function describeWindows(windows: readonly ComputedWindow[]): string {
  return windows
    .map(
      (w) =>
        `burn rate >= ${w.burnRateThreshold}x (error ratio >= ${(w.errorRatioThreshold * 100).toFixed(2)}%) over both ` +
        `${formatMinutes(w.longWindowMinutes)} and ${formatMinutes(w.shortWindowMinutes)}`,
    )
    .join(', or ');
}

function why(windows: readonly ComputedWindow[], slo: SloDefinition): string {
  return (
    windows
      .map((w) => `${w.budgetConsumed * 100}% of the ${slo.objective.periodDays}-day budget spent within ${formatMinutes(w.longWindowMinutes)}`)
      .join('; ') +
    ` (Google SRE workbook multiwindow table). The short window (1/12 of the long) makes the alert recover minutes after the burn stops. ${slo.objective.why}`
  );
}

const SCOPE: Record<SloKey, string> = {
  availability: `routes ${SLOS.availability.routes.join(', ')}`,
  latency: `routes ${SLOS.latency.routes.join(', ')}`,
};

function common(slo: SloDefinition, urgency: Urgency): Omit<AlertSpec, 'ruleTypeId' | 'consumer' | 'params' | 'fields' | 'fireGroups' | 'contextLines' | 'hasAlertDetailsUrl' | 'when'> {
  const windows = windowsFor(slo.objective, urgency);
  const what = slo.key === 'availability' ? 'error budget (5xx)' : 'latency budget';
  return {
    alertId: burnRateAlertId(slo.key, urgency),
    name: `[Sample Service] ${slo.key === 'availability' ? 'Availability' : 'Latency'} SLO burn rate (${urgency})`,
    severity: urgency === 'page' ? 'critical' : 'warning',
    urgency,
    slo: slo.key,
    summary:
      urgency === 'page'
        ? `${SERVICE_NAME} is burning its ${slo.key} ${what} fast enough to exhaust it within days`
        : `${SERVICE_NAME} is slowly leaking its ${slo.key} ${what}`,
    description:
      `${slo.name}: ${slo.description} Good event: ${slo.good}. Affected: service ${SERVICE_NAME}, ${SCOPE[slo.key]}. ` +
      (urgency === 'page' ? 'Users are affected now.' : 'Not urgent, but the budget will run out before the period ends if nobody acts.'),
    condition: describeWindows(windows),
    why: why(windows, slo),
  };
}

/** `slo.rules.burnRate` for one SLO and urgency (platinum). */
export function sloBurnRateSpec(slo: SloDefinition, urgency: Urgency): AlertSpec {
  const windows = windowsFor(slo.objective, urgency);
  const pageRuleId = ruleIdOf({ alertId: burnRateAlertId(slo.key, 'page') });
  return {
    ...common(slo, urgency),
    ruleTypeId: 'slo.rules.burnRate',
    // Kibana's own SLO UI creates burn-rate rules with consumer "slo" (createBurnRateRuleRequestBody).
    consumer: 'slo',
    when: { licence: 'platinum' },
    params: {
      sloId: slo.id,
      windows: windows.map((w) => ({
        id: w.id,
        actionGroup: w.actionGroup,
        burnRateThreshold: w.burnRateThreshold,
        maxBurnRateThreshold: w.maxBurnRateThreshold,
        longWindow: toDuration(w.longWindowMinutes),
        shortWindow: toDuration(w.shortWindowMinutes),
      })),
      ...(urgency === 'ticket'
        ? { dependencies: [{ ruleId: pageRuleId, actionGroupsToSuppressOn: windowsFor(slo.objective, 'page').map((w) => w.actionGroup) }] }
        : {}),
    },
    // The SLO's own fields; the rule reads the SLO's summary and rollup indices, not the source data.
    fields: [],
    fireGroups: windows.map((w) => w.actionGroup),
    contextLines: [
      '{{context.reason}}',
      'SLO {{context.sloName}}: burn rate {{context.longWindow.burnRate}} over {{context.longWindow.duration}} and {{context.shortWindow.burnRate}} over {{context.shortWindow.duration}} (threshold {{context.burnRateThreshold}}); SLI {{context.sliValue}}, error budget remaining {{context.sloErrorBudgetRemaining}}',
      `Affected: service ${SERVICE_NAME}, ${SCOPE[slo.key]}`,
      'SLO details: {{context.viewInAppUrl}}',
    ],
    hasAlertDetailsUrl: true,
  };
}

/** The access-log selectors of the Basic fallback: one access line per request (the registry's ACCESS_LOG_MESSAGE). */
export function basicSliFilters(): { total: string; bad: string } {
  const total =
    `${LOG_FIELDS.serviceName} : ${JSON.stringify(SERVICE_NAME)} and ${LOG_FIELDS.message} : ${JSON.stringify(ACCESS_LOG_MESSAGE)} and ` +
    anyOf(LOG_FIELDS.route, SLOS.availability.routes);
  return { total, bad: `${total} and ${LOG_FIELDS.statusCode} >= 500` };
}

/**
 * The Basic-licence fallback of the availability burn-rate alerts: one custom threshold rule per
 * window pair, A/B = the 5xx ratio of the SLO's requests, counted from access logs.
 * Why logs and not the Prometheus counter: the custom threshold rule only accepts a per-metric
 * filter on `count` (a `sum` metric has `filter: never` in its params schema), and the 5xx share
 * needs a filtered sum on the counter. The access log has exactly one line per request with the
 * same route template and status code, so the counted requests are the SLO's requests.
 */
export function basicBurnRateSpecs(): AlertSpec[] {
  const slo = SLOS.availability;
  const { total, bad } = basicSliFilters();
  const specs: AlertSpec[] = [];
  for (const urgency of ['page', 'ticket'] as const) {
    for (const w of windowsFor(slo.objective, urgency)) {
      const criterion = (minutes: number): Record<string, unknown> => {
        const d = toDuration(minutes);
        return {
          comparator: '>=',
          threshold: [w.errorRatioThreshold],
          timeSize: d.value,
          timeUnit: d.unit,
          metrics: [
            { name: 'A', aggType: 'count', filter: bad },
            { name: 'B', aggType: 'count', filter: total },
          ],
          equation: 'A / B',
          label: `5xx ratio over ${formatMinutes(minutes)}`,
        };
      };
      const base = common(slo, urgency);
      specs.push({
        ...base,
        ruleId: `${ruleIdOf({ alertId: base.alertId })}-${formatMinutes(w.longWindowMinutes)}-basic`,
        name: `${base.name} ${formatMinutes(w.longWindowMinutes)}/${formatMinutes(w.shortWindowMinutes)} [Basic licence]`,
        condition: describeWindows([w]),
        why: why([w], slo),
        ruleTypeId: 'observability.rules.custom_threshold',
        // Consumer "logs": the Logs feature registers it for custom threshold rules, on stateful and
        // Serverless (test/provision/rule-consumers.test.ts, docs/fidelity.md).
        consumer: 'logs',
        when: { licence: 'basic-only' },
        interval: `${Math.max(1, Math.round(w.shortWindowMinutes * BASIC_RULE_INTERVAL_FRACTION_OF_SHORT_WINDOW))}m`,
        params: {
          criteria: [criterion(w.longWindowMinutes), criterion(w.shortWindowMinutes)],
          alertOnNoData: false,
          alertOnGroupDisappear: false,
          searchConfiguration: { index: DATA_VIEW_IDS.logs, query: { query: '', language: 'kuery' } },
        },
        fields: ['@timestamp', LOG_FIELDS.serviceName, LOG_FIELDS.message, LOG_FIELDS.route, LOG_FIELDS.statusCode],
        fireGroups: ['custom_threshold.fired'],
        contextLines: [
          '{{context.reason}}',
          `5xx ratio (long window, short window): {{context.value}}; page/ticket threshold ${(w.errorRatioThreshold * 100).toFixed(2)}% = ${w.burnRateThreshold}x the ${((1 - slo.objective.target) * 100).toFixed(2)}% budget`,
          `Affected: service ${SERVICE_NAME}, ${SCOPE.availability}`,
          'Open in app: {{context.viewInAppUrl}}',
        ],
        hasAlertDetailsUrl: true,
      });
    }
  }
  return specs;
}

export function burnRateSpecs(): AlertSpec[] {
  const out: AlertSpec[] = [];
  for (const slo of Object.values(SLOS)) for (const urgency of ['page', 'ticket'] as const) out.push(sloBurnRateSpec(slo, urgency));
  return [...out, ...basicBurnRateSpecs()];
}
