/**
 * The endpoints the generator calls, keyed by a short id that scenarios use. Each maps to the
 * service's route template (the `route` label of http_requests_total), so the generator's summary
 * lines up with the service's own metrics.
 */
import { ROUTES, type RouteTemplate } from '../../service/src/telemetry/registry.js';
import { SEED_USERS } from '../../service/src/users.js';
import type { Random } from './random.js';

export interface Endpoint {
  readonly method: 'GET';
  readonly route: RouteTemplate;
}

export const ENDPOINTS = {
  users: { method: 'GET', route: ROUTES.users },
  user: { method: 'GET', route: ROUTES.user },
  health: { method: 'GET', route: ROUTES.health },
  error: { method: 'GET', route: ROUTES.error },
  flaky: { method: 'GET', route: ROUTES.flaky },
  slow: { method: 'GET', route: ROUTES.slow },
} as const satisfies Record<string, Endpoint>;

export type EndpointId = keyof typeof ENDPOINTS;
export const ENDPOINT_IDS = Object.keys(ENDPOINTS) as EndpointId[];

/**
 * User lookups on /api/users/{id}: mostly the service's seed users (ids 1..N, found), and a small
 * share of ids past them, realistic misses that answer 404 (a client error, outside the
 * availability SLI) so the not-found path and the 4xx column are exercised too.
 */
export const USER_LOOKUPS = { knownIds: SEED_USERS.length, missShare: 0.05, maxMissOffset: 1000 } as const;

/** The concrete path for one request; only /api/users/{id} draws from the seeded source. */
export function endpointPath(id: EndpointId, rng: Random): string {
  if (id !== 'user') return ENDPOINTS[id].route;
  const miss = rng.next() < USER_LOOKUPS.missShare;
  const userId = miss
    ? USER_LOOKUPS.knownIds + rng.int(1, USER_LOOKUPS.maxMissOffset)
    : rng.int(1, USER_LOOKUPS.knownIds);
  return `/api/users/${userId}`;
}

/** `GET /api/users/:id`: the key the summary groups by. */
export function endpointKey(method: string, route: string): string {
  return `${method} ${route}`;
}
