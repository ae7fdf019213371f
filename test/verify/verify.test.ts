/**
 * `make verify` against the stack double: a healthy stack passes, and each kind of breakage fails
 * with the message that names it. No check passes without having looked at data.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { ACCESS_LOG, APP_LABEL_FIELD, SERVICE_NAME } from '../../kibana/telemetry-fields.js';
import { SIGNALS } from '../../scripts/verify/signals.js';
import { SECTIONS, type Report } from '../../scripts/verify/report.js';
import { AGENT_POLICY_ID } from '../../fleet/policies.js';
import { INDEX, TRACE_ID, check, healthyWorld, runVerify } from './world.js';

test('a healthy, provisioned stack with every signal passes every check and exits 0', async (t) => {
  const world = await healthyWorld(t);
  const run = await runVerify(world);
  const failed = run.result.report?.checks.filter((c) => c.status === 'fail') ?? [];
  assert.deepEqual(failed, [], run.out);
  assert.equal(run.result.exitCode, 0);
  assert.match(run.out, /PASS\s+signals\s+signal:logs/);
  assert.match(check(run, 'signal:traces').detail, /latest 30 s ago/);
  assert.match(check(run, 'correlation:trace-id').detail, new RegExp(TRACE_ID));
  assert.equal(world.data.executions.length, 1, 'the server-log connector was executed');
});

test('time to first signal is measured from --since, the deploy start', async (t) => {
  const world = await healthyWorld(t);
  const run = await runVerify(world, { since: new Date(world.clock.now - 90_000).toISOString() });
  assert.equal(run.result.exitCode, 0, run.out);
  assert.equal(check(run, 'signal:logs').evidence?.timeToFirstSignalSeconds, 60);
  assert.match(check(run, 'signal:logs').detail, /first 60 s after the deploy/);
});

test('a stack where no document ever arrived fails and names every missing signal', async (t) => {
  const world = await healthyWorld(t);
  world.data.docs.clear();
  world.data.mappings.clear();
  const run = await runVerify(world);
  assert.equal(run.result.exitCode, 1);
  for (const c of run.result.report?.checks.filter((x) => x.id.startsWith('field-caps:')) ?? []) {
    assert.equal(c.status, 'fail', `${c.id} passed without any index`);
    assert.match(c.detail, /no index matches yet/);
  }
  for (const s of SIGNALS) {
    const c = check(run, `signal:${s.id}`);
    assert.equal(c.status, 'fail');
    assert.match(c.detail, /no document/);
  }
  for (const id of ['shape:logs-ecs', 'shape:access-trace-id', 'shape:prometheus-fields', 'correlation:trace-id', 'correlation:apm-service']) {
    assert.equal(check(run, id).status, 'fail', id);
  }
  assert.match(run.err, /waiting for \d+ checks/, 'progress while waiting');
  assert.match(run.out, /What to do:\n {2}signal:logs: Elastic Agent does not collect the container logs/);
  assert.match(run.out, /NOT verified/);
});

test('one missing signal fails that signal only, with its likely cause', async (t) => {
  const world = await healthyWorld(t);
  world.data.docs.delete(INDEX.stateContainer);
  world.data.docs.delete(INDEX.stateDeployment);
  const run = await runVerify(world);
  assert.equal(run.result.exitCode, 1);
  const c = check(run, 'signal:kube-state-metrics');
  assert.equal(c.status, 'fail');
  assert.match(c.cause ?? '', /kube-state-metrics is not running/);
  assert.equal(check(run, 'signal:kubelet').status, 'pass');
});

test('a signal that stopped (latest document older than --max-age) fails', async (t) => {
  const world = await healthyWorld(t);
  const run = await runVerify(world, { maxAge: 10 });
  assert.match(check(run, 'signal:metrics').detail, /old .*the signal stopped/);
});

test('a field mapped as text where panels aggregate on it fails the field caps check of its data stream', async (t) => {
  const world = await healthyWorld(t);
  world.data.map(INDEX.logs, 'service.name', 'text');
  const run = await runVerify(world);
  assert.equal(run.result.exitCode, 1);
  const c = check(run, 'field-caps:logs-kubernetes.container_logs-*');
  assert.equal(c.status, 'fail');
  assert.match(c.detail, /service\.name is text, expected keyword/);
  assert.match(c.cause ?? '', /_rollover/);
});

test('a field mapped differently in two backing indices names both types and their indices', async (t) => {
  const world = await healthyWorld(t);
  world.data.map('metrics-kubernetes.pod-2', 'kubernetes.pod.name', 'text');
  world.data.add('metrics-kubernetes.pod-2', { '@timestamp': new Date(world.clock.now).toISOString() });
  const run = await runVerify(world);
  assert.match(check(run, 'field-caps:metrics-kubernetes.*').detail, /kubernetes\.pod\.name is text in metrics-kubernetes\.pod-2/);
});

test('ECS fields left inside message (undecoded JSON lines) fail the log shape check', async (t) => {
  const world = await healthyWorld(t);
  const at = new Date(world.clock.now - 5_000).toISOString();
  world.data.docs.delete(INDEX.logs);
  world.data.add(INDEX.logs, {
    '@timestamp': at,
    [APP_LABEL_FIELD]: SERVICE_NAME,
    message: JSON.stringify({ '@timestamp': at, 'log.level': 'info', message: ACCESS_LOG, 'service.name': SERVICE_NAME, 'trace.id': TRACE_ID }),
  });
  const run = await runVerify(world);
  const c = check(run, 'shape:logs-ecs');
  assert.equal(c.status, 'fail');
  assert.match(c.detail, /ECS fields left inside message on 1 of 1 lines/);
  assert.equal(check(run, 'signal:logs').status, 'pass', 'the lines arrive; only their shape is wrong');
});

test('ECS fields decoded under json.* fail the log shape check', async (t) => {
  const world = await healthyWorld(t);
  world.data.docs.delete(INDEX.logs);
  world.data.add(INDEX.logs, { '@timestamp': new Date(world.clock.now).toISOString(), [APP_LABEL_FIELD]: SERVICE_NAME, json: { 'log.level': 'info', message: ACCESS_LOG } });
  const run = await runVerify(world);
  assert.match(check(run, 'shape:logs-ecs').detail, /ECS fields under json\.\*/);
});

