/** `[Sample Service] Overview`: golden signals per route, SLO status, latest errors, drill-downs. */
import { renderDashboard, type DashboardSpec } from './defaults.js';
import {
  availabilitySli,
  errorRatioByRoute,
  goldenSignalsTable,
  latencyP95ByRoute,
  latencyPercentiles,
  requestRateByRoute,
  requestsInFlight,
} from './panels/golden-signals.js';
import { latestErrors } from './panels/logs.js';
import { availabilitySlo, DASHBOARD_IDS, drilldowns, latencySlo, sloLicenceNote } from './panels/navigation.js';
import type { SavedObjectResource } from '../../model/resources.js';

export function overviewSpec(): DashboardSpec {
  return {
    id: DASHBOARD_IDS.overview,
    title: '[Sample Service] Overview',
    description: 'Golden signals per route (rate, errors, latency, saturation), SLO status and latest errors of sample-service.',
    rows: [
      [drilldowns('overview')],
      [availabilitySli(), availabilitySlo(), latencySlo(), sloLicenceNote()],
      [requestRateByRoute(), errorRatioByRoute()],
      [latencyPercentiles(), latencyP95ByRoute()],
      [requestsInFlight()],
      [goldenSignalsTable()],
      [latestErrors()],
    ],
  };
}

export function overviewDashboard(): SavedObjectResource {
  return renderDashboard(overviewSpec());
}
