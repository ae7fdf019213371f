/**
 * Kibana kinds: data views, saved objects (imported as NDJSON, read back through `_export`, which
 * unlike the deprecated `GET /api/saved_objects/{type}/{id}` is public on Serverless too),
 * connectors, SLOs and rules. Paths are below the space prefix the client adds.
 */
import { OWNER_PREFIX, OWNER_TAG } from '../../../kibana/telemetry-fields.js';
import { diffSubset } from '../diff.js';
import { RemoteError } from '../errors.js';
import type { FieldDiff } from '../diff.js';
import {
  isSecret,
  resolveSecrets,
  type SecretFromEnv,
  type ConnectorResource,
  type DataViewResource,
  type RuleResource,
  type SavedObjectResource,
  type SloResource,
} from '../../../model/resources.js';
import { omit, otherSpaceError, type KindHandler, type OwnedObject, type PrintedRequest } from './types.js';

const enc = encodeURIComponent;

// ---------------------------------------------------------------- data views

/** Keys the update API accepts (it rejects `id` and `namespaces`). */
const DATA_VIEW_UPDATABLE = ['title', 'name', 'timeFieldName', 'fieldFormats', 'runtimeFieldMap', 'allowNoIndex'] as const;

function dataViewUpdateBody(r: DataViewResource): { data_view: Record<string, unknown>; refresh_fields: boolean } {
  const dv = r.body.data_view as unknown as Record<string, unknown>;
  const data_view = Object.fromEntries(DATA_VIEW_UPDATABLE.filter((k) => dv[k] !== undefined).map((k) => [k, dv[k]]));
  return { data_view, refresh_fields: true };
}

export const dataViewHandler: KindHandler<DataViewResource> = {
  kind: 'kibana.data_view',
  target: 'kibana',
  requests: (r) => [
    { target: 'kibana', op: 'create', kind: r.kind, id: r.id, method: 'POST', path: '/api/data_views/data_view', body: { ...r.body, override: false } },
    { target: 'kibana', op: 'update', kind: r.kind, id: r.id, method: 'POST', path: `/api/data_views/data_view/${enc(r.id)}`, body: dataViewUpdateBody(r) },
  ],
  async read(r, ctx) {
    const res = await ctx.kibana.request<{ data_view?: unknown }>({ method: 'GET', path: `/api/data_views/data_view/${enc(r.id)}`, accept: [404] });
    return res.status === 404 ? undefined : { value: res.body.data_view };
  },
  diff: (r, live) => diffSubset(omit(r.body.data_view, 'id', 'namespaces'), live.value, 'data_view'),
  async create(r, ctx) {
    const [create] = this.requests(r, ctx.secret);
    await ctx.kibana.request({ method: 'POST', path: create!.path, body: create!.body });
  },
  async update(r, _live, _diffs, ctx) {
    await ctx.kibana.request({ method: 'POST', path: `/api/data_views/data_view/${enc(r.id)}`, body: dataViewUpdateBody(r) });
  },
  async listOwned(ctx) {
    const res = await ctx.kibana.request<{ data_view?: Array<{ id: string; name?: string; title: string }> }>({ method: 'GET', path: '/api/data_views' });
    return (res.body.data_view ?? [])
      .filter((dv) => dv.id.startsWith(OWNER_PREFIX))
      .map((dv): OwnedObject => ({ id: dv.id, title: dv.name ?? dv.title }));
  },
  async remove(o, ctx) {
    await ctx.kibana.request({ method: 'DELETE', path: `/api/data_views/data_view/${enc(o.id)}` });
  },
};

// ---------------------------------------------------------------- saved objects

export const SAVED_OBJECT_TYPES = ['search', 'dashboard', 'lens', 'visualization', 'tag'] as const;