test('access lines without trace.id fail, and so does the correlation', async (t) => {
  const world = await healthyWorld(t);
  for (const d of world.data.docs.get(INDEX.logs) ?? []) delete d.source['trace.id'];
  const run = await runVerify(world);
  assert.match(check(run, 'shape:access-trace-id').detail, /none of the 1 latest access lines has trace\.id/);
  assert.equal(check(run, 'correlation:trace-id').status, 'fail');
});

test('a trace id with no transaction in APM fails the correlation check', async (t) => {
  const world = await healthyWorld(t);
  for (const d of world.data.docs.get(INDEX.traces) ?? []) d.source['trace.id'] = 'ffffffffffffffffffffffffffffffff';
  const run = await runVerify(world);
  const c = check(run, 'correlation:trace-id');
  assert.equal(c.status, 'fail');
  assert.match(c.detail, new RegExp(`no APM transaction for the trace ids of the latest access lines \\(${TRACE_ID}`));
});

test('an APM service in another environment fails and says which one it reports', async (t) => {
  const world = await healthyWorld(t);
  const run = await runVerify(world, { environment: 'production' });
  assert.match(check(run, 'correlation:apm-service').detail, /reports environment development, expected production/);
});

test('a rule in error fails with Kibana\'s own message', async (t) => {
  const world = await healthyWorld(t);
  world.double.ruleRuns.set('sample-service-error-log-spike', {
    execution_status: { status: 'error', last_execution_date: '2026-12-07T09:59:00.000Z', error: { reason: 'execute', message: 'Saved object [index-pattern/sample-service-logs] not found' } },
    last_run: { outcome: 'failed', outcome_msg: ['Saved object [index-pattern/sample-service-logs] not found'], warning: 'execute' },
  });
  const run = await runVerify(world);
  assert.equal(run.result.exitCode, 1);
  assert.match(check(run, 'rule:sample-service-error-log-spike').detail, /last run failed: Saved object \[index-pattern\/sample-service-logs\] not found/);
  assert.equal(check(run, 'rule:sample-service-apm-latency').status, 'pass');
});

