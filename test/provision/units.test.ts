/** Unit tests of the engine's parts: comparison, retry policy, redaction, config, ECK wiring, definitions. */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { ILM_POLICY_IDS, RETENTION, lifecycleResources } from '../../elastic/lifecycle.js';
import { APM_TRACE_LINK, dataViews } from '../../kibana/data-views.js';
import { LOG_COLUMNS, logsSearch } from '../../kibana/saved-searches.js';
import { DATA_VIEW_IDS, OWNER_PREFIX, SAVED_SEARCH_IDS } from '../../kibana/telemetry-fields.js';
import { loadConfig } from '../../scripts/provision/config.js';
import { diffSubset, flattenSettings } from '../../scripts/provision/diff.js';
import { openEck, type EckDeps } from '../../scripts/provision/eck.js';
import { ConfigError, RemoteError } from '../../scripts/provision/errors.js';
import { KibanaClient } from '../../scripts/provision/kibana-client.js';
import { Redactor } from '../../scripts/provision/redact.js';
import type { ComponentTemplateResource, DataViewResource, IlmPolicyResource } from '../../model/resources.js';
import { backoffDelay, withRetry } from '../../scripts/provision/retry.js';

test('the comparison ignores fields the server adds and reports the ones that differ', () => {
  const desired = { name: 'a', config: { index: 'x' }, tags: ['t'] };
  const live = { id: '1', name: 'a', config: { index: 'x', refresh: false }, tags: ['t'], is_preconfigured: false };
  assert.deepEqual(diffSubset(desired, live), []);
  assert.deepEqual(diffSubset({ ...desired, name: 'b' }, live), [{ path: 'name', desired: 'b', live: 'a' }]);
  assert.deepEqual(diffSubset({ tags: ['t', 'u'] }, live), [{ path: 'tags', desired: ['t', 'u'], live: ['t'] }]);
  assert.deepEqual(diffSubset({ actions: [{ id: 'c', params: {} }] }, { actions: [{ id: 'c', params: {}, uuid: 'u1' }] }), []);
});

test('JSON-encoded attributes compare as JSON, and settings numbers equal their string form', () => {
  assert.deepEqual(diffSubset({ s: '{"a":1,"b":[1]}' }, { s: '{ "b": [1], "a": 1, "c": 2 }' }), []);
  assert.equal(diffSubset({ s: '{"a":1}' }, { s: '{"a":2}' })[0]?.path, 's.a');
  assert.deepEqual(diffSubset({ replicas: 1 }, { replicas: '1' }), []);
  assert.deepEqual(flattenSettings({ index: { lifecycle: { name: 'p', prefer_ilm: true } }, number_of_shards: 1 }), {
    'index.lifecycle.name': 'p',
    'index.lifecycle.prefer_ilm': 'true',
    'index.number_of_shards': '1',
  });
});

test('backoff grows exponentially, stays bounded, and honours Retry-After', () => {
  const policy = { attempts: 5, baseDelayMs: 100, maxDelayMs: 1000 };
  const almostOne = (): number => 0.999;
  assert.equal(backoffDelay(policy, 0, undefined, almostOne), 99);
  assert.equal(backoffDelay(policy, 2, undefined, almostOne), 399);
  assert.equal(backoffDelay(policy, 10, undefined, almostOne), 999);
  assert.equal(backoffDelay(policy, 0, undefined, () => 0), 0);
  assert.equal(backoffDelay(policy, 0, 0.5), 500);
  assert.equal(backoffDelay(policy, 0, 60), 1000);
});

test('retries stop at the bound and never retry a final error', async () => {
  let calls = 0;
  const slept: number[] = [];
  await assert.rejects(
    withRetry({ attempts: 3, baseDelayMs: 10, maxDelayMs: 100 }, async (ms) => void slept.push(ms), async () => {
      calls++;
      throw new Error('503');
    }, () => ({ retry: true, reason: '503' })),
  );
  assert.equal(calls, 3);
  assert.equal(slept.length, 2);
  calls = 0;
  await assert.rejects(withRetry({ attempts: 3, baseDelayMs: 1, maxDelayMs: 1 }, async () => undefined, async () => {
    calls++;
    throw new Error('400');
  }, () => ({ retry: false, reason: '400' })));
  assert.equal(calls, 1);
});

test('connection errors to Kibana are retried, then reported without credentials', async () => {
  const retries: string[] = [];
  const client = new KibanaClient({
    baseUrl: 'http://127.0.0.1:1',
    space: 'ops',
    authorization: 'ApiKey c2VjcmV0LWtleQ==',
    ca: undefined,
    servername: undefined,
    retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 1 },
    sleep: async () => undefined,
    onRetry: (m) => retries.push(m),
  });
  assert.equal(client.spacePath('/api/status'), '/s/ops/api/status');
  const err = await client.request({ method: 'GET', path: '/api/status' }).catch((e: unknown) => e);
  assert.ok(err instanceof RemoteError);
  assert.match(err.message, /GET \/s\/ops\/api\/status failed: Kibana at http:\/\/127\.0\.0\.1:1 \(KIBANA_URL\): connection refused .*\[ECONNREFUSED\]/);
  assert.ok(!err.message.includes('c2VjcmV0LWtleQ'));
  assert.equal(retries.length, 2);
});

