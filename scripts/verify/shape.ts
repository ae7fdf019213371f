/**
 * Shape: the documents carry the fields the project relies on, parsed as designed (ECS fields at
 * the top level of log documents, `trace.id` on access lines, the Prometheus fields the dashboards
 * use), and `_field_caps` on each data stream confirms type and aggregatability of every field a
 * data view, panel, saved search, SLO or rule uses.
 */
import { ACCESS_LOG, APP_LABEL_FIELD, INDEX_PATTERNS, LOG_FIELDS, SERVICE_NAME_FIELD } from '../../kibana/telemetry-fields.js';
import { fieldCaps, search, term, valueAt, type CheckContext, type Doc, type Query } from './context.js';
import { fieldRequirements, type FieldRequirement } from './field-requirements.js';
import { fail, pass, type CheckResult } from './report.js';

/** Fields every service log line has at the top level once the JSON line is decoded. */
const TOP_LEVEL_LOG_FIELDS = [LOG_FIELDS.timestamp, LOG_FIELDS.level, LOG_FIELDS.serviceName, LOG_FIELDS.dataset, LOG_FIELDS.message] as const;
const SAMPLE = 20;

function serviceLogs(ctx: CheckContext): Query {
  return term(SERVICE_NAME_FIELD, ctx.settings.serviceName);
}

/** Whether a `message` is the service's undecoded JSON line. */
function undecodedJson(message: unknown): boolean {
  if (typeof message !== 'string' || !message.trimStart().startsWith('{')) return false;
  try {
    const parsed = JSON.parse(message) as Doc;
    return typeof parsed === 'object' && parsed !== null && (LOG_FIELDS.level in parsed || 'ecs.version' in parsed || 'ecs' in parsed);
  } catch {
    return false;
  }
}

export async function checkLogShape(ctx: CheckContext): Promise<CheckResult[]> {
  const id = 'shape:logs-ecs';
  // The container's lines, whether or not their JSON was decoded (service.name may be missing then).
  const raw = await search(ctx.stack, INDEX_PATTERNS.logs, term(APP_LABEL_FIELD, ctx.settings.serviceName), { size: SAMPLE });
  const decoded = await search(ctx.stack, INDEX_PATTERNS.logs, serviceLogs(ctx), { size: SAMPLE });
  const docs = raw.length > 0 ? raw : decoded;
  if (docs.length === 0) return [fail('shape', id, 'no service log line to inspect yet', 'see signal:logs', 'logs', { pending: true }), ...(await checkAccessLines(ctx))];
  const inMessage = docs.filter((d) => undecodedJson(d.source.message));
  const underJson = docs.filter((d) => valueAt(d.source, 'json') !== undefined || valueAt(d.source, `json.${LOG_FIELDS.level}`) !== undefined);
  const missing = new Map<string, number>();
  for (const d of docs) for (const f of TOP_LEVEL_LOG_FIELDS) if (valueAt(d.source, f) === undefined) missing.set(f, (missing.get(f) ?? 0) + 1);
  const results: CheckResult[] = [];
  if (inMessage.length > 0) {
    results.push(
      fail(
        'shape',
        id,
        `ECS fields left inside message on ${inMessage.length} of ${docs.length} lines (e.g. ${inMessage[0]?.id})`,
        'the JSON line was not decoded: the container_logs stream of the kubernetes package policy needs its JSON parsing (fleet/policies.ts), and the service must write one JSON object per line',
        'logs-shape',
      ),
    );
  } else if (underJson.length > 0) {
    results.push(
      fail(
        'shape',
        id,
        `ECS fields under json.* on ${underJson.length} of ${docs.length} lines (e.g. ${underJson[0]?.id})`,
        'the JSON was decoded into a `json` object instead of the top level: set target "" (keys_under_root) on the decode step of the container_logs stream (fleet/policies.ts)',
        'logs-shape',
      ),
    );
  } else if (missing.size > 0) {
    results.push(
      fail(
        'shape',
        id,
        `top-level fields missing: ${[...missing].map(([f, n]) => `${f} (${n} of ${docs.length} lines)`).join(', ')}`,
        'the service does not write these ECS fields, or an ingest pipeline removes them',
        'logs-shape',
      ),
    );
  } else {
    results.push(pass('shape', id, `${docs.length} latest lines carry ${TOP_LEVEL_LOG_FIELDS.join(', ')} at the top level`, { sample: docs.map((d) => d.id) }));
  }
  return [...results, ...(await checkAccessLines(ctx))];
}

