/**
 * Each scenario's expectFire / expectQuiet lists against the alerting definitions: its plan, at
 * the default rate and its recommended duration, replayed through the burn-rate math and
 * thresholds of alerts/ (alert-model.ts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULTS } from '../options.js';
import { SCENARIOS } from '../scenarios.js';
import { firingAlerts, formatShortRunCaveat, MODELLED_ALERTS, shortRunCaveat } from '../alert-model.js';

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

  it('adds no caveat at or above the recommended duration', () => {
    for (const scenario of Object.values(SCENARIOS)) {
      const input = { scenario, durationMs: scenario.recommendedDurationSeconds * 1000, rps: DEFAULTS.rps, seed: 1, maxRequests: DEFAULTS.maxRequests, correlationShare: 0 };
      assert.equal(shortRunCaveat(input), undefined, scenario.name);
    }
  });

  it('says a 20 s error-burst may not fire what it expects', () => {
    const scenario = SCENARIOS['error-burst'];
    const caveat = shortRunCaveat({ scenario, durationMs: 20_000, rps: DEFAULTS.rps, seed: 1, maxRequests: DEFAULTS.maxRequests, correlationShare: 0 });
    assert.deepEqual(caveat?.mayNotFire, scenario.expectFire);
    assert.match(formatShortRunCaveat(scenario.name, caveat!), /^Warning: 20 s is shorter than error-burst's recommended 600 s.*Expected to fire but may not: availability-burn-rate-page, error-log-spike\.$/);
  });

  it('says a 60 s steady run may open the ticket it expects to keep quiet, as the model shows', () => {
    const caveat = shortRunCaveat({ scenario: SCENARIOS.steady, durationMs: 60_000, rps: DEFAULTS.rps, seed: 1, maxRequests: DEFAULTS.maxRequests, correlationShare: 0 });
    assert.deepEqual(caveat?.mayFire, ['availability-burn-rate-ticket']);
    assert.deepEqual(caveat?.mayNotFire, []);
  });
});
