/** Elasticsearch objects this project defines: index lifecycle and templates, as plain data. */
import type { Resource } from '../model/resources.js';
import { lifecycleResources } from './lifecycle.js';

export function elasticResources(): Resource[] {
  return [...lifecycleResources()];
}
