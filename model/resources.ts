/**
 * The model of a definition: what the provisioning engine can apply. `elastic/`, `fleet/`, `kibana/`
 * and `alerts/` export plain values of these types (definitions never do I/O), and
 * `scripts/provision/` reads, diffs and applies them. This module sits below both layers: it imports
 * neither the definitions nor the engine.
 *
 * Every resource has a stable id starting with OWNER_PREFIX (kibana/telemetry-fields.ts) unless it
 * names a stack-owned extension point (for example the `<data stream>@custom` component templates).
 */
import type { estypes } from '@elastic/elasticsearch';

/** Elasticsearch build flavour, from `GET /` `version.build_flavor`. */
export type Flavour = 'stateful' | 'serverless';

/**
 * When a resource applies. Absent fields mean "always".
 * - `flavours`: only on these build flavours (e.g. ILM policies only on `stateful`).
 * - `licence`: `gold` needs a gold licence or better (connector types such as Slack, PagerDuty and
 *   webhook); `platinum` needs a platinum, enterprise or trial licence (SLOs, burn-rate rules);
 *   `basic-only` is the fallback applied only when a platinum-level licence is missing.
 * - `requiresEnv`: only when every one of these environment variables is set (optional connectors).
 */
export interface Applicability {
  readonly flavours?: readonly Flavour[];
  readonly licence?: 'gold' | 'platinum' | 'basic-only';
  readonly requiresEnv?: readonly string[];
}

/**
 * A secret value the engine reads from the environment at apply time. Definitions never hold
 * secrets; the engine never prints the resolved value (it prints `<from env NAME>`).
 */
export interface SecretFromEnv {
  readonly fromEnv: string;
}

/** What a secret becomes in a request: the real value when applying, a placeholder when printing. */
export type SecretResolver = (secret: SecretFromEnv) => string;

export function isSecret(v: unknown): v is SecretFromEnv {
  return (
    typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 1 && typeof (v as { fromEnv?: unknown }).fromEnv === 'string'
  );
}

