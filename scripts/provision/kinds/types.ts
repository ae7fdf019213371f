/** The contract every resource kind implements, and the context the engine hands it. */
import type { Client } from '@elastic/elasticsearch';
import type { FieldDiff } from '../diff.js';
import type { EsCaller } from '../es-client.js';
import type { KibanaClient, Method } from '../kibana-client.js';
import { RemoteError } from '../errors.js';
import type { LicenceTier } from '../config.js';
import type { Flavour, Resource, ResourceKind, SecretResolver } from '../../../model/resources.js';

/** One HTTP request the engine would send; what --print writes and the contract tests validate. */
export interface PrintedRequest {
  readonly target: 'kibana' | 'elasticsearch';
  /** What the request does for the object: first apply, update of a changed object, or a step of either. */
  readonly op: 'create' | 'update' | 'upsert' | 'install' | 'enable' | 'disable';
  readonly kind: ResourceKind;
  readonly id: string;
  readonly method: Method;
  /** Path (with query string); Kibana paths are below the space prefix. */
  readonly path: string;
  /** JSON body. */
  readonly body?: unknown;
  /** For multipart NDJSON uploads (saved objects import): the objects, one per line. */
  readonly ndjson?: readonly unknown[];
  /** What a reader of the printed body needs to know about how it is sent (e.g. merged into the live object). */
  readonly note?: string;
  /** Set when the object depends on the licence (`gold`, `platinum`, or the `basic-only` fallback). */
  readonly licence?: 'gold' | 'platinum' | 'basic-only';
}


export interface EngineContext {
  readonly kibana: KibanaClient;
  readonly es: EsCaller;
  readonly flavour: Flavour;
  /** What the target's licence allows (detected once per run). */
  readonly licence: LicenceTier;
  readonly secret: SecretResolver;
  /** True in --dry-run: reads only, never a write (not even a package install). */
  readonly readOnly: boolean;
  /** Per-run memo for lookups shared by objects (installed package versions, managed agent policies). */
  readonly memo: Map<string, Promise<unknown>>;
}

export interface LiveState {
  readonly value: unknown;
  /** Why the object is left alone even though it differs (e.g. a preconfigured, managed Fleet policy). */
  readonly keep?: string;
}

export interface OwnedObject {
  readonly id: string;
  readonly title: string;
  /** Saved object type, for saved objects. */
  readonly type?: string;
}

export interface KindHandler<R extends Resource = Resource> {
  readonly kind: R['kind'];
  readonly target: 'kibana' | 'elasticsearch';
  /** Pure: the requests a first apply and an update would send (secrets through `secret`). */
  requests(resource: R, secret: SecretResolver): PrintedRequest[];
  read(resource: R, ctx: EngineContext): Promise<LiveState | undefined>;
  /** `secret` resolves `{ fromEnv }` values that Kibana returns (e.g. a webhook URL in a connector's config). */
  diff(resource: R, live: LiveState, secret?: SecretResolver): FieldDiff[];
  create(resource: R, ctx: EngineContext): Promise<void>;
  update(resource: R, live: LiveState, diffs: readonly FieldDiff[], ctx: EngineContext): Promise<void>;
  /** Objects of this kind the project owns on the target (id prefix or owner tag). */
  listOwned(ctx: EngineContext): Promise<OwnedObject[]>;
  /**
   * Why this kind's APIs cannot be used on this target at all (e.g. every SLO API needs a
   * platinum-level licence), so that listing and removing are skipped with that reason.
   */
  unavailable?(ctx: EngineContext): string | undefined;
  remove(object: OwnedObject, ctx: EngineContext): Promise<void>;
  /**
   * Why a failed removal means the object legitimately stays (it is still in use: an ILM policy
   * indices name, an agent policy agents are enrolled in), or undefined for a real failure.
   */
  keptBecause?(error: unknown): string | undefined;
  /**
   * Order inside the kind's stage (lower first; equal values run in parallel), for objects that
   * reference each other, e.g. tags before searches before dashboards.
   */
  order?(resource: R): number;
  /** Extra plan notes for a read-only run (e.g. "installs package prometheus 1.2.3 first"). */
  planNotes?(resource: R, ctx: EngineContext): Promise<string[]>;
  /**
   * For a definition that names an object shared with others (a stack `@custom` template): take
   * this project's part out of it (`apply` false: only say what would change). Undefined when the
   * object is not shared (owned objects are removed through listOwned/remove).
   */
  release?(resource: R, ctx: EngineContext, apply: boolean): Promise<Release | undefined>;
  /**
   * Objects on the target that follow from this one and are brought in line after it is applied
   * (the data streams a `@custom` template's mappings apply to): `apply` false only reads and
   * says what would change. Each is reported on its own line; a failed one carries its error.
   * Throws when the objects cannot be listed.
   */
  dependents?(resource: R, ctx: EngineContext, apply: boolean): Promise<Dependent[]>;
}

/** Kinds of objects the engine brings in line as a consequence of a definition (never defined themselves). */
export type DependentKind = 'es.data_stream';

/** One object brought in line after its definition: what it needs, and what happened. */
export interface Dependent {
  readonly kind: DependentKind;
  readonly id: string;
  readonly title: string;
  readonly action: 'update' | 'unchanged';
  readonly notes: readonly string[];
  /** Set when reading or changing it failed. */
  readonly error?: string;
}

/** What releasing a shared object does: nothing of ours in it, keys taken out, or the object deleted. */
export interface Release {
  readonly action: 'unchanged' | 'update' | 'delete';
  readonly notes: readonly string[];
}

export type EsClient = Client;

export const printSecret: SecretResolver = (s) => `<from env ${s.fromEnv}>`;

export function omit<T extends object, K extends string>(obj: T, ...keys: K[]): Omit<T, K> {
  const out: Record<string, unknown> = { ...(obj as Record<string, unknown>) };
  for (const k of keys) delete out[k];
  return out as Omit<T, K>;
}

/** Memoises one lookup per run (per key). */
export function memo<T>(ctx: EngineContext, key: string, fn: () => Promise<T>): Promise<T> {
  let p = ctx.memo.get(key) as Promise<T> | undefined;
  if (p === undefined) {
    p = fn();
    ctx.memo.set(key, p);
  }
  return p;
}

/**
 * Data views, saved objects, connectors and rules are "multiple-isolated" saved objects: their ids
 * are unique across all the spaces of one Kibana. Creating one whose id exists in another space
 * answers 409 while reading it in this space answers 404 (and an import gives the object a new
 * random id instead). This project's ids are fixed, so it lives in one space per Kibana.
 */
export const SPACE_UNIQUE_KINDS: ReadonlySet<ResourceKind> = new Set(['kibana.data_view', 'kibana.saved_object', 'kibana.connector', 'kibana.rule']);

export function otherSpaceError(kind: ResourceKind, id: string, request: string): RemoteError {
  return new RemoteError(
    'kibana',
    request,
    409,
    `${kind} ${id} already exists in another Kibana space: ids of data views, saved objects, connectors and rules are unique ` +
      'across the spaces of one Kibana, so this project can be provisioned into one space per Kibana. Set KIBANA_SPACE to the space ' +
      'that holds it, or remove it there first (npm run provision-kibana -- --uninstall with that KIBANA_SPACE)',
  );
}
