/**
 * Which definitions apply to a target: flavour, licence tier and required environment, and the
 * checks on the definition set itself (unique ids, one handler per kind).
 */
import type { LicenceTier } from './config.js';
import { KIND_ORDER, type Flavour, type Resource, type ResourceKind } from '../../model/resources.js';

export interface Selection {
  readonly applicable: Resource[];
  readonly skipped: Array<{ resource: Resource; reason: string }>;
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
    if (when?.licence === 'platinum' && target.licence === 'basic') {
      skipped.push({ resource: r, reason: 'needs a platinum, enterprise or trial licence' });
      continue;
    }
    if (when?.licence === 'basic-only' && target.licence === 'platinum') {
      skipped.push({ resource: r, reason: 'basic-licence fallback, replaced by the platinum alert set' });
      continue;
    }
    const missing = (when?.requiresEnv ?? []).filter((name) => !target.env[name]);
    if (missing.length > 0) {
      skipped.push({ resource: r, reason: `optional: set ${missing.join(', ')} to enable it` });
      continue;
    }
    applicable.push(r);
  }
  return { applicable, skipped };
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
      const la = r.when?.licence;
      const lb = other.when?.licence;
      const disjointLicence = la !== undefined && lb !== undefined && la !== lb;
      if (a.some((f) => b.includes(f)) && !disjointLicence) problems.push(`two definitions of ${key} can apply to the same target`);
    }
    seen.set(key, [...(seen.get(key) ?? []), r]);
  }
  return problems;
}
