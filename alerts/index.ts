/** Every alerting object this project defines: connectors, SLOs and rules, as plain data. */
import type { Resource } from '../scripts/provision/resources.js';

export function alertResources(): Resource[] {
  return [];
}
