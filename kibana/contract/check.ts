/**
 * The telemetry contract: every field a resource uses (declared in its `fields`, or found in its
 * body: Lens columns and KQL of dashboard panels, saved search queries, SLO indicator params, rule
 * params) must be one the service emits on the signal the resource reads; and every field found in
 * a body must be declared, so `fields` cannot drift from the body.
 */
import type { Resource } from '../../model/resources.js';
import { DATA_VIEW_IDS, INDEX_PATTERNS } from '../telemetry-fields.js';
import type { EmittedFields, SignalKind } from './emitted.js';
import { kqlComparisons, queryDslComparisons } from './kql.js';

/**
 * How a field is used, which decides the types it may have (kibana/contract/field-types-check.ts):
 * an aggregation (`terms`, `group` for SLO/APM group-by, metric operations), the time field,
 * a filter or query (`query`), or only shown (`column`).
 */
export type UseKind =
  | 'terms'
  | 'group'
  | 'percentile'
  | 'sum'
  | 'avg'
  | 'min'
  | 'max'
  | 'last_value'
  | 'unique_count'
  | 'value_count'
  | 'range'
  | 'time'
  | 'sort'
  | 'query'
  | 'column';

export interface FieldUse {
  readonly field: string;
  /** Where in the resource, e.g. `panel "Request rate by route"`. */
  readonly where: string;
  /** The signal the field is read from, when the resource says (data view or index). */
  readonly signal?: SignalKind;
  readonly use: UseKind;
  /** For `query` uses `field : value` and term queries: the value compared with. */
  readonly value?: string;
  /**
   * The datasets the use reads, when its query names them (`data_stream.dataset : ...` of the
   * panel, of the column's own filter, or of the rule's or SLO's query).
   */
  readonly datasets?: readonly string[];
}

type Use = Pick<FieldUse, 'field' | 'use' | 'value' | 'datasets'>;

/** The `data_stream.dataset` values a KQL query compares with (empty: it names none). */
export function datasetsOf(kql: string): string[] {
  return [...new Set(kqlComparisons(kql).flatMap((c) => (c.field === 'data_stream.dataset' && c.value !== undefined ? [c.value] : [])))];
}

function withDatasets(use: Use, datasets: readonly string[]): Use {
  return datasets.length > 0 && use.use !== 'query' ? { ...use, datasets } : use;
}

/** Lens operation types (form-based datasource) and the use each makes of its field. */
const LENS_OPERATIONS: Readonly<Record<string, UseKind>> = {
  date_histogram: 'time',
  terms: 'terms',
  range: 'range',
  percentile: 'percentile',
  percentile_rank: 'percentile',
  median: 'percentile',
  sum: 'sum',
  average: 'avg',
  min: 'min',
  max: 'max',
  last_value: 'last_value',
  unique_count: 'unique_count',
  count: 'value_count',
  standard_deviation: 'avg',
};

/** Aggregations named in SLO indicators (`aggregation`) and rule criteria (`aggType`). */
const PARAM_AGGREGATIONS: Readonly<Record<string, UseKind>> = {
  sum: 'sum',
  avg: 'avg',
  min: 'min',
  max: 'max',
  last_value: 'last_value',
  cardinality: 'unique_count',
  value_count: 'value_count',
  range: 'range',
  p95: 'percentile',
  p99: 'percentile',
  doc_count: 'value_count',
  count: 'value_count',
};

export interface Violation {
  readonly resource: string;
  readonly where: string;
  readonly field: string;
  readonly problem: string;
}

type Json = Record<string, unknown>;

const DATA_VIEW_SIGNALS: Readonly<Record<string, SignalKind>> = {
  [DATA_VIEW_IDS.logs]: 'logs',
  [DATA_VIEW_IDS.metrics]: 'metrics',
  [DATA_VIEW_IDS.traces]: 'apm',
  [DATA_VIEW_IDS.kubernetes]: 'kubernetes',
};