test('the redactor removes every registered secret from text', () => {
  const r = new Redactor();
  r.add('hunter22');
  r.add('ab');
  assert.equal(r.redact('password hunter22, ab stays'), 'password <redacted>, ab stays');
});

test('configuration reads the CA file and rejects what cannot work', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'provision-config-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const ca = path.join(dir, 'ca.crt');
  await writeFile(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
  const config = loadConfig({ dryRun: true }, {
    KIBANA_URL: 'https://kb.example:5601/kibana/',
    ELASTICSEARCH_URL: 'https://es.example:9200',
    ELASTIC_API_KEY: 'a2V5',
    KIBANA_SPACE: 'default',
    ELASTIC_CA_FILE: ca,
  });
  assert.equal(config.mode, 'dry-run');
  assert.equal(config.target?.kibanaUrl, 'https://kb.example:5601/kibana');
  assert.equal(config.target?.space, undefined, 'the default space has no prefix');
  assert.match(config.target?.caPem ?? '', /BEGIN CERTIFICATE/);
  assert.ok(Object.isFrozen(config));

  assert.throws(
    () => loadConfig({ print: true, dryRun: true, prune: true }, {}),
    (e: unknown) => e instanceof ConfigError && e.problems.length === 2,
  );
  assert.throws(
    () => loadConfig({}, { KIBANA_URL: 'https://u:p@kb', ELASTICSEARCH_URL: 'https://es', ELASTIC_API_KEY: 'k', ELASTIC_PASSWORD: 'p', ELASTIC_CA_FILE: path.join(dir, 'missing') }),
    (e: unknown) =>
      e instanceof ConfigError &&
      e.problems.some((p) => p.includes('must not contain credentials')) &&
      e.problems.some((p) => p.includes('not both')) &&
      e.problems.some((p) => p.includes('cannot be read')),
  );
  assert.equal(loadConfig({ print: true }, {}).target, undefined, '--print needs no target');
});

function fakeEck(secrets: Record<string, string>): EckDeps & { opened: string[][]; closed: number } {
  const state = { opened: [] as string[][], closed: 0 };
  let port = 40000;
  return {
    ...state,
    get opened() {
      return state.opened;
    },
    get closed() {
      return state.closed;
    },
    kubectl: async (args) => {
      if (args[0] === 'config') return 'kind-test\n';
      if (args[0] === 'version') return '';
      const key = `${args[2]}/${String(args.at(-1)).replace('jsonpath={.data.', '').replace('}', '').replace('\\.', '.')}`;
      return Buffer.from(secrets[key] ?? '').toString('base64');
    },
    portForward: (args) => {
      state.opened.push([...args]);
      return { ready: Promise.resolve(), close: async () => void state.closed++ };
    },
    freePort: async () => port++,
  };
}

test('--from-eck reads the ECK secrets, forwards both services and closes the forwards', async () => {
  const deps = fakeEck({
    'elasticsearch-es-elastic-user/elastic': 'pw',
    'elasticsearch-es-http-certs-public/ca.crt': '-----BEGIN CERTIFICATE-----\nES\n-----END CERTIFICATE-----',
    'kibana-kb-http-certs-public/ca.crt': '-----BEGIN CERTIFICATE-----\nKB\n-----END CERTIFICATE-----',
  });
  const conn = await openEck('elastic-stack', deps);
  assert.equal(conn.env.ELASTIC_PASSWORD, 'pw');
  assert.equal(conn.env.ELASTICSEARCH_URL, 'https://127.0.0.1:40000');
  assert.equal(conn.env.KIBANA_URL, 'https://127.0.0.1:40001');
  assert.match(conn.env.ECK_CA_PEM ?? '', /ES[\s\S]*KB/);
  assert.equal(conn.elasticsearchServername, 'elasticsearch-es-http.elastic-stack.svc');
  assert.deepEqual(deps.opened.map((a) => a.slice(-2)), [['service/elasticsearch-es-http', '40000:9200'], ['service/kibana-kb-http', '40001:5601']]);
  await conn.close();
  await conn.close();
  assert.equal(deps.closed, 2);

  const broken = fakeEck({ 'elasticsearch-es-elastic-user/elastic': 'pw' });
  await assert.rejects(openEck('elastic-stack', broken), /has no key "ca\.crt"/);
  assert.equal(broken.opened.length, 0);
});