test('a rule whose last run ended in a warning fails; one that never ran is waited for, then fails', async (t) => {
  const world = await healthyWorld(t);
  world.double.ruleRuns.set('sample-service-pod-restarts', { execution_status: { status: 'warning', warning: { reason: 'maxAlerts', message: 'Rule reported more than 1000 alerts.' } }, last_run: { outcome: 'warning', outcome_msg: ['Rule reported more than 1000 alerts.'] } });
  world.double.ruleRuns.delete('sample-service-service-down');
  const run = await runVerify(world);
  assert.match(check(run, 'rule:sample-service-pod-restarts').detail, /last run warning: Rule reported more than 1000 alerts/);
  assert.match(check(run, 'rule:sample-service-service-down').detail, /has not run yet \(status pending\)/);
});

test('an SLO whose summary has no data after traffic fails', async (t) => {
  const world = await healthyWorld(t);
  world.double.sloSummaries.delete('sample-service-latency-slo');
  const run = await runVerify(world);
  assert.match(check(run, 'slo:sample-service-latency-slo').detail, /no data although the service had traffic/);
});

test('no agent online fails the Fleet check; an unhealthy agent fails with its check-in message', async (t) => {
  const world = await healthyWorld(t);
  for (const a of world.data.agents) a.status = 'offline';
  let run = await runVerify(world);
  assert.equal(run.result.exitCode, 1);
  assert.match(check(run, `agents:${AGENT_POLICY_ID}`).detail, /no agent online \(0 online, offline, offline\)/);

  world.data.agents.push({ id: 'agent-3', policy_id: AGENT_POLICY_ID, status: 'error', last_checkin_message: 'kubernetes/metrics: kubelet 403' });
  run = await runVerify(world);
  assert.match(check(run, `agents:${AGENT_POLICY_ID}`).detail, /1 unhealthy agents \(agent-3 error: kubernetes\/metrics: kubelet 403\)/);
});

test('a missing provisioned object fails its kind and names it', async (t) => {
  const world = await healthyWorld(t);
  world.double.space('default').dataViews.delete('sample-service-traces');
  const run = await runVerify(world);
  assert.match(check(run, 'objects:kibana.data_view').detail, /1 of 4 missing: sample-service-traces/);
});

test('a connector that fails to execute reports Kibana\'s service message', async (t) => {
  const world = await healthyWorld(t);
  world.data.connectorErrors.set('sample-service-server-log', 'unexpected error');
  const run = await runVerify(world);
  assert.match(check(run, 'connector:sample-service-server-log').detail, /execution failed: .*\(unexpected error\)/);
});

test('on a Basic licence the SLO checks are skipped with the reason, and the fallback rules are checked', async (t) => {
  const world = await healthyWorld(t, { licence: 'basic' });
  const run = await runVerify(world);
  assert.equal(run.result.exitCode, 0, run.out);
  assert.equal(check(run, 'slo:*').status, 'skip');
  assert.match(check(run, 'slo:*').detail, /needs a platinum, enterprise or trial licence/);
  assert.equal(check(run, 'rule:sample-service-availability-burn-rate-page-1h-basic').status, 'pass');
});

test('on Serverless the stack passes without lifecycle policies (data stream lifecycle instead) or a licence call', async (t) => {
  const world = await healthyWorld(t, { flavour: 'serverless' });
  const run = await runVerify(world);
  assert.equal(run.result.exitCode, 0, run.out);
  assert.ok(!run.result.report?.checks.some((c) => c.id === 'objects:es.ilm_policy'));
  assert.ok(!world.double.requests.some((r) => r.path.startsWith('/_license')));
  assert.match(run.out, /Target: elasticsearch 9\.4\.3 \(serverless\)/);
});

test('--json prints the report as JSON on stdout', async (t) => {
  const world = await healthyWorld(t);
  const run = await runVerify(world, { json: true });
  const report = JSON.parse(run.out) as Report;
  assert.equal(report.passed, true);
  assert.equal(report.counts.fail, 0);
  assert.ok(report.checks.some((c) => c.id === 'signal:logs' && c.status === 'pass' && c.evidence !== undefined));
});

test('bad flags are reported together with exit 2, before any request', async (t) => {
  const world = await healthyWorld(t);
  const before = world.double.requests.length;
  const run = await runVerify(world, { timeout: -1, since: 'yesterday' });
  assert.equal(run.result.exitCode, 2);
  assert.match(run.err, /--timeout must be a number greater than 0/);
  assert.match(run.err, /--since must be an ISO 8601 time/);
  assert.equal(world.double.requests.length, before);
});

