/** Every Kibana object this project defines, as plain data for the provisioning engine. */
import type { Resource } from '../model/resources.js';
import { dataViews } from './data-views.js';
import { savedSearches } from './saved-searches.js';
import { dashboards } from './dashboards/index.js';

export function kibanaResources(): Resource[] {
  return [...dataViews(), ...savedSearches(), ...dashboards()];
}
