/** Shared helpers for the provisioning tests: run the engine as a function against the test double. */
import { ENV as ALERT_ENV } from '../../alerts/settings.js';
import { allResources } from '../../scripts/provision/definitions.js';
import { provision, type ProvisionDeps, type ProvisionResult } from '../../scripts/provision/engine.js';
import type { ProvisionOptions } from '../../scripts/provision/config.js';
import { secretEnvNames } from '../../model/resources.js';
import type { StackDouble } from '../support/stack-double.js';

export const API_KEY = 'VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw==';

/** Valid values for the alerting settings, so that every optional connector is defined. */
const ALERT_VALUES: Record<string, string> = {
  [ALERT_ENV.slackWebhookUrl]: 'https://hooks.slack.example/services/T0/B0/s3cr3tSlackWebhookToken',
  [ALERT_ENV.pagerDutyRoutingKey]: 'S3cr3tRoutingKey0123456789abcdef',
  [ALERT_ENV.webhookUrl]: 'https://alerts.example/hook',
  [ALERT_ENV.webhookUser]: 'webhook-user-s3cr3t',
  [ALERT_ENV.webhookPassword]: 'webhook-password-s3cr3t',
};

/**
 * An environment in which every definition applies: the alerting settings above, plus a value for
 * any other variable a definition requires or reads a secret from.
 */
export function definitionEnv(): Record<string, string> {
  const env: Record<string, string> = { ...ALERT_VALUES };
  for (const r of allResources(env)) {
    for (const name of [...(r.when?.requiresEnv ?? []), ...secretEnvNames(r)]) env[name] ??= `s3cr3t-value-of-${name}`;
  }
  return env;
}

/** The values of every variable the definitions read as a secret (`{ fromEnv }`). */
export function definitionSecrets(): string[] {
  const env = definitionEnv();
  const names = new Set(allResources(env).flatMap((r) => secretEnvNames(r)));
  return [...names].map((n) => env[n] as string);
}

export interface Run {
  readonly result: ProvisionResult;
  readonly out: string;
  readonly err: string;
}

export async function runEngine(
  options: ProvisionOptions,
  env: NodeJS.ProcessEnv,
  extra: Partial<Omit<ProvisionDeps, 'env' | 'stdout' | 'stderr'>> = {},
): Promise<Run> {
  let out = '';
  let err = '';
  const result = await provision(options, {
    env,
    stdout: { write: (s) => void (out += s) },
    stderr: { write: (s) => void (err += s) },
    sleep: async () => undefined,
    retry: { attempts: 4, baseDelayMs: 1, maxDelayMs: 2 },
    ...extra,
  });
  return { result, out, err };
}

export function targetEnv(double: StackDouble, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { KIBANA_URL: double.kibanaUrl, ELASTICSEARCH_URL: double.esUrl, ELASTIC_API_KEY: API_KEY, ...definitionEnv(), ...extra };
}
