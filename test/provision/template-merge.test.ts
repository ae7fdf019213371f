/**
 * Shared `@custom` component templates: provisioning owns only its keys and keeps everyone else's,
 * shows in the plan every value set outside this project that it changes, and removes only its own.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { customTemplateStateful, ILM_POLICY_IDS } from '../../elastic/lifecycle.js';
import { mergeTemplate, removeOwned } from '../../scripts/provision/template-merge.js';
import { StackDouble } from '../support/stack-double.js';
import { API_KEY, runEngine, targetEnv } from './helpers.js';

const NAME = 'logs-kubernetes.container_logs@custom';

/** What a platform team already keeps in the template, in the shape GET returns it. */
const USERS = {
  template: {
    settings: { index: { number_of_replicas: '2', lifecycle: { name: 'team-logs' }, 'mapping.total_fields.limit': '5000' } },
    mappings: { properties: { team: { type: 'keyword' } }, dynamic_templates: [{ strings: { match_mapping_type: 'string', mapping: { type: 'keyword' } } }] },
    lifecycle: { data_retention: '30d' },
  },
  version: 3,
  _meta: { owner: 'platform-team' },
  created_date_millis: 1767225600000,
  modified_date_millis: 1767225600001,
};

test('a merge keeps every key set outside this project and names each value it changes', () => {
  const ours = customTemplateStateful('logs', NAME).body;
  const m = mergeTemplate(USERS, ours);
  const settings = (m.body.template as { settings: Record<string, string> }).settings;
  assert.equal(settings['index.number_of_replicas'], '2');
  assert.equal(settings['index.mapping.total_fields.limit'], '5000');
  assert.equal(settings['index.lifecycle.name'], ILM_POLICY_IDS.logs);
  assert.equal(settings['index.lifecycle.prefer_ilm'], 'true');
  const mappings = (m.body.template as { mappings: { properties: Record<string, unknown>; dynamic_templates: unknown } }).mappings;
  assert.deepEqual(mappings.properties.team, USERS.template.mappings.properties.team);
  assert.deepEqual(mappings.dynamic_templates, USERS.template.mappings.dynamic_templates);
  assert.deepEqual(mappings.properties.error, (ours.template?.mappings as { properties: Record<string, unknown> }).properties.error, 'this project\'s own mapping is added');
  assert.deepEqual((m.body.template as { lifecycle: unknown }).lifecycle, USERS.template.lifecycle);
  assert.equal(m.body.version, 3);
  assert.equal((m.body._meta as Record<string, unknown>).owner, 'platform-team');
  assert.equal((m.body._meta as Record<string, unknown>).managed_by, ours._meta?.managed_by);
  assert.ok(!('created_date_millis' in m.body) && !('modified_date_millis' in m.body), 'server bookkeeping is not sent back');
  assert.deepEqual(m.overridden, [{ path: 'template.settings.index.lifecycle.name', live: 'team-logs', desired: ILM_POLICY_IDS.logs }]);
  assert.ok(m.kept.includes('template.settings.index.number_of_replicas'));
  assert.ok(m.kept.includes('template.mappings.properties.team.type'));
  assert.ok(m.kept.includes('_meta.owner'));
});

test('a merge into a template holding only this project\'s keys changes nothing else and reports nothing', () => {
  const ours = customTemplateStateful('logs', NAME).body;
  const m = mergeTemplate(ours, ours);
  assert.deepEqual(m.overridden, []);
  assert.deepEqual(m.kept, []);
});

test('a mapping this project adds is merged next to the mappings others own', () => {
  const ours = { template: { mappings: { properties: { error: { properties: { message: { type: 'match_only_text' } } } } } } };
  const m = mergeTemplate(USERS, ours);
  const props = (m.body.template as { mappings: { properties: Record<string, unknown> } }).mappings.properties;
  assert.deepEqual(props.team, { type: 'keyword' });
  assert.deepEqual(props.error, { properties: { message: { type: 'match_only_text' } } });
});

