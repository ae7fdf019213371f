/**
 * Lens by-value building blocks: columns of the form-based datasource, layers and visualization
 * states, in the shape Kibana writes into a dashboard's `panelsJSON` (compare the `kibana/dashboard/`
 * exports of Elastic's integration packages; kibana/dashboards/reference-structure.ts records the
 * structure the tests hold us to).
 *
 * Plain data only. Ids are derived from names (stableId) so that rendering twice gives the same JSON.
 */
import { createHash } from 'node:crypto';

/** A deterministic UUID-shaped id for a name (Kibana accepts any string; UUIDs look native). */
export function stableId(name: string): string {
  const h = createHash('sha256').update(name).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export interface KqlQuery {
  readonly language: 'kuery';
  readonly query: string;
}

export function kql(query: string): KqlQuery {
  return { language: 'kuery', query };
}

/** `field : "value"` with the value quoted for KQL. */
export function kqlIs(field: string, value: string | number): string {
  return typeof value === 'number' ? `${field} : ${value}` : `${field} : "${value.replace(/(["\\])/g, '\\$1')}"`;
}

/** A KQL clause with the fields it names (declared by the author, checked by the contract test). */
export interface KqlFilter {
  readonly query: string;
  readonly fields: readonly string[];
}

export function kqlAnd(...clauses: readonly string[]): string {
  return clauses.filter((c) => c.length > 0).map((c) => (c.includes(' or ') ? `(${c})` : c)).join(' and ');
}

export type ValueFormat = 'number' | 'percent' | 'bytes' | 'duration_s' | 'duration_us';

function format(fmt: ValueFormat | undefined, decimals = 2): Record<string, unknown> | undefined {
  switch (fmt) {
    case undefined:
      return undefined;
    case 'number':
      return { id: 'number', params: { decimals } };
    case 'percent':
      return { id: 'percent', params: { decimals } };
    case 'bytes':
      return { id: 'bytes', params: { decimals } };
    case 'duration_s':
      return { id: 'duration', params: { decimals, fromUnit: 'seconds', toUnit: 'humanize' } };
    case 'duration_us':
      return { id: 'duration', params: { decimals, fromUnit: 'microseconds', toUnit: 'humanize' } };
  }
}

/** A form-based column. `fields` lists the Elasticsearch fields it reads (for the `fields` declaration). */
export interface Column {
  readonly id: string;
  readonly column: Record<string, unknown>;
  /** Extra columns a formula needs (hidden from the chart, referenced by the formula). */
  readonly helpers?: readonly Column[];
  readonly fields: readonly string[];
}

function withOptional(base: Record<string, unknown>, extra: Record<string, unknown | undefined>): Record<string, unknown> {
  const out = { ...base };
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) out[k] = v;
  return out;
}

export function dateHistogram(id: string): Column {
  return {
    id,
    fields: ['@timestamp'],
    column: {
      label: '@timestamp',
      dataType: 'date',
      operationType: 'date_histogram',
      sourceField: '@timestamp',
      isBucketed: true,
      scale: 'interval',
      params: { interval: 'auto', includeEmptyRows: true, dropPartials: false },
    },
  };
}

export interface TermsOptions {
  readonly label: string;
  readonly size?: number;
  /** Order by this metric column (descending); alphabetical when absent. */
  readonly orderByColumn?: string;
  readonly otherBucket?: boolean;
  readonly dataType?: 'string' | 'number';
}

export function terms(id: string, field: string, opts: TermsOptions): Column {
  return {
    id,
    fields: [field],
    column: {
      label: opts.label,
      customLabel: true,
      dataType: opts.dataType ?? 'string',
      operationType: 'terms',
      sourceField: field,
      isBucketed: true,
      scale: 'ordinal',
      params: {
        size: opts.size ?? 10,
        orderBy: opts.orderByColumn !== undefined ? { type: 'column', columnId: opts.orderByColumn } : { type: 'alphabetical', fallback: false },
        orderDirection: opts.orderByColumn !== undefined ? 'desc' : 'asc',
        otherBucket: opts.otherBucket ?? true,
        missingBucket: false,
        parentFormat: { id: 'terms' },
      },
    },
  };
}

export type MetricOperation = 'sum' | 'average' | 'max' | 'min' | 'median' | 'last_value' | 'unique_count';

