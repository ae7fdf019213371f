/**
 * Shared component templates (the stack's `<data stream>@custom` extension points) belong to the
 * cluster, not to this project: other teams put their replicas, lifecycles and mappings there, and
 * they apply to every container's logs and every APM service. `PUT _component_template/<name>`
 * replaces the whole template (Elasticsearch `MetadataIndexTemplateService.addComponentTemplate`
 * stores the new one in place of the old), so a plain PUT of this project's keys would drop
 * everyone else's.
 *
 * Pure functions over the template body: this project owns exactly the leaves its definition sets
 * (settings compared as flat `index.*` keys with string values, as Elasticsearch stores them;
 * mappings, lifecycle, aliases and `_meta` as nested leaves; arrays as single leaves). Merging keeps
 * every other leaf and reports each value set outside this project that it would change; removing
 * takes out only the owned leaves that still hold this project's value.
 */
import { flattenSettings } from './diff.js';

type Json = Record<string, unknown>;

/** A leaf: its path (settings keys stay one flat segment, e.g. `index.lifecycle.name`) and value. */
export interface Leaf {
  readonly path: readonly string[];
  readonly value: unknown;
}

export interface LeafChange {
  readonly path: string;
  readonly live: unknown;
  readonly desired: unknown;
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Bookkeeping Elasticsearch adds to GET answers (ComponentTemplate.toXContent); the server sets them
 * itself, and the strict PUT parser knows only the `_millis` forms.
 */
const SERVER_FIELDS = ['created_date', 'created_date_millis', 'modified_date', 'modified_date_millis'];

/** The body in its comparable form: settings flat with string values, the rest as given, no server bookkeeping. */
function normalise(body: unknown): Json {
  const b = isObject(body) ? structuredClone(body) : {};
  for (const k of SERVER_FIELDS) delete b[k];
  const template = isObject(b.template) ? b.template : {};
  if (template.settings !== undefined) template.settings = flattenSettings(template.settings);
  if (Object.keys(template).length > 0) b.template = template;
  return b;
}

export function leaves(body: unknown): Leaf[] {
  const out: Leaf[] = [];
  // Empty objects carry nothing and are not leaves (an empty `settings: {}` owns no setting).
  const walk = (node: unknown, path: string[]): void => {
    if (isObject(node)) for (const [k, v] of Object.entries(node)) walk(v, [...path, k]);
    else if (node !== undefined) out.push({ path, value: node });
  };
  walk(normalise(body), []);
  return out;
}

function get(node: unknown, path: readonly string[]): unknown {
  let cur = node;
  for (const p of path) {
    if (!isObject(cur)) return undefined;
    cur = cur[p];
  }
  return cur;
}

function set(node: Json, path: readonly string[], value: unknown): void {
  let cur = node;
  for (const p of path.slice(0, -1)) {
    if (!isObject(cur[p])) cur[p] = {};
    cur = cur[p] as Json;
  }
  cur[path.at(-1) as string] = structuredClone(value);
}

function remove(node: Json, path: readonly string[]): void {
  const parents: Json[] = [node];
  let cur: unknown = node;
  for (const p of path.slice(0, -1)) {
    if (!isObject(cur) || !isObject(cur[p])) return;
    cur = cur[p];
    parents.push(cur as Json);
  }
  delete (cur as Json)[path.at(-1) as string];
  // Drop objects the removal left empty, innermost first.
  for (let i = parents.length - 1; i > 0; i--) {
    const parent = parents[i - 1] as Json;
    const key = path[i - 1] as string;
    if (isObject(parent[key]) && Object.keys(parent[key] as Json).length === 0) delete parent[key];
  }
}

function same(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' || typeof a === 'boolean') return String(a) === String(b) || a === b;
  if (typeof b === 'number' || typeof b === 'boolean') return String(a) === String(b);
  return JSON.stringify(a) === JSON.stringify(b);
}

const display = (path: readonly string[]): string => path.join('.');

export interface Merge {
  /** The body to PUT: the live template with this project's leaves set. */
  readonly body: Json;
  /** Leaves set outside this project that the merge changes (shown in the plan). */
  readonly overridden: readonly LeafChange[];
  /** Leaves set outside this project that the merge keeps. */
  readonly kept: readonly string[];
}

/** `live` plus the definition's leaves; every other leaf is kept. */
export function mergeTemplate(live: unknown, desired: unknown): Merge {
  const body = normalise(live);
  const owned = leaves(desired);
  const ownedKeys = new Set(owned.map((l) => display(l.path)));
  const overridden: LeafChange[] = [];
  for (const l of owned) {
    const current = get(body, l.path);
    if (current !== undefined && !same(current, l.value)) overridden.push({ path: display(l.path), live: current, desired: l.value });
    set(body, l.path, l.value);
  }
  const kept = leaves(live)
    .map((l) => display(l.path))
    .filter((p) => !ownedKeys.has(p) && ![...ownedKeys].some((o) => p.startsWith(`${o}.`) || o.startsWith(`${p}.`)));
  return { body, overridden, kept };
}

export interface Removal {
  /** What remains after taking this project's leaves out; undefined when nothing else is left. */
  readonly body: Json | undefined;
  /** Owned leaves removed. */
  readonly removed: readonly string[];
  /** Owned leaves left in place because their value is no longer this project's (someone changed it). */
  readonly leftChanged: readonly LeafChange[];
}

/** `live` without the definition's leaves (only those still holding the definition's value). */
export function removeOwned(live: unknown, desired: unknown): Removal {
  const body = normalise(live);
  const removed: string[] = [];
  const leftChanged: LeafChange[] = [];
  for (const l of leaves(desired)) {
    const current = get(body, l.path);
    if (current === undefined) continue;
    if (same(current, l.value)) {
      remove(body, l.path);
      removed.push(display(l.path));
    } else {
      leftChanged.push({ path: display(l.path), live: current, desired: l.value });
    }
  }
  // Elasticsearch renders a data stream lifecycle with `enabled: true` (its default) whether or not
  // anyone set it; once this project's lifecycle keys are gone, that default alone is no one's.
  const template = isObject(body.template) ? body.template : undefined;
  const lifecycle = template !== undefined && isObject(template.lifecycle) ? template.lifecycle : undefined;
  if (lifecycle !== undefined && removed.some((p) => p.startsWith('template.lifecycle.')) && Object.keys(lifecycle).every((k) => k === 'enabled') && lifecycle.enabled === true) {
    remove(body, ['template', 'lifecycle']);
  }
  return { body: leaves(body).length === 0 ? undefined : body, removed, leftChanged };
}