export function savedObjectLine(r: SavedObjectResource): Record<string, unknown> {
  return {
    type: r.type,
    id: r.id,
    attributes: r.attributes,
    references: r.references,
    ...(r.coreMigrationVersion !== undefined ? { coreMigrationVersion: r.coreMigrationVersion } : {}),
    ...(r.typeMigrationVersion !== undefined ? { typeMigrationVersion: r.typeMigrationVersion } : {}),
  };
}

/** Import order: an import fails on references to objects that do not exist yet. */
const SAVED_OBJECT_ORDER: Record<SavedObjectResource['type'], number> = { tag: 0, search: 1, visualization: 1, lens: 1, dashboard: 2 };

export const IMPORT_PATH = '/api/saved_objects/_import?overwrite=true';

interface ImportResponse {
  success?: boolean;
  successCount?: number;
  successResults?: Array<{ id: string; type: string; destinationId?: string }>;
  errors?: Array<{ id: string; type: string; error?: { type?: string; message?: string; references?: Array<{ type: string; id: string }> } }>;
}

function parseNdjson(body: unknown): Array<Record<string, unknown>> {
  if (typeof body === 'object' && body !== null) return [body as Record<string, unknown>];
  if (typeof body !== 'string') return [];
  return body
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((o) => typeof o.type === 'string' && typeof o.id === 'string');
}

export const savedObjectHandler: KindHandler<SavedObjectResource> = {
  kind: 'kibana.saved_object',
  target: 'kibana',
  requests: (r): PrintedRequest[] => [
    // One request both creates and updates: import with overwrite.
    { target: 'kibana', op: 'upsert', kind: r.kind, id: r.id, method: 'POST', path: IMPORT_PATH, ndjson: [savedObjectLine(r)] },
  ],
  order: (r) => SAVED_OBJECT_ORDER[r.type],
  async read(r, ctx) {
    const res = await ctx.kibana.request<unknown>({
      method: 'POST',
      path: '/api/saved_objects/_export',
      body: { objects: [{ type: r.type, id: r.id }], includeReferencesDeep: false, excludeExportDetails: true },
      accept: [400],
    });
    if (res.status === 400) {
      // Kibana answers 400 "Error fetching objects to export" with the per-object cause.
      const objects = (res.body as { attributes?: { objects?: Array<{ error?: { statusCode?: number; message?: string } }> } }).attributes?.objects ?? [];
      if (objects.length > 0 && objects.every((o) => o.error?.statusCode === 404)) return undefined;
      const cause = objects[0]?.error?.message ?? (res.body as { message?: string }).message ?? 'bad request';
      throw new RemoteError('kibana', 'POST /api/saved_objects/_export', objects[0]?.error?.statusCode ?? 400, `reading ${r.type} ${r.id} failed: ${cause}`);
    }
    const found = parseNdjson(res.body).find((o) => o.id === r.id && o.type === r.type);
    return found === undefined ? undefined : { value: found };
  },
  diff: (r, live) => diffSubset({ attributes: r.attributes, references: r.references }, live.value),
  async create(r, ctx) {
    const res = await ctx.kibana.request<ImportResponse>({
      method: 'POST',
      path: '/api/saved_objects/_import',
      query: { overwrite: true },
      multipart: { field: 'file', filename: `${r.id}.ndjson`, contentType: 'application/ndjson', content: `${JSON.stringify(savedObjectLine(r))}\n` },
    });
    if (res.body.success !== true) {
      const e = res.body.errors?.[0]?.error;
      const refs = e?.references?.map((x) => `${x.type}/${x.id}`).join(', ');
      throw new RemoteError(
        'kibana',
        'POST /api/saved_objects/_import',
        200,
        `import of ${r.type} ${r.id} failed: ${e?.type ?? 'unknown error'}${e?.message ? `: ${e.message}` : ''}${refs ? ` (missing: ${refs})` : ''}`,
      );
    }
    // An id taken in another space is not an error for the import: it creates a copy under a new
    // random id (check_conflicts.ts, "unresolvable conflict"). Remove that copy and refuse.
    const copy = res.body.successResults?.find((x) => x.id === r.id && x.type === r.type && x.destinationId !== undefined && x.destinationId !== r.id);
    if (copy?.destinationId !== undefined) {
      if (ctx.flavour === 'stateful') await ctx.kibana.request({ method: 'DELETE', path: `/api/saved_objects/${enc(r.type)}/${enc(copy.destinationId)}`, accept: [404] });
      const error = otherSpaceError(r.kind, r.id, 'POST /api/saved_objects/_import');
      if (ctx.flavour !== 'stateful') error.message += `; the import created a copy under id ${copy.destinationId}: delete it in Stack Management > Saved objects`;
      throw error;
    }
  },
  async update(r, _live, _diffs, ctx) {
    await this.create(r, ctx);
  },
  async listOwned(ctx) {
    const res = await ctx.kibana.request<unknown>({
      method: 'POST',
      path: '/api/saved_objects/_export',
      body: { type: [...SAVED_OBJECT_TYPES], includeReferencesDeep: false, excludeExportDetails: true },
    });
    return parseNdjson(res.body)
      .filter((o) => String(o.id).startsWith(OWNER_PREFIX))
      .map((o): OwnedObject => ({
        id: String(o.id),
        type: String(o.type),
        title: String((o.attributes as { title?: unknown; name?: unknown } | undefined)?.title ?? (o.attributes as { name?: unknown } | undefined)?.name ?? o.id),
      }));
  },
  async remove(o, ctx) {
    if (ctx.flavour === 'serverless') {
      throw new RemoteError(
        'kibana',
        `DELETE /api/saved_objects/${o.type}/${o.id}`,
        undefined,
        `cannot delete ${o.type} ${o.id}: Kibana on Serverless offers no public API to delete saved objects; delete it in Stack Management > Saved objects`,
      );
    }
    // Deprecated since 8.7 but still the only public delete for searches and dashboards on stateful 9.x.
    await ctx.kibana.request({ method: 'DELETE', path: `/api/saved_objects/${enc(o.type ?? 'search')}/${enc(o.id)}` });
  },
};