export interface MetricOptions {
  readonly label: string;
  /** KQL restricting the documents this column aggregates (Lens "filter by"). */
  readonly filter?: KqlFilter;
  /** Normalise by unit (Lens "normalize by unit"): divides each bucket by its length in this unit. */
  readonly timeScale?: 's' | 'm';
  readonly format?: ValueFormat;
  /** `date` for min/max of a date field; numbers otherwise. */
  readonly dataType?: 'number' | 'date' | 'string';
}

/** A non-bucketed value column; `params` gets the column's value format when one is set. */
function valueColumn(
  id: string,
  spec: {
    operationType: string;
    sourceField: string;
    fields: readonly string[];
    params: Record<string, unknown>;
    opts: MetricOptions;
    dataType?: MetricOptions['dataType'];
    timeScale?: MetricOptions['timeScale'];
  },
): Column {
  const params = { ...spec.params };
  const fmt = format(spec.opts.format);
  if (fmt !== undefined) params.format = fmt;
  const filter = spec.opts.filter;
  return {
    id,
    fields: [...spec.fields, ...(filter?.fields ?? [])],
    column: withOptional(
      {
        label: spec.opts.label,
        customLabel: true,
        dataType: spec.dataType ?? 'number',
        operationType: spec.operationType,
        sourceField: spec.sourceField,
        isBucketed: false,
        scale: 'ratio',
        params,
      },
      { filter: filter !== undefined ? kql(filter.query) : undefined, timeScale: spec.timeScale },
    ),
  };
}

export function metric(id: string, operation: MetricOperation, field: string, opts: MetricOptions): Column {
  return valueColumn(id, {
    operationType: operation,
    sourceField: field,
    fields: [field],
    params: operation === 'last_value' ? { sortField: '@timestamp', showArrayValues: false } : { emptyAsNull: true },
    opts,
    dataType: opts.dataType,
    timeScale: opts.timeScale,
  });
}

/** Count of documents (optionally filtered). */
export function count(id: string, opts: MetricOptions): Column {
  return valueColumn(id, {
    operationType: 'count',
    sourceField: '___records___',
    fields: [],
    params: { emptyAsNull: true },
    opts,
    timeScale: opts.timeScale,
  });
}

/**
 * A percentile. Works on numeric fields and on Elasticsearch `histogram` fields (Lens's percentile
 * operation supports both; the prometheus integration stores prom-client histograms as `histogram`).
 */
export function percentile(id: string, field: string, pct: number, opts: MetricOptions): Column {
  return valueColumn(id, { operationType: 'percentile', sourceField: field, fields: [field], params: { percentile: pct }, opts });
}

type MathArg = string | number;

/**
 * A Lens formula `a / b` (b a column or a constant), stored the way Lens stores formulas: the
 * visible `formula` column references a hidden `math` column, which references the operand columns.
 */
export function ratio(id: string, numerator: Column, denominator: Column | number, opts: { label: string; formula: string; format?: ValueFormat }): Column {
  const x0: Column = { ...numerator, id: `${id}X0`, column: { ...numerator.column, label: `Part of ${opts.label}`, customLabel: true } };
  const helpers: Column[] = [x0];
  let denominatorArg: MathArg;
  if (typeof denominator === 'number') {
    denominatorArg = denominator;
  } else {
    const x1: Column = { ...denominator, id: `${id}X1`, column: { ...denominator.column, label: `Part of ${opts.label}`, customLabel: true } };
    helpers.push(x1);
    denominatorArg = x1.id;
  }
  const mathId = `${id}X${helpers.length}`;
  const math: Column = {
    id: mathId,
    fields: [],
    column: {
      label: `Part of ${opts.label}`,
      customLabel: true,
      dataType: 'number',
      operationType: 'math',
      isBucketed: false,
      scale: 'ratio',
      params: {
        tinymathAst: {
          type: 'function',
          name: 'divide',
          args: [x0.id, denominatorArg],
          location: { min: 0, max: opts.formula.length },
          text: opts.formula,
        },
      },
      references: helpers.map((h) => h.id),
    },
  };
  const params: Record<string, unknown> = { formula: opts.formula, isFormulaBroken: false };
  const fmt = format(opts.format);
  if (fmt !== undefined) params.format = fmt;
  return {
    id,
    helpers: [...helpers, math],
    fields: helpers.flatMap((h) => h.fields),
    column: {
      label: opts.label,
      customLabel: true,
      dataType: 'number',
      operationType: 'formula',
      isBucketed: false,
      scale: 'ratio',
      params,
      references: [mathId],
    },
  };
}

