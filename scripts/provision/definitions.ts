/** The complete definition set the engine applies, gathered from elastic/, fleet/, kibana/ and alerts/. */
import { alertResources } from '../../alerts/index.js';
import { elasticResources } from '../../elastic/index.js';
import { fleetResources } from '../../fleet/index.js';
import { kibanaResources } from '../../kibana/index.js';
import type { Resource } from './resources.js';

export function allResources(): Resource[] {
  return [...elasticResources(), ...fleetResources(), ...kibanaResources(), ...alertResources()];
}
