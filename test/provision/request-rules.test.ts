/**
 * Rules of Kibana's route validation that the definitions must meet, checked on the definitions and
 * taught to the test double (test/support/stack-double.ts), each with its source.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allResources } from '../../scripts/provision/definitions.js';
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
