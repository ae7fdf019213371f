import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { correlation, createRandom, requestId } from './random.js';

describe('seeded random source', () => {
  it('gives the same sequence for the same seed and a different one for another seed', () => {
    const a = createRandom(42);
    const b = createRandom(42);
    const c = createRandom(43);
    const seqA = Array.from({ length: 20 }, () => a.uint32());
    const seqB = Array.from({ length: 20 }, () => b.uint32());
    const seqC = Array.from({ length: 20 }, () => c.uint32());
    assert.deepEqual(seqA, seqB);
    assert.notDeepEqual(seqA, seqC);
  });

  it('keeps int() inside its inclusive bounds and reaches both ends', () => {
    const rng = createRandom(7);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const n = rng.int(1, 3);
      assert.ok(n >= 1 && n <= 3, `out of range: ${n}`);
      seen.add(n);
    }
    assert.deepEqual([...seen].sort(), [1, 2, 3]);
  });

  it('rejects seeds that are not 32-bit unsigned integers', () => {
    assert.throws(() => createRandom(-1), RangeError);
    assert.throws(() => createRandom(1.5), RangeError);
    assert.throws(() => createRandom(2 ** 32), RangeError);
  });
});

describe('correlation ids', () => {
  it('formats X-Request-ID as a UUID v4', () => {
    const rng = createRandom(1);
    for (let i = 0; i < 50; i++) {
      assert.match(requestId(rng), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
  });

  it('formats traceparent as W3C version 00, sampled, with the trace and parent ids it reports', () => {
    const rng = createRandom(2);
    for (let i = 0; i < 50; i++) {
      const c = correlation(rng);
      assert.match(c.traceparent, /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      assert.equal(c.traceparent, `00-${c.traceId}-${c.spanId}-01`);
      assert.notEqual(c.traceId, '0'.repeat(32));
      assert.notEqual(c.spanId, '0'.repeat(16));
    }
  });

  it('draws different ids for every request', () => {
    const rng = createRandom(3);
    const ids = new Set(Array.from({ length: 500 }, () => correlation(rng).traceId));
    assert.equal(ids.size, 500);
  });
});
