/**
 * The test double rejects what the stack would reject on field types (kibana/field-types.ts): an
 * SLO whose transform Elasticsearch would refuse, a rule that would fail at every run, a Lens panel
 * that would error when it renders. The project's own definitions go through (engine.test.ts applies
 * all of them to the double).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { alertResources } from '../../alerts/index.js';
import { ERROR_MESSAGE_KEYWORD } from '../../elastic/mappings.js';
import { DASHBOARD_IDS, dashboards } from '../../kibana/dashboards/index.js';
import { LOG_FIELDS, SLO_IDS } from '../../kibana/telemetry-fields.js';
import type { Resource, SavedObjectResource } from '../../model/resources.js';
import { StackDouble } from '../support/stack-double.js';
import { API_KEY } from './helpers.js';

const headers = { authorization: `ApiKey ${API_KEY}`, 'kbn-xsrf': 'true', 'content-type': 'application/json' };

function ours<K extends Resource['kind']>(kind: K, id: string): Extract<Resource, { kind: K }> {
  const found = [...alertResources({}), ...dashboards()].find((r): r is Extract<Resource, { kind: K }> => r.kind === kind && r.id === id);
  assert.ok(found, `no ${kind} ${id}`);
  return found;
}

describe('the test double enforces field types', () => {
  let double: StackDouble;
  before(async () => {
    double = await StackDouble.start({ apiKey: API_KEY });
  });
  after(() => double.close());

  const post = async (path: string, body: unknown): Promise<{ status: number; text: string }> => {
    const res = await fetch(double.kibanaUrl + path, { method: 'POST', headers, body: JSON.stringify(body) });
    return { status: res.status, text: await res.text() };
  };

  test('an SLO whose histogram indicator reads a keyword label is rejected with the field and the rule it breaks', async () => {
    const latency = ours('kibana.slo', SLO_IDS.latency);
    const indicator = latency.body.indicator as { params: { good: Record<string, unknown> } };
    const body = { ...latency.body, indicator: { ...indicator, params: { ...indicator.params, good: { ...indicator.params.good, field: 'prometheus.labels.route' } } } };
    const res = await post('/api/observability/slos', body);
    assert.equal(res.status, 400);
    assert.match(res.text, /prometheus\.labels\.route \(range: range needs number or histogram, the field is keyword\)/);
    assert.equal((await post('/api/observability/slos', ours('kibana.slo', SLO_IDS.availability).body)).status, 200);
  });

  test('a custom threshold rule averaging a label (keyword) is rejected; the service-down rule is accepted', async () => {
    const rule = ours('kibana.rule', 'sample-service-service-down');
    const params = rule.body.params as { criteria: Array<Record<string, unknown>> };
    const broken = { ...rule.body, actions: [], params: { ...params, criteria: [{ ...params.criteria[0], metrics: [{ name: 'A', aggType: 'avg', field: 'prometheus.labels.instance' }] }] } };
    const res = await post('/api/alerting/rule/sample-service-broken', broken);
    assert.equal(res.status, 400);
    assert.match(res.text, /prometheus\.labels\.instance \(avg: avg needs number or histogram, the field is keyword\)/);
    assert.equal((await post('/api/alerting/rule/sample-service-service-down', { ...rule.body, actions: [] })).status, 200);
  });

  test('importing a dashboard whose panel takes top values of error.message fails that object only', async () => {
    const logs = dashboards().find((r): r is SavedObjectResource => r.kind === 'kibana.saved_object' && r.id === DASHBOARD_IDS.logs);
    assert.ok(logs);
    const broken = { ...logs, attributes: { ...logs.attributes, panelsJSON: String(logs.attributes.panelsJSON).replaceAll(ERROR_MESSAGE_KEYWORD, LOG_FIELDS.errorMessage) } };
    const line = (o: SavedObjectResource) => JSON.stringify({ type: o.type, id: o.id, attributes: o.attributes, references: [] });
    const boundary = 'field-types-boundary';
    const file = [line(broken)].join('\n');
    const body = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="import.ndjson"\r\nContent-Type: application/ndjson\r\n\r\n${file}\r\n--${boundary}--\r\n`;
    const res = await fetch(`${double.kibanaUrl}/api/saved_objects/_import?overwrite=true`, {
      method: 'POST',
      headers: { authorization: headers.authorization, 'kbn-xsrf': 'true', 'content-type': `multipart/form-data; boundary=${boundary}` },
      body,
    });
    const result = (await res.json()) as { success: boolean; errors?: Array<{ id: string; error: { type: string; message?: string } }> };
    assert.equal(result.success, false);
    assert.equal(result.errors?.[0]?.id, DASHBOARD_IDS.logs);
    assert.match(result.errors?.[0]?.error.message ?? '', /panel "Top error messages": error\.message \(terms: terms needs an aggregatable field/);
  });
});
