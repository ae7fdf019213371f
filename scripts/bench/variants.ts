/**
 * The variants the bench compares. Each runs as its own process on 127.0.0.1 with only the
 * environment below (plus PORT/HOST and the common settings); `${SINK_URL}` is replaced with the
 * local sink's base URL. More variants can be given as JSON (`--variant-file`), each extending one
 * of these (`base`) with env overrides and, optionally, another copy of the service (`serviceDir`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const BARE_APP = join(REPO_ROOT, 'scripts/bench/bare-app.ts');
export const SERVICE_DIR = join(REPO_ROOT, 'service');

export type VariantKind = 'bare' | 'service';
export const STDOUT_KINDS = ['pipe', 'file', 'null'] as const;
export type StdoutKind = (typeof STDOUT_KINDS)[number];

export interface Variant {
  readonly name: string;
  readonly description: string;
  readonly kind: VariantKind;
  /** Environment of the measured process, on top of the common settings (see commonEnv). */
  readonly env: Readonly<Record<string, string>>;
  /** Directory holding the service's `src/instrumentation.ts` and `src/main.ts` (service variants). */
  readonly serviceDir?: string;
  /**
   * Where the process's stdout (its log lines) goes: `pipe` (default) is drained by a separate
   * process, as a container runtime does; `file` is a plain file (counted after exit); `null` is
   * /dev/null, which never pushes back (diagnostic).
   */
  readonly stdout?: StdoutKind;
}

/** The standard comparison, in the order the report lists it. `bare` is the reference for ratios. */
export const DEFAULT_VARIANTS = ['bare', 'metrics-logs', 'otel', 'elastic'] as const;

export const VARIANTS: Readonly<Record<string, Variant>> = {
  bare: {
    name: 'bare',
    description: 'Express 5, the same GET /api/users handler, no telemetry',
    kind: 'bare',
    env: {},
  },
  'metrics-logs': {
    name: 'metrics-logs',
    description: 'the service with prom-client metrics and ECS access logs at info; no tracing agent',
    kind: 'service',
    env: { APM_AGENT: 'none' },
  },
  otel: {
    name: 'otel',
    description: 'full telemetry as users get it by default: metrics, logs, OpenTelemetry traces (100% sampled) over OTLP/HTTP protobuf',
    kind: 'service',
    env: {
      APM_AGENT: 'otel',
      OTEL_EXPORTER_OTLP_ENDPOINT: '${SINK_URL}',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    },
  },
  elastic: {
    name: 'elastic',
    description: 'full telemetry with elastic-apm-node instead of OpenTelemetry (100% sampled) to an APM intake',
    kind: 'service',
    env: {
      APM_AGENT: 'elastic',
      ELASTIC_APM_SERVER_URL: '${SINK_URL}',
    },
  },
  // Diagnostic variants: each removes or changes one thing through configuration alone, so the
  // difference to `otel` or `metrics-logs` in the same run is the cost of that thing.
  'metrics-logs-file': {
    name: 'metrics-logs-file',
    description: 'diagnostic: metrics-logs with stdout a plain file instead of a pipe',
    kind: 'service',
    env: { APM_AGENT: 'none' },
    stdout: 'file',
  },
  'metrics-only': {
    name: 'metrics-only',
    description: 'diagnostic: metrics-logs with logging raised to warn (no access log line per request)',
    kind: 'service',
    env: { APM_AGENT: 'none', LOG_LEVEL: 'warn' },
  },
  'otel-no-export': {
    name: 'otel-no-export',
    description: 'diagnostic: otel with spans created and ended but never exported (OTEL_TRACES_EXPORTER=none)',
    kind: 'service',
    env: {
      APM_AGENT: 'otel',
      OTEL_EXPORTER_OTLP_ENDPOINT: '${SINK_URL}',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_TRACES_EXPORTER: 'none',
    },
  },
  'otel-sampled-10': {
    name: 'otel-sampled-10',
    description: 'diagnostic: otel sampling 10% of traces (a reference point, not a target configuration)',
    kind: 'service',
    env: {
      APM_AGENT: 'otel',
      OTEL_EXPORTER_OTLP_ENDPOINT: '${SINK_URL}',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.1',
    },
  },
};

/**
 * Settings every variant shares: listen on loopback, production mode, info logs, a short
 * shutdown so rounds move on. Telemetry variables from the caller's shell are not inherited.
 */
export function commonEnv(parent: NodeJS.ProcessEnv, port: number): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(parent)) {
    if (v === undefined) continue;
    if (k.startsWith('OTEL_') || k.startsWith('ELASTIC_APM_') || k === 'APM_AGENT' || k === 'LOG_LEVEL') continue;
    if (k === 'NODE_OPTIONS') continue;
    env[k] = v;
  }
  return {
    ...env,
    PORT: String(port),
    HOST: '127.0.0.1',
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    SHUTDOWN_DELAY_MS: '0',
    SHUTDOWN_GRACE_MS: '1000',
  };
}

