/**
 * In-process HTTP test double of Elasticsearch and Kibana, for the provisioning engine's tests.
 * It is not Elastic: it implements, for the APIs the engine calls, the documented behaviour the
 * engine relies on, and enforces it:
 * - authentication on every request (401 without valid credentials; API key or Basic);
 * - Kibana: `kbn-xsrf` on every non-GET request (400 without), space prefix `/s/<space>`;
 *   404 for missing objects, 409 when creating an id that exists, 400 for fields an update API
 *   does not accept (data view `id`, connector type, rule type/consumer/enabled, SLO `id`);
 * - saved objects `_import` (multipart NDJSON, missing references, overwrite) and `_export`
 *   (400 "Error fetching objects to export" with per-object 404s);
 * - ids of data views, saved objects, connectors and rules unique across spaces (409 on create,
 *   404 on read in another space; import regenerates the id of such an object);
 * - Serverless flavour: no ILM API (no handler, as on Serverless), no `_license`, saved-object
 *   CRUD routes internal, `index.lifecycle.*` settings rejected;
 * - rules: the consumer must be one Kibana registers for the rule type (403 "Unauthorized by …");
 * - licence: SLOs and SLO burn-rate rules need platinum/enterprise/trial, and the Slack, PagerDuty,
 *   webhook (and other gold) connector types need gold or better (403 otherwise);
 * - Fleet: packages must be installed before package policies use them, at the installed version;
 *   policies on managed agent policies need `force`; the kubernetes and prometheus packages' inputs,
 *   streams and stream variables must exist (Fleet's "Input not found" / "Stream not found" /
 *   "Variable … not found");
 * - field types (kibana/field-types.ts, kibana/contract/field-types-check.ts): a dashboard, saved
 *   search, SLO or rule that uses a field against its Elasticsearch type (terms on text, percentile
 *   on a keyword, a time field that is no date, a field the data stream does not have) is rejected.
 *   The stack rejects these too, only later: an SLO's transform fails validation at create, a Lens
 *   panel errors when it renders, a rule fails at every run. The double fails at the request, so a
 *   test sees it;
 * - rules report the run a test sets in `ruleRuns` (default: pending, never ran), SLOs the summary
 *   in `sloSummaries` (default: NO_DATA).
 * Servers listen on 127.0.0.1 with ephemeral ports. Faults (status codes) can be injected. Other
 * modules add routes through `route()` (observed-data.ts: data streams, alerts, Fleet agents).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fieldTypeViolations } from '../../kibana/contract/field-types-check.js';
import { formatViolations } from '../../kibana/contract/check.js';
import type { Resource } from '../../model/resources.js';
import { simplifiedInputsError } from './integration-packages.js';

export type Flavour = 'stateful' | 'serverless';

export interface StackDoubleOptions {
  readonly flavour?: Flavour;
  /** `_license` type: basic, gold, platinum, enterprise, trial. */
  readonly licence?: string;
  readonly version?: string;
  readonly apiKey?: string;
  readonly username?: string;
  readonly password?: string;
  /** Agent policy ids that exist already as managed (preconfigured) policies. */
  readonly managedAgentPolicies?: readonly string[];
  /** Indices whose `index.lifecycle.name` names an ILM policy: policy -> index names. */
  readonly ilmPolicyIndices?: Readonly<Record<string, readonly string[]>>;
  /** Agents enrolled per agent policy id (Fleet refuses to delete a policy with agents). */
  readonly enrolledAgents?: Readonly<Record<string, number>>;
  /** Fleet packages available in the registry: name -> latest version. */
  readonly packages?: Readonly<Record<string, string>>;
}

export interface RecordedRequest {
  readonly target: 'elasticsearch' | 'kibana';
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
  /** The route changes state (counted by `writes()`), whatever its outcome. */
  readonly write: boolean;
  status: number;
}

export interface Fault {
  readonly target?: 'elasticsearch' | 'kibana';
  readonly method?: string;
  readonly path: RegExp;
  readonly status: number;
  /** How many matching requests fail (Infinity: all). */
  times: number;
}

export type Json = Record<string, unknown>;
export interface Reply {
  status: number;
  body?: unknown;
  ndjson?: unknown[];
}
export interface Req {
  method: string;
  path: string;
  query: URLSearchParams;
  params: string[];
  raw: string;
  json: unknown;
  contentType: string;
  space: string;
}
export type Handler = (req: Req) => Reply;
interface Route {
  method: string;
  re: RegExp;
  write: boolean;
  handler: Handler;
}

const clone = <T>(v: T): T => structuredClone(v);
const ok = (body: unknown): Reply => ({ status: 200, body });

function esError(status: number, type: string, reason: string): Reply {
  return { status, body: { error: { root_cause: [{ type, reason }], type, reason }, status } };
}
function kbError(status: number, message: string, extra: Json = {}): Reply {
  const error = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 500: 'Internal Server Error', 503: 'Service Unavailable' }[status] ?? 'Error';
  return { status, body: { statusCode: status, error, message, ...extra } };
}
const notFound = (what: string): Reply => kbError(404, `Saved object [${what}] not found`);

/** Uses of fields the stack would reject, in an imported object, SLO or rule body (empty: none). */
function fieldTypeProblems(resource: Resource): string {
  return formatViolations(fieldTypeViolations([resource]));
}

/** Elasticsearch stores settings flat with string values and returns them nested under `index`. */
function normaliseSettings(settings: unknown): Json {
  const flat: Record<string, string> = {};
  const walk = (node: unknown, prefix: string): void => {
    if (node !== null && typeof node === 'object' && !Array.isArray(node)) {
      for (const [k, v] of Object.entries(node)) walk(v, prefix ? `${prefix}.${k}` : k);
    } else if (node !== undefined && node !== null) {
      flat[prefix.startsWith('index.') ? prefix : `index.${prefix}`] = String(node);
    }
  };
  walk(settings, '');
  const nested: Json = {};
  for (const [key, value] of Object.entries(flat)) {
    const parts = key.split('.');
    let node = nested;
    for (const p of parts.slice(0, -1)) node = (node[p] ??= {}) as Json;
    node[parts.at(-1) as string] = value;
  }
  return nested;
}

function parseMultipartFile(contentType: string, raw: string): string | undefined {
  const boundary = /boundary=([^;]+)/.exec(contentType)?.[1];
  if (!boundary) return undefined;
  for (const part of raw.split(`--${boundary}`)) {
    const [head, ...rest] = part.split('\r\n\r\n');
    if (head !== undefined && /name="file"/.test(head)) return rest.join('\r\n\r\n').replace(/\r\n$/, '');
  }
  return undefined;
}

/**
 * The path of the first empty (or blank) string inside a value. Connector create and update validate
 * every value of `config` and `secrets` with `validateEmptyStrings`, recursively (actions plugin
 * `server/lib/validate_empty_strings.ts`, used by the create/update connector body schemas).
 */
function emptyStringIn(value: unknown, path = ''): string | undefined {
  if (typeof value === 'string') return value.trim() === '' ? path : undefined;
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const found = emptyStringIn(v, `${path}[${i}]`);
      if (found !== undefined) return found;
    }
  } else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      const found = emptyStringIn(v, path === '' ? k : `${path}.${k}`);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/**
 * Rule create and update: per-action `frequency` is required unless the rule sets `notify_when` or
 * `throttle`, and forbidden if it does (alerting `rules_client/lib/validate_actions.ts`).
 */