/** The latest access lines of the service (message "request completed"). */
export async function accessLines(ctx: CheckContext, size = SAMPLE): Promise<Array<{ id: string; source: Doc }>> {
  return search(ctx.stack, INDEX_PATTERNS.logs, { bool: { filter: [serviceLogs(ctx), { match_phrase: { [LOG_FIELDS.message]: ACCESS_LOG } }] } }, { size });
}

async function checkAccessLines(ctx: CheckContext): Promise<CheckResult[]> {
  const id = 'shape:access-trace-id';
  const lines = await accessLines(ctx);
  if (lines.length === 0) {
    return [fail('shape', id, `no access line ("${ACCESS_LOG}") yet`, 'no request reached the service, or its lines are not decoded (see shape:logs-ecs)', 'logs-shape', { pending: true })];
  }
  const withTrace = lines.filter((l) => typeof valueAt(l.source, LOG_FIELDS.traceId) === 'string');
  if (withTrace.length === 0) {
    return [
      fail(
        'shape',
        id,
        `none of the ${lines.length} latest access lines has ${LOG_FIELDS.traceId}`,
        'the logger does not see the active span: the instrumentation must be loaded first (--import) and the access line written inside the request span',
        'correlation',
      ),
    ];
  }
  return [pass('shape', id, `${withTrace.length} of ${lines.length} latest access lines carry ${LOG_FIELDS.traceId}`)];
}

/** Every Prometheus field the resources use appears in the service's metric documents. */
export async function checkMetricFields(ctx: CheckContext): Promise<CheckResult> {
  const id = 'shape:prometheus-fields';
  const fields = [...new Set(fieldRequirements(ctx.applicable).filter((r) => r.pattern === INDEX_PATTERNS.metrics && r.field.startsWith('prometheus.')).map((r) => r.field))];
  const missing: string[] = [];
  for (const field of fields) {
    const hits = await search(ctx.stack, INDEX_PATTERNS.metrics, { bool: { filter: [term(SERVICE_NAME_FIELD, ctx.settings.serviceName), { exists: { field } }] } });
    if (hits.length === 0) missing.push(field);
  }
  if (missing.length > 0) {
    return fail(
      'shape',
      id,
      `no service metric document has ${missing.join(', ')}`,
      'the prometheus integration does not store these fields: check use_types and rate_counters in the prometheus package policy, and that the service exports the metric',
      'metrics-shape',
      { pending: true },
    );
  }
  return pass('shape', id, `all ${fields.length} Prometheus fields the dashboards and rules use are present`);
}

/** One result per data stream pattern: type and aggregatability of every field used on it. */
export async function checkFieldCaps(ctx: CheckContext, requirements: readonly FieldRequirement[] = fieldRequirements(ctx.applicable)): Promise<CheckResult[]> {
  const byPattern = new Map<string, FieldRequirement[]>();
  for (const r of requirements) byPattern.set(r.pattern, [...(byPattern.get(r.pattern) ?? []), r]);
  const results: CheckResult[] = [];
  for (const [pattern, reqs] of byPattern) {
    const id = `field-caps:${pattern}`;
    const { indices, fields: caps } = await fieldCaps(ctx.stack, pattern, reqs.map((r) => r.field));
    if (indices.length === 0) {
      results.push(fail('shape', id, 'no index matches yet: nothing to read the mappings of', 'no document of this signal arrived (see the signals above)', 'field-types', { pending: true }));
      continue;
    }
    const problems: string[] = [];
    const absent: string[] = [];
    for (const req of reqs) {
      const types = caps[req.field];
      if (types === undefined || Object.keys(types).length === 0) {
        absent.push(req.field);
        continue;
      }
      for (const [type, cap] of Object.entries(types)) {
        if (type === 'unmapped') continue;
        const where = cap.indices ? ` in ${[cap.indices].flat().join(', ')}` : '';
        if (!req.types.includes(type)) problems.push(`${req.field} is ${type}${where}, expected ${req.types.join('/')} (used by ${req.usedBy.join(', ')})`);
        else if (req.aggregatable && !cap.aggregatable) problems.push(`${req.field} is not aggregatable${where} (used by ${req.usedBy.join(', ')})`);
      }
    }
    if (problems.length > 0) {
      results.push(
        fail(
          'shape',
          id,
          problems.join('; '),
          'the data stream was created before the integration\'s index template (dynamic mapping: strings become text): install the integration, then roll the data stream over (POST <data stream>/_rollover)',
          'field-types',
        ),
      );
    } else if (absent.length > 0) {
      results.push(
        fail('shape', id, `not mapped yet: ${absent.join(', ')}`, 'no document with these fields arrived yet, or the integration is not installed', 'field-types', { pending: true }),
      );
    } else {
      results.push(pass('shape', id, `${reqs.length} fields have the expected type and are aggregatable where used`, { indices }));
    }
  }
  return results;
}
