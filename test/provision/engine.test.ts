/**
 * The engine against the in-process Kibana/Elasticsearch test double (test/support/stack-double.ts):
 * create, idempotence, drift, prune, retries, failures, auth, secrets, licence and flavour.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allResources } from '../../scripts/provision/definitions.js';
import type { DataViewResource, IlmPolicyResource, Resource } from '../../model/resources.js';
import { DATA_VIEW_IDS, OWNER_PREFIX } from '../../kibana/telemetry-fields.js';
import { selectResources } from '../../scripts/provision/select.js';
import { StackDouble, type StackDoubleOptions } from '../support/stack-double.js';
import { API_KEY, definitionEnv, definitionSecrets, runEngine, targetEnv } from './helpers.js';

async function double(t: { after: (fn: () => Promise<void>) => void }, options: StackDoubleOptions = {}): Promise<StackDouble> {
  const d = await StackDouble.start({ apiKey: API_KEY, ...options });
  t.after(() => d.close());
  return d;
}

function applicable(flavour: 'stateful' | 'serverless', licence: 'platinum' | 'basic'): Resource[] {
  return selectResources(allResources(definitionEnv()), { flavour, licence, env: definitionEnv(), only: undefined }).applicable;
}

/** Whether the double holds the object a definition describes. */
function exists(d: StackDouble, r: Resource, space = 'default'): boolean {
  const s = d.space(space);
  switch (r.kind) {
    case 'es.ilm_policy':
      return d.ilm.has(r.id);
    case 'es.component_template':
      return d.componentTemplates.has(r.id);
    case 'es.ingest_pipeline':
      return d.pipelines.has(r.id);
    case 'fleet.agent_policy':
      return s.agentPolicies.has(r.id);
    case 'fleet.package_policy':
      return s.packagePolicies.has(r.id);
    case 'kibana.data_view':
      return s.dataViews.has(r.id);
    case 'kibana.saved_object':
      return s.savedObjects.has(`${r.type}:${r.id}`);
    case 'kibana.connector':
      return s.connectors.has(r.id);
    case 'kibana.slo':
      return s.slos.has(r.id);
    case 'kibana.rule':
      return s.rules.has(r.id);
  }
}

test('a first apply creates every applicable object and a second apply writes nothing', async (t) => {
  const d = await double(t);
  const first = await runEngine({}, targetEnv(d));
  assert.equal(first.result.exitCode, 0, first.err);
  const expected = applicable('stateful', 'platinum');
  assert.ok(expected.length > 10);
  for (const r of expected) assert.ok(exists(d, r), `${r.kind} ${r.id} was created`);
  assert.ok(d.writes().length >= expected.length);
  assert.match(first.out, /Done: \d+ created, 0 updated/);

  const before = d.requests.length;
  const second = await runEngine({}, targetEnv(d));
  assert.equal(second.result.exitCode, 0, second.err);
  assert.deepEqual(d.writes(before).map((w) => `${w.method} ${w.path}`), []);
  assert.match(second.out, new RegExp(`0 created, 0 updated, 0 deleted, ${expected.length} unchanged`));
});

test('every Kibana write carries kbn-xsrf and the API version header', async (t) => {
  const d = await double(t);
  await runEngine({}, targetEnv(d));
  const kibanaWrites = d.requests.filter((r) => r.target === 'kibana' && r.method !== 'GET');
  assert.ok(kibanaWrites.length > 0);
  for (const r of kibanaWrites) {
    assert.ok(r.headers['kbn-xsrf'], `${r.method} ${r.path} has kbn-xsrf`);
    assert.equal(r.headers['elastic-api-version'], '2023-10-31');
  }
});

