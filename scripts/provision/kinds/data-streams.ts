/**
 * Data streams that already exist when a component template gains mappings. A component template
 * applies to backing indices created after it changes, so a data stream keeps its old mapping until
 * its next rollover (days with ILM's `max_age`), and a dashboard that splits by a new field stays
 * empty until then. This brings the write index of each data stream the template reaches in line,
 * in the least invasive way Elasticsearch offers:
 *
 * `PUT /<data stream>/_mapping?write_index_only=true` with this project's own mapping only (never
 * the template's merged content). Elasticsearch merges it into the existing mapping: a new field
 * or a new multi-field is added, an existing one is kept (`FieldMapper.MultiFields.Builder.update`),
 * and a type change is refused (`FieldMapper.checkIncomingMergeType`: "mapper [...] cannot be
 * changed from type [...] to [...]"), so nothing already indexed changes meaning. Only the write
 * index is touched (`RestPutMappingAction`: `write_index_only`): older backing indices are read-only
 * history that ages out with retention, and documents indexed before the change stay without the
 * new field either way (no reindex). A lazy rollover (`POST /<data stream>/_rollover?lazy=true`)
 * would also work but creates a new backing index per data stream and applies every other pending
 * template change with it; the mapping update changes nothing but the added fields.
 *
 * Which data streams: those whose matching index template (the data stream's `template`, as
 * `GET /_data_stream` reports it) composes this component template. A data stream matched by
 * another, higher-priority index template is never touched. None existing yet is not a failure:
 * the data stream is created from the template, with the mapping, on its first document.
 */
import type { estypes } from '@elastic/elasticsearch';
import { diffSubset } from '../diff.js';
import { describeError } from '../errors.js';
import { memo, type Dependent, type EngineContext } from './types.js';

/** Data streams updated in parallel at most (one mapping update each, on the master node). */
const CONCURRENCY = 4;

interface DataStreamRef {
  readonly name: string;
  readonly writeIndex: string;
}

/** The index templates that compose `componentTemplate` and create data streams (one GET per run). */
async function composingTemplates(componentTemplate: string, ctx: EngineContext): Promise<estypes.IndicesGetIndexTemplateIndexTemplateItem[]> {
  const all = await memo(ctx, 'es.index_templates', async () => (await ctx.es.call('GET /_index_template', (c) => c.indices.getIndexTemplate()))?.index_templates ?? []);
  return all.filter((t) => t.index_template.data_stream !== undefined && (t.index_template.composed_of ?? []).includes(componentTemplate));
}

/** Existing data streams whose own index template composes `componentTemplate`, with their write index. */
export async function dataStreamsUsing(componentTemplate: string, ctx: EngineContext): Promise<DataStreamRef[]> {
  const templates = await composingTemplates(componentTemplate, ctx);
  if (templates.length === 0) return [];
  const names = new Set(templates.map((t) => t.name));
  const patterns = [...new Set(templates.flatMap((t) => [t.index_template.index_patterns].flat()))].join(',');
  const res = await ctx.es.call(`GET /_data_stream/${patterns}`, (c) => c.indices.getDataStream({ name: patterns }), [404]);
  return (res?.data_streams ?? [])
    .filter((d) => names.has(d.template))
    .flatMap((d) => {
      const writeIndex = d.indices.at(-1)?.index_name;
      return writeIndex === undefined ? [] : [{ name: d.name, writeIndex }];
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

async function bringInLine(ds: DataStreamRef, mappings: estypes.MappingTypeMapping, ctx: EngineContext, apply: boolean): Promise<Dependent> {
  const base = { kind: 'es.data_stream' as const, id: ds.name, title: `write index ${ds.writeIndex}` };
  try {
    const live = await ctx.es.call(`GET /${ds.writeIndex}/_mapping`, (c) => c.indices.getMapping({ index: ds.writeIndex }));
    const missing = diffSubset(mappings, live?.[ds.writeIndex]?.mappings ?? {});
    if (missing.length === 0) return { ...base, action: 'unchanged', notes: [] };
    // A field's type cannot change in place: say so in the plan instead of sending a request that fails.
    const retyped = missing.filter((d) => d.path.endsWith('.type') && d.live !== undefined);
    if (retyped.length > 0) {
      const fields = retyped.map((d) => `${d.path.replace(/\.type$/, '').replace(/properties\./g, '')} is [${String(d.live)}], not [${String(d.desired)}]`);
      return {
        ...base,
        action: 'update',
        notes: [],
        error: `its write index maps ${fields.join('; ')}: Elasticsearch cannot change a field's type in place; its next backing index (after rollover) takes the template's mapping`,
      };
    }
    const notes = [
      `adds this project's mapping to the write index (PUT /${ds.name}/_mapping?write_index_only=true): ${missing.map((d) => d.path).join(', ')}`,
      'older backing indices keep theirs until retention deletes them; documents indexed before stay without it',
    ];
    if (apply) {
      await ctx.es.call(`PUT /${ds.name}/_mapping?write_index_only=true`, (c) => c.indices.putMapping({ index: ds.name, write_index_only: true, ...mappings }));
    }
    return { ...base, action: 'update', notes };
  } catch (e) {
    return { ...base, action: 'update', notes: [], error: describeError(e) };
  }
}

/** Every data stream `componentTemplate` reaches, brought in line with `mappings` (or, without `apply`, planned). */
export async function mappingDependents(componentTemplate: string, mappings: estypes.MappingTypeMapping | undefined, ctx: EngineContext, apply: boolean): Promise<Dependent[]> {
  if (mappings === undefined || Object.keys(mappings).length === 0) return [];
  const streams = await dataStreamsUsing(componentTemplate, ctx);
  const out: Dependent[] = [];
  for (let i = 0; i < streams.length; i += CONCURRENCY) {
    out.push(...(await Promise.all(streams.slice(i, i + CONCURRENCY).map((ds) => bringInLine(ds, mappings, ctx, apply)))));
  }
  return out;
}
