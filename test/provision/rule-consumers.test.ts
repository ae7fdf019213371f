/**
 * A rule's consumer decides which Kibana feature privilege may create and manage it. Each rule's
 * consumer must be one Kibana registers for its rule type, the one the Observability UI itself
 * offers, and the provisioner role (`--print-role`) must grant that feature.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Flavour, RuleResource } from '../../model/resources.js';
import { allResources } from '../../scripts/provision/definitions.js';
import { provisionerRole } from '../../scripts/provision/privileges.js';
import { RULE_TYPE_CONSUMERS, StackDouble } from '../support/stack-double.js';
import { API_KEY, definitionEnv } from './helpers.js';

const CUSTOM_THRESHOLD = 'observability.rules.custom_threshold';
/**
 * The consumers the Observability rule form offers (`observabilityRuleCreationValidConsumers` in
 * the observability plugin's common/constants.ts): infrastructure, logs, observability.
 */
const OBSERVABILITY_UI_CONSUMERS = ['infrastructure', 'logs', 'observability'];

function rulesOn(flavour: Flavour): RuleResource[] {
  return allResources(definitionEnv()).filter(
    (r): r is RuleResource => r.kind === 'kibana.rule' && (r.when?.flavours === undefined || r.when.flavours.includes(flavour)),
  );
}

test('every rule\'s consumer is one Kibana registers for its rule type, and custom threshold rules use one the Observability UI offers', () => {
  const rules = rulesOn('stateful');
  assert.ok(rules.some((r) => r.body.rule_type_id === CUSTOM_THRESHOLD));
  for (const r of rules) {
    const valid = RULE_TYPE_CONSUMERS[r.body.rule_type_id];
    if (valid !== undefined) assert.ok(valid.includes(r.body.consumer), `${r.id}: consumer ${r.body.consumer} for ${r.body.rule_type_id}`);
    if (r.body.rule_type_id === CUSTOM_THRESHOLD) assert.ok(OBSERVABILITY_UI_CONSUMERS.includes(r.body.consumer), r.id);
  }
});

test('on both flavours the provisioner role grants the Logs feature that owns the custom threshold rules\' consumer', () => {
  for (const flavour of ['stateful', 'serverless'] as const) {
    const rules = rulesOn(flavour).filter((r) => r.body.rule_type_id === CUSTOM_THRESHOLD);
    assert.deepEqual([...new Set(rules.map((r) => r.body.consumer))], ['logs'], flavour);
    const role = provisionerRole(allResources(definitionEnv()).filter((r) => r.when?.flavours === undefined || r.when.flavours.includes(flavour)), { flavour, space: undefined });
    assert.ok(role.applications[0]?.privileges.includes('feature_logs.all'), flavour);
  }
});

test('the test double refuses a custom threshold rule whose consumer Kibana does not register for it, with Kibana\'s message', async (t) => {
  const d = await StackDouble.start({ apiKey: API_KEY });
  t.after(() => d.close());
  const rule = rulesOn('stateful').find((r) => r.body.rule_type_id === CUSTOM_THRESHOLD);
  assert.ok(rule !== undefined);
  for (const consumer of ['stackAlerts', 'metrics']) {
    const res = await fetch(`${d.kibanaUrl}/api/alerting/rule/consumer-check-${consumer.toLowerCase()}`, {
      method: 'POST',
      headers: { authorization: `ApiKey ${API_KEY}`, 'kbn-xsrf': 'true', 'content-type': 'application/json' },
      body: JSON.stringify({ ...rule.body, consumer, actions: [] }),
    });
    assert.equal(res.status, 403);
    assert.match(await res.text(), new RegExp(`Unauthorized by \\\\?"${consumer}\\\\?" to create \\\\?"${CUSTOM_THRESHOLD.replace(/\./g, '\\.')}\\\\?" rule`));
  }
});
