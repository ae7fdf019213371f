/** Human-readable output: the live progress line and the end-of-run table. Pure string building. */
import { formatShortRunCaveat } from './alert-model.js';
import type { ProgressSnapshot, CountsSummary, EndpointSummary } from './stats.js';
import type { TrafficSummary } from './summary.js';

export function formatProgress(elapsedMs: number, totalMs: number, snapshot: ProgressSnapshot): string {
  const elapsed = elapsedMs / 1000;
  const rps = elapsed > 0 ? snapshot.sent / elapsed : 0;
  return (
    `[${elapsed.toFixed(1).padStart(6)}s / ${(totalMs / 1000).toFixed(0)}s] ` +
    `sent ${snapshot.sent}  rps ${rps.toFixed(1)}  errors ${snapshot.errors}  in flight ${snapshot.sent - snapshot.completed}`
  );
}

function ms(value: number | undefined): string {
  if (value === undefined) return '-';
  return value >= 1000 ? `${(value / 1000).toFixed(2)}s` : `${value.toFixed(1)}ms`;
}

function row(label: string, counts: CountsSummary): string[] {
  return [
    label,
    String(counts.count),
    String(counts.classes['2xx']),
    String(counts.classes['4xx']),
    String(counts.classes['5xx']),
    String(counts.failed),
    ms(counts.latencyMs?.p50),
    ms(counts.latencyMs?.p95),
    ms(counts.latencyMs?.p99),
  ];
}

const HEADER = ['endpoint', 'count', '2xx', '4xx', '5xx', 'failed', 'p50', 'p95', 'p99'];

/** Left-aligned first column, right-aligned numbers, a rule under the header and above the totals. */
export function formatTable(endpoints: readonly EndpointSummary[], totals: CountsSummary): string {
  const rows = endpoints.map((e) => row(`${e.method} ${e.route}`, e));
  const total = row('total', totals);
  const all = [HEADER, ...rows, total];
  const widths = HEADER.map((_, col) => Math.max(...all.map((r) => (r[col] ?? '').length)));
  const render = (r: string[]): string =>
    r.map((cell, col) => (col === 0 ? cell.padEnd(widths[col] ?? 0) : cell.padStart(widths[col] ?? 0))).join('  ');
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [render(HEADER), rule, ...rows.map(render), rule, render(total)].join('\n');
}

export function formatSummary(summary: TrafficSummary): string {
  const lines = [
    '',
    `Scenario ${summary.scenario} against ${summary.baseUrl}: ${summary.sent} requests in ` +
      `${summary.elapsedSeconds.toFixed(1)}s (seed ${summary.seed}; repeat with --seed ${summary.seed}).`,
    '',
    formatTable(summary.endpoints, summary.totals),
    '',
    `Rate: target ${summary.rate.targetRps} rps, achieved ${summary.rate.achievedRps.toFixed(2)} rps on the paced ` +
      `phases; at most ${summary.rate.maxLagMs.toFixed(0)} ms behind schedule.`,
  ];
  if (summary.skipped > 0) {
    lines.push(`${summary.skipped} planned requests were not sent (${summary.stopReason}).`);
  }
  for (const failure of summary.failures) lines.push(`Failed without a response: ${failure.count} x ${failure.message}`);
  const tagged = summary.correlation.errorExamples[0] ?? summary.correlation.examples[0];
  if (tagged) {
    lines.push(
      `${summary.correlation.tagged} requests carried X-Request-ID and traceparent; e.g. ${tagged.method} ${tagged.path} ` +
        `-> ${tagged.status ?? 'no response'}: http.request.id ${tagged.requestId}, trace.id ${tagged.traceId}.`,
    );
  }
  lines.push(
    `Expected alerts: fire [${summary.expectations.fire.join(', ')}], quiet [${summary.expectations.quiet.join(', ')}].`,
  );
  if (summary.expectations.shortRun !== undefined) lines.push(formatShortRunCaveat(summary.scenario, summary.expectations.shortRun));
  return lines.join('\n') + '\n';
}
