/**
 * The alerting settings a user provides through the environment, read and validated in one place.
 * Every problem is reported at once; secret values are never echoed.
 *
 *   ALERTS_RUNBOOK_BASE_URL   where runbooks are browsed, e.g. https://github.com/acme/obs/blob/main/alerts/runbooks
 *                             (default: the repository path alerts/runbooks)
 *   SLACK_WEBHOOK_URL         adds a Slack connector (incoming webhook; stored as a connector secret)
 *   PAGERDUTY_ROUTING_KEY     adds a PagerDuty connector for pages (Events API v2 integration key)
 *   ALERT_WEBHOOK_URL         adds a generic webhook connector (JSON POST of every alert)
 *   ALERT_WEBHOOK_USER / ALERT_WEBHOOK_PASSWORD   optional basic auth for that webhook (secrets)
 */

export const ENV = {
  runbookBaseUrl: 'ALERTS_RUNBOOK_BASE_URL',
  slackWebhookUrl: 'SLACK_WEBHOOK_URL',
  pagerDutyRoutingKey: 'PAGERDUTY_ROUTING_KEY',
  webhookUrl: 'ALERT_WEBHOOK_URL',
  webhookUser: 'ALERT_WEBHOOK_USER',
  webhookPassword: 'ALERT_WEBHOOK_PASSWORD',
} as const;

export const DEFAULT_RUNBOOK_BASE_URL = 'alerts/runbooks';

export interface AlertingSettings {
  /** Base of every runbook link, without a trailing slash. */
  readonly runbookBaseUrl: string;
  readonly slack: boolean;
  readonly pagerDuty: boolean;
  /** Present when the webhook connector is configured (the URL is connector config, not a secret, in Kibana). */
  readonly webhook?: { readonly url: string; readonly basicAuth: boolean };
}

export class AlertingConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`invalid alerting settings:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'AlertingConfigError';
    this.problems = problems;
  }
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

export function loadAlertingSettings(env: Readonly<Record<string, string | undefined>> = process.env): AlertingSettings {
  const problems: string[] = [];
  const get = (name: string): string | undefined => {
    const v = env[name]?.trim();
    return v === undefined || v === '' ? undefined : v;
  };

  const base = (get(ENV.runbookBaseUrl) ?? DEFAULT_RUNBOOK_BASE_URL).replace(/\/+$/, '');
  if (!isHttpUrl(base) && (/^[a-z][a-z0-9+.-]*:/i.test(base) || base.startsWith('/') || base.includes('..'))) {
    problems.push(`${ENV.runbookBaseUrl} must be an http(s) URL or a repository-relative path (got ${JSON.stringify(base)})`);
  }

  const slack = get(ENV.slackWebhookUrl);
  if (slack !== undefined && !slack.startsWith('https://')) {
    problems.push(`${ENV.slackWebhookUrl} must be an https:// Slack incoming-webhook URL (value not shown)`);
  }

  const routingKey = get(ENV.pagerDutyRoutingKey);
  if (routingKey !== undefined && !/^[A-Za-z0-9]{32}$/.test(routingKey)) {
    problems.push(`${ENV.pagerDutyRoutingKey} must be the 32-character Events API v2 integration key (value not shown)`);
  }

  const webhookUrl = get(ENV.webhookUrl);
  const user = get(ENV.webhookUser);
  const password = get(ENV.webhookPassword);
  if (webhookUrl !== undefined && !isHttpUrl(webhookUrl)) problems.push(`${ENV.webhookUrl} must be an http(s) URL`);
  if ((user === undefined) !== (password === undefined)) {
    problems.push(`${ENV.webhookUser} and ${ENV.webhookPassword} must be set together`);
  }
  if (user !== undefined && webhookUrl === undefined) problems.push(`${ENV.webhookUser} is set but ${ENV.webhookUrl} is not`);

  if (problems.length > 0) throw new AlertingConfigError(problems);
  return Object.freeze({
    runbookBaseUrl: base,
    slack: slack !== undefined,
    pagerDuty: routingKey !== undefined,
    ...(webhookUrl !== undefined ? { webhook: { url: webhookUrl, basicAuth: user !== undefined } } : {}),
  });
}
