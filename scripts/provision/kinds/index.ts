/** The handler of every resource kind; the engine applies nothing without one (checked by the type). */
import type { Resource, ResourceKind } from '../../../model/resources.js';
import { componentTemplateHandler, ilmPolicyHandler, ingestPipelineHandler } from './elasticsearch.js';
import { agentPolicyHandler, packagePolicyHandler } from './fleet.js';
import { connectorHandler, dataViewHandler, ruleHandler, savedObjectHandler, sloHandler } from './kibana.js';
import type { KindHandler } from './types.js';

type Handlers = { readonly [K in ResourceKind]: KindHandler<Extract<Resource, { kind: K }>> };

export const HANDLERS: Handlers = {
  'es.ilm_policy': ilmPolicyHandler,
  'es.ingest_pipeline': ingestPipelineHandler,
  'es.component_template': componentTemplateHandler,
  'fleet.agent_policy': agentPolicyHandler,
  'fleet.package_policy': packagePolicyHandler,
  'kibana.data_view': dataViewHandler,
  'kibana.saved_object': savedObjectHandler,
  'kibana.connector': connectorHandler,
  'kibana.slo': sloHandler,
  'kibana.rule': ruleHandler,
};

export function handlerFor(kind: ResourceKind): KindHandler {
  return HANDLERS[kind] as unknown as KindHandler;
}
