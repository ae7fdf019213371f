/** The complete definition set the engine applies, gathered from elastic/, fleet/, kibana/ and alerts/. */
import { alertResources } from '../../alerts/index.js';
import { elasticResources } from '../../elastic/index.js';
import { fleetResources } from '../../fleet/index.js';
import { kibanaResources } from '../../kibana/index.js';
import type { Resource } from '../../model/resources.js';

/**
 * Definitions are plain data; the alerting settings (optional connectors, runbook base URL) are
 * read from `env`, the same environment the engine was given.
 */
export function allResources(env: Readonly<Record<string, string | undefined>> = process.env): Resource[] {
  return [...elasticResources(), ...fleetResources(), ...kibanaResources(), ...alertResources(env)];
}
