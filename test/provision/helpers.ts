/** Shared helpers for the provisioning tests: run the engine as a function against the test double. */
import { allResources } from '../../scripts/provision/definitions.js';
import { provision, type ProvisionDeps, type ProvisionResult } from '../../scripts/provision/engine.js';
import type { ProvisionOptions } from '../../scripts/provision/config.js';
import { secretEnvNames } from '../../scripts/provision/kinds/types.js';
import type { Resource } from '../../scripts/provision/resources.js';
import type { StackDouble } from '../support/stack-double.js';

export const API_KEY = 'VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw==';

/** Every optional and secret environment variable the definitions read, set to recognisable secret values. */
export function definitionEnv(resources: readonly Resource[] = allResources()): Record<string, string> {
  const env: Record<string, string> = {};
  for (const r of resources) {
    for (const name of [...(r.when?.requiresEnv ?? []), ...secretEnvNames(r)]) env[name] = `https://secret.example/${name}/s3cr3t-value-${name.length}`;
  }
  return env;
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