export function expandEnv(env: Readonly<Record<string, string>>, sinkUrl: string): Record<string, string> {
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v.replaceAll('${SINK_URL}', sinkUrl)]));
}

export class VariantError extends Error {
  override name = 'VariantError';
}

/** A bad command line: the CLI prints the problem alone and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

interface VariantFileEntry {
  name?: unknown;
  base?: unknown;
  description?: unknown;
  env?: unknown;
  serviceDir?: unknown;
  stdout?: unknown;
}

/** Reads extra variants from a JSON file: `[{ "name", "base", "description"?, "env"?, "serviceDir"?, "stdout"? }]`. */
export function loadVariantFile(file: string): Variant[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new VariantError(`cannot read variant file ${file}: ${(err as Error).message}`);
  }
  if (!Array.isArray(raw)) throw new VariantError(`${file}: expected a JSON array of variants`);
  const problems: string[] = [];
  const out: Variant[] = [];
  raw.forEach((entry: VariantFileEntry, i) => {
    const where = `${file}[${i}]`;
    if (typeof entry.name !== 'string' || !/^[a-z0-9][a-z0-9._-]*$/.test(entry.name)) {
      problems.push(`${where}.name: a lower-case name ([a-z0-9._-]) is required`);
      return;
    }
    const base = VARIANTS[typeof entry.base === 'string' ? entry.base : ''];
    if (base === undefined) {
      problems.push(`${where}.base: one of ${Object.keys(VARIANTS).join(', ')} is required`);
      return;
    }
    const env: Record<string, string> = { ...base.env };
    if (entry.env !== undefined) {
      if (typeof entry.env !== 'object' || entry.env === null || Array.isArray(entry.env)) {
        problems.push(`${where}.env: must be an object of strings`);
        return;
      }
      for (const [k, v] of Object.entries(entry.env)) {
        if (typeof v !== 'string') problems.push(`${where}.env.${k}: must be a string`);
        else env[k] = v;
      }
    }
    let serviceDir = base.serviceDir;
    if (entry.serviceDir !== undefined) {
      if (typeof entry.serviceDir !== 'string') {
        problems.push(`${where}.serviceDir: must be a path`);
        return;
      }
      serviceDir = isAbsolute(entry.serviceDir) ? entry.serviceDir : resolve(dirname(file), entry.serviceDir);
    }
    if (entry.stdout !== undefined && !(STDOUT_KINDS as readonly unknown[]).includes(entry.stdout)) {
      problems.push(`${where}.stdout: must be one of ${STDOUT_KINDS.map((k) => `"${k}"`).join(', ')}`);
      return;
    }
    out.push({
      name: entry.name,
      ...((entry.stdout ?? base.stdout) === undefined ? {} : { stdout: (entry.stdout ?? base.stdout) as StdoutKind }),
      description: typeof entry.description === 'string' ? entry.description : `${base.name} with ${JSON.stringify(entry.env ?? {})}`,
      kind: base.kind,
      env,
      ...(serviceDir === undefined ? {} : { serviceDir }),
    });
  });
  if (problems.length > 0) throw new VariantError(`invalid variant file:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  return out;
}

/** Resolves names against the catalogue plus extra variants; unknown names fail listing what exists. */
export function selectVariants(names: readonly string[], extra: readonly Variant[] = []): Variant[] {
  const all = new Map<string, Variant>([...Object.entries(VARIANTS), ...extra.map((v) => [v.name, v] as const)]);
  const unknown = names.filter((n) => !all.has(n));
  if (unknown.length > 0) {
    throw new VariantError(`unknown variant(s): ${unknown.join(', ')} (known: ${[...all.keys()].join(', ')})`);
  }
  return [...new Set(names)].map((n) => all.get(n) as Variant);
}

/** Node arguments (after the node-level flags) that start a variant. */
export function entryArgs(variant: Variant, tsxImport: string): string[] {
  if (variant.kind === 'bare') return ['--import', tsxImport, BARE_APP];
  const dir = variant.serviceDir ?? SERVICE_DIR;
  const main = join(dir, 'src/main.ts');
  const instrumentation = join(dir, 'src/instrumentation.ts');
  if (!existsSync(main)) throw new VariantError(`variant ${variant.name}: ${main} not found`);
  if (!existsSync(instrumentation)) throw new VariantError(`variant ${variant.name}: ${instrumentation} not found`);
  return ['--import', tsxImport, '--import', instrumentation, main];
}
