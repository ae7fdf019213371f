import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { OWNER_PREFIX, OWNER_TAG, SLO_IDS } from '../../kibana/telemetry-fields.js';
import { OBJECTIVES } from '../config.js';
import { CONNECTOR_IDS } from '../connectors.js';
import { ALERT_IDS } from '../ids.js';
import { INVESTIGATION_GUIDE_MAX } from '../rules/model.js';
import { AlertingConfigError, loadAlertingSettings } from '../settings.js';
import { computeWindows } from '../windows.js';
import { connectors, FULL_ENV, resources, rules, slos } from './support.js';

/** Field names a body queries: KQL terms, `field`/`groupBy` values and the es-query DSL's term keys. */
function queriedFields(value: unknown, key = ''): string[] {
  if (typeof value === 'string') {
    if (key === 'esQuery') {
      return [...value.matchAll(/"term":\{"([^"]+)"/g)].map((m) => m[1] ?? '');
    }
    if (['filter', 'query', 'good', 'total'].includes(key)) {
      return [...value.replace(/"[^"]*"/g, '""').matchAll(/([A-Za-z_@][\w.@/]*)\s*(?::|>=|<=|>|<)/g)].map((m) => m[1] ?? '').filter((f) => f !== 'not' && f !== 'and' && f !== 'or');
    }
    if (key === 'groupBy' && (value === 'all' || value === 'top')) return []; // .es-query's grouping mode
    if (['field', 'groupBy', 'termField', 'timeField', 'timestampField'].includes(key)) return [value];
    return [];
  }
  if (Array.isArray(value)) return value.flatMap((v) => queriedFields(v, key));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => queriedFields(v, k));
  }
  return [];
}

