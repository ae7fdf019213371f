/**
 * A second Kibana space: this project's ids are fixed and Kibana's are unique across spaces, so a
 * run into another space after the first is refused with the reason, and leaves no copies behind.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StackDouble } from '../support/stack-double.js';
import { API_KEY, runEngine, targetEnv } from './helpers.js';

async function provisioned(t: { after: (fn: () => Promise<void>) => void }): Promise<StackDouble> {
  const d = await StackDouble.start({ apiKey: API_KEY });
  t.after(() => d.close());
  const first = await runEngine({}, targetEnv(d));
  assert.equal(first.result.exitCode, 0, first.err);
  return d;
}

test('provisioning a second space after the default one is refused with the reason, naming KIBANA_SPACE', async (t) => {
  const d = await provisioned(t);
  const second = await runEngine({}, targetEnv(d, { KIBANA_SPACE: 'other' }));
  assert.equal(second.result.exitCode, 1);
  assert.match(second.out, /kibana\.data_view sample-service-logs already exists in another Kibana space: ids of data views, saved objects, connectors and rules are unique/);
  assert.match(second.out, /Set KIBANA_SPACE to the space that holds it/);
  const other = d.space('other');
  assert.equal(other.dataViews.size + other.savedObjects.size + other.connectors.size + other.rules.size, 0, 'nothing was created in the second space');
});

test('a saved object whose id is taken in another space is not imported as a copy under a random id', async (t) => {
  const d = await provisioned(t);
  const run = await runEngine({ only: ['kibana.saved_object'] }, targetEnv(d, { KIBANA_SPACE: 'other' }));
  assert.equal(run.result.exitCode, 1);
  assert.match(run.out, /kibana\.saved_object sample-service-\S+ already exists in another Kibana space/);
  assert.deepEqual([...d.space('other').savedObjects.keys()], [], 'the copy the import made was removed');
});

test('the test double gives an imported object whose id exists in another space a new id, as Kibana does', async (t) => {
  const d = await provisioned(t);
  const boundary = 'b0undary';
  const line = JSON.stringify({ type: 'tag', id: 'sample-service-managed-tag', attributes: { name: 'x', color: '#000000', description: '' }, references: [] });
  const res = await fetch(`${d.kibanaUrl}/s/other/api/saved_objects/_import?overwrite=true`, {
    method: 'POST',
    headers: { authorization: `ApiKey ${API_KEY}`, 'kbn-xsrf': 'true', 'content-type': `multipart/form-data; boundary=${boundary}` },
    body: `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="x.ndjson"\r\nContent-Type: application/ndjson\r\n\r\n${line}\n\r\n--${boundary}--\r\n`,
  });
  const body = (await res.json()) as { success: boolean; successResults: Array<{ id: string; destinationId?: string }> };
  assert.equal(body.success, true);
  assert.ok(body.successResults[0]?.destinationId !== undefined && body.successResults[0].destinationId !== 'sample-service-managed-tag');
});

test('the space that holds the objects is provisioned again without complaint', async (t) => {
  const d = await provisioned(t);
  const before = d.requests.length;
  const again = await runEngine({}, targetEnv(d, { KIBANA_SPACE: 'default' }));
  assert.equal(again.result.exitCode, 0, again.err);
  assert.deepEqual(d.writes(before).map((w) => `${w.method} ${w.path}`), []);
});