/**
 * Action groups of the rule types this project uses (rule type registrations: custom threshold
 * FIRED_ACTION/NO_DATA_ACTION, `.es-query` ActionGroupId, APM THRESHOLD_MET_GROUP, SLO burn rate
 * ALERT/HIGH/MEDIUM/LOW_PRIORITY_ACTION; each with the recovery group `recovered`, as listed by
 * GET /api/alerting/rule_types). Other rule types are not checked.
 */
const RULE_TYPE_ACTION_GROUPS: Readonly<Record<string, readonly string[]>> = {
  'observability.rules.custom_threshold': ['custom_threshold.fired', 'custom_threshold.nodata', 'recovered'],
  '.es-query': ['query matched', 'recovered'],
  'apm.transaction_duration': ['threshold_met', 'recovered'],
  'apm.transaction_error_rate': ['threshold_met', 'recovered'],
  'apm.error_rate': ['threshold_met', 'recovered'],
  'slo.rules.burnRate': ['slo.burnRate.alert', 'slo.burnRate.high', 'slo.burnRate.medium', 'slo.burnRate.low', 'recovered'],
};

/**
 * The consumers Kibana registers for each Observability rule type: every feature entry is
 * `{ ruleTypeId, consumers: [<feature>, 'alerts', 'observability'] }` (kbn-rule-data-utils
 * `src/rule_types/o11y_alerting_features.ts`, `buildAlertingFeatureEntries`; the custom threshold
 * rule is shared by the Logs and Infrastructure features). Creating a rule with any other consumer
 * is refused by alerting authorization (`getUnauthorizedMessage`), e.g. `stackAlerts` or `metrics`
 * for the custom threshold rule (Kibana's deployment-agnostic custom threshold consumer tests).
 */
export const RULE_TYPE_CONSUMERS: Readonly<Record<string, readonly string[]>> = {
  'observability.rules.custom_threshold': ['logs', 'infrastructure', 'alerts', 'observability'],
  'apm.transaction_duration': ['apm', 'alerts', 'observability'],
  'apm.transaction_error_rate': ['apm', 'alerts', 'observability'],
  'apm.error_rate': ['apm', 'alerts', 'observability'],
  'slo.rules.burnRate': ['slo', 'alerts', 'observability'],
};

function consumerError(ruleTypeId: string, consumer: string): string | undefined {
  const valid = RULE_TYPE_CONSUMERS[ruleTypeId];
  return valid === undefined || valid.includes(consumer) ? undefined : `Unauthorized by "${consumer}" to create "${ruleTypeId}" rule`;
}

/** `validateActions`: an action's group must be one of its rule type's ("Invalid action groups: …"). */
function actionGroupError(ruleTypeId: string, body: Json): string | undefined {
  const groups = RULE_TYPE_ACTION_GROUPS[ruleTypeId];
  if (groups === undefined) return undefined;
  const invalid = ((body.actions ?? []) as Json[]).map((a) => String(a.group)).filter((g) => !groups.includes(g));
  return invalid.length > 0 ? `Failed to validate actions due to the following error: Invalid action groups: ${invalid.join(', ')}` : undefined;
}

function actionFrequencyError(body: Json): string | undefined {
  const actions = (body.actions ?? []) as Json[];
  const ruleLevel = body.notify_when != null || body.throttle != null;
  const groups = (xs: Json[]): string => xs.map((a) => String(a.group)).join(', ');
  const withFrequency = actions.filter((a) => a.frequency !== undefined);
  const without = actions.filter((a) => a.frequency === undefined);
  if (ruleLevel && withFrequency.length > 0) {
    return `Failed to validate actions due to the following error: Cannot specify per-action frequency params when notify_when or throttle are defined at the rule level: ${groups(withFrequency)}`;
  }
  if (!ruleLevel && without.length > 0) return `Failed to validate actions due to the following error: Actions missing frequency parameters: ${groups(without)}`;
  return undefined;
}

class SpaceState {
  dataViews = new Map<string, Json>();
  savedObjects = new Map<string, Json>();
  connectors = new Map<string, Json>();
  slos = new Map<string, Json>();
  rules = new Map<string, Json>();
  agentPolicies = new Map<string, Json>();
  packagePolicies = new Map<string, Json>();
}

/** Merges a mapping update into `live` (in place); the conflict Elasticsearch reports, if any. */
function mergeMapping(live: Json, incoming: Json, prefix: string): string | undefined {
  for (const [key, value] of Object.entries(incoming)) {
    if (key !== 'properties' && key !== 'fields') {
      live[key] = clone(value);
      continue;
    }
    const liveFields = (live[key] ?? (live[key] = {})) as Json;
    for (const [name, field] of Object.entries(value as Json)) {
      const full = prefix === '' ? name : `${prefix}.${name}`;
      const current = liveFields[name] as Json | undefined;
      const f = field as Json;
      if (current === undefined) {
        liveFields[name] = clone(f);
        continue;
      }
      const from = String(current.type ?? 'object');
      const to = String(f.type ?? 'object');
      if (from !== to) return `mapper [${full}] cannot be changed from type [${from}] to [${to}]`;
      const conflict = mergeMapping(current, f, full);
      if (conflict !== undefined) return conflict;
    }
  }
  return undefined;
}

export class StackDouble {
  readonly options: Required<Omit<StackDoubleOptions, 'apiKey' | 'username' | 'password'>> & Pick<StackDoubleOptions, 'apiKey' | 'username' | 'password'>;
  readonly requests: RecordedRequest[] = [];
  readonly faults: Fault[] = [];
  readonly ilm = new Map<string, Json>();
  readonly componentTemplates = new Map<string, Json>();
  readonly pipelines = new Map<string, Json>();
  /** Composable index templates (`index_patterns`, `composed_of`, `data_stream`), as the stack's packages install them. */
  readonly indexTemplates = new Map<string, Json>();
  /** Data streams: the index template that matched them and their backing indices, the write index last. */
  readonly dataStreams = new Map<string, { template: string; indices: Array<{ index_name: string; mappings: Json }> }>();
  readonly installedPackages = new Map<string, string>();
  readonly spaces = new Map<string, SpaceState>();
  /** Rule id -> `execution_status` / `last_run` as Kibana reports them after a run (default: pending, never ran). */
  readonly ruleRuns = new Map<string, Json>();
  /** SLO id -> `summary` (default: NO_DATA). */
  readonly sloSummaries = new Map<string, Json>();
  esUrl = '';
  kibanaUrl = '';
  #servers: Server[] = [];
  #esRoutes: Route[] = [];
  #kbRoutes: Route[] = [];
  licence: string;

  private constructor(options: StackDoubleOptions) {
    this.options = {
      flavour: options.flavour ?? 'stateful',
      licence: options.licence ?? 'trial',
      version: options.version ?? '9.4.3',
      managedAgentPolicies: options.managedAgentPolicies ?? [],
      ilmPolicyIndices: options.ilmPolicyIndices ?? {},
      enrolledAgents: options.enrolledAgents ?? {},
      packages: options.packages ?? { kubernetes: '1.80.0', prometheus: '1.24.1', apm: '9.4.3' },
      apiKey: options.apiKey,
      username: options.username,
      password: options.password,
    };
    this.licence = this.options.licence;
    for (const id of this.options.managedAgentPolicies) {
      this.space('default').agentPolicies.set(id, { id, name: id, namespace: 'default', is_managed: true, revision: 1, status: 'active' });
    }
    this.#registerEs();
    this.#registerKibana();
  }