describe('alert resources', () => {
  test('every alert id is implemented for both licence levels where it applies', () => {
    const all = rules({});
    for (const id of ALERT_IDS) {
      const implementing = all.filter((r) => r.body.tags?.includes(`alert:${id}`));
      assert.ok(implementing.length > 0, `no rule for ${id}`);
    }
    for (const id of ['availability-burn-rate-page', 'availability-burn-rate-ticket']) {
      const levels = new Set(all.filter((r) => r.body.tags?.includes(`alert:${id}`)).map((r) => r.when?.licence));
      assert.deepEqual([...levels].sort(), ['basic-only', 'platinum'], id);
    }
  });

  test('ids are unique, owned and the SLO ids are the ones the dashboards embed', () => {
    const all = resources(FULL_ENV);
    assert.equal(new Set(all.map((r) => `${r.kind}/${r.id}`)).size, all.length);
    for (const r of all) assert.ok(r.id.startsWith(OWNER_PREFIX), r.id);
    assert.deepEqual(slos().map((s) => s.id).sort(), [SLO_IDS.availability, SLO_IDS.latency].sort());
    assert.deepEqual(['sample-service-availability-slo', 'sample-service-latency-slo'].sort(), Object.values(SLO_IDS).sort());
  });

  test('SLOs and burn-rate rules need the platinum licence, the fallback only applies without it', () => {
    for (const s of slos()) assert.equal(s.when?.licence, 'platinum');
    for (const r of rules({})) {
      if (r.body.rule_type_id === 'slo.rules.burnRate') assert.equal(r.when?.licence, 'platinum', r.id);
      if (r.id.endsWith('-basic')) assert.equal(r.when?.licence, 'basic-only', r.id);
    }
  });

  test('burn-rate thresholds in the rule bodies are the computed ones', () => {
    for (const r of rules({}).filter((x) => x.body.rule_type_id === 'slo.rules.burnRate')) {
      const key = (r.body.params as { sloId: string }).sloId === SLO_IDS.availability ? 'availability' : 'latency';
      const computed = computeWindows(OBJECTIVES[key]);
      for (const w of (r.body.params as { windows: Array<{ id: string; burnRateThreshold: number }> }).windows) {
        assert.equal(w.burnRateThreshold, computed.find((c) => c.id === w.id)?.burnRateThreshold, `${r.id} ${w.id}`);
      }
    }
  });

  test('every rule carries severity, summary, runbook link and a bounded investigation guide', () => {
    const base = FULL_ENV.ALERTS_RUNBOOK_BASE_URL;
    for (const r of rules(FULL_ENV)) {
      const tags = r.body.tags ?? [];
      assert.ok(tags.includes(OWNER_TAG), r.id);
      assert.ok(tags.some((t) => /^severity:(critical|warning)$/.test(t)), r.id);
      const alertId = tags.find((t) => t.startsWith('alert:'))?.slice('alert:'.length);
      const link = `${base}/${OWNER_PREFIX}${alertId}.md`;
      const guide = r.body.artifacts?.investigation_guide?.blob ?? '';
      assert.ok(guide.length > 0 && guide.length <= INVESTIGATION_GUIDE_MAX, `${r.id}: guide ${guide.length} chars`);
      assert.ok(guide.includes(link), `${r.id}: guide lacks ${link}`);
      const messages = (r.body.actions ?? []).filter((a) => a.id === CONNECTOR_IDS.serverLog).map((a) => String(a.params.message));
      assert.ok(messages.length >= 2, `${r.id}: firing and recovery messages`);
      for (const m of messages) {
        assert.ok(m.includes(`Runbook: ${link}`), `${r.id}: message lacks the runbook link`);
        assert.match(m, /Service: sample-service/);
        assert.match(m, /Affected: /, `${r.id}: message names no affected service/route/pod`);
      }
    }
  });

  test('every mustache section in action params is closed, and only known variable roots are used', () => {
    const roots = new Set(['context', 'rule', 'alert', 'date', 'kibanaBaseUrl', 'value', 'field', '_source']);
    for (const r of rules(FULL_ENV)) {
      for (const a of r.body.actions ?? []) {
        const text = JSON.stringify(a.params);
        const stack: string[] = [];
        for (const m of text.matchAll(/\{\{([#/^]?)([^}]+)\}\}/g)) {
          const [, sigil = '', name = ''] = m;
          assert.ok(roots.has(name.trim().split('.')[0] ?? ''), `${r.id}: unknown variable ${name}`);
          if (sigil === '#' || sigil === '^') stack.push(name);
          if (sigil === '/') assert.equal(stack.pop(), name, `${r.id}: section ${name} closed out of order`);
        }
        assert.deepEqual(stack, [], `${r.id}: unclosed mustache section`);
      }
    }
  });

  test('the runbook base URL defaults to the repository path', () => {
    const r = rules({})[0];
    assert.ok(r?.body.artifacts?.investigation_guide?.blob.includes('Runbook: alerts/runbooks/sample-service-'));
  });

  test('optional connectors exist only as env-gated resources and rules only send to them when configured', () => {
    const gated = connectors({}).filter((c) => c.when?.requiresEnv !== undefined).map((c) => c.id).sort();
    assert.deepEqual(gated, [CONNECTOR_IDS.pagerDuty, CONNECTOR_IDS.slack, CONNECTOR_IDS.webhook].sort());
    const optional = new Set<string>(gated);
    for (const r of rules({})) {
      assert.ok((r.body.actions ?? []).every((a) => !optional.has(a.id)), `${r.id} sends to an unconfigured connector`);
    }
    for (const r of rules(FULL_ENV)) {
      const ids = new Set((r.body.actions ?? []).map((a) => a.id));
      const isPage = r.body.tags?.includes('urgency:page') === true;
      assert.equal(ids.has(CONNECTOR_IDS.pagerDuty), isPage, `${r.id}: PagerDuty only for pages`);
      assert.ok(ids.has(CONNECTOR_IDS.slack) && ids.has(CONNECTOR_IDS.webhook) && ids.has(CONNECTOR_IDS.history), r.id);
    }
  });

  test('secrets are never in a definition, only references to environment variables', () => {
    const text = JSON.stringify(resources(FULL_ENV));
    assert.ok(!text.includes(FULL_ENV.PAGERDUTY_ROUTING_KEY));
    assert.ok(!text.includes(FULL_ENV.SLACK_WEBHOOK_URL));
    assert.ok(!text.includes(FULL_ENV.ALERT_WEBHOOK_PASSWORD));
    const pd = connectors(FULL_ENV).find((c) => c.id === CONNECTOR_IDS.pagerDuty);
    assert.deepEqual(pd?.body.secrets, { routingKey: { fromEnv: 'PAGERDUTY_ROUTING_KEY' } });
  });

  test('bad settings are all reported at once without echoing secret values', () => {
    assert.throws(
      () =>
        loadAlertingSettings({
          SLACK_WEBHOOK_URL: 'http://insecure.example.com/secret-token',
          PAGERDUTY_ROUTING_KEY: 'short-secret',
          ALERT_WEBHOOK_USER: 'u',
        }),
      (e: unknown) => {
        assert.ok(e instanceof AlertingConfigError);
        assert.equal(e.problems.length, 4, e.message);
        assert.ok(!e.message.includes('secret-token') && !e.message.includes('short-secret'));
        return true;
      },
    );
  });

  test('every field a rule or SLO queries is declared in its fields', () => {
    for (const r of [...rules({}), ...slos()]) {
      const declared = new Set(r.fields ?? []);
      const body = r.kind === 'kibana.rule' ? r.body.params : r.body.indicator;
      for (const f of queriedFields(body)) assert.ok(declared.has(f), `${r.id} queries ${f} but does not declare it`);
    }
  });

  test('rules that read source data declare the fields they read', () => {
    for (const r of rules({}).filter((x) => x.body.rule_type_id !== 'slo.rules.burnRate')) {
      assert.ok((r.fields ?? []).length > 0, r.id);
    }
  });
});
