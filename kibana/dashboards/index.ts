/** The service's dashboards, as saved objects for `POST /api/saved_objects/_import?overwrite=true`. */
import type { Resource } from '../../model/resources.js';
import { managedTag, type DashboardSpec } from './defaults.js';
import { logsDashboard, logsSpec } from './logs.js';
import { overviewDashboard, overviewSpec } from './overview.js';
import { runtimeDashboard, runtimeSpec } from './runtime.js';

export { DASHBOARD_IDS } from './panels/navigation.js';

/** The dashboard specs (panels with the question each answers), for docs and tests. */
export function dashboardSpecs(): DashboardSpec[] {
  return [overviewSpec(), runtimeSpec(), logsSpec()];
}

/** The managed tag first: dashboards reference it. */
export function dashboards(): Resource[] {
  return [managedTag(), overviewDashboard(), runtimeDashboard(), logsDashboard()];
}
