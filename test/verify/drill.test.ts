/**
 * `make drill` against the stack double, on a virtual clock: the traffic run is replaced by a
 * timeline that writes alerts-as-data documents as Kibana would, so minutes pass in no time.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { drill, type DrillOptions, type DrillReport, type DrillResult } from '../../scripts/drill/drill.js';
import { ALERT_FIELDS } from '../../scripts/drill/alerts.js';
import { planDrill } from '../../scripts/drill/plan.js';
import { SCENARIOS } from '../../scripts/traffic/scenarios.js';
import { allResources } from '../../scripts/provision/definitions.js';
import { selectResources } from '../../scripts/provision/select.js';
import { TrafficError } from '../../scripts/traffic/errors.js';
import type { TrafficOptions } from '../../scripts/traffic/options.js';
import { definitionEnv } from '../provision/helpers.js';
import { healthyWorld, type World } from './world.js';

/** The alias Kibana writes through (the double models no aliases: the alias is the index). */
const ALERTS = '.alerts-observability.slo.alerts-default';
const MIN = 60_000;

interface Event {
  readonly at: number;
  apply(): void;
}

/** Writes an alert of `rule` that starts `startMin` after the drill start and, optionally, recovers at `endMin`. */
function alertOf(world: World, start: number, rule: string, startMin: number, endMin?: number): Event[] {
  const doc = { '@timestamp': '', [ALERT_FIELDS.spaceIds]: ['default'], [ALERT_FIELDS.ruleUuid]: rule, [ALERT_FIELDS.status]: 'active', [ALERT_FIELDS.start]: new Date(start + startMin * MIN).toISOString() };
  const events: Event[] = [{ at: start + startMin * MIN, apply: () => void world.data.add(ALERTS, { ...doc, '@timestamp': doc[ALERT_FIELDS.start] }) }];
  if (endMin !== undefined) {
    events.push({
      at: start + endMin * MIN,
      apply: () => {
        const d = world.data.docs.get(ALERTS)?.find((x) => x.source[ALERT_FIELDS.ruleUuid] === rule);
        if (d) Object.assign(d.source, { [ALERT_FIELDS.status]: 'recovered', [ALERT_FIELDS.end]: new Date(start + endMin * MIN).toISOString() });
      },
    });
  }
  return events;
}

async function runDrill(
  world: World,
  options: DrillOptions,
  timeline: (start: number) => Event[],
  failTraffic?: Error,
): Promise<DrillResult & { out: string; err: string; traffic: TrafficOptions[] }> {
  let out = '';
  let err = '';
  const start = world.clock.now;
  const pending = timeline(start).sort((a, b) => a.at - b.at);
  let running: { until: number; done: () => void } | undefined;
  const advance = (ms: number): void => {
    world.clock.now += ms;
    while (pending.length > 0 && (pending[0]?.at ?? Infinity) <= world.clock.now) pending.shift()?.apply();
    if (running !== undefined && running.until <= world.clock.now) running.done();
  };
  const traffic: TrafficOptions[] = [];
  const result = await drill(
    { poll: 60, settle: 600, recovery: 900, ...options },
    {
      env: world.env,
      stdout: { write: (s) => void (out += s) },
      stderr: { write: (s) => void (err += s) },
      now: () => new Date(world.clock.now),
      sleep: async (ms) => advance(ms),
      retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
      resources: () => allResources(definitionEnv()),
      // The run ends when the virtual clock (advanced by the drill's own sleeps) reaches its duration.
      runTraffic: (o) => {
        traffic.push(o);
        if (failTraffic !== undefined) return Promise.reject(failTraffic);
        return new Promise((resolve) => {
          running = { until: world.clock.now + o.durationSeconds * 1000, done: () => resolve({ exitCode: 0, summary: { reachable: true, sent: o.durationSeconds * o.rps } as never }) };
        });
      },
    },
  );
  return { ...result, out, err, traffic };
}

const applicable = (licence: 'platinum' | 'basic') =>
  selectResources(allResources(definitionEnv()), { flavour: 'stateful', licence, env: definitionEnv(), only: undefined }).applicable;

