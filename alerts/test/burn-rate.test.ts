import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BURN_RATE_WINDOWS, EXPECTED_ERROR_RATIO, EXPECTED_TRAFFIC, OBJECTIVES, type SloObjective } from '../config.js';
import { detectionMinutes, EventSeries, simulate, stream, type TrafficSegment } from '../burn-rate.js';
import { burnRateThreshold, computeWindows } from '../windows.js';

const objective = OBJECTIVES.availability;
const perMinute = EXPECTED_TRAFFIC.apiRequestsPerSecond * 60;
const DAY = 24 * 60;
/** Three days of the designed background: fills the longest (72 h) window before each scenario. */
const history: TrafficSegment = { minutes: 3 * DAY, perMinute, errorRatio: EXPECTED_ERROR_RATIO };
const windowsById = Object.fromEntries(computeWindows(objective).map((w) => [w.id, w]));

describe('the window table yields the workbook burn rates', () => {
  const cases: Array<{ name: string; periodDays: number; expected: number[] }> = [
    { name: 'a 30-day objective gives 14.4, 6, 3 and 1', periodDays: 30, expected: [14.4, 6, 3, 1] },
    { name: 'a 28-day objective scales every threshold by 28/30', periodDays: 28, expected: [13.44, 5.6, 2.8, 0.9333] },
    { name: 'a 7-day objective gives proportionally smaller thresholds', periodDays: 7, expected: [3.36, 1.4, 0.7, 0.2333] },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const o: SloObjective = { ...objective, periodDays: c.periodDays };
      assert.deepEqual(BURN_RATE_WINDOWS.map((w) => burnRateThreshold(o, w)), c.expected);
    });
  }

  test('each threshold is the error ratio burn rate x (1 - objective)', () => {
    for (const w of computeWindows({ ...objective, target: 0.995 })) {
      assert.ok(Math.abs(w.errorRatioThreshold - w.burnRateThreshold * 0.005) < 1e-9, w.id);
    }
  });
});

describe('the event series counts windows exactly', () => {
  test('a window covers the last N minutes and is clipped at the start of the stream', () => {
    const s = new EventSeries([
      { good: 9, bad: 1 },
      { good: 5, bad: 5 },
      { good: 10, bad: 0 },
    ]);
    assert.deepEqual(s.counts(2, 2), { bad: 5, total: 20 });
    assert.deepEqual(s.counts(2, 60), { bad: 6, total: 30 });
    assert.equal(s.errorRatio(0, 5), 0.1);
  });

  test('a window without events has an error ratio of zero, never a breach', () => {
    assert.equal(new EventSeries([{ good: 0, bad: 0 }]).errorRatio(0, 5), 0);
  });

  test('spreading a fractional error ratio keeps the exact ratio over long runs', () => {
    const minutes = stream([{ minutes: 1000, perMinute: 7, errorRatio: 0.013 }]);
    const bad = minutes.reduce((n, m) => n + m.bad, 0);
    assert.ok(Math.abs(bad - 7000 * 0.013) <= 1);
  });
});

interface Scenario {
  name: string;
  segments: TrafficSegment[];
  /** Minute the fault starts (after the history). */
  faultStart: number;
  expectPage: boolean;
  expectTicket: boolean;
  /** The error ratio during the fault, to derive the expected detection time in closed form. */
  faultRatio: number;
}

const burst = (minutes: number, errorRatio: number): TrafficSegment => ({ minutes, perMinute, errorRatio });
const steadyFor = (minutes: number): TrafficSegment => ({ minutes, perMinute, errorRatio: EXPECTED_ERROR_RATIO });

