/**
 * SLO status and drill-down panels. Links are relative to Kibana's `/app/` path (the dashboard app
 * lives at `<base path>/[s/<space>/]app/dashboards`), so they keep the base path and the space.
 */
import { SERVICE } from '../../../service/src/telemetry/registry.js';
import { SAVED_SEARCH_IDS, SLO_IDS } from '../../telemetry-fields.js';
import { SIZES, type PanelSpec } from '../defaults.js';
import { markdownPanel } from './common.js';

/** Dashboard ids, exported so dashboards can link to each other. */
export const DASHBOARD_IDS = {
  overview: 'sample-service-overview',
  runtime: 'sample-service-runtime-kubernetes',
  logs: 'sample-service-logs-dashboard',
} as const;

/** Kibana app paths relative to `/app/`. */
export const LINKS = {
  discoverLogs: `discover#/view/${SAVED_SEARCH_IDS.logs}`,
  apmService: `apm/services/${SERVICE.name}/overview`,
  apmErrors: `apm/services/${SERVICE.name}/errors`,
  slo: (id: string) => `slos/${id}`,
  dashboard: (id: string) => `#/view/${id}`,
} as const;

/**
 * The SLO overview embeddable for one SLO (type `SLO_EMBEDDABLE`, single mode). It needs the SLO
 * feature (Platinum, Enterprise or trial licence); without it Kibana shows an error in this panel
 * only, and the `availability-sli` panel next to it keeps working.
 */
export function sloOverview(key: string, sloId: string, title: string): PanelSpec {
  return {
    key,
    title,
    question: `Is the SLO ${sloId} met, how much error budget is left, and is it burning fast?`,
    size: { w: 12, h: 8 },
    type: 'SLO_EMBEDDABLE',
    embeddableConfig: { enhancements: {}, sloId, sloInstanceId: '*', showAllGroupByInstances: false, overviewMode: 'single' },
    references: [],
    fields: [],
  };
}

export function availabilitySlo(): PanelSpec {
  return sloOverview('availability-slo', SLO_IDS.availability, 'Availability SLO');
}

export function latencySlo(): PanelSpec {
  return sloOverview('latency-slo', SLO_IDS.latency, 'Latency SLO');
}

export function sloLicenceNote(): PanelSpec {
  return markdownPanel({
    key: 'slo-note',
    title: 'About the SLO panels',
    question: 'Where do I see SLO status when the SLO panels show an error?',
    size: { w: 12, h: 8 },
    markdown: [
      '**SLO panels** need the SLO feature (Platinum, Enterprise or trial licence) and the SLOs',
      'created by `npm run provision-kibana`. Without them the two SLO panels show an error.',
      '',
      `The **Availability SLI** panel is computed from the metrics and works on any licence.`,
      '',
      `[Availability SLO](${LINKS.slo(SLO_IDS.availability)}) · [Latency SLO](${LINKS.slo(SLO_IDS.latency)})`,
    ].join('\n'),
  });
}

export function drilldowns(current: keyof typeof DASHBOARD_IDS): PanelSpec {
  const dashboards: Array<[keyof typeof DASHBOARD_IDS, string]> = [
    ['overview', 'Overview'],
    ['runtime', 'Runtime and Kubernetes'],
    ['logs', 'Logs'],
  ];
  const nav = dashboards
    .map(([k, label]) => (k === current ? `**${label}**` : `[${label}](${LINKS.dashboard(DASHBOARD_IDS[k])})`))
    .join(' · ');
  return markdownPanel({
    key: 'drilldowns',
    title: 'Navigation',
    question: 'Where do I go next: logs in Discover, traces in APM, the other dashboards?',
    size: SIZES.banner,
    markdown: [
      `**[Sample Service]** ${nav}`,
      '',
      `Drill down: [Logs in Discover](${LINKS.discoverLogs}) · [APM service](${LINKS.apmService}) · [APM errors](${LINKS.apmErrors})` +
        ` · [Availability SLO](${LINKS.slo(SLO_IDS.availability)}) · [Latency SLO](${LINKS.slo(SLO_IDS.latency)})`,
    ].join('\n'),
  });
}