test('with no recent traffic and a --base-url, a little traffic is sent before checking', async (t) => {
  const world = await healthyWorld(t);
  for (const d of world.data.docs.get(INDEX.logs) ?? []) d.source['@timestamp'] = new Date(world.clock.now - 86_400_000).toISOString();
  let sentTo: string | undefined;
  let seconds: number | undefined;
  const run = await runVerify(world, { baseUrl: 'http://127.0.0.1:9', timeout: 1, poll: 1 }, {
    runTraffic: async (o) => {
      sentTo = o.baseUrl;
      seconds = o.durationSeconds;
      return { exitCode: 0, summary: { reachable: true } as never };
    },
  });
  assert.equal(sentTo, 'http://127.0.0.1:9');
  assert.equal(seconds, 1, 'the traffic (30 s by default) takes at most what is left of --timeout');
  assert.match(run.err, /No recent request to the service: sending 1 s of steady traffic/);
});

test('every docs section a failure points to is a heading of docs/verify.md', async () => {
  const doc = await readFile(new URL('../../docs/verify.md', import.meta.url), 'utf8');
  const anchors = new Set([...doc.matchAll(/^#+ (.+)$/gm)].map((m) => (m[1] as string).toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-')));
  for (const section of SECTIONS) assert.ok(anchors.has(section), `docs/verify.md has no heading for #${section}`);
});

test('on a Basic licence only the SLOs, their burn-rate rules and the gold connector types are skipped, each with the licence as reason', async (t) => {
  const world = await healthyWorld(t, { licence: 'basic' });
  const run = await runVerify(world);
  const skipped = run.result.report?.checks.filter((c) => c.status === 'skip') ?? [];
  assert.deepEqual(
    skipped.map((c) => c.id).sort(),
    [
      'objects:kibana.connector:sample-service-pagerduty',
      'objects:kibana.connector:sample-service-slack',
      'objects:kibana.connector:sample-service-webhook',
      'objects:kibana.rule:sample-service-availability-burn-rate-page',
      'objects:kibana.rule:sample-service-availability-burn-rate-ticket',
      'objects:kibana.rule:sample-service-latency-burn-rate-page',
      'objects:kibana.rule:sample-service-latency-burn-rate-ticket',
      'objects:kibana.slo:sample-service-availability-slo',
      'objects:kibana.slo:sample-service-latency-slo',
      'slo:*',
    ],
  );
  for (const c of skipped) assert.match(c.detail, c.id.includes('connector') ? /needs a gold, platinum, enterprise or trial licence/ : /platinum, enterprise or trial licence/);
});

test('a search the credentials may not run fails its check and names the missing index privilege', async (t) => {
  const world = await healthyWorld(t);
  world.double.inject({ target: 'elasticsearch', path: /^\/traces-apm\*\/_search$/, status: 403, times: Infinity });
  const run = await runVerify(world);
  assert.match(check(run, 'signal:traces').detail, /could not check: .*missing privilege index privilege "read" on the searched pattern/);
  assert.equal(check(run, 'signal:logs').status, 'pass');
});

test('an unreachable target fails at once with exit 1 and says which side is down', async (t) => {
  const world = await healthyWorld(t);
  const run = await runVerify({ ...world, env: { ...world.env, ELASTICSEARCH_URL: 'http://127.0.0.1:9' } });
  assert.equal(run.result.exitCode, 1);
  assert.match(run.err, /verify: GET \/ failed: Elasticsearch at http:\/\/127\.0\.0\.1:9 \(ELASTICSEARCH_URL\): connection refused/);
  assert.equal(run.result.report, undefined);
});

test('a traffic source that fails (port-forward) is reported and the checks still run', async (t) => {
  const world = await healthyWorld(t);
  for (const d of world.data.docs.get(INDEX.logs) ?? []) d.source['@timestamp'] = new Date(world.clock.now - 86_400_000).toISOString();
  const run = await runVerify(world, { portForward: true, timeout: 1, poll: 1 }, {
    runTraffic: () => Promise.reject(new Error('Port-forward to svc/sample-service in namespace sample-service failed: kubectl was not found on PATH')),
  });
  assert.match(run.err, /Could not send traffic: Port-forward to svc\/sample-service/);
  assert.equal(run.result.exitCode, 1, 'the logs signal stopped a day ago');
  assert.equal(check(run, 'rule:sample-service-apm-latency').status, 'pass');
});
