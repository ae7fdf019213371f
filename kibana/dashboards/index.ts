import type { Resource } from '../../scripts/provision/resources.js';

export function dashboards(): Resource[] {
  return [];
}
