/**
 * Which privilege each API the engine calls needs, so a 403 can name it. Kibana feature names are
 * those shown in Stack Management > Roles (feature ids in parentheses, as used in API key role
 * descriptors under `applications: [{ application: "kibana-.kibana", privileges: ["feature_<id>.all"] }]`).
 */
import { INDEX_PATTERNS } from '../../kibana/telemetry-fields.js';
import type { DataViewResource, Flavour, Resource, RuleResource, SavedObjectResource } from '../../model/resources.js';

const ES_PRIVILEGES: ReadonlyArray<readonly [RegExp, string]> = [
  [/^\/_ilm\//, 'cluster privilege "manage_ilm"'],
  [/^\/_component_template/, 'cluster privilege "manage_index_templates"'],
  [/^\/_index_template/, 'cluster privilege "manage_index_templates"'],
  [/^\/_data_stream/, 'index privilege "view_index_metadata" on the data streams'],
  [/^\/[^_/][^/]*\/_mapping/, 'index privileges "view_index_metadata" and "manage" on the data stream (a mapping update is indices:admin/mapping/put)'],
  [/^\/_ingest\/pipeline/, 'cluster privilege "manage_pipeline"'],
  [/^\/_license/, 'cluster privilege "monitor"'],
  [/^\/$/, 'cluster privilege "monitor"'],
  [/\/(_search|_field_caps)$/, 'index privilege "read" on the searched pattern (make verify and make drill: logs-*, metrics-*, traces-*, .alerts-*)'],
];

const KIBANA_PRIVILEGES: ReadonlyArray<readonly [RegExp, string]> = [
  [/^\/api\/data_views/, 'Kibana feature "Data View Management: All" (feature_indexPatterns.all)'],
  [
    /^\/api\/saved_objects/,
    'Kibana features "Saved Objects Management: All" (feature_savedObjectsManagement.all) and the object type\'s app: "Discover: All" (feature_discover_v2.all), "Dashboard: All" (feature_dashboard_v2.all), "Visualize Library: All" (feature_visualize_v2.all)',
  ],
  [/^\/api\/actions/, 'Kibana feature "Actions and Connectors: All" (feature_actions.all)'],
  [
    /^\/api\/observability\/slos/,
    'Kibana feature "SLOs: All" (feature_slo.all), and, as Kibana creates the SLO\'s transforms and pipelines with the caller\'s credentials, cluster privileges "manage_transform" and "manage_pipeline" with read on the source indices (npm run provision-kibana -- --print-role)',
  ],
  [
    /^\/api\/alerting/,
    'Kibana "All" on the rule\'s consumer feature, e.g. "Stack Rules" (feature_stackAlerts.all), "Logs" (feature_logs.all), "Infrastructure" (feature_infrastructure.all), "APM" (feature_apm.all) or "SLOs" (feature_slo.all)',
  ],
  [/^\/api\/fleet\/epm/, 'Kibana feature "Integrations: All" (feature_fleet.all)'],
  [/^\/api\/fleet/, 'Kibana features "Fleet: All" (feature_fleetv2.all) and "Integrations: All" (feature_fleet.all)'],
  [/^\/api\/status/, 'any Kibana privilege (the user or API key has no access to Kibana at all)'],
];

function lookup(table: ReadonlyArray<readonly [RegExp, string]>, path: string, fallback: string): string {
  const p = path.replace(/^\/s\/[^/]+/, '').split('?')[0] ?? path;
  return table.find(([re]) => re.test(p))?.[1] ?? fallback;
}

export function elasticsearchPrivilegeFor(path: string): string {
  return lookup(ES_PRIVILEGES, path, 'an Elasticsearch privilege for this API');
}

export function kibanaPrivilegeFor(path: string): string {
  return lookup(KIBANA_PRIVILEGES, path, 'a Kibana privilege for this API');
}

// ---------------------------------------------------------------- the provisioner's role, derived

/**
 * The role an API key for provisioning needs, derived from the definitions: what the engine calls,
 * and what runs later with the same key. Kibana creates an SLO's transforms and ingest pipelines
 * with the caller's credentials (`asSecondaryAuthUser` in the SLO plugin's transform_manager.ts and
 * create_slo.ts) and writes its temporary summary document as the caller; a rule created with an
 * API key runs its queries and actions with that key (alerting create_rule.ts). So the key needs
 * read access to every index a rule or SLO reads, write access to what a connector writes, and
 * `manage_transform`.
 */
export interface IndexAccess {
  readonly pattern: string;
  readonly privileges: readonly string[];
  /** Which definition needs it, and for what. */
  readonly by: string;
}

export interface RoleDescriptor {
  readonly cluster: string[];
  readonly indices: Array<{ names: string[]; privileges: string[] }>;
  readonly applications: Array<{ application: string; privileges: string[]; resources: string[] }>;
  readonly metadata: { readonly why: Record<string, string[]> };
}

const READ = ['read', 'view_index_metadata'] as const;
/** The SLO plugin's own indices (`.slo-observability.sli-v3*`, `.slo-observability.summary-v3*`, the temp summary index). */
export const SLO_INDICES = '.slo-observability.*';
const SLO_INDEX_PRIVILEGES = ['read', 'view_index_metadata', 'write', 'create_index'] as const;
/**
 * Listing a template's data streams and reading and updating their write index's mapping. On a
 * stateful cluster the update is the one action `indices:admin/mapping/put`, named as an action
 * pattern (an index privilege may be a named privilege or a pattern over index actions:
 * `IndexPrivilege.resolve`), rather than `manage`, which would also let the key delete and close
 * those indices. Serverless documents only the named index privileges for roles, so there it is `manage`.
 */
const DATA_STREAM_MAPPING_PRIVILEGES: Readonly<Record<Flavour, readonly string[]>> = {
  stateful: ['view_index_metadata', 'indices:admin/mapping/put'],
  serverless: ['view_index_metadata', 'manage'],
};
/** The `.index` connector writes with `bulk` and `op_type: create` into an index it may have to create. */
const CONNECTOR_INDEX_PRIVILEGES = ['create_doc', 'create_index'] as const;

/**
 * Kibana's default APM indices (`indicesSchema` in the apm_sources_access plugin); APM rules read
 * these unless the APM settings override them.
 */
export const APM_DEFAULT_INDICES = {
  transaction: 'traces-apm*,apm-*,traces-*.otel-*',
  error: 'logs-apm*,apm-*,logs-*.otel-*',
  metric: 'metrics-apm*,apm-*,metrics-*.otel-*',
} as const;

/** Which APM indices each APM rule type queries (transaction metrics or raw transactions; errors). */
const APM_RULE_INDICES: Readonly<Record<string, ReadonlyArray<keyof typeof APM_DEFAULT_INDICES>>> = {
  'apm.transaction_duration': ['transaction', 'metric'],
  'apm.transaction_error_rate': ['transaction', 'metric'],
  'apm.error_rate': ['error'],
};

/** The Kibana feature that grants "All" on a rule's consumer. */
const CONSUMER_FEATURE: Readonly<Record<string, string>> = {
  stackAlerts: 'stackAlerts',
  logs: 'logs',
  infrastructure: 'infrastructure',
  apm: 'apm',
  slo: 'slo',
};

const SAVED_OBJECT_FEATURE: Readonly<Record<SavedObjectResource['type'], string>> = {
  search: 'discover_v2',
  dashboard: 'dashboard_v2',
  lens: 'visualize_v2',
  visualization: 'visualize_v2',
  tag: 'savedObjectsTagging',
};

const split = (patterns: string): string[] =>
  patterns
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);

