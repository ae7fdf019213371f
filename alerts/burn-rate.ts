/**
 * The burn-rate math as a pure module: given a stream of good and bad events over time, which
 * window pairs fire and when. It mirrors what Kibana's `slo.rules.burnRate` rule (and the Basic
 * fallback's custom threshold rules) evaluate every minute:
 *   burn rate over a window = (bad / total in the window) / (1 - objective)
 *   a pair fires when the long AND the short window are both at or above its threshold,
 *   an alert (page or ticket) is active while any of its pairs fires, and recovers when none does.
 * A window with no events has burn rate 0 (Kibana reports no data rather than a breach).
 *
 * Time is in whole minutes; the stream is one bucket of counts per minute.
 */
import type { Minutes, SloObjective, Urgency } from './config.js';
import { computeWindows, type ComputedWindow } from './windows.js';

export interface MinuteCounts {
  readonly good: number;
  readonly bad: number;
}

/** A piece of traffic: `minutes` minutes at `perMinute` events per minute with `errorRatio` of them bad. */
export interface TrafficSegment {
  readonly minutes: Minutes;
  readonly perMinute: number;
  readonly errorRatio: number;
}

/** Expands segments into per-minute counts. Bad events are spread exactly (carry of fractions), so long runs keep the ratio. */
export function stream(segments: readonly TrafficSegment[]): MinuteCounts[] {
  const out: MinuteCounts[] = [];
  let carry = 0;
  for (const segment of segments) {
    if (segment.errorRatio < 0 || segment.errorRatio > 1) throw new RangeError(`error ratio ${segment.errorRatio} is not within 0..1`);
    for (let i = 0; i < segment.minutes; i += 1) {
      const exactBad = segment.perMinute * segment.errorRatio + carry;
      const bad = Math.floor(exactBad + 1e-9);
      carry = exactBad - bad;
      out.push({ good: segment.perMinute - bad, bad });
    }
  }
  return out;
}

/** Prefix sums so that any window's totals cost O(1). */
export class EventSeries {
  readonly length: number;
  readonly #bad: Float64Array;
  readonly #total: Float64Array;

  constructor(minutes: readonly MinuteCounts[]) {
    this.length = minutes.length;
    this.#bad = new Float64Array(minutes.length + 1);
    this.#total = new Float64Array(minutes.length + 1);
    minutes.forEach((m, i) => {
      this.#bad[i + 1] = (this.#bad[i] ?? 0) + m.bad;
      this.#total[i + 1] = (this.#total[i] ?? 0) + m.good + m.bad;
    });
  }

  /** Bad and total events in the `window` minutes ending at the end of minute `t` (inclusive). */
  counts(t: Minutes, window: Minutes): { bad: number; total: number } {
    const end = Math.min(t + 1, this.length);
    const start = Math.max(0, end - window);
    return {
      bad: (this.#bad[end] ?? 0) - (this.#bad[start] ?? 0),
      total: (this.#total[end] ?? 0) - (this.#total[start] ?? 0),
    };
  }

  errorRatio(t: Minutes, window: Minutes): number {
    const { bad, total } = this.counts(t, window);
    return total === 0 ? 0 : bad / total;
  }
}

export function burnRate(series: EventSeries, t: Minutes, window: Minutes, objective: Pick<SloObjective, 'target'>): number {
  return series.errorRatio(t, window) / (1 - objective.target);
}

/** Multiwindow condition: long AND short at or above the pair's threshold. */
export function pairFires(series: EventSeries, t: Minutes, window: ComputedWindow, objective: SloObjective): boolean {
  // Compare error ratios against the computed ratio threshold, with a relative epsilon so that a
  // ratio exactly at the threshold counts as reaching it despite floating point.
  const limit = window.errorRatioThreshold * (1 - 1e-9);
  return (
    series.errorRatio(t, window.longWindowMinutes) >= limit &&
    series.errorRatio(t, window.shortWindowMinutes) >= limit &&
    burnRate(series, t, window.shortWindowMinutes, objective) > 0
  );
}

export interface Evaluation {
  readonly minute: Minutes;
  /** Ids of the window pairs that fire at this minute. */
  readonly firing: readonly ComputedWindow['id'][];
}

/** Evaluates every window pair of the objective at every `step` minutes (Kibana runs the rule every minute). */
export function evaluate(minutes: readonly MinuteCounts[], objective: SloObjective, step: Minutes = 1): Evaluation[] {
  const series = new EventSeries(minutes);
  const windows = computeWindows(objective);
  const out: Evaluation[] = [];
  for (let t = 0; t < series.length; t += step) {
    out.push({ minute: t, firing: windows.filter((w) => pairFires(series, t, w, objective)).map((w) => w.id) });
  }
  return out;
}

export interface AlertTimeline {
  /** Minutes at which the alert became active. */
  readonly firedAt: readonly Minutes[];
  /** Minutes at which it recovered (no pair firing any more). */
  readonly recoveredAt: readonly Minutes[];
  readonly activeAtEnd: boolean;
}

/** Collapses an evaluation into the activity of the page alert or the ticket alert. */
export function timeline(evaluations: readonly Evaluation[], urgency: Urgency, objective: SloObjective): AlertTimeline {
  const ids = new Set(computeWindows(objective).filter((w) => w.urgency === urgency).map((w) => w.id));
  const firedAt: Minutes[] = [];
  const recoveredAt: Minutes[] = [];
  let active = false;
  for (const e of evaluations) {
    const now = e.firing.some((id) => ids.has(id));
    if (now && !active) firedAt.push(e.minute);
    if (!now && active) recoveredAt.push(e.minute);
    active = now;
  }
  return { firedAt, recoveredAt, activeAtEnd: active };
}

/** Both alerts of an SLO over a stream of traffic segments. */
export function simulate(segments: readonly TrafficSegment[], objective: SloObjective): Record<Urgency, AlertTimeline> {
  const evaluations = evaluate(stream(segments), objective);
  return { page: timeline(evaluations, 'page', objective), ticket: timeline(evaluations, 'ticket', objective) };
}

/**
 * Closed-form detection time for a step change from error ratio p0 (held long enough to fill the
 * long window) to p1: a window of w minutes reaches the threshold ratio r after
 * w x (r - p0) / (p1 - p0) minutes; the pair fires when its slower (long) window does.
 * Returns undefined when p1 never reaches the threshold.
 */
export function detectionMinutes(window: ComputedWindow, p0: number, p1: number): Minutes | undefined {
  const r = window.errorRatioThreshold;
  if (p1 < r) return undefined;
  if (p0 >= r) return 0;
  const reach = (w: Minutes): Minutes => (w * (r - p0)) / (p1 - p0);
  return Math.max(reach(window.longWindowMinutes), reach(window.shortWindowMinutes));
}