/** The signal behind a data view id or an index pattern, if it is one of ours. */
export function signalOf(dataViewOrIndex: unknown): SignalKind | undefined {
  const values = Array.isArray(dataViewOrIndex) ? dataViewOrIndex : [dataViewOrIndex];
  const kinds = new Set<SignalKind>();
  for (const v of values) {
    if (typeof v !== 'string') continue;
    const byView = DATA_VIEW_SIGNALS[v];
    if (byView !== undefined) {
      kinds.add(byView);
      continue;
    }
    for (const pattern of v.split(',')) {
      const p = pattern.trim();
      if (p === INDEX_PATTERNS.logs || p.startsWith('logs-kubernetes.container_logs')) kinds.add('logs');
      else if (p === INDEX_PATTERNS.metrics || p.startsWith('metrics-prometheus')) kinds.add('metrics');
      else if (p.startsWith('metrics-kubernetes')) kinds.add('kubernetes');
      else if (p.startsWith('traces-apm') || p.startsWith('metrics-apm') || p.startsWith('logs-apm')) kinds.add('apm');
    }
  }
  return kinds.size === 1 ? [...kinds][0] : undefined;
}

function isObject(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function parseJson(text: unknown): unknown {
  if (typeof text !== 'string') return text;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** KQL found in `{ language: 'kuery', query }` objects anywhere below `node`. */
function kqlIn(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) {
    for (const n of node) kqlIn(n, out);
  } else if (isObject(node)) {
    if (node.language === 'kuery' && typeof node.query === 'string') out.push(node.query);
    for (const v of Object.values(node)) kqlIn(v, out);
  }
  return out;
}

function queryUses(kql: string): Use[] {
  return kqlComparisons(kql).map((c) => ({ field: c.field, use: 'query', ...(c.value !== undefined ? { value: c.value } : {}) }));
}

function dslUses(dsl: unknown): Use[] {
  return queryDslComparisons(dsl).map((c) => ({ field: c.field, use: 'query', ...(c.value !== undefined ? { value: c.value } : {}) }));
}

/** Filters (`filters[]` of Lens state or search source): match_phrase/range/exists keys and meta.key. */
function filterUses(filters: unknown): Use[] {
  if (!Array.isArray(filters)) return [];
  const out: Use[] = [];
  for (const f of filters) {
    if (!isObject(f)) continue;
    const meta = f.meta;
    if (isObject(meta) && typeof meta.key === 'string') out.push({ field: meta.key, use: 'query' });
    out.push(...dslUses(f.query ?? {}));
  }
  return out;
}

function lensUses(attributes: Json): Use[] {
  const out: Use[] = [];
  const state = isObject(attributes.state) ? attributes.state : {};
  const ds = isObject(state.datasourceStates) ? state.datasourceStates : {};
  const query = isObject(state.query) && typeof state.query.query === 'string' ? state.query.query : '';
  const panelDatasets = datasetsOf(query);
  for (const key of ['formBased', 'indexpattern']) {
    const layers = isObject(ds[key]) && isObject((ds[key] as Json).layers) ? ((ds[key] as Json).layers as Json) : {};
    for (const layer of Object.values(layers)) {
      const columns = isObject(layer) && isObject(layer.columns) ? layer.columns : {};
      for (const col of Object.values(columns)) {
        if (!isObject(col)) continue;
        const filter = isObject(col.filter) && typeof col.filter.query === 'string' ? datasetsOf(col.filter.query) : [];
        const datasets = filter.length > 0 ? filter : panelDatasets;
        if (typeof col.sourceField === 'string' && col.sourceField !== '___records___') {
          out.push(withDatasets({ field: col.sourceField, use: LENS_OPERATIONS[String(col.operationType)] ?? 'column' }, datasets));
        }
        const params = isObject(col.params) ? col.params : {};
        if (typeof params.sortField === 'string') out.push({ field: params.sortField, use: 'sort' });
      }
    }
  }
  for (const q of kqlIn(state)) out.push(...queryUses(q));
  out.push(...filterUses(state.filters));
  return out;
}

function dashboardUses(resource: Extract<Resource, { kind: 'kibana.saved_object' }>): FieldUse[] {
  const panels = parseJson(resource.attributes.panelsJSON);
  if (!Array.isArray(panels)) return [];
  const uses: FieldUse[] = [];
  for (const panel of panels) {
    if (!isObject(panel)) continue;
    const config = isObject(panel.embeddableConfig) ? panel.embeddableConfig : {};
    const title = typeof config.title === 'string' ? config.title : typeof panel.title === 'string' ? panel.title : String(panel.panelIndex);
    const where = `panel "${title}"`;
    const attributes = isObject(config.attributes) ? config.attributes : undefined;
    if (attributes === undefined) continue;
    const refs = Array.isArray(attributes.references) ? attributes.references : [];
    const views = refs.filter((r): r is Json => isObject(r) && r.type === 'index-pattern').map((r) => r.id);
    const signal = signalOf(views);
    for (const u of lensUses(attributes)) uses.push({ ...u, where, ...(signal !== undefined ? { signal } : {}) });
  }
  return uses;
}

function searchUses(resource: Extract<Resource, { kind: 'kibana.saved_object' }>): FieldUse[] {
  const meta = isObject(resource.attributes.kibanaSavedObjectMeta) ? resource.attributes.kibanaSavedObjectMeta : {};
  const source = parseJson(meta.searchSourceJSON);
  const view = resource.references.find((r) => r.type === 'index-pattern')?.id;
  const signal = signalOf(view);
  const queries: Use[] = [...kqlIn(source).flatMap(queryUses), ...(isObject(source) ? filterUses(source.filter) : [])];
  const columns = Array.isArray(resource.attributes.columns) ? resource.attributes.columns.filter((c): c is string => typeof c === 'string') : [];
  const sort = Array.isArray(resource.attributes.sort) ? resource.attributes.sort.flatMap((s) => (Array.isArray(s) && typeof s[0] === 'string' ? [s[0]] : [])) : [];
  const uses: Use[] = [...queries, ...columns.map((field): Use => ({ field, use: 'column' })), ...sort.map((field): Use => ({ field, use: 'sort' }))];
  return uses.map((u) => ({ ...u, where: 'saved search', ...(signal !== undefined ? { signal } : {}) }));
}

/**
 * KQL strings (or `{ kqlQuery }`) and `field`s in SLO indicator params and rule params. A `field`
 * is used by the aggregation named beside it (`aggregation` in SLO indicators, `aggType` in rule
 * criteria); `groupBy` of an SLO or an APM rule is a `group`, of a custom threshold rule `terms`.
 */
function paramUses(
  params: unknown,
  where: string,
  signal: SignalKind | undefined,
  groupUse: UseKind = 'terms',
  datasets: readonly string[] = [],
): FieldUse[] {
  const out: Use[] = [];
  const walk = (node: unknown, key: string, parent: Json): void => {
    if (Array.isArray(node)) {
      if (key === 'groupBy') for (const v of node) if (typeof v === 'string') out.push({ field: v, use: groupUse });
      if (key === 'fields') for (const v of node) if (typeof v === 'string') out.push({ field: v, use: 'column' });
      for (const v of node) walk(v, '', parent);
      return;
    }
    if (isObject(node)) {
      if (node.language === 'kuery' && typeof node.query === 'string') {
        out.push(...queryUses(node.query));
        return;
      }
      for (const [k, v] of Object.entries(node)) walk(v, k, node);
      return;
    }
    if (typeof node !== 'string' || node === '' || node === '*') return;
    if (key === 'field') {
      const aggregation = parent.aggregation ?? parent.aggType;
      out.push({ field: node, use: PARAM_AGGREGATIONS[String(aggregation)] ?? 'column' });
    } else if (key === 'timestampField' || key === 'timeField') out.push({ field: node, use: 'time' });
    else if (key === 'termField') out.push({ field: node, use: 'terms' });
    else if (key === 'aggField') out.push({ field: node, use: PARAM_AGGREGATIONS[String(parent.aggType)] ?? 'column' });
    else if (key === 'groupBy' && node !== 'all' && node !== 'top') out.push({ field: node, use: groupUse });
    else if (['filter', 'good', 'total', 'kqlQuery', 'kuery', 'filterQueryText', 'filterQuery'].includes(key)) {
      const parsed = key === 'filterQuery' ? parseJson(node) : undefined;
      out.push(...(isObject(parsed) ? dslUses(parsed) : queryUses(node)));
    } else if (key === 'esQuery') out.push(...dslUses(parseJson(node)));
  };
  walk(params, '', {});
  return out.map((u) => ({ ...withDatasets(u, datasets), where, ...(signal !== undefined ? { signal } : {}) }));
}

/** Every field the resource's body uses. ES|QL queries are not parsed (none of ours uses ES|QL). */
export function fieldUses(resource: Resource): FieldUse[] {
  switch (resource.kind) {
    case 'kibana.saved_object':
      if (resource.type === 'dashboard') return dashboardUses(resource);
      if (resource.type === 'search') return searchUses(resource);
      return [];
    case 'kibana.slo': {
      const indicator = isObject(resource.body.indicator) ? resource.body.indicator : {};
      const params = isObject(indicator.params) ? indicator.params : {};
      const signal = signalOf(params.index ?? params.dataViewId);
      const datasets = typeof params.filter === 'string' ? datasetsOf(params.filter) : [];
      return [
        ...paramUses(params, `SLO indicator ${String(indicator.type)}`, signal, 'terms', datasets),
        ...paramUses({ groupBy: resource.body.groupBy }, 'SLO groupBy', signal, 'group', datasets),
      ];
    }
    case 'kibana.rule': {
      const params = resource.body.params;
      const search = isObject(params.searchConfiguration) ? params.searchConfiguration : {};
      // APM rules name no index: they read the APM data streams.
      const apm = resource.body.rule_type_id.startsWith('apm.');
      const signal = apm ? 'apm' : signalOf(search.index ?? params.index);
      const query = isObject(search.query) && typeof search.query.query === 'string' ? search.query.query : '';
      return paramUses(params, `rule ${resource.body.rule_type_id} params`, signal, apm ? 'group' : 'terms', datasetsOf(query));
    }
    default:
      return [];
  }
}

export function label(resource: Resource): string {
  return `${resource.kind}${resource.kind === 'kibana.saved_object' ? `/${resource.type}` : ''} ${resource.id} ("${resource.title}")`;
}

/** Fields (declared or used) that the service does not emit on the signal they are read from. */
export function unemittedFields(resources: readonly Resource[], emitted: EmittedFields): Violation[] {
  const union = new Set(Object.values(emitted).flatMap((s) => [...s.keys()]));
  const violations: Violation[] = [];
  for (const resource of resources) {
    const uses: FieldUse[] = [...fieldUses(resource), ...(resource.fields ?? []).map((field): FieldUse => ({ field, where: 'declared fields', use: 'column' }))];
    const seen = new Set<string>();
    for (const use of uses) {
      if (use.field.includes('*')) continue;
      const key = `${use.where}\u0000${use.field}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const ok = use.signal !== undefined ? emitted[use.signal].has(use.field) : union.has(use.field);
      if (!ok) {
        violations.push({
          resource: label(resource),
          where: use.where,
          field: use.field,
          problem: use.signal !== undefined ? `not emitted on ${use.signal}` : 'not emitted on any signal',
        });
      }
    }
  }
  return violations;
}

const SCANNED = new Set<Resource['kind']>(['kibana.saved_object', 'kibana.slo', 'kibana.rule']);

/** Fields used in a resource's body that its `fields` declaration leaves out. */
export function undeclaredFields(resources: readonly Resource[]): Violation[] {
  const violations: Violation[] = [];
  for (const resource of resources) {
    if (!SCANNED.has(resource.kind)) continue;
    const declared = new Set(resource.fields ?? []);
    const seen = new Set<string>();
    for (const use of fieldUses(resource)) {
      if (declared.has(use.field) || seen.has(use.field) || use.field.includes('*')) continue;
      seen.add(use.field);
      violations.push({ resource: label(resource), where: use.where, field: use.field, problem: 'used in the body but missing from `fields`' });
    }
  }
  return violations;
}

export function formatViolations(violations: readonly Violation[]): string {
  return violations.map((v) => `- ${v.resource}, ${v.where}: ${v.field} (${v.problem})`).join('\n');
}
