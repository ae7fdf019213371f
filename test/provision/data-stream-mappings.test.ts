/**
 * Existing data streams get this project's `@custom` mappings at once (write index only, through a
 * mapping update), not at their next rollover; the plan shows it, a second run changes nothing, and
 * data streams of other index templates are never touched.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StackDouble } from '../support/stack-double.js';
import { allResources } from '../../scripts/provision/definitions.js';
import { provisionerRole } from '../../scripts/provision/privileges.js';
import { API_KEY, definitionEnv, runEngine, targetEnv } from './helpers.js';

const TEMPLATE = 'logs-kubernetes.container_logs';
const DS = `${TEMPLATE}-default`;
/** How the kubernetes package maps error.message (container_logs/fields/ecs.yml). */
const PACKAGE_MAPPING = { properties: { error: { properties: { message: { type: 'match_only_text' } } } } };
const ONLY = ['es.component_template'];

function messageField(d: StackDouble, ds: string, index: number): Record<string, unknown> {
  const mappings = d.dataStreams.get(ds)?.indices[index]?.mappings as { properties: { error: { properties: { message: Record<string, unknown> } } } };
  return mappings.properties.error.properties.message;
}

const mappingWrites = (d: StackDouble, since: number): string[] => d.writes(since).filter((r) => r.path.endsWith('/_mapping')).map((r) => `${r.method} ${r.path}`);

test('an existing data stream gets the keyword sub-field in its write index at once, shown in the plan first, and a second run changes nothing', async (t) => {
  const d = await StackDouble.start({ apiKey: API_KEY });
  t.after(() => d.close());
  d.addDataStream(DS, { template: TEMPLATE, mappings: PACKAGE_MAPPING });

  const before = d.requests.length;
  const plan = await runEngine({ dryRun: true, only: ONLY }, targetEnv(d));
  assert.equal(plan.result.exitCode, 0, plan.err);
  assert.match(plan.out, new RegExp(`~ update +es\\.data_stream +${DS.replace(/\./g, '\\.')}`));
  assert.match(plan.out, /PUT \/logs-kubernetes\.container_logs-default\/_mapping\?write_index_only=true\): properties\.error\.properties\.message\.fields/);
  assert.deepEqual(mappingWrites(d, before), [], 'a dry run writes nothing');

  const run = await runEngine({ only: ONLY }, targetEnv(d));
  assert.equal(run.result.exitCode, 0, run.err);
  assert.deepEqual(messageField(d, DS, 1), { type: 'match_only_text', fields: { keyword: { type: 'keyword', ignore_above: 1024 } } });
  assert.deepEqual(messageField(d, DS, 0), { type: 'match_only_text' }, 'older backing indices keep their mapping');
  assert.equal(run.result.objects.find((o) => o.kind === 'es.data_stream')?.outcome, 'applied');

  const since = d.requests.length;
  const again = await runEngine({ only: ONLY }, targetEnv(d));
  assert.equal(again.result.exitCode, 0, again.err);
  assert.deepEqual(mappingWrites(d, since), []);
  assert.equal(again.result.objects.find((o) => o.kind === 'es.data_stream')?.outcome, 'unchanged');
});

test('a data stream whose own index template does not compose the @custom template is left alone, even when its name matches', async (t) => {
  const d = await StackDouble.start({ apiKey: API_KEY });
  t.after(() => d.close());
  d.addDataStream(DS, { template: TEMPLATE, mappings: PACKAGE_MAPPING });
  // A platform team's higher-priority template claims this one: ours does not apply to it.
  d.addDataStream(`${TEMPLATE}-payments`, { template: 'team-logs', mappings: PACKAGE_MAPPING, priority: 500 });

  const run = await runEngine({ only: ONLY }, targetEnv(d));
  assert.equal(run.result.exitCode, 0, run.err);
  assert.deepEqual(messageField(d, `${TEMPLATE}-payments`, 1), { type: 'match_only_text' });
  assert.deepEqual(
    run.result.objects.filter((o) => o.kind === 'es.data_stream').map((o) => o.id),
    [DS],
  );
});