function dataViewTitle(ref: unknown, dataViews: ReadonlyMap<string, string>, owner: string): string[] {
  if (typeof ref === 'string') {
    const title = dataViews.get(ref);
    if (title === undefined) throw new Error(`${owner} references data view ${ref}, which no definition creates`);
    return split(title);
  }
  if (typeof ref === 'object' && ref !== null && typeof (ref as { title?: unknown }).title === 'string') return split((ref as { title: string }).title);
  throw new Error(`${owner}: cannot tell which indices its data view reference reads`);
}

/** The indices a rule queries when it runs (with the API key that created it). */
function ruleIndices(r: RuleResource, dataViews: ReadonlyMap<string, string>): string[] {
  const p = r.body.params as Record<string, unknown>;
  const type = r.body.rule_type_id;
  if (type === 'slo.rules.burnRate') return ['.slo-observability.sli-v3*'];
  if (type === 'observability.rules.custom_threshold') return dataViewTitle((p.searchConfiguration as { index?: unknown } | undefined)?.index, dataViews, r.id);
  if (type === '.es-query') {
    if (p.searchType === 'searchSource') return dataViewTitle((p.searchConfiguration as { index?: unknown } | undefined)?.index, dataViews, r.id);
    const index = p.index;
    if (Array.isArray(index)) return index.flatMap((i) => split(String(i)));
    if (typeof index === 'string') return split(index);
    throw new Error(`${r.id}: .es-query rule without index`);
  }
  const apm = APM_RULE_INDICES[type];
  if (apm !== undefined) return apm.flatMap((k) => split(APM_DEFAULT_INDICES[k]));
  throw new Error(`${r.id}: rule type ${type} is not modelled in the provisioner role (scripts/provision/privileges.ts): add the indices it reads`);
}

