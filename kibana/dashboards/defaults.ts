/**
 * Shared defaults of every dashboard: the saved-object format version, the panel model, the
 * scope (dataset + service) each panel filters on, sizes, and the assembly of panels into a
 * dashboard saved object. Panel factories (panels/*.ts) start from here.
 */
import type { SavedObjectReference, SavedObjectResource } from '../../model/resources.js';
import { SERVICE } from '../../service/src/telemetry/registry.js';
import {
  DATASETS,
  KUBERNETES_FIELDS,
  OWNER_PREFIX,
  OWNER_TAG,
  SERVICE_NAME,
  SERVICE_NAME_FIELD,
} from '../telemetry-fields.js';
import { kqlAnd, kqlIs, stableId } from './lens.js';

/**
 * Saved-object format. Kibana 9.x stores `coreMigrationVersion: 8.8.0` (the last core migration)
 * and a model version in `typeMigrationVersion` (`10.<model>.0`). The dashboard type's model
 * version 2 exists on every 9.x release; Kibana migrates forward from it on import (model versions
 * 3 and 4 only add mappings). Without these fields Kibana would replay every legacy migration on the
 * by-value panels. Source: src/platform/plugins/shared/dashboard/server/dashboard_saved_object/dashboard_saved_object.ts.
 */
export const SAVED_OBJECT_VERSION = {
  coreMigrationVersion: '8.8.0',
  dashboard: '10.2.0',
  tag: '8.0.0',
} as const;

/** The dashboard grid is 48 columns wide. */
export const GRID_COLUMNS = 48;

export const SIZES = {
  full: { w: 48, h: 12 },
  half: { w: 24, h: 12 },
  third: { w: 16, h: 12 },
  quarter: { w: 12, h: 8 },
  stat: { w: 8, h: 6 },
  banner: { w: 48, h: 5 },
  table: { w: 24, h: 14 },
  wideTable: { w: 48, h: 15 },
} as const;
export type Size = { readonly w: number; readonly h: number };

export const TIME_RANGE = { from: 'now-1h', to: 'now' } as const;
export const REFRESH_MS = 60_000;

// ----------------------------------------------------------------------------- scopes

/** The documents a panel reads: a KQL query and the fields it names. */
export interface Scope {
  readonly query: string;
  readonly fields: readonly string[];
}

/** Every panel on the service's Prometheus metrics: the collector dataset and the service. */
export function metricsScope(): Scope {
  return {
    query: kqlAnd(kqlIs('data_stream.dataset', DATASETS.metrics), kqlIs(SERVICE_NAME_FIELD, SERVICE_NAME)),
    fields: ['data_stream.dataset', SERVICE_NAME_FIELD],
  };
}

/** Every panel on the service's logs: the container logs dataset and the service (from its ECS JSON). */
export function logsScope(extra?: { query: string; fields: readonly string[] }): Scope {
  return {
    query: kqlAnd(kqlIs('data_stream.dataset', DATASETS.logs), kqlIs(SERVICE_NAME_FIELD, SERVICE_NAME), extra?.query ?? ''),
    fields: ['data_stream.dataset', SERVICE_NAME_FIELD, ...(extra?.fields ?? [])],
  };
}

/**
 * Kubernetes integration documents carry no `service.name`. The service's identity there is its
 * own namespace (names.md: `sample-service` holds only the service), and, for Deployment documents,
 * the Deployment's name. The `app.kubernetes.io/name` pod label is not used: its presence on kubelet
 * and kube-state-metrics documents is still to be confirmed on a live cluster.
 */
export function kubernetesScope(datasets: readonly string[], by: 'namespace' | 'deployment' = 'namespace'): Scope {
  const datasetClause = datasets.length === 1 ? kqlIs('data_stream.dataset', datasets[0] ?? '') : datasets.map((d) => kqlIs('data_stream.dataset', d)).join(' or ');
  const clauses = [datasetClause, kqlIs(KUBERNETES_FIELDS.namespace, SERVICE.namespace)];
  const fields: string[] = ['data_stream.dataset', KUBERNETES_FIELDS.namespace];
  if (by === 'deployment') {
    clauses.push(kqlIs(KUBERNETES_FIELDS.deploymentName, SERVICE.name));
    fields.push(KUBERNETES_FIELDS.deploymentName);
  }
  return { query: kqlAnd(...clauses), fields };
}

// ----------------------------------------------------------------------------- panel model

export interface PanelSpec {
  /** Stable key, unique within a dashboard: panel ids derive from it. */
  readonly key: string;
  readonly title: string;
  /** The question the panel answers (docs/dashboards.md is generated from the same text). */
  readonly question: string;
  readonly size: Size;
  /** Embeddable type: `lens`, `visualization` (markdown), `search`, or a solution embeddable. */
  readonly type: string;
  readonly embeddableConfig: Record<string, unknown>;
  /** References the panel's state uses, by their in-panel name (prefixed with the panel id on the dashboard). */
  readonly references: readonly SavedObjectReference[];
  /** A by-reference panel: the saved object it shows. */
  readonly savedObject?: { readonly type: string; readonly id: string };
  /** Elasticsearch fields the panel reads. */
  readonly fields: readonly string[];
}

