/**
 * What every check receives: the connected stack, the definitions that apply to it, the settings of
 * the run, and small typed reads on the data streams (first/latest document, existence, field caps).
 */
import type { estypes } from '@elastic/elasticsearch';
import type { Resource } from '../../model/resources.js';
import type { Stack } from './connect.js';

export interface CheckSettings {
  readonly serviceName: string;
  readonly environment: string;
  readonly namespace: string;
  /** When the deploy started (time to first signal is measured from it). */
  readonly since: Date | undefined;
  /** A signal whose latest document is older than this has stopped. */
  readonly maxAgeSeconds: number;
  /** Whether traffic was sent (or seen) during this run: SLO summaries must then have data. */
  trafficSeen: boolean;
}

export interface CheckContext {
  readonly stack: Stack;
  readonly applicable: readonly Resource[];
  readonly skipped: ReadonlyArray<{ resource: Resource; reason: string }>;
  readonly settings: CheckSettings;
  readonly now: () => Date;
}

export type Doc = Record<string, unknown>;
export type Query = estypes.QueryDslQueryContainer;

export interface Hit {
  readonly index: string;
  readonly id: string;
  readonly source: Doc;
}

/** Searches one index pattern; a pattern that matches no index yet reads as no hit. */
export async function search(
  stack: Stack,
  index: string,
  query: Query,
  options: { size?: number; order?: 'asc' | 'desc' } = {},
): Promise<Hit[]> {
  const response = await stack.es.call(
    `POST /${index}/_search`,
    (c) =>
      c.search({
        index,
        query,
        size: options.size ?? 1,
        sort: [{ '@timestamp': { order: options.order ?? 'desc', unmapped_type: 'date' } }],
        ignore_unavailable: true,
        allow_no_indices: true,
      }),
    [404],
  );
  return (response?.hits.hits ?? []).map((h) => ({ index: h._index, id: h._id ?? '', source: (h._source ?? {}) as Doc }));
}

/** `_field_caps` for some fields on one pattern: the indices it matched, and field -> type -> {aggregatable}. */
export async function fieldCaps(
  stack: Stack,
  index: string,
  fields: readonly string[],
): Promise<{ indices: string[]; fields: Record<string, Record<string, estypes.FieldCapsFieldCapability>> }> {
  const response = await stack.es.call(
    `POST /${index}/_field_caps`,
    (c) => c.fieldCaps({ index, fields: [...fields], ignore_unavailable: true, allow_no_indices: true }),
    [404],
  );
  return { indices: [response?.indices ?? []].flat(), fields: response?.fields ?? {} };
}

/** A field's value in a document, whether stored nested (`a: {b: 1}`) or flat (`'a.b': 1`). */
export function valueAt(doc: Doc, field: string): unknown {
  if (field in doc) return doc[field];
  const parts = field.split('.');
  for (let i = 1; i < parts.length; i++) {
    const head = parts.slice(0, i).join('.');
    const child = doc[head];
    if (child !== null && typeof child === 'object' && !Array.isArray(child)) {
      const v = valueAt(child as Doc, parts.slice(i).join('.'));
      if (v !== undefined) return v;
    }
  }
  return undefined;
}

export function term(field: string, value: string | number | boolean): Query {
  return { term: { [field]: value } };
}

export function timestampOf(hit: Hit | undefined): Date | undefined {
  const v = hit === undefined ? undefined : valueAt(hit.source, '@timestamp');
  if (typeof v !== 'string' && typeof v !== 'number') return undefined;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? undefined : d;
}
