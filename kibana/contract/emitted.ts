/**
 * The fields the service really emits, per signal, under the mapping of kibana/telemetry-fields.ts:
 * - metrics: derived from the `/metrics` exposition text (metric types and label names), as the
 *   prometheus integration names them with `use_types` and `rate_counters`, plus the fields the
 *   collector adds;
 * - logs: the dotted names of the service's JSON log lines, plus the fields the kubernetes
 *   integration adds to container logs;
 * - apm: the documented APM fields, plus `labels.*`/`numeric_labels.*` for the custom span
 *   attributes the service was seen to set (OTLP/JSON spans captured in the test);
 * - kubernetes: the documented kubernetes integration fields.
 */
import {
  APM_FIELD_CATALOGUE,
  CONTAINER_LOG_FIELDS,
  DATA_STREAM_FIELDS,
  KUBERNETES_METRIC_FIELDS,
  PROMETHEUS_COLLECTOR_FIELDS,
  type DocumentedField,
} from '../telemetry-fields.js';

export type SignalKind = 'metrics' | 'logs' | 'apm' | 'kubernetes';
export const SIGNALS: readonly SignalKind[] = ['metrics', 'logs', 'apm', 'kubernetes'];

/** Field name -> where it was seen or documented. */
export type FieldSet = Map<string, string>;
export type EmittedFields = Record<SignalKind, FieldSet>;

export interface ExposedMetric {
  readonly name: string;
  readonly type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  readonly labels: ReadonlySet<string>;
  readonly samples: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="(?:[^"\\]|\\.)*"/g;

/** Parses Prometheus text exposition: every family with its type, label names and sample count. */
export function parseExposition(text: string): Map<string, ExposedMetric> {
  const types = new Map<string, ExposedMetric['type']>();
  const labels = new Map<string, Set<string>>();
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    const typeLine = /^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)\s*$/.exec(line);
    if (typeLine?.[1] !== undefined && typeLine[2] !== undefined) {
      types.set(typeLine[1], typeLine[2] as ExposedMetric['type']);
      continue;
    }
    if (line.startsWith('#') || line.trim() === '') continue;
    const m = SAMPLE.exec(line);
    if (m?.[1] === undefined) continue;
    const sampleName = m[1];
    // A histogram/summary sample belongs to the family without its suffix.
    const family = types.has(sampleName) ? sampleName : sampleName.replace(/_(bucket|sum|count)$/, '');
    const set = labels.get(family) ?? new Set<string>();
    for (const l of (m[3] ?? '').matchAll(LABEL)) if (l[1] !== undefined) set.add(l[1]);
    labels.set(family, set);
    samples.set(family, (samples.get(family) ?? 0) + 1);
  }
  const out = new Map<string, ExposedMetric>();
  for (const [name, type] of types) {
    const ls = new Set(labels.get(name) ?? []);
    if (type === 'histogram') ls.delete('le');
    if (type === 'summary') ls.delete('quantile');
    out.set(name, { name, type, labels: ls, samples: samples.get(name) ?? 0 });
  }
  return out;
}

/**
 * Fields of `metrics-prometheus.collector-*` for the exposed families (elastic/beats
 * x-pack/metricbeat/module/prometheus/collector typed generator): counter -> `.counter` + `.rate`,
 * gauge and untyped -> `.value`, histogram -> `.histogram` only (no `_sum`/`_count`), summary ->
 * `.value` per quantile + `<name>_sum.counter|rate` and `<name>_count.counter|rate`. Labels ->
 * `prometheus.labels.<name>` (`le`/`quantile` fold into the histogram/summary; a summary keeps a
 * `quantile` label). Families without samples produce no documents and therefore no fields.
 */
export function prometheusFields(exposition: string): FieldSet {
  const fields: FieldSet = new Map();
  for (const m of parseExposition(exposition).values()) {
    if (m.samples === 0) continue;
    const seen = `/metrics ${m.type} ${m.name}`;
    switch (m.type) {
      case 'counter':
        fields.set(`prometheus.${m.name}.counter`, seen);
        fields.set(`prometheus.${m.name}.rate`, seen);
        break;
      case 'gauge':
      case 'untyped':
        fields.set(`prometheus.${m.name}.value`, seen);
        break;
      case 'histogram':
        fields.set(`prometheus.${m.name}.histogram`, seen);
        break;
      case 'summary':
        fields.set(`prometheus.${m.name}.value`, seen);
        fields.set('prometheus.labels.quantile', seen);
        for (const s of ['sum', 'count']) {
          fields.set(`prometheus.${m.name}_${s}.counter`, seen);
          fields.set(`prometheus.${m.name}_${s}.rate`, seen);
        }
        break;
    }
    for (const l of m.labels) fields.set(`prometheus.labels.${l}`, `/metrics label of ${m.name}`);
  }
  return fields;
}