/** Every index access the definitions need, with the definition that needs it. */
export function indexAccess(resources: readonly Resource[], flavour: Flavour = 'stateful'): IndexAccess[] {
  const dataViews = new Map(resources.filter((r): r is DataViewResource => r.kind === 'kibana.data_view').map((r) => [r.id, r.body.data_view.title]));
  const out: IndexAccess[] = [];
  for (const r of resources) {
    if (r.kind === 'kibana.slo') {
      const index = ((r.body.indicator as { params?: { index?: unknown } } | undefined)?.params?.index ?? '') as string;
      for (const pattern of split(index)) out.push({ pattern, privileges: READ, by: `SLO ${r.id} (source of its transform)` });
      out.push({ pattern: SLO_INDICES, privileges: SLO_INDEX_PRIVILEGES, by: `SLO ${r.id} (transform destinations, summary documents)` });
    } else if (r.kind === 'kibana.rule') {
      for (const pattern of ruleIndices(r, dataViews)) out.push({ pattern, privileges: READ, by: `rule ${r.id} (${r.body.rule_type_id})` });
    } else if (r.kind === 'kibana.connector' && r.body.connector_type_id === '.index') {
      const index = String((r.body.config as { index?: unknown } | undefined)?.index ?? '');
      out.push({ pattern: index, privileges: CONNECTOR_INDEX_PRIVILEGES, by: `connector ${r.id} (writes one document per alert)` });
    } else if (r.kind === 'es.component_template' && r.body.template?.mappings !== undefined && r.id.endsWith('@custom')) {
      // Existing data streams get the template's mappings at once (kinds/data-streams.ts): reading
      // them needs view_index_metadata, a mapping update `indices:admin/mapping/put` (IndexPrivilege:
      // `write` grants only the automatic mapping update of indexing).
      out.push({ pattern: `${r.id.slice(0, -'@custom'.length)}-*`, privileges: DATA_STREAM_MAPPING_PRIVILEGES[flavour], by: `component template ${r.id} (its mappings, applied to existing data streams)` });
    } else if (r.kind === 'kibana.data_view') {
      for (const pattern of split(r.body.data_view.title)) out.push({ pattern, privileges: READ, by: `data view ${r.id} (field list on update)` });
    }
  }
  return out;
}

/**
 * What the live checks read with the same key: `make verify` searches and runs `_field_caps` on every
 * data stream the project collects, and `make drill` searches the alert records (`.alerts-*`, hidden
 * indices of Kibana's alerts-as-data; the public Kibana API has no alert search).
 */
export function liveCheckAccess(): IndexAccess[] {
  return [
    ...Object.values(INDEX_PATTERNS).map((pattern) => ({ pattern, privileges: READ, by: 'make verify (first and latest document, _field_caps)' })),
    { pattern: '.alerts-*', privileges: READ, by: 'make drill (alert records)' },
  ];
}

