/** Panel shells shared by the factories: a by-value Lens panel, a markdown panel, a saved search panel. */
import { lensAttributes, stableId, type Column, type VisualizationType } from '../lens.js';
import type { PanelSpec, Scope, Size } from '../defaults.js';

export interface LensPanelInput {
  readonly key: string;
  readonly title: string;
  readonly question: string;
  readonly size: Size;
  readonly dataViewId: string;
  readonly scope: Scope;
  readonly columns: readonly Column[];
  readonly visualizationType: VisualizationType;
  readonly visualization: (layerId: string) => Record<string, unknown>;
}

/** A by-value Lens panel on one data view, filtered by its scope. */
export function lensPanel(input: LensPanelInput): PanelSpec {
  const layerId = stableId(`layer/${input.key}`);
  const attributes = lensAttributes({
    dataViewId: input.dataViewId,
    layerId,
    columns: input.columns,
    visualizationType: input.visualizationType,
    visualization: input.visualization(layerId),
    query: input.scope.query,
    description: input.question,
  });
  const fields = new Set<string>([...input.scope.fields, ...input.columns.flatMap((c) => c.fields)]);
  return {
    key: input.key,
    title: input.title,
    question: input.question,
    size: input.size,
    type: 'lens',
    embeddableConfig: { enhancements: {}, hidePanelTitles: false, attributes },
    references: [{ type: 'index-pattern', id: input.dataViewId, name: `indexpattern-datasource-layer-${layerId}` }],
    fields: [...fields].sort(),
  };
}

/** A markdown panel (the `markdown` visualization, by value). */
export function markdownPanel(input: { key: string; title: string; question: string; size: Size; markdown: string }): PanelSpec {
  return {
    key: input.key,
    title: input.title,
    question: input.question,
    size: input.size,
    type: 'visualization',
    embeddableConfig: {
      enhancements: {},
      savedVis: {
        title: '',
        description: '',
        type: 'markdown',
        params: { fontSize: 12, openLinksInNewTab: false, markdown: input.markdown },
        uiState: {},
        data: { aggs: [], searchSource: { query: { language: 'kuery', query: '' }, filter: [] } },
      },
    },
    references: [],
    fields: [],
  };
}

/** A saved search (Discover session) shown by reference. */
export function savedSearchPanel(input: { key: string; title: string; question: string; size: Size; searchId: string; fields: readonly string[] }): PanelSpec {
  return {
    key: input.key,
    title: input.title,
    question: input.question,
    size: input.size,
    type: 'search',
    embeddableConfig: { enhancements: {} },
    references: [],
    savedObject: { type: 'search', id: input.searchId },
    fields: [...input.fields],
  };
}
