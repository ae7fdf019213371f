/**
 * What Kibana's alerting says about the drill's rules: the alerts-as-data documents of each rule
 * (`.alerts-*`, searched through Elasticsearch; the public Kibana API has no alert search). When the
 * credentials may not read `.alerts-*` (403), the rules' own `last_run.alerts_count` (public rule API)
 * is read instead, and firing and recovery are timed by when they were observed. Field
 * names from Kibana's kbn-rule-data-utils (default_alerts_as_data.ts, alerts_as_data_status.ts):
 * `kibana.alert.rule.uuid` (the rule id), `kibana.alert.status` (active | recovered | untracked),
 * `kibana.alert.start`, `kibana.alert.end`, `kibana.space_ids`.
 */
import { PrivilegeError } from '../provision/errors.js';
import type { Stack } from '../verify/connect.js';
import { search, valueAt } from '../verify/context.js';

export const ALERTS_INDEX = '.alerts-*';
export const ALERT_FIELDS = {
  ruleUuid: 'kibana.alert.rule.uuid',
  status: 'kibana.alert.status',
  start: 'kibana.alert.start',
  end: 'kibana.alert.end',
  spaceIds: 'kibana.space_ids',
} as const;
const MAX_ALERTS = 500;

export interface RuleAlerts {
  /** Earliest start of an alert that started at or after `since`. */
  readonly firstStart: Date | undefined;
  /** An alert of the rule is active now. */
  readonly active: boolean;
  /** Latest end of an alert that started at or after `since` (when none is active). */
  readonly lastEnd: Date | undefined;
  /** Active alerts that started before `since` (the rule was already firing). */
  readonly activeBefore: number;
}

function date(v: unknown): Date | undefined {
  if (typeof v !== 'string' && typeof v !== 'number') return undefined;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** Alerts of these rules, summarised per rule id. */
export async function readAlerts(stack: Stack, ruleIds: readonly string[], since: Date): Promise<Map<string, RuleAlerts>> {
  // Rule ids are unique within a space only: keep the target space's alerts.
  const space = { term: { [ALERT_FIELDS.spaceIds]: stack.space ?? 'default' } };
  const hits = await search(stack, ALERTS_INDEX, { bool: { filter: [{ terms: { [ALERT_FIELDS.ruleUuid]: [...ruleIds] } }, space] } }, { size: MAX_ALERTS });
  const out = new Map<string, RuleAlerts>();
  for (const id of ruleIds) {
    const mine = hits.filter((h) => valueAt(h.source, ALERT_FIELDS.ruleUuid) === id);
    const started = mine.map((h) => ({ start: date(valueAt(h.source, ALERT_FIELDS.start)), end: date(valueAt(h.source, ALERT_FIELDS.end)), status: valueAt(h.source, ALERT_FIELDS.status) }));
    const during = started.filter((a) => a.start !== undefined && a.start.getTime() >= since.getTime());
    const firstStart = during.map((a) => a.start as Date).sort((a, b) => a.getTime() - b.getTime())[0];
    const ends = during.map((a) => a.end).filter((d): d is Date => d !== undefined).sort((a, b) => b.getTime() - a.getTime());
    out.set(id, {
      firstStart,
      active: started.some((a) => a.status === 'active'),
      lastEnd: ends[0],
      activeBefore: started.filter((a) => a.status === 'active' && a.start !== undefined && a.start.getTime() < since.getTime()).length,
    });
  }
  return out;
}

interface RuleRun {
  readonly last_run?: { alerts_count?: { active?: number | null; new?: number | null } };
}

/**
 * Watches the alerts of some rules from `since` on: alerts-as-data while readable, else the rules'
 * last-run alert counts (first seen active = fired, first seen inactive after that = recovered).
 */
export class AlertWatch {
  readonly #stack: Stack;
  readonly #ruleIds: readonly string[];
  readonly #since: Date;
  readonly #log: (message: string) => void;
  #fromRules = false;
  readonly #firstSeen = new Map<string, Date>();
  readonly #endSeen = new Map<string, Date>();
  readonly #activeAtStart = new Set<string>();
  #reads = 0;

  constructor(stack: Stack, ruleIds: readonly string[], since: Date, log: (message: string) => void) {
    this.#stack = stack;
    this.#ruleIds = ruleIds;
    this.#since = since;
    this.#log = log;
  }

  async read(now: Date): Promise<Map<string, RuleAlerts>> {
    this.#reads++;
    if (!this.#fromRules) {
      try {
        return await readAlerts(this.#stack, this.#ruleIds, this.#since);
      } catch (e) {
        if (!(e instanceof PrivilegeError)) throw e;
        this.#fromRules = true;
        this.#log(`cannot read ${ALERTS_INDEX} (${e.privilege}): timing alerts by the rules' last runs instead, to the nearest poll`);
      }
    }
    const out = new Map<string, RuleAlerts>();
    for (const id of this.#ruleIds) {
      const res = await this.#stack.kibana.request<RuleRun>({ method: 'GET', path: `/api/alerting/rule/${encodeURIComponent(id)}`, accept: [404] });
      const counts = res.status === 404 ? undefined : res.body.last_run?.alerts_count;
      const active = (counts?.active ?? 0) + (counts?.new ?? 0) > 0;
      if (this.#reads === 1 && active) this.#activeAtStart.add(id);
      if (active && !this.#activeAtStart.has(id) && !this.#firstSeen.has(id)) this.#firstSeen.set(id, now);
      if (!active) {
        this.#activeAtStart.delete(id);
        if (this.#firstSeen.has(id) && !this.#endSeen.has(id)) this.#endSeen.set(id, now);
      } else {
        this.#endSeen.delete(id);
      }
      out.set(id, { firstStart: this.#firstSeen.get(id), active, lastEnd: this.#endSeen.get(id), activeBefore: this.#activeAtStart.has(id) ? 1 : 0 });
    }
    return out;
  }
}
