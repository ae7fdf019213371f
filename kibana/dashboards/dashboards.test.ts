import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import type { SavedObjectResource } from '../../model/resources.js';
import { contractFile, REPO_ROOT } from '../../test/support/contracts.js';
import { OpenApiContract } from '../../test/support/openapi.js';
import { dataViews } from '../data-views.js';
import { savedSearches } from '../saved-searches.js';
import { DATA_VIEW_IDS, OWNER_PREFIX, SAVED_SEARCH_IDS, SLO_IDS } from '../telemetry-fields.js';
import { GRID_COLUMNS, MANAGED_TAG_ID, SAVED_OBJECT_VERSION } from './defaults.js';
import { dashboardsReference, DOCS_END, DOCS_START } from './docs.js';
import { DASHBOARD_IDS, dashboardSpecs, dashboards } from './index.js';
import {
  BY_REFERENCE_PANEL,
  DASHBOARD_ATTRIBUTE_KEYS,
  DASHBOARD_JSON_STRING_ATTRIBUTES,
  LENS_PANEL,
  MARKDOWN_PANEL,
  PANEL,
  TAG_REFERENCE_NAME,
} from './reference-structure.js';

type Json = Record<string, unknown>;

function savedObjects(): SavedObjectResource[] {
  return dashboards().filter((r): r is SavedObjectResource => r.kind === 'kibana.saved_object');
}

function dashboardObjects(): SavedObjectResource[] {
  return savedObjects().filter((r) => r.type === 'dashboard');
}

function panelsOf(d: SavedObjectResource): Json[] {
  const panels = JSON.parse(String(d.attributes.panelsJSON)) as unknown;
  assert.ok(Array.isArray(panels), `${d.id}: panelsJSON is not an array`);
  return panels as Json[];
}

function hasKeys(obj: unknown, keys: readonly string[], where: string): void {
  assert.ok(obj !== null && typeof obj === 'object', `${where}: not an object`);
  for (const k of keys) assert.ok(k in (obj as Json), `${where}: missing "${k}"`);
}

function lensState(panel: Json): Json {
  return ((panel.embeddableConfig as Json).attributes as Json).state as Json;
}

/** The `_import` NDJSON line of a saved object, as the export API writes it. */
function ndjsonLine(r: SavedObjectResource): string {
  return JSON.stringify({
    type: r.type,
    id: r.id,
    attributes: r.attributes,
    references: r.references,
    coreMigrationVersion: r.coreMigrationVersion,
    typeMigrationVersion: r.typeMigrationVersion,
  });
}

