/**
 * Each scenario's expectFire / expectQuiet lists against the alerting definitions: its plan, at
 * the default rate and its recommended duration, replayed through the burn-rate math and
 * thresholds of alerts/ (alert-model.ts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULTS } from '../options.js';
import { SCENARIOS } from '../scenarios.js';
import { firingAlerts, MODELLED_ALERTS } from './alert-model.js';

describe('scenario alert expectations, replayed through the alerting rules\' math', () => {
  for (const scenario of Object.values(SCENARIOS)) {
    it(`${scenario.name} fires what it expects and keeps quiet what it must, at ${DEFAULTS.rps} rps for ${scenario.recommendedDurationSeconds} s`, () => {
      const fired = firingAlerts({
        scenario,
        durationMs: scenario.recommendedDurationSeconds * 1000,
        rps: DEFAULTS.rps,
        seed: 1,
        maxRequests: DEFAULTS.maxRequests,
        correlationShare: 0,
      });
      for (const id of scenario.expectFire.filter((a) => MODELLED_ALERTS.includes(a))) {
        assert.ok(fired.has(id), `${id} should fire; fired: ${[...fired].join(', ') || 'none'}`);
      }
      for (const id of scenario.expectQuiet.filter((a) => MODELLED_ALERTS.includes(a))) {
        assert.ok(!fired.has(id), `${id} should stay quiet; fired: ${[...fired].join(', ')}`);
      }
    });
  }

  it('notices when the classic 60 s steady run is short enough to open a ticket', () => {
    // The model is not blind: the same steady pattern squeezed into 60 s makes the 10 flaky
    // requests a visible share of the traffic.
    const fired = firingAlerts({
      scenario: SCENARIOS.steady,
      durationMs: 60_000,
      rps: DEFAULTS.rps,
      seed: 1,
      maxRequests: DEFAULTS.maxRequests,
      correlationShare: 0,
    });
    assert.ok(fired.has('availability-burn-rate-ticket'));
    assert.ok(!fired.has('availability-burn-rate-page'));
  });
});
