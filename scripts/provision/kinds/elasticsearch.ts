/**
 * Elasticsearch kinds: ILM policies, component templates (the stack's `<data stream>@custom`
 * extension points among them) and ingest pipelines, all through @elastic/elasticsearch with the
 * request types of `estypes`. Writes are PUTs (create and update are the same idempotent call).
 */
import type { estypes } from '@elastic/elasticsearch';
import { OWNER_PREFIX } from '../../../kibana/telemetry-fields.js';
import { diffSubset, flattenSettings } from '../diff.js';
import type { ComponentTemplateResource, IlmPolicyResource, IngestPipelineResource } from '../../../model/resources.js';
import { RemoteError } from '../errors.js';
import { mergeTemplate, removeOwned } from '../template-merge.js';
import { mappingDependents } from './data-streams.js';
import type { EngineContext, KindHandler, LiveState, OwnedObject } from './types.js';

/** Path segment encoding; '@' (in `<data stream>@custom`) is legal in a path and kept readable. */
const enc = (s: string): string => encodeURIComponent(s).replace(/%40/g, '@');

export const ilmPolicyHandler: KindHandler<IlmPolicyResource> = {
  kind: 'es.ilm_policy',
  target: 'elasticsearch',
  requests: (r) => [
    { target: 'elasticsearch', op: 'upsert', kind: r.kind, id: r.id, method: 'PUT', path: `/_ilm/policy/${enc(r.id)}`, body: r.body },
  ],
  async read(r, ctx) {
    const res = await ctx.es.call(`GET /_ilm/policy/${r.id}`, (c) => c.ilm.getLifecycle({ name: r.id }), [404]);
    const found = res?.[r.id];
    return found === undefined ? undefined : { value: found.policy };
  },
  diff: (r, live) => diffSubset(r.body.policy, live.value, 'policy'),
  async create(r, ctx) {
    const request: estypes.IlmPutLifecycleRequest = { name: r.id, policy: r.body.policy };
    await ctx.es.call(`PUT /_ilm/policy/${r.id}`, (c) => c.ilm.putLifecycle(request));
  },
  async update(r, _live, _diffs, ctx) {
    await this.create(r, ctx);
  },
  async listOwned(ctx) {
    const all = (await ctx.es.call('GET /_ilm/policy', (c) => c.ilm.getLifecycle())) ?? {};
    return Object.keys(all)
      .filter((name) => name.startsWith(OWNER_PREFIX))
      .map((name): OwnedObject => ({ id: name, title: name }));
  },
  async remove(o, ctx) {
    await ctx.es.call(`DELETE /_ilm/policy/${o.id}`, (c) => c.ilm.deleteLifecycle({ name: o.id }));
  },
  // TransportDeleteLifecycleAction refuses while any index's index.lifecycle.name names the policy.
  keptBecause: (e) =>
    e instanceof RemoteError && /in use by one or more indices/.test(e.message)
      ? 'kept: indices still use it (Elasticsearch refuses to delete it); delete it once they are gone'
      : undefined,
};

/** Settings are compared flattened (`index.lifecycle.name`), as Elasticsearch normalises them. */
function comparableTemplate(t: { template?: { settings?: unknown } } & Record<string, unknown>): Record<string, unknown> {
  const template = (t.template ?? {}) as Record<string, unknown>;
  return {
    ...t,
    template: { ...template, ...(template.settings !== undefined ? { settings: flattenSettings(template.settings) } : {}) },
  };
}

/**
 * Whether a component template is shared with the rest of the cluster (the stack's `@custom`
 * extension points) rather than owned by this project (owner-prefixed name).
 */
export function isSharedTemplate(name: string): boolean {
  return !name.startsWith(OWNER_PREFIX);
}

async function readTemplate(name: string, ctx: EngineContext): Promise<LiveState | undefined> {
  const res = await ctx.es.call(`GET /_component_template/${name}`, (c) => c.cluster.getComponentTemplate({ name }), [404]);
  const found = res?.component_templates.find((t) => t.name === name);
  return found === undefined ? undefined : { value: found.component_template };
}

async function putTemplate(name: string, body: object, ctx: EngineContext): Promise<void> {
  const request = { name, ...body } as estypes.ClusterPutComponentTemplateRequest;
  await ctx.es.call(`PUT /_component_template/${name}`, (c) => c.cluster.putComponentTemplate(request));
}

/**
 * A shared template is merged: the live template with this project's keys set, everything else
 * kept (template-merge.ts). A template this project owns is written as defined.
 */
async function writeTemplate(r: ComponentTemplateResource, live: LiveState | undefined, ctx: EngineContext): Promise<void> {
  const body = isSharedTemplate(r.id) && live !== undefined ? mergeTemplate(live.value, r.body).body : r.body;
  await putTemplate(r.id, body, ctx);
}

/** Plan lines for a shared template: values set by others that change, and what is kept. */
export function sharedTemplateNotes(r: ComponentTemplateResource, live: unknown): string[] {
  const merge = mergeTemplate(live, r.body);
  const notes = merge.overridden.map((c) => `changes a value set outside this project: ${c.path}: ${JSON.stringify(c.live)} → ${JSON.stringify(c.desired)}`);
  // A user's mapping can hold hundreds of keys: name the first few.
  const shown = merge.kept.slice(0, 10).join(', ');
  if (merge.kept.length > 0) notes.push(`keeps ${merge.kept.length} key(s) set outside this project: ${shown}${merge.kept.length > 10 ? `, and ${merge.kept.length - 10} more` : ''}`);
  return notes;
}

