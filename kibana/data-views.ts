import type { Resource } from '../scripts/provision/resources.js';

export function dataViews(): Resource[] {
  return [];
}
