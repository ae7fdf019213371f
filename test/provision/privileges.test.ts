/**
 * The provisioner's API key role, derived from the definitions: every index a rule, SLO or connector
 * reads or writes is covered, SLOs bring manage_transform, and `--print-role` prints it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allResources } from '../../scripts/provision/definitions.js';
import { provisionerRole, type RoleDescriptor } from '../../scripts/provision/privileges.js';
import { selectResources } from '../../scripts/provision/select.js';
import type { ConnectorResource, DataViewResource, Resource, RuleResource, SloResource } from '../../model/resources.js';
import { ALERTS_INDEX } from '../../scripts/drill/alerts.js';
import { INDEX_PATTERNS } from '../../kibana/telemetry-fields.js';
import { definitionEnv, runEngine } from './helpers.js';

const TARGETS = [
  { flavour: 'stateful', licence: 'platinum' },
  { flavour: 'stateful', licence: 'basic' },
  { flavour: 'serverless', licence: 'platinum' },
] as const;

function applicable(flavour: 'stateful' | 'serverless', licence: 'platinum' | 'basic'): Resource[] {
  const env = definitionEnv();
  return selectResources(allResources(env), { flavour, licence, env, only: undefined }).applicable;
}

/** A concrete index name an index pattern matches (each `*` as `x`). */
const example = (pattern: string): string => pattern.replace(/\*/g, 'x');

function covers(pattern: string, index: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return re.test(index);
}

/** Whether the role grants every one of `privileges` (or a broader one) on `index`. */
function grants(role: RoleDescriptor, index: string, privileges: readonly string[]): boolean {
  const broader: Record<string, string[]> = { read: ['all'], view_index_metadata: ['all', 'manage'], create_doc: ['create', 'index', 'write', 'all'], create_index: ['manage', 'all'], write: ['all'] };
  return privileges.every((p) => role.indices.some((e) => e.names.some((n) => covers(n, index)) && (e.privileges.includes(p) || (broader[p] ?? []).some((b) => e.privileges.includes(b)))));
}

/** What each definition touches, read from its body independently of privileges.ts. */
function touched(resources: readonly Resource[]): Array<{ index: string; privileges: string[]; by: string }> {
  const views = new Map(resources.filter((r): r is DataViewResource => r.kind === 'kibana.data_view').map((r) => [r.id, r.body.data_view.title]));
  const out: Array<{ index: string; privileges: string[]; by: string }> = [];
  const read = (patterns: string, by: string): void => {
    for (const p of patterns.split(',')) out.push({ index: example(p.trim()), privileges: ['read'], by });
  };
  for (const r of resources) {
    if (r.kind === 'kibana.slo') {
      read(String(((r as SloResource).body.indicator as { params: { index: string } }).params.index), r.id);
      // The SLO plugin's rollup and summary indices (transform destinations, temp summary document).
      for (const index of ['.slo-observability.sli-v3.3', '.slo-observability.summary-v3.3', '.slo-observability.summary-v3.3.temp']) {
        out.push({ index, privileges: ['read', 'write', 'create_index'], by: r.id });
      }
    } else if (r.kind === 'kibana.connector' && (r as ConnectorResource).body.connector_type_id === '.index') {
      out.push({ index: String((r as ConnectorResource).body.config?.index), privileges: ['create_doc', 'create_index'], by: r.id });
    } else if (r.kind === 'kibana.rule') {
      const rule = r as RuleResource;
      const p = rule.body.params as { searchConfiguration?: { index?: string }; index?: string[] };
      switch (rule.body.rule_type_id) {
        case 'slo.rules.burnRate':
          read('.slo-observability.sli-v3*', r.id);
          break;
        case 'observability.rules.custom_threshold':
          read(views.get(String(p.searchConfiguration?.index)) ?? `<unknown data view ${String(p.searchConfiguration?.index)}>`, r.id);
          break;
        case '.es-query':
          for (const i of p.index ?? []) read(i, r.id);
          break;
        case 'apm.transaction_duration':
          // Aggregated transaction metrics and raw transactions of an APM (ECS or OTel) service.
          for (const index of ['traces-apm-default', 'metrics-apm.transaction.1m-default', 'traces-generic.otel-default']) out.push({ index, privileges: ['read'], by: r.id });
          break;
        default:
          out.push({ index: `<rule type ${rule.body.rule_type_id} not known to this test>`, privileges: ['read'], by: r.id });
      }
    }
  }
  return out;
}