// ---------------------------------------------------------------- connectors

function connectorUpdateBody(r: ConnectorResource, secret: Parameters<typeof resolveSecrets>[1]): Record<string, unknown> {
  const b = resolveSecrets(r.body, secret);
  return { name: b.name, ...(b.config !== undefined ? { config: b.config } : {}), ...(b.secrets !== undefined ? { secrets: b.secrets } : {}) };
}

/** Diffs of `{ fromEnv }` config values, with both sides replaced by placeholders. */
function maskSecretDiffs(config: ConnectorResource['body']['config'], diffs: FieldDiff[]): FieldDiff[] {
  const secretAt = new Map(Object.entries(config ?? {}).filter(([, v]) => isSecret(v)).map(([k, v]) => [`config.${k}`, (v as SecretFromEnv).fromEnv]));
  return diffs.map((d) => {
    const name = secretAt.get(d.path);
    return name === undefined ? d : { path: d.path, desired: `<from env ${name}>`, live: '<a different value>' };
  });
}

export const connectorHandler: KindHandler<ConnectorResource> = {
  kind: 'kibana.connector',
  target: 'kibana',
  requests: (r, secret) => [
    { target: 'kibana', op: 'create', kind: r.kind, id: r.id, method: 'POST', path: `/api/actions/connector/${enc(r.id)}`, body: resolveSecrets(r.body, secret) },
    { target: 'kibana', op: 'update', kind: r.kind, id: r.id, method: 'PUT', path: `/api/actions/connector/${enc(r.id)}`, body: connectorUpdateBody(r, secret) },
  ],
  async read(r, ctx) {
    const res = await ctx.kibana.request({ method: 'GET', path: `/api/actions/connector/${enc(r.id)}`, accept: [404] });
    return res.status === 404 ? undefined : { value: res.body };
  },
  // Kibana never returns secrets: they are written on every update but cannot be compared. A secret
  // in config (a webhook URL) is returned, so it is compared, and its values are masked in the diff.
  diff: (r, live, secret) => maskSecretDiffs(
    r.body.config,
    diffSubset({ connector_type_id: r.body.connector_type_id, name: r.body.name, config: secret ? resolveSecrets(r.body.config, secret) : r.body.config }, live.value),
  ),
  async create(r, ctx) {
    await ctx.kibana.request({ method: 'POST', path: `/api/actions/connector/${enc(r.id)}`, body: resolveSecrets(r.body, ctx.secret) });
  },
  async update(r, _live, diffs, ctx) {
    if (diffs.some((d) => d.path === 'connector_type_id')) {
      throw new RemoteError('kibana', `PUT /api/actions/connector/${r.id}`, undefined, `connector ${r.id} exists with another connector type; delete it (or run with --prune after renaming) to change its type`);
    }
    await ctx.kibana.request({ method: 'PUT', path: `/api/actions/connector/${enc(r.id)}`, body: connectorUpdateBody(r, ctx.secret) });
  },
  async listOwned(ctx) {
    const res = await ctx.kibana.request<Array<{ id: string; name: string; is_preconfigured?: boolean }>>({ method: 'GET', path: '/api/actions/connectors' });
    return res.body.filter((c) => c.id.startsWith(OWNER_PREFIX) && c.is_preconfigured !== true).map((c) => ({ id: c.id, title: c.name }));
  },
  async remove(o, ctx) {
    await ctx.kibana.request({ method: 'DELETE', path: `/api/actions/connector/${enc(o.id)}` });
  },
};

