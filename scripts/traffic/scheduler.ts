/**
 * Open-loop dispatch: each planned request is sent at its absolute due time (start + atMs), not
 * "sleep, then send after the previous one answered", so response times never slow the rate down
 * and timer jitter never accumulates. A request that is late (all `concurrency` slots busy, or the
 * event loop was blocked) goes out as soon as it can and its lag is recorded. Bounded by the plan
 * (which the total request cap bounds), by the deadline (plus a short grace for late requests) and
 * by the abort signal.
 */
import { setTimeout as sleepMs } from 'node:timers/promises';
import type { PlannedRequest } from './plan.js';

export interface Clock {
  /** Monotonic milliseconds. */
  now(): number;
  /** Resolves after `ms` (or at once when the signal aborts). */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  sleep: (ms, signal) => sleepMs(ms, undefined, { signal }).catch(() => undefined),
};

export interface ScheduleInput {
  readonly plan: Iterable<PlannedRequest>;
  readonly concurrency: number;
  /** Requests due at or after this many ms from the start are not sent. */
  readonly deadlineMs: number;
  /**
   * How late past the deadline a request that was due before it may still start (the generator
   * fell behind: busy event loop, all slots taken). Default LATE_GRACE_MS.
   */
  readonly lateGraceMs?: number;
  readonly signal: AbortSignal;
  readonly clock?: Clock;
  /** Sends one request; must settle (the sender applies its own timeout) and must not reject. */
  readonly send: (request: PlannedRequest, startedAtMs: number) => Promise<void>;
  /** Called once, just before the first request is due, with the clock's start time. */
  readonly onStart?: (startMs: number) => void;
}

export type StopReason = 'completed' | 'deadline' | 'aborted';

export interface ScheduleResult {
  readonly started: number;
  readonly stopReason: StopReason;
  /** Largest delay between a request's due time and its start. */
  readonly maxLagMs: number;
}

export const LATE_GRACE_MS = 1_000;

/** Timers fire a little late; waking this much early and spinning on the next tick is not worth it. */
const SLEEP_THRESHOLD_MS = 1;

export async function runSchedule(input: ScheduleInput): Promise<ScheduleResult> {
  const clock = input.clock ?? systemClock;
  const { signal } = input;
  const inFlight = new Set<Promise<void>>();
  let started = 0;
  let maxLagMs = 0;
  let stopReason: StopReason = 'completed';
  const aborted = abortPromise(signal);
  const startMs = clock.now();
  input.onStart?.(startMs);

  for (const request of input.plan) {
    if (signal.aborted) {
      stopReason = 'aborted';
      break;
    }
    if (request.atMs >= input.deadlineMs) {
      stopReason = 'deadline';
      break;
    }
    const wait = startMs + request.atMs - clock.now();
    if (wait > SLEEP_THRESHOLD_MS) await clock.sleep(wait, signal);
    while (inFlight.size >= input.concurrency && !signal.aborted) {
      await Promise.race([...inFlight, aborted]);
    }
    if (signal.aborted) {
      stopReason = 'aborted';
      break;
    }
    const startedAtMs = clock.now() - startMs;
    if (startedAtMs >= input.deadlineMs + (input.lateGraceMs ?? LATE_GRACE_MS)) {
      stopReason = 'deadline';
      break;
    }
    maxLagMs = Math.max(maxLagMs, startedAtMs - request.atMs);
    started++;
    const pending = input.send(request, startedAtMs).finally(() => inFlight.delete(pending));
    inFlight.add(pending);
  }
  await Promise.all(inFlight);
  return { started, stopReason, maxLagMs };
}

function abortPromise(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