/** Dotted leaf paths of a JSON object: `{"a":{"b":1},"c.d":2}` -> `a.b`, `c.d`. */
export function flatten(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return prefix === '' ? [] : [prefix];
  const out: string[] = [];
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out.push(...flatten(v, prefix === '' ? k : `${prefix}.${k}`));
  }
  return out;
}

/** Fields of the service's log lines (each JSON line flattened); unparsed lines are ignored. */
export function logFields(lines: readonly Record<string, unknown>[]): FieldSet {
  const fields: FieldSet = new Map();
  for (const line of lines) {
    if ('unparsed' in line) continue;
    const message = typeof line.message === 'string' ? line.message : '(no message)';
    for (const f of flatten(line)) if (!fields.has(f)) fields.set(f, `log line "${message}"`);
  }
  return fields;
}

interface OtlpAttribute {
  readonly key: string;
  readonly value: Record<string, unknown>;
}

/** Attribute keys and value kinds of every span in OTLP/JSON export requests. */
export function spanAttributes(bodies: readonly unknown[]): Map<string, 'string' | 'number' | 'boolean' | 'other'> {
  const out = new Map<string, 'string' | 'number' | 'boolean' | 'other'>();
  for (const body of bodies) {
    const resourceSpans = (body as { resourceSpans?: unknown[] }).resourceSpans ?? [];
    for (const rs of resourceSpans) {
      for (const ss of ((rs as { scopeSpans?: unknown[] }).scopeSpans ?? [])) {
        for (const span of ((ss as { spans?: unknown[] }).spans ?? [])) {
          for (const a of ((span as { attributes?: OtlpAttribute[] }).attributes ?? [])) {
            const v = a.value;
            const kind = 'stringValue' in v ? 'string' : 'intValue' in v || 'doubleValue' in v ? 'number' : 'boolValue' in v ? 'boolean' : 'other';
            out.set(a.key, kind);
          }
        }
      }
    }
  }
  return out;
}

/**
 * APM fields: the documented catalogue, with the custom-attribute labels kept only for attributes
 * the service was really seen to set. APM Server stores unknown span attributes as `labels.<key>`
 * (strings, booleans) or `numeric_labels.<key>` (numbers), dots replaced by `_`.
 */
export function apmFields(customAttributeKeys: readonly string[], observed: Map<string, 'string' | 'number' | 'boolean' | 'other'>): FieldSet {
  const fields: FieldSet = new Map();
  const custom = new Set(customAttributeKeys.map((k) => k.replace(/\./g, '_')));
  for (const d of APM_FIELD_CATALOGUE) {
    const m = /^(labels|numeric_labels)\.(.+)$/.exec(d.field);
    if (m?.[2] !== undefined && custom.has(m[2])) continue;
    fields.set(d.field, `${d.status}: ${d.source}`);
  }
  for (const [key, kind] of observed) {
    const label = key.replace(/\./g, '_');
    if (!custom.has(label)) continue;
    fields.set(`${kind === 'number' ? 'numeric_labels' : 'labels'}.${label}`, `span attribute ${key} (${kind}) seen on exported spans`);
  }
  return fields;
}

function fromDocs(docs: readonly DocumentedField[]): FieldSet {
  return new Map(docs.map((d) => [d.field, `${d.status}: ${d.source}`]));
}

export interface Observed {
  /** `/metrics` text after traffic. */
  readonly exposition: string;
  /** The service's parsed JSON log lines. */
  readonly logLines: readonly Record<string, unknown>[];
  /** OTLP export request bodies in the OTLP/JSON shape (decoded from protobuf, as APM Server receives them). */
  readonly spanBodies: readonly unknown[];
  /** Custom span attribute keys declared in the registry. */
  readonly customSpanAttributes: readonly string[];
}

export function emittedFields(observed: Observed): EmittedFields {
  const common = fromDocs(DATA_STREAM_FIELDS);
  return {
    metrics: new Map([...common, ...fromDocs(PROMETHEUS_COLLECTOR_FIELDS), ...prometheusFields(observed.exposition)]),
    logs: new Map([...common, ...fromDocs(CONTAINER_LOG_FIELDS), ...logFields(observed.logLines)]),
    apm: new Map([...common, ...apmFields(observed.customSpanAttributes, spanAttributes(observed.spanBodies))]),
    kubernetes: new Map([...common, ...fromDocs(KUBERNETES_METRIC_FIELDS)]),
  };
}