  static async start(options: StackDoubleOptions = {}): Promise<StackDouble> {
    const double = new StackDouble(options);
    double.esUrl = await double.#listen('elasticsearch');
    double.kibanaUrl = await double.#listen('kibana');
    return double;
  }

  async close(): Promise<void> {
    await Promise.all(this.#servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }

  space(id: string): SpaceState {
    let s = this.spaces.get(id);
    if (s === undefined) {
      s = new SpaceState();
      this.spaces.set(id, s);
    }
    return s;
  }

  /**
   * The other space holding an object of a "multiple-isolated" saved-object type (data views, saved
   * objects, connectors, rules): their raw ids carry no namespace, so an id is unique across spaces
   * (saved-objects repository: a create in another namespace is a 409 conflict, a read there a 404;
   * import turns it into an "unresolvable conflict" and regenerates the id, see
   * src/core/packages/saved-objects/import-export-server-internal/src/import/lib/check_conflicts.ts).
   */
  #elsewhere(store: 'dataViews' | 'savedObjects' | 'connectors' | 'rules', key: string, space: string): string | undefined {
    return [...this.spaces].find(([id, s]) => id !== space && s[store].has(key))?.[0];
  }

  /**
   * A data stream as Fleet's packages create them: matched by `template` (an index template
   * composing `<template>@custom`, added if absent) with `backingIndices` indices of `mappings`.
   */
  addDataStream(name: string, options: { template: string; mappings: Json; backingIndices?: number; priority?: number }): void {
    if (!this.indexTemplates.has(options.template)) {
      this.indexTemplates.set(options.template, {
        index_patterns: [`${options.template}-*`],
        composed_of: [`${options.template}@package`, `${options.template}@custom`],
        ignore_missing_component_templates: [`${options.template}@custom`],
        data_stream: { hidden: false, allow_custom_routing: false },
        priority: options.priority ?? 200,
      });
    }
    const count = options.backingIndices ?? 2;
    const indices = Array.from({ length: count }, (_, i) => ({ index_name: `.ds-${name}-2026.01.0${i + 1}-00000${i + 1}`, mappings: clone(options.mappings) }));
    this.dataStreams.set(name, { template: options.template, indices });
  }

  /** Requests to state-changing routes, received since `since` (an index into `requests`). */
  writes(since = 0): RecordedRequest[] {
    return this.requests.slice(since).filter((r) => r.write);
  }

  inject(fault: Fault): void {
    this.faults.push(fault);
  }

  get #gold(): boolean {
    return this.#platinum || this.licence === 'gold';
  }

  /** Adds a route ahead of the built-in ones (modules that extend the double, e.g. observed-data.ts). */
  route(target: 'elasticsearch' | 'kibana', method: string, re: RegExp, write: boolean, handler: Handler): void {
    (target === 'elasticsearch' ? this.#esRoutes : this.#kbRoutes).unshift({ method, re, write, handler });
  }

  get #platinum(): boolean {
    return this.options.flavour === 'serverless' || ['platinum', 'enterprise', 'trial'].includes(this.licence);
  }

  #listen(target: 'elasticsearch' | 'kibana'): Promise<string> {
    const server = createServer((req, res) => void this.#handle(target, req, res));
    this.#servers.push(server);
    return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
  }