const scenarios: Scenario[] = [
  {
    name: 'steady traffic at the designed background fires nothing for three more days',
    segments: [history, steadyFor(3 * DAY)],
    faultStart: history.minutes,
    expectPage: false,
    expectTicket: false,
    faultRatio: EXPECTED_ERROR_RATIO,
  },
  {
    name: 'the error-burst scenario (half the requests fail) fires the fast page within the computed minutes',
    segments: [history, burst(60, 0.5)],
    faultStart: history.minutes,
    expectPage: true,
    expectTicket: true,
    faultRatio: 0.5,
  },
  {
    name: 'an outage (every request fails) pages in under ten minutes',
    segments: [history, burst(30, 1)],
    faultStart: history.minutes,
    expectPage: true,
    expectTicket: true,
    faultRatio: 1,
  },
  {
    name: 'the slow-burn scenario (4.5x the budget) fires only a ticket',
    segments: [history, burst(2 * DAY, 4.5 * (1 - objective.target))],
    faultStart: history.minutes,
    expectPage: false,
    expectTicket: true,
    faultRatio: 4.5 * (1 - objective.target),
  },
  {
    name: 'a three-minute blip of errors does not page',
    segments: [history, burst(3, 1), steadyFor(120)],
    faultStart: history.minutes,
    expectPage: false,
    expectTicket: false,
    faultRatio: 1,
  },
];

describe('burn-rate alerts on scenario traffic', () => {
  for (const s of scenarios) {
    test(s.name, () => {
      const result = simulate(s.segments, objective);
      const firedAfterFault = (t: { firedAt: readonly number[] }): number[] => t.firedAt.filter((m) => m >= s.faultStart);
      assert.equal(firedAfterFault(result.page).length > 0, s.expectPage, `page fired at ${result.page.firedAt.join(',')}`);
      assert.equal(firedAfterFault(result.ticket).length > 0, s.expectTicket, `ticket fired at ${result.ticket.firedAt.join(',')}`);
      // Nothing fires during the history: the designed background is within budget.
      assert.ok(result.page.firedAt.every((m) => m >= s.faultStart) && result.ticket.firedAt.every((m) => m >= s.faultStart));

      for (const urgency of ['page', 'ticket'] as const) {
        const first = firedAfterFault(result[urgency])[0];
        if (first === undefined) continue;
        // The closed-form detection time of the fastest window pair of this urgency.
        const expected = Math.min(
          ...computeWindows(objective)
            .filter((w) => w.urgency === urgency)
            .map((w) => detectionMinutes(w, EXPECTED_ERROR_RATIO, s.faultRatio) ?? Infinity),
        );
        const observed = first - s.faultStart + 1; // minutes of fault traffic seen when it fired
        assert.ok(Math.abs(observed - Math.ceil(expected)) <= 1, `${urgency}: fired after ${observed} min, expected ~${expected.toFixed(2)}`);
      }
    });
  }

  test('a latency regression (a fifth of fast requests over the threshold) pages through the latency SLO, a 2% drift only tickets', () => {
    const latency = OBJECTIVES.latency;
    const quietHistory: TrafficSegment = { minutes: 3 * DAY, perMinute, errorRatio: 0 };
    const regression = simulate([quietHistory, { minutes: 120, perMinute, errorRatio: 0.2 }], latency);
    assert.ok(regression.page.firedAt.some((m) => m >= quietHistory.minutes));
    const drift = simulate([quietHistory, { minutes: 2 * DAY, perMinute, errorRatio: 0.02 }], latency);
    assert.deepEqual(drift.page.firedAt, []);
    assert.ok(drift.ticket.firedAt.length > 0);
  });

  test('the outage page comes within ten minutes, as the workbook promises for a 99% objective', () => {
    const d = detectionMinutes(windowsById['page-fast']!, EXPECTED_ERROR_RATIO, 1);
    assert.ok(d !== undefined && d < 10, String(d));
  });

  test('recovery clears the page within the short window after the burst ends, while the long window alone would still fire', () => {
    const burstMinutes = 60;
    const segments = [history, burst(burstMinutes, 0.5), steadyFor(12 * 60)];
    const result = simulate(segments, objective);
    const end = history.minutes + burstMinutes;
    const recovered = result.page.recoveredAt.find((m) => m >= end);
    assert.ok(recovered !== undefined, 'page never recovered');
    assert.equal(result.page.activeAtEnd, false);
    // The slowest page pair that fired has a 30-minute short window: the alert clears within it.
    assert.ok(recovered - end <= windowsById['page-slow']!.shortWindowMinutes, `recovered ${recovered - end} min after the burst`);
    // At recovery the 1 h long window still exceeds its threshold: only the short window let it clear.
    const series = new EventSeries(stream(segments));
    assert.ok(series.errorRatio(recovered, 60) >= windowsById['page-fast']!.errorRatioThreshold);
  });
});
