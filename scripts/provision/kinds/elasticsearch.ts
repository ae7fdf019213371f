/**
 * Elasticsearch kinds: ILM policies, component templates (the stack's `<data stream>@custom`
 * extension points among them) and ingest pipelines, all through @elastic/elasticsearch with the
 * request types of `estypes`. Writes are PUTs (create and update are the same idempotent call).
 */
import type { estypes } from '@elastic/elasticsearch';
import { OWNER_PREFIX } from '../../../kibana/telemetry-fields.js';
import { diffSubset, flattenSettings } from '../diff.js';
import type { ComponentTemplateResource, IlmPolicyResource, IngestPipelineResource } from '../../../model/resources.js';
import type { KindHandler, LiveState, OwnedObject } from './types.js';

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
};

/** Settings are compared flattened (`index.lifecycle.name`), as Elasticsearch normalises them. */
function comparableTemplate(t: { template?: { settings?: unknown } } & Record<string, unknown>): Record<string, unknown> {
  const template = (t.template ?? {}) as Record<string, unknown>;
  return {
    ...t,
    template: { ...template, ...(template.settings !== undefined ? { settings: flattenSettings(template.settings) } : {}) },
  };
}

export const componentTemplateHandler: KindHandler<ComponentTemplateResource> = {
  kind: 'es.component_template',
  target: 'elasticsearch',
  requests: (r) => [
    { target: 'elasticsearch', op: 'upsert', kind: r.kind, id: r.id, method: 'PUT', path: `/_component_template/${enc(r.id)}`, body: r.body },
  ],
  async read(r, ctx) {
    const res = await ctx.es.call(`GET /_component_template/${r.id}`, (c) => c.cluster.getComponentTemplate({ name: r.id }), [404]);
    const found = res?.component_templates.find((t) => t.name === r.id);
    return found === undefined ? undefined : { value: found.component_template };
  },
  diff: (r, live) =>
    diffSubset(
      comparableTemplate(r.body as unknown as Record<string, unknown>),
      comparableTemplate(live.value as Record<string, unknown>),
    ),
  async create(r, ctx) {
    const request: estypes.ClusterPutComponentTemplateRequest = { name: r.id, ...r.body };
    await ctx.es.call(`PUT /_component_template/${r.id}`, (c) => c.cluster.putComponentTemplate(request));
  },
  async update(r, _live, _diffs, ctx) {
    await this.create(r, ctx);
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
