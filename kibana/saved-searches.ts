/**
 * Discover saved searches, stored in the shape Kibana keeps them (index and filter data views as
 * references), so that a read-back compares equal and a second apply writes nothing.
 */
import type { Resource, SavedObjectResource } from '../model/resources.js';
import { MANAGED_TAG_ID } from './dashboards/defaults.js';
import { DATA_VIEW_IDS, SAVED_SEARCH_IDS, SERVICE_NAME, SERVICE_NAME_FIELD } from './telemetry-fields.js';

/** What an on-call engineer reads first: severity, message, and the ids that lead to the request and its trace. */
export const LOG_COLUMNS = ['log.level', 'message', 'http.request.id', 'trace.id', 'url.path', 'http.response.status_code'] as const;

const INDEX_REF = 'kibanaSavedObjectMeta.searchSourceJSON.index';
const FILTER_REF = 'kibanaSavedObjectMeta.searchSourceJSON.filter[0].meta.index';

export function logsSearch(): SavedObjectResource {
  const searchSource = {
    query: { query: '', language: 'kuery' },
    // A visible, removable filter pill rather than a hidden query.
    filter: [
      {
        meta: {
          alias: null,
          negate: false,
          disabled: false,
          type: 'phrase',
          key: SERVICE_NAME_FIELD,
          params: { query: SERVICE_NAME },
          indexRefName: FILTER_REF,
        },
        query: { match_phrase: { [SERVICE_NAME_FIELD]: SERVICE_NAME } },
        $state: { store: 'appState' },
      },
    ],
    indexRefName: INDEX_REF,
  };
  return {
    kind: 'kibana.saved_object',
    type: 'search',
    id: SAVED_SEARCH_IDS.logs,
    title: '[Sample Service] Logs',
    attributes: {
      title: '[Sample Service] Logs',
      description: `Container logs of ${SERVICE_NAME}, newest first; trace.id links to the trace in APM.`,
      columns: [...LOG_COLUMNS],
      sort: [['@timestamp', 'desc']],
      kibanaSavedObjectMeta: { searchSourceJSON: JSON.stringify(searchSource) },
    },
    references: [
      { type: 'index-pattern', id: DATA_VIEW_IDS.logs, name: INDEX_REF },
      { type: 'index-pattern', id: DATA_VIEW_IDS.logs, name: FILTER_REF },
      { type: 'tag', id: MANAGED_TAG_ID, name: `tag-ref-${MANAGED_TAG_ID}` },
    ],
    coreMigrationVersion: '8.8.0',
    typeMigrationVersion: '8.0.0',
    fields: ['@timestamp', SERVICE_NAME_FIELD, ...LOG_COLUMNS],
  };
}

export function savedSearches(): Resource[] {
  return [logsSearch()];
}
