/**
 * Reads counter samples out of the Prometheus text exposition format (what GET /metrics returns),
 * for tests that compare the generator's summary with what the service itself counted.
 */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parseSamples(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = SAMPLE.exec(line);
    if (!match) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, raw] of (match[2] ?? '').matchAll(LABEL)) {
      labels[key as string] = (raw as string).replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    }
    samples.push({ name: match[1] as string, labels, value: Number(match[3]) });
  }
  return samples;
}

/** `route -> status code -> count` from http_requests_total. */
export type RouteStatusCounts = Record<string, Record<string, number>>;

export function requestCounts(text: string, metricName: string): RouteStatusCounts {
  const counts: RouteStatusCounts = {};
  for (const s of parseSamples(text)) {
    if (s.name !== metricName) continue;
    const route = `${s.labels.method} ${s.labels.route}`;
    const byStatus = (counts[route] ??= {});
    byStatus[s.labels.status_code ?? '?'] = (byStatus[s.labels.status_code ?? '?'] ?? 0) + s.value;
  }
  return counts;
}

/** after - before, keeping only non-zero differences. */
export function difference(after: RouteStatusCounts, before: RouteStatusCounts): RouteStatusCounts {
  const out: RouteStatusCounts = {};
  for (const [route, statuses] of Object.entries(after)) {
    for (const [status, value] of Object.entries(statuses)) {
      const delta = value - (before[route]?.[status] ?? 0);
      if (delta !== 0) (out[route] ??= {})[status] = delta;
    }
  }
  return out;
}
