/**
 * Desired-vs-live comparison. Live objects carry fields the server adds (ids, timestamps, versions,
 * defaults, counters); only the fields a definition sets are compared, recursively, so a second
 * apply on unchanged definitions finds nothing to do. Arrays must match in length and order, their
 * elements compared the same way. JSON-encoded strings (e.g. `searchSourceJSON`) are compared as JSON.
 */

export interface FieldDiff {
  readonly path: string;
  readonly desired: unknown;
  readonly live: unknown;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseJsonString(v: unknown): unknown {
  if (typeof v !== 'string') return undefined;
  const t = v.trim();
  if (!(t.startsWith('{') || t.startsWith('['))) return undefined;
  try {
    return JSON.parse(t);
  } catch {
    return undefined;
  }
}

function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

export function diffSubset(desired: unknown, live: unknown, path = ''): FieldDiff[] {
  if (desired === undefined) return [];
  if (isPlainObject(desired)) {
    if (!isPlainObject(live)) return [{ path: path || '(object)', desired, live }];
    return Object.keys(desired).flatMap((k) => diffSubset(desired[k], live[k], join(path, k)));
  }
  if (Array.isArray(desired)) {
    if (!Array.isArray(live) || live.length !== desired.length) return [{ path: path || '(array)', desired, live }];
    const inner = desired.flatMap((d, i) => diffSubset(d, live[i], join(path, i)));
    return inner.length > 0 ? inner : [];
  }
  const dj = parseJsonString(desired);
  const lj = parseJsonString(live);
  if (dj !== undefined && lj !== undefined) return diffSubset(dj, lj, path);
  if (desired === live) return [];
  // Numbers that the server stores as strings (Elasticsearch settings) and vice versa.
  if ((typeof desired === 'number' || typeof desired === 'boolean') && typeof live === 'string' && String(desired) === live) return [];
  return [{ path: path || '(value)', desired, live }];
}

/** Elasticsearch index settings flattened to `index.*` dotted keys with string values, as GET returns them in spirit. */
export function flattenSettings(settings: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (node: unknown, prefix: string): void => {
    if (isPlainObject(node)) {
      for (const [k, v] of Object.entries(node)) walk(v, prefix === '' ? k : `${prefix}.${k}`);
      return;
    }
    if (node === undefined || node === null) return;
    const key = prefix.startsWith('index.') ? prefix : `index.${prefix}`;
    out[key] = Array.isArray(node) ? node.map(String).join(',') : String(node);
  };
  walk(settings, '');
  return out;
}

function short(v: unknown): string {
  if (v === undefined) return '(absent)';
  const s = JSON.stringify(v);
  return s.length > 160 ? `${s.slice(0, 157)}...` : s;
}

/** `  ~ path: live → desired` lines for a plan. */
export function formatDiffs(diffs: readonly FieldDiff[], indent = '      '): string {
  return diffs.map((d) => `${indent}~ ${d.path}: ${short(d.live)} → ${short(d.desired)}`).join('\n');
}
