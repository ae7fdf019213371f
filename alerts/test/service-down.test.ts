/**
 * Service down must fire on a crash loop. The documents below are the ones the stack writes, per
 * its sources: on every fetch the prometheus collector sends an `up` gauge, 0 when the scrape failed
 * ("send up event only", elastic/beats metricbeat/module/prometheus/collector/collector.go), with
 * the `instance` and `job` labels; the stream's `add_fields` processor (fleet/policies.ts) puts
 * `service.name` on it. kube-state-metrics' `state_deployment` documents carry the Deployment's
 * available replicas. The rules' criteria are evaluated on them as the custom threshold rule does:
 * the documents matching the rule's KQL in the window, one aggregation, the comparator.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { SERVICE_NAME_PROCESSOR } from '../../fleet/policies.js';
import { fieldRequirements } from '../../kibana/contract/field-types-check.js';
import { kqlComparisons } from '../../kibana/contract/kql.js';
import { DATASETS, INDEX_PATTERNS, KUBERNETES_FIELDS, PROMETHEUS_UP_FIELD, SERVICE_NAME } from '../../kibana/telemetry-fields.js';
import { SERVICE_IDENTITY, THRESHOLDS } from '../config.js';
import { alertResources } from '../index.js';
import { SERVICE_METRICS_KQL, serviceDownReplicasSpec, serviceDownScrapeSpec, serviceDownSpecs } from '../rules/availability.js';

type Doc = Record<string, unknown>;

/** The fields the stream's processors add to every scraped document (its `add_fields` YAML). */
function processorFields(): Doc {
  const [step] = parse(SERVICE_NAME_PROCESSOR) as Array<{ add_fields: { target: string; fields: Record<string, unknown> } }>;
  assert.ok(step);
  return Object.fromEntries(Object.entries(step.add_fields.fields).map(([k, v]) => [`${step.add_fields.target}.${k}`, v]));
}

/** One scrape of one pod: what the collector sends for `up` (flattened field names). */
function upDocument(up: 0 | 1, pod: string): Doc {
  return { [PROMETHEUS_UP_FIELD]: up, 'prometheus.labels.instance': `${pod}:8080`, 'prometheus.labels.job': 'prometheus', 'data_stream.dataset': DATASETS.metrics, ...processorFields() };
}

function deploymentDocument(available: number): Doc {
  return {
    'data_stream.dataset': DATASETS.kubernetesStateDeployment,
    [KUBERNETES_FIELDS.namespace]: SERVICE_IDENTITY.kubernetesNamespace,
    [KUBERNETES_FIELDS.deploymentName]: SERVICE_NAME,
    [KUBERNETES_FIELDS.deploymentReplicasAvailable]: available,
  };
}

/** A window's worth of scrapes (one per scrape period) of each pod. */
function window<T>(make: (i: number) => T): T[] {
  const scrapes = (THRESHOLDS.serviceDown.windowMinutes * 60) / THRESHOLDS.serviceDown.scrapePeriodSeconds;
  return Array.from({ length: scrapes }, (_, i) => make(i));
}

/** Documents matching an AND-chain of `field : "value"` (the only KQL form these rules use). */
function matching(docs: readonly Doc[], kql: string): Doc[] {
  assert.doesNotMatch(kql, /\b(or|not)\b/, 'the evaluator handles AND-chains only');
  const comparisons = kqlComparisons(kql);
  return docs.filter((d) => comparisons.every((c) => c.value !== undefined && String(d[c.field]) === c.value));
}

interface Criterion {
  comparator: '<' | '>' | '>=';
  threshold: number[];
  metrics: Array<{ aggType: 'max' | 'min' | 'count'; field?: string; filter?: string }>;
}

type Outcome = 'fires' | 'quiet' | 'no data, fires' | 'no data, quiet';

