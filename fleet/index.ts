/** Fleet agent and package policies, as plain data (applied through the Fleet API by the engine). */
import type { Resource } from '../model/resources.js';
import { FLEET_POLICIES } from './policies.js';

export function fleetResources(): Resource[] {
  return [...FLEET_POLICIES];
}