/** Cluster privileges, each with why. */
function clusterPrivileges(resources: readonly Resource[], flavour: Flavour): Map<string, string[]> {
  const why = new Map<string, string[]>();
  const add = (privilege: string, reason: string): void => void why.set(privilege, [...(why.get(privilege) ?? []), reason]);
  add('monitor', 'GET / and GET _license (flavour, version, licence)');
  const kinds = new Set(resources.map((r) => r.kind));
  if (kinds.has('es.ilm_policy') && flavour === 'stateful') add('manage_ilm', 'ILM policies');
  if (kinds.has('es.component_template')) add('manage_index_templates', '@custom component templates');
  if (kinds.has('es.ingest_pipeline')) add('manage_pipeline', 'ingest pipelines');
  if (kinds.has('kibana.slo')) {
    add('manage_transform', "SLO transforms (created with the caller's credentials)");
    add('manage_pipeline', "SLO ingest pipelines (created with the caller's credentials)");
  }
  return why;
}

/** Kibana feature privileges (`feature_<id>.all`), each with why. */
function kibanaFeatures(resources: readonly Resource[]): Map<string, string[]> {
  const why = new Map<string, string[]>();
  const add = (feature: string, reason: string): void => void why.set(`feature_${feature}.all`, [...new Set([...(why.get(`feature_${feature}.all`) ?? []), reason])]);
  for (const r of resources) {
    switch (r.kind) {
      case 'kibana.data_view':
        add('indexPatterns', 'data views');
        break;
      case 'kibana.saved_object':
        add('savedObjectsManagement', 'saved objects import and export');
        add(SAVED_OBJECT_FEATURE[r.type], `${r.type} saved objects`);
        break;
      case 'kibana.connector':
        add('actions', 'connectors');
        break;
      case 'kibana.slo':
        add('slo', 'SLOs');
        break;
      case 'kibana.rule': {
        const feature = CONSUMER_FEATURE[r.body.consumer];
        if (feature === undefined) throw new Error(`${r.id}: rule consumer ${r.body.consumer} has no feature in the provisioner role (scripts/provision/privileges.ts)`);
        add(feature, `rules with consumer ${r.body.consumer}`);
        break;
      }
      case 'fleet.agent_policy':
      case 'fleet.package_policy':
        add('fleet', 'integration packages and package policies');
        add('fleetv2', 'agent and package policies');
        break;
      default:
        break;
    }
  }
  return why;
}

/**
 * The role descriptor for `POST /_security/api_key` (`role_descriptors`), for the definitions that
 * apply on one target. Index privileges with the same privilege set are grouped; `metadata.why`
 * says which definition needs each entry.
 */
export function provisionerRole(resources: readonly Resource[], target: { flavour: Flavour; space: string | undefined }): RoleDescriptor {
  const why: Record<string, string[]> = {};
  const cluster = clusterPrivileges(resources, target.flavour);
  for (const [p, reasons] of cluster) why[`cluster:${p}`] = reasons;
  const byPrivileges = new Map<string, Set<string>>();
  for (const a of [...indexAccess(resources, target.flavour), ...liveCheckAccess()]) {
    const key = [...a.privileges].sort().join(',');
    byPrivileges.set(key, new Set([...(byPrivileges.get(key) ?? []), a.pattern]));
    why[`index:${a.pattern}`] = [...new Set([...(why[`index:${a.pattern}`] ?? []), a.by])];
  }
  const features = kibanaFeatures(resources);
  for (const [p, reasons] of features) why[`kibana:${p}`] = reasons;
  return {
    cluster: [...cluster.keys()].sort(),
    indices: [...byPrivileges].map(([privileges, names]) => ({ names: [...names].sort(), privileges: privileges.split(',') })),
    applications: [{ application: 'kibana-.kibana', privileges: [...features.keys()].sort(), resources: [`space:${target.space ?? 'default'}`] }],
    metadata: { why },
  };
}
