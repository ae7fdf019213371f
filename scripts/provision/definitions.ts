/** The complete definition set the engine applies, gathered from elastic/, kibana/ and alerts/. */
import { alertResources } from '../../alerts/index.js';
import { elasticResources } from '../../elastic/index.js';
import { kibanaResources } from '../../kibana/index.js';
import type { Resource } from './resources.js';

export function allResources(): Resource[] {
  return [...elasticResources(), ...kibanaResources(), ...alertResources()];
}
