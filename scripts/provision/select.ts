/**
 * Which definitions apply to a target: flavour, licence tier and required environment, and the
 * checks on the definition set itself (unique ids, one handler per kind).
 */
import type { LicenceTier } from './config.js';
import { KIND_ORDER, type Applicability, type Flavour, type Resource, type ResourceKind } from '../../model/resources.js';

export interface Selection {
  readonly applicable: Resource[];
  readonly skipped: Array<{ resource: Resource; reason: string }>;
}

const LICENCE_REASON: Record<'gold' | 'platinum', string> = {
  gold: 'needs a gold, platinum, enterprise or trial licence',
  platinum: 'needs a platinum, enterprise or trial licence',
};

/** Why a licence requirement excludes a definition on this target, or undefined when it applies. */
function licenceExclusion(required: Applicability['licence'], target: LicenceTier | 'both'): string | undefined {
  if (required === undefined || target === 'both') return undefined;
  if (required === 'platinum' && target !== 'platinum') return LICENCE_REASON.platinum;
  if (required === 'gold' && target === 'basic') return LICENCE_REASON.gold;
  if (required === 'basic-only' && target === 'platinum') return 'basic-licence fallback, replaced by the platinum alert set';
  return undefined;
}

export function selectResources(
  resources: readonly Resource[],
  target: { flavour: Flavour; licence: LicenceTier | 'both'; env: NodeJS.ProcessEnv; only: ReadonlySet<ResourceKind> | undefined },
): Selection {
  const applicable: Resource[] = [];
  const skipped: Selection['skipped'] = [];
  for (const r of resources) {
    if (target.only !== undefined && !target.only.has(r.kind)) continue;
    const when = r.when;
    if (when?.flavours !== undefined && !when.flavours.includes(target.flavour)) {
      // Flavour variants of one object (e.g. ILM vs data stream lifecycle) are not worth a plan line.
      if (!resources.some((o) => o !== r && o.kind === r.kind && o.id === r.id && (o.when?.flavours ?? [target.flavour]).includes(target.flavour))) {
        skipped.push({ resource: r, reason: `only on ${when.flavours.join('/')} (target is ${target.flavour})` });
      }
      continue;
    }
    const missing = (when?.requiresEnv ?? []).filter((name) => !target.env[name]);
    if (missing.length > 0) {
      skipped.push({ resource: r, reason: `optional: set ${missing.join(', ')} to enable it` });
      continue;
    }
    const excluded = licenceExclusion(when?.licence, target.licence);
    if (excluded !== undefined) {
      const connectorType = r.kind === 'kibana.connector' ? ` (connector type ${r.body.connector_type_id}); rules send to it only with that licence` : '';
      skipped.push({ resource: r, reason: `${excluded}${connectorType}` });
      continue;
    }
    applicable.push(r);
  }
  return { applicable: withoutActionsTo(applicable, skipped), skipped };
}

/**
 * Rules lose their actions to connectors that do not apply here (a licence-gated connector on Basic):
 * Kibana rejects a rule whose action names a connector that does not exist. The skipped connector is
 * listed with its reason.
 */
function withoutActionsTo(applicable: readonly Resource[], skipped: Selection['skipped']): Resource[] {
  const absent = new Set(skipped.filter((s) => s.resource.kind === 'kibana.connector').map((s) => s.resource.id));
  if (absent.size === 0) return [...applicable];
  return applicable.map((r) => {
    if (r.kind !== 'kibana.rule' || !(r.body.actions ?? []).some((a) => absent.has(a.id))) return r;
    return { ...r, body: { ...r.body, actions: (r.body.actions ?? []).filter((a) => !absent.has(a.id)) } };
  });
}

/** Problems in the definition set: duplicate ids that could apply together, unknown kinds. */
export function checkDefinitions(resources: readonly Resource[]): string[] {
  const problems: string[] = [];
  const seen = new Map<string, Resource[]>();
  for (const r of resources) {
    if (!(KIND_ORDER as readonly string[]).includes(r.kind)) problems.push(`definition ${r.id} has unknown kind ${String(r.kind)}`);
    const key = `${r.kind}/${r.id}`;
    for (const other of seen.get(key) ?? []) {
      const a = r.when?.flavours ?? ['stateful', 'serverless'];
      const b = other.when?.flavours ?? ['stateful', 'serverless'];
      // Only the platinum set and its Basic fallback never apply together.
      const pair = new Set([r.when?.licence, other.when?.licence]);
      const disjointLicence = pair.has('platinum') && pair.has('basic-only');
      if (a.some((f) => b.includes(f)) && !disjointLicence) problems.push(`two definitions of ${key} can apply to the same target`);
    }
    seen.set(key, [...(seen.get(key) ?? []), r]);
  }
  return problems;
}
