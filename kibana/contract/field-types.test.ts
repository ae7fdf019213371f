import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CUSTOM_MAPPINGS, ERROR_MESSAGE_KEYWORD } from '../../elastic/mappings.js';
import type { Resource, SavedObjectResource } from '../../model/resources.js';
import { allResources } from '../../scripts/provision/definitions.js';
import { DASHBOARD_IDS, dashboards } from '../dashboards/index.js';
import { FIELD_TYPES, fieldType } from '../field-types.js';
import { DATA_VIEW_IDS, INDEX_PATTERNS, LOG_FIELDS, STORED_LOG_EVENT_DATASET, WRITTEN_LOG_EVENT_DATASET } from '../telemetry-fields.js';
import { formatViolations } from './check.js';
import { allFieldRequirements, fieldRequirements, fieldTypeViolations, illegalUse } from './field-types-check.js';

const resources = allResources({});

function dashboard(id: string): SavedObjectResource {
  const found = dashboards().find((r): r is SavedObjectResource => r.kind === 'kibana.saved_object' && r.id === id);
  assert.ok(found, `no dashboard ${id}`);
  return found;
}

function withPanels(d: SavedObjectResource, edit: (panelsJSON: string) => string): SavedObjectResource {
  return { ...d, attributes: { ...d.attributes, panelsJSON: edit(String(d.attributes.panelsJSON)) } };
}

function rule(params: Record<string, unknown>, ruleTypeId = 'observability.rules.custom_threshold'): Resource {
  return { kind: 'kibana.rule', id: 'sample-service-test-rule', title: 'test rule', body: { name: 'test', rule_type_id: ruleTypeId, consumer: 'logs', schedule: { interval: '1m' }, params } };
}

function slo(params: Record<string, unknown>, extra: Record<string, unknown> = {}): Resource {
  return { kind: 'kibana.slo', id: 'sample-service-test-slo', title: 'test SLO', body: { name: 'test', indicator: { type: 'sli.metric.custom', params }, ...extra } };
}

const required = (name: string, t: ReturnType<typeof fieldType>) => {
  assert.ok(t, `${name} has no recorded type`);
  return t;
};

