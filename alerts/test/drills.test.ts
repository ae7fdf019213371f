import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EXPECTED_ERROR_RATIO } from '../config.js';
import { predictDrill, type DrillScenario } from '../drills.js';
import { loadSources } from '../matrix.js';

const routes: Record<string, string> = { ok: '/api/users', err: '/api/error', flaky: '/api/flaky', probe: '/health' };
const routeOf = (id: string): string | undefined => routes[id];

describe('fire-drill predictions', () => {
  test('the SLI error ratio of a phase counts only SLI routes, with each route\'s designed failure ratio', () => {
    const scenario: DrillScenario = {
      name: 'mix',
      recommendedDurationSeconds: 600,
      phases: [{ kind: 'paced', from: 0, to: 1, mix: { ok: 2, err: 1, flaky: 1, probe: 4 } }],
    };
    assert.ok(Math.abs(predictDrill(scenario, routeOf).errorRatio - (1 + 0.3) / 4) < 1e-9);
  });

  test('a burst of errors pages at once on a fresh cluster but needs longer after a day of normal traffic', () => {
    const scenario: DrillScenario = {
      name: 'burst',
      recommendedDurationSeconds: 40 * 60,
      phases: [{ kind: 'paced', from: 0, to: 1, mix: { ok: 1, err: 1 } }],
    };
    const p = predictDrill(scenario, routeOf);
    assert.equal(p.fresh.page, 1);
    assert.ok(p.afterADayOfTraffic.page !== undefined && p.afterADayOfTraffic.page > 10, String(p.afterADayOfTraffic.page));
    assert.ok(EXPECTED_ERROR_RATIO < 0.01);
  });

  test('the traffic scenarios\' availability and latency expectations agree with the burn-rate math on a fresh cluster', async (t) => {
    const sources = await loadSources();
    if (sources.scenarios === undefined || sources.routeOf === undefined) return t.skip('scripts/traffic is not present');
    const routeOfTraffic = sources.routeOf;
    for (const sc of sources.scenarios) {
      if (sc.phases === undefined || sc.recommendedDurationSeconds === undefined) continue;
      const p = predictDrill(sc as DrillScenario, routeOfTraffic);
      const fires = { 'availability-burn-rate-page': p.fresh.page !== undefined, 'availability-burn-rate-ticket': p.fresh.ticket !== undefined };
      for (const [id, fired] of Object.entries(fires)) {
        if (sc.expectFire.includes(id)) assert.ok(fired, `${sc.name} expects ${id} to fire, the math says it does not within ${p.minutes} min`);
        if (sc.expectQuiet.includes(id)) assert.ok(!fired, `${sc.name} expects ${id} to stay quiet, the math says it fires`);
      }
      // No scenario slows the fast endpoints: the latency SLO cannot fire in any of them.
      for (const id of ['latency-burn-rate-page', 'latency-burn-rate-ticket']) {
        assert.ok(!sc.expectFire.includes(id), `${sc.name} expects ${id}, but /api/slow is outside the latency SLI`);
      }
    }
  });
});
