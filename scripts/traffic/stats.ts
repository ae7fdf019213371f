/**
 * What a run observed: per endpoint (method + route template, the service's own metric labels)
 * the requests sent, responses by status code, transport failures and latencies. Latencies are kept
 * exactly (the total request cap bounds them) and percentiles use the nearest-rank method.
 */
import { endpointKey } from './endpoints.js';
import type { PlannedRequest } from './plan.js';

export type Outcome =
  | { readonly kind: 'response'; readonly status: number; readonly latencyMs: number }
  /** No HTTP response: refused, reset, timed out, aborted. */
  | { readonly kind: 'failure'; readonly message: string; readonly latencyMs: number };

export interface LatencySummary {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

export interface StatusClasses {
  readonly '2xx': number;
  readonly '3xx': number;
  readonly '4xx': number;
  readonly '5xx': number;
}

export interface CountsSummary {
  /** Requests sent. */
  readonly count: number;
  /** Responses by status code. */
  readonly status: Readonly<Record<string, number>>;
  readonly classes: StatusClasses;
  /** Requests without an HTTP response. */
  readonly failed: number;
  /** Latency of the requests that got a response, in ms (null when none did). */
  readonly latencyMs: LatencySummary | null;
}

export interface EndpointSummary extends CountsSummary {
  readonly method: string;
  readonly route: string;
}

export interface CorrelationExample {
  readonly requestId: string;
  readonly traceId: string;
  readonly method: string;
  readonly path: string;
  readonly status: number | null;
}

const MAX_EXAMPLES = 5;
const MAX_FAILURE_MESSAGES = 10;

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new RangeError('percentile of an empty list');
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] as number;
}

export function summarizeLatency(latencies: readonly number[]): LatencySummary | null {
  if (latencies.length === 0) return null;
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] as number,
  };
}

class Counts {
  count = 0;
  failed = 0;
  readonly status = new Map<number, number>();
  readonly latencies: number[] = [];

  add(outcome: Outcome): void {
    if (outcome.kind === 'response') {
      this.status.set(outcome.status, (this.status.get(outcome.status) ?? 0) + 1);
      this.latencies.push(outcome.latencyMs);
    } else {
      this.failed++;
    }
  }

  summary(): CountsSummary {
    const classes = { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 };
    const status: Record<string, number> = {};
    for (const [code, n] of [...this.status].sort(([a], [b]) => a - b)) {
      status[String(code)] = n;
      const cls = `${Math.floor(code / 100)}xx`;
      if (cls in classes) classes[cls as keyof StatusClasses] += n;
    }
    return { count: this.count, status, classes, failed: this.failed, latencyMs: summarizeLatency(this.latencies) };
  }
}

export interface ProgressSnapshot {
  readonly sent: number;
  readonly completed: number;
  readonly responses: number;
  /** 5xx responses plus transport failures. */
  readonly errors: number;
}

export class RunStats {
  private readonly endpoints = new Map<string, { method: string; route: string; counts: Counts }>();
  private readonly totals = new Counts();
  private readonly failureMessages = new Map<string, number>();
  private readonly phaseOnTime = new Map<number, number>();
  private readonly examples: CorrelationExample[] = [];
  private readonly errorExamples: CorrelationExample[] = [];
  private completed = 0;
  private responses = 0;
  private errors = 0;
  private tagged = 0;
  /** Failures since the last response; reset by any response. */
  consecutiveFailures = 0;

  /** Called when a request starts; `onTime` when it started before its phase's end. */
  sent(request: PlannedRequest, onTime: boolean): void {
    this.entry(request).counts.count++;
    this.totals.count++;
    if (request.correlation) this.tagged++;
    if (onTime) this.phaseOnTime.set(request.phase, (this.phaseOnTime.get(request.phase) ?? 0) + 1);
  }

  record(request: PlannedRequest, outcome: Outcome): void {
    this.entry(request).counts.add(outcome);
    this.totals.add(outcome);
    this.completed++;
    const status = outcome.kind === 'response' ? outcome.status : null;
    if (outcome.kind === 'response') {
      this.responses++;
      this.consecutiveFailures = 0;
      if (outcome.status >= 500) this.errors++;
    } else {
      this.errors++;
      this.consecutiveFailures++;
      if (this.failureMessages.has(outcome.message) || this.failureMessages.size < MAX_FAILURE_MESSAGES) {
        this.failureMessages.set(outcome.message, (this.failureMessages.get(outcome.message) ?? 0) + 1);
      }
    }
    if (request.correlation) {
      const example: CorrelationExample = {
        requestId: request.correlation.requestId,
        traceId: request.correlation.traceId,
        method: request.method,
        path: request.path,
        status,
      };
      if (this.examples.length < MAX_EXAMPLES) this.examples.push(example);
      if ((status === null || status >= 500) && this.errorExamples.length < MAX_EXAMPLES) this.errorExamples.push(example);
    }
  }

  progress(): ProgressSnapshot {
    return { sent: this.totals.count, completed: this.completed, responses: this.responses, errors: this.errors };
  }

  get everAnswered(): boolean {
    return this.responses > 0;
  }

  onTime(phase: number): number {
    return this.phaseOnTime.get(phase) ?? 0;
  }

  endpointSummaries(): EndpointSummary[] {
    return [...this.endpoints.values()]
      .map(({ method, route, counts }) => ({ method, route, ...counts.summary() }))
      .sort((a, b) => a.route.localeCompare(b.route) || a.method.localeCompare(b.method));
  }

  totalSummary(): CountsSummary {
    return this.totals.summary();
  }

  failures(): { message: string; count: number }[] {
    return [...this.failureMessages].map(([message, count]) => ({ message, count })).sort((a, b) => b.count - a.count);
  }

  correlation(): { tagged: number; examples: CorrelationExample[]; errorExamples: CorrelationExample[] } {
    return { tagged: this.tagged, examples: [...this.examples], errorExamples: [...this.errorExamples] };
  }

  private entry(request: PlannedRequest): { method: string; route: string; counts: Counts } {
    const key = endpointKey(request.method, request.route);
    let entry = this.endpoints.get(key);
    if (!entry) {
      entry = { method: request.method, route: request.route, counts: new Counts() };
      this.endpoints.set(key, entry);
    }
    return entry;
  }
}
