/**
 * What `_field_caps` must confirm: for every field a dashboard, saved search, SLO or rule uses, the
 * data stream pattern it is read from, the types it may be mapped as, and whether it must be
 * aggregatable. The table is kibana/field-types.ts (each type with its source in Elastic's
 * packages and templates); the uses are what kibana/contract/field-types-check.ts finds in the
 * definitions, so the live check and the offline test read one table.
 */
import { allFieldRequirements } from '../../kibana/contract/field-types-check.js';
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

export function fieldRequirements(resources: readonly Resource[]): FieldRequirement[] {
  return allFieldRequirements(resources)
    .flatMap(({ patterns, fields }) =>
      fields.map((f) => ({ pattern: patterns.join(','), field: f.field, types: f.family ? TYPE_FAMILIES[f.family] : [], aggregatable: f.aggregatable, usedBy: f.usedBy })),
    )
    .sort((a, b) => a.pattern.localeCompare(b.pattern) || a.field.localeCompare(b.field));
}
