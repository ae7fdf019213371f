/**
 * Licence-gated connectors: the connector types a licence does not allow are skipped with their
 * reason, rules lose their actions to them, and provisioning still succeeds on Basic.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CONNECTOR_TYPE_LICENCE } from '../../alerts/connectors.js';
import { allResources } from '../../scripts/provision/definitions.js';
import { selectResources } from '../../scripts/provision/select.js';
import type { ConnectorResource, Resource, RuleResource } from '../../model/resources.js';
import { StackDouble } from '../support/stack-double.js';
import { API_KEY, definitionEnv, runEngine, targetEnv } from './helpers.js';

const connectors = (rs: readonly Resource[]): ConnectorResource[] => rs.filter((r): r is ConnectorResource => r.kind === 'kibana.connector');
const rules = (rs: readonly Resource[]): RuleResource[] => rs.filter((r): r is RuleResource => r.kind === 'kibana.rule');

test('every connector carries the licence its type needs in Kibana', () => {
  const defined = connectors(allResources(definitionEnv()));
  assert.ok(defined.length >= 5);
  for (const c of defined) {
    const type = c.body.connector_type_id as keyof typeof CONNECTOR_TYPE_LICENCE;
    assert.ok(type in CONNECTOR_TYPE_LICENCE, `${c.id}: the licence of connector type ${type} is not recorded`);
    const needed = CONNECTOR_TYPE_LICENCE[type];
    assert.equal(c.when?.licence, needed === 'basic' ? undefined : needed, c.id);
  }
});

for (const [licence, gatedApply] of [
  ['basic', false],
  ['gold', true],
  ['platinum', true],
] as const) {
  test(`on a ${licence} licence the gold connector types ${gatedApply ? 'apply' : 'are skipped with the reason'} and no rule sends to a skipped connector`, () => {
    const env = definitionEnv();
    const { applicable, skipped } = selectResources(allResources(env), { flavour: 'stateful', licence, env, only: undefined });
    const gated = connectors(allResources(env)).filter((c) => c.when?.licence === 'gold');
    assert.equal(gated.length, 3);
    const applied = new Set(connectors(applicable).map((c) => c.id));
    for (const c of gated) {
      assert.equal(applied.has(c.id), gatedApply, c.id);
      if (!gatedApply) {
        const reason = skipped.find((s) => s.resource.id === c.id)?.reason ?? '';
        assert.match(reason, /needs a gold, platinum, enterprise or trial licence/);
        assert.ok(reason.includes(c.body.connector_type_id), reason);
      }
    }
    for (const r of rules(applicable)) {
      for (const a of r.body.actions ?? []) assert.ok(applied.has(a.id), `${r.id} sends to ${a.id}, which does not apply on ${licence}`);
    }
    if (gatedApply) assert.ok(rules(applicable).some((r) => (r.body.actions ?? []).some((a) => gated.some((c) => c.id === a.id))));
  });
}

test('with Slack, PagerDuty and a webhook configured, provisioning on Basic succeeds and says what it skipped', async (t) => {
  const d = await StackDouble.start({ apiKey: API_KEY, licence: 'basic' });
  t.after(() => d.close());
  const run = await runEngine({}, targetEnv(d));
  assert.equal(run.result.exitCode, 0, run.out + run.err);
  const connectorIds = [...d.space('default').connectors.keys()];
  assert.ok(connectorIds.some((id) => id.endsWith('server-log')));
  assert.ok(!connectorIds.some((id) => /slack|pagerduty|webhook/.test(id)), connectorIds.join(','));
  assert.match(run.out, /skip\s+kibana\.connector\s+sample-service-slack.*needs a gold/);
  assert.equal(d.requests.filter((r) => r.status === 403).length, 0);
});

test('the test double refuses a gold connector type on Basic with Kibana\'s 403', async (t) => {
  const d = await StackDouble.start({ apiKey: API_KEY, licence: 'basic' });
  t.after(() => d.close());
  const res = await fetch(`${d.kibanaUrl}/api/actions/connector/x`, {
    method: 'POST',
    headers: { authorization: `ApiKey ${API_KEY}`, 'kbn-xsrf': 'true', 'content-type': 'application/json' },
    body: JSON.stringify({ connector_type_id: '.slack', name: 'x', secrets: { webhookUrl: 'https://hooks.slack.example/x' } }),
  });
  assert.equal(res.status, 403);
  assert.match(((await res.json()) as { message: string }).message, /Action type \.slack is disabled because your basic license does not support it/);
});