for (const { flavour, licence } of TARGETS) {
  test(`on ${flavour}/${licence} the role covers every index a rule, SLO or connector reads or writes`, () => {
    const resources = applicable(flavour, licence);
    const role = provisionerRole(resources, { flavour, space: undefined });
    const needs = touched(resources);
    assert.ok(needs.length > 5);
    for (const n of needs) assert.ok(grants(role, n.index, n.privileges), `${n.by} needs ${n.privileges.join('+')} on ${n.index}; role: ${JSON.stringify(role.indices)}`);
  });

  test(`on ${flavour}/${licence} the role grants the Kibana feature of every rule's consumer and only the cluster privileges the target has`, () => {
    const resources = applicable(flavour, licence);
    const role = provisionerRole(resources, { flavour, space: undefined });
    const kibana = role.applications[0]?.privileges ?? [];
    const consumers = new Set(resources.filter((r): r is RuleResource => r.kind === 'kibana.rule').map((r) => r.body.consumer));
    for (const c of consumers) assert.ok(kibana.includes(`feature_${c}.all`), `feature for consumer ${c}`);
    const hasSlo = resources.some((r) => r.kind === 'kibana.slo');
    assert.equal(role.cluster.includes('manage_transform'), hasSlo, 'manage_transform exactly when SLOs apply');
    assert.equal(role.cluster.includes('manage_ilm'), flavour === 'stateful', 'manage_ilm only where ILM exists');
    assert.ok(role.cluster.includes('manage_index_templates') && role.cluster.includes('monitor'));
    assert.deepEqual(role.applications[0]?.resources, ['space:default']);
  });
}

test('the same key can run make verify and make drill: every data stream they search and the alert records are readable', () => {
  for (const { flavour, licence } of TARGETS) {
    const role = provisionerRole(applicable(flavour, licence), { flavour, space: undefined });
    for (const pattern of [...Object.values(INDEX_PATTERNS), ALERTS_INDEX]) {
      assert.ok(grants(role, example(pattern), ['read']), `${flavour}/${licence}: read on ${pattern}`);
    }
  }
});

test('a rule type the role does not model is refused with the place to add it', () => {
  const rule: RuleResource = {
    kind: 'kibana.rule',
    id: 'sample-service-x',
    title: 'x',
    body: { name: 'x', rule_type_id: 'metrics.alert.inventory.threshold', consumer: 'infrastructure', schedule: { interval: '1m' }, params: {} },
  };
  assert.throws(() => provisionerRole([rule], { flavour: 'stateful', space: undefined }), /metrics\.alert\.inventory\.threshold is not modelled .*privileges\.ts/);
});

test('--print-role prints the API key request for the space in KIBANA_SPACE, with the reason of each grant', async () => {
  const run = await runEngine({ printRole: true }, { ...definitionEnv(), KIBANA_SPACE: 'ops' });
  assert.equal(run.result.exitCode, 0, run.err);
  const body = JSON.parse(run.out) as { name: string; role_descriptors: Record<string, RoleDescriptor> };
  const role = Object.values(body.role_descriptors)[0] as RoleDescriptor;
  assert.deepEqual(role.applications[0]?.resources, ['space:ops']);
  assert.ok(role.cluster.includes('manage_transform'), 'both licence tiers by default: the SLOs are included');
  assert.match(JSON.stringify(role.metadata.why['index:sample-service-alert-history']), /connector sample-service-alert-history/);
});

test('--print-role cannot be combined with a live mode', async () => {
  const run = await runEngine({ printRole: true, dryRun: true }, definitionEnv());
  assert.equal(run.result.exitCode, 2);
  assert.match(run.err, /--print-role and --dry-run cannot be combined/);
});