describe('field types: every use legal for the type of the field in the data stream it reads', () => {
  test('every field a dashboard, saved search, SLO or rule reads has a recorded type, and every use of it is legal', () => {
    const violations = fieldTypeViolations(resources);
    assert.equal(violations.length, 0, formatViolations(violations));
  });

  test('every table entry names its source', () => {
    for (const { fields } of Object.values(FIELD_TYPES)) for (const t of fields) assert.ok(t.source.length > 10, `${t.field} has no source`);
  });

  test('top values of error.message fail: the kubernetes package maps it match_only_text, which cannot be aggregated', () => {
    const broken = withPanels(dashboard(DASHBOARD_IDS.logs), (p) => p.replaceAll(ERROR_MESSAGE_KEYWORD, LOG_FIELDS.errorMessage));
    const text = formatViolations(fieldTypeViolations([broken]));
    assert.match(text, /panel "Top error messages": error\.message \(terms: terms needs an aggregatable field, match_only_text is not aggregatable\)/);
    assert.match(required('error.message', fieldType('logs', 'error.message')).source, /container_logs\/fields\/ecs\.yml/);
  });

  test('the keyword sub-field the panels split on is mapped by the project\'s own @custom template, stateful and serverless', () => {
    const logsCustom = resources.filter((r) => r.kind === 'es.component_template' && r.id === 'logs-kubernetes.container_logs@custom');
    assert.equal(logsCustom.length, 2);
    for (const r of logsCustom) {
      assert.ok(r.kind === 'es.component_template');
      assert.deepEqual(r.body.template?.mappings, CUSTOM_MAPPINGS['logs-kubernetes.container_logs@custom']);
    }
    assert.equal(required(ERROR_MESSAGE_KEYWORD, fieldType('logs', ERROR_MESSAGE_KEYWORD)).type, 'keyword');
  });

  test('a percentile needs a number or a histogram: on the duration histogram it passes, on a label or on text it fails', () => {
    assert.equal(illegalUse('percentile', required('histogram', fieldType('metrics', 'prometheus.http_request_duration_seconds.histogram'))), undefined);
    assert.match(illegalUse('percentile', required('label', fieldType('metrics', 'prometheus.labels.route'))) ?? '', /needs number or histogram, the field is keyword/);
    assert.match(illegalUse('percentile', required('message', fieldType('logs', 'message'))) ?? '', /the field is match_only_text/);
  });

  test('sum of a time series counter fails (cumulative); the same metric\'s per-scrape rate is a gauge and sums', () => {
    assert.match(illegalUse('sum', required('counter', fieldType('metrics', 'prometheus.http_requests_total.counter'))) ?? '', /time series counter/);
    assert.equal(illegalUse('sum', required('rate', fieldType('metrics', 'prometheus.http_requests_total.rate'))), undefined);
  });

  test('a counter takes only min and max, as in Lens: max of the restart counter passes, top values of it fail', () => {
    const restarts = required('restarts', fieldType('kubernetes', 'kubernetes.container.status.restarts'));
    assert.equal(restarts.metric, 'counter');
    assert.equal(illegalUse('max', restarts), undefined);
    assert.equal(illegalUse('min', restarts), undefined);
    for (const use of ['terms', 'percentile', 'unique_count', 'value_count', 'avg'] as const) assert.match(illegalUse(use, restarts) ?? '', /counter/, use);
  });

  test('an SLO grouped by a number fails: SLO transforms group by keyword-like fields', () => {
    const bad = slo(
      { index: INDEX_PATTERNS.metrics, timestampField: '@timestamp', good: { metrics: [{ name: 'A', aggregation: 'sum', field: 'prometheus.http_requests_total.rate' }], equation: 'A' } },
      { groupBy: 'prometheus.http_requests_in_flight.value' },
    );
    assert.match(formatViolations(fieldTypeViolations([bad])), /SLO groupBy: prometheus\.http_requests_in_flight\.value \(group: group-by needs keyword, the field is double\)/);
  });

  test('an SLO whose timestamp field is not a date fails', () => {
    const bad = slo({ index: INDEX_PATTERNS.logs, timestampField: LOG_FIELDS.level });
    assert.match(formatViolations(fieldTypeViolations([bad])), /log\.level \(time: the time field needs date, the field is keyword\)/);
  });

  test('a query on a field the data stream does not have fails, naming the data stream', () => {
    const bad = rule({ criteria: [], searchConfiguration: { index: DATA_VIEW_IDS.logs, query: { query: 'prometheus.labels.route : "/api/users"', language: 'kuery' } } });
    assert.match(formatViolations(fieldTypeViolations([bad])), /prometheus\.labels\.route \(query: not a field of logs-kubernetes\.container_logs-\*/);
  });

  test('a rule grouping by a text field fails; an APM rule grouping by a non-keyword fails', () => {
    assert.match(formatViolations(fieldTypeViolations([rule({ criteria: [], groupBy: ['message'], searchConfiguration: { index: DATA_VIEW_IDS.logs } })])), /message \(terms/);
    assert.match(formatViolations(fieldTypeViolations([rule({ groupBy: ['transaction.duration.us'] }, 'apm.transaction_duration')])), /transaction\.duration\.us \(group/);
  });

  test('logs filtered on the event.dataset the service writes match nothing: the reroute processor stores the target dataset', () => {
    assert.notEqual(WRITTEN_LOG_EVENT_DATASET, STORED_LOG_EVENT_DATASET);
    const filter = (value: string) => rule({ criteria: [], searchConfiguration: { index: DATA_VIEW_IDS.logs, query: { query: `event.dataset : "${value}"`, language: 'kuery' } } });
    const text = formatViolations(fieldTypeViolations([filter(WRITTEN_LOG_EVENT_DATASET)]));
    assert.match(text, /every document has event\.dataset = "kubernetes\.container_logs", so "sample-service\.log" matches nothing \(.*RerouteProcessor\.java/);
    assert.deepEqual(fieldTypeViolations([filter(STORED_LOG_EVENT_DATASET)]), []);
  });
});

describe('values the data streams can have', () => {
  test('a kubernetes query on a dataset the package policy does not enable matches nothing; an enabled one passes', () => {
    const scoped = (dataset: string) =>
      rule({ criteria: [], searchConfiguration: { index: DATA_VIEW_IDS.kubernetes, query: { query: `data_stream.dataset : "${dataset}"`, language: 'kuery' } } });
    assert.match(formatViolations(fieldTypeViolations([scoped('kubernetes.state_job')])), /data_stream\.dataset is one of .*kubernetes\.state_deployment.*, so "kubernetes\.state_job" matches nothing/);
    assert.deepEqual(fieldTypeViolations([scoped('kubernetes.state_deployment')]), []);
    assert.deepEqual(fieldTypeViolations([scoped('kubernetes.state_*')]), []);
  });
});

describe('fields that only some datasets have', () => {
  test('the restart counter read from kubelet container documents is always empty: only state_container documents have it', () => {
    const restarts = (dataset: string) =>
      rule({
        criteria: [{ metrics: [{ name: 'A', aggType: 'max', field: 'kubernetes.container.status.restarts' }] }],
        searchConfiguration: { index: DATA_VIEW_IDS.kubernetes, query: { query: `data_stream.dataset : "${dataset}"`, language: 'kuery' } },
      });
    assert.match(
      formatViolations(fieldTypeViolations([restarts('kubernetes.container')])),
      /kubernetes\.container\.status\.restarts \(max: only kubernetes\.state_container documents have it, and this reads kubernetes\.container/,
    );
    assert.deepEqual(fieldTypeViolations([restarts('kubernetes.state_container')]), []);
  });

  test('a Lens column\'s own dataset filter decides what it reads, not the panel\'s wider scope', () => {
    const runtime = dashboard(DASHBOARD_IDS.runtime);
    assert.deepEqual(fieldTypeViolations([runtime]), []);
    // Swap the usage and state filters: usage columns now read kube-state-metrics documents.
    const swapped = withPanels(runtime, (p) =>
      p.replaceAll('data_stream.dataset : \\"kubernetes.container\\"', 'data_stream.dataset : \\"kubernetes.__usage__\\"')
        .replaceAll('data_stream.dataset : \\"kubernetes.state_container\\"', 'data_stream.dataset : \\"kubernetes.container\\"')
        .replaceAll('kubernetes.__usage__', 'kubernetes.state_container'),
    );
    assert.match(formatViolations(fieldTypeViolations([swapped])), /panel "Pod memory vs request and limit": kubernetes\.container\.memory\.workingset\.bytes \(max: only kubernetes\.container documents have it/);
  });
});

describe('fieldRequirements (what make verify compares with _field_caps)', () => {
  test('lists each field a data stream must have, its type family, whether it must aggregate, and who reads it', () => {
    const logs = fieldRequirements(resources, INDEX_PATTERNS.logs);
    const message = logs.find((r) => r.field === ERROR_MESSAGE_KEYWORD);
    assert.deepEqual(message, { field: ERROR_MESSAGE_KEYWORD, type: 'keyword', family: 'keyword', aggregatable: true, usedBy: [DASHBOARD_IDS.logs, DASHBOARD_IDS.overview].sort() });
    assert.ok(logs.every((r) => r.type !== undefined), 'every required field has a recorded type');
    const rate = fieldRequirements(resources, 'metrics-prometheus.collector-default').find((r) => r.field === 'prometheus.http_requests_total.rate');
    assert.equal(rate?.family, 'number');
    assert.equal(rate?.aggregatable, true);
  });

  test('every data stream the definitions read is listed once, with the patterns to ask _field_caps about', () => {
    const all = allFieldRequirements(resources);
    assert.deepEqual(all.map((a) => a.signal).sort(), ['apm', 'kubernetes', 'logs', 'metrics']);
    const kubernetes = all.find((a) => a.signal === 'kubernetes');
    assert.deepEqual(kubernetes?.patterns, [INDEX_PATTERNS.kubernetes]);
    assert.ok(kubernetes?.fields.some((f) => f.field === 'kubernetes.deployment.replicas.available'));
  });

  test('a pattern this project does not read is an error, not an empty list', () => {
    assert.throws(() => fieldRequirements(resources, 'logs-nginx.access-*'), /not a data stream this project reads/);
  });
});