/** The custom threshold rule's verdict for one single-metric criterion (equation `A`) over a window. */
function evaluate(params: Record<string, unknown>, docs: readonly Doc[]): Outcome {
  const search = params.searchConfiguration as { query: { query: string } };
  const scoped = matching(docs, search.query.query);
  if (scoped.length === 0) return params.alertOnNoData === true ? 'no data, fires' : 'no data, quiet';
  const [criterion] = params.criteria as Criterion[];
  assert.ok(criterion);
  const [metric] = criterion.metrics;
  assert.ok(metric);
  const inScope = metric.filter !== undefined ? matching(scoped, metric.filter) : scoped;
  const values = metric.field !== undefined ? inScope.map((d) => Number(d[metric.field as string])).filter((v) => !Number.isNaN(v)) : [];
  const value = metric.aggType === 'count' ? inScope.length : metric.aggType === 'max' ? Math.max(...values) : Math.min(...values);
  const threshold = criterion.threshold[0] ?? NaN;
  const hit = criterion.comparator === '<' ? value < threshold : criterion.comparator === '>' ? value > threshold : value >= threshold;
  return hit ? 'fires' : 'quiet';
}

const crashLoop = window((i) => [upDocument(0, 'sample-service-a'), upDocument(0, `sample-service-b${i % 2}`)]).flat();

describe('service down', () => {
  test('a failed scrape still writes an up document with service.name, so counting the service\'s documents never drops below 1 in a crash loop', () => {
    assert.equal(crashLoop[0]?.['service.name'], SERVICE_NAME);
    const documentCount = {
      criteria: [{ comparator: '<', threshold: [1], metrics: [{ aggType: 'count', filter: SERVICE_METRICS_KQL }] }],
      alertOnNoData: true,
      searchConfiguration: { query: { query: SERVICE_METRICS_KQL } },
    };
    assert.equal(evaluate(documentCount, crashLoop), 'quiet');
  });

  test('the scrape rule fires when no pod answered a scrape in its window, and stays quiet when one did', () => {
    const { params } = serviceDownScrapeSpec();
    assert.equal(evaluate(params, crashLoop), 'fires');
    assert.equal(evaluate(params, [...crashLoop, upDocument(1, 'sample-service-a')]), 'quiet');
    assert.equal(evaluate(params, []), 'no data, fires');
  });

  test('the replicas rule fires when the Deployment had no available replica for its whole window; missing kube-state-metrics data does not page', () => {
    const { params } = serviceDownReplicasSpec();
    assert.equal(evaluate(params, window(() => deploymentDocument(0))), 'fires');
    assert.equal(evaluate(params, [...window(() => deploymentDocument(0)), deploymentDocument(1)]), 'quiet');
    assert.equal(evaluate(params, []), 'no data, quiet');
  });

  test('neither rule counts documents: each takes the max of a verdict field and pages under 1', () => {
    for (const spec of serviceDownSpecs()) {
      const [criterion] = (spec.params.criteria as Criterion[]) ?? [];
      assert.deepEqual(criterion?.metrics.map((m) => m.aggType), ['max'], spec.name);
      assert.equal(criterion?.comparator, '<');
      assert.deepEqual(criterion?.threshold, [1]);
      assert.equal(spec.alertId, 'service-down');
      assert.equal(spec.urgency, 'page');
    }
    assert.equal(new Set(serviceDownSpecs().map((s) => s.ruleId ?? s.alertId)).size, 2, 'two rules, distinct ids');
  });

  test('make verify is told that prometheus.up.value and the available replicas must exist and aggregate as numbers', () => {
    const resources = alertResources({});
    const up = fieldRequirements(resources, INDEX_PATTERNS.metrics).find((r) => r.field === PROMETHEUS_UP_FIELD);
    assert.deepEqual(up, { field: PROMETHEUS_UP_FIELD, type: 'double', family: 'number', aggregatable: true, usedBy: ['sample-service-service-down'] });
    const available = fieldRequirements(resources, INDEX_PATTERNS.kubernetes).find((r) => r.field === KUBERNETES_FIELDS.deploymentReplicasAvailable);
    assert.equal(available?.family, 'number');
    assert.deepEqual(available?.usedBy, ['sample-service-service-down-replicas']);
  });
});
