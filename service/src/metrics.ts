/**
 * Prometheus metrics: one prom-client Registry, every instrument built from the telemetry registry's
 * declarations, plus prom-client's default runtime metrics and the build info gauge.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Config } from './config.js';
import { droppedLogLines } from './logger.js';
import {
  LOOKUP_RESULTS,
  METRICS,
  OPERATIONS,
  OUTCOMES,
  type MetricDefinition,
  type Operation,
} from './telemetry/registry.js';

/** Methods kept as label values; anything else is `_OTHER` (OpenTelemetry's convention), bounding cardinality. */
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'CONNECT', 'TRACE']);
export const OTHER_METHOD = '_OTHER';

export function normalizeMethod(method: string): string {
  return KNOWN_METHODS.has(method) ? method : OTHER_METHOD;
}

type Labels<D> = D extends MetricDefinition<infer L> ? L : never;

function counter<D extends MetricDefinition>(registry: Registry, def: D): Counter<Labels<D>> {
  return new Counter({ name: def.name, help: def.help, labelNames: def.labels as Labels<D>[], registers: [registry] });
}
function gauge<D extends MetricDefinition>(registry: Registry, def: D): Gauge<Labels<D>> {
  return new Gauge({ name: def.name, help: def.help, labelNames: def.labels as Labels<D>[], registers: [registry] });
}
function histogram<D extends MetricDefinition>(registry: Registry, def: D): Histogram<Labels<D>> {
  return new Histogram({
    name: def.name,
    help: def.help,
    labelNames: def.labels as Labels<D>[],
    buckets: [...(def.buckets ?? [])],
    registers: [registry],
  });
}

/** A label-less counter that follows a process-wide running total, read at each scrape. */
function collectedCounter(registry: Registry, def: MetricDefinition<never>, total: () => number): Counter {
  let exposed = 0;
  return new Counter({
    name: def.name,
    help: def.help,
    registers: [registry],
    collect() {
      const now = total();
      if (now > exposed) this.inc(now - exposed);
      exposed = now;
    },
  });
}

/** prom-client default metrics dropped because their names break Prometheus conventions. */
export const NON_COMPLIANT_DEFAULT_METRICS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
] as const;

interface RequestInstruments {
  readonly count: { inc(): void };
  readonly duration: { observe(value: number): void };
}

export class ServiceMetrics {
  readonly registry = new Registry();
  readonly httpRequests = counter(this.registry, METRICS.httpRequests);
  readonly httpRequestDuration = histogram(this.registry, METRICS.httpRequestDuration);
  readonly httpRequestsInFlight = gauge(this.registry, METRICS.httpRequestsInFlight);
  readonly userLookups = counter(this.registry, METRICS.userLookups);
  readonly usersCreated = counter(this.registry, METRICS.usersCreated);
  readonly operations = counter(this.registry, METRICS.operations);
  readonly buildInfo = gauge(this.registry, METRICS.buildInfo);
  /** Read from the stdout log sink at each scrape (the sink counts; this exposes). */
  readonly logLinesDropped = collectedCounter(this.registry, METRICS.logLinesDropped, droppedLogLines);

  /** route -> method -> status -> bound children: no label hashing or allocation per request. */
  readonly #children = new Map<string, Map<string, Map<number, RequestInstruments>>>();
  /** operation -> outcome -> bound counter child (the label set is bounded and known up front). */
  readonly #operationChildren = new Map<Operation, Record<(typeof OUTCOMES)[number], { inc(): void }>>();

  constructor(config: Config) {
    collectDefaultMetrics({ register: this.registry });
    // prom-client exposes these totals as gauges with a `_total` suffix, which Prometheus reserves for
    // counters (promtool flags them). The per-type gauges without the suffix carry the same data.
    for (const name of NON_COMPLIANT_DEFAULT_METRICS) this.registry.removeSingleMetric(name);
    this.buildInfo.set({ version: config.service.version, commit: config.service.commit, node_version: process.version }, 1);
    // Zero-initialise bounded business series so rate() and ratios work from the first scrape.
    for (const result of LOOKUP_RESULTS) this.userLookups.inc({ result }, 0);
    this.usersCreated.inc(0);
    for (const operation of OPERATIONS) {
      const byOutcome = {} as Record<(typeof OUTCOMES)[number], { inc(): void }>;
      for (const outcome of OUTCOMES) {
        const child = this.operations.labels({ operation, outcome });
        child.inc(0);
        byOutcome[outcome] = child;
      }
      this.#operationChildren.set(operation, byOutcome);
    }
  }

  /** Records one completed request (method already normalised, route a template). */
  recordRequest(method: string, route: string, status: number, seconds: number): void {
    let byMethod = this.#children.get(route);
    if (byMethod === undefined) this.#children.set(route, (byMethod = new Map()));
    let byStatus = byMethod.get(method);
    if (byStatus === undefined) byMethod.set(method, (byStatus = new Map()));
    let instruments = byStatus.get(status);
    if (instruments === undefined) {
      const labels = { method, route, status_code: String(status) };
      instruments = { count: this.httpRequests.labels(labels), duration: this.httpRequestDuration.labels(labels) };
      byStatus.set(status, instruments);
    }
    instruments.count.inc();
    instruments.duration.observe(seconds);
  }

  recordOperation(operation: Operation, outcome: (typeof OUTCOMES)[number]): void {
    const child = this.#operationChildren.get(operation)?.[outcome];
    if (child !== undefined) child.inc();
    else this.operations.inc({ operation, outcome });
  }
}