export interface DashboardSpec {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  /** Panels row by row; a row wraps when it is wider than the grid. */
  readonly rows: readonly (readonly PanelSpec[])[];
}

export interface GridData {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
  readonly i: string;
}

/** Places panels left to right, row by row; a new row starts below the tallest panel of the previous one. */
export function layout(rows: readonly (readonly PanelSpec[])[], panelId: (p: PanelSpec) => string): Array<{ panel: PanelSpec; gridData: GridData }> {
  const placed: Array<{ panel: PanelSpec; gridData: GridData }> = [];
  let y = 0;
  for (const row of rows) {
    let x = 0;
    let rowHeight = 0;
    for (const panel of row) {
      const { w, h } = panel.size;
      if (w > GRID_COLUMNS) throw new Error(`panel ${panel.key} is ${w} wide; the grid has ${GRID_COLUMNS} columns`);
      if (x + w > GRID_COLUMNS) {
        y += rowHeight;
        x = 0;
        rowHeight = 0;
      }
      placed.push({ panel, gridData: { x, y, w, h, i: panelId(panel) } });
      x += w;
      rowHeight = Math.max(rowHeight, h);
    }
    y += rowHeight;
  }
  return placed;
}

/** Id of the tag every owned dashboard carries. */
export const MANAGED_TAG_ID = `${OWNER_PREFIX}managed-tag`;

export function managedTag(): SavedObjectResource {
  return {
    kind: 'kibana.saved_object',
    type: 'tag',
    id: MANAGED_TAG_ID,
    title: OWNER_TAG,
    attributes: { name: OWNER_TAG, description: 'Managed by sample-service-observability (npm run provision-kibana); edits are overwritten.', color: '#54B399' },
    references: [],
    coreMigrationVersion: SAVED_OBJECT_VERSION.coreMigrationVersion,
    typeMigrationVersion: SAVED_OBJECT_VERSION.tag,
    fields: [],
  };
}

/** Renders a dashboard spec to the saved object the engine imports (NDJSON line of `_import`). */
export function renderDashboard(spec: DashboardSpec): SavedObjectResource {
  const keys = new Set<string>();
  for (const p of spec.rows.flat()) {
    if (keys.has(p.key)) throw new Error(`dashboard ${spec.id}: duplicate panel key ${p.key}`);
    keys.add(p.key);
  }
  const panelId = (p: PanelSpec): string => stableId(`${spec.id}/${p.key}`);
  const references: SavedObjectReference[] = [];
  const panels = layout(spec.rows, panelId).map(({ panel, gridData }) => {
    const panelIndex = gridData.i;
    for (const ref of panel.references) references.push({ ...ref, name: `${panelIndex}:${ref.name}` });
    let panelRefName: string | undefined;
    if (panel.savedObject !== undefined) {
      panelRefName = `panel_${panelIndex}`;
      references.push({ type: panel.savedObject.type, id: panel.savedObject.id, name: `${panelIndex}:${panelRefName}` });
    }
    return {
      type: panel.type,
      panelIndex,
      gridData,
      title: panel.title,
      ...(panelRefName !== undefined ? { panelRefName } : {}),
      embeddableConfig: { ...panel.embeddableConfig, title: panel.title, description: panel.question },
    };
  });
  references.push({ type: 'tag', id: MANAGED_TAG_ID, name: `tag-ref-${MANAGED_TAG_ID}` });
  const fields = [...new Set(spec.rows.flat().flatMap((p) => p.fields))].sort();
  return {
    kind: 'kibana.saved_object',
    type: 'dashboard',
    id: spec.id,
    title: spec.title,
    attributes: {
      title: spec.title,
      description: spec.description,
      panelsJSON: JSON.stringify(panels),
      optionsJSON: JSON.stringify({ useMargins: true, syncColors: false, syncCursor: true, syncTooltips: false, hidePanelTitles: false }),
      timeRestore: true,
      timeFrom: TIME_RANGE.from,
      timeTo: TIME_RANGE.to,
      refreshInterval: { pause: false, value: REFRESH_MS },
      kibanaSavedObjectMeta: { searchSourceJSON: JSON.stringify({ query: { language: 'kuery', query: '' }, filter: [] }) },
    },
    references,
    coreMigrationVersion: SAVED_OBJECT_VERSION.coreMigrationVersion,
    typeMigrationVersion: SAVED_OBJECT_VERSION.dashboard,
    fields,
  };
}