  #authorised(header: string | undefined): boolean {
    if (header === undefined) return false;
    if (this.options.apiKey !== undefined && header === `ApiKey ${this.options.apiKey}`) return true;
    if (this.options.username !== undefined && this.options.password !== undefined) {
      return header === `Basic ${Buffer.from(`${this.options.username}:${this.options.password}`).toString('base64')}`;
    }
    return false;
  }

  async #handle(target: 'elasticsearch' | 'kibana', req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://double');
    const method = (req.method ?? 'GET').toUpperCase();
    let path = url.pathname;
    let space = 'default';
    if (target === 'kibana') {
      const m = /^\/s\/([^/]+)(\/.*)$/.exec(path);
      if (m) {
        space = m[1] as string;
        path = m[2] as string;
      }
    }
    const routes = target === 'elasticsearch' ? this.#esRoutes : this.#kbRoutes;
    let params: string[] = [];
    const route = routes.find((r) => {
      if (r.method !== method) return false;
      const m = r.re.exec(path);
      if (m) params = m.slice(1).map((p) => decodeURIComponent(p));
      return m !== null;
    });
    const record: RecordedRequest = { target, method, path: url.pathname + url.search, headers: req.headers, body: raw, write: route?.write ?? false, status: 0 };
    this.requests.push(record);

    const send = (reply: Reply): void => {
      record.status = reply.status;
      const headers: Record<string, string> = {};
      if (target === 'elasticsearch') headers['x-elastic-product'] = 'Elasticsearch';
      // Kibana names itself on every response (elastic/kibana
      // src/core/packages/http/server-internal/src/lifecycle_handlers.ts, createCustomHeadersPreResponseHandler).
      if (target === 'kibana') headers['kbn-name'] = 'kibana';
      if (reply.ndjson !== undefined) {
        headers['content-type'] = 'application/ndjson';
        res.writeHead(reply.status, headers).end(reply.ndjson.map((o) => JSON.stringify(o)).join('\n'));
        return;
      }
      headers['content-type'] = 'application/json';
      if (reply.status === 401) headers['www-authenticate'] = target === 'elasticsearch' ? 'ApiKey, Basic realm="security"' : 'Basic realm="kibana"';
      res.writeHead(reply.status, headers).end(reply.body === undefined ? '' : JSON.stringify(reply.body));
    };

    if (!this.#authorised(req.headers.authorization)) {
      send(target === 'elasticsearch' ? esError(401, 'security_exception', 'missing authentication credentials for REST request') : kbError(401, '[security_exception]: unable to authenticate user'));
      return;
    }
    const fault = this.faults.find((f) => f.times > 0 && (f.target === undefined || f.target === target) && (f.method === undefined || f.method === method) && f.path.test(url.pathname));
    if (fault !== undefined) {
      fault.times--;
      send(target === 'elasticsearch' ? esError(fault.status, 'injected_fault', 'injected by the test double') : kbError(fault.status, 'injected by the test double'));
      return;
    }
    if (target === 'kibana' && method !== 'GET' && req.headers['kbn-xsrf'] === undefined) {
      send(kbError(400, 'Request must contain a kbn-xsrf header.'));
      return;
    }
    if (route === undefined) {
      send(
        target === 'elasticsearch'
          ? { status: 400, body: { error: `no handler found for uri [${url.pathname}] and method [${method}]` } }
          : kbError(404, 'Not Found'),
      );
      return;
    }
    let json: unknown;
    const contentType = String(req.headers['content-type'] ?? '');
    if (raw !== '' && contentType.includes('json')) {
      try {
        json = JSON.parse(raw);
      } catch {
        send(target === 'elasticsearch' ? esError(400, 'parse_exception', 'request body is not JSON') : kbError(400, 'Invalid JSON'));
        return;
      }
    }
    try {
      send(route.handler({ method, path, query: url.searchParams, params, raw, json, contentType, space }));
    } catch (err) {
      send(kbError(500, String(err)));
    }
  }

  /**
   * Index templates, data streams and mapping updates (elastic/elasticsearch, server/src/main/java/
   * org/elasticsearch/index/mapper/FieldMapper.java): a mapping update merges into the existing
   * mapping; a field's type cannot change ("mapper [f] cannot be changed from type [a] to [b]",
   * checkIncomingMergeType), a new multi-field is added and an existing one merged
   * (MultiFields.Builder.update). Other parameters are taken as updateable (as `ignore_above` is).
   * The update is all or nothing across its target indices; `write_index_only=true` targets a data
   * stream's write index only (RestPutMappingAction).
   */
  #registerDataStreams(): void {
    this.#es('GET', /^\/_index_template$/, false, () =>
      ok({ index_templates: [...this.indexTemplates].map(([name, t]) => ({ name, index_template: clone(t) })) }),
    );
    const matches = (pattern: string, name: string): boolean => new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(name);
    this.#es('GET', /^\/_data_stream\/([^/]+)$/, false, ({ params: [expr] }) => {
      const found: Json[] = [];
      for (const part of String(expr).split(',')) {
        const hits = [...this.dataStreams].filter(([name]) => matches(part, name));
        if (hits.length === 0 && !part.includes('*')) return esError(404, 'index_not_found_exception', `no such index [${part}]`);
        for (const [name, d] of hits) {
          if (found.some((f) => f.name === name)) continue;
          found.push({ name, template: d.template, generation: d.indices.length, status: 'GREEN', timestamp_field: { name: '@timestamp' }, indices: d.indices.map((i) => ({ index_name: i.index_name, index_uuid: `uuid-${i.index_name}` })) });
        }
      }
      return ok({ data_streams: found });
    });
    const backing = (target: string): Array<{ index_name: string; mappings: Json }> | undefined => {
      const ds = this.dataStreams.get(target);
      if (ds !== undefined) return ds.indices;
      const index = [...this.dataStreams.values()].flatMap((d) => d.indices).find((i) => i.index_name === target);
      return index === undefined ? undefined : [index];
    };
    this.#es('GET', /^\/([^_/][^/]*)\/_mapping$/, false, ({ params: [target] }) => {
      const indices = backing(String(target));
      if (indices === undefined) return esError(404, 'index_not_found_exception', `no such index [${target}]`);
      return ok(Object.fromEntries(indices.map((i) => [i.index_name, { mappings: clone(i.mappings) }])));
    });
    this.#es('PUT', /^\/([^_/][^/]*)\/_mapping$/, true, ({ params: [target], query, json }) => {
      const all = backing(String(target));
      if (all === undefined) return esError(404, 'index_not_found_exception', `no such index [${target}]`);
      const indices = query.get('write_index_only') === 'true' ? all.slice(-1) : all;
      const merged: Json[] = [];
      for (const index of indices) {
        const next = clone(index.mappings);
        const conflict = mergeMapping(next, (json ?? {}) as Json, '');
        if (conflict !== undefined) return esError(400, 'illegal_argument_exception', conflict);
        merged.push(next);
      }
      indices.forEach((index, i) => (index.mappings = merged[i] as Json));
      return ok({ acknowledged: true });
    });
  }

  #es(method: string, re: RegExp, write: boolean, handler: Handler): void {
    this.#esRoutes.push({ method, re, write, handler });
  }
  #kb(method: string, re: RegExp, write: boolean, handler: Handler): void {
    this.#kbRoutes.push({ method, re, write, handler });
  }

  // ------------------------------------------------------------------ Elasticsearch

  #registerEs(): void {
    const serverless = this.options.flavour === 'serverless';
    this.#es('GET', /^\/$/, false, () =>
      ok({
        name: 'double',
        cluster_name: 'double',
        version: { number: this.options.version, build_flavor: serverless ? 'serverless' : 'default' },
        tagline: 'You Know, for Search',
      }),
    );
    if (!serverless) {
      this.#es('GET', /^\/_license$/, false, () => ok({ license: { status: 'active', type: this.licence, uid: 'double' } }));
      this.#es('GET', /^\/_ilm\/policy$/, false, () => ok(Object.fromEntries([...this.ilm].map(([k, v]) => [k, this.#ilmView(v)]))));
      this.#es('GET', /^\/_ilm\/policy\/([^/]+)$/, false, ({ params: [name] }) => {
        const p = this.ilm.get(name as string);
        return p === undefined ? esError(404, 'resource_not_found_exception', `Lifecycle policy not found: ${name}`) : ok({ [name as string]: this.#ilmView(p) });
      });
      this.#es('PUT', /^\/_ilm\/policy\/([^/]+)$/, true, ({ params: [name], json }) => {
        const policy = (json as Json | undefined)?.policy as Json | undefined;
        if (policy === undefined || typeof policy.phases !== 'object') return esError(400, 'x_content_parse_exception', 'required [phases]');
        const prev = this.ilm.get(name as string);
        this.ilm.set(name as string, { policy: clone(policy), version: ((prev?.version as number) ?? 0) + 1 });
        return ok({ acknowledged: true });
      });
      // A policy that indices use cannot be deleted (x-pack/plugin/ilm/.../TransportDeleteLifecycleAction.java).
      this.#es('DELETE', /^\/_ilm\/policy\/([^/]+)$/, true, ({ params: [name] }) => {
        const using = this.options.ilmPolicyIndices[name as string] ?? [];
        if (using.length > 0 && this.ilm.has(name as string)) {
          return esError(400, 'illegal_argument_exception', `Cannot delete policy [${name}]. It is in use by one or more indices: [${using.join(', ')}]`);
        }
        if (!this.ilm.delete(name as string)) return esError(404, 'resource_not_found_exception', `Lifecycle policy not found: ${name}`);
        return ok({ acknowledged: true });
      });
    }

    this.#es('GET', /^\/_component_template$/, false, () => ok({ component_templates: [...this.componentTemplates].map(([name, t]) => ({ name, component_template: clone(t) })) }));
    this.#es('GET', /^\/_component_template\/([^/]+)$/, false, ({ params: [name] }) => {
      const t = this.componentTemplates.get(name as string);
      return t === undefined
        ? esError(404, 'resource_not_found_exception', `component template matching [${name}] not found`)
        : ok({ component_templates: [{ name, component_template: clone(t) }] });
    });
    // PUT replaces the whole component template (elastic/elasticsearch
    // server/src/main/java/org/elasticsearch/cluster/metadata/MetadataIndexTemplateService.java,
    // addComponentTemplate: the new template is stored in place of the old one, nothing is merged).
    // The body parser is strict (ComponentTemplate.PARSER, ignoreUnknownFields false): it knows
    // template, version, _meta, deprecated and the server's created/modified_date_millis.
    const CT_FIELDS = new Set(['template', 'version', '_meta', 'deprecated', 'created_date_millis', 'modified_date_millis']);
    this.#es('PUT', /^\/_component_template\/([^/]+)$/, true, ({ params: [name], json }) => {
      const body = (json ?? {}) as Json;
      const unknown = Object.keys(body).find((k) => !CT_FIELDS.has(k));
      if (unknown !== undefined) return esError(400, 'x_content_parse_exception', `[component_template] unknown field [${unknown}]`);
      const template = (body.template ?? {}) as Json;
      if (template.settings !== undefined) {
        const settings = normaliseSettings(template.settings);
        if (serverless && JSON.stringify(settings).includes('"lifecycle"')) {
          return esError(400, 'illegal_argument_exception', 'Settings [index.lifecycle.name] are not available when running in serverless mode');
        }
        template.settings = settings;
      }
      if (template.lifecycle !== undefined) template.lifecycle = { enabled: true, ...(template.lifecycle as Json) };
      const { created_date_millis: _c, modified_date_millis: _m, ...content } = body;
      const created = (this.componentTemplates.get(name as string)?.created_date_millis as number | undefined) ?? 1767225600000;
      this.componentTemplates.set(name as string, { ...content, template, created_date_millis: created, modified_date_millis: created + this.requests.length });
      return ok({ acknowledged: true });
    });
    this.#registerDataStreams();
    this.#es('DELETE', /^\/_component_template\/([^/]+)$/, true, ({ params: [name] }) => {
      if (!this.componentTemplates.delete(name as string)) return esError(404, 'resource_not_found_exception', `component template matching [${name}] not found`);
      return ok({ acknowledged: true });
    });

    this.#es('GET', /^\/_ingest\/pipeline$/, false, () => ok(Object.fromEntries(this.pipelines)));
    this.#es('GET', /^\/_ingest\/pipeline\/([^/]+)$/, false, ({ params: [id] }) => {
      const p = this.pipelines.get(id as string);
      return p === undefined ? { status: 404, body: {} } : ok({ [id as string]: clone(p) });
    });
    this.#es('PUT', /^\/_ingest\/pipeline\/([^/]+)$/, true, ({ params: [id], json }) => {
      this.pipelines.set(id as string, clone((json ?? {}) as Json));
      return ok({ acknowledged: true });
    });
    this.#es('DELETE', /^\/_ingest\/pipeline\/([^/]+)$/, true, ({ params: [id] }) => {
      if (!this.pipelines.delete(id as string)) return esError(404, 'resource_not_found_exception', `pipeline [${id}] is missing`);
      return ok({ acknowledged: true });
    });
  }

  /** GET _ilm/policy adds defaults and bookkeeping the request did not carry. */
  #ilmView(stored: Json): Json {
    const policy = clone(stored.policy) as Json & { phases: Record<string, Json> };
    for (const phase of Object.values(policy.phases)) {
      phase.min_age ??= '0ms';
      const actions = phase.actions as Json | undefined;
      if (actions?.delete !== undefined) actions.delete = { delete_searchable_snapshot: true, ...(actions.delete as Json) };
    }
    return { version: stored.version, modified_date: '2026-01-01T00:00:00.000Z', policy, in_use_by: { indices: [], data_streams: [], composable_templates: [] } };
  }

  // ------------------------------------------------------------------ Kibana

  #registerKibana(): void {
    const serverless = this.options.flavour === 'serverless';
    this.#kb('GET', /^\/api\/status$/, false, () =>
      ok({ name: 'double', version: { number: this.options.version, build_flavor: serverless ? 'serverless' : 'traditional' }, status: { overall: { level: 'available' } } }),
    );

    // Data views
    const DV_UPDATE_KEYS = new Set(['title', 'type', 'typeMeta', 'timeFieldName', 'sourceFilters', 'fields', 'fieldFormats', 'runtimeFieldMap', 'fieldAttrs', 'allowNoIndex', 'name', 'allowHidden']);
    const dvView = (dv: Json): Json => ({ data_view: { ...clone(dv), version: 'WzEsMV0=', fields: {}, sourceFilters: [], typeMeta: {}, allowHidden: false, namespaces: ['default'] } });
    this.#kb('GET', /^\/api\/data_views$/, false, (r) => ok({ data_view: [...this.space(r.space).dataViews.values()].map((d) => ({ id: d.id, title: d.title, name: d.name })) }));
    this.#kb('POST', /^\/api\/data_views\/data_view$/, true, (r) => {
      const dv = ((r.json ?? {}) as Json).data_view as Json | undefined;
      if (dv === undefined || typeof dv.title !== 'string') return kbError(400, '[request body.data_view.title]: expected value of type [string]');
      const id = String(dv.id ?? `generated-${this.requests.length}`);
      if (this.space(r.space).dataViews.has(id) || this.#elsewhere('dataViews', id, r.space) !== undefined) return kbError(409, `Saved object [index-pattern/${id}] conflict`);
      this.space(r.space).dataViews.set(id, { ...clone(dv), id });
      return ok(dvView({ ...dv, id }));
    });
    this.#kb('GET', /^\/api\/data_views\/data_view\/([^/]+)$/, false, (r) => {
      const dv = this.space(r.space).dataViews.get(r.params[0] as string);
      return dv === undefined ? notFound(`index-pattern/${r.params[0]}`) : ok(dvView(dv));
    });
    this.#kb('POST', /^\/api\/data_views\/data_view\/([^/]+)$/, true, (r) => {
      const store = this.space(r.space).dataViews;
      const dv = store.get(r.params[0] as string);
      if (dv === undefined) return notFound(`index-pattern/${r.params[0]}`);
      const update = ((r.json ?? {}) as Json).data_view as Json | undefined;
      if (update === undefined) return kbError(400, '[request body.data_view]: expected value of type [object]');
      const bad = Object.keys(update).filter((k) => !DV_UPDATE_KEYS.has(k));
      if (bad.length > 0) return kbError(400, `[request body.data_view.${bad[0]}]: definition for this key is missing`);
      store.set(r.params[0] as string, { ...dv, ...clone(update) });
      return ok(dvView(store.get(r.params[0] as string) as Json));
    });
    this.#kb('DELETE', /^\/api\/data_views\/data_view\/([^/]+)$/, true, (r) =>
      this.space(r.space).dataViews.delete(r.params[0] as string) ? { status: 200 } : notFound(`index-pattern/${r.params[0]}`),
    );

    // Saved objects
    const soKey = (type: string, id: string): string => `${type}:${id}`;
    const exported = (o: Json): Json => ({
      ...clone(o),
      attributes: { ...(clone(o.attributes) as Json), ...(o.type === 'search' ? { grid: {}, hideChart: false, isTextBasedQuery: false } : {}) },
      updated_at: '2026-01-01T00:00:00.000Z',
      created_at: '2026-01-01T00:00:00.000Z',
      version: 'WzEsMV0=',
      managed: false,
      coreMigrationVersion: '8.8.0',
    });
    this.#kb('POST', /^\/api\/saved_objects\/_import$/, true, (r) => {
      const file = parseMultipartFile(r.contentType, r.raw);
      if (file === undefined) return kbError(400, '[request body.file]: expected value of type [Stream] but got [undefined]');
      const objects = file.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Json);
      const overwrite = r.query.get('overwrite') === 'true';
      const store = this.space(r.space).savedObjects;
      const inFile = new Set(objects.map((o) => soKey(String(o.type), String(o.id))));
      const errors: Json[] = [];
      const success: Json[] = [];
      for (const o of objects) {
        const key = soKey(String(o.type), String(o.id));
        const missing = ((o.references ?? []) as Array<{ type: string; id: string }>).filter((ref) => {
          const k = soKey(ref.type, ref.id);
          if (inFile.has(k) || store.has(k)) return false;
          return !(ref.type === 'index-pattern' && this.space(r.space).dataViews.has(ref.id));
        });
        const problems = ['dashboard', 'search'].includes(String(o.type))
          ? fieldTypeProblems({
              kind: 'kibana.saved_object',
              type: o.type as 'dashboard' | 'search',
              id: String(o.id),
              title: String((o.attributes as Json | undefined)?.title ?? o.id),
              attributes: (o.attributes ?? {}) as Json,
              references: (o.references ?? []) as Array<{ type: string; id: string; name: string }>,
            })
          : '';
        if (missing.length > 0) {
          errors.push({ id: o.id, type: o.type, error: { type: 'missing_references', references: missing.map((m) => ({ type: m.type, id: m.id })) } });
        } else if (problems !== '') {
          errors.push({ id: o.id, type: o.type, error: { type: 'unknown', message: `field types: ${problems}`, statusCode: 400 } });
        } else if (store.has(key) && !overwrite) {
          errors.push({ id: o.id, type: o.type, error: { type: 'conflict' } });
        } else if (!store.has(key) && this.#elsewhere('savedObjects', key, r.space) !== undefined) {
          const destinationId = `copy-${this.requests.length}-${String(o.id)}`;
          store.set(soKey(String(o.type), destinationId), { ...clone(o), id: destinationId });
          success.push({ type: o.type, id: o.id, meta: { title: (o.attributes as Json | undefined)?.title }, destinationId });
        } else {
          store.set(key, clone(o));
          success.push({ type: o.type, id: o.id, meta: { title: (o.attributes as Json | undefined)?.title }, ...(overwrite ? { overwrite: true } : {}) });
        }
      }
      return ok({ success: errors.length === 0, successCount: success.length, successResults: success, ...(errors.length > 0 ? { errors } : {}) });
    });
    this.#kb('POST', /^\/api\/saved_objects\/_export$/, false, (r) => {
      const body = (r.json ?? {}) as { objects?: Array<{ type: string; id: string }>; type?: string | string[] };
      const store = this.space(r.space).savedObjects;
      if (body.objects !== undefined) {
        const missing = body.objects.filter((o) => !store.has(soKey(o.type, o.id)));
        if (missing.length > 0) {
          return kbError(400, 'Error fetching objects to export', {
            attributes: {
              objects: missing.map((m) => ({ id: m.id, type: m.type, error: { statusCode: 404, error: 'Not Found', message: `Saved object [${m.type}/${m.id}] not found` } })),
            },
          });
        }
        return { status: 200, ndjson: body.objects.map((o) => exported(store.get(soKey(o.type, o.id)) as Json)) };
      }
      const types = new Set(Array.isArray(body.type) ? body.type : body.type !== undefined ? [body.type] : []);
      if (types.size === 0) return kbError(400, 'Either `type` or `objects` are required.');
      return { status: 200, ndjson: [...store.values()].filter((o) => types.has(String(o.type))).map(exported) };
    });
    if (!serverless) {
      this.#kb('GET', /^\/api\/saved_objects\/([^/_][^/]*)\/([^/]+)$/, false, (r) => {
        const o = this.space(r.space).savedObjects.get(soKey(r.params[0] as string, r.params[1] as string));
        return o === undefined ? notFound(`${r.params[0]}/${r.params[1]}`) : ok(exported(o));
      });
      this.#kb('DELETE', /^\/api\/saved_objects\/([^/_][^/]*)\/([^/]+)$/, true, (r) =>
        this.space(r.space).savedObjects.delete(soKey(r.params[0] as string, r.params[1] as string)) ? ok({}) : notFound(`${r.params[0]}/${r.params[1]}`),
      );
    }

    // Connectors
    const connectorView = (c: Json): Json => {
      const { secrets: _secrets, ...rest } = clone(c);
      return { ...rest, is_preconfigured: false, is_deprecated: false, is_missing_secrets: false, is_system_action: false };
    };
    this.#kb('GET', /^\/api\/actions\/connectors$/, false, (r) => ok([...this.space(r.space).connectors.values()].map((c) => ({ ...connectorView(c), referenced_by_count: 0 }))));
    // Connector types a Basic licence does not allow: `minimumLicenseRequired: 'gold'` in
    // x-pack/platform/plugins/shared/stack_connectors/server/connector_types/{slack,pagerduty,webhook}/index.ts
    // (.email, .jira, .opsgenie, .servicenow: the same, and 403 on basic in Kibana's licence FTR suites)
    // (.server-log and .index are 'basic'); the actions plugin's license state answers 403 with this message.
    const GOLD_CONNECTOR_TYPES = new Set(['.slack', '.pagerduty', '.webhook', '.email', '.jira', '.opsgenie', '.servicenow']);
    this.#kb('POST', /^\/api\/actions\/connector\/([^/]+)$/, true, (r) => {
      const id = r.params[0] as string;
      const body = (r.json ?? {}) as Json;
      if (typeof body.connector_type_id !== 'string' || typeof body.name !== 'string') return kbError(400, '[request body.connector_type_id]: expected value of type [string]');
      const empty = emptyStringIn({ config: body.config, secrets: body.secrets });
      if (empty !== undefined) return kbError(400, `[request body.${empty}]: value '' is not valid`);
      if (GOLD_CONNECTOR_TYPES.has(body.connector_type_id) && !this.#gold) {
        return kbError(403, `Action type ${body.connector_type_id} is disabled because your ${this.licence} license does not support it. Please upgrade your license.`);
      }
      if (this.space(r.space).connectors.has(id) || this.#elsewhere('connectors', id, r.space) !== undefined) return kbError(409, `Saved object [action/${id}] conflict`);
      this.space(r.space).connectors.set(id, { id, ...clone(body), config: body.config ?? {} });
      return ok(connectorView(this.space(r.space).connectors.get(id) as Json));
    });
    this.#kb('PUT', /^\/api\/actions\/connector\/([^/]+)$/, true, (r) => {
      const store = this.space(r.space).connectors;
      const c = store.get(r.params[0] as string);
      if (c === undefined) return notFound(`action/${r.params[0]}`);
      const body = (r.json ?? {}) as Json;
      const bad = Object.keys(body).filter((k) => !['name', 'config', 'secrets'].includes(k));
      if (bad.length > 0) return kbError(400, `[request body.${bad[0]}]: definition for this key is missing`);
      const emptyValue = emptyStringIn({ config: body.config, secrets: body.secrets });
      if (emptyValue !== undefined) return kbError(400, `[request body.${emptyValue}]: value '' is not valid`);
      store.set(r.params[0] as string, { ...c, ...clone(body) });
      return ok(connectorView(store.get(r.params[0] as string) as Json));
    });
    this.#kb('GET', /^\/api\/actions\/connector\/([^/]+)$/, false, (r) => {
      const c = this.space(r.space).connectors.get(r.params[0] as string);
      return c === undefined ? notFound(`action/${r.params[0]}`) : ok(connectorView(c));
    });
    this.#kb('DELETE', /^\/api\/actions\/connector\/([^/]+)$/, true, (r) =>
      this.space(r.space).connectors.delete(r.params[0] as string) ? { status: 204 } : notFound(`action/${r.params[0]}`),
    );

    // SLOs (platinum)
    // Every SLO route (find, get, create, update, delete) starts with assertPlatinumLicense
    // (x-pack/solutions/observability/plugins/slo/server/routes/slo/utils/assert_platinum_license.ts).
    const licenceError = (): Reply => kbError(403, 'Platinum license or higher is needed to make use of this feature.');
    const sloView = (s: Json): Json => ({
      ...clone(s),
      settings: { syncDelay: '1m', frequency: '1m', preventInitialBackfill: false, ...(s.settings as Json | undefined) },
      groupBy: s.groupBy ?? '*',
      revision: 1,
      enabled: true,
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
      version: 2,
      instanceId: '*',
      summary: clone(this.sloSummaries.get(String(s.id)) ?? { status: 'NO_DATA', sliValue: -1, errorBudget: { initial: 0.01, consumed: 0, remaining: 1, isEstimated: false } }),
    });
    this.#kb('GET', /^\/api\/observability\/slos$/, false, (r) => {
      if (!this.#platinum) return licenceError();
      const all = [...this.space(r.space).slos.values()].map(sloView);
      const page = Number(r.query.get('page') ?? 1);
      const perPage = Number(r.query.get('perPage') ?? 25);
      return ok({ page, perPage, total: all.length, results: all.slice((page - 1) * perPage, page * perPage) });
    });
    this.#kb('POST', /^\/api\/observability\/slos$/, true, (r) => {
      if (!this.#platinum) return licenceError();
      const body = (r.json ?? {}) as Json;
      // sloIdSchema (x-pack/platform/packages/shared/kbn-slo-schema, schema/slo.ts): 8 to 48 letters, digits, '-' and '_'.
      if (body.id !== undefined && !/^[a-zA-Z0-9_-]{8,48}$/.test(String(body.id))) {
        return kbError(400, `[request body]: Invalid slo id, must be between 8 and 48 characters and contain only letters, numbers, hyphens, and underscores`);
      }
      const id = String(body.id ?? `generated-${this.requests.length}`);
      const sloProblems = fieldTypeProblems({ kind: 'kibana.slo', id, title: String(body.name ?? id), body: body as never });
      if (sloProblems !== '') return kbError(400, `Invalid SLO indicator: ${sloProblems}`);
      if (this.space(r.space).slos.has(id)) return kbError(409, `SLO [${id}] already exists`);
      this.space(r.space).slos.set(id, { ...clone(body), id });
      return ok({ id });
    });
    this.#kb('GET', /^\/api\/observability\/slos\/([^/]+)$/, false, (r) => {
      if (!this.#platinum) return licenceError();
      const s = this.space(r.space).slos.get(r.params[0] as string);
      return s === undefined ? kbError(404, `SLO [${r.params[0]}] not found`) : ok(sloView(s));
    });
    this.#kb('PUT', /^\/api\/observability\/slos\/([^/]+)$/, true, (r) => {
      if (!this.#platinum) return licenceError();
      const store = this.space(r.space).slos;
      const s = store.get(r.params[0] as string);
      if (s === undefined) return kbError(404, `SLO [${r.params[0]}] not found`);
      const body = (r.json ?? {}) as Json;
      if ('id' in body) return kbError(400, '[request body.id]: definition for this key is missing');
      const sloProblems = fieldTypeProblems({ kind: 'kibana.slo', id: String(r.params[0]), title: String(body.name ?? r.params[0]), body: { ...s, ...body } as never });
      if (sloProblems !== '') return kbError(400, `Invalid SLO indicator: ${sloProblems}`);
      store.set(r.params[0] as string, { ...s, ...clone(body) });
      return ok(sloView(store.get(r.params[0] as string) as Json));
    });
    this.#kb('DELETE', /^\/api\/observability\/slos\/([^/]+)$/, true, (r) => {
      if (!this.#platinum) return licenceError();
      return this.space(r.space).slos.delete(r.params[0] as string) ? { status: 204 } : kbError(404, `SLO [${r.params[0]}] not found`);
    });

    // Rules
    const PLATINUM_RULE_TYPES = new Set(['slo.rules.burnRate']);
    const ruleView = (x: Json): Json => ({
      ...clone(x),
      enabled: x.enabled ?? true,
      mute_all: false,
      muted_alert_ids: [],
      revision: 0,
      api_key_owner: 'double',
      created_by: 'double',
      execution_status: { status: 'pending', last_execution_date: '2026-01-01T00:00:00.000Z' },
      ...clone(this.ruleRuns.get(String(x.id)) ?? {}),
      actions: ((x.actions ?? []) as Json[]).map((a, i) => ({ ...a, uuid: `uuid-${i}`, connector_type_id: '.server-log' })),
      tags: x.tags ?? [],
    });
    this.#kb('GET', /^\/api\/alerting\/rules\/_find$/, false, (r) => {
      const all = [...this.space(r.space).rules.values()].map(ruleView);
      const page = Number(r.query.get('page') ?? 1);
      const perPage = Number(r.query.get('per_page') ?? 10);
      return ok({ page, per_page: perPage, total: all.length, data: all.slice((page - 1) * perPage, page * perPage) });
    });
    this.#kb('POST', /^\/api\/alerting\/rule\/([^/]+)$/, true, (r) => {
      const id = r.params[0] as string;
      const body = (r.json ?? {}) as Json;
      for (const k of ['name', 'rule_type_id', 'consumer', 'schedule', 'params']) {
        if (body[k] === undefined) return kbError(400, `[request body.${k}]: expected value of type [string] but got [undefined]`);
      }
      const ruleProblems = fieldTypeProblems({ kind: 'kibana.rule', id, title: String(body.name), body: body as never });
      if (ruleProblems !== '') return kbError(400, `Error validating rule params: ${ruleProblems}`);
      const unauthorized = consumerError(String(body.rule_type_id), String(body.consumer));
      if (unauthorized !== undefined) return kbError(403, unauthorized);
      if (PLATINUM_RULE_TYPES.has(String(body.rule_type_id)) && !this.#platinum) {
        return kbError(403, `Rule type "${String(body.rule_type_id)}" is disabled because your basic license does not support it.`);
      }
      const frequencyError = actionGroupError(String(body.rule_type_id), body) ?? actionFrequencyError(body);
      if (frequencyError !== undefined) return kbError(400, frequencyError);
      for (const a of (body.actions ?? []) as Json[]) {
        if (!this.space(r.space).connectors.has(String(a.id))) return kbError(400, `Failed to load action ${String(a.id)}: Saved object [action/${String(a.id)}] not found`);
      }
      if (this.space(r.space).rules.has(id) || this.#elsewhere('rules', id, r.space) !== undefined) return kbError(409, `Saved object [alert/${id}] conflict`);
      this.space(r.space).rules.set(id, { id, ...clone(body) });
      return ok(ruleView(this.space(r.space).rules.get(id) as Json));
    });
    this.#kb('PUT', /^\/api\/alerting\/rule\/([^/]+)$/, true, (r) => {
      const store = this.space(r.space).rules;
      const x = store.get(r.params[0] as string);
      if (x === undefined) return notFound(`alert/${r.params[0]}`);
      const body = (r.json ?? {}) as Json;
      const bad = Object.keys(body).filter((k) => !['name', 'schedule', 'params', 'actions', 'tags', 'throttle', 'notify_when', 'artifacts', 'flapping', 'alert_delay'].includes(k));
      if (bad.length > 0) return kbError(400, `[request body.${bad[0]}]: definition for this key is missing`);
      const ruleProblems = fieldTypeProblems({ kind: 'kibana.rule', id: String(r.params[0]), title: String(body.name ?? x.name), body: { ...x, ...body } as never });
      if (ruleProblems !== '') return kbError(400, `Error validating rule params: ${ruleProblems}`);
      const frequencyError = actionGroupError(String(x.rule_type_id), body) ?? actionFrequencyError(body);
      if (frequencyError !== undefined) return kbError(400, frequencyError);
      store.set(r.params[0] as string, { ...x, ...clone(body) });
      return ok(ruleView(store.get(r.params[0] as string) as Json));
    });
    this.#kb('GET', /^\/api\/alerting\/rule\/([^/]+)$/, false, (r) => {
      const x = this.space(r.space).rules.get(r.params[0] as string);
      return x === undefined ? notFound(`alert/${r.params[0]}`) : ok(ruleView(x));
    });
    this.#kb('DELETE', /^\/api\/alerting\/rule\/([^/]+)$/, true, (r) =>
      this.space(r.space).rules.delete(r.params[0] as string) ? { status: 204 } : notFound(`alert/${r.params[0]}`),
    );
    for (const [action, enabled] of [['_enable', true], ['_disable', false]] as const) {
      this.#kb('POST', new RegExp(`^/api/alerting/rule/([^/]+)/${action}$`), true, (r) => {
        const x = this.space(r.space).rules.get(r.params[0] as string);
        if (x === undefined) return notFound(`alert/${r.params[0]}`);
        x.enabled = enabled;
        return { status: 204 };
      });
    }

    // Fleet
    this.#kb('GET', /^\/api\/fleet\/epm\/packages\/([^/]+)$/, false, (r) => {
      const name = r.params[0] as string;
      const latest = this.options.packages[name];
      if (latest === undefined) return kbError(404, `[${name}] package not found in registry`);
      const installed = this.installedPackages.get(name);
      return ok({
        item: {
          name,
          version: latest,
          status: installed !== undefined ? 'installed' : 'not_installed',
          ...(installed !== undefined ? { installationInfo: { version: installed } } : {}),
        },
      });
    });
    this.#kb('POST', /^\/api\/fleet\/epm\/packages\/([^/]+)\/([^/]+)$/, true, (r) => {
      const [name, version] = r.params as [string, string];
      if (this.options.packages[name] !== version) return kbError(400, `${name}-${version} not found in the package registry`);
      this.installedPackages.set(name, version);
      return ok({ items: [], _meta: { install_source: 'registry' } });
    });
    const agentPolicyView = (p: Json): Json => ({ ...clone(p), status: 'active', revision: 1, updated_at: '2026-01-01T00:00:00.000Z', is_managed: p.is_managed ?? false, agents: 0 });
    this.#kb('GET', /^\/api\/fleet\/agent_policies$/, false, (r) => ok({ items: [...this.space(r.space).agentPolicies.values()].map(agentPolicyView), total: this.space(r.space).agentPolicies.size }));
    this.#kb('POST', /^\/api\/fleet\/agent_policies$/, true, (r) => {
      const body = (r.json ?? {}) as Json;
      if (typeof body.name !== 'string' || typeof body.namespace !== 'string') return kbError(400, '[request body.name]: expected value of type [string]');
      const id = String(body.id ?? `generated-${this.requests.length}`);
      if (this.space(r.space).agentPolicies.has(id)) return kbError(409, `Agent policy ${id} already exists`);
      this.space(r.space).agentPolicies.set(id, { ...clone(body), id });
      return ok({ item: agentPolicyView(this.space(r.space).agentPolicies.get(id) as Json) });
    });
    this.#kb('GET', /^\/api\/fleet\/agent_policies\/([^/]+)$/, false, (r) => {
      const p = this.space(r.space).agentPolicies.get(r.params[0] as string);
      return p === undefined ? kbError(404, `Agent policy ${r.params[0]} not found`) : ok({ item: agentPolicyView(p) });
    });
    this.#kb('PUT', /^\/api\/fleet\/agent_policies\/([^/]+)$/, true, (r) => {
      const store = this.space(r.space).agentPolicies;
      const p = store.get(r.params[0] as string);
      if (p === undefined) return kbError(404, `Agent policy ${r.params[0]} not found`);
      if (p.is_managed === true) return kbError(400, `Cannot update name in managed policy ${r.params[0]}`);
      store.set(r.params[0] as string, { ...p, ...clone(r.json as Json) });
      return ok({ item: agentPolicyView(store.get(r.params[0] as string) as Json) });
    });
    this.#kb('POST', /^\/api\/fleet\/agent_policies\/delete$/, true, (r) => {
      const id = String(((r.json ?? {}) as Json).agentPolicyId);
      const p = this.space(r.space).agentPolicies.get(id);
      if (p === undefined) return kbError(404, `Agent policy ${id} not found`);
      if (p.is_managed === true) return kbError(400, `Cannot delete hosted agent policy ${id}`);
      // agentPolicyService.delete (Fleet server/services/agent_policy.ts): agents assigned block the delete.
      if ((this.options.enrolledAgents[id] ?? 0) > 0) return kbError(400, 'Cannot delete an agent policy that is assigned to any active or inactive agents');
      this.space(r.space).agentPolicies.delete(id);
      return ok({ id, success: true });
    });
    const checkPackagePolicy = (r: Req, body: Json): Reply | undefined => {
      const pkg = (body.package ?? {}) as Json;
      const installed = this.installedPackages.get(String(pkg.name));
      if (installed === undefined) return kbError(400, `Package ${String(pkg.name)} is not installed`);
      if (pkg.version !== installed) return kbError(400, `Package ${String(pkg.name)} version ${String(pkg.version)} is not installed (installed: ${installed})`);
      // Inputs, streams and variables the package does not declare (test/support/integration-packages.ts).
      const unknownInput = simplifiedInputsError(String(pkg.name), body.inputs);
      if (unknownInput !== undefined) return kbError(400, unknownInput);
      for (const policyId of (body.policy_ids ?? []) as string[]) {
        const ap = this.space(r.space).agentPolicies.get(policyId);
        if (ap === undefined) return kbError(400, `Agent policy ${policyId} does not exist`);
        if (ap.is_managed === true && body.force !== true) return kbError(400, `Cannot add integrations to managed policy ${policyId} without force`);
      }
      return undefined;
    };
    const packagePolicyView = (p: Json): Json => {
      const { force: _force, ...rest } = clone(p);
      return { ...rest, revision: 1, created_at: '2026-01-01T00:00:00.000Z', created_by: 'double', vars: rest.vars ?? {} };
    };
    this.#kb('GET', /^\/api\/fleet\/package_policies$/, false, (r) =>
      ok({ items: [...this.space(r.space).packagePolicies.values()].map(packagePolicyView), total: this.space(r.space).packagePolicies.size }),
    );
    this.#kb('POST', /^\/api\/fleet\/package_policies$/, true, (r) => {
      const body = (r.json ?? {}) as Json;
      const invalid = checkPackagePolicy(r, body);
      if (invalid) return invalid;
      const id = String(body.id ?? `generated-${this.requests.length}`);
      if (this.space(r.space).packagePolicies.has(id)) return kbError(409, `An integration policy with id ${id} already exists`);
      this.space(r.space).packagePolicies.set(id, { ...clone(body), id });
      return ok({ item: packagePolicyView(this.space(r.space).packagePolicies.get(id) as Json) });
    });
    this.#kb('GET', /^\/api\/fleet\/package_policies\/([^/]+)$/, false, (r) => {
      const p = this.space(r.space).packagePolicies.get(r.params[0] as string);
      return p === undefined ? kbError(404, `Package policy ${r.params[0]} not found`) : ok({ item: packagePolicyView(p) });
    });
    this.#kb('PUT', /^\/api\/fleet\/package_policies\/([^/]+)$/, true, (r) => {
      const store = this.space(r.space).packagePolicies;
      const p = store.get(r.params[0] as string);
      if (p === undefined) return kbError(404, `Package policy ${r.params[0]} not found`);
      const body = (r.json ?? {}) as Json;
      const invalid = checkPackagePolicy(r, body);
      if (invalid) return invalid;
      store.set(r.params[0] as string, { ...clone(body), id: r.params[0] });
      return ok({ item: packagePolicyView(store.get(r.params[0] as string) as Json) });
    });
    this.#kb('DELETE', /^\/api\/fleet\/package_policies\/([^/]+)$/, true, (r) =>
      this.space(r.space).packagePolicies.delete(r.params[0] as string) ? ok({ id: r.params[0] }) : kbError(404, `Package policy ${r.params[0]} not found`),
    );
  }
}