describe('dashboards as saved objects', () => {
  test('the three dashboards have stable ids and [Sample Service] titles', () => {
    const ds = dashboardObjects();
    assert.deepEqual(ds.map((d) => d.id).sort(), Object.values(DASHBOARD_IDS).sort());
    assert.deepEqual(ds.map((d) => d.attributes.title).sort(), [
      '[Sample Service] Logs',
      '[Sample Service] Overview',
      '[Sample Service] Runtime and Kubernetes',
    ]);
    for (const r of savedObjects()) assert.ok(r.id.startsWith(OWNER_PREFIX), `${r.id} lacks the owner prefix`);
  });

  test('rendering twice gives byte-identical objects (ids derive from names, not randomness)', () => {
    assert.equal(JSON.stringify(dashboards()), JSON.stringify(dashboards()));
  });

  test('each object is one NDJSON line with type, id, attributes, references and 9.x migration versions', () => {
    for (const r of savedObjects()) {
      const line = ndjsonLine(r);
      assert.ok(!line.includes('\n'), `${r.id}: a line break inside the NDJSON line`);
      const back = JSON.parse(line) as Json;
      assert.equal(typeof back.type, 'string');
      assert.equal(typeof back.id, 'string');
      assert.ok(back.attributes !== null && typeof back.attributes === 'object');
      assert.ok(Array.isArray(back.references));
      for (const ref of back.references as Json[]) {
        for (const k of ['type', 'id', 'name']) assert.equal(typeof ref[k], 'string', `${r.id}: reference ${JSON.stringify(ref)} lacks ${k}`);
      }
      assert.equal(back.coreMigrationVersion, SAVED_OBJECT_VERSION.coreMigrationVersion);
      assert.match(String(back.typeMigrationVersion), /^\d+\.\d+\.\d+$/);
    }
    for (const d of dashboardObjects()) assert.match(String(d.typeMigrationVersion), /^10\.\d+\.0$/, 'dashboards use model versions (10.x)');
  });

  test('the objects satisfy the saved-objects API body schema and the _import operation takes them as a multipart NDJSON file', (t) => {
    const bundled = contractFile('kibana-saved-objects-bundled.yaml');
    const importPath = contractFile('kibana-saved-objects-path-import.yaml');
    if (bundled.skip !== undefined || importPath.skip !== undefined) {
      t.skip(bundled.skip ?? importPath.skip);
      return;
    }
    const contract = new OpenApiContract(bundled.path);
    for (const r of savedObjects()) {
      // The bundled spec models saved-object bodies on the create route; _import takes the same objects as NDJSON lines.
      const errors = contract.validateRequest('post', `/api/saved_objects/${r.type}/${r.id}`, { attributes: r.attributes, references: r.references });
      assert.deepEqual(errors, [], `${r.id}: ${errors.join('; ')}`);
    }
    const op = (parse(readFileSync(importPath.path, 'utf8')) as { post: Json }).post;
    const params = (op.parameters as Json[]).filter((p) => p.in === 'query').map((p) => p.name);
    assert.ok(params.includes('overwrite'), '_import has an overwrite query parameter');
    const multipart = ((op.requestBody as Json).content as Json)['multipart/form-data'] as Json;
    assert.ok(((multipart.schema as Json).properties as Json).file, '_import takes a multipart `file`');
  });

  test('dashboard attributes use only the keys of Kibana\'s dashboard schema, with JSON held in strings', () => {
    for (const d of dashboardObjects()) {
      for (const key of Object.keys(d.attributes)) {
        assert.ok((DASHBOARD_ATTRIBUTE_KEYS as readonly string[]).includes(key), `${d.id}: attribute ${key} is not in the dashboard schema`);
      }
      for (const key of DASHBOARD_JSON_STRING_ATTRIBUTES) {
        assert.equal(typeof d.attributes[key], 'string', `${d.id}: ${key} must be a JSON string`);
        JSON.parse(String(d.attributes[key]));
      }
      const meta = d.attributes.kibanaSavedObjectMeta as Json;
      assert.equal(typeof meta.searchSourceJSON, 'string');
      assert.equal(typeof d.attributes.title, 'string');
      assert.equal(typeof d.attributes.description, 'string');
    }
  });

  test('every panel has the structure of the Kibana exports for its type', () => {
    const seenTypes = new Set<string>();
    for (const d of dashboardObjects()) {
      for (const panel of panelsOf(d)) {
        const where = `${d.id} panel ${String(panel.title)}`;
        hasKeys(panel, PANEL.required, where);
        for (const k of Object.keys(panel)) {
          assert.ok([...PANEL.required, ...PANEL.optional].includes(k as never), `${where}: unexpected key ${k}`);
        }
        hasKeys(panel.gridData, PANEL.gridData.required, `${where} gridData`);
        assert.equal((panel.gridData as Json).i, panel.panelIndex, `${where}: gridData.i must equal panelIndex`);
        const config = panel.embeddableConfig as Json;
        seenTypes.add(String(panel.type));
        if (panel.type === 'lens') {
          hasKeys(config, LENS_PANEL.embeddableConfig, where);
          const attributes = config.attributes as Json;
          hasKeys(attributes, LENS_PANEL.attributes, `${where} attributes`);
          const state = attributes.state as Json;
          hasKeys(state, LENS_PANEL.state, `${where} state`);
          const layers = ((state.datasourceStates as Json).formBased as Json).layers as Json;
          assert.ok(Object.keys(layers).length > 0, `${where}: no formBased layer`);
          for (const [layerId, layer] of Object.entries(layers)) {
            hasKeys(layer, LENS_PANEL.layer, `${where} layer`);
            const ref = (attributes.references as Json[]).find((r) => r.name === LENS_PANEL.layerReferenceName(layerId));
            assert.ok(ref, `${where}: no index-pattern reference for layer ${layerId}`);
            for (const [columnId, column] of Object.entries((layer as Json).columns as Json)) {
              hasKeys(column, LENS_PANEL.column, `${where} column ${columnId}`);
              const op = String((column as Json).operationType);
              assert.ok([...LENS_PANEL.fieldOperations, ...LENS_PANEL.referenceOperations].includes(op as never), `${where}: operation ${op}`);
            }
          }
          const vType = String(attributes.visualizationType) as keyof typeof LENS_PANEL.visualization;
          assert.ok(vType in LENS_PANEL.visualization, `${where}: visualization ${vType}`);
          hasKeys(state.visualization, LENS_PANEL.visualization[vType], `${where} visualization`);
          if (vType === 'lnsXY') {
            for (const l of (state.visualization as Json).layers as Json[]) hasKeys(l, LENS_PANEL.visualization.lnsXYLayer, `${where} xy layer`);
          }
        } else if (panel.type === MARKDOWN_PANEL.type) {
          hasKeys(config.savedVis, MARKDOWN_PANEL.savedVis, `${where} savedVis`);
          hasKeys((config.savedVis as Json).params, MARKDOWN_PANEL.params, `${where} params`);
        } else if (panel.type === 'search') {
          assert.equal(panel.panelRefName, BY_REFERENCE_PANEL.panelRefName(String(panel.panelIndex)));
          const ref = d.references.find((r) => r.name === BY_REFERENCE_PANEL.referenceName(String(panel.panelIndex)));
          assert.ok(ref && ref.type === 'search', `${where}: no search reference`);
        } else {
          assert.equal(panel.type, 'SLO_EMBEDDABLE', `${where}: unknown panel type ${String(panel.type)}`);
          assert.equal(typeof config.sloId, 'string');
        }
      }
    }
    assert.deepEqual([...seenTypes].sort(), ['SLO_EMBEDDABLE', 'lens', 'search', 'visualization']);
  });

  test('Lens columns, formulas and chart accessors reference columns that exist', () => {
    for (const d of dashboardObjects()) {
      for (const panel of panelsOf(d).filter((p) => p.type === 'lens')) {
        const where = `${d.id} panel ${String(panel.title)}`;
        const state = lensState(panel);
        const layers = ((state.datasourceStates as Json).formBased as Json).layers as Record<string, Json>;
        const ids = new Set<string>();
        for (const layer of Object.values(layers)) {
          const columns = layer.columns as Record<string, Json>;
          assert.deepEqual([...(layer.columnOrder as string[])].sort(), Object.keys(columns).sort(), `${where}: columnOrder and columns differ`);
          for (const [id, col] of Object.entries(columns)) {
            ids.add(id);
            for (const ref of (col.references as string[] | undefined) ?? []) assert.ok(ref in columns, `${where}: ${id} references missing ${ref}`);
            const math = (col.params as Json | undefined)?.tinymathAst as Json | undefined;
            for (const arg of (math?.args as unknown[] | undefined) ?? []) {
              if (typeof arg === 'string') assert.ok(arg in columns, `${where}: math argument ${arg} is not a column`);
            }
            const orderBy = (col.params as Json | undefined)?.orderBy as Json | undefined;
            if (orderBy?.type === 'column') assert.ok(String(orderBy.columnId) in columns, `${where}: terms ordered by a missing column`);
          }
        }
        const vis = state.visualization as Json;
        const accessors = [
          ...((vis.layers as Json[] | undefined) ?? []).flatMap((l) => [l.xAccessor, l.splitAccessor, ...((l.accessors as string[]) ?? [])]),
          vis.metricAccessor,
          vis.breakdownByAccessor,
          ...((vis.columns as Json[] | undefined) ?? []).map((c) => c.columnId),
        ].filter((a): a is string => typeof a === 'string');
        assert.ok(accessors.length > 0, `${where}: the chart shows nothing`);
        for (const a of accessors) assert.ok(ids.has(a), `${where}: accessor ${a} is not a column`);
      }
    }
  });

  test('Prometheus histogram fields are only used with the operations Lens supports on histogram fields (percentiles)', () => {
    let histogramColumns = 0;
    for (const d of dashboardObjects()) {
      for (const panel of panelsOf(d).filter((p) => p.type === 'lens')) {
        const layers = ((lensState(panel).datasourceStates as Json).formBased as Json).layers as Record<string, Json>;
        for (const layer of Object.values(layers)) {
          for (const col of Object.values(layer.columns as Record<string, Json>)) {
            if (!String(col.sourceField ?? '').endsWith('.histogram')) continue;
            histogramColumns++;
            assert.ok(['percentile', 'percentile_rank'].includes(String(col.operationType)), `${d.id} ${String(panel.title)}: ${String(col.operationType)} on a histogram field`);
          }
        }
      }
    }
    assert.ok(histogramColumns > 0);
  });

  test('every panel references an existing data view or saved search, and the dashboard carries the prefixed references', () => {
    const views = new Set(dataViews().length > 0 ? dataViews().map((v) => v.id) : Object.values(DATA_VIEW_IDS));
    const searches = new Set(savedSearches().length > 0 ? savedSearches().map((s) => s.id) : Object.values(SAVED_SEARCH_IDS));
    for (const d of dashboardObjects()) {
      for (const panel of panelsOf(d)) {
        const where = `${d.id} panel ${String(panel.title)}`;
        if (panel.type !== 'lens') continue;
        const refs = ((panel.embeddableConfig as Json).attributes as Json).references as Json[];
        assert.ok(refs.length > 0, `${where}: no data view reference`);
        for (const ref of refs) {
          assert.equal(ref.type, 'index-pattern');
          assert.ok(views.has(String(ref.id)), `${where}: data view ${String(ref.id)} does not exist`);
          const top = d.references.find((r) => r.name === `${String(panel.panelIndex)}:${String(ref.name)}`);
          assert.ok(top && top.id === ref.id, `${where}: dashboard lacks reference ${String(panel.panelIndex)}:${String(ref.name)}`);
        }
      }
      for (const ref of d.references.filter((r) => r.type === 'search')) assert.ok(searches.has(ref.id), `${d.id}: saved search ${ref.id} does not exist`);
      assert.ok(d.references.some((r) => r.type === 'tag' && r.id === MANAGED_TAG_ID && r.name === TAG_REFERENCE_NAME(MANAGED_TAG_ID)), `${d.id}: not tagged`);
    }
    const tag = savedObjects().find((r) => r.type === 'tag');
    assert.equal(tag?.id, MANAGED_TAG_ID);
  });

  test('panels do not overlap and fit in the 48-column grid', () => {
    for (const d of dashboardObjects()) {
      const boxes = panelsOf(d).map((p) => ({ title: String(p.title), ...(p.gridData as { x: number; y: number; w: number; h: number }) }));
      for (const b of boxes) {
        assert.ok(b.x >= 0 && b.y >= 0 && b.w > 0 && b.h > 0, `${d.id} ${b.title}: bad box`);
        assert.ok(b.x + b.w <= GRID_COLUMNS, `${d.id} ${b.title}: wider than the grid`);
      }
      for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) {
          const a = boxes[i];
          const b = boxes[j];
          if (a === undefined || b === undefined) continue;
          const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
          assert.ok(!overlap, `${d.id}: "${a.title}" overlaps "${b.title}"`);
        }
      }
    }
  });

  test('every data panel filters on the dataset and on the service', () => {
    for (const d of dashboardObjects()) {
      for (const panel of panelsOf(d).filter((p) => p.type === 'lens')) {
        const query = String((lensState(panel).query as Json).query);
        assert.match(query, /data_stream\.dataset : "/, `${d.id} ${String(panel.title)}: no dataset filter`);
        assert.match(
          query,
          /service\.name : "sample-service"|kubernetes\.namespace : "sample-service"/,
          `${d.id} ${String(panel.title)}: no service filter`,
        );
      }
    }
  });

  test('the SLO panels show the SLOs the alerting definitions create', async () => {
    const { sloResources } = await import('../../alerts/slos.js');
    const sloIds = new Set(sloResources().map((s) => s.id));
    const overview = dashboardObjects().find((d) => d.id === DASHBOARD_IDS.overview);
    assert.ok(overview);
    const shown = panelsOf(overview)
      .filter((p) => p.type === 'SLO_EMBEDDABLE')
      .map((p) => String((p.embeddableConfig as Json).sloId));
    assert.deepEqual(shown.sort(), Object.values(SLO_IDS).sort());
    for (const id of shown) assert.ok(sloIds.has(id), `SLO ${id} is not defined in alerts/`);
  });

  test('navigation links lead to objects this project defines (dashboards, saved search, SLOs, the APM service)', () => {
    const dashboardsById = new Set(dashboardObjects().map((d) => d.id));
    const searches = new Set(savedSearches().length > 0 ? savedSearches().map((s) => s.id) : Object.values(SAVED_SEARCH_IDS));
    const slos = new Set(Object.values(SLO_IDS));
    let links = 0;
    for (const d of dashboardObjects()) {
      for (const panel of panelsOf(d).filter((p) => p.type === 'visualization')) {
        const markdown = String((((panel.embeddableConfig as Json).savedVis as Json).params as Json).markdown);
        for (const [, target] of markdown.matchAll(/\]\(([^)]+)\)/g)) {
          links++;
          const t = String(target);
          assert.ok(!t.startsWith('/') && !/^https?:/.test(t), `${d.id}: link ${t} must be relative to /app/ (keeps base path and space)`);
          let m: RegExpExecArray | null;
          if ((m = /^#\/view\/(.+)$/.exec(t))) assert.ok(dashboardsById.has(m[1] ?? ''), `${d.id}: no dashboard ${String(m[1])}`);
          else if ((m = /^discover#\/view\/(.+)$/.exec(t))) assert.ok(searches.has(m[1] ?? ''), `${d.id}: no saved search ${String(m[1])}`);
          else if ((m = /^slos\/(.+)$/.exec(t))) assert.ok(slos.has(m[1] as never), `${d.id}: no SLO ${String(m[1])}`);
          else assert.match(t, /^apm\/services\/sample-service\/(overview|errors)$/, `${d.id}: unexpected link ${t}`);
        }
      }
    }
    assert.ok(links >= 10, 'the navigation panels link somewhere');
  });

  test('docs/dashboards.md holds the generated reference of every dashboard, panel and question', () => {
    // Regenerate with: UPDATE_DASHBOARD_DOCS=1 node --import tsx --test kibana/dashboards/dashboards.test.ts
    const file = path.join(REPO_ROOT, 'docs', 'dashboards.md');
    const doc = readFileSync(file, 'utf8');
    const start = doc.indexOf(DOCS_START);
    const end = doc.indexOf(DOCS_END);
    assert.ok(start >= 0 && end > start, `docs/dashboards.md lacks the ${DOCS_START} … ${DOCS_END} section`);
    const expected = dashboardsReference(dashboardSpecs());
    const actual = doc.slice(start, end + DOCS_END.length);
    if (actual !== expected && process.env.UPDATE_DASHBOARD_DOCS === '1') {
      writeFileSync(file, doc.slice(0, start) + expected + doc.slice(end + DOCS_END.length));
      return;
    }
    assert.equal(actual, expected, 'docs/dashboards.md is out of date: run UPDATE_DASHBOARD_DOCS=1 node --import tsx --test kibana/dashboards/dashboards.test.ts');
    for (const spec of dashboardSpecs()) for (const panel of spec.rows.flat()) assert.ok(doc.includes(panel.question));
  });
});