test('a dry run reads only and prints the plan with a readable diff', async (t) => {
  const d = await double(t);
  const fresh = await runEngine({ dryRun: true }, targetEnv(d));
  assert.equal(fresh.result.exitCode, 0, fresh.err);
  assert.deepEqual(d.writes(), [], 'a dry run writes nothing, not even package installs');
  assert.match(fresh.out, /\+ create\s+kibana\.data_view\s+sample-service-logs/);
  assert.match(fresh.out, /installs integration package/);

  await runEngine({}, targetEnv(d));
  const logs = d.space('default').dataViews.get(DATA_VIEW_IDS.logs) as { timeFieldName: string };
  logs.timeFieldName = 'event.ingested';
  const before = d.requests.length;
  const drift = await runEngine({ dryRun: true }, targetEnv(d));
  assert.deepEqual(d.writes(before), []);
  assert.match(drift.out, /~ update\s+kibana\.data_view\s+sample-service-logs/);
  assert.match(drift.out, /~ data_view\.timeFieldName: "event\.ingested" → "@timestamp"/);
  assert.match(drift.out, /Plan: 0 to create, 1 to update/);
});

test('a changed definition updates exactly that object', async (t) => {
  const d = await double(t);
  await runEngine({}, targetEnv(d));
  const changed = allResources(definitionEnv()).map((r): Resource => {
    if (r.kind === 'es.ilm_policy' && r.id === `${OWNER_PREFIX}logs`) {
      const policy = structuredClone(r.body.policy);
      (policy.phases as { delete: { min_age: string } }).delete.min_age = '30d';
      return { ...r, body: { policy } } satisfies IlmPolicyResource;
    }
    if (r.kind === 'kibana.data_view' && r.id === DATA_VIEW_IDS.metrics) {
      return { ...r, body: { data_view: { ...r.body.data_view, name: '[Sample Service] Metrics (renamed)' } } } satisfies DataViewResource;
    }
    return r;
  });
  const before = d.requests.length;
  const run = await runEngine({}, targetEnv(d), { resources: () => changed });
  assert.equal(run.result.exitCode, 0, run.err);
  assert.deepEqual(
    d.writes(before).map((w) => `${w.method} ${w.path}`),
    [`PUT /_ilm/policy/${OWNER_PREFIX}logs`, `POST /api/data_views/data_view/${DATA_VIEW_IDS.metrics}`],
  );
  assert.match(run.out, /~ policy\.phases\.delete\.min_age: "14d" → "30d"/);
  assert.equal((d.space('default').dataViews.get(DATA_VIEW_IDS.metrics) as { name: string }).name, '[Sample Service] Metrics (renamed)');
});

test('--prune deletes only owned objects that no definition names', async (t) => {
  const d = await double(t);
  await runEngine({}, targetEnv(d));
  const s = d.space('default');
  s.dataViews.set(`${OWNER_PREFIX}old-view`, { id: `${OWNER_PREFIX}old-view`, title: 'old-*', name: 'old' });
  s.dataViews.set('user-logs', { id: 'user-logs', title: 'logs-*', name: 'Somebody else' });
  s.rules.set(`${OWNER_PREFIX}retired-rule`, { id: `${OWNER_PREFIX}retired-rule`, name: 'retired', tags: [] });
  s.rules.set('user-rule', { id: 'user-rule', name: 'not ours', tags: [] });
  s.savedObjects.set(`dashboard:${OWNER_PREFIX}old-dashboard`, { type: 'dashboard', id: `${OWNER_PREFIX}old-dashboard`, attributes: { title: 'old' }, references: [] });
  s.savedObjects.set('dashboard:user-dashboard', { type: 'dashboard', id: 'user-dashboard', attributes: { title: 'theirs' }, references: [] });
  d.ilm.set(`${OWNER_PREFIX}old-policy`, { policy: { phases: {} }, version: 1 });
  d.ilm.set('logs', { policy: { phases: {} }, version: 1 });
  d.componentTemplates.set('logs@custom', { template: {} });

  const plan = await runEngine({ dryRun: true }, targetEnv(d));
  assert.match(plan.out, /--prune deletes it/);
  assert.ok(s.dataViews.has(`${OWNER_PREFIX}old-view`), 'nothing is deleted without --prune');

  const run = await runEngine({ prune: true }, targetEnv(d));
  assert.equal(run.result.exitCode, 0, run.err);
  assert.ok(!s.dataViews.has(`${OWNER_PREFIX}old-view`));
  assert.ok(!s.rules.has(`${OWNER_PREFIX}retired-rule`));
  assert.ok(!s.savedObjects.has(`dashboard:${OWNER_PREFIX}old-dashboard`));
  assert.ok(!d.ilm.has(`${OWNER_PREFIX}old-policy`));
  for (const kept of ['user-logs']) assert.ok(s.dataViews.has(kept));
  assert.ok(s.rules.has('user-rule'));
  assert.ok(s.savedObjects.has('dashboard:user-dashboard'));
  assert.ok(d.ilm.has('logs'));
  assert.ok(d.componentTemplates.has('logs@custom'));
  for (const r of applicable('stateful', 'platinum')) assert.ok(exists(d, r), `${r.kind} ${r.id} is defined and kept`);
  assert.match(run.out, /deleted\s+kibana\.rule\s+sample-service-retired-rule/);
});

