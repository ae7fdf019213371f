/** `[Sample Service] Logs`: log volume by level, top errors, requests by status code, the log stream. */
import { renderDashboard, type DashboardSpec } from './defaults.js';
import { logRateByLevel, logStream, requestsByStatusCode, topErrorMessages, topErrorTypes } from './panels/logs.js';
import { DASHBOARD_IDS, drilldowns } from './panels/navigation.js';
import type { SavedObjectResource } from '../../model/resources.js';

export function logsSpec(): DashboardSpec {
  return {
    id: DASHBOARD_IDS.logs,
    title: '[Sample Service] Logs',
    description: 'Log rate by level, top error messages and types, requests by status code and the log stream of sample-service.',
    rows: [
      [drilldowns('logs')],
      [logRateByLevel()],
      [topErrorMessages(), topErrorTypes()],
      [requestsByStatusCode()],
      [logStream()],
    ],
  };
}

export function logsDashboard(): SavedObjectResource {
  return renderDashboard(logsSpec());
}
