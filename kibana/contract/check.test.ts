import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Resource } from '../../model/resources.js';
import { DATA_VIEW_IDS, INDEX_PATTERNS } from '../telemetry-fields.js';
import { fieldUses, formatViolations, signalOf, undeclaredFields, unemittedFields } from './check.js';
import type { EmittedFields } from './emitted.js';

/** A small emitted set: each signal has exactly the fields listed. */
function emitted(fields: Partial<Record<keyof EmittedFields, string[]>>): EmittedFields {
  const set = (xs: string[] = []) => new Map(xs.map((x) => [x, 'test'] as const));
  return { metrics: set(fields.metrics), logs: set(fields.logs), apm: set(fields.apm), kubernetes: set(fields.kubernetes) };
}

const slo: Resource = {
  kind: 'kibana.slo',
  id: 'sample-service-test-slo',
  title: 'test SLO',
  fields: ['@timestamp', 'service.name', 'prometheus.http_requests_total.rate', 'prometheus.labels.status_code'],
  body: {
    name: 'test',
    indicator: {
      type: 'sli.metric.custom',
      params: {
        index: INDEX_PATTERNS.metrics,
        timestampField: '@timestamp',
        filter: 'service.name : "sample-service"',
        good: { metrics: [{ name: 'A', aggregation: 'sum', field: 'prometheus.http_requests_total.rate', filter: 'not prometheus.labels.status_code : 5*' }], equation: 'A' },
        total: { metrics: [{ name: 'A', aggregation: 'sum', field: 'prometheus.http_requests_total.rate' }], equation: 'A' },
      },
    },
  },
};

const threshold: Resource = {
  kind: 'kibana.rule',
  id: 'sample-service-test-threshold',
  title: 'test threshold rule',
  fields: ['kubernetes.container.status.restarts', 'kubernetes.pod.name', 'data_stream.dataset'],
  body: {
    name: 'test',
    rule_type_id: 'observability.rules.custom_threshold',
    consumer: 'logs',
    schedule: { interval: '1m' },
    params: {
      criteria: [{ comparator: '>', threshold: [0], timeSize: 5, timeUnit: 'm', metrics: [{ name: 'A', aggType: 'max', field: 'kubernetes.container.status.restarts' }] }],
      groupBy: ['kubernetes.pod.name'],
      searchConfiguration: { index: DATA_VIEW_IDS.kubernetes, query: { query: 'data_stream.dataset : "kubernetes.state_container"', language: 'kuery' } },
    },
  },
};

const esQuery: Resource = {
  kind: 'kibana.rule',
  id: 'sample-service-test-es-query',
  title: 'test es-query rule',
  fields: ['@timestamp', 'service.name'],
  body: {
    name: 'test',
    rule_type_id: '.es-query',
    consumer: 'stackAlerts',
    schedule: { interval: '1m' },
    params: {
      searchType: 'esQuery',
      index: [INDEX_PATTERNS.logs],
      timeField: '@timestamp',
      esQuery: JSON.stringify({ query: { bool: { filter: [{ term: { 'service.name': 'sample-service' } }, { term: { 'log.level': 'error' } }] } } }),
    },
  },
};

describe('field uses of SLOs and rules', () => {
  test('an SLO indicator yields its index signal, timestamp, filter, metric fields and metric filters', () => {
    const uses = fieldUses(slo);
    assert.deepEqual([...new Set(uses.map((u) => u.field))].sort(), ['@timestamp', 'prometheus.http_requests_total.rate', 'prometheus.labels.status_code', 'service.name']);
    assert.ok(uses.every((u) => u.signal === 'metrics'));
  });

  test('a custom threshold rule yields its metric fields, groupBy and KQL fields on its data view signal', () => {
    const uses = fieldUses(threshold);
    assert.deepEqual([...new Set(uses.map((u) => u.field))].sort(), ['data_stream.dataset', 'kubernetes.container.status.restarts', 'kubernetes.pod.name']);
    assert.ok(uses.every((u) => u.signal === 'kubernetes'));
  });

  test('an es-query rule yields the query DSL fields and the time field on its index signal', () => {
    const uses = fieldUses(esQuery);
    assert.deepEqual([...new Set(uses.map((u) => u.field))].sort(), ['@timestamp', 'log.level', 'service.name']);
    assert.ok(uses.every((u) => u.signal === 'logs'));
  });

  test('a body field missing from the declaration is reported, naming the resource and the field', () => {
    const text = formatViolations(undeclaredFields([esQuery]));
    assert.match(text, /sample-service-test-es-query.*log\.level \(used in the body but missing from `fields`\)/);
  });

  test('fields are checked on the signal the resource reads: a metrics field on the logs index fails', () => {
    const ok = unemittedFields([esQuery], emitted({ logs: ['@timestamp', 'service.name', 'log.level'] }));
    assert.deepEqual(ok, []);
    const wrongSignal = unemittedFields([esQuery], emitted({ metrics: ['@timestamp', 'service.name', 'log.level'] }));
    assert.equal(wrongSignal.length, 3);
    assert.ok(wrongSignal.every((v) => v.problem === 'not emitted on logs'));
  });

  test('signals resolve from data view ids and index patterns; mixed or foreign ones resolve to none', () => {
    assert.equal(signalOf(DATA_VIEW_IDS.metrics), 'metrics');
    assert.equal(signalOf('traces-apm*,metrics-apm*'), 'apm');
    assert.equal(signalOf([INDEX_PATTERNS.logs]), 'logs');
    assert.equal(signalOf(`${INDEX_PATTERNS.logs},${INDEX_PATTERNS.metrics}`), undefined);
    assert.equal(signalOf('some-other-index'), undefined);
  });
});
