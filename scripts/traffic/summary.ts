/**
 * The run's result as one plain object: printed as the table, or as JSON with --json. The JSON
 * shape is the generator's machine-readable contract (the fire drill and CI read it).
 */
import type { AlertId } from '../../alerts/ids.js';
import type { ShortRunCaveat } from './alert-model.js';
import type { PlanOutline } from './plan.js';
import type { ScenarioName } from './scenarios.js';
import type { StopReason } from './scheduler.js';
import type { CorrelationExample, CountsSummary, EndpointSummary, RunStats } from './stats.js';

export interface TrafficSummary {
  readonly scenario: ScenarioName;
  readonly seed: number;
  readonly baseUrl: string;
  readonly durationSeconds: number;
  readonly elapsedSeconds: number;
  readonly stopReason: StopReason | 'unreachable' | 'interrupted';
  /** False when no request got an HTTP response. */
  readonly reachable: boolean;
  /** Requests the scenario planned (after the total request cap). */
  readonly planned: number;
  readonly sent: number;
  /** Planned but never sent (stopped early, or behind schedule at the deadline). */
  readonly skipped: number;
  readonly rate: {
    readonly targetRps: number;
    /** Requests of the paced phases started within their phase, per second of those phases. */
    readonly achievedRps: number;
    readonly maxLagMs: number;
  };
  readonly endpoints: readonly EndpointSummary[];
  readonly totals: CountsSummary;
  readonly failures: readonly { message: string; count: number }[];
  readonly correlation: {
    readonly share: number;
    readonly tagged: number;
    readonly examples: readonly CorrelationExample[];
    readonly errorExamples: readonly CorrelationExample[];
  };
  readonly expectations: {
    readonly fire: readonly AlertId[];
    readonly quiet: readonly AlertId[];
    /** Present when the run was shorter than the scenario's recommended duration. */
    readonly shortRun?: ShortRunCaveat;
  };
}

export interface SummaryInput {
  readonly scenario: ScenarioName;
  readonly seed: number;
  readonly baseUrl: string;
  readonly durationSeconds: number;
  readonly elapsedMs: number;
  /** Where sending stopped: the duration when the schedule ran out, the stop time when it was cut short. */
  readonly coveredMs: number;
  readonly stopReason: TrafficSummary['stopReason'];
  readonly outline: PlanOutline;
  readonly stats: RunStats;
  readonly targetRps: number;
  readonly maxLagMs: number;
  readonly correlationShare: number;
  readonly expectFire: readonly AlertId[];
  readonly expectQuiet: readonly AlertId[];
  readonly shortRun?: ShortRunCaveat | undefined;
}

/**
 * Achieved rate of the paced phases: requests that started before their phase ended, over the
 * time those phases covered (up to where the run stopped).
 */
export function achievedRate(outline: PlanOutline, stats: RunStats, coveredMs: number): number {
  let onTime = 0;
  let seconds = 0;
  outline.phases.forEach((phase, index) => {
    if (phase.kind !== 'paced') return;
    const covered = Math.max(0, Math.min(phase.toMs, coveredMs) - phase.fromMs);
    if (covered <= 0) return;
    onTime += stats.onTime(index);
    seconds += covered / 1000;
  });
  return seconds > 0 ? onTime / seconds : 0;
}

export function buildSummary(input: SummaryInput): TrafficSummary {
  const totals = input.stats.totalSummary();
  return {
    scenario: input.scenario,
    seed: input.seed,
    baseUrl: input.baseUrl,
    durationSeconds: input.durationSeconds,
    elapsedSeconds: Math.round(input.elapsedMs) / 1000,
    stopReason: input.stopReason,
    reachable: input.stats.everAnswered,
    planned: input.outline.total,
    sent: totals.count,
    skipped: input.outline.total - totals.count,
    rate: {
      targetRps: input.targetRps,
      achievedRps: Math.round(achievedRate(input.outline, input.stats, input.coveredMs) * 100) / 100,
      maxLagMs: Math.round(input.maxLagMs * 10) / 10,
    },
    endpoints: input.stats.endpointSummaries(),
    totals,
    failures: input.stats.failures(),
    correlation: { share: input.correlationShare, ...input.stats.correlation() },
    expectations: { fire: input.expectFire, quiet: input.expectQuiet, ...(input.shortRun === undefined ? {} : { shortRun: input.shortRun }) },
  };
}
