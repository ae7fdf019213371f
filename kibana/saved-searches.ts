import type { Resource } from '../scripts/provision/resources.js';

export function savedSearches(): Resource[] {
  return [];
}
