/**
 * `--uninstall`: removes every object this project owns and only its keys in the shared `@custom`
 * templates; `--dry-run` shows it without writing; what others own stays.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ILM_POLICY_IDS } from '../../elastic/lifecycle.js';
import { OWNER_PREFIX } from '../../kibana/telemetry-fields.js';
import { StackDouble, type StackDoubleOptions } from '../support/stack-double.js';
import { API_KEY, runEngine, targetEnv } from './helpers.js';

const SHARED = 'logs-kubernetes.container_logs@custom';

async function provisioned(t: { after: (fn: () => Promise<void>) => void }, options: StackDoubleOptions = {}): Promise<StackDouble> {
  const d = await StackDouble.start({ apiKey: API_KEY, ...options });
  t.after(() => d.close());
  // Someone else's settings in a shared template, and objects of their own.
  const headers = { authorization: `ApiKey ${API_KEY}`, 'content-type': 'application/json' };
  await fetch(`${d.esUrl}/_component_template/${SHARED}`, { method: 'PUT', headers, body: JSON.stringify({ template: { settings: { index: { number_of_replicas: 2 } } }, _meta: { owner: 'platform' } }) });
  await fetch(`${d.esUrl}/_ilm/policy/team-logs`, { method: 'PUT', headers, body: JSON.stringify({ policy: { phases: { hot: { actions: {} } } } }) });
  await fetch(`${d.kibanaUrl}/api/data_views/data_view`, { method: 'POST', headers: { ...headers, 'kbn-xsrf': 'true' }, body: JSON.stringify({ data_view: { id: 'team-view', title: 'team-*' } }) });
  const first = await runEngine({}, targetEnv(d));
  assert.equal(first.result.exitCode, 0, first.err);
  return d;
}

/** Every object the double holds whose id carries the owner prefix. */
function owned(d: StackDouble): string[] {
  const s = d.space('default');
  const ids = [
    ...d.ilm.keys(),
    ...d.componentTemplates.keys(),
    ...d.pipelines.keys(),
    ...s.agentPolicies.keys(),
    ...s.packagePolicies.keys(),
    ...s.dataViews.keys(),
    ...[...s.savedObjects.keys()].map((k) => k.split(':')[1] ?? k),
    ...s.connectors.keys(),
    ...s.slos.keys(),
    ...s.rules.keys(),
  ];
  return ids.filter((id) => id.startsWith(OWNER_PREFIX));
}

test('an uninstall dry run lists what would be removed and writes nothing', async (t) => {
  const d = await provisioned(t);
  const before = d.requests.length;
  const plan = await runEngine({ uninstall: true, dryRun: true }, targetEnv(d));
  assert.equal(plan.result.exitCode, 0, plan.err);
  assert.deepEqual(d.writes(before).map((w) => `${w.method} ${w.path}`), []);
  assert.match(plan.out, /Uninstall plan \(dry run, nothing is removed\)/);
  for (const id of owned(d)) assert.ok(plan.out.includes(id), `${id} is in the plan`);
  assert.match(plan.out, new RegExp(`~ update\\s+es\\.component_template\\s+${SHARED.replace(/[.@]/g, '\\$&')}[\\s\\S]*removes this project's key\\(s\\): template\\.settings\\.index\\.lifecycle\\.name`));
  assert.match(plan.out, /- delete\s+es\.component_template\s+traces-apm@custom[\s\S]*nothing else is left in it/);
});

test('uninstall removes every owned object and only this project\'s keys from shared templates', async (t) => {
  const d = await provisioned(t);
  assert.ok(owned(d).length > 20);
  const run = await runEngine({ uninstall: true }, { ...targetEnv(d), SLACK_WEBHOOK_URL: undefined, PAGERDUTY_ROUTING_KEY: undefined });
  assert.equal(run.result.exitCode, 0, run.out + run.err);
  assert.deepEqual(owned(d), []);
  const shared = d.componentTemplates.get(SHARED) as { template: { settings: { index: Record<string, unknown> } }; _meta: Record<string, unknown> };
  assert.equal(shared.template.settings.index.number_of_replicas, '2', 'the other team\'s setting is kept');
  assert.equal(shared.template.settings.index.lifecycle, undefined, 'this project\'s lifecycle is gone');
  assert.deepEqual(shared._meta, { owner: 'platform' });
  assert.ok(!d.componentTemplates.has('traces-apm@custom'), 'a shared template that held only this project\'s keys is deleted');
  assert.ok(d.ilm.has('team-logs') && d.space('default').dataViews.has('team-view'), 'objects others own stay');

  const before = d.requests.length;
  const again = await runEngine({ uninstall: true }, targetEnv(d));
  assert.equal(again.result.exitCode, 0, again.err);
  assert.deepEqual(d.writes(before).map((w) => `${w.method} ${w.path}`), [], 'a second uninstall has nothing to do');
});

