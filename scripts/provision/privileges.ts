/**
 * Which privilege each API the engine calls needs, so a 403 can name it. Kibana feature names are
 * those shown in Stack Management > Roles (feature ids in parentheses, as used in API key role
 * descriptors under `applications: [{ application: "kibana-.kibana", privileges: ["feature_<id>.all"] }]`).
 */

const ES_PRIVILEGES: ReadonlyArray<readonly [RegExp, string]> = [
  [/^\/_ilm\//, 'cluster privilege "manage_ilm"'],
  [/^\/_component_template/, 'cluster privilege "manage_index_templates"'],
  [/^\/_index_template/, 'cluster privilege "manage_index_templates"'],
  [/^\/_ingest\/pipeline/, 'cluster privilege "manage_pipeline"'],
  [/^\/_license/, 'cluster privilege "monitor"'],
  [/^\/$/, 'cluster privilege "monitor"'],
  [/\/(_search|_field_caps)$/, 'index privilege "read" on the searched pattern (make verify and make drill: logs-*, metrics-*, traces-*, .alerts-*)'],
];

const KIBANA_PRIVILEGES: ReadonlyArray<readonly [RegExp, string]> = [
  [/^\/api\/data_views/, 'Kibana feature "Data View Management: All" (feature_indexPatterns.all)'],
  [
    /^\/api\/saved_objects/,
    'Kibana features "Saved Objects Management: All" (feature_savedObjectsManagement.all) and the object type\'s app: "Discover: All" (feature_discover_v2.all), "Dashboard: All" (feature_dashboard_v2.all), "Visualize Library: All" (feature_visualize_v2.all)',
  ],
  [/^\/api\/actions/, 'Kibana feature "Actions and Connectors: All" (feature_actions.all)'],
  [/^\/api\/observability\/slos/, 'Kibana feature "SLOs: All" (feature_slo.all)'],
  [
    /^\/api\/alerting/,
    'Kibana "All" on the rule\'s consumer feature, e.g. "Stack Rules" (feature_stackAlerts.all), "Logs" (feature_logs.all), "Infrastructure" (feature_infrastructure.all), "APM" (feature_apm.all) or "SLOs" (feature_slo.all)',
  ],
  [/^\/api\/fleet\/epm/, 'Kibana feature "Integrations: All" (feature_fleet.all)'],
  [/^\/api\/fleet/, 'Kibana features "Fleet: All" (feature_fleetv2.all) and "Integrations: All" (feature_fleet.all)'],
  [/^\/api\/status/, 'any Kibana privilege (the user or API key has no access to Kibana at all)'],
];

function lookup(table: ReadonlyArray<readonly [RegExp, string]>, path: string, fallback: string): string {
  const p = path.replace(/^\/s\/[^/]+/, '').split('?')[0] ?? path;
  return table.find(([re]) => re.test(p))?.[1] ?? fallback;
}

export function elasticsearchPrivilegeFor(path: string): string {
  return lookup(ES_PRIVILEGES, path, 'an Elasticsearch privilege for this API');
}

export function kibanaPrivilegeFor(path: string): string {
  return lookup(KIBANA_PRIVILEGES, path, 'a Kibana privilege for this API');
}
