import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { contractFile } from '../../test/support/contracts.js';
import { ruleCreateErrors, sloErrors } from '../../test/support/kibana-contract-checks.js';
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

/** Rule bodies are checked per rule type (test/support/kibana-contract-checks.ts), then filtered as above. */
function ruleValidator(contract: OpenApiContract): (body: { rule_type_id: string }) => string[] {
  return (body) => significant(ruleCreateErrors(contract, body).errors);
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
    for (const slo of slos()) {
      const errors = sloErrors(contract, 'post', '/s/default/api/observability/slos', slo.body);
      assert.deepEqual(errors, [], `${slo.id}: ${errors.join('; ')}`);
    }
  });
});
