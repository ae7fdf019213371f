/**
 * Turns a scenario into the time-ordered list of requests a run sends. Pure and deterministic:
 * the same scenario, duration, rate, cap and seed always give the same plan. The plan is produced
 * lazily, so a long run at a high rate never holds millions of requests in memory.
 */
import { ENDPOINTS, endpointPath, type EndpointId } from './endpoints.js';
import { correlation, createRandom, type Correlation } from './random.js';
import type { Mix, Phase, Scenario } from './scenarios.js';

export interface PlanInput {
  readonly scenario: Scenario;
  readonly durationMs: number;
  readonly rps: number;
  readonly seed: number;
  /** Total request cap: the plan stops after this many requests. */
  readonly maxRequests: number;
  /** Share of requests (0..1) that carry X-Request-ID and traceparent. */
  readonly correlationShare: number;
}

export interface PlannedRequest {
  /** 0-based position in the plan. */
  readonly seq: number;
  /** When to send it, in milliseconds after the start of the run. */
  readonly atMs: number;
  /** Index of the scenario phase it belongs to. */
  readonly phase: number;
  readonly endpoint: EndpointId;
  readonly method: string;
  readonly route: string;
  readonly path: string;
  readonly correlation?: Correlation;
}

export interface PhaseOutline {
  readonly label: string;
  readonly kind: Phase['kind'];
  readonly fromMs: number;
  readonly toMs: number;
  readonly count: number;
}

export interface PlanOutline {
  readonly phases: readonly PhaseOutline[];
  /** Requests the scenario asks for, before the cap. */
  readonly requested: number;
  /** Requests the run will send: min(requested, maxRequests). */
  readonly total: number;
}

const EPSILON = 1e-9;

function phaseWindow(phase: Phase, durationMs: number): { fromMs: number; toMs: number } {
  if (phase.kind === 'burst') return { fromMs: phase.at * durationMs, toMs: phase.at * durationMs };
  return { fromMs: phase.from * durationMs, toMs: phase.to * durationMs };
}

function phaseCount(phase: Phase, durationMs: number, rps: number): number {
  if (phase.kind !== 'paced') return phase.count;
  return Math.floor(((phase.to - phase.from) * durationMs * rps) / 1000 + EPSILON);
}

export function outlinePlan(input: PlanInput): PlanOutline {
  const phases = input.scenario.phases.map((phase) => ({
    label: phase.label,
    kind: phase.kind,
    ...phaseWindow(phase, input.durationMs),
    count: phaseCount(phase, input.durationMs, input.rps),
  }));
  const requested = phases.reduce((sum, p) => sum + p.count, 0);
  return { phases, requested, total: Math.min(requested, input.maxRequests) };
}

/**
 * Smooth weighted round-robin (the nginx upstream algorithm): interleaves the endpoints of a mix so
 * that after any number of picks each endpoint's count is within one of its exact share.
 */
export function* weightedRoundRobin(mix: Mix): Generator<EndpointId, never> {
  const entries = (Object.entries(mix) as [EndpointId, number][]).filter(([, w]) => w > 0);
  if (entries.length === 0) throw new Error('a phase mix needs at least one endpoint with a positive weight');
  const total = entries.reduce((sum, [, w]) => sum + w, 0);
  const current = entries.map(() => 0);
  for (;;) {
    let best = 0;
    for (let i = 0; i < entries.length; i++) {
      current[i] = (current[i] ?? 0) + (entries[i]?.[1] ?? 0);
      if ((current[i] ?? 0) > (current[best] ?? 0)) best = i;
    }
    current[best] = (current[best] ?? 0) - total;
    yield (entries[best] as [EndpointId, number])[0];
  }
}

interface Slot {
  readonly atMs: number;
  readonly endpoint: EndpointId;
}

function* phaseSlots(phase: Phase, outline: PhaseOutline, rps: number): Generator<Slot> {
  const picks = weightedRoundRobin(phase.mix);
  const step =
    phase.kind === 'paced' ? 1000 / rps : phase.kind === 'spread' ? (outline.toMs - outline.fromMs) / outline.count : 0;
  for (let i = 0; i < outline.count; i++) {
    yield { atMs: outline.fromMs + i * step, endpoint: picks.next().value };
  }
}

/** The requests of a run in send order (by time; ties in phase order). */
export function* planRequests(input: PlanInput): Generator<PlannedRequest> {
  const outline = outlinePlan(input);
  const rng = createRandom(input.seed);
  const sources = input.scenario.phases.map((phase, index) => {
    const iterator = phaseSlots(phase, outline.phases[index] as PhaseOutline, input.rps);
    return { index, iterator, head: iterator.next() };
  });
  for (let seq = 0; seq < outline.total; seq++) {
    let next: (typeof sources)[number] | undefined;
    for (const source of sources) {
      if (source.head.done) continue;
      if (!next || source.head.value.atMs < (next.head.value as Slot).atMs) next = source;
    }
    if (!next || next.head.done) return;
    const slot = next.head.value;
    next.head = next.iterator.next();
    const endpoint = ENDPOINTS[slot.endpoint];
    const tagged = input.correlationShare > 0 && rng.next() < input.correlationShare;
    const path = endpointPath(slot.endpoint, rng);
    yield {
      seq,
      atMs: slot.atMs,
      phase: next.index,
      endpoint: slot.endpoint,
      method: endpoint.method,
      route: endpoint.route,
      path,
      ...(tagged ? { correlation: correlation(rng) } : {}),
    };
  }
}
