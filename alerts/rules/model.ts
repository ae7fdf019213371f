/**
 * One shape for every alert, and the one place that turns it into a Kibana rule body: severity,
 * summary, description naming the affected service/route/pod, runbook link (from ONE pattern),
 * actions per connector, investigation guide and tags are all added here, never by a rule file.
 */
import { OWNER_PREFIX, OWNER_TAG, SERVICE_NAME } from '../../kibana/telemetry-fields.js';
import type { Applicability, RuleAction, RuleResource } from '../../model/resources.js';
import { RULE_INTERVAL, type Severity, type Urgency } from '../config.js';
import { activeConnectors, CONNECTOR_IDS } from '../connectors.js';
import type { AlertId } from '../ids.js';
import type { AlertingSettings } from '../settings.js';
import type { SloKey } from '../slos.js';

export interface AlertSpec {
  readonly alertId: AlertId;
  /** Saved-object id; `sample-service-<alertId>` unless one alert is implemented by several rules. */
  readonly ruleId?: string;
  readonly name: string;
  readonly severity: Severity;
  readonly urgency: Urgency;
  /** One line: what is wrong, in the words a responder uses. */
  readonly summary: string;
  /** What the alert means, the affected scope and why it matters. */
  readonly description: string;
  /** Human form of the condition, e.g. "p99 event loop lag > 100 ms for 5 m". */
  readonly condition: string;
  /** Why the threshold has its value (from config.ts). */
  readonly why: string;
  readonly slo?: SloKey;
  readonly ruleTypeId: string;
  readonly consumer: string;
  readonly params: Readonly<Record<string, unknown>>;
  /** Every Elasticsearch field the rule queries. */
  readonly fields: readonly string[];
  /** Fields a responder reads to investigate (not queried by the rule); link the alert to dashboard panels. */
  readonly relatedFields?: readonly string[];
  readonly when?: Applicability;
  /** Check interval when it differs from RULE_INTERVAL (e.g. rules with day-long windows). */
  readonly interval?: string;
  /** Action groups that mean "firing" for this rule type. */
  readonly fireGroups: readonly string[];
  /**
   * Mustache lines naming what is affected, from the rule type's context variables (service,
   * route/transaction, pod) and the measured value.
   */
  readonly contextLines: readonly string[];
  /** Whether the rule type offers `context.alertDetailsUrl` / `context.viewInAppUrl`. */
  readonly hasAlertDetailsUrl: boolean;
}

export const RECOVERED_GROUP = 'recovered';

export function ruleIdOf(spec: Pick<AlertSpec, 'alertId' | 'ruleId'>): string {
  return spec.ruleId ?? `${OWNER_PREFIX}${spec.alertId}`;
}

/** The runbook file of an alert, named after its primary rule id: alerts/runbooks/sample-service-<alertId>.md. */
export function runbookFileName(alertId: AlertId): string {
  return `${OWNER_PREFIX}${alertId}.md`;
}

/** The ONE runbook link pattern. */
export function runbookUrl(settings: Pick<AlertingSettings, 'runbookBaseUrl'>, alertId: AlertId): string {
  return `${settings.runbookBaseUrl}/${runbookFileName(alertId)}`;
}

/** Kibana caps `artifacts.investigation_guide.blob` at 1000 characters (alerting route schema). */
export const INVESTIGATION_GUIDE_MAX = 1000;

export function investigationGuide(spec: AlertSpec, runbook: string): string {
  const head = [
    `## ${spec.name}`,
    '',
    `**${spec.severity.toUpperCase()} (${spec.urgency})**: ${spec.summary}`,
    '',
    `Runbook: ${runbook}`,
    '',
    `Condition: ${spec.condition}.`,
    '',
  ].join('\n');
  const room = INVESTIGATION_GUIDE_MAX - head.length - 'Why: '.length;
  const why = spec.why.length <= room ? spec.why : `${spec.why.slice(0, Math.max(0, room - 1))}…`;
  return `${head}Why: ${why}`;
}

function message(spec: AlertSpec, runbook: string, state: 'firing' | 'recovered'): string {
  const lines = [
    state === 'firing'
      ? `[${spec.severity.toUpperCase()}] ${spec.summary}`
      : `[RECOVERED] ${spec.summary}`,
    `Service: ${SERVICE_NAME} · rule ${spec.alertId} · ${spec.urgency}`,
    ...spec.contextLines,
    state === 'firing' ? `What it means: ${spec.description}` : 'The condition no longer holds.',
    `Condition: ${spec.condition}`,
    `Runbook: ${runbook}`,
    ...(spec.hasAlertDetailsUrl ? ['Alert details: {{context.alertDetailsUrl}}'] : []),
    'Rule: {{rule.name}} ({{rule.id}}), alert {{alert.id}}, group {{alert.actionGroup}}',
  ];
  return lines.join('\n');
}

