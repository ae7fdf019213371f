/**
 * What `make verify` and `make drill` read from a live stack, added to the Elasticsearch/Kibana
 * test double (stack-double.ts) as a separate module: documents in data streams with their
 * mappings, `_search` and `_field_caps` over them, alerts-as-data documents, Fleet agents and
 * connector execution. Rules it enforces, each as Elasticsearch or Kibana behaves:
 * - `_search` and `_field_caps` on a pattern that matches no index: 404 index_not_found_exception,
 *   unless `allow_no_indices`/`ignore_unavailable` (Elasticsearch multi-target syntax);
 * - indices whose names start with `.` (alerts-as-data) are hidden: a wildcard matches them only with
 *   `expand_wildcards` including `hidden` (or `all`), or when the expression itself starts with `.`
 *   (IndexNameExpressionResolver.implicitHiddenMatch, elastic/elasticsearch server/.../cluster/metadata);
 * - aliases are not modelled: a test stores alerts under the alias name Kibana writes through;
 * - sorting on a field an index does not map fails (400 "No mapping found for [@timestamp] in order to
 *   sort on") unless the sort gives `unmapped_type`;
 * - a `term` query on a field mapped as `text` matches a single analysed token only (so a
 *   `service.name` mapped as text never matches "sample-service");
 * - `_field_caps`: a field mapped differently across indices lists every type, each with its
 *   `indices`; `text`/`match_only_text` are not aggregatable;
 * - `GET /api/fleet/agents` takes a KQL `kuery` (only `policy_id:"<id>"` here; anything else 400);
 * - `POST /api/actions/connector/{id}/_execute`: 404 for an unknown connector; `.server-log` params
 *   need a string `message` and a `level` among trace, debug, info, warn, error, fatal; answers 200 with `status` ok or error (an error is not an HTTP error).
 */
import { valueAt, type Doc } from '../../scripts/verify/context.js';
import type { Json, Reply, Req, StackDouble } from './stack-double.js';

export interface Agent {
  readonly id: string;
  readonly policy_id: string;
  status: string;
  readonly last_checkin_message?: string;
}

const NOT_AGGREGATABLE = new Set(['text', 'match_only_text']);
const SERVER_LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

function esError(status: number, type: string, reason: string): Reply {
  return { status, body: { error: { root_cause: [{ type, reason }], type, reason }, status } };
}

function glob(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

function inferType(field: string, value: unknown): string | undefined {
  if (field === '@timestamp') return 'date';
  if (typeof value === 'string') return 'keyword';
  if (typeof value === 'number') return Number.isInteger(value) ? 'long' : 'float';
  if (typeof value === 'boolean') return 'boolean';
  return undefined;
}

/** Leaf fields of a document, dotted (`a: {b: 1}` and `'a.b': 1` both give `a.b`). */
function leaves(doc: Doc, prefix = ''): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [];
  for (const [k, v] of Object.entries(doc)) {
    const name = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && !('values' in (v as Doc) && 'counts' in (v as Doc))) out.push(...leaves(v as Doc, name));
    else out.push([name, v]);
  }
  return out;
}

const tokens = (text: string): string[] => text.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);

export class ObservedData {
  /** Concrete index name -> documents. */
  readonly docs = new Map<string, Array<{ id: string; source: Doc }>>();
  /** Concrete index name -> field -> type (explicit mappings; other fields are mapped dynamically). */
  readonly mappings = new Map<string, Map<string, string>>();
  readonly agents: Agent[] = [];
  /** Connector id -> the error `_execute` answers with (default: ok). */
  readonly connectorErrors = new Map<string, string>();
  readonly executions: Array<{ id: string; params: unknown }> = [];
  #next = 0;