/** Replaces every `{ fromEnv }` in a body by the resolver's value. */
export function resolveSecrets<T>(value: T, secret: SecretResolver): T {
  const walk = (v: unknown): unknown => {
    if (isSecret(v)) return secret(v);
    if (Array.isArray(v)) return v.map(walk);
    if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}

/** Every environment variable a body reads secrets from. */
export function secretEnvNames(value: unknown): string[] {
  const names: string[] = [];
  const walk = (v: unknown): void => {
    if (isSecret(v)) names.push(v.fromEnv);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (typeof v === 'object' && v !== null) Object.values(v).forEach(walk);
  };
  walk(value);
  return names;
}

interface ResourceBase<K extends string> {
  readonly kind: K;
  /** Stable id (or, for Elasticsearch objects, the name). */
  readonly id: string;
  /** Human title for plans and reports. */
  readonly title: string;
  readonly when?: Applicability;
  /**
   * Every Elasticsearch field this object queries or displays. The telemetry contract test checks
   * each one against what the service really emits.
   */
  readonly fields?: readonly string[];
}

export interface IlmPolicyResource extends ResourceBase<'es.ilm_policy'> {
  readonly body: { readonly policy: estypes.IlmPolicy };
}

export interface ComponentTemplateResource extends ResourceBase<'es.component_template'> {
  readonly body: Omit<estypes.ClusterPutComponentTemplateRequest, 'name'>;
}

export interface IngestPipelineResource extends ResourceBase<'es.ingest_pipeline'> {
  readonly body: Omit<estypes.IngestPutPipelineRequest, 'id'>;
}

/** Body of `POST /api/data_views/data_view` (the `data_view` object). */
export interface DataViewSpec {
  readonly id: string;
  readonly name: string;
  readonly title: string;
  readonly timeFieldName?: string;
  readonly fieldFormats?: Readonly<Record<string, { id: string; params?: Record<string, unknown> }>>;
  readonly runtimeFieldMap?: Readonly<Record<string, { type: string; script?: { source: string } }>>;
  readonly allowNoIndex?: boolean;
  readonly namespaces?: readonly string[];
}

export interface DataViewResource extends ResourceBase<'kibana.data_view'> {
  readonly body: { readonly data_view: DataViewSpec };
}

export interface SavedObjectReference {
  readonly type: string;
  readonly id: string;
  readonly name: string;
}

/** A saved object applied through `POST /api/saved_objects/_import?overwrite=true` (NDJSON). */
export interface SavedObjectResource extends ResourceBase<'kibana.saved_object'> {
  readonly type: 'search' | 'dashboard' | 'lens' | 'visualization' | 'tag';
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly references: readonly SavedObjectReference[];
  readonly coreMigrationVersion?: string;
  readonly typeMigrationVersion?: string;
}

/** Body of `POST /api/actions/connector/{id}`; secret values are SecretFromEnv. */
export interface ConnectorResource extends ResourceBase<'kibana.connector'> {
  readonly body: {
    readonly connector_type_id: string;
    readonly name: string;
    readonly config?: Readonly<Record<string, unknown>>;
    readonly secrets?: Readonly<Record<string, unknown>>;
  };
}

/** Body of `POST /api/observability/slos` (with `id`). */
export interface SloResource extends ResourceBase<'kibana.slo'> {
  readonly body: Readonly<Record<string, unknown>> & { readonly name: string };
}

export interface RuleAction {
  readonly id: string;
  readonly group: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly frequency?: {
    readonly summary: boolean;
    readonly notify_when: 'onActionGroupChange' | 'onActiveAlert' | 'onThrottleInterval';
    readonly throttle?: string | null;
  };
}

/** Body of `POST /api/alerting/rule/{id}`. */
export interface RuleResource extends ResourceBase<'kibana.rule'> {
  readonly body: {
    readonly name: string;
    readonly rule_type_id: string;
    readonly consumer: string;
    readonly schedule: { readonly interval: string };
    readonly params: Readonly<Record<string, unknown>>;
    readonly actions?: readonly RuleAction[];
    readonly tags?: readonly string[];
    readonly enabled?: boolean;
    readonly artifacts?: { readonly investigation_guide?: { readonly blob: string } };
  };
}

/**
 * Body of `POST /api/fleet/agent_policies` (with `id`). On ECK the agents' policy may instead be
 * preconfigured in kibana.yml; the engine then only manages the package policies.
 */
export interface AgentPolicyResource extends ResourceBase<'fleet.agent_policy'> {
  readonly body: Readonly<Record<string, unknown>> & { readonly name: string; readonly namespace: string };
}

/**
 * Body of `POST /api/fleet/package_policies` (simplified format: `inputs` keyed by
 * `<policy_template>-<input type>`, streams keyed by dataset), with `id`. `package.version` is left
 * out: the engine installs the package and fills in the installed version.
 */
export interface PackagePolicyResource extends ResourceBase<'fleet.package_policy'> {
  readonly body: Readonly<Record<string, unknown>> & {
    readonly name: string;
    readonly namespace: string;
    readonly policy_ids: readonly string[];
    readonly package: { readonly name: string };
    readonly force?: boolean;
  };
}

export type Resource =
  | AgentPolicyResource
  | PackagePolicyResource
  | IlmPolicyResource
  | ComponentTemplateResource
  | IngestPipelineResource
  | DataViewResource
  | SavedObjectResource
  | ConnectorResource
  | SloResource
  | RuleResource;

export type ResourceKind = Resource['kind'];

/**
 * Apply order: lifecycle and templates before the data views that use them, data views before
 * saved objects and rules, connectors before rules, SLOs before their burn-rate rules.
 */
export const KIND_ORDER: readonly ResourceKind[] = [
  'es.ilm_policy',
  'es.ingest_pipeline',
  'es.component_template',
  'fleet.agent_policy',
  'fleet.package_policy',
  'kibana.data_view',
  'kibana.saved_object',
  'kibana.connector',
  'kibana.slo',
  'kibana.rule',
];
