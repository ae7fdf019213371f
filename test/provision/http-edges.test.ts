/**
 * The provisioning clients against real HTTP servers on 127.0.0.1 that misbehave the way proxies,
 * sign-in pages and broken networks do: redirects, HTML, silence, trickling answers, the other
 * product, TLS that does not verify, and an interrupted run. Deadlines are short and configurable.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer as createHttpServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { Client, HttpConnection } from '@elastic/elasticsearch';
import { parseDuration, readDeadlines } from '../../scripts/provision/deadline.js';
import { checkKubeContext, type EckDeps } from '../../scripts/provision/eck.js';
import { ConfigError, RemoteError } from '../../scripts/provision/errors.js';
import { createEsClient, esCaller } from '../../scripts/provision/es-client.js';
import { KibanaClient, kibanaErrorMessage } from '../../scripts/provision/kibana-client.js';
import { StackDouble } from '../support/stack-double.js';
import { API_KEY, runEngine, targetEnv } from './helpers.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
type After = { after: (fn: () => unknown) => void };

/** Starts a server on an ephemeral port; it and every connection it holds close after the test. */
async function serve(t: After, handler: Handler, tls?: { key: string; cert: string }): Promise<string> {
  const server: Server = tls ? createHttpsServer(tls, handler) : createHttpServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  });
  return `${tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A reverse proxy to `upstream` that answers what `intercept` claims itself and forwards the rest. */
function proxy(upstream: string, intercept: (req: IncomingMessage) => Handler | undefined): Handler {
  return (req, res) => {
    const own = intercept(req);
    if (own !== undefined) {
      req.resume();
      own(req, res);
      return;
    }
    const forward = httpRequest(new URL(req.url ?? '/', upstream), { method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    req.pipe(forward);
  };
}

const redirectToSignIn: Handler = (_req, res) => {
  res.writeHead(302, { location: 'https://sso.example/login?state=s3cr3t-state' }).end();
};

const signInPage: Handler = (req, res) => {
  req.resume();
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!DOCTYPE html><html><head><title>Sign in</title></head><body>…</body></html>');
};

const silent: Handler = (req) => void req.resume();

/** Headers at once, then one byte every 20 ms, never the end: an idle timeout never fires. */
const trickle: Handler = (req, res) => {
  req.resume();
  res.writeHead(200, { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch' });
  res.write('{');
  const timer = setInterval(() => res.write(' '), 20);
  res.on('close', () => clearInterval(timer));
};

function kibanaClient(baseUrl: string, extra: Partial<ConstructorParameters<typeof KibanaClient>[0]> = {}): KibanaClient {
  return new KibanaClient({
    baseUrl,
    space: undefined,
    authorization: `ApiKey ${API_KEY}`,
    ca: undefined,
    servername: undefined,
    retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
    sleep: async () => undefined,
    timeoutMs: 200,
    ...extra,
  });
}

test('a proxy answering writes with 302 fails each write, and nothing is reported created', async (t) => {
  const d = await StackDouble.start({ apiKey: API_KEY });
  t.after(() => d.close());
  const kibana = await serve(t, proxy(d.kibanaUrl, (req) => (req.method === 'GET' ? undefined : redirectToSignIn)));
  const run = await runEngine({ only: ['kibana.data_view'] }, targetEnv(d, { KIBANA_URL: kibana }));
  assert.equal(run.result.exitCode, 1);
  assert.equal(d.space('default').dataViews.size, 0, 'nothing was written');
  assert.doesNotMatch(run.out, /\bcreated\s+kibana/);
  assert.match(run.out, /Done: 0 created, 0 updated/);
  assert.match(run.err, /answered POST \/api\/data_views\/data_view with HTTP 302 \(redirect to https:\/\/sso\.example\/login\)/);
  assert.ok(!`${run.out}${run.err}`.includes('s3cr3t-state'), 'the redirect query is not printed');
  assert.ok(run.result.objects.every((o) => o.outcome !== 'applied'));
});

test('a 302 from a proxy in front of Elasticsearch is a failure too', async (t) => {
  const d = await StackDouble.start({ apiKey: API_KEY });
  t.after(() => d.close());
  const es = await serve(t, proxy(d.esUrl, (req) => (req.method === 'PUT' ? redirectToSignIn : undefined)));
  const run = await runEngine({ only: ['es.ilm_policy'] }, targetEnv(d, { ELASTICSEARCH_URL: es }));
  assert.equal(run.result.exitCode, 1);
  assert.equal(d.ilm.size, 0);
  assert.match(run.err, /Elasticsearch at http:\/\/127\.0\.0\.1:\d+ \(ELASTICSEARCH_URL\) answered PUT \/_ilm\/policy\/\S+ with HTTP 302/);
});

test('a dry run reports failed reads as failures, not as unchanged, and exits 1', async (t) => {
  const d = await StackDouble.start({ apiKey: API_KEY });
  t.after(() => d.close());
  d.inject({ target: 'kibana', method: 'GET', path: /^\/api\/data_views\/data_view\//, status: 500, times: Infinity });
  const run = await runEngine({ dryRun: true, only: ['kibana.data_view'] }, targetEnv(d));
  assert.equal(run.result.exitCode, 1);
  assert.match(run.out, /Plan: 0 to create, 0 to update, 0 unchanged, 0 to delete \(deletes only with --prune\), 4 could not be read\./);
  assert.match(run.err, /Could not be read \(the plan is incomplete\):\n {2}kibana\.data_view sample-service-/);
  assert.equal(d.writes().length, 0);
});

test('a dry run reports a failed listing of owned objects and exits 1', async (t) => {
  const d = await StackDouble.start({ apiKey: API_KEY });
  t.after(() => d.close());
  d.inject({ target: 'kibana', method: 'GET', path: /^\/api\/data_views$/, status: 500, times: Infinity });
  const run = await runEngine({ dryRun: true, only: ['kibana.data_view'] }, targetEnv(d));
  assert.equal(run.result.exitCode, 1);
  assert.match(run.out, /4 to create/);
  assert.match(run.out, /FAILED\s+kibana\.data_view\s+\*\s+\(listing owned objects\)/);
  assert.match(run.out, /1 could not be read/);
});

test('a server that never answers is given up at the request deadline, with a message as soon as the retry starts', async (t) => {
  const url = await serve(t, silent);
  const retries: string[] = [];
  const progress: string[] = [];
  const client = kibanaClient(url, { onRetry: (m) => (retries.push(m), progress.push(m)), onSlow: (m) => progress.push(m) });
  const err = await client.request({ method: 'GET', path: '/api/status' }).catch((e: unknown) => e);
  assert.ok(err instanceof RemoteError);
  assert.match(err.message, /GET \/api\/status failed: Kibana at http:\/\/127\.0\.0\.1:\d+ \(KIBANA_URL\): no complete answer within 200 ms \(--request-timeout\)/);
  assert.equal(retries.length, 1);
  assert.match(retries[0] ?? '', /^retrying GET \/api\/status after no complete answer within 200 ms .* from Kibana at http:\/\/127\.0\.0\.1:\d+ \(KIBANA_URL\) \(attempt 2 of 2/);
  // Each attempt says it is waiting before its deadline, so silence never lasts a whole deadline.
  assert.deepEqual(progress.map((m) => m.split(' ')[0]), ['still', 'retrying', 'still']);
  assert.match(progress[0] ?? '', /^still waiting for GET \/api\/status from Kibana at http:\/\/127\.0\.0\.1:\d+ \(KIBANA_URL\): no complete answer after 100 ms; giving up at 200 ms \(--request-timeout\)$/);
});

test('a trickling answer is cut at the total deadline by both clients', { timeout: 20_000 }, async (t) => {
  const url = await serve(t, trickle);
  const kibana = await kibanaClient(url, { retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } }).request({ method: 'GET', path: '/api/status' }).catch((e: unknown) => e);
  assert.ok(kibana instanceof RemoteError);
  assert.match(kibana.message, /no complete answer within 200 ms/);

  const target = { kibanaUrl: url, elasticsearchUrl: url, space: undefined, auth: { kind: 'apiKey', apiKey: API_KEY }, caPem: undefined } as const;
  const es = createEsClient(target, undefined, { requestTimeoutMs: 200 });
  t.after(() => es.close());
  const caller = esCaller(es, { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 }, async () => undefined);
  const err = await caller.call('GET /', (c) => c.info()).catch((e: unknown) => e);
  assert.ok(err instanceof RemoteError);
  assert.match(err.message, /GET \/ failed: Elasticsearch at http:\/\/127\.0\.0\.1:\d+ \(ELASTICSEARCH_URL\): no complete answer within 200 ms/);
});

test("the Elasticsearch client's own requestTimeout is an idle timeout: a trickling answer outlives it", { timeout: 20_000 }, async (t) => {
  // Why es-client.ts adds a total deadline: with only the transport's timeout, this call never ends.
  const url = await serve(t, trickle);
  const plain = new Client({ node: url, auth: { apiKey: API_KEY }, Connection: HttpConnection, requestTimeout: 100, maxRetries: 0 });
  const outcome = await Promise.race([
    plain.info().then(
      () => 'answered',
      () => 'failed',
    ),
    new Promise((resolve) => setTimeout(() => resolve('still waiting'), 1_000)),
  ]);
  assert.equal(outcome, 'still waiting', 'after 10 times its requestTimeout the call is still running');
});

test('a sign-in page answered with 200 is a clear error naming the target, for both URLs', async (t) => {
  const d = await StackDouble.start({ apiKey: API_KEY });
  t.after(() => d.close());
  const login = await serve(t, signInPage);
  const kb = await runEngine({}, targetEnv(d, { KIBANA_URL: login }));
  assert.equal(kb.result.exitCode, 1);
  assert.match(kb.err, /Kibana at http:\/\/127\.0\.0\.1:\d+ \(KIBANA_URL\) answered GET \/api\/status with an HTML page \("Sign in"\) \(HTTP 200\), not JSON/);
  const es = await runEngine({}, targetEnv(d, { ELASTICSEARCH_URL: login }));
  assert.equal(es.result.exitCode, 1);
  assert.match(es.err, /Elasticsearch at http:\/\/127\.0\.0\.1:\d+ \(ELASTICSEARCH_URL\) answered GET \/ with an HTML page \("Sign in"\)/);
  assert.doesNotMatch(`${kb.err}${es.err}`, /Cannot read properties/);
  // An error status with a page (a proxy's 403) names the page instead of printing it.
  assert.equal(kibanaErrorMessage('<!DOCTYPE html><html><head><title>Access denied</title></head><body>…</body></html>'), 'an HTML page ("Access denied")');
});

test('swapped Kibana and Elasticsearch URLs are recognised as such (exit 2)', async (t) => {
  const d = await StackDouble.start({ apiKey: API_KEY });
  t.after(() => d.close());
  const swapped = await runEngine({}, targetEnv(d, { KIBANA_URL: d.esUrl, ELASTICSEARCH_URL: d.kibanaUrl }));
  assert.equal(swapped.result.exitCode, 2);
  assert.match(swapped.err, /KIBANA_URL and ELASTICSEARCH_URL are swapped/);
  const both = await runEngine({}, targetEnv(d, { KIBANA_URL: d.esUrl }));
  assert.equal(both.result.exitCode, 2);
  assert.match(both.err, /KIBANA_URL http:\/\/127\.0\.0\.1:\d+ points at Elasticsearch, not Kibana/);
  assert.equal(d.writes().length, 0);
});

test('network errors name the target, the URL and the cause: refused, not found, TLS', async (t) => {
  const refused = await kibanaClient('http://127.0.0.1:1').request({ method: 'GET', path: '/api/status' }).catch((e: unknown) => e);
  assert.match(String((refused as Error).message), /Kibana at http:\/\/127\.0\.0\.1:1 \(KIBANA_URL\): connection refused .*\[ECONNREFUSED\]/);

  const notFound = await kibanaClient('http://kibana.invalid:5601').request({ method: 'GET', path: '/api/status' }).catch((e: unknown) => e);
  assert.match(String((notFound as Error).message), /Kibana at http:\/\/kibana\.invalid:5601 \(KIBANA_URL\): host name (not found|lookup failed)/);

  const dir = await mkdtemp(path.join(tmpdir(), 'provision-tls-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  try {
    await promisify(execFile)('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
      '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')]);
  } catch {
    t.skip('openssl is not available to make a certificate');
    return;
  }
  const tls = { key: await readFile(path.join(dir, 'key.pem'), 'utf8'), cert: await readFile(path.join(dir, 'cert.pem'), 'utf8') };
  const https = await serve(t, (req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'), tls);
  const untrusted = await kibanaClient(https).request({ method: 'GET', path: '/api/status' }).catch((e: unknown) => e);
  assert.match(String((untrusted as Error).message), /Kibana at https:\/\/127\.0\.0\.1:\d+ \(KIBANA_URL\): TLS: the server certificate is self-signed .*ELASTIC_CA_FILE/);
  const wrongName = await kibanaClient(https, { ca: [tls.cert] }).request({ method: 'GET', path: '/api/status' }).catch((e: unknown) => e);
  assert.match(String((wrongName as Error).message), /TLS: the server certificate does not name this host \[ERR_TLS_CERT_ALTNAME_INVALID\]/);

  const target = { kibanaUrl: https, elasticsearchUrl: https, space: undefined, auth: { kind: 'apiKey', apiKey: API_KEY }, caPem: undefined } as const;
  const es = createEsClient(target, undefined, { requestTimeoutMs: 2_000 });
  t.after(() => es.close());
  const esErr = await esCaller(es, { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 }, async () => undefined).call('GET /', (c) => c.info()).catch((e: unknown) => e);
  assert.match(String((esErr as Error).message), /Elasticsearch at https:\/\/127\.0\.0\.1:\d+ \(ELASTICSEARCH_URL\): TLS: the server certificate is self-signed/);
});

test('the run deadline stops a run against a silent target, retries included', { timeout: 20_000 }, async (t) => {
  const d = await StackDouble.start({ apiKey: API_KEY });
  t.after(() => d.close());
  const url = await serve(t, silent);
  const run = await runEngine({ requestTimeout: '200ms', timeout: '500ms' }, targetEnv(d, { ELASTICSEARCH_URL: url }), {
    retry: { attempts: 50, baseDelayMs: 1, maxDelayMs: 1 },
  });
  assert.equal(run.result.exitCode, 1);
  assert.match(run.err, /the run deadline of 500 ms passed \(--timeout\)/);
  assert.match(run.err, /still waiting for GET \/ from Elasticsearch at http:\/\/127\.0\.0\.1:\d+ \(ELASTICSEARCH_URL\): no complete answer after 100 ms/);
  assert.ok((run.err.match(/retrying GET \//g) ?? []).length < 49, 'the retries stopped at the run deadline');
});

test('deadlines accept durations from flags or the environment and reject what is not one, naming where each value came from', () => {
  assert.equal(parseDuration('90'), 90_000);
  assert.equal(parseDuration('1.5m'), 90_000);
  assert.equal(parseDuration('250ms'), 250);
  assert.equal(parseDuration('0s'), undefined);
  assert.equal(parseDuration('soon'), undefined);
  const problems: string[] = [];
  assert.deepEqual(readDeadlines({}, { PROVISION_REQUEST_TIMEOUT: '5s', PROVISION_TIMEOUT: '2m' }, problems), { requestTimeoutMs: 5_000, runTimeoutMs: 120_000 });
  assert.deepEqual(readDeadlines({ requestTimeout: '10s' }, { PROVISION_REQUEST_TIMEOUT: '5s' }, problems).requestTimeoutMs, 10_000, 'the flag wins');
  assert.deepEqual(problems, []);
  readDeadlines({ timeout: 'later' }, { PROVISION_REQUEST_TIMEOUT: '20m' }, problems);
  assert.deepEqual(problems, [
    '--timeout "later" is not a duration (e.g. 30s, 2m, 500ms; a bare number is seconds)',
    'the request deadline (20 min, PROVISION_REQUEST_TIMEOUT) must not be longer than the run deadline (15 min, the default): set --request-timeout or PROVISION_REQUEST_TIMEOUT lower, or the run deadline higher',
  ]);
  const runOnly: string[] = [];
  readDeadlines({}, { PROVISION_TIMEOUT: '20s' }, runOnly);
  assert.match(runOnly.join('\n'), /^the request deadline \(1 min, the default\) must not be longer than the run deadline \(20 s, PROVISION_TIMEOUT\)/, 'a short run deadline alone names the default it meets');
});

test('an interrupted apply stops starting requests and prints the summary of what was done', async (t) => {
  const d = await StackDouble.start({ apiKey: API_KEY });
  t.after(() => d.close());
  const interrupt = new AbortController();
  // The second data view write is held, and the run is interrupted while it waits.
  let writes = 0;
  const kibana = await serve(
    t,
    proxy(d.kibanaUrl, (req) => {
      if (req.method !== 'POST' || ++writes < 2) return undefined;
      return () => interrupt.abort(new Error('interrupted (SIGINT)'));
    }),
  );
  const run = await runEngine({ only: ['kibana.data_view'], concurrency: 1 }, targetEnv(d, { KIBANA_URL: kibana }), { signal: interrupt.signal });
  assert.equal(run.result.exitCode, 1);
  assert.match(run.err, /Stopped early: interrupted \(SIGINT\)\. Summary of what was done:/);
  assert.match(run.out, /Done: 1 created, 0 updated, 0 deleted, 0 unchanged, 1 failed, 2 not attempted\./);
  assert.match(run.err, /stopped during its requests \(interrupted \(SIGINT\)\): it may or may not have been written/);
  assert.match(run.err, /Applied before the failure \(these are in place\):\n {2}created kibana\.data_view sample-service-/);
  assert.equal(d.space('default').dataViews.size, 1);
});

test('--from-eck without a kube context says what make deploy says, once, and exits 2', async () => {
  const calls: string[][] = [];
  const noContext: EckDeps = {
    kubectl: async (args) => {
      calls.push([...args]);
      throw new Error('kubectl config current-context failed: error: current-context is not set');
    },
    portForward: () => assert.fail('no port-forward without a cluster'),
    freePort: async () => 0,
  };
  await assert.rejects(checkKubeContext(noContext), (e: unknown) => e instanceof ConfigError && /kubectl has no current context/.test(e.message));
  const run = await runEngine({ fromEck: true }, {}, { eck: noContext });
  assert.equal(run.result.exitCode, 2);
  assert.equal(run.err.match(/kubectl has no current context/g)?.length, 1);
  assert.match(run.err, /'kubectl config use-context <name>'/);
  assert.doesNotMatch(run.err, /localhost:8080/);

  const notInstalled: EckDeps = { ...noContext, kubectl: async () => Promise.reject(Object.assign(new Error('spawn kubectl ENOENT'), { code: 'ENOENT' })) };
  await assert.rejects(checkKubeContext(notInstalled), /kubectl is not installed/);
  const down: EckDeps = {
    ...noContext,
    kubectl: async (args) => {
      if (args[0] === 'config') return 'kind-sample\n';
      throw new Error('The connection to the server 127.0.0.1:6443 was refused');
    },
  };
  await assert.rejects(checkKubeContext(down), /kube context 'kind-sample' is selected but its cluster does not answer/);
});

test('a changed webhook URL is an update whose diff shows neither URL', async (t) => {
  const d = await StackDouble.start({ apiKey: API_KEY });
  t.after(() => d.close());
  const first = await runEngine({ only: ['kibana.connector'] }, targetEnv(d, { ALERT_WEBHOOK_URL: 'https://alerts.example/hook/OLDTOKEN' }));
  assert.equal(first.result.exitCode, 0, first.err);
  const plan = await runEngine({ dryRun: true, only: ['kibana.connector'] }, targetEnv(d, { ALERT_WEBHOOK_URL: 'https://alerts.example/hook/NEWTOKEN' }));
  assert.equal(plan.result.exitCode, 0, plan.err);
  assert.match(plan.out, /~ config\.url: "<a different value>" → "<from env ALERT_WEBHOOK_URL>"/);
  assert.doesNotMatch(`${first.out}${first.err}${plan.out}${plan.err}`, /OLDTOKEN|NEWTOKEN/);
  const same = await runEngine({ dryRun: true, only: ['kibana.connector'] }, targetEnv(d, { ALERT_WEBHOOK_URL: 'https://alerts.example/hook/OLDTOKEN' }));
  assert.match(same.out, /Plan: 0 to create, 0 to update/);
});
