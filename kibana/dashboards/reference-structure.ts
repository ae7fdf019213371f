/**
 * The structure of dashboards exported by Kibana, reduced to the keys our panels must have. Read
 * from Elastic's own exports and Kibana's dashboard saved-object code (not copied: this is a
 * description of their shape):
 * - elastic/integrations packages/nginx/kibana/dashboard/nginx-007c6a50-addf-11ee-a365-4142d45cb036.json
 *   (commit c6a28ff4): Lens `lnsXY` panels by value, `formBased` layers, index-pattern references
 *   `indexpattern-datasource-layer-<layer>` inside the attributes and `<panelIndex>:…` on the dashboard.
 * - elastic/integrations packages/kubernetes/kibana/dashboard/kubernetes-3d4d9290-bcb1-11ec-b64f-7dd6e8e82013.json
 *   (commit 19a53c7d): `lnsDatatable` panels, the `markdown` visualization panel (`savedVis`).
 * - elastic/kibana src/platform/plugins/shared/dashboard/server/dashboard_saved_object/:
 *   `schema/v1/v1.ts` (attributes schema, unknown keys forbidden), `schema/v3/v3.ts` (gridData),
 *   `migrations/dashboard_container_references.ts` (by-reference panels: `panelRefName: panel_<id>`,
 *   reference `<id>:panel_<id>`; tags never inside panel references), `dashboard_saved_object.ts`
 *   (model versions 1–4 -> typeMigrationVersion 10.x.0).
 * - Lens formulas (`formula` -> `math` with `tinymathAst` -> operand columns): Lens's own formula
 *   test snapshots in elastic/kibana.
 */

/** Keys a dashboard saved object's attributes may have (schema v1 `create`, unknowns forbidden, + v2/v3 additions). */
export const DASHBOARD_ATTRIBUTE_KEYS = [
  'title',
  'description',
  'kibanaSavedObjectMeta',
  'timeRestore',
  'timeFrom',
  'timeTo',
  'refreshInterval',
  'controlGroupInput',
  'panelsJSON',
  'optionsJSON',
  'hits',
  'version',
  'sections',
] as const;

/** String-typed attributes holding JSON. */
export const DASHBOARD_JSON_STRING_ATTRIBUTES = ['panelsJSON', 'optionsJSON'] as const;

export const PANEL = {
  required: ['type', 'gridData', 'panelIndex', 'embeddableConfig'],
  optional: ['title', 'version', 'panelRefName', 'id'],
  gridData: { required: ['x', 'y', 'w', 'h', 'i'], optional: ['sectionId'] },
} as const;

/** By-value Lens panel (form-based datasource). */
export const LENS_PANEL = {
  embeddableConfig: ['attributes'],
  attributes: ['title', 'visualizationType', 'references', 'state'],
  state: ['datasourceStates', 'visualization', 'query', 'filters'],
  layer: ['columnOrder', 'columns'],
  column: ['label', 'dataType', 'operationType', 'isBucketed'],
  fieldOperations: ['date_histogram', 'terms', 'sum', 'average', 'max', 'min', 'median', 'last_value', 'percentile', 'unique_count', 'count'],
  referenceOperations: ['formula', 'math'],
  layerReferenceName: (layerId: string) => `indexpattern-datasource-layer-${layerId}`,
  visualization: {
    lnsXY: ['layers', 'preferredSeriesType', 'legend'],
    lnsXYLayer: ['layerId', 'layerType', 'seriesType', 'xAccessor', 'accessors'],
    lnsDatatable: ['layerId', 'layerType', 'columns'],
    lnsMetric: ['layerId', 'layerType', 'metricAccessor'],
  },
} as const;

/** The markdown visualization, by value. */
export const MARKDOWN_PANEL = {
  type: 'visualization',
  savedVis: ['type', 'params', 'title', 'uiState', 'data'],
  params: ['markdown', 'fontSize', 'openLinksInNewTab'],
} as const;

/** A by-reference panel (saved search). */
export const BY_REFERENCE_PANEL = {
  panelRefName: (panelIndex: string) => `panel_${panelIndex}`,
  referenceName: (panelIndex: string) => `${panelIndex}:panel_${panelIndex}`,
} as const;

/** The tag reference name used by saved-objects tagging. */
export const TAG_REFERENCE_NAME = (tagId: string) => `tag-ref-${tagId}`;