test('removal takes out only the keys still holding this project\'s value and keeps the rest', () => {
  const ours = customTemplateStateful('logs', NAME).body;
  const merged = mergeTemplate(USERS, ours).body;
  const r = removeOwned(merged, ours);
  const settings = (r.body?.template as { settings: Record<string, string> }).settings;
  assert.equal(settings['index.lifecycle.name'], undefined);
  assert.equal(settings['index.number_of_replicas'], '2');
  assert.equal((r.body?._meta as Record<string, unknown>).owner, 'platform-team');
  assert.ok(!('managed_by' in (r.body?._meta as Record<string, unknown>)));
  assert.deepEqual(r.leftChanged, []);
  assert.deepEqual((r.body?.template as { mappings?: unknown }).mappings, USERS.template.mappings, 'only the mappings this project added are taken out');

  const changedByUser = structuredClone(merged) as { template: { settings: Record<string, string> } };
  changedByUser.template.settings['index.lifecycle.name'] = 'team-logs-v2';
  const r2 = removeOwned(changedByUser, ours);
  assert.deepEqual(r2.leftChanged.map((c) => c.path), ['template.settings.index.lifecycle.name']);
  assert.equal((r2.body?.template as { settings: Record<string, string> }).settings['index.lifecycle.name'], 'team-logs-v2');
});

test('removal from a template that holds only this project\'s keys leaves nothing', () => {
  const ours = customTemplateStateful('logs', NAME).body;
  const r = removeOwned({ ...mergeTemplate({}, ours).body, created_date_millis: 1 }, ours);
  assert.equal(r.body, undefined);
});

test('provisioning a cluster whose @custom template has settings of its own keeps them and shows the change in the plan', async (t) => {
  const d = await StackDouble.start({ apiKey: API_KEY });
  t.after(() => d.close());
  const { created_date_millis: _c, modified_date_millis: _m, ...users } = USERS;
  const put = await fetch(`${d.esUrl}/_component_template/${NAME}`, {
    method: 'PUT',
    headers: { authorization: `ApiKey ${API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(users),
  });
  assert.equal(put.status, 200);

  const plan = await runEngine({ dryRun: true, only: ['es.component_template'] }, targetEnv(d));
  assert.equal(plan.result.exitCode, 0, plan.err);
  assert.match(plan.out, /changes a value set outside this project: template\.settings\.index\.lifecycle\.name: "team-logs" → "sample-service-logs"/);
  assert.match(plan.out, /keeps \d+ key\(s\) set outside this project: .*template\.settings\.index\.number_of_replicas/);

  const run = await runEngine({ only: ['es.component_template'] }, targetEnv(d));
  assert.equal(run.result.exitCode, 0, run.err);
  const stored = d.componentTemplates.get(NAME) as { template: { settings: { index: Record<string, unknown> }; mappings: unknown; lifecycle: unknown }; _meta: Record<string, unknown>; version: number };
  assert.equal(stored.template.settings.index.number_of_replicas, '2');
  assert.equal((stored.template.settings.index.lifecycle as Record<string, unknown>).name, ILM_POLICY_IDS.logs);
  assert.deepEqual(stored.template.mappings, {
    ...USERS.template.mappings,
    properties: { ...USERS.template.mappings.properties, ...(customTemplateStateful('logs', NAME).body.template?.mappings as { properties: object }).properties },
  });
  assert.equal((stored.template.lifecycle as Record<string, unknown>).data_retention, '30d');
  assert.equal(stored._meta.owner, 'platform-team');
  assert.equal(stored.version, 3);

  const before = d.requests.length;
  const again = await runEngine({ only: ['es.component_template'] }, targetEnv(d));
  assert.equal(again.result.exitCode, 0, again.err);
  assert.deepEqual(d.writes(before).map((w) => `${w.method} ${w.path}`), []);
});
