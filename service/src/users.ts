/** In-memory user store with seed data. Ids are positive integers assigned in order. */
import { AppError, MAX_ID, type FieldError } from './errors.js';

export interface User {
  readonly id: number;
  readonly name: string;
  readonly email: string;
}

export interface NewUser {
  readonly name: string;
  readonly email: string;
}

export const SEED_USERS: readonly NewUser[] = [
  { name: 'Ada Lovelace', email: 'ada@example.com' },
  { name: 'Grace Hopper', email: 'grace@example.com' },
  { name: 'Margaret Hamilton', email: 'margaret@example.com' },
];

/** Upper bound on stored users: the store never grows without limit under load tests. */
export const MAX_USERS = 10_000;

const ID_PATTERN = /^[1-9][0-9]{0,8}$/;
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export class UserStore {
  readonly #users = new Map<number, User>();
  #nextId = 1;

  constructor(seed: readonly NewUser[] = SEED_USERS) {
    for (const u of seed) this.create(u);
  }

  /** Every user, in id order (unbounded: the API serves pages, see page()). */
  list(): User[] {
    return [...this.#users.values()];
  }

  get size(): number {
    return this.#users.size;
  }

  /** One page in id order: at most `limit` users after skipping `offset`. */
  page(offset: number, limit: number): User[] {
    const out: User[] = [];
    if (offset >= this.#users.size) return out;
    let skipped = 0;
    for (const user of this.#users.values()) {
      if (skipped < offset) {
        skipped++;
        continue;
      }
      out.push(user);
      if (out.length >= limit) break;
    }
    return out;
  }

  get(id: number): User | undefined {
    return this.#users.get(id);
  }

  create(input: NewUser): User {
    if (this.#users.size >= MAX_USERS) {
      // Evict the oldest non-seed entry: bounded memory, the newest users stay readable.
      // A Map iterates in insertion order, so the first non-seed key is the oldest one.
      for (const key of this.#users.keys()) {
        if (key > SEED_USERS.length) {
          this.#users.delete(key);
          break;
        }
      }
    }
    const user = Object.freeze({ id: this.#nextId++, name: input.name, email: input.email });
    this.#users.set(user.id, user);
    return user;
  }
}

/** Parses a path id; throws invalid_id (400) unless it is an integer from 1 to MAX_ID. */
export function parseUserId(raw: string): number {
  if (!ID_PATTERN.test(raw)) throw new AppError('invalid_id', { details: [{ field: 'id', message: `must be an integer from 1 to ${MAX_ID}` }] });
  return Number(raw);
}

/** Page size of GET /api/users without `limit`. */
export const DEFAULT_PAGE_SIZE = 20;
/** Largest `limit` GET /api/users accepts: a page stays small (about 35 KB), so listing never starves the probes. */
export const MAX_PAGE_SIZE = 100;

export interface PageRequest {
  readonly limit: number;
  readonly offset: number;
}

/** Reads `?limit=&offset=`; throws validation_failed (400) listing each bad parameter. Other parameters are ignored. */
export function parsePageRequest(query: Readonly<Record<string, unknown>>): PageRequest {
  const errors: FieldError[] = [];
  const read = (name: string, def: number, min: number, max: number): number => {
    const raw = query[name];
    if (raw === undefined) return def;
    if (typeof raw !== 'string' || !/^\d{1,9}$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      errors.push({ field: name, message: `must be one integer from ${min} to ${max}` });
      return def;
    }
    return Number(raw);
  };
  const limit = read('limit', DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE);
  const offset = read('offset', 0, 0, MAX_ID);
  if (errors.length > 0) throw new AppError('validation_failed', { message: 'The page parameters are invalid.', details: errors });
  return { limit, offset };
}

/** A short description of a JSON value's type, for messages ("null", "an array", "a number"). */
function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'no body';
  if (Array.isArray(value)) return 'an array';
  const type = typeof value;
  return type === 'object' ? 'an object' : `a ${type}`;
}

/** Validates a POST /api/users body; throws validation_failed (400) listing every field error. */
export function parseNewUser(body: unknown): NewUser {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    const got = describeJson(body);
    throw new AppError('validation_failed', {
      message: `The request body must be a JSON object with name and email, not ${got}.`,
      details: [{ field: '(body)', message: `must be a JSON object with name and email, not ${got}` }],
    });
  }
  const rec = body as Record<string, unknown>;
  const errors: FieldError[] = [];
  const { name, email } = rec;
  if (typeof name !== 'string' || name.trim().length === 0 || name.length > 100) {
    errors.push({ field: 'name', message: 'must be a non-empty string of at most 100 characters' });
  }
  if (typeof email !== 'string' || email.length > 254 || !EMAIL_PATTERN.test(email)) {
    errors.push({ field: 'email', message: 'must be an email address of at most 254 characters' });
  }
  for (const key of Object.keys(rec)) {
    if (key !== 'name' && key !== 'email') errors.push({ field: key, message: 'is not a known field' });
  }
  if (errors.length > 0) throw new AppError('validation_failed', { details: errors });
  return { name: (name as string).trim(), email: email as string };
}
