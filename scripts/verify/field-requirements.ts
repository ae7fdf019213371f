/**
 * What `_field_caps` must confirm: for every field a data view, dashboard, saved search, SLO or
 * rule uses (the resources' declared `fields`), the data stream pattern it is read from, the types
 * it may be mapped as, and whether it must be aggregatable.
 *
 * The seam: `fieldRequirements()` is the one function the field-caps check calls. Its patterns come
 * from the field catalogues of kibana/telemetry-fields.ts; its type families from the field names.
 * A typed table of every field (kibana/field-types.ts with `allFieldRequirements()`, one entry per
 * signal with its patterns and per-field family and aggregation need) replaces the body with:
 *
 *   return allFieldRequirements(resources).flatMap(({ patterns, fields }) => fields.map((f) => ({
 *     pattern: patterns.join(','), field: f.field, types: f.family ? TYPE_FAMILIES[f.family] : [],
 *     aggregatable: f.aggregatable, usedBy: f.usedBy })));
 */
import {
  APM_FIELD_CATALOGUE,
  APM_FIELDS,
  CONTAINER_LOG_FIELDS,
  DATA_STREAM_FIELDS,
  INDEX_PATTERNS,
  KUBERNETES_METRIC_FIELDS,
  LOG_FIELDS,
  PROMETHEUS_COLLECTOR_FIELDS,
  allPrometheusFields,
} from '../../kibana/telemetry-fields.js';
import type { Resource } from '../../model/resources.js';

export interface FieldRequirement {
  /** Index pattern of the data stream the field is read from. */
  readonly pattern: string;
  readonly field: string;
  /** Elasticsearch field types accepted (as `_field_caps` reports them). */
  readonly types: readonly string[];
  readonly aggregatable: boolean;
  /** Ids of the resources that use it. */
  readonly usedBy: readonly string[];
}

/** Elasticsearch types by family (the families kibana/field-types.ts uses). */
export const TYPE_FAMILIES = {
  date: ['date', 'date_nanos'],
  number: ['long', 'integer', 'short', 'byte', 'double', 'float', 'half_float', 'scaled_float', 'unsigned_long'],
  keyword: ['keyword', 'constant_keyword', 'wildcard'],
  text: ['text', 'match_only_text'],
  histogram: ['histogram'],
  boolean: ['boolean'],
  ip: ['ip'],
} as const satisfies Record<string, readonly string[]>;

const NUMERIC_NAME = /\.(us|bytes|pct|cores|nanocores|restarts|desired|available|unavailable|status_code|duration|counter|rate|value)$/;

/** The type family a field's name implies (ECS and the integrations' naming). */
export function typesFor(field: string): readonly string[] {
  if (field === '@timestamp') return TYPE_FAMILIES.date;
  if (field === 'message' || field === 'error.message') return TYPE_FAMILIES.text;
  if (field.endsWith('.histogram')) return TYPE_FAMILIES.histogram;
  if (field === 'kubernetes.container.status.ready') return TYPE_FAMILIES.boolean;
  if (field.startsWith('numeric_labels.')) return TYPE_FAMILIES.number;
  if (!field.startsWith('prometheus.labels.') && NUMERIC_NAME.test(field)) return TYPE_FAMILIES.number;
  return TYPE_FAMILIES.keyword;
}

/** APM fields stored on the aggregated metric documents (metrics-apm*), not on the transactions (notes §5.2). */
const APM_AGGREGATED: ReadonlySet<string> = new Set([APM_FIELDS.transactionDurationHistogram, APM_FIELDS.metricsetName]);

const SERVICE_PATTERNS = [INDEX_PATTERNS.logs, INDEX_PATTERNS.metrics, INDEX_PATTERNS.traces, INDEX_PATTERNS.kubernetes] as const;

function catalogues(): ReadonlyMap<string, readonly string[]> {
  const byPattern: Array<[string, readonly string[]]> = [
    [INDEX_PATTERNS.logs, [...Object.values(LOG_FIELDS), ...CONTAINER_LOG_FIELDS.map((f) => f.field)]],
    [INDEX_PATTERNS.metrics, [...allPrometheusFields(), ...PROMETHEUS_COLLECTOR_FIELDS.map((f) => f.field)]],
    [INDEX_PATTERNS.traces, APM_FIELD_CATALOGUE.map((f) => f.field).filter((f) => !APM_AGGREGATED.has(f))],
    [INDEX_PATTERNS.apmMetrics, [...APM_AGGREGATED]],
    [INDEX_PATTERNS.kubernetes, KUBERNETES_METRIC_FIELDS.map((f) => f.field)],
  ];
  const patterns = new Map<string, string[]>();
  for (const [pattern, fields] of byPattern) for (const f of fields) patterns.set(f, [...(patterns.get(f) ?? []), pattern]);
  return patterns;
}

export function fieldRequirements(resources: readonly Resource[]): FieldRequirement[] {
  const known = catalogues();
  const dataStreamFields = new Set(DATA_STREAM_FIELDS.map((f) => f.field));
  const required = new Map<string, { pattern: string; field: string; usedBy: string[] }>();
  const add = (pattern: string, field: string, id: string): void => {
    const key = `${pattern}\u0000${field}`;
    const entry = required.get(key) ?? { pattern, field, usedBy: [] };
    if (!entry.usedBy.includes(id)) entry.usedBy.push(id);
    required.set(key, entry);
  };
  for (const r of resources) {
    const own = r.kind === 'kibana.data_view' ? [r.body.data_view.title] : [];
    for (const field of r.fields ?? []) {
      const patterns = new Set([...own, ...(known.get(field) ?? [])]);
      if (patterns.size === 0 && dataStreamFields.has(field)) SERVICE_PATTERNS.forEach((p) => patterns.add(p));
      for (const p of patterns) add(p, field, r.id);
    }
  }
  return [...required.values()]
    .map((e) => ({ ...e, types: typesFor(e.field), aggregatable: !TYPE_FAMILIES.text.some((t) => typesFor(e.field).includes(t)) }))
    .sort((a, b) => a.pattern.localeCompare(b.pattern) || a.field.localeCompare(b.field));
}
