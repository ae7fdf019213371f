/**
 * Is each use of a field legal for its Elasticsearch type, in the data stream it is read from?
 * The rules are Elasticsearch's and Kibana's:
 * - terms (Lens top values, rule group-by), sort, last value, unique count: aggregatable fields only
 *   (text has no doc values: "Fielddata is disabled on text fields"), never a histogram;
 * - SLO and APM group-by: keyword-like fields (SLO transforms group by `terms` on keywords);
 * - percentile and range: numbers or histograms; sum and average: numbers or histograms;
 * - a time series counter (cumulative) only takes min and max: Lens offers nothing else on it
 *   (`isTimeSeriesCompatible` in its metric operations; terms, percentile, unique and value count
 *   all exclude `timeSeriesMetric === 'counter'`);
 * - min and max: numbers, dates or histograms; the time field: a date;
 * - a query, filter or column: the field must exist in that data stream; a query that compares a
 *   field every document has with one value (`data_stream.dataset`, `event.dataset` after the
 *   reroute) must compare it with that value, or it matches nothing.
 * The table is kibana/field-types.ts. The provisioning test double runs the same check on what it
 * receives, so a definition the stack would reject is rejected in tests too.
 */
import type { Resource } from '../../model/resources.js';
import { FAMILY, FIELD_TYPES, fieldType, globMatches, isAggregatable, type FieldType, type TypeFamily } from '../field-types.js';
import { fieldUses, label, signalOf, type FieldUse, type UseKind, type Violation } from './check.js';
import type { SignalKind } from './emitted.js';

const NUMERIC_OR_HISTOGRAM: readonly TypeFamily[] = ['number', 'histogram'];

/** Why `use` is illegal on a field of type `t`, or undefined when it is legal. */
/** Uses a time series counter admits (Lens: min and max only; queries and display need no aggregation). */
const COUNTER_USES = new Set<UseKind>(['min', 'max', 'query', 'column']);

export function illegalUse(use: UseKind, t: FieldType): string | undefined {
  const family = FAMILY[t.type];
  if (t.metric === 'counter' && !COUNTER_USES.has(use)) {
    return `${use} of a time series counter is not offered (cumulative; only min and max are): use its rate or max - min`;
  }
  const need = (families: readonly TypeFamily[], what: string): string | undefined =>
    families.includes(family) ? undefined : `${what} needs ${families.join(' or ')}, the field is ${t.type}`;
  switch (use) {
    case 'terms':
    case 'sort':
    case 'last_value':
    case 'unique_count':
      if (!isAggregatable(t.type)) return `${use} needs an aggregatable field, ${t.type} is not aggregatable`;
      return family === 'histogram' ? `${use} cannot run on a histogram field` : undefined;
    case 'group':
      return need(['keyword'], 'group-by');
    case 'percentile':
    case 'range':
      return need(NUMERIC_OR_HISTOGRAM, use);
    case 'sum':
    case 'avg':
      return need(NUMERIC_OR_HISTOGRAM, use);
    case 'min':
    case 'max':
      return need(['number', 'date', 'histogram'], use);
    case 'value_count':
      return isAggregatable(t.type) ? undefined : `value_count needs an aggregatable field, ${t.type} is not aggregatable`;
    case 'time':
      return need(['date'], 'the time field');
    case 'query':
    case 'column':
      return undefined;
  }
}

function wrongValue(use: FieldUse, t: FieldType): string | undefined {
  if (use.use !== 'query' || use.value === undefined) return undefined;
  const compared = use.value;
  if (t.value !== undefined && !globMatches(compared, t.value)) {
    return `every document has ${t.field} = "${t.value}", so "${compared}" matches nothing (${t.source})`;
  }
  if (t.values !== undefined && !t.values.some((v) => globMatches(compared, v))) {
    return `${t.field} is one of ${t.values.join(', ')}, so "${compared}" matches nothing (${t.source})`;
  }
  return undefined;
}

