/** Panels on the service's ECS log lines (container logs, JSON parsed to top-level fields). */
import { ERROR_MESSAGE_KEYWORD } from '../../../elastic/mappings.js';
import { DATA_VIEW_IDS, LOG_FIELDS, SAVED_SEARCH_IDS, ACCESS_LOG } from '../../telemetry-fields.js';
import { logsScope, SIZES, type PanelSpec } from '../defaults.js';
import { count, dateHistogram, datatableVisualization, kqlIs, metric, terms, xyVisualization } from '../lens.js';
import { LOG_COLUMNS } from '../../saved-searches.js';
import { lensPanel, savedSearchPanel } from './common.js';

const ERROR_LINES = { query: kqlIs(LOG_FIELDS.level, 'error'), fields: [LOG_FIELDS.level] };

/**
 * Error messages are split on the keyword sub-field this project maps (elastic/mappings.ts):
 * `error.message` itself is `match_only_text`, which Elasticsearch cannot aggregate.
 */
const ERROR_MESSAGE = ERROR_MESSAGE_KEYWORD;

export function logRateByLevel(): PanelSpec {
  const x = dateHistogram('time');
  const level = terms('level', LOG_FIELDS.level, { label: 'Level', size: 6 });
  const lines = count('lines', { label: 'Lines/min', timeScale: 'm', format: 'number' });
  return lensPanel({
    key: 'log-rate-by-level',
    title: 'Log lines per minute by level',
    question: 'Did the service start logging more warnings or errors than usual?',
    size: SIZES.full,
    dataViewId: DATA_VIEW_IDS.logs,
    scope: logsScope(),
    columns: [x, level, lines],
    visualizationType: 'lnsXY',
    visualization: (layerId) => xyVisualization(layerId, { x: x.id, accessors: [lines.id], splitAccessor: level.id, seriesType: 'bar_stacked', yTitle: 'lines/min' }),
  });
}

export function topErrorMessages(): PanelSpec {
  const lines = count('lines', { label: 'Lines', format: 'number' });
  const message = terms('message', ERROR_MESSAGE, { label: 'Error message', size: 10, orderByColumn: lines.id, otherBucket: false });
  return lensPanel({
    key: 'top-error-messages',
    title: 'Top error messages',
    question: 'Which error messages dominate, and how often do they occur?',
    size: SIZES.table,
    dataViewId: DATA_VIEW_IDS.logs,
    scope: logsScope(ERROR_LINES),
    columns: [message, lines],
    visualizationType: 'lnsDatatable',
    visualization: (layerId) => datatableVisualization(layerId, [message.id, lines.id], { columnId: lines.id, direction: 'desc' }),
  });
}

export function topErrorTypes(): PanelSpec {
  const lines = count('lines', { label: 'Lines', format: 'number' });
  const type = terms('type', LOG_FIELDS.errorType, { label: 'Error type', size: 10, orderByColumn: lines.id, otherBucket: true });
  return lensPanel({
    key: 'top-error-types',
    title: 'Top error types',
    question: 'Which kinds of error (exception classes) are being raised?',
    size: SIZES.table,
    dataViewId: DATA_VIEW_IDS.logs,
    scope: logsScope(ERROR_LINES),
    columns: [type, lines],
    visualizationType: 'lnsXY',
    visualization: (layerId) => xyVisualization(layerId, { x: type.id, accessors: [lines.id], seriesType: 'bar', yTitle: 'lines' }),
  });
}

export function requestsByStatusCode(): PanelSpec {
  const x = dateHistogram('time');
  const status = terms('status', LOG_FIELDS.statusCode, { label: 'Status code', size: 10, dataType: 'number' });
  const requests = count('requests', { label: 'Requests/min', timeScale: 'm', format: 'number' });
  return lensPanel({
    key: 'requests-by-status-code',
    title: 'Requests by status code (access log)',
    question: 'How are responses split between 2xx, 4xx and 5xx over time?',
    size: SIZES.full,
    dataViewId: DATA_VIEW_IDS.logs,
    scope: logsScope({ query: kqlIs(LOG_FIELDS.message, ACCESS_LOG), fields: [LOG_FIELDS.message] }),
    columns: [x, status, requests],
    visualizationType: 'lnsXY',
    visualization: (layerId) => xyVisualization(layerId, { x: x.id, accessors: [requests.id], splitAccessor: status.id, seriesType: 'bar_stacked', yTitle: 'requests/min' }),
  });
}

/** Most recent error messages with where they happened, for the overview. */
export function latestErrors(): PanelSpec {
  const lastSeen = metric('last-seen', 'max', LOG_FIELDS.timestamp, { label: 'Last seen', dataType: 'date' });
  const message = terms('message', ERROR_MESSAGE, { label: 'Error message', size: 10, orderByColumn: lastSeen.id, otherBucket: false });
  const type = metric('type', 'last_value', LOG_FIELDS.errorType, { label: 'Error type', dataType: 'string' });
  const route = metric('route', 'last_value', LOG_FIELDS.route, { label: 'Route', dataType: 'string' });
  const trace = metric('trace', 'last_value', LOG_FIELDS.traceId, { label: 'Last trace id', dataType: 'string' });
  const lines = count('lines', { label: 'Lines', format: 'number' });
  return lensPanel({
    key: 'latest-errors',
    title: 'Latest errors',
    question: 'What failed most recently, on which route, and which trace shows it?',
    size: SIZES.wideTable,
    dataViewId: DATA_VIEW_IDS.logs,
    scope: logsScope(ERROR_LINES),
    columns: [message, lastSeen, type, route, trace, lines],
    visualizationType: 'lnsDatatable',
    visualization: (layerId) => datatableVisualization(layerId, [message.id, lastSeen.id, type.id, route.id, trace.id, lines.id], { columnId: lastSeen.id, direction: 'desc' }),
  });
}

/** The saved search `[Sample Service] Logs` (defined in kibana/saved-searches.ts), by reference. */
export function logStream(): PanelSpec {
  return savedSearchPanel({
    key: 'log-stream',
    title: 'Log stream',
    question: 'What exactly did the service log, line by line (open in Discover to filter by trace.id)?',
    size: { w: 48, h: 16 },
    searchId: SAVED_SEARCH_IDS.logs,
    // What the saved search shows and filters on (its columns, sort and service filter).
    fields: ['@timestamp', LOG_FIELDS.serviceName, ...LOG_COLUMNS],
  });
}
