/** The dashboard reference in docs/dashboards.md, generated from the specs (the test keeps it in sync). */
import type { DashboardSpec, PanelSpec } from './defaults.js';

export const DOCS_START = '<!-- dashboards:generated:start -->';
export const DOCS_END = '<!-- dashboards:generated:end -->';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function source(panel: PanelSpec): string {
  if (panel.type === 'SLO_EMBEDDABLE') return `SLO \`${String(panel.embeddableConfig.sloId)}\``;
  if (panel.savedObject !== undefined) return `saved search \`${panel.savedObject.id}\``;
  if (panel.fields.length === 0) return 'links';
  const shown = panel.fields.filter((f) => !['@timestamp', 'data_stream.dataset', 'service.name', 'kubernetes.namespace'].includes(f));
  return shown.map((f) => `\`${f}\``).join(', ');
}

export function dashboardsReference(specs: readonly DashboardSpec[]): string {
  const out: string[] = [DOCS_START, ''];
  for (const spec of specs) {
    out.push(`### ${spec.title}`, '', `Id \`${spec.id}\`. ${spec.description}`, '', '| Panel | Question it answers | Fields |', '|---|---|---|');
    for (const panel of spec.rows.flat()) out.push(`| ${cell(panel.title)} | ${cell(panel.question)} | ${cell(source(panel))} |`);
    out.push('');
  }
  out.push(DOCS_END);
  return out.join('\n');
}