/** The problems of one use, checked against the table of the signal it reads. */
export function useProblem(use: FieldUse): string | undefined {
  if (use.signal === undefined || use.field.includes('*')) return undefined;
  const t = fieldType(use.signal, use.field);
  if (t === undefined) return `not a field of ${FIELD_TYPES[use.signal].patterns.join(', ')} (kibana/field-types.ts has no type for it)`;
  return illegalUse(use.use, t) ?? wrongValue(use, t) ?? wrongDataset(use, t);
}

/** A field that only some datasets have, read from documents of other datasets only: always empty. */
function wrongDataset(use: FieldUse, t: FieldType): string | undefined {
  if (t.datasets === undefined || use.datasets === undefined) return undefined;
  const scope = use.datasets;
  if (t.datasets.some((d) => scope.some((s) => globMatches(s, d)))) return undefined;
  return `only ${t.datasets.join(', ')} documents have it, and this reads ${scope.join(', ')} (${t.source})`;
}

/** Every use in the resources' bodies that the stack would reject or that can never match. */
export function fieldTypeViolations(resources: readonly Resource[]): Violation[] {
  const violations: Violation[] = [];
  for (const resource of resources) {
    const seen = new Set<string>();
    for (const use of fieldUses(resource)) {
      const problem = useProblem(use);
      const key = `${use.where}\u0000${use.field}\u0000${use.use}\u0000${problem ?? ''}`;
      if (problem === undefined || seen.has(key)) continue;
      seen.add(key);
      violations.push({ resource: label(resource), where: use.where, field: use.field, problem: `${use.use}: ${problem}` });
    }
  }
  return violations;
}

/** What `make verify` compares with `_field_caps`: one row per field a definition reads. */
export interface FieldRequirement {
  readonly field: string;
  /** Elasticsearch type recorded in kibana/field-types.ts (undefined: not recorded, a violation). */
  readonly type?: FieldType['type'];
  readonly family?: TypeFamily;
  /** Some use aggregates the field (terms, group-by, a metric operation, sort). */
  readonly aggregatable: boolean;
  /** Ids of the objects that read it. */
  readonly usedBy: readonly string[];
}

const AGGREGATING = new Set<UseKind>(['terms', 'group', 'percentile', 'sum', 'avg', 'min', 'max', 'last_value', 'unique_count', 'value_count', 'range', 'sort']);

/**
 * For a data stream index pattern (`logs-kubernetes.container_logs-*`, `metrics-prometheus.collector-*`,
 * `metrics-kubernetes.*`, `traces-apm*`, ...), the fields the given definitions read from it, with the
 * type family expected and whether an aggregation needs them. Sorted by field name.
 */
export function fieldRequirements(resources: readonly Resource[], indexPattern: string): FieldRequirement[] {
  const signal: SignalKind | undefined = signalOf(indexPattern);
  if (signal === undefined) throw new Error(`${indexPattern} is not a data stream this project reads`);
  const rows = new Map<string, { aggregatable: boolean; usedBy: Set<string> }>();
  for (const resource of resources) {
    for (const use of fieldUses(resource)) {
      if (use.signal !== signal || use.field.includes('*')) continue;
      const row = rows.get(use.field) ?? { aggregatable: false, usedBy: new Set<string>() };
      row.aggregatable ||= AGGREGATING.has(use.use);
      row.usedBy.add(resource.id);
      rows.set(use.field, row);
    }
  }
  return [...rows]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([field, row]) => {
      const t = fieldType(signal, field);
      return {
        field,
        ...(t !== undefined ? { type: t.type, family: FAMILY[t.type] } : {}),
        aggregatable: row.aggregatable,
        usedBy: [...row.usedBy].sort(),
      };
    });
}

/** fieldRequirements for every data stream the definitions read, with the index patterns to ask `_field_caps` about. */
export function allFieldRequirements(resources: readonly Resource[]): Array<{ readonly signal: SignalKind; readonly patterns: readonly string[]; readonly fields: FieldRequirement[] }> {
  return Object.values(FIELD_TYPES).map(({ signal, patterns }) => ({ signal, patterns, fields: fieldRequirements(resources, patterns[0] ?? '') }));
}