test('an ILM policy that indices still use is kept and reported, and the uninstall succeeds', async (t) => {
  const d = await provisioned(t, { ilmPolicyIndices: { [ILM_POLICY_IDS.logs]: ['.ds-logs-kubernetes.container_logs-default-2026.01.01-000001'] } });
  const run = await runEngine({ uninstall: true }, targetEnv(d));
  assert.equal(run.result.exitCode, 0, run.out + run.err);
  assert.ok(d.ilm.has(ILM_POLICY_IDS.logs));
  assert.ok(!d.ilm.has(ILM_POLICY_IDS.traces));
  assert.match(run.out, new RegExp(`${ILM_POLICY_IDS.logs}[\\s\\S]*kept: indices still use it`));
});

test('--uninstall with --prune or --print is a usage error', async () => {
  for (const extra of [{ prune: true }, { print: true }]) {
    const run = await runEngine({ uninstall: true, ...extra }, {});
    assert.equal(run.result.exitCode, 2);
    assert.match(run.err, /--uninstall/);
  }
});

test('after a trial ends, uninstall removes everything else and says why the SLOs cannot be removed', async (t) => {
  const d = await provisioned(t);
  assert.ok(d.space('default').slos.size > 0);
  d.licence = 'basic';
  const run = await runEngine({ uninstall: true }, targetEnv(d));
  assert.equal(run.result.exitCode, 0, run.out + run.err);
  assert.match(run.out, /kibana\.slo[\s\S]*every SLO API needs a platinum, enterprise or trial licence/);
  assert.deepEqual(owned(d).filter((id) => !d.space('default').slos.has(id)), [], 'everything but the SLOs is gone');
  assert.equal(d.requests.filter((r) => r.status === 403).length, 0, 'no SLO API was called');
});

test('--prune on a Basic licence does not fail on the SLO APIs it cannot use', async (t) => {
  const d = await StackDouble.start({ apiKey: API_KEY, licence: 'basic' });
  t.after(() => d.close());
  const run = await runEngine({ prune: true }, targetEnv(d));
  assert.equal(run.result.exitCode, 0, run.out + run.err);
  assert.equal(d.requests.filter((r) => r.status === 403).length, 0);
});

test('an agent policy with enrolled agents is kept and reported, with what to do', async (t) => {
  const d = await provisioned(t, { enrolledAgents: { [`${OWNER_PREFIX}agents`]: 3 } });
  assert.ok(d.space('default').agentPolicies.has(`${OWNER_PREFIX}agents`));
  const run = await runEngine({ uninstall: true }, targetEnv(d));
  assert.equal(run.result.exitCode, 0, run.out + run.err);
  assert.ok(d.space('default').agentPolicies.has(`${OWNER_PREFIX}agents`));
  assert.equal(d.space('default').packagePolicies.size, 0);
  assert.match(run.out, /fleet\.agent_policy\s+sample-service-agents[\s\S]*kept: agents are enrolled in it/);
});

test('on Serverless, uninstall removes the data stream retention it set and the templates it alone filled', async (t) => {
  const d = await StackDouble.start({ apiKey: API_KEY, flavour: 'serverless' });
  t.after(() => d.close());
  const headers = { authorization: `ApiKey ${API_KEY}`, 'content-type': 'application/json' };
  await fetch(`${d.esUrl}/_component_template/${SHARED}`, { method: 'PUT', headers, body: JSON.stringify({ template: { mappings: { properties: { team: { type: 'keyword' } } } } }) });
  const first = await runEngine({ only: ['es.component_template'] }, targetEnv(d));
  assert.equal(first.result.exitCode, 0, first.err);
  assert.equal(((d.componentTemplates.get(SHARED) as { template: { lifecycle?: { data_retention?: string } } }).template.lifecycle?.data_retention), '14d');
  const run = await runEngine({ uninstall: true, only: ['es.component_template'] }, targetEnv(d));
  assert.equal(run.result.exitCode, 0, run.out + run.err);
  assert.deepEqual(d.componentTemplates.get(SHARED)?.template, { mappings: { properties: { team: { type: 'keyword' } } } });
  assert.ok(!d.componentTemplates.has('traces-apm@custom'));
});

test('an uninstall interrupted (Ctrl-C, the run deadline) stops before the next kind and exits 1', async (t) => {
  const d = await provisioned(t);
  const interrupt = new AbortController();
  // Ctrl-C arrives while the rules (the first kind uninstalled) are being deleted.
  d.route('kibana', 'DELETE', /^\/api\/alerting\/rule\//, true, () => {
    interrupt.abort(new Error('interrupted'));
    return { status: 204 };
  });
  const requests = d.requests.length;
  const run = await runEngine({ uninstall: true }, targetEnv(d), { signal: interrupt.signal });
  assert.equal(run.result.exitCode, 1, run.out + run.err);
  const writes = d.writes(requests).map((w) => `${w.method} ${w.path}`);
  assert.ok(writes.some((w) => w.includes('/api/alerting/rule/')), writes.join('\n'));
  assert.deepEqual(writes.filter((w) => !w.includes('/api/alerting/rule/')), [], 'no kind after the rules is touched');
  assert.doesNotMatch(run.out, /FAILED\s+(kibana\.(connector|slo|saved_object|data_view)|es\.|fleet\.)/, 'kinds not reached are not reported as failed');
});
