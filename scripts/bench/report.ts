/**
 * Turns the measurements into the report: per variant the median over rounds, and each variant's
 * ratio to `bare` taken round by round (both ran seconds apart on the same machine) and then the
 * median of those ratios. The same object is printed as a table and written as JSON.
 */
import type { Measurement } from './runner.js';
import type { SinkStats } from './sink.js';
import type { Variant } from './variants.js';
import type { LoadGenerator } from './load-protocol.js';

export const BASELINE = 'bare';

export type TargetMeasure = 'throughput' | 'fixedRateP99';

export interface Target {
  readonly variant: string;
  readonly measure: TargetMeasure;
  /** The ratio to bare must be at least this (throughput) or at most this (latency). */
  readonly bound: number;
  /** A further goal beyond the bound, reported beside it. */
  readonly aim?: number;
}

/**
 * The goals, as ratios to bare in the same run: metrics and logs keep 80 % of bare's throughput,
 * full telemetry 50 % (aiming at 60 %), and at a fixed rate well below saturation full telemetry's
 * p99 stays within 1.5x bare's.
 */
export const TARGETS: readonly Target[] = [
  { variant: 'metrics-logs', measure: 'throughput', bound: 0.8 },
  { variant: 'otel', measure: 'throughput', bound: 0.5, aim: 0.6 },
  { variant: 'otel', measure: 'fixedRateP99', bound: 1.5 },
];

export interface TargetResult extends Target {
  /** The measured ratio; null when the run lacked bare, the variant or the fixed-rate phase. */
  readonly ratio: number | null;
  readonly met: boolean | null;
  readonly aimMet: boolean | null;
}

export interface VariantSummary {
  readonly variant: string;
  readonly description: string;
  readonly rounds: number;
  readonly requestsPerSecond: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  /** Latency at the fixed rate (median over rounds); null without a fixed-rate phase. */
  readonly fixedRateP50Ms: number | null;
  readonly fixedRateP99Ms: number | null;
  readonly cpuPercent: number;
  readonly cpuMicrosPerRequest: number;
  readonly rssPeakMiB: number;
  /** Requests served in the measured windows (all rounds), and how many were not 2xx or failed. */
  readonly requests: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly logLinesPerRequest: number;
  readonly logBytesPerRequest: number;
  /** Log lines the service counted as dropped (all rounds); NaN for variants without the counter. */
  readonly logLinesDropped: number;
  /** Export requests started and bytes received by the sink per endpoint kind (all rounds, measured windows). */
  readonly exported: Readonly<Record<string, { requests: number; bytes: number }>>;
  /** Ratios to bare (median of per-round ratios); null without a bare variant in the run. */
  readonly vsBare: {
    readonly throughput: number | null;
    readonly latencyP50: number | null;
    readonly latencyP99: number | null;
    readonly fixedRateP99: number | null;
    readonly cpuPerRequest: number | null;
  };
}

