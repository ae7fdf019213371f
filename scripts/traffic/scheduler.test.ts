import assert from 'node:assert/strict';
import { setImmediate as tick, setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import type { PlannedRequest } from './plan.js';
import { runSchedule, type Clock } from './scheduler.js';

function plan(atMs: readonly number[]): PlannedRequest[] {
  return atMs.map((at, seq) => ({
    seq,
    atMs: at,
    phase: 0,
    endpoint: 'users',
    method: 'GET',
    route: '/api/users',
    path: '/api/users',
  }));
}

/** Virtual time: sleeping advances it exactly, nothing else does. */
function fakeClock(): Clock & { t: number } {
  const clock = {
    t: 1_000,
    now: () => clock.t,
    sleep: async (ms: number) => {
      clock.t += ms;
    },
  };
  return clock;
}

const never = new AbortController().signal;

describe('runSchedule', () => {
  it('starts every request at its absolute due time, however long the previous ones take', async () => {
    const clock = fakeClock();
    const starts: number[] = [];
    const due = Array.from({ length: 50 }, (_, i) => i * 20);
    const result = await runSchedule({
      plan: plan(due),
      concurrency: 100,
      deadlineMs: 10_000,
      signal: never,
      clock,
      // Responses arrive later in real time; virtual time does not wait for them.
      send: async (_request, startedAtMs) => {
        starts.push(startedAtMs);
        await sleep(5);
      },
    });
    assert.deepEqual(starts, due);
    assert.equal(result.started, 50);
    assert.equal(result.stopReason, 'completed');
    assert.equal(result.maxLagMs, 0);
  });

  it('keeps at most `concurrency` requests in flight and sends late ones as slots free up', async () => {
    const releases: (() => void)[] = [];
    let started = 0;
    const run = runSchedule({
      plan: plan([0, 0, 0, 0, 0]),
      concurrency: 2,
      deadlineMs: 60_000,
      signal: never,
      send: () => {
        started++;
        return new Promise<void>((resolve) => releases.push(resolve));
      },
    });
    await tick();
    assert.equal(started, 2);
    releases.shift()?.();
    await tick();
    await tick();
    assert.equal(started, 3);
    while (started < 5 || releases.length > 0) {
      releases.shift()?.();
      await tick();
    }
    const result = await run;
    assert.equal(result.started, 5);
  });

  it('starts nothing due at or after the deadline', async () => {
    const result = await runSchedule({
      plan: plan([0, 100, 200, 300, 400]),
      concurrency: 10,
      deadlineMs: 250,
      signal: never,
      clock: fakeClock(),
      send: async () => undefined,
    });
    assert.equal(result.started, 3);
    assert.equal(result.stopReason, 'deadline');
  });

  it('still sends a request due before the deadline when it is a little late, but not past the grace', async () => {
    const releases: (() => void)[] = [];
    const clock = fakeClock();
    const sent: number[] = [];
    const run = runSchedule({
      plan: plan([0, 100, 200]),
      concurrency: 1,
      deadlineMs: 250,
      lateGraceMs: 500,
      signal: never,
      clock,
      send: (request) => {
        sent.push(request.seq);
        return new Promise<void>((resolve) => releases.push(resolve));
      },
    });
    await tick();
    clock.t += 600; // the first request holds the only slot until 600 ms after the start
    releases.shift()?.();
    await tick();
    await tick();
    clock.t += 300; // the second holds it until 900 ms: past the 750 ms grace for the third
    releases.shift()?.();
    const result = await run;
    assert.deepEqual(sent, [0, 1]);
    assert.equal(result.stopReason, 'deadline');
  });

  it('stops starting requests once aborted and waits for the ones in flight', async () => {
    const stop = new AbortController();
    let completed = 0;
    const result = await runSchedule({
      plan: plan(Array.from({ length: 100 }, (_, i) => i * 10)),
      concurrency: 10,
      deadlineMs: 10_000,
      signal: stop.signal,
      clock: fakeClock(),
      send: async (request) => {
        if (request.seq === 4) stop.abort();
        await tick();
        completed++;
      },
    });
    assert.equal(result.stopReason, 'aborted');
    assert.equal(result.started, 5);
    assert.equal(completed, 5);
  });

  it('holds the rate in real time when each response takes longer than the interval', async () => {
    // 40 requests at 100 rps, each answered after 50 ms: sending after each answer would manage
    // about 12 before the 600 ms deadline; scheduling by absolute time sends all 40.
    const result = await runSchedule({
      plan: plan(Array.from({ length: 40 }, (_, i) => i * 10)),
      concurrency: 20,
      deadlineMs: 600,
      signal: never,
      send: () => sleep(50),
    });
    assert.equal(result.started, 40);
  });
});
