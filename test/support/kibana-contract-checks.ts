/**
 * How the project's Kibana request bodies are checked against Elastic's published OpenAPI files,
 * where those files need help (see ../shared/contracts/README.md, "Caveats for contract tests"):
 * - the create-rule body is a oneOf by `rule_type_id`: a body is checked against its own branch;
 *   rule types newer than the 8.x bundle have none, so their common fields are checked through a
 *   generic branch and `params` only for being an object;
 * - SLO indicators and connector update bodies are oneOfs that cannot tell their members apart:
 *   each is checked against the schema of its own type.
 * Both the alerting tests and the `--print` contract test use these, so the two cannot drift.
 */
import type { OpenApiContract } from './openapi.js';

/** Connector type -> its update request schema in the actions bundle. */
export const UPDATE_CONNECTOR_SCHEMAS: Readonly<Record<string, string>> = {
  '.bedrock': 'update_connector_request_bedrock',
  '.cases-webhook': 'update_connector_request_cases_webhook',
  '.d3security': 'update_connector_request_d3security',
  '.email': 'update_connector_request_email',
  '.index': 'update_connector_request_index',
  '.jira': 'update_connector_request_jira',
  '.opsgenie': 'update_connector_request_opsgenie',
  '.pagerduty': 'update_connector_request_pagerduty',
  '.resilient': 'update_connector_request_resilient',
  '.server-log': 'update_connector_request_serverlog',
  '.servicenow': 'update_connector_request_servicenow',
  '.servicenow-itom': 'update_connector_request_servicenow_itom',
  '.slack_api': 'update_connector_request_slack_api',
  '.slack': 'update_connector_request_slack_webhook',
  '.swimlane': 'update_connector_request_swimlane',
  '.teams': 'update_connector_request_teams',
  '.tines': 'update_connector_request_tines',
  '.torq': 'update_connector_request_torq',
  '.webhook': 'update_connector_request_webhook',
  '.xmatters': 'update_connector_request_xmatters',
};

/** SLO indicator type -> its schema in the SLO bundle. */
export const SLO_INDICATOR_SCHEMAS: Readonly<Record<string, string>> = {
  'sli.kql.custom': 'indicator_properties_custom_kql',
  'sli.apm.transactionErrorRate': 'indicator_properties_apm_availability',
  'sli.apm.transactionDuration': 'indicator_properties_apm_latency',
  'sli.metric.custom': 'indicator_properties_custom_metric',
  'sli.histogram.custom': 'indicator_properties_histogram',
  'sli.metric.timeslice': 'indicator_properties_timeslice_metric',
};

/** rule_type_id -> the create-rule branch of the alerting bundle that models it (read from the spec). */
function ruleBranches(contract: OpenApiContract): Map<string, string> {
  const schemas = (contract.doc.components as { schemas: Record<string, { oneOf?: Array<{ $ref: string }>; properties?: { rule_type_id?: { enum?: string[] } } }> }).schemas;
  const map = new Map<string, string>();
  for (const ref of schemas.create_rule_request?.oneOf ?? []) {
    const name = ref.$ref.split('/').at(-1) as string;
    for (const type of schemas[name]?.properties?.rule_type_id?.enum ?? []) map.set(type, name);
  }
  return map;
}

export interface RuleCheck {
  readonly errors: string[];
  /** False when the bundle has no branch for the rule type, so `params` was not checked. */
  readonly modelled: boolean;
}

/** Checks a create-rule body against the legacy alerting bundle (see the module comment). */
export function ruleCreateErrors(contract: OpenApiContract, body: { rule_type_id?: string; params?: unknown }): RuleCheck {
  const branch = ruleBranches(contract).get(body.rule_type_id ?? '');
  if (branch !== undefined) return { errors: contract.validate(`contract#/components/schemas/${branch}`, body), modelled: true };
  const errors = contract
    .validate('contract#/components/schemas/create_index_threshold_rule_request', { ...body, rule_type_id: '.index-threshold' })
    .filter((e) => !e.startsWith('/params'));
  if (typeof body.params !== 'object' || body.params === null) errors.push('/params must be an object');
  return { errors, modelled: false };
}

/** Checks an SLO create or update body: the indicator against its own type's schema, the rest as published. */
export function sloErrors(contract: OpenApiContract, method: string, path: string, body: unknown): string[] {
  const indicator = (body as { indicator?: { type?: string } }).indicator;
  const schema = SLO_INDICATOR_SCHEMAS[indicator?.type ?? ''];
  if (schema === undefined) return [`/indicator has no schema known for type ${String(indicator?.type)}`];
  return [
    ...contract.validate(`contract#/components/schemas/${schema}`, indicator).map((e) => `/indicator${e}`),
    ...contract.validateRequest(method, path, body).filter((e) => !e.startsWith('/indicator')),
  ];
}

/** Checks a connector update body against the schema of its connector type. */
export function connectorUpdateErrors(contract: OpenApiContract, connectorType: string, body: unknown): string[] {
  const schema = UPDATE_CONNECTOR_SCHEMAS[connectorType];
  if (schema === undefined) return [`no update schema known for connector type ${connectorType}`];
  return contract.validate(`contract#/components/schemas/${schema}`, body);
}

/** An ajv "additional property" error: 9.x bodies may carry fields the 8.x bundles do not model. */
export function isAdditionalPropertyError(message: string): boolean {
  return message.includes('must NOT have additional properties');
}
