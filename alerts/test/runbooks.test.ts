import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { REPO_ROOT } from '../../test/support/contracts.js';
import { alertSpecs } from '../catalogue.js';
import { ALERT_IDS, type AlertId } from '../ids.js';
import { DEPLOYMENT_KQL, SERVICE_METRICS_KQL } from '../rules/availability.js';
import { PROMETHEUS_UP_FIELD } from '../../kibana/telemetry-fields.js';
import { basicSliFilters } from '../rules/burn-rate.js';
import { MEMORY_KQL, RESTARTS_KQL } from '../rules/kubernetes.js';
import { ERROR_LOG_KQL } from '../rules/logs.js';
import { runbookFileName } from '../rules/model.js';
import { EVENT_LOOP_LAG_FIELD } from '../rules/runtime.js';

const RUNBOOK_DIR = path.join(REPO_ROOT, 'alerts', 'runbooks');
const REQUIRED_SECTIONS = ['What it means', 'Impact', 'How to confirm', 'How to mitigate', 'When to escalate'] as const;

/** The exact queries each runbook must quote, taken from the rule definitions so they cannot drift apart. */
const REQUIRED_QUERIES: Partial<Record<AlertId, readonly string[]>> = {
  'availability-burn-rate-page': [basicSliFilters().bad],
  'availability-burn-rate-ticket': [basicSliFilters().bad],
  'error-log-spike': [ERROR_LOG_KQL],
  'service-down': [SERVICE_METRICS_KQL, PROMETHEUS_UP_FIELD, DEPLOYMENT_KQL],
  'pod-restarts': [RESTARTS_KQL],
  'memory-saturation': [MEMORY_KQL],
  'event-loop-lag': [EVENT_LOOP_LAG_FIELD],
};

function sections(markdown: string): Map<string, string> {
  const out = new Map<string, string>();
  const parts = markdown.split(/^## +/m).slice(1);
  for (const part of parts) {
    const [heading = '', ...body] = part.split('\n');
    out.set(heading.trim(), body.join('\n').trim());
  }
  return out;
}

describe('runbooks', () => {
  const alertIds = [...new Set(alertSpecs().map((s) => s.alertId))];

  test('every rule has a runbook file named after its rule id', () => {
    assert.deepEqual([...alertIds].sort(), [...ALERT_IDS].sort());
    for (const id of alertIds) assert.ok(existsSync(path.join(RUNBOOK_DIR, runbookFileName(id))), `missing runbook for ${id}`);
  });

  test('there is no runbook without a rule', () => {
    const expected = new Set(alertIds.map(runbookFileName));
    for (const file of readdirSync(RUNBOOK_DIR)) assert.ok(expected.has(file), `orphan runbook ${file}`);
  });

  for (const id of ALERT_IDS) {
    test(`the ${id} runbook has every section, filled in, with a Discover or APM link and an exact query`, () => {
      const text = readFileSync(path.join(RUNBOOK_DIR, runbookFileName(id)), 'utf8');
      const found = sections(text);
      for (const name of REQUIRED_SECTIONS) {
        const body = found.get(name);
        assert.ok(body !== undefined, `${id}: section "${name}" missing`);
        assert.ok(body.length >= 40, `${id}: section "${name}" is empty`);
      }
      const confirm = found.get('How to confirm') ?? '';
      assert.match(confirm, /app\/(discover|apm|slos)|data view \*\*sample-service-/, `${id}: no Discover/APM link`);
      assert.match(confirm, /```(kql|sh)/, `${id}: no exact query block`);
      for (const q of REQUIRED_QUERIES[id] ?? []) assert.ok(text.includes(q), `${id}: runbook does not quote the rule's query ${q}`);
    });
  }
});
