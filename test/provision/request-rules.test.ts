/**
 * Rules of Kibana's route validation that the definitions must meet, checked on the definitions and
 * taught to the test double (test/support/stack-double.ts), each with its source.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allResources } from '../../scripts/provision/definitions.js';
import { resolveSecrets } from '../../model/resources.js';
import { StackDouble } from '../support/stack-double.js';
import { API_KEY, definitionEnv } from './helpers.js';

test('every SLO id is 8 to 48 letters, digits, hyphens or underscores, as Kibana\'s sloIdSchema requires', () => {
  const slos = allResources(definitionEnv()).filter((r) => r.kind === 'kibana.slo');
  assert.ok(slos.length > 0);
  for (const s of slos) assert.match(s.id, /^[a-zA-Z0-9_-]{8,48}$/, s.id);
});

test('the test double refuses an SLO id Kibana would refuse', async (t) => {
  const d = await StackDouble.start({ apiKey: API_KEY });
  t.after(() => d.close());
  const headers = { authorization: `ApiKey ${API_KEY}`, 'kbn-xsrf': 'true', 'content-type': 'application/json' };
  for (const id of ['short', 'x'.repeat(49), 'has space in it']) {
    const res = await fetch(`${d.kibanaUrl}/api/observability/slos`, { method: 'POST', headers, body: JSON.stringify({ id, name: 'x' }) });
    assert.equal(res.status, 400, id);
  }
});

test('no connector carries an empty string in its config or secrets, which Kibana refuses (validateEmptyStrings)', () => {
  const env = definitionEnv();
  const connectors = allResources(env).filter((r) => r.kind === 'kibana.connector');
  assert.ok(connectors.length >= 5);
  const walk = (v: unknown, path: string): void => {
    if (typeof v === 'string') assert.notEqual(v.trim(), '', path);
    else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}[${i}]`));
    else if (typeof v === 'object' && v !== null) for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`);
  };
  for (const c of connectors) {
    if (c.kind !== 'kibana.connector') continue;
    walk(resolveSecrets({ config: c.body.config, secrets: c.body.secrets }, (s) => env[s.fromEnv] ?? ''), c.id);
    // Newer Kibana versions also validate the id: lowercase letters, digits and hyphens.
    assert.match(c.id, /^[a-z0-9-]+$/, c.id);
  }
});

test('the test double refuses a connector with an empty config or secret value', async (t) => {
  const d = await StackDouble.start({ apiKey: API_KEY });
  t.after(() => d.close());
  const headers = { authorization: `ApiKey ${API_KEY}`, 'kbn-xsrf': 'true', 'content-type': 'application/json' };
  const res = await fetch(`${d.kibanaUrl}/api/actions/connector/sample-service-x`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ connector_type_id: '.index', name: 'x', config: { index: 'x', executionTimeField: ' ' } }),
  });
  assert.equal(res.status, 400);
  assert.match(((await res.json()) as { message: string }).message, /config\.executionTimeField\]: value '' is not valid/);
});

test('every rule action carries its own frequency, and no rule sets notify_when or throttle at the rule level', () => {
  const rules = allResources(definitionEnv()).filter((r) => r.kind === 'kibana.rule');
  assert.ok(rules.length > 5);
  for (const r of rules) {
    if (r.kind !== 'kibana.rule') continue;
    const body = r.body as Record<string, unknown>;
    assert.equal(body.notify_when ?? body.throttle, undefined, r.id);
    for (const a of r.body.actions ?? []) assert.ok(a.frequency !== undefined, `${r.id} ${a.group}`);
  }
});

test('the test double refuses a rule action without frequency, as Kibana\'s validateActions does', async (t) => {
  const d = await StackDouble.start({ apiKey: API_KEY });
  t.after(() => d.close());
  const headers = { authorization: `ApiKey ${API_KEY}`, 'kbn-xsrf': 'true', 'content-type': 'application/json' };
  await fetch(`${d.kibanaUrl}/api/actions/connector/c1`, { method: 'POST', headers, body: JSON.stringify({ connector_type_id: '.server-log', name: 'c' }) });
  const res = await fetch(`${d.kibanaUrl}/api/alerting/rule/r1`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ name: 'r', rule_type_id: '.es-query', consumer: 'stackAlerts', schedule: { interval: '1m' }, params: {}, actions: [{ id: 'c1', group: 'query matched', params: {} }] }),
  });
  assert.equal(res.status, 400);
  assert.match(((await res.json()) as { message: string }).message, /Actions missing frequency parameters: query matched/);
});

test('the test double refuses an action group its rule type does not have, as Kibana\'s validateActions does', async (t) => {
  const d = await StackDouble.start({ apiKey: API_KEY });
  t.after(() => d.close());
  const headers = { authorization: `ApiKey ${API_KEY}`, 'kbn-xsrf': 'true', 'content-type': 'application/json' };
  await fetch(`${d.kibanaUrl}/api/actions/connector/c1`, { method: 'POST', headers, body: JSON.stringify({ connector_type_id: '.server-log', name: 'c' }) });
  const frequency = { summary: false, notify_when: 'onActionGroupChange', throttle: null };
  const res = await fetch(`${d.kibanaUrl}/api/alerting/rule/r1`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ name: 'r', rule_type_id: '.es-query', consumer: 'stackAlerts', schedule: { interval: '1m' }, params: {}, actions: [{ id: 'c1', group: 'default', params: {}, frequency }] }),
  });
  assert.equal(res.status, 400);
  assert.match(((await res.json()) as { message: string }).message, /Invalid action groups: default/);
});