/** A layer of the form-based datasource: visible columns in order, formula helpers appended. */
export function formBasedLayer(columns: readonly Column[]): { columnOrder: string[]; columns: Record<string, unknown>; incompleteColumns: Record<string, never>; sampling: number } {
  const all = columns.flatMap((c) => [c, ...(c.helpers ?? [])]);
  return {
    columnOrder: all.map((c) => c.id),
    columns: Object.fromEntries(all.map((c) => [c.id, c.column])),
    incompleteColumns: {},
    sampling: 1,
  };
}

// ----------------------------------------------------------------------------- visualizations

export type SeriesType = 'line' | 'area' | 'bar' | 'bar_stacked' | 'area_stacked';

const AXIS_ALL = { x: true, yLeft: true, yRight: true } as const;

/**
 * An XY chart state. The breakdown is `splitAccessor` (one column), the key every 9.x release reads;
 * recent Kibana sources store `splitAccessors: [...]` and convert the single key on load
 * (`convertToSplitAccessorsFn`), so this stays valid on newer releases too.
 */
export function xyVisualization(layerId: string, opts: { x: string; accessors: readonly string[]; splitAccessor?: string; seriesType: SeriesType; yTitle?: string }): Record<string, unknown> {
  return {
    legend: { isVisible: true, position: 'right' },
    valueLabels: 'hide',
    fittingFunction: 'None',
    axisTitlesVisibilitySettings: AXIS_ALL,
    tickLabelsVisibilitySettings: AXIS_ALL,
    gridlinesVisibilitySettings: AXIS_ALL,
    labelsOrientation: { x: 0, yLeft: 0, yRight: 0 },
    preferredSeriesType: opts.seriesType,
    ...(opts.yTitle !== undefined ? { yTitle: opts.yTitle } : {}),
    layers: [
      {
        layerId,
        layerType: 'data',
        seriesType: opts.seriesType,
        xAccessor: opts.x,
        accessors: [...opts.accessors],
        ...(opts.splitAccessor !== undefined ? { splitAccessor: opts.splitAccessor } : {}),
        position: 'top',
        showGridlines: false,
      },
    ],
  };
}

export function metricVisualization(layerId: string, opts: { metric: string; breakdownBy?: string; secondary?: string }): Record<string, unknown> {
  return {
    layerId,
    layerType: 'data',
    metricAccessor: opts.metric,
    ...(opts.secondary !== undefined ? { secondaryMetricAccessor: opts.secondary } : {}),
    ...(opts.breakdownBy !== undefined ? { breakdownByAccessor: opts.breakdownBy, maxCols: 4 } : {}),
  };
}

export function datatableVisualization(layerId: string, columnIds: readonly string[], sortBy?: { columnId: string; direction: 'asc' | 'desc' }): Record<string, unknown> {
  return {
    layerId,
    layerType: 'data',
    columns: columnIds.map((columnId) => ({ columnId, isTransposed: false })),
    paging: { enabled: true, size: 10 },
    ...(sortBy !== undefined ? { sorting: sortBy } : {}),
  };
}

export type VisualizationType = 'lnsXY' | 'lnsMetric' | 'lnsDatatable';

export interface LensAttributesInput {
  readonly dataViewId: string;
  readonly layerId: string;
  readonly columns: readonly Column[];
  readonly visualizationType: VisualizationType;
  readonly visualization: Record<string, unknown>;
  /** KQL applied to the whole panel: always the dataset and the service. */
  readonly query: string;
  readonly description?: string;
}

/** `embeddableConfig.attributes` of a by-value Lens panel. */
export function lensAttributes(input: LensAttributesInput): Record<string, unknown> {
  return {
    title: '',
    description: input.description ?? '',
    visualizationType: input.visualizationType,
    type: 'lens',
    references: [{ type: 'index-pattern', id: input.dataViewId, name: `indexpattern-datasource-layer-${input.layerId}` }],
    state: {
      adHocDataViews: {},
      internalReferences: [],
      datasourceStates: {
        formBased: { layers: { [input.layerId]: formBasedLayer(input.columns) } },
        indexpattern: { layers: {} },
        textBased: { layers: {} },
      },
      filters: [],
      query: kql(input.query),
      visualization: input.visualization,
    },
  };
}
