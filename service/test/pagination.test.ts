import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, MAX_USERS, SEED_USERS, UserStore } from '../src/users.js';
import { request, startTestServer, type TestServer } from './support/in-process.js';

interface Page {
  users: { id: number }[];
  total: number;
  limit: number;
  offset: number;
  next: string | null;
}

const CREATED = 130;

describe('GET /api/users pagination', () => {
  let svc: TestServer;
  before(async () => {
    svc = await startTestServer({});
    for (let i = 0; i < CREATED; i++) {
      const r = await request(svc.url, '/api/users', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: `User ${i}`, email: `user${i}@example.com` }),
      });
      assert.equal(r.status, 201);
    }
  });
  after(() => svc.shutdown());

  it('serves DEFAULT_PAGE_SIZE users by default, with the total and a link to the next page', async () => {
    const r = await request(svc.url, '/api/users');
    const page = r.body as Page;
    assert.equal(page.users.length, DEFAULT_PAGE_SIZE);
    assert.equal(page.total, SEED_USERS.length + CREATED);
    assert.equal(page.next, `/api/users?limit=${DEFAULT_PAGE_SIZE}&offset=${DEFAULT_PAGE_SIZE}`);
    assert.equal(r.headers.get('link'), `<${page.next}>; rel="next"`);
  });

  it('visits every user exactly once, in id order, by following next', async () => {
    const ids: number[] = [];
    let path: string | null = `/api/users?limit=${MAX_PAGE_SIZE}`;
    for (let pages = 0; path !== null; pages++) {
      assert.ok(pages < 10, 'too many pages');
      const page: Page = (await request(svc.url, path)).body as Page;
      assert.ok(page.users.length <= MAX_PAGE_SIZE);
      ids.push(...page.users.map((u) => u.id));
      path = page.next;
    }
    assert.equal(ids.length, SEED_USERS.length + CREATED);
    assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
    assert.equal(new Set(ids).size, ids.length);
  });

  it('answers an offset past the end with an empty page and no next', async () => {
    const r = await request(svc.url, '/api/users?offset=100000');
    assert.equal(r.status, 200);
    const page = r.body as Page;
    assert.deepEqual(page.users, []);
    assert.equal(page.next, null);
    assert.equal(r.headers.get('link'), null);
  });

  for (const query of [`limit=${MAX_PAGE_SIZE + 1}`, 'limit=0', 'limit=ten', 'offset=-1', 'limit=1&limit=2', 'offset=1e3']) {
    it(`answers 400 validation_failed naming the parameter for ?${query}`, async () => {
      const r = await request(svc.url, `/api/users?${query}`);
      assert.equal(r.status, 400);
      const error = (r.body as { error: { code: string; details: { field: string; message: string }[] } }).error;
      assert.equal(error.code, 'validation_failed');
      assert.equal(error.details[0]?.field, query.split('=')[0]);
      assert.match(error.details[0]?.message ?? '', /must be one integer from \d+ to \d+/);
    });
  }

  it('records every page under the one route template', async () => {
    const text = await (await fetch(`${svc.url}/metrics`)).text();
    const routes = new Set([...text.matchAll(/^http_requests_total\{[^}]*route="([^"]*)"/gm)].map((m) => m[1]));
    assert.ok(routes.has('/api/users'));
    assert.ok(![...routes].some((r) => r?.includes('?') || r?.includes('offset')), [...routes].join(', '));
  });
});

describe('UserStore pages', () => {
  it('pages in id order and answers an empty page past the end', () => {
    const store = new UserStore();
    assert.deepEqual(store.page(1, 2).map((u) => u.id), [2, 3]);
    assert.deepEqual(store.page(3, 5), []);
  });

  it('evicts the oldest created users at MAX_USERS and keeps the seeds', () => {
    const store = new UserStore();
    for (let i = 0; i < MAX_USERS - SEED_USERS.length + 2; i++) store.create({ name: `u${i}`, email: `u${i}@example.com` });
    assert.equal(store.size, MAX_USERS);
    const first = store.page(0, SEED_USERS.length + 1).map((u) => u.id);
    assert.deepEqual(first, [1, 2, 3, SEED_USERS.length + 3]);
  });
});