test('injected 503s are retried and the apply succeeds', async (t) => {
  const d = await double(t);
  d.inject({ target: 'kibana', method: 'POST', path: /^\/api\/data_views\/data_view$/, status: 503, times: 2 });
  d.inject({ target: 'elasticsearch', method: 'PUT', path: /^\/_ilm\/policy\//, status: 503, times: 1 });
  const run = await runEngine({}, targetEnv(d));
  assert.equal(run.result.exitCode, 0, run.err);
  assert.match(run.err, /retrying POST \/api\/data_views\/data_view after HTTP 503/);
  assert.match(run.err, /retrying PUT \/_ilm\/policy\/\S+ after HTTP 503/);
  for (const r of applicable('stateful', 'platinum')) assert.ok(exists(d, r), `${r.kind} ${r.id}`);
});

test('a persistent 500 exits 1 with a per-object report listing what was applied', async (t) => {
  const d = await double(t);
  d.inject({ target: 'kibana', method: 'POST', path: /^\/api\/actions\/connector\//, status: 500, times: Infinity });
  const run = await runEngine({}, targetEnv(d));
  assert.equal(run.result.exitCode, 1);
  assert.match(run.err, /Failed objects:\n(\s+kibana\.connector \S+: POST \/api\/actions\/connector\/\S+ failed: HTTP 500[^\n]*\n)+/);
  assert.match(run.err, /Applied before the failure[\s\S]*created kibana\.data_view sample-service-logs/);
  assert.match(run.err, /Not attempted: .*kibana\.rule/);
  const attempts = d.requests.filter((r) => r.path.startsWith('/api/actions/connector/') && r.method === 'POST');
  const connectors = applicable('stateful', 'platinum').filter((r) => r.kind === 'kibana.connector').length;
  assert.equal(attempts.length, connectors * 4, 'each connector was tried the bounded number of times');
  assert.equal(d.space('default').rules.size, 0, 'rules (which need the connectors) were not attempted');
  const report = run.result.objects.filter((o) => o.kind === 'kibana.connector');
  assert.ok(report.every((o) => o.outcome === 'failed'));
});

test('a wrong API key exits 1 naming the cause', async (t) => {
  const d = await double(t);
  const run = await runEngine({}, targetEnv(d, { ELASTIC_API_KEY: 'd3Jvbmcta2V5Ondyb25n' }));
  assert.equal(run.result.exitCode, 1);
  assert.match(run.err, /401 Unauthorized/);
  assert.match(run.err, /ELASTIC_API_KEY/);
  assert.deepEqual(d.writes(), []);
});

test('a 403 names the privilege that is missing', async (t) => {
  const d = await double(t);
  d.inject({ target: 'kibana', method: 'GET', path: /^\/api\/observability\/slos\//, status: 403, times: Infinity });
  const run = await runEngine({}, targetEnv(d));
  assert.equal(run.result.exitCode, 1);
  assert.match(run.err, /missing privilege Kibana feature "SLOs: All" \(feature_slo\.all\)/);
});

test('no credential or secret appears in any output', async (t) => {
  const d = await double(t, { apiKey: undefined, username: 'provisioner', password: 'pa55-w0rd-very-secret' });
  const env = targetEnv(d, { ELASTIC_API_KEY: undefined, ELASTIC_USERNAME: 'provisioner', ELASTIC_PASSWORD: 'pa55-w0rd-very-secret' });
  d.inject({ target: 'kibana', method: 'PUT', path: /^\/api\/alerting/, status: 500, times: Infinity });
  const outputs: string[] = [];
  for (const options of [{}, { dryRun: true }, {}, { prune: true }]) {
    const run = await runEngine(options, env);
    outputs.push(run.out, run.err);
  }
  const bad = await runEngine({}, { ...env, ELASTIC_PASSWORD: 'wrong-but-still-secret' });
  outputs.push(bad.out, bad.err);
  const text = outputs.join('\n');
  assert.ok(text.length > 1000);
  const secrets = [
    'pa55-w0rd-very-secret',
    'wrong-but-still-secret',
    Buffer.from('provisioner:pa55-w0rd-very-secret').toString('base64'),
    ...definitionSecrets(),
  ];
  for (const s of secrets) assert.ok(!text.includes(s), `output contains a secret (${s.slice(0, 3)}...)`);

  const keyDouble = await double(t);
  const keyRun = await runEngine({}, targetEnv(keyDouble, { KIBANA_URL: 'http://127.0.0.1:1' }));
  assert.equal(keyRun.result.exitCode, 1);
  assert.ok(!`${keyRun.out}${keyRun.err}`.includes(API_KEY));
});

test('a basic licence applies the basic alert set and a trial the platinum one', async (t) => {
  const basic = await double(t, { licence: 'basic' });
  const b = await runEngine({}, targetEnv(basic));
  assert.equal(b.result.exitCode, 0, b.err);
  assert.match(b.out, /Licence: basic: the basic alert set applies/);
  for (const r of allResources(definitionEnv())) {
    if (r.when?.licence === 'platinum') assert.ok(!exists(basic, r), `${r.id} needs platinum`);
  }
  for (const r of applicable('stateful', 'basic')) assert.ok(exists(basic, r), `${r.id} applies on basic`);

  const trial = await double(t, { licence: 'trial' });
  const tr = await runEngine({}, targetEnv(trial));
  assert.equal(tr.result.exitCode, 0, tr.err);
  assert.match(tr.out, /Licence: trial: the full alert set applies/);
  for (const r of allResources(definitionEnv())) {
    if (r.when?.licence === 'basic-only') assert.ok(!exists(trial, r), `${r.id} is the basic fallback`);
  }
  for (const r of applicable('stateful', 'platinum')) assert.ok(exists(trial, r), `${r.id} applies on trial`);
});

test('on Serverless no ILM call is made and retention comes from data stream lifecycle', async (t) => {
  const d = await double(t, { flavour: 'serverless' });
  const run = await runEngine({}, targetEnv(d));
  assert.equal(run.result.exitCode, 0, run.err);
  assert.ok(!d.requests.some((r) => r.path.startsWith('/_ilm') || r.path.startsWith('/_license')));
  assert.match(run.out, /\(serverless\)/);
  const templates = applicable('serverless', 'platinum').filter((r) => r.kind === 'es.component_template');
  assert.ok(templates.length > 0);
  for (const r of templates) {
    const stored = d.componentTemplates.get(r.id) as { template: { lifecycle?: { data_retention?: string }; settings?: unknown } };
    assert.match(stored.template.lifecycle?.data_retention ?? '', /^\d+d$/);
  }
  const before = d.requests.length;
  await runEngine({}, targetEnv(d));
  assert.deepEqual(d.writes(before), []);
});

test('Serverless rejects username and password with a clear message', async (t) => {
  const d = await double(t, { flavour: 'serverless', apiKey: undefined, username: 'elastic', password: 'changeme-secret' });
  const run = await runEngine({}, targetEnv(d, { ELASTIC_API_KEY: undefined, ELASTIC_USERNAME: 'elastic', ELASTIC_PASSWORD: 'changeme-secret' }));
  assert.equal(run.result.exitCode, 2);
  assert.match(run.err, /username\/password is not accepted by Serverless: .*Serverless projects accept API keys only/);
  assert.deepEqual(d.writes(), []);
});

test('objects go to the Kibana space from KIBANA_SPACE', async (t) => {
  const d = await double(t);
  const run = await runEngine({ only: ['kibana.data_view', 'kibana.saved_object'] }, targetEnv(d, { KIBANA_SPACE: 'team-a' }));
  assert.equal(run.result.exitCode, 0, run.err);
  assert.ok(d.space('team-a').dataViews.has(DATA_VIEW_IDS.logs));
  assert.equal(d.space('default').dataViews.size, 0);
  assert.ok(d.requests.filter((r) => r.target === 'kibana' && r.method !== 'GET').every((r) => r.path.startsWith('/s/team-a/')));
});

test('--only applies just the named kinds', async (t) => {
  const d = await double(t);
  const run = await runEngine({ only: ['kibana.data_view'] }, targetEnv(d));
  assert.equal(run.result.exitCode, 0, run.err);
  assert.deepEqual(
    [...new Set(d.writes().map((w) => w.path.split('/').slice(0, 3).join('/')))],
    ['/api/data_views'],
  );
});

test('package policies on a managed agent policy are written with force', async (t) => {
  const fleetPolicies = allResources(definitionEnv()).filter((r) => r.kind === 'fleet.package_policy');
  if (fleetPolicies.length === 0) {
    t.skip('no Fleet package policies are defined');
    return;
  }
  const agentPolicyIds = [...new Set(fleetPolicies.flatMap((r) => (r.kind === 'fleet.package_policy' ? r.body.policy_ids : [])))];
  const d = await double(t, { managedAgentPolicies: agentPolicyIds });
  const run = await runEngine({ only: ['fleet.agent_policy', 'fleet.package_policy'] }, targetEnv(d));
  assert.equal(run.result.exitCode, 0, run.err);
  for (const r of fleetPolicies) assert.ok(exists(d, r), r.id);
  const creates = d.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/api/fleet/package_policies'));
  assert.ok(creates.every((r) => (JSON.parse(r.body) as { force?: boolean }).force === true));
  assert.match(run.out, /unchanged\s+fleet\.agent_policy/);
});

test('bad configuration lists every problem at once and exits 2', async () => {
  const run = await runEngine({ only: ['kibana.nope'], concurrency: 0 }, { KIBANA_URL: 'localhost:5601', ELASTIC_USERNAME: 'u' });
  assert.equal(run.result.exitCode, 2);
  for (const expected of [/KIBANA_URL must start with https:\/\/ or http:\/\/ \(e\.g\. https:\/\/localhost:5601\)/, /ELASTICSEARCH_URL is not set/, /ELASTIC_USERNAME is set but ELASTIC_PASSWORD is not/, /--only "kibana\.nope"/, /--concurrency/]) {
    assert.match(run.err, expected);
  }
});

test('an object that appears between read and create is adopted, not reported as a failure', async (t) => {
  const d = await double(t);
  await runEngine({ only: ['kibana.data_view'] }, targetEnv(d));
  const logs = d.space('default').dataViews.get(DATA_VIEW_IDS.logs) as { name: string };
  logs.name = 'edited by hand';
  // The first read misses the object, as if it were created by someone else right after.
  d.inject({ target: 'kibana', method: 'GET', path: new RegExp(`^/api/data_views/data_view/${DATA_VIEW_IDS.logs}$`), status: 404, times: 1 });
  const run = await runEngine({ only: ['kibana.data_view'] }, targetEnv(d));
  assert.equal(run.result.exitCode, 0, run.err);
  const report = run.result.objects.find((o) => o.id === DATA_VIEW_IDS.logs);
  assert.deepEqual(report?.notes, ['already existed (409): adopted']);
  assert.equal((d.space('default').dataViews.get(DATA_VIEW_IDS.logs) as { name: string }).name, '[Sample Service] Logs');
});

test('a definition module rejecting its settings exits 2 with its problems, before any request', async (t) => {
  const d = await double(t);
  const run = await runEngine({}, targetEnv(d, { PAGERDUTY_ROUTING_KEY: 'too-short' }));
  assert.equal(run.result.exitCode, 2);
  assert.match(run.err, /PAGERDUTY_ROUTING_KEY/);
  assert.ok(!run.err.includes('too-short'));
  assert.deepEqual(d.requests, []);
});