export interface BenchReport {
  readonly generatedAt: string;
  readonly settings: {
    readonly durationSeconds: number;
    readonly warmupSeconds: number;
    readonly connections: number;
    readonly rounds: number;
    readonly path: string;
    /** Requests per second of the fixed-rate phase; 0 when it was skipped. */
    readonly rate: number;
    /** Generator of the saturating runs. */
    readonly generator: LoadGenerator;
  };
  readonly machine: {
    readonly cpus: number;
    readonly cpuModel: string;
    readonly totalMemoryMiB: number;
    readonly node: string;
    readonly platform: string;
  };
  readonly variants: readonly VariantSummary[];
  readonly targets: readonly TargetResult[];
  /** Highest one-minute load average seen at the end of a measured window (see Measurement.loadAverage). */
  readonly maxLoadAverage: number;
  readonly measurements: readonly Measurement[];
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

function sumExports(list: readonly SinkStats[]): Record<string, { requests: number; bytes: number }> {
  const out: Record<string, { requests: number; bytes: number }> = {};
  for (const s of list) {
    for (const [k, c] of Object.entries(s)) {
      const acc = (out[k] ??= { requests: 0, bytes: 0 });
      acc.requests += c.requests;
      acc.bytes += c.bytes;
    }
  }
  return out;
}

export function summarise(
  variants: readonly Variant[],
  measurements: readonly Measurement[],
  settings: BenchReport['settings'],
  machine: BenchReport['machine'],
): BenchReport {
  const baseByRound = new Map(measurements.filter((m) => m.variant === BASELINE).map((m) => [m.round, m]));
  const ratio = (ms: readonly Measurement[], pick: (m: Measurement) => number | undefined): number | null => {
    const rs = ms.flatMap((m) => {
      const b = baseByRound.get(m.round);
      const value = pick(m);
      const base = b === undefined ? undefined : pick(b);
      return value === undefined || base === undefined || base === 0 ? [] : [value / base];
    });
    return rs.length === 0 ? null : median(rs);
  };
  const medianOrNull = (values: readonly (number | undefined)[]): number | null => {
    const defined = values.filter((v): v is number => v !== undefined);
    return defined.length === 0 ? null : median(defined);
  };
  const summaries = variants.map((v): VariantSummary => {
    const ms = measurements.filter((m) => m.variant === v.name);
    const med = (pick: (m: Measurement) => number): number => median(ms.map(pick));
    return {
      variant: v.name,
      description: v.description,
      rounds: ms.length,
      requestsPerSecond: med((m) => m.load.requestsPerSecond),
      latencyP50Ms: med((m) => m.load.latencyP50Ms),
      latencyP99Ms: med((m) => m.load.latencyP99Ms),
      fixedRateP50Ms: medianOrNull(ms.map((m) => m.fixedRate?.latencyP50Ms)),
      fixedRateP99Ms: medianOrNull(ms.map((m) => m.fixedRate?.latencyP99Ms)),
      cpuPercent: med((m) => m.cpuPercent),
      cpuMicrosPerRequest: med((m) => m.cpuMicrosPerRequest),
      rssPeakMiB: med((m) => m.rssPeakMiB),
      requests: ms.reduce((a, m) => a + m.load.requests, 0),
      non2xx: ms.reduce((a, m) => a + m.load.non2xx, 0),
      errors: ms.reduce((a, m) => a + m.load.errors + m.load.timeouts, 0),
      logLinesPerRequest: med((m) => m.logLinesPerRequest),
      logBytesPerRequest: med((m) => m.logBytesPerRequest),
      logLinesDropped: ms.reduce((a, m) => a + m.logLinesDropped, 0),
      exported: sumExports(ms.map((m) => m.exported)),
      vsBare: {
        throughput: ratio(ms, (m) => m.load.requestsPerSecond),
        latencyP50: ratio(ms, (m) => m.load.latencyP50Ms),
        latencyP99: ratio(ms, (m) => m.load.latencyP99Ms),
        fixedRateP99: ratio(ms, (m) => m.fixedRate?.latencyP99Ms),
        cpuPerRequest: ratio(ms, (m) => m.cpuMicrosPerRequest),
      },
    };
  });
  const targets = TARGETS.map((target): TargetResult => {
    const s = summaries.find((v) => v.variant === target.variant);
    const r = s === undefined ? null : target.measure === 'throughput' ? s.vsBare.throughput : s.vsBare.fixedRateP99;
    const meets = (bound: number | undefined): boolean | null =>
      r === null || bound === undefined ? null : target.measure === 'throughput' ? r >= bound : r <= bound;
    return { ...target, ratio: r, met: meets(target.bound), aimMet: meets(target.aim) };
  });
  return {
    generatedAt: new Date().toISOString(),
    settings,
    machine,
    variants: summaries,
    targets,
    maxLoadAverage: Math.max(0, ...measurements.map((m) => m.loadAverage)),
    measurements,
  };
}

const fmt = (n: number | null, digits = 0): string => (n === null || !Number.isFinite(n) ? '-' : n.toFixed(digits));
const ratioFmt = (n: number | null): string => (n === null ? '-' : `${n.toFixed(2)}x`);

export const TABLE_COLUMNS = [
  'variant',
  'req/s',
  'x bare',
  'p50 ms',
  'p99 ms',
  'p99 x bare',
  'p99 ms @rate',
  '@rate x bare',
  'CPU %',
  'CPU us/req',
  'RSS MiB',
  'log lines/req',
  'log dropped',
  'exported (measured)',
] as const;

/** The report as a fixed-width text table (medians over rounds), plus the target line. */
export function formatTable(report: BenchReport): string {
  const rows: string[][] = report.variants.map((s) => [
    s.variant,
    fmt(s.requestsPerSecond),
    ratioFmt(s.vsBare.throughput),
    fmt(s.latencyP50Ms, 1),
    fmt(s.latencyP99Ms, 1),
    ratioFmt(s.vsBare.latencyP99),
    fmt(s.fixedRateP99Ms, 1),
    ratioFmt(s.vsBare.fixedRateP99),
    fmt(s.cpuPercent),
    fmt(s.cpuMicrosPerRequest),
    fmt(s.rssPeakMiB),
    fmt(s.logLinesPerRequest, 2),
    fmt(s.logLinesDropped),
    Object.entries(s.exported)
      .filter(([k]) => k === 'otlp-traces' || k === 'apm-intake' || k === 'otlp-metrics' || k === 'otlp-logs')
      .map(([k, c]) => `${k} ${(c.bytes / (1024 * 1024)).toFixed(1)} MiB`)
      .join(', ') || '-',
  ]);
  const header = [...TABLE_COLUMNS];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ').trimEnd();
  const { settings: st, machine: mc } = report;
  const out = [
    `Node ${mc.node} (${mc.platform}), ${mc.cpus} CPUs (${mc.cpuModel})`,
    `GET ${st.path}, ${st.connections} connections, ${st.warmupSeconds} s warm-up + ${st.durationSeconds} s as fast as answered (${st.generator})` +
      (st.rate > 0 ? ` + ${st.durationSeconds} s at ${st.rate} req/s (@rate, ${st.generator === 'wrk' ? 'wrk paced' : 'autocannon, a burst each second'})` : '') +
      `, median of ${st.rounds} round(s)`,
    line(header),
    line(header.map((_, i) => '-'.repeat(widths[i] ?? 0))),
    ...rows.map(line),
  ];
  const failed = report.variants.filter((s) => s.non2xx > 0 || s.errors > 0);
  for (const s of failed) out.push(`warning: ${s.variant}: ${s.non2xx} non-2xx responses, ${s.errors} errors/timeouts`);
  if (report.maxLoadAverage > mc.cpus) {
    out.push(
      `warning: the machine was busy (load average up to ${report.maxLoadAverage.toFixed(1)} on ${mc.cpus} CPUs): other processes competed ` +
        'with the bench; prefer CPU us/req, re-run on a quiet machine for throughput and latency.',
    );
  }
  if (st.rate > 0) {
    const saturated = report.variants.filter((s) => report.measurements.some((m) => m.variant === s.variant && m.fixedRate !== undefined && m.fixedRate.requestsPerSecond < 0.95 * st.rate));
    for (const s of saturated) out.push(`warning: ${s.variant} did not keep up with ${st.rate} req/s in every round: its @rate latency is a saturated one; lower --rate`);
  }
  const dropping = report.variants.filter((s) => s.logLinesDropped > 0);
  for (const s of dropping) out.push(`warning: ${s.variant}: ${s.logLinesDropped} log lines dropped (stdout's reader did not keep up)`);
  for (const t of report.targets) {
    if (t.met === null) continue;
    const what = t.measure === 'throughput' ? `throughput >= ${t.bound}x bare` : `p99 at ${report.settings.rate} req/s <= ${t.bound}x bare`;
    const aim = t.aim === undefined ? '' : `; aim ${t.aim}x: ${t.aimMet ? 'MET' : 'NOT MET'}`;
    out.push(`target (${t.variant} ${what}): ${t.met ? 'MET' : 'NOT MET'} (${ratioFmt(t.ratio)}${aim})`);
  }
  return out.join('\n');
}
