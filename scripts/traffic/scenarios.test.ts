import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ALERT_IDS } from '../../alerts/ids.js';
import { ENDPOINT_IDS } from './endpoints.js';
import {
  AVAILABILITY_SLO,
  SCENARIO_NAMES,
  SCENARIOS,
  SLOW_BURN_RATE,
  errorShareForBurnRate,
  type Mix,
} from './scenarios.js';

function errorShare(mix: Mix): number {
  const weights = Object.entries(mix).filter(([id]) => id !== 'health');
  const total = weights.reduce((s, [, w]) => s + (w ?? 0), 0);
  return (mix.error ?? 0) / total;
}

describe('scenarios', () => {
  it('defines every scenario the CLI offers, under its own name', () => {
    assert.deepEqual(Object.keys(SCENARIOS).sort(), [...SCENARIO_NAMES].sort());
    for (const name of SCENARIO_NAMES) assert.equal(SCENARIOS[name].name, name);
  });

  for (const scenario of Object.values(SCENARIOS)) {
    it(`${scenario.name} names only known alerts, none both expected to fire and to stay quiet`, () => {
      for (const id of [...scenario.expectFire, ...scenario.expectQuiet]) {
        assert.ok((ALERT_IDS as readonly string[]).includes(id), `unknown alert id ${id}`);
      }
      const both = scenario.expectFire.filter((id) => scenario.expectQuiet.includes(id));
      assert.deepEqual(both, []);
      assert.ok(scenario.why.length > 20, 'says why');
    });

    it(`${scenario.name} has phases inside the run and mixes of known endpoints`, () => {
      assert.ok(scenario.phases.length > 0);
      for (const phase of scenario.phases) {
        const [from, to] = phase.kind === 'burst' ? [phase.at, phase.at] : [phase.from, phase.to];
        assert.ok(from >= 0 && to <= 1 && from <= to, `${phase.label}: ${from}..${to}`);
        if (phase.kind === 'burst') assert.ok(phase.at < 1, 'a burst at the very end would never be sent');
        for (const [id, weight] of Object.entries(phase.mix)) {
          assert.ok((ENDPOINT_IDS as string[]).includes(id), `unknown endpoint ${id}`);
          assert.ok((weight ?? 0) > 0);
        }
      }
    });
  }

  it('sizes error-burst far above the fast-burn page threshold', () => {
    const phase = SCENARIOS['error-burst'].phases[0]!;
    assert.ok(errorShare(phase.mix) / (1 - AVAILABILITY_SLO.objective) > 14.4);
  });

  it('sizes slow-burn between the ticket and the page burn rates', () => {
    const phase = SCENARIOS['slow-burn'].phases[0]!;
    const burn = errorShare(phase.mix) / (1 - AVAILABILITY_SLO.objective);
    assert.ok(Math.abs(errorShare(phase.mix) - errorShareForBurnRate(SLOW_BURN_RATE)) < 1e-12);
    assert.ok(burn > AVAILABILITY_SLO.ticketBurnRate && burn < AVAILABILITY_SLO.pageBurnRate, `burn rate ${burn}`);
  });

  it('sends only errors in outage', () => {
    assert.equal(errorShare(SCENARIOS.outage.phases[0]!.mix), 1);
  });
});