function historyDocument(spec: AlertSpec, runbook: string, state: 'firing' | 'recovered'): Record<string, unknown> {
  return {
    '@timestamp': '{{date}}',
    event: { kind: 'alert', action: state },
    service: { name: SERVICE_NAME },
    rule: { id: '{{rule.id}}', name: '{{rule.name}}' },
    alert: {
      id: '{{alert.id}}',
      action_group: '{{alert.actionGroup}}',
      name: spec.alertId,
      severity: spec.severity,
      urgency: spec.urgency,
      summary: spec.summary,
      ...(spec.slo !== undefined ? { slo: spec.slo } : {}),
      runbook_url: runbook,
    },
    message: spec.contextLines.join(' | '),
  };
}

const ON_CHANGE = { summary: false, notify_when: 'onActionGroupChange', throttle: null } as const;

function actionsFor(spec: AlertSpec, settings: AlertingSettings, runbook: string): RuleAction[] {
  const connectors = activeConnectors(settings);
  const actions: RuleAction[] = [];
  const groups: Array<[string, 'firing' | 'recovered']> = [
    ...spec.fireGroups.map((g): [string, 'firing'] => [g, 'firing']),
    [RECOVERED_GROUP, 'recovered'],
  ];
  for (const [group, state] of groups) {
    const text = message(spec, runbook, state);
    actions.push({
      id: CONNECTOR_IDS.serverLog,
      group,
      params: { level: state === 'recovered' ? 'info' : spec.severity === 'critical' ? 'error' : 'warn', message: text },
      frequency: ON_CHANGE,
    });
    actions.push({
      id: CONNECTOR_IDS.history,
      group,
      params: { documents: [historyDocument(spec, runbook, state)] },
      frequency: ON_CHANGE,
    });
    if (connectors.has('slack')) actions.push({ id: CONNECTOR_IDS.slack, group, params: { message: text }, frequency: ON_CHANGE });
    if (connectors.has('webhook')) {
      actions.push({
        id: CONNECTOR_IDS.webhook,
        group,
        params: { body: JSON.stringify({ text, ...historyDocument(spec, runbook, state) }) },
        frequency: ON_CHANGE,
      });
    }
    // Only pages reach PagerDuty; tickets and warnings must never wake anyone.
    if (connectors.has('pagerDuty') && spec.urgency === 'page') {
      const dedupKey = `${ruleIdOf(spec)}-{{alert.id}}`;
      actions.push({
        id: CONNECTOR_IDS.pagerDuty,
        group,
        params:
          state === 'firing'
            ? {
                eventAction: 'trigger',
                dedupKey,
                summary: `[${spec.severity.toUpperCase()}] ${spec.summary}`.slice(0, 1024),
                severity: spec.severity === 'critical' ? 'critical' : 'warning',
                source: SERVICE_NAME,
                component: SERVICE_NAME,
                group: spec.slo !== undefined ? `slo:${spec.slo}` : spec.alertId,
                class: spec.alertId,
                links: [{ href: runbook, text: 'Runbook' }],
                customDetails: { details: text },
              }
            : { eventAction: 'resolve', dedupKey },
        frequency: ON_CHANGE,
      });
    }
  }
  return actions;
}

export function tagsFor(spec: AlertSpec): string[] {
  return [
    OWNER_TAG,
    `alert:${spec.alertId}`,
    `severity:${spec.severity}`,
    `urgency:${spec.urgency}`,
    ...(spec.slo !== undefined ? [`slo:${spec.slo}`] : []),
  ];
}

export function buildRule(spec: AlertSpec, settings: AlertingSettings): RuleResource {
  const runbook = runbookUrl(settings, spec.alertId);
  return {
    kind: 'kibana.rule',
    id: ruleIdOf(spec),
    title: spec.name,
    ...(spec.when !== undefined ? { when: spec.when } : {}),
    fields: [...new Set(spec.fields)].sort(),
    body: {
      name: spec.name,
      rule_type_id: spec.ruleTypeId,
      consumer: spec.consumer,
      schedule: { interval: spec.interval ?? RULE_INTERVAL },
      params: spec.params,
      actions: actionsFor(spec, settings, runbook),
      tags: tagsFor(spec),
      enabled: true,
      artifacts: { investigation_guide: { blob: investigationGuide(spec, runbook) } },
    },
  };
}
