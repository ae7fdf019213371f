/**
 * Locates Elastic's published contracts (ECK CRDs, Kibana OpenAPI specs). CI has them in
 * ../shared/contracts; a user's clone may not, in which case contract tests skip and say where
 * Elastic publishes each file. Override the folder with ELASTIC_CONTRACTS_DIR.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export const CONTRACT_SOURCES: Readonly<Record<string, string>> = {
  'eck-all-crds.yaml': 'https://download.elastic.co/downloads/eck/3.5.0/crds.yaml',
  'kibana-alerting-legacy-bundled.yaml':
    'github.com/elastic/kibana: x-pack/platform/plugins/shared/alerting/docs/openapi/bundled.yaml (8.x layout)',
  'kibana-actions-legacy-bundled.yaml':
    'github.com/elastic/kibana: x-pack/platform/plugins/shared/actions/docs/openapi/bundled.yaml (8.x layout)',
  'kibana-slo-bundled.yaml': 'github.com/elastic/kibana: x-pack/solutions/observability/plugins/slo/docs/openapi/slo/bundled.yaml',
  'kibana-data-views-bundled.yaml': 'github.com/elastic/kibana: src/platform/plugins/shared/data_views/docs/openapi/bundled.yaml',
  'kibana-saved-objects-bundled.yaml': 'github.com/elastic/kibana: src/core/packages/saved-objects/docs/openapi/bundled.yaml',
  'kibana-saved-objects-path-import.yaml':
    'github.com/elastic/kibana: src/core/packages/saved-objects/docs/openapi/paths/api@saved_objects@_import.yaml',
  'kibana-fleet-bundled.yaml': 'github.com/elastic/kibana: x-pack/platform/plugins/shared/fleet/common/openapi/bundled.yaml',
};

export function contractsDir(): string {
  const configured = process.env.ELASTIC_CONTRACTS_DIR ?? path.join('..', 'shared', 'contracts');
  return path.resolve(REPO_ROOT, configured);
}

/**
 * The absolute path of a contract file, or a skip reason (string starting with "skipped:") that
 * names where Elastic publishes it. Use as: `const c = contractFile(name); t.skip(c.skip)`.
 */
export function contractFile(name: string): { path: string; skip?: undefined } | { path?: undefined; skip: string } {
  const file = path.join(contractsDir(), name);
  if (existsSync(file)) return { path: file };
  const source = CONTRACT_SOURCES[name] ?? 'Elastic';
  return {
    skip:
      `contract ${name} not found in ${contractsDir()} (set ELASTIC_CONTRACTS_DIR to the folder holding it); ` +
      `Elastic publishes it at ${source}`,
  };
}
