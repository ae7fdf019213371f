/** Test helpers for alerts/: resources under a given environment, and secrets resolved like the engine does. */
import type { ConnectorResource, Resource, RuleResource, SloResource } from '../../model/resources.js';
import { alertResources } from '../index.js';

export const FULL_ENV = {
  ALERTS_RUNBOOK_BASE_URL: 'https://github.com/example/sample-service-observability/blob/main/alerts/runbooks',
  SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T000/B000/XXXX',
  PAGERDUTY_ROUTING_KEY: 'abcdefabcdefabcdefabcdefabcdef12',
  ALERT_WEBHOOK_URL: 'https://alerts.example.com/hook',
  ALERT_WEBHOOK_USER: 'alerts',
  ALERT_WEBHOOK_PASSWORD: 'not-a-real-password',
} as const;

export function resources(env: Record<string, string | undefined> = {}): Resource[] {
  return alertResources(env);
}
export const rules = (env: Record<string, string | undefined> = {}): RuleResource[] =>
  resources(env).filter((r): r is RuleResource => r.kind === 'kibana.rule');
export const slos = (): SloResource[] => resources().filter((r): r is SloResource => r.kind === 'kibana.slo');
export const connectors = (env: Record<string, string | undefined> = {}): ConnectorResource[] =>
  resources(env).filter((r): r is ConnectorResource => r.kind === 'kibana.connector');

/** Replaces every `{ fromEnv }` with a placeholder string, as the engine substitutes the value. */
export function resolveSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(resolveSecrets);
  if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    if (typeof obj.fromEnv === 'string' && Object.keys(obj).length === 1) return `<${obj.fromEnv}>`;
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, resolveSecrets(v)]));
  }
  return value;
}