test('an error burst whose page and log alerts fire and recover passes, with the firing time next to the prediction', async (t) => {
  const world = await healthyWorld(t);
  const run = await runDrill(world, { scenario: 'error-burst', baseUrl: 'http://127.0.0.1:8080' }, (start) => [
    ...alertOf(world, start, 'sample-service-availability-burn-rate-page', 3, 14),
    ...alertOf(world, start, 'sample-service-error-log-spike', 2, 12),
  ]);
  assert.equal(run.exitCode, 0, run.out + run.err);
  assert.match(run.out, /PASS {2}fires {2}availability-burn-rate-page +fired after 3 min \(burn-rate math: \d+ min on a fresh cluster, .*\); recovered 4 min after the traffic stopped/);
  assert.match(run.out, /PASS {2}quiet {2}latency-burn-rate-page +stayed quiet/);
  assert.equal(run.traffic[0]?.scenario, 'error-burst');
  assert.equal(run.traffic[0]?.durationSeconds, SCENARIOS['error-burst'].recommendedDurationSeconds);
  assert.match(run.err, /3 min: sample-service-availability-burn-rate-page fired/);
});

test('without read access to .alerts-*, the drill times alerts by the rules\' last runs instead', async (t) => {
  const world = await healthyWorld(t);
  world.double.inject({ target: 'elasticsearch', path: /^\/\.alerts-\*\/_search$/, status: 403, times: Infinity });
  const counts = (active: number) => ({ last_run: { outcome: 'succeeded', outcome_msg: null, alerts_count: { active, new: 0, recovered: 0, ignored: 0 } } });
  const run = await runDrill(world, { scenario: 'latency', baseUrl: 'http://127.0.0.1:8080' }, (start) => [
    { at: start + 4 * MIN, apply: () => void world.double.ruleRuns.set('sample-service-apm-latency', counts(1)) },
    { at: start + 15 * MIN, apply: () => void world.double.ruleRuns.set('sample-service-apm-latency', counts(0)) },
  ]);
  assert.equal(run.exitCode, 0, run.out + run.err);
  assert.match(run.err, /cannot read \.alerts-\* \(.*\): timing alerts by the rules' last runs instead/);
  assert.match(run.out, /PASS {2}fires {2}apm-latency +fired after 4 min; recovered 5 min after the traffic stopped/);
});

test('alerts of a rule with the same id in another space are not counted', async (t) => {
  const world = await healthyWorld(t);
  const run = await runDrill(world, { scenario: 'latency', baseUrl: 'http://127.0.0.1:8080', recovery: 0 }, (start) => [
    { at: start + 3 * MIN, apply: () => void world.data.add(ALERTS, { '@timestamp': new Date(start + 3 * MIN).toISOString(), [ALERT_FIELDS.spaceIds]: ['team-b'], [ALERT_FIELDS.ruleUuid]: 'sample-service-apm-latency', [ALERT_FIELDS.status]: 'active', [ALERT_FIELDS.start]: new Date(start + 3 * MIN).toISOString() }) },
  ]);
  assert.match(run.out, /FAIL {2}fires {2}apm-latency +did not fire/);
});

test('an alert that does not fire fails the drill and says so', async (t) => {
  const world = await healthyWorld(t);
  const run = await runDrill(world, { scenario: 'error-burst', baseUrl: 'http://127.0.0.1:8080' }, (start) => alertOf(world, start, 'sample-service-error-log-spike', 2, 12));
  assert.equal(run.exitCode, 1);
  assert.match(run.out, /FAIL {2}fires {2}availability-burn-rate-page +did not fire \(burn-rate math/);
  assert.match(run.out, /An expectation failed/);
});

test('an alert that fires when it should stay quiet fails the drill', async (t) => {
  const world = await healthyWorld(t);
  const run = await runDrill(world, { scenario: 'latency', baseUrl: 'http://127.0.0.1:8080' }, (start) => [
    ...alertOf(world, start, 'sample-service-apm-latency', 4, 15),
    ...alertOf(world, start, 'sample-service-availability-burn-rate-ticket', 7, 20),
  ]);
  assert.equal(run.exitCode, 1);
  assert.match(run.out, /FAIL {2}quiet {2}availability-burn-rate-ticket +fired after 7 min although it should stay quiet/);
  assert.match(run.out, /PASS {2}fires {2}apm-latency +fired after 4 min/);
});

test('a fired alert that never recovers fails once the recovery wait is over', async (t) => {
  const world = await healthyWorld(t);
  const run = await runDrill(world, { scenario: 'latency', baseUrl: 'http://127.0.0.1:8080', recovery: 300 }, (start) => alertOf(world, start, 'sample-service-apm-latency', 4));
  assert.equal(run.exitCode, 1);
  assert.match(run.out, /FAIL {2}fires {2}apm-latency +fired after 4 min; still active when the recovery wait ended/);
});

test('an alert already firing before the drill is reported as inconclusive, not as fired by the drill', async (t) => {
  const world = await healthyWorld(t);
  const anHourAgo = new Date(world.clock.now - 60 * MIN).toISOString();
  world.data.add(ALERTS, { '@timestamp': anHourAgo, [ALERT_FIELDS.spaceIds]: ['default'], [ALERT_FIELDS.ruleUuid]: 'sample-service-apm-latency', [ALERT_FIELDS.status]: 'active', [ALERT_FIELDS.start]: anHourAgo });
  const run = await runDrill(world, { scenario: 'latency', baseUrl: 'http://127.0.0.1:8080', recovery: 0 }, () => []);
  assert.match(run.out, /SKIP {2}fires {2}apm-latency +was already firing before the drill started: inconclusive/);
});

test('the drill refuses a scenario that cannot show anything in the chosen duration, before sending traffic', async (t) => {
  const world = await healthyWorld(t);
  const run = await runDrill(world, { scenario: 'slow-burn', duration: 30, baseUrl: 'http://127.0.0.1:8080' }, () => []);
  assert.equal(run.exitCode, 2);
  assert.match(run.err, /refused: scenario slow-burn cannot show any of the alerts it should fire here/);
  assert.match(run.err, /availability-burn-rate-ticket: 30 s is shorter than the rules' 1m check interval/);
  assert.deepEqual(run.traffic, []);
});

test('an expected burn-rate alert the math says cannot fire in the run is skipped with the prediction', () => {
  const plan = planDrill(SCENARIOS.steady, { applicable: applicable('platinum'), licence: 'trial', durationSeconds: 300, rps: 10 });
  assert.deepEqual(plan.expectations.filter((e) => e.expect === 'fire'), []);
  const quiet = plan.expectations.find((e) => e.alertId === 'availability-burn-rate-page');
  assert.equal(quiet?.predicted?.fresh, undefined, 'steady traffic does not page');
  assert.equal(plan.refusal, undefined, 'a quiet-only drill still shows something');
});

test('on a Basic licence, burn-rate alerts map to the fallback rules; SLO-only alerts are skipped with the reason', () => {
  const plan = planDrill(SCENARIOS['error-burst'], { applicable: applicable('basic'), licence: 'basic', durationSeconds: 600, rps: 10 });
  const page = plan.expectations.find((e) => e.alertId === 'availability-burn-rate-page');
  assert.deepEqual(page?.ruleIds, ['sample-service-availability-burn-rate-page-1h-basic', 'sample-service-availability-burn-rate-page-6h-basic']);
  const latency = plan.expectations.find((e) => e.alertId === 'latency-burn-rate-page');
  assert.match(latency?.skipped ?? '', /no rule implements it on a basic licence/);
  assert.equal(plan.refusal, undefined);
});

test('on a Basic licence, either fallback rule of an alert firing counts, and names the rule that fired', async (t) => {
  const world = await healthyWorld(t, { licence: 'basic' });
  const run = await runDrill(world, { scenario: 'error-burst', baseUrl: 'http://127.0.0.1:8080' }, (start) => [
    ...alertOf(world, start, 'sample-service-availability-burn-rate-page-1h-basic', 3, 14),
    ...alertOf(world, start, 'sample-service-error-log-spike', 2, 12),
  ]);
  assert.equal(run.exitCode, 0, run.out + run.err);
  assert.match(run.out, /PASS {2}fires {2}availability-burn-rate-page +fired after 3 min .*\(sample-service-availability-burn-rate-page-1h-basic\)/);
  assert.match(run.out, /SKIP {2}quiet {2}latency-burn-rate-page +no rule implements it on a basic licence/);
});

test('the error-log alert gets a prediction from its count threshold, shown but never a reason to refuse', () => {
  const burst = planDrill(SCENARIOS['error-burst'], { applicable: applicable('platinum'), licence: 'trial', durationSeconds: 600, rps: 10 });
  assert.deepEqual(burst.expectations.find((e) => e.alertId === 'error-log-spike')?.predicted, { model: 'log-count', fresh: 1, afterADayOfTraffic: 1 });
  // slow-burn at 0.5 rps: ~1.4 error lines a minute never pass 25 in 5 minutes (scenarios.ts says so too).
  const slow = planDrill(SCENARIOS['slow-burn'], { applicable: applicable('platinum'), licence: 'trial', durationSeconds: 1800, rps: 0.5 });
  const spike = slow.expectations.find((e) => e.alertId === 'error-log-spike');
  assert.equal(spike?.predicted?.fresh, undefined);
  assert.equal(spike?.skipped, undefined);
});

test('a drill shorter than the rules\' check interval is refused', () => {
  const plan = planDrill(SCENARIOS.latency, { applicable: applicable('platinum'), licence: 'trial', durationSeconds: 30, rps: 10 });
  assert.match(plan.refusal ?? '', /apm-latency: 30 s is shorter than the rules' 1m check interval/);
});

test('the drill refuses when a rule it watches is missing or disabled, before sending traffic', async (t) => {
  const world = await healthyWorld(t);
  world.double.space('default').rules.delete('sample-service-error-log-spike');
  const rule = world.double.space('default').rules.get('sample-service-apm-latency');
  if (rule) rule.enabled = false;
  const run = await runDrill(world, { scenario: 'error-burst', baseUrl: 'http://127.0.0.1:8080' }, () => []);
  assert.equal(run.exitCode, 2);
  assert.match(run.err, /sample-service-error-log-spike does not exist/);
  assert.match(run.err, /sample-service-apm-latency is disabled/);
  assert.deepEqual(run.traffic, []);
});

test('a port-forward that fails exits 3 with its message: nothing was observed', async (t) => {
  const world = await healthyWorld(t);
  const run = await runDrill(world, { scenario: 'latency', portForward: true }, () => [], new TrafficError('PORT_FORWARD_FAILED', 'Port-forward to svc/sample-service in namespace sample-service failed: kubectl exited with code 1.'));
  assert.equal(run.exitCode, 3);
  assert.match(run.err, /drill: Port-forward to svc\/sample-service .* failed/);
  assert.equal(run.report, undefined);
});

test('an unknown scenario is a usage error that lists the scenarios', async (t) => {
  const world = await healthyWorld(t);
  const run = await runDrill(world, { scenario: 'meltdown' }, () => []);
  assert.equal(run.exitCode, 2);
  assert.match(run.err, /SCENARIO must be one of steady, error-burst, slow-burn, latency, outage, got "meltdown"/);
});

test('--json prints the drill report as JSON on stdout', async (t) => {
  const world = await healthyWorld(t);
  const run = await runDrill(world, { scenario: 'latency', baseUrl: 'http://127.0.0.1:8080', json: true }, (start) => alertOf(world, start, 'sample-service-apm-latency', 4, 12));
  const report = JSON.parse(run.out) as DrillReport;
  assert.equal(report.passed, true);
  const apm = report.expectations.find((e) => e.alertId === 'apm-latency');
  assert.equal(apm?.firedAfterMinutes, 4);
  assert.deepEqual(apm?.recovery, { recovered: true, afterTrafficMinutes: 2 });
});
