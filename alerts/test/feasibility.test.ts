import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EXPECTED_TRAFFIC, OBJECTIVES, THRESHOLDS } from '../config.js';
import { DEFAULT_FEASIBILITY_INPUT, lintFeasibility, minimumEventsPerShortWindow, type FeasibilityInput } from '../feasibility.js';
import { computeWindows } from '../windows.js';

function withChanges(changes: Partial<FeasibilityInput>): FeasibilityInput {
  return { ...DEFAULT_FEASIBILITY_INPUT, ...changes };
}

describe('feasibility lint', () => {
  test('every rule in the shipped configuration can fire at the expected volume and stays quiet on the background', () => {
    assert.deepEqual(lintFeasibility(), []);
  });

  test('the expected volume fills every short window with more than the minimum events', () => {
    for (const objective of Object.values(OBJECTIVES)) {
      for (const w of computeWindows(objective)) {
        const expected = EXPECTED_TRAFFIC.apiRequestsPerSecond * 60 * w.shortWindowMinutes;
        assert.ok(expected >= minimumEventsPerShortWindow(w.errorRatioThreshold), w.id);
      }
    }
  });

  const broken: Array<{ name: string; input: FeasibilityInput; expect: RegExp }> = [
    {
      name: 'a 90% objective makes the 14.4x page unreachable (14.4 x 0.1 > 1)',
      input: withChanges({ objectives: { availability: { ...OBJECTIVES.availability, target: 0.9 } } }),
      expect: /unreachable: burn rate 14\.4/,
    },
    {
      name: 'a trickle of traffic cannot fill the 5-minute window',
      input: withChanges({ traffic: { ...EXPECTED_TRAFFIC, apiRequestsPerSecond: 0.01 } }),
      expect: /cannot fire meaningfully/,
    },
    {
      name: 'an error-log threshold above the whole request volume can never fire',
      input: withChanges({ thresholds: { ...THRESHOLDS, errorLogSpike: { ...THRESHOLDS.errorLogSpike, count: 100_000 } } }),
      expect: /error-log-spike|can never fire/,
    },
    {
      name: 'an error-log threshold below the designed background fires all the time',
      input: withChanges({ thresholds: { ...THRESHOLDS, errorLogSpike: { ...THRESHOLDS.errorLogSpike, count: 2 } } }),
      expect: /designed background/,
    },
    {
      name: 'a memory threshold above the limit is unreachable',
      input: withChanges({ thresholds: { ...THRESHOLDS, memorySaturation: { ...THRESHOLDS.memorySaturation, limitFraction: 1.2 } } }),
      expect: /memory|cannot exceed 1/,
    },
    {
      name: 'a background that spends the whole budget would keep the ticket open forever',
      input: withChanges({ traffic: { ...EXPECTED_TRAFFIC, flakyShare: 0.5 } }),
      expect: /spends the whole/,
    },
    {
      name: 'a service-down window shorter than two scrapes would page on one missed scrape',
      input: withChanges({ thresholds: { ...THRESHOLDS, serviceDown: { ...THRESHOLDS.serviceDown, windowMinutes: 0.25 } } }),
      expect: /two scrape periods/,
    },
  ];
  for (const c of broken) {
    test(c.name, () => {
      const problems = lintFeasibility(c.input);
      assert.ok(
        problems.some((p) => c.expect.test(`${p.subject}: ${p.message}`)),
        JSON.stringify(problems),
      );
    });
  }
});
