import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { apmFields, flatten, logFields, parseExposition, prometheusFields } from './emitted.js';
import { kqlFields, queryDslFields } from './kql.js';

describe('KQL field extraction', () => {
  const cases: Array<[string, string[]]> = [
    ['data_stream.dataset : "prometheus.collector" and service.name : "sample-service"', ['data_stream.dataset', 'service.name']],
    ['not prometheus.labels.route : ("/health" or "/ready" or "/metrics")', ['prometheus.labels.route']],
    ['prometheus.labels.status_code : 5*', ['prometheus.labels.status_code']],
    ['message : "a: b and c : d" or log.level : error', ['message', 'log.level']],
    ['kubernetes.labels.app_kubernetes_io/name : "sample-service"', ['kubernetes.labels.app_kubernetes_io/name']],
    ['http.response.status_code >= 500 and event.duration < 1000', ['http.response.status_code', 'event.duration']],
    ['(a : 1 or b : 2) and not (c : "x")', ['a', 'b', 'c']],
    ['error : { type : "AppError" and message : *fail* }', ['error.type', 'error.message']],
    ['', []],
    ['free text without fields', []],
  ];
  for (const [query, expected] of cases) {
    test(`finds ${JSON.stringify(expected)} in ${JSON.stringify(query)}`, () => {
      assert.deepEqual(kqlFields(query), expected);
    });
  }

  test('query DSL fields come from term, range, match_phrase, exists and bool clauses', () => {
    const dsl = {
      query: {
        bool: {
          filter: [
            { term: { 'service.name': 'sample-service' } },
            { range: { '@timestamp': { gte: 'now-5m' } } },
            { bool: { should: [{ match_phrase: { 'log.level': 'error' } }, { exists: { field: 'error.type' } }] } },
          ],
        },
      },
    };
    assert.deepEqual(queryDslFields(dsl).sort(), ['@timestamp', 'error.type', 'log.level', 'service.name']);
  });
});

describe('exposition to prometheus integration fields', () => {
  const text = [
    '# HELP http_requests_total x',
    '# TYPE http_requests_total counter',
    'http_requests_total{method="GET",route="/a",status_code="200"} 3',
    '# TYPE http_request_duration_seconds histogram',
    'http_request_duration_seconds_bucket{le="0.1",route="/a"} 1',
    'http_request_duration_seconds_sum{route="/a"} 0.05',
    'http_request_duration_seconds_count{route="/a"} 1',
    '# TYPE up gauge',
    'up 1',
    '# TYPE never_observed histogram',
  ].join('\n');

  test('types and label names are read per family, le dropped', () => {
    const m = parseExposition(text);
    assert.equal(m.get('http_requests_total')?.type, 'counter');
    assert.deepEqual([...(m.get('http_request_duration_seconds')?.labels ?? [])], ['route']);
    assert.equal(m.get('never_observed')?.samples, 0);
  });

  test('counters give .counter and .rate, gauges .value, histograms only .histogram', () => {
    const fields = [...prometheusFields(text).keys()].sort();
    assert.deepEqual(fields, [
      'prometheus.http_request_duration_seconds.histogram',
      'prometheus.http_requests_total.counter',
      'prometheus.http_requests_total.rate',
      'prometheus.labels.method',
      'prometheus.labels.route',
      'prometheus.labels.status_code',
      'prometheus.up.value',
    ]);
  });
});

describe('log and span fields', () => {
  test('JSON log lines flatten to dotted names, nested or already dotted', () => {
    assert.deepEqual(flatten({ 'log.level': 'info', error: { type: 'E', message: 'm' }, n: null }), ['log.level', 'error.type', 'error.message', 'n']);
    const fields = logFields([{ message: 'x', 'http.route': '/a' }, { unparsed: 'not json' }]);
    assert.deepEqual([...fields.keys()], ['message', 'http.route']);
  });

  test('custom span attributes become labels or numeric_labels as typed on the span, others are dropped', () => {
    const observed = new Map<string, 'string' | 'number' | 'boolean' | 'other'>([
      ['app.user.id', 'number'],
      ['app.user.found', 'boolean'],
      ['http.route', 'string'],
    ]);
    const fields = apmFields(['app.user.id', 'app.user.found', 'app.never.set'], observed);
    assert.ok(fields.has('numeric_labels.app_user_id'));
    assert.ok(fields.has('labels.app_user_found'));
    assert.ok(!fields.has('labels.http_route'));
    assert.ok(![...fields.keys()].some((f) => f.includes('app_never_set')));
  });
});
