import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { contractFile } from '../../test/support/contracts.js';
import { OpenApiContract } from '../../test/support/openapi.js';
import { connectors, FULL_ENV, resolveSecrets, rules, slos } from './support.js';

/**
 * The legacy (8.x-layout) alerting and actions specs are a lower bound for 9.x (contracts README):
 * 9.x accepts fields they do not model (e.g. `artifacts`). Those "additional property" complaints
 * are tolerated for the documented 9.x additions only; every other violation fails.
 */
const NINE_X_ADDITIONS = new Set(['artifacts']);

function significant(errors: string[]): string[] {
  return errors.filter((e) => {
    const m = /must NOT have additional properties \{"additionalProperty":"([^"]+)"\}/.exec(e);
    return !(m && NINE_X_ADDITIONS.has(m[1] ?? ''));
  });
}

/**
 * The legacy spec's create-rule body is a oneOf of one schema per rule type. Each body is checked
 * against its own rule type's schema (clearer errors than the whole oneOf). Rule types the 8.x
 * spec does not model (the custom threshold rule) are checked against the common envelope: the
 * `.es-query` schema with `params` and `rule_type_id` opened up, so name, consumer, schedule,
 * actions and tags are still validated.
 */
const BRANCH: Record<string, string> = {
  '.es-query': 'create_es_query_rule_request',
  'apm.transaction_duration': 'create_apm_transaction_duration_rule_request',
  'slo.rules.burnRate': 'create_slo_burn_rate_rule_request',
};
const ENVELOPE = 'x_test_rule_envelope';

function ruleValidator(contract: OpenApiContract): (body: { rule_type_id: string }) => string[] {
  const schemas = (contract.doc.components as { schemas: Record<string, Record<string, unknown>> }).schemas;
  const esQuery = schemas.create_es_query_rule_request as { properties: Record<string, unknown> };
  schemas[ENVELOPE] = { ...esQuery, properties: { ...esQuery.properties, params: { type: 'object' }, rule_type_id: { type: 'string' } } };
  return (body) => {
    const branch = BRANCH[body.rule_type_id] ?? ENVELOPE;
    return significant(contract.validate(`contract#/components/schemas/${branch}`, body));
  };
}

describe('alerting bodies validate against Elastic OpenAPI contracts', () => {
  test('every rule body validates against its rule type in the alerting create-rule contract', (t) => {
    const c = contractFile('kibana-alerting-legacy-bundled.yaml');
    if (c.skip !== undefined) return t.skip(c.skip);
    const contract = new OpenApiContract(c.path);
    assert.ok(contract.findOperation('post', '/s/default/api/alerting/rule/sample-service-x'), 'create-rule operation exists');
    const validate = ruleValidator(contract);
    const all = [...rules({}), ...rules(FULL_ENV)];
    assert.ok(all.length > 0);
    for (const rule of all) {
      const errors = validate(rule.body);
      assert.deepEqual(errors, [], `${rule.id}: ${errors.join('; ')}`);
    }
  });

  test('a rule body with a wrong type is rejected by the same check (the check can fail)', (t) => {
    const c = contractFile('kibana-alerting-legacy-bundled.yaml');
    if (c.skip !== undefined) return t.skip(c.skip);
    const validate = ruleValidator(new OpenApiContract(c.path));
    for (const rule of rules({}).slice(0, 1).concat(rules({}).filter((r) => r.body.rule_type_id === 'observability.rules.custom_threshold').slice(0, 1))) {
      assert.notDeepEqual(validate({ ...rule.body, schedule: { interval: 60 } } as never), [], rule.id);
    }
  });

  test('every connector body validates against the actions create-connector operation', (t) => {
    const c = contractFile('kibana-actions-legacy-bundled.yaml');
    if (c.skip !== undefined) return t.skip(c.skip);
    const contract = new OpenApiContract(c.path);
    for (const connector of connectors(FULL_ENV)) {
      const errors = contract.validateRequest('post', `/api/actions/connector/${connector.id}`, resolveSecrets(connector.body));
      assert.deepEqual(errors, [], `${connector.id}: ${errors.join('; ')}`);
    }
  });

  test('every SLO body validates against the SLO create operation', (t) => {
    const c = contractFile('kibana-slo-bundled.yaml');
    if (c.skip !== undefined) return t.skip(c.skip);
    const contract = new OpenApiContract(c.path);
    // The spec's indicator oneOf is ambiguous (sli.kql.custom's params do not forbid other keys,
    // so a metric indicator also matches it). The body is validated with only that ambiguity
    // tolerated, and the indicator strictly against the schema of its own type.
    const INDICATOR_SCHEMA: Record<string, string> = {
      'sli.metric.custom': 'indicator_properties_custom_metric',
      'sli.histogram.custom': 'indicator_properties_histogram',
    };
    for (const slo of slos()) {
      const errors = contract
        .validateRequest('post', '/s/default/api/observability/slos', slo.body)
        .filter((e) => !e.startsWith('/indicator'));
      assert.deepEqual(errors, [], `${slo.id}: ${errors.join('; ')}`);
      const indicator = slo.body.indicator as { type: string };
      const schema = INDICATOR_SCHEMA[indicator.type];
      assert.ok(schema, `no schema mapped for ${indicator.type}`);
      const indicatorErrors = contract.validate(`contract#/components/schemas/${schema}`, indicator);
      assert.deepEqual(indicatorErrors, [], `${slo.id} indicator: ${indicatorErrors.join('; ')}`);
    }
  });
});