// ---------------------------------------------------------------- SLOs

export const sloHandler: KindHandler<SloResource> = {
  kind: 'kibana.slo',
  target: 'kibana',
  // Every SLO route, listing and deleting included, starts with assertPlatinumLicense (403 below it).
  unavailable: (ctx) =>
    ctx.licence === 'platinum'
      ? undefined
      : 'every SLO API needs a platinum, enterprise or trial licence: SLOs can be neither listed nor deleted here (any created under an earlier trial remain; remove them while a trial or platinum licence is active)',
  requests: (r) => [
    { target: 'kibana', op: 'create', kind: r.kind, id: r.id, method: 'POST', path: '/api/observability/slos', body: { ...r.body, id: r.id } },
    { target: 'kibana', op: 'update', kind: r.kind, id: r.id, method: 'PUT', path: `/api/observability/slos/${enc(r.id)}`, body: omit(r.body, 'id') },
  ],
  async read(r, ctx) {
    const res = await ctx.kibana.request({ method: 'GET', path: `/api/observability/slos/${enc(r.id)}`, accept: [404] });
    return res.status === 404 ? undefined : { value: res.body };
  },
  diff: (r, live) => diffSubset(omit(r.body, 'id'), live.value),
  async create(r, ctx) {
    await ctx.kibana.request({ method: 'POST', path: '/api/observability/slos', body: { ...r.body, id: r.id } });
  },
  async update(r, _live, _diffs, ctx) {
    await ctx.kibana.request({ method: 'PUT', path: `/api/observability/slos/${enc(r.id)}`, body: omit(r.body, 'id') });
  },
  async listOwned(ctx) {
    const owned: OwnedObject[] = [];
    for (let page = 1; page <= 50; page++) {
      const res = await ctx.kibana.request<{ results?: Array<{ id: string; name: string; tags?: string[] }>; total?: number; perPage?: number }>({
        method: 'GET',
        path: '/api/observability/slos',
        query: { page, perPage: 100 },
      });
      const results = res.body.results ?? [];
      owned.push(...results.filter((s) => s.id.startsWith(OWNER_PREFIX) || (s.tags ?? []).includes(OWNER_TAG)).map((s) => ({ id: s.id, title: s.name })));
      if (results.length < 100 || page * 100 >= (res.body.total ?? 0)) break;
    }
    return owned;
  },
  async remove(o, ctx) {
    await ctx.kibana.request({ method: 'DELETE', path: `/api/observability/slos/${enc(o.id)}` });
  },
};