test('every signal has an ILM policy and @custom templates for both flavours, with the same retention', () => {
  const resources = lifecycleResources();
  for (const [signal, retention] of Object.entries(RETENTION)) {
    const policy = resources.find((r): r is IlmPolicyResource => r.kind === 'es.ilm_policy' && r.id === ILM_POLICY_IDS[signal as keyof typeof RETENTION]);
    assert.ok(policy?.id.startsWith(OWNER_PREFIX));
    assert.deepEqual(policy?.when?.flavours, ['stateful']);
    assert.equal(policy?.body.policy.phases.delete?.min_age, `${retention.days}d`);
    for (const name of retention.customTemplates) {
      assert.match(name, /^(logs|metrics|traces)-[a-z._]+@custom$/);
      const variants = resources.filter((r): r is ComponentTemplateResource => r.kind === 'es.component_template' && r.id === name);
      assert.deepEqual(variants.map((v) => v.when?.flavours?.[0]).sort(), ['serverless', 'stateful']);
      const stateful = variants.find((v) => v.when?.flavours?.includes('stateful'));
      const serverless = variants.find((v) => v.when?.flavours?.includes('serverless'));
      assert.deepEqual(stateful?.body.template?.settings, { index: { lifecycle: { name: policy?.id, prefer_ilm: true } } });
      assert.deepEqual(serverless?.body.template?.lifecycle, { data_retention: `${retention.days}d` });
    }
  }
  assert.ok(RETENTION.traces.days < RETENTION.logs.days && RETENTION.logs.days < RETENTION.metrics.days);
});

test('the data views use the stable ids and the logs view links trace.id to the APM trace', () => {
  const views = dataViews() as DataViewResource[];
  assert.deepEqual(views.map((v) => v.id).sort(), Object.values(DATA_VIEW_IDS).sort());
  const logs = views.find((v) => v.id === DATA_VIEW_IDS.logs);
  assert.deepEqual(logs?.body.data_view.fieldFormats?.['trace.id'], {
    id: 'url',
    params: { type: 'a', urlTemplate: APM_TRACE_LINK, labelTemplate: '{{value}}' },
  });
});

/**
 * Kibana's URL field format turns a template into an href (`getUrlPrefix` in
 * src/platform/plugins/shared/field_formats/common/converters/url.tsx): a URL starting with the base
 * path (or `/` when there is none) gets only the origin; `#...` gets origin and pathname; anything
 * else gets `<origin><basePath>/app` plus `/` unless it starts with one.
 */
function kibanaHref(url: string, parsedUrl: { origin: string; pathname: string; basePath: string }): string {
  if (['http://', 'https://', 'mailto:'].some((s) => url.startsWith(s))) return url;
  if (url.startsWith('#')) return `${parsedUrl.origin}${parsedUrl.pathname}${url}`;
  if (url.indexOf(parsedUrl.basePath || '/') === 0) return `${parsedUrl.origin}${url}`;
  return `${parsedUrl.origin}${parsedUrl.basePath}/app${url.startsWith('/') ? '' : '/'}${url}`;
}

for (const basePath of ['', '/s/other', '/kibana', '/kibana/s/other']) {
  test(`the trace link opens the APM trace view under base path "${basePath || '(none)'}"`, () => {
    const origin = 'https://kibana.example';
    const url = APM_TRACE_LINK.replace('{{value}}', encodeURIComponent('4bf92f3577b34da6a3ce929d0e0e4736'));
    const href = kibanaHref(url, { origin, pathname: `${basePath}/app/discover`, basePath });
    assert.equal(href, `${origin}${basePath}/app/apm/link-to/trace/4bf92f3577b34da6a3ce929d0e0e4736`);
  });
}

test('the logs saved search shows the on-call columns, filtered to the service, on the logs data view', () => {
  const search = logsSearch();
  assert.equal(search.id, SAVED_SEARCH_IDS.logs);
  assert.equal(search.attributes.title, '[Sample Service] Logs');
  assert.deepEqual(search.attributes.columns, ['log.level', 'message', 'http.request.id', 'trace.id', 'url.path', 'http.response.status_code']);
  assert.deepEqual([...LOG_COLUMNS], search.attributes.columns);
  const source = JSON.parse((search.attributes.kibanaSavedObjectMeta as { searchSourceJSON: string }).searchSourceJSON) as {
    filter: Array<{ query: unknown; meta: { indexRefName: string } }>;
    indexRefName: string;
  };
  assert.deepEqual(source.filter[0]?.query, { match_phrase: { 'service.name': 'sample-service' } });
  for (const refName of [source.indexRefName, source.filter[0]?.meta.indexRefName]) {
    assert.deepEqual(search.references.find((r) => r.name === refName), { type: 'index-pattern', id: DATA_VIEW_IDS.logs, name: refName });
  }
});