export const componentTemplateHandler: KindHandler<ComponentTemplateResource> = {
  kind: 'es.component_template',
  target: 'elasticsearch',
  requests: (r) => [
    {
      target: 'elasticsearch',
      op: 'upsert',
      kind: r.kind,
      id: r.id,
      method: 'PUT',
      path: `/_component_template/${enc(r.id)}`,
      body: r.body,
      ...(isSharedTemplate(r.id) ? { note: 'shared template: this body is merged into the live template; keys set outside this project are kept' } : {}),
    },
  ],
  read: (r, ctx) => readTemplate(r.id, ctx),
  diff: (r, live) =>
    diffSubset(
      comparableTemplate(r.body as unknown as Record<string, unknown>),
      comparableTemplate(live.value as Record<string, unknown>),
    ),
  async create(r, ctx) {
    // Read again right before writing: a template that appeared since the plan is merged, not replaced.
    await writeTemplate(r, isSharedTemplate(r.id) ? await readTemplate(r.id, ctx) : undefined, ctx);
  },
  async update(r, live, _diffs, ctx) {
    await writeTemplate(r, live, ctx);
  },
  async planNotes(r, ctx) {
    if (!isSharedTemplate(r.id)) return [];
    const live = await readTemplate(r.id, ctx);
    return live === undefined ? [] : sharedTemplateNotes(r, live.value);
  },
  // Existing data streams get this project's mappings now, not at their next rollover (data-streams.ts).
  dependents: (r, ctx, apply) => mappingDependents(r.id, r.body.template?.mappings, ctx, apply),
  async release(r, ctx, apply) {
    if (!isSharedTemplate(r.id)) return undefined;
    const live = await readTemplate(r.id, ctx);
    if (live === undefined) return { action: 'unchanged', notes: ['does not exist'] };
    const removal = removeOwned(live.value, r.body);
    const notes = [
      ...(removal.removed.length > 0 ? [`removes this project's key(s): ${removal.removed.join(', ')}`] : ['holds none of this project\'s keys']),
      ...removal.leftChanged.map((c) => `left as is (changed outside this project): ${c.path}: ${JSON.stringify(c.live)}`),
    ];
    if (removal.removed.length === 0) return { action: 'unchanged', notes };
    if (removal.body !== undefined) {
      if (apply) await putTemplate(r.id, removal.body, ctx);
      return { action: 'update', notes: [...notes, 'keeps every other key'] };
    }
    if (apply) {
      try {
        await ctx.es.call(`DELETE /_component_template/${r.id}`, (c) => c.cluster.deleteComponentTemplate({ name: r.id }));
      } catch (e) {
        // An index template that requires it (not listed in its ignore_missing_component_templates) blocks the delete: leave it empty.
        if (!(e instanceof RemoteError) || e.status !== 400) throw e;
        await putTemplate(r.id, { template: {} }, ctx);
        return { action: 'update', notes: [...notes, 'left empty: an index template requires it'] };
      }
    }
    return { action: 'delete', notes: [...notes, 'nothing else is left in it: deleted'] };
  },
  async listOwned(ctx) {
    // Only templates named with the owner prefix; the stack's `@custom` extension points are never pruned.
    const res = await ctx.es.call('GET /_component_template', (c) => c.cluster.getComponentTemplate());
    return (res?.component_templates ?? [])
      .filter((t) => t.name.startsWith(OWNER_PREFIX))
      .map((t): OwnedObject => ({ id: t.name, title: t.name }));
  },
  async remove(o, ctx) {
    await ctx.es.call(`DELETE /_component_template/${o.id}`, (c) => c.cluster.deleteComponentTemplate({ name: o.id }));
  },
};

export const ingestPipelineHandler: KindHandler<IngestPipelineResource> = {
  kind: 'es.ingest_pipeline',
  target: 'elasticsearch',
  requests: (r) => [
    { target: 'elasticsearch', op: 'upsert', kind: r.kind, id: r.id, method: 'PUT', path: `/_ingest/pipeline/${enc(r.id)}`, body: r.body },
  ],
  async read(r, ctx) {
    const res = await ctx.es.call(`GET /_ingest/pipeline/${r.id}`, (c) => c.ingest.getPipeline({ id: r.id }), [404]);
    const found = res?.[r.id];
    return found === undefined ? undefined : ({ value: found } satisfies LiveState);
  },
  diff: (r, live) => diffSubset(r.body, live.value),
  async create(r, ctx) {
    const request: estypes.IngestPutPipelineRequest = { id: r.id, ...r.body };
    await ctx.es.call(`PUT /_ingest/pipeline/${r.id}`, (c) => c.ingest.putPipeline(request));
  },
  async update(r, _live, _diffs, ctx) {
    await this.create(r, ctx);
  },
  async listOwned(ctx) {
    const all = (await ctx.es.call('GET /_ingest/pipeline', (c) => c.ingest.getPipeline())) ?? {};
    return Object.keys(all)
      .filter((id) => id.startsWith(OWNER_PREFIX))
      .map((id): OwnedObject => ({ id, title: id }));
  },
  async remove(o, ctx) {
    await ctx.es.call(`DELETE /_ingest/pipeline/${o.id}`, (c) => c.ingest.deletePipeline({ id: o.id }));
  },
};