test('no data stream yet is nothing to do: the data stream will be created from the template', async (t) => {
  const d = await StackDouble.start({ apiKey: API_KEY });
  t.after(() => d.close());
  d.indexTemplates.set(TEMPLATE, { index_patterns: [`${TEMPLATE}-*`], composed_of: [`${TEMPLATE}@package`, `${TEMPLATE}@custom`], data_stream: {} });

  const run = await runEngine({ only: ONLY }, targetEnv(d));
  assert.equal(run.result.exitCode, 0, run.err);
  assert.equal(run.result.objects.filter((o) => o.kind === 'es.data_stream').length, 0);
});

test('a data stream that cannot take the mapping fails on its own line, is counted, and the others are still updated', async (t) => {
  const d = await StackDouble.start({ apiKey: API_KEY });
  t.after(() => d.close());
  d.addDataStream(DS, { template: TEMPLATE, mappings: PACKAGE_MAPPING });
  // Mapped `text` by someone else: Elasticsearch refuses to change a field's type.
  d.addDataStream(`${TEMPLATE}-legacy`, { template: TEMPLATE, mappings: { properties: { error: { properties: { message: { type: 'text' } } } } } });

  const run = await runEngine({ only: ONLY }, targetEnv(d));
  assert.equal(run.result.exitCode, 1);
  const legacy = run.result.objects.find((o) => o.id === `${TEMPLATE}-legacy`);
  assert.equal(legacy?.outcome, 'failed');
  assert.match(legacy?.error ?? '', /error\.message is \[text\], not \[match_only_text\]: Elasticsearch cannot change a field's type/);
  assert.ok(!d.writes().some((w) => w.path === `/${TEMPLATE}-legacy/_mapping`), 'no request that Elasticsearch would refuse is sent');
  assert.match(run.err, new RegExp(`es\\.data_stream ${TEMPLATE.replace(/\./g, '\\.')}-legacy`));
  assert.deepEqual(messageField(d, DS, 1).fields, { keyword: { type: 'keyword', ignore_above: 1024 } });
  assert.deepEqual(messageField(d, `${TEMPLATE}-legacy`, 1), { type: 'text' });
});

test('the test double refuses a mapping update that changes a field\'s type, as Elasticsearch does', async (t) => {
  const d = await StackDouble.start({ apiKey: API_KEY });
  t.after(() => d.close());
  d.addDataStream(DS, { template: TEMPLATE, mappings: { properties: { error: { properties: { message: { type: 'text' } } } } } });
  const res = await fetch(`${d.esUrl}/${DS}/_mapping`, {
    method: 'PUT',
    headers: { authorization: `ApiKey ${API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(PACKAGE_MAPPING),
  });
  assert.equal(res.status, 400);
  assert.match(await res.text(), /mapper \[error\.message\] cannot be changed from type \[text\] to \[match_only_text\]/);
  assert.deepEqual(messageField(d, DS, 0), { type: 'text' }, 'all or nothing across the backing indices');
});

test('the provisioner role may read and update the mapping of every data stream a @custom template with mappings reaches', () => {
  for (const flavour of ['stateful', 'serverless'] as const) {
    const resources = allResources(definitionEnv()).filter((r) => r.when?.flavours === undefined || r.when.flavours.includes(flavour));
    const role = provisionerRole(resources, { flavour, space: undefined });
    const withMappings = resources.filter((r) => r.kind === 'es.component_template' && r.body.template?.mappings !== undefined);
    assert.ok(withMappings.length > 0);
    for (const r of withMappings) {
      const pattern = `${r.id.replace(/@custom$/, '')}-*`;
      const grant = role.indices.find((i) => i.names.includes(pattern));
      assert.deepEqual(grant?.privileges.sort(), flavour === 'stateful' ? ['indices:admin/mapping/put', 'view_index_metadata'] : ['manage', 'view_index_metadata'], `${flavour}: ${pattern}`);
    }
  }
});