  static install(double: StackDouble): ObservedData {
    const data = new ObservedData();
    for (const method of ['GET', 'POST']) {
      double.route('elasticsearch', method, /^\/([^_/][^/]*)\/_search$/, false, (r) => data.#search(r));
      double.route('elasticsearch', method, /^\/([^_/][^/]*)\/_field_caps$/, false, (r) => data.#fieldCaps(r));
    }
    double.route('kibana', 'GET', /^\/api\/fleet\/agents$/, false, (r) => data.#agents(r));
    double.route('kibana', 'POST', /^\/api\/actions\/connector\/([^/]+)\/_execute$/, true, (r) => {
      const id = r.params[0] as string;
      const connector = double.space(r.space).connectors.get(id);
      if (connector === undefined) return { status: 404, body: { statusCode: 404, error: 'Not Found', message: `Saved object [action/${id}] not found` } };
      const params = ((r.json ?? {}) as Json).params as Json | undefined;
      if (connector.connector_type_id === '.server-log' && typeof params?.message !== 'string') {
        return { status: 400, body: { statusCode: 400, error: 'Bad Request', message: 'error validating action params: [message]: expected value of type [string] but got [undefined]' } };
      }
      if (connector.connector_type_id === '.server-log' && params?.level !== undefined && !SERVER_LOG_LEVELS.includes(String(params.level))) {
        return { status: 400, body: { statusCode: 400, error: 'Bad Request', message: `error validating action params: [level]: types that failed validation: ${String(params.level)}` } };
      }
      data.executions.push({ id, params });
      const error = data.connectorErrors.get(id);
      return {
        status: 200,
        body: error === undefined ? { status: 'ok', connector_id: id } : { status: 'error', connector_id: id, message: 'an error occurred while running the action', service_message: error },
      };
    });
    return data;
  }

  /** Adds a document; the index is created on first use. */
  add(index: string, source: Doc): string {
    const id = `doc-${++this.#next}`;
    const list = this.docs.get(index) ?? [];
    list.push({ id, source: structuredClone(source) });
    this.docs.set(index, list);
    return id;
  }

  map(index: string, field: string, type: string): void {
    const m = this.mappings.get(index) ?? new Map<string, string>();
    m.set(field, type);
    this.mappings.set(index, m);
  }

  /** The mapping of an index: explicit types first, then dynamic mapping of the fields its documents hold. */
  mappingOf(index: string): Map<string, string> {
    const out = new Map(this.mappings.get(index) ?? []);
    for (const { source } of this.docs.get(index) ?? []) {
      for (const [field, value] of leaves(source)) {
        if (out.has(field)) continue;
        const t = inferType(field, value);
        if (t !== undefined) out.set(field, t);
      }
    }
    return out;
  }

  #resolve(r: Req): { indices: string[] } | Reply {
    const expand = (r.query.get('expand_wildcards') ?? 'open').split(',');
    const hiddenOk = expand.includes('hidden') || expand.includes('all');
    const names = new Set([...this.docs.keys(), ...this.mappings.keys()]);
    const indices = new Set<string>();
    for (const part of (r.params[0] as string).split(',')) {
      if (!part.includes('*')) {
        if (names.has(part)) indices.add(part);
        else if (r.query.get('ignore_unavailable') !== 'true') return esError(404, 'index_not_found_exception', `no such index [${part}]`);
        continue;
      }
      const re = glob(part);
      for (const n of names) if (re.test(n) && (hiddenOk || !n.startsWith('.') || part.startsWith('.'))) indices.add(n);
    }
    if (indices.size === 0 && r.query.get('allow_no_indices') === 'false') return esError(404, 'index_not_found_exception', `no such index [${r.params[0]}]`);
    return { indices: [...indices].sort() };
  }

  #matches(index: string, doc: Doc, q: Json | undefined): boolean {
    if (q === undefined || 'match_all' in q) return true;
    const mapping = this.mappingOf(index);
    const valuesOf = (field: string): unknown[] => [valueAt(doc, field)].flat().filter((v) => v !== undefined && v !== null);
    const termMatch = (field: string, expected: unknown): boolean =>
      valuesOf(field).some((v) => {
        if (NOT_AGGREGATABLE.has(mapping.get(field) ?? '')) return typeof expected === 'string' && tokens(String(v)).includes(expected) && tokens(expected).length === 1 && expected === expected.toLowerCase();
        return v === expected;
      });
    if (q.bool !== undefined) {
      const b = q.bool as Json;
      const list = (k: string): Json[] => [b[k] ?? []].flat() as Json[];
      const should = list('should');
      const min = Number(b.minimum_should_match ?? (list('filter').length + list('must').length > 0 ? 0 : should.length > 0 ? 1 : 0));
      return (
        [...list('filter'), ...list('must')].every((c) => this.#matches(index, doc, c)) &&
        list('must_not').every((c) => !this.#matches(index, doc, c)) &&
        should.filter((c) => this.#matches(index, doc, c)).length >= min
      );
    }
    if (q.term !== undefined) {
      const [field, raw] = Object.entries(q.term as Json)[0] as [string, unknown];
      const expected = raw !== null && typeof raw === 'object' ? (raw as Json).value : raw;
      return termMatch(field, expected);
    }
    if (q.terms !== undefined) {
      const [field, values] = Object.entries(q.terms as Json)[0] as [string, unknown[]];
      return values.some((v) => termMatch(field, v));
    }
    if (q.exists !== undefined) return valuesOf(String((q.exists as Json).field)).length > 0;
    if (q.match_phrase !== undefined) {
      const [field, raw] = Object.entries(q.match_phrase as Json)[0] as [string, unknown];
      const phrase = tokens(String(raw !== null && typeof raw === 'object' ? (raw as Json).query : raw)).join(' ');
      return valuesOf(field).some((v) => ` ${tokens(String(v)).join(' ')} `.includes(` ${phrase} `));
    }
    if (q.range !== undefined) {
      const [field, bounds] = Object.entries(q.range as Json)[0] as [string, Json];
      return valuesOf(field).some((v) => {
        const x = typeof v === 'number' ? v : Date.parse(String(v));
        const at = (b: unknown): number => (typeof b === 'number' ? b : Date.parse(String(b)));
        return (bounds.gte === undefined || x >= at(bounds.gte)) && (bounds.gt === undefined || x > at(bounds.gt)) && (bounds.lte === undefined || x <= at(bounds.lte)) && (bounds.lt === undefined || x < at(bounds.lt));
      });
    }
    throw new Error(`query not supported by the test double: ${JSON.stringify(q)}`);
  }

  #search(r: Req): Reply {
    const resolved = this.#resolve(r);
    if (!('indices' in resolved)) return resolved;
    const body = (r.json ?? {}) as Json;
    const hits = resolved.indices.flatMap((index) =>
      (this.docs.get(index) ?? []).filter((d) => this.#matches(index, d.source, body.query as Json | undefined)).map((d) => ({ _index: index, _id: d.id, _source: structuredClone(d.source) })),
    );
    const sort = [body.sort ?? []].flat()[0] as Json | undefined;
    const byTimestamp = sort?.['@timestamp'] as Json | undefined;
    if (sort !== undefined && byTimestamp?.unmapped_type === undefined) {
      const unmapped = resolved.indices.find((i) => !this.mappingOf(i).has('@timestamp'));
      if (unmapped !== undefined) return esError(400, 'search_phase_execution_exception', `No mapping found for [@timestamp] in order to sort on (index ${unmapped})`);
    }
    const order = sort === undefined ? undefined : (byTimestamp?.order ?? 'asc');
    if (order !== undefined) {
      const t = (h: { _source: Doc }): number => Date.parse(String(valueAt(h._source, '@timestamp') ?? 0));
      hits.sort((a, b) => (order === 'desc' ? t(b) - t(a) : t(a) - t(b)));
    }
    const size = Number(body.size ?? r.query.get('size') ?? 10);
    return {
      status: 200,
      body: { took: 1, timed_out: false, _shards: { total: resolved.indices.length, successful: resolved.indices.length, skipped: 0, failed: 0 }, hits: { total: { value: hits.length, relation: 'eq' }, max_score: null, hits: hits.slice(0, size) } },
    };
  }

  #fieldCaps(r: Req): Reply {
    const resolved = this.#resolve(r);
    if (!('indices' in resolved)) return resolved;
    const wanted = (r.query.get('fields') ?? [((r.json ?? {}) as Json).fields ?? []].flat().join(',')).split(',').filter(Boolean);
    if (wanted.length === 0) return esError(400, 'action_request_validation_exception', 'Validation Failed: 1: specified fields can\'t be null or empty;');
    const fields: Record<string, Record<string, Json>> = {};
    for (const field of wanted) {
      const byType = new Map<string, string[]>();
      for (const index of resolved.indices) {
        const type = this.mappingOf(index).get(field);
        if (type !== undefined) byType.set(type, [...(byType.get(type) ?? []), index]);
      }
      if (byType.size === 0) continue;
      fields[field] = Object.fromEntries(
        [...byType].map(([type, indices]) => [
          type,
          { type, metadata_field: false, searchable: true, aggregatable: !NOT_AGGREGATABLE.has(type), ...(byType.size > 1 ? { indices } : {}) },
        ]),
      );
    }
    return { status: 200, body: { indices: resolved.indices, fields } };
  }

  #agents(r: Req): Reply {
    const kuery = r.query.get('kuery');
    let agents = this.agents;
    if (kuery !== null) {
      const m = /^policy_id\s*:\s*"([^"]+)"$/.exec(kuery.trim());
      if (m === null) return { status: 400, body: { statusCode: 400, error: 'Bad Request', message: `KQLSyntaxError: ${kuery}` } };
      agents = agents.filter((a) => a.policy_id === m[1]);
    }
    if (r.query.get('showInactive') !== 'true') agents = agents.filter((a) => a.status !== 'inactive' && a.status !== 'unenrolled');
    const perPage = Number(r.query.get('perPage') ?? 20);
    return { status: 200, body: { items: agents.slice(0, perPage).map((a) => ({ ...a, active: true, type: 'PERMANENT' })), total: agents.length, page: 1, perPage } };
  }
}