// ---------------------------------------------------------------- rules

/** The update API takes only these; type, consumer and enabled change through other calls. */
function ruleUpdateBody(r: RuleResource): Record<string, unknown> {
  const { name, schedule, params, actions, tags, artifacts } = r.body;
  return {
    name,
    schedule,
    params,
    actions: actions ?? [],
    tags: tags ?? [],
    ...(artifacts !== undefined ? { artifacts } : {}),
  };
}

export const ruleHandler: KindHandler<RuleResource> = {
  kind: 'kibana.rule',
  target: 'kibana',
  requests: (r) => [
    { target: 'kibana', op: 'create', kind: r.kind, id: r.id, method: 'POST', path: `/api/alerting/rule/${enc(r.id)}`, body: r.body },
    { target: 'kibana', op: 'update', kind: r.kind, id: r.id, method: 'PUT', path: `/api/alerting/rule/${enc(r.id)}`, body: ruleUpdateBody(r) },
  ],
  async read(r, ctx) {
    const res = await ctx.kibana.request({ method: 'GET', path: `/api/alerting/rule/${enc(r.id)}`, accept: [404] });
    return res.status === 404 ? undefined : { value: res.body };
  },
  diff: (r, live) => {
    // Some 9.x versions leave `artifacts` out of GET responses: what cannot be read back is written
    // on every update but not compared (otherwise every apply would "update" the rule).
    const readable = (live.value as { artifacts?: unknown }).artifacts !== undefined;
    const desired = { ...(readable ? r.body : omit(r.body, 'artifacts')), actions: r.body.actions ?? [], tags: r.body.tags ?? [] };
    return diffSubset(desired, live.value);
  },
  async create(r, ctx) {
    await ctx.kibana.request({ method: 'POST', path: `/api/alerting/rule/${enc(r.id)}`, body: r.body });
  },
  async update(r, _live, diffs, ctx) {
    const path = `/api/alerting/rule/${enc(r.id)}`;
    if (diffs.some((d) => d.path === 'rule_type_id' || d.path === 'consumer')) {
      // Type and consumer are immutable: replace the rule (same id, so links and scenarios keep working).
      await ctx.kibana.request({ method: 'DELETE', path });
      await ctx.kibana.request({ method: 'POST', path, body: r.body });
      return;
    }
    const bodyChanged = diffs.some((d) => d.path !== 'enabled');
    if (bodyChanged) await ctx.kibana.request({ method: 'PUT', path, body: ruleUpdateBody(r) });
    if (diffs.some((d) => d.path === 'enabled') && r.body.enabled !== undefined) {
      await ctx.kibana.request({ method: 'POST', path: `${path}/${r.body.enabled ? '_enable' : '_disable'}` });
    }
  },
  async listOwned(ctx) {
    const owned: OwnedObject[] = [];
    for (let page = 1; page <= 50; page++) {
      const res = await ctx.kibana.request<{ data?: Array<{ id: string; name: string; tags?: string[] }>; total?: number }>({
        method: 'GET',
        path: '/api/alerting/rules/_find',
        query: { page, per_page: 100 },
      });
      const data = res.body.data ?? [];
      owned.push(...data.filter((x) => x.id.startsWith(OWNER_PREFIX) || (x.tags ?? []).includes(OWNER_TAG)).map((x) => ({ id: x.id, title: x.name })));
      if (data.length < 100 || page * 100 >= (res.body.total ?? 0)) break;
    }
    return owned;
  },
  async remove(o, ctx) {
    await ctx.kibana.request({ method: 'DELETE', path: `/api/alerting/rule/${enc(o.id)}` });
  },
};
