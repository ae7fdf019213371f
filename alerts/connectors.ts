/**
 * Where alerts go. The server log and the alert-history index always exist; Slack, PagerDuty and a
 * generic webhook exist only when their settings are provided (when.requiresEnv) and the licence
 * allows their type (when.licence, from CONNECTOR_TYPE_LICENCE), and their secrets are read from
 * the environment by the engine at apply time ({ fromEnv }).
 */
import { OWNER_PREFIX } from '../kibana/telemetry-fields.js';
import type { Applicability, ConnectorResource } from '../model/resources.js';
import { ENV, type AlertingSettings } from './settings.js';

export const CONNECTOR_IDS = {
  serverLog: `${OWNER_PREFIX}server-log`,
  history: `${OWNER_PREFIX}alert-history`,
  slack: `${OWNER_PREFIX}slack`,
  pagerDuty: `${OWNER_PREFIX}pagerduty`,
  webhook: `${OWNER_PREFIX}webhook`,
} as const;
export type ConnectorKey = keyof typeof CONNECTOR_IDS;

/**
 * The licence each connector type this project uses needs (`minimumLicenseRequired` in Kibana's
 * `x-pack/platform/plugins/shared/stack_connectors/server/connector_types/<type>/index.ts`). Kibana
 * answers 403 "Action type .slack is disabled because your basic license does not support it" when
 * one is created on a lower licence, so those connectors apply only from gold on.
 */
export const CONNECTOR_TYPE_LICENCE = {
  '.server-log': 'basic',
  '.index': 'basic',
  '.slack': 'gold',
  '.pagerduty': 'gold',
  '.webhook': 'gold',
} as const satisfies Record<string, 'basic' | 'gold' | 'platinum'>;
export type ConnectorTypeId = keyof typeof CONNECTOR_TYPE_LICENCE;

/** The licence condition of a connector of this type (none for types Basic allows). */
function licenceOf(type: ConnectorTypeId): Pick<Applicability, 'licence'> {
  const needed = CONNECTOR_TYPE_LICENCE[type];
  return needed === 'basic' ? {} : { licence: needed };
}

/**
 * The index the history connector writes one document per alert event into (owned by this
 * project: the `sample-service-` prefix keeps it out of the logs-*-* and metrics-*-* templates).
 */
export const ALERT_HISTORY_INDEX = `${OWNER_PREFIX}alert-history`;

export function connectorResources(settings: AlertingSettings): ConnectorResource[] {
  const webhookAuth = settings.webhook?.basicAuth === true;
  return [
    {
      kind: 'kibana.connector',
      id: CONNECTOR_IDS.serverLog,
      title: 'Server log (every alert, in the Kibana log)',
      body: { connector_type_id: '.server-log', name: '[Sample Service] Server log' },
    },
    {
      kind: 'kibana.connector',
      id: CONNECTOR_IDS.history,
      title: `Alert history index ${ALERT_HISTORY_INDEX}`,
      body: {
        connector_type_id: '.index',
        name: '[Sample Service] Alert history',
        config: { index: ALERT_HISTORY_INDEX, refresh: false, executionTimeField: '@timestamp' },
      },
    },
    {
      kind: 'kibana.connector',
      id: CONNECTOR_IDS.slack,
      title: 'Slack (pages and tickets)',
      when: { requiresEnv: [ENV.slackWebhookUrl], ...licenceOf('.slack') },
      body: {
        connector_type_id: '.slack',
        name: '[Sample Service] Slack',
        secrets: { webhookUrl: { fromEnv: ENV.slackWebhookUrl } },
      },
    },
    {
      kind: 'kibana.connector',
      id: CONNECTOR_IDS.pagerDuty,
      title: 'PagerDuty (pages only)',
      when: { requiresEnv: [ENV.pagerDutyRoutingKey], ...licenceOf('.pagerduty') },
      body: {
        connector_type_id: '.pagerduty',
        name: '[Sample Service] PagerDuty',
        config: { apiUrl: 'https://events.pagerduty.com/v2/enqueue' },
        secrets: { routingKey: { fromEnv: ENV.pagerDutyRoutingKey } },
      },
    },
    {
      kind: 'kibana.connector',
      id: CONNECTOR_IDS.webhook,
      title: 'Webhook (every alert as JSON)',
      when: { requiresEnv: webhookAuth ? [ENV.webhookUrl, ENV.webhookUser, ENV.webhookPassword] : [ENV.webhookUrl], ...licenceOf('.webhook') },
      body: {
        connector_type_id: '.webhook',
        name: '[Sample Service] Webhook',
        config: {
          // Webhook URLs carry tokens: a secret, never printed (Kibana keeps it in config, not secrets).
          url: { fromEnv: ENV.webhookUrl },
          method: 'post',
          headers: { 'Content-Type': 'application/json' },
          hasAuth: webhookAuth,
          ...(webhookAuth ? { authType: 'webhook-authentication-basic' } : {}),
        },
        ...(webhookAuth
          ? { secrets: { user: { fromEnv: ENV.webhookUser }, password: { fromEnv: ENV.webhookPassword } } }
          : { secrets: {} }),
      },
    },
  ];
}

/** Connectors rules may send to under these settings (optional ones only when configured). */
export function activeConnectors(settings: AlertingSettings): ReadonlySet<ConnectorKey> {
  const keys = new Set<ConnectorKey>(['serverLog', 'history']);
  if (settings.slack) keys.add('slack');
  if (settings.pagerDuty) keys.add('pagerDuty');
  if (settings.webhook !== undefined) keys.add('webhook');
  return keys;
}
