/**
 * Burn-rate thresholds derived from an objective and the window table (config.ts), never typed in.
 * burn rate = observed error ratio / (1 - objective): 1 spends the budget exactly over the period.
 * A window pair alerts when `budgetConsumed` of the period's budget is spent within its long
 * window, i.e. at burn rate budgetConsumed x period / longWindow.
 */
import { BURN_RATE_WINDOWS, type BurnRateWindow, type Minutes, type SloObjective, type Urgency } from './config.js';

export interface ComputedWindow extends BurnRateWindow {
  /** Burn rate both windows must reach for the pair to fire. */
  readonly burnRateThreshold: number;
  /** The error ratio that burn rate corresponds to for this objective. */
  readonly errorRatioThreshold: number;
  /**
   * The burn rate at which the whole period's budget is spent within the long window; Kibana's
   * rule form sets the same bound (period / long window) and validates threshold <= max.
   */
  readonly maxBurnRateThreshold: number;
}

export function periodMinutes(objective: Pick<SloObjective, 'periodDays'>): Minutes {
  return objective.periodDays * 24 * 60;
}

/** budgetConsumed x period / longWindow, rounded to 4 decimals so 14.399999 prints as 14.4. */
export function burnRateThreshold(objective: Pick<SloObjective, 'periodDays'>, window: BurnRateWindow): number {
  return round4((window.budgetConsumed * periodMinutes(objective)) / window.longWindowMinutes);
}

export function computeWindows(objective: SloObjective, table: readonly BurnRateWindow[] = BURN_RATE_WINDOWS): ComputedWindow[] {
  return table.map((window) => {
    const threshold = burnRateThreshold(objective, window);
    return {
      ...window,
      burnRateThreshold: threshold,
      errorRatioThreshold: Math.round(threshold * (1 - objective.target) * 1e8) / 1e8,
      maxBurnRateThreshold: round4(periodMinutes(objective) / window.longWindowMinutes),
    };
  });
}

export function windowsFor(objective: SloObjective, urgency: Urgency): ComputedWindow[] {
  return computeWindows(objective).filter((w) => w.urgency === urgency);
}

/** `{ value, unit }` as Kibana's burn-rate rule and custom threshold rule take durations. */
export function toDuration(minutes: Minutes): { value: number; unit: 'm' | 'h' } {
  return minutes % 60 === 0 ? { value: minutes / 60, unit: 'h' } : { value: minutes, unit: 'm' };
}

export function formatMinutes(minutes: Minutes): string {
  const d = toDuration(minutes);
  return `${d.value}${d.unit}`;
}

function round4(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
