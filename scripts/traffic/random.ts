/**
 * Seeded randomness for the traffic generator: every choice a run makes (user ids, which requests
 * carry correlation headers, the ids themselves) comes from one source seeded by `--seed`, so a run
 * can be repeated exactly. sfc32 seeded through splitmix32: small, fast and well distributed; not
 * for cryptography, which traffic generation does not need.
 */
import { randomInt } from 'node:crypto';

export const MAX_SEED = 0xffff_ffff;

export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An unsigned 32-bit integer. */
  uint32(): number;
  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
  /** `bytes` random bytes as lowercase hex. */
  hex(bytes: number): string;
}

function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export function createRandom(seed: number): Random {
  if (!Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) {
    throw new RangeError(`seed must be an integer between 0 and ${MAX_SEED}, got ${seed}`);
  }
  const init = splitmix32(seed);
  let a = init();
  let b = init();
  let c = init();
  let counter = 1;
  let d = 0;
  const uint32 = (): number => {
    const t = (((a + b) >>> 0) + counter) >>> 0;
    counter = (counter + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    d = t;
    return d;
  };
  // Discard the first outputs, as sfc32's authors recommend, so nearby seeds diverge.
  for (let i = 0; i < 12; i++) uint32();
  return {
    uint32,
    next: () => uint32() / 0x1_0000_0000,
    int(min, max) {
      if (!Number.isInteger(min) || !Number.isInteger(max) || max < min) {
        throw new RangeError(`invalid integer range [${min}, ${max}]`);
      }
      return min + Math.floor((uint32() / 0x1_0000_0000) * (max - min + 1));
    },
    hex(bytes) {
      let out = '';
      while (out.length < bytes * 2) out += uint32().toString(16).padStart(8, '0');
      return out.slice(0, bytes * 2);
    },
  };
}

/** A fresh seed for runs without `--seed`; the summary reports it so the run can be repeated. */
export function randomSeed(): number {
  return randomInt(0, MAX_SEED);
}

export interface Correlation {
  /** The `X-Request-ID` header value (UUID v4 format). */
  readonly requestId: string;
  /** 32 hex digits, never all zero. */
  readonly traceId: string;
  /** 16 hex digits (the parent span id in `traceparent`), never all zero. */
  readonly spanId: string;
  /** W3C Trace Context `traceparent`: version 00, sampled. */
  readonly traceparent: string;
}

function nonZeroHex(rng: Random, bytes: number): string {
  for (;;) {
    const value = rng.hex(bytes);
    if (/[^0]/.test(value)) return value;
  }
}

/** UUID v4 layout (version and variant bits set) from the seeded source. */
export function requestId(rng: Random): string {
  const hex = rng.hex(16).split('');
  hex[12] = '4';
  hex[16] = ((parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

export function correlation(rng: Random): Correlation {
  const id = requestId(rng);
  const traceId = nonZeroHex(rng, 16);
  const spanId = nonZeroHex(rng, 8);
  return { requestId: id, traceId, spanId, traceparent: `00-${traceId}-${spanId}-01` };
}
