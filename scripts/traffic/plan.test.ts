import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EndpointId } from './endpoints.js';
import { outlinePlan, planRequests, weightedRoundRobin, type PlanInput, type PlannedRequest } from './plan.js';
import { SCENARIOS, errorShareForBurnRate, SLOW_BURN_RATE, type Scenario } from './scenarios.js';

function input(scenario: Scenario, overrides: Partial<PlanInput> = {}): PlanInput {
  return { scenario, durationMs: 10_000, rps: 10, seed: 1, maxRequests: 100_000, correlationShare: 0.5, ...overrides };
}

function countBy(plan: readonly PlannedRequest[]): Partial<Record<EndpointId, number>> {
  const counts: Partial<Record<EndpointId, number>> = {};
  for (const r of plan) counts[r.endpoint] = (counts[r.endpoint] ?? 0) + 1;
  return counts;
}

describe('the default pattern (steady)', () => {
  it('sends normal usage for 60% of the duration, then 30 spike, 10 flaky and 5 slow requests', () => {
    const plan = [...planRequests(input(SCENARIOS.steady, { durationMs: 10_000, rps: 10 }))];
    // 6 s of normal usage at 10 rps = 60 requests split evenly across /api/users, /api/users/{id}, /health.
    const normal = plan.filter((r) => r.phase === 0);
    assert.equal(normal.length, 60);
    assert.deepEqual(countBy(normal), { users: 20, user: 20, health: 20 });
    assert.ok(normal.every((r) => r.atMs < 6_000));
    const spike = plan.filter((r) => r.phase === 1);
    assert.equal(spike.length, 30);
    assert.ok(spike.every((r) => r.atMs === 6_000), 'the spike is sent all at once');
    assert.ok(spike.every((r) => r.endpoint === 'users' || r.endpoint === 'user'));
    const flaky = plan.filter((r) => r.endpoint === 'flaky');
    assert.equal(flaky.length, 10);
    assert.ok(flaky.every((r) => r.atMs >= 6_000 && r.atMs < 8_000));
    const slow = plan.filter((r) => r.endpoint === 'slow');
    assert.equal(slow.length, 5);
    assert.ok(slow.every((r) => r.atMs >= 8_000 && r.atMs < 10_000));
  });

  it('keeps the spike, flaky and slow counts fixed whatever the duration and rate', () => {
    for (const [durationMs, rps] of [
      [2_000, 5],
      [60_000, 10],
      [300_000, 50],
    ] as const) {
      const counts = countBy([...planRequests(input(SCENARIOS.steady, { durationMs, rps }))]);
      assert.equal(counts.flaky, 10);
      assert.equal(counts.slow, 5);
      assert.equal(counts.health, Math.floor((0.6 * durationMs * rps) / 1000 / 3));
    }
  });
});

describe('planRequests', () => {
  it('yields requests in time order', () => {
    for (const scenario of Object.values(SCENARIOS)) {
      let last = -1;
      for (const r of planRequests(input(scenario))) {
        assert.ok(r.atMs >= last, `${scenario.name}: ${r.atMs} after ${last}`);
        last = r.atMs;
      }
    }
  });

  it('numbers requests and spaces paced ones at exactly 1/rps', () => {
    const plan = [...planRequests(input(SCENARIOS['error-burst'], { durationMs: 2_000, rps: 50 }))];
    assert.equal(plan.length, 100);
    plan.forEach((r, i) => {
      assert.equal(r.seq, i);
      assert.ok(Math.abs(r.atMs - i * 20) < 1e-9);
    });
  });

  it('is deterministic for a seed and varies its choices with the seed', () => {
    const a = [...planRequests(input(SCENARIOS.steady, { seed: 99 }))];
    const b = [...planRequests(input(SCENARIOS.steady, { seed: 99 }))];
    const c = [...planRequests(input(SCENARIOS.steady, { seed: 100 }))];
    assert.deepEqual(a, b);
    assert.notDeepEqual(
      a.map((r) => [r.path, r.correlation?.traceId]),
      c.map((r) => [r.path, r.correlation?.traceId]),
    );
  });

  it('stops at the total request cap', () => {
    const plan = [...planRequests(input(SCENARIOS.steady, { maxRequests: 7 }))];
    assert.equal(plan.length, 7);
    assert.equal(outlinePlan(input(SCENARIOS.steady, { maxRequests: 7 })).total, 7);
    assert.equal(outlinePlan(input(SCENARIOS.steady, { maxRequests: 7 })).requested, 105);
  });

  it('tags the configured share of requests with correlation headers', () => {
    const share = (s: number): number => {
      const plan = [...planRequests(input(SCENARIOS.outage, { durationMs: 100_000, rps: 20, correlationShare: s }))];
      return plan.filter((r) => r.correlation).length / plan.length;
    };
    assert.equal(share(0), 0);
    assert.equal(share(1), 1);
    assert.ok(Math.abs(share(0.5) - 0.5) < 0.03, `share ${share(0.5)}`);
    assert.ok(Math.abs(share(0.1) - 0.1) < 0.02, `share ${share(0.1)}`);
  });

  it('looks up mostly existing users and a few unknown ones', () => {
    const plan = [...planRequests(input(SCENARIOS.steady, { durationMs: 100_000, rps: 30 }))];
    const ids = plan.filter((r) => r.endpoint === 'user').map((r) => Number(r.path.split('/').pop()));
    const known = ids.filter((id) => id >= 1 && id <= 3).length;
    assert.ok(known / ids.length > 0.9 && known / ids.length < 0.99, `known share ${known / ids.length}`);
  });

  it('gives slow-burn an error share within one request of its exact target', () => {
    const plan = [...planRequests(input(SCENARIOS['slow-burn'], { durationMs: 60_000, rps: 10 }))];
    const errors = plan.filter((r) => r.endpoint === 'error').length;
    const exact = plan.length * errorShareForBurnRate(SLOW_BURN_RATE);
    assert.ok(Math.abs(errors - exact) <= 1, `${errors} errors, expected ${exact}`);
  });
});

describe('weightedRoundRobin', () => {
  it('keeps every prefix within one pick of the exact proportion', () => {
    const mix = { users: 0.4775, user: 0.4775, error: 0.045 } as const;
    const picks = weightedRoundRobin(mix);
    const counts: Record<string, number> = { users: 0, user: 0, error: 0 };
    for (let n = 1; n <= 1000; n++) {
      const id = picks.next().value;
      counts[id] = (counts[id] ?? 0) + 1;
      for (const [endpoint, weight] of Object.entries(mix)) {
        assert.ok(Math.abs((counts[endpoint] ?? 0) - n * weight) < 1.0001, `${endpoint} after ${n}: ${counts[endpoint]}`);
      }
    }
  });

  it('rejects a mix without a positive weight', () => {
    assert.throws(() => weightedRoundRobin({ users: 0 }).next(), /positive weight/);
  });
});
