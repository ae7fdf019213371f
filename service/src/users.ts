/** In-memory user store with seed data. Ids are positive integers assigned in order. */
import { AppError, type FieldError } from './errors.js';

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

  list(): User[] {
    return [...this.#users.values()];
  }

  get(id: number): User | undefined {
    return this.#users.get(id);
  }

  create(input: NewUser): User {
    if (this.#users.size >= MAX_USERS) {
      // Evict the oldest non-seed entry: bounded memory, the newest users stay readable.
      const oldest = [...this.#users.keys()].find((k) => k > SEED_USERS.length);
      if (oldest !== undefined) this.#users.delete(oldest);
    }
    const user = Object.freeze({ id: this.#nextId++, name: input.name, email: input.email });
    this.#users.set(user.id, user);
    return user;
  }
}

/** Parses a path id; throws invalid_id (400) when it is not a positive integer. */
export function parseUserId(raw: string): number {
  if (!ID_PATTERN.test(raw)) throw new AppError('invalid_id', { details: [{ field: 'id', message: 'must be a positive integer' }] });
  return Number(raw);
}

/** Validates a POST /api/users body; throws validation_failed (400) listing every field error. */
export function parseNewUser(body: unknown): NewUser {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new AppError('validation_failed', {
      message: 'The request body must be a JSON object.',
      details: [{ field: '(body)', message: 'must be a JSON object with name and email' }],
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
