/**
 * Index lifecycle of the service's signals, as plain data.
 *
 * The stack owns the index templates of the data streams the service's telemetry lands in (Fleet
 * integrations and the APM plugin); each of them composes a `<data stream>@custom` component
 * template that is meant for users. Retention is set there:
 * - stateful (ECK, Elastic Cloud hosted): an ILM policy per signal, named in the `@custom`
 *   template's `index.lifecycle.name` (with `prefer_ilm`, so it wins over a data stream lifecycle
 *   that the stack's own templates may also carry);
 * - Serverless: no ILM exists; the same `@custom` template carries a data stream lifecycle
 *   `data_retention` instead.
 *
 * Which `@custom` names the stack composes (checked in the stack's sources):
 * - Fleet builds `<type>-<dataset>@custom` for every integration data stream, e.g.
 *   `logs-kubernetes.container_logs@custom`, `metrics-prometheus.collector@custom`.
 * - The APM plugin's `traces-apm@template` composes `traces-apm@custom`, and `logs-apm.error@template`
 *   composes `logs-apm.error@custom`.
 * These data streams are shared by everything else in the cluster writing to them (all containers'
 * logs, every APM service): the retention below applies to all of it. New settings take effect for
 * backing indices created after the next rollover.
 */
import type { estypes } from '@elastic/elasticsearch';
import { OWNER_PREFIX, OWNER_TAG } from '../kibana/telemetry-fields.js';
import type { ComponentTemplateResource, IlmPolicyResource, Resource } from '../model/resources.js';
import { CUSTOM_MAPPINGS } from './mappings.js';

export type LifecycleSignal = 'logs' | 'traces' | 'metrics';

export interface Retention {
  /** Days after rollover until deletion (ILM `delete.min_age`; DSL `data_retention`). */
  readonly days: number;
  /** ILM rollover age: bounds how much longer than `days` the oldest data can live. */
  readonly rolloverMaxAge: string;
  /** The stack's `<data stream>@custom` component templates this retention is applied through. */
  readonly customTemplates: readonly string[];
  readonly why: string;
}

/**
 * Retention per signal. Data lives `days` after its backing index rolled over, so at most
 * `days` + `rolloverMaxAge`.
 */
export const RETENTION: Readonly<Record<LifecycleSignal, Retention>> = {
  logs: {
    days: 14,
    rolloverMaxAge: '1d',
    customTemplates: ['logs-kubernetes.container_logs@custom', 'logs-apm.error@custom'],
    // Logs are the most detailed and the most voluminous signal after traces. Two weeks cover an
    // on-call rotation and the post-incident review that follows it; longer trends come from metrics.
    why: 'covers a two-week on-call rotation plus the incident review that follows; trends come from metrics',
  },
  traces: {
    days: 7,
    rolloverMaxAge: '1d',
    customTemplates: ['traces-apm@custom'],
    // One document per span makes traces the largest signal; they answer "what happened to this
    // request" for recent requests. APM keeps its own pre-aggregated latency and throughput metrics
    // (metrics-apm.*, 90 days and more by default), so history survives the raw spans.
    why: 'largest signal per request and used for recent requests; APM aggregates (metrics-apm.*) keep the history',
  },
  metrics: {
    days: 90,
    rolloverMaxAge: '7d',
    customTemplates: ['metrics-prometheus.collector@custom'],
    // Small (one document per series per scrape) and the basis of SLO reports over 30-day windows,
    // month-over-month comparisons and capacity planning over a quarter.
    why: 'small, and needed for 30-day SLO windows, month-over-month comparison and quarterly capacity planning',
  },
};

export const ILM_POLICY_IDS: Readonly<Record<LifecycleSignal, string>> = {
  logs: `${OWNER_PREFIX}logs`,
  traces: `${OWNER_PREFIX}traces`,
  metrics: `${OWNER_PREFIX}metrics`,
};

const META = { managed_by: OWNER_TAG } as const;

/** Rollover at 50 GB per primary shard (Elastic's recommended shard size) or the signal's max age. */
export function ilmPolicy(signal: LifecycleSignal): IlmPolicyResource {
  const r = RETENTION[signal];
  const policy: estypes.IlmPolicy = {
    _meta: { ...META, description: `${signal} of sample-service: delete ${r.days} days after rollover (${r.why})` },
    phases: {
      hot: { actions: { rollover: { max_primary_shard_size: '50gb', max_age: r.rolloverMaxAge } } },
      delete: { min_age: `${r.days}d`, actions: { delete: {} } },
    },
  };
  return {
    kind: 'es.ilm_policy',
    id: ILM_POLICY_IDS[signal],
    title: `${signal} retention ${r.days} days (ILM)`,
    when: { flavours: ['stateful'] },
    body: { policy },
  };
}

/** The project's own mappings for this `@custom` template (elastic/mappings.ts), if any. */
function mappingsOf(name: string): { mappings?: estypes.MappingTypeMapping } {
  const mappings = CUSTOM_MAPPINGS[name];
  return mappings === undefined ? {} : { mappings };
}

export function customTemplateStateful(signal: LifecycleSignal, name: string): ComponentTemplateResource {
  const r = RETENTION[signal];
  const body: Omit<estypes.ClusterPutComponentTemplateRequest, 'name'> = {
    template: { settings: { index: { lifecycle: { name: ILM_POLICY_IDS[signal], prefer_ilm: true } } }, ...mappingsOf(name) },
    _meta: { ...META, description: `${signal} retention: ILM policy ${ILM_POLICY_IDS[signal]} (${r.days} days)` },
  };
  return { kind: 'es.component_template', id: name, title: `${name} -> ILM ${ILM_POLICY_IDS[signal]}`, when: { flavours: ['stateful'] }, body };
}

export function customTemplateServerless(signal: LifecycleSignal, name: string): ComponentTemplateResource {
  const r = RETENTION[signal];
  const body: Omit<estypes.ClusterPutComponentTemplateRequest, 'name'> = {
    template: { lifecycle: { data_retention: `${r.days}d` }, ...mappingsOf(name) },
    _meta: { ...META, description: `${signal} retention: data stream lifecycle, ${r.days} days` },
  };
  return { kind: 'es.component_template', id: name, title: `${name} -> retention ${r.days}d (DSL)`, when: { flavours: ['serverless'] }, body };
}

export function lifecycleResources(): Resource[] {
  const signals = Object.keys(RETENTION) as LifecycleSignal[];
  return [
    ...signals.map(ilmPolicy),
    ...signals.flatMap((s) => RETENTION[s].customTemplates.map((name) => customTemplateStateful(s, name))),
    ...signals.flatMap((s) => RETENTION[s].customTemplates.map((name) => customTemplateServerless(s, name))),
  ];
}
