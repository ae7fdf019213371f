/**
 * Configuration: every environment variable the service reads is read and validated here, once.
 * All problems are collected and reported together in one ConfigError; the result is frozen.
 *
 * The OpenTelemetry exporters and SDK read the standard OTEL_* variables themselves (that is the
 * contract users expect); this module validates them up front so a typo fails the start with a
 * clear message instead of silently disabling tracing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SERVICE } from './telemetry/registry.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const APM_AGENTS = ['otel', 'elastic', 'none'] as const;
export type ApmAgent = (typeof APM_AGENTS)[number];

export const OTLP_PROTOCOLS = ['http/protobuf', 'http/json', 'grpc'] as const;
export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];

/** Samplers the OpenTelemetry Node SDK understands through OTEL_TRACES_SAMPLER. */
export const TRACES_SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;
export type TracesSampler = (typeof TRACES_SAMPLERS)[number];

/** OTEL_TRACES_EXPORTER values: `none` creates spans (ids in logs, propagation) but exports nothing. */
export const TRACES_EXPORTERS = ['otlp', 'none'] as const;
export type TracesExporter = (typeof TRACES_EXPORTERS)[number];

export interface TracingConfig {
  /** Which agent produces traces. `otel` with no endpoint configured means tracing is off. */
  readonly agent: ApmAgent;
  /**
   * True when the OpenTelemetry SDK is started: agent otel, SDK not disabled, and an OTLP endpoint
   * configured (or OTEL_TRACES_EXPORTER=none, which asks for spans without export).
   */
  readonly otelEnabled: boolean;
  readonly exporter: TracesExporter;
  readonly protocol: OtlpProtocol;
  /** The variable the protocol came from (for messages), or the traces-specific one when neither is set. */
  readonly protocolVariable: 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL' | 'OTEL_EXPORTER_OTLP_PROTOCOL';
  /** The traces endpoint the exporter will use (display only; the exporter reads the env itself). */
  readonly tracesEndpoint: string | undefined;
  readonly sampler: TracesSampler;
  readonly samplerArg: number | undefined;
}

export interface Config {
  readonly port: number;
  /** Listen address; undefined listens on every interface (IPv4 and IPv6). */
  readonly host: string | undefined;
  readonly logLevel: LogLevel;
  readonly flakyFailureRate: number;
  readonly slowMinMs: number;
  readonly slowMaxMs: number;
  /** Time to keep serving (readiness already 503) after SIGTERM before the listener closes. */
  readonly shutdownDelayMs: number;
  /** Upper bound for in-flight requests to finish after the listener closed. */
  readonly shutdownGraceMs: number;
  /** Maximum JSON request body size in bytes; larger bodies get 413. */
  readonly bodyLimitBytes: number;
  /** Seed for the service's pseudo-random source (flaky failures, slow delays); undefined = random. */
  readonly randomSeed: number | undefined;
  readonly service: {
    readonly name: string;
    readonly version: string;
    readonly environment: string;
    readonly nodeName: string;
    readonly commit: string;
  };
  readonly tracing: TracingConfig;
}

export type Env = Readonly<Record<string, string | undefined>>;

/** Thrown by loadConfig with every problem found, one per line. */
export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = Object.freeze([...problems]);
  }
}

/** Exit code of a start that failed on configuration (EX_CONFIG would be 78; 2 is the conventional "usage" code). */
export const CONFIG_ERROR_EXIT_CODE = 2;

/** Version of the nearest package.json above this module (the same from service/src and from dist/). */
function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version ?? '0.0.0';
    const parent = dirname(dir);
    if (parent === dir) return '0.0.0';
    dir = parent;
  }
}
const PACKAGE_VERSION = packageVersion();

/** Parses `key1=value1,key2=value2` (W3C baggage-like, percent-decoded) as the OTel spec defines. */
export function parseKeyValueList(raw: string): Map<string, string> | undefined {
  const out = new Map<string, string>();
  for (const part of raw.split(',')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    if (eq <= 0) return undefined;
    try {
      out.set(decodeURIComponent(part.slice(0, eq).trim()), decodeURIComponent(part.slice(eq + 1).trim()));
    } catch {
      return undefined;
    }
  }
  return out;
}

const BYTE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 * 1024 };

export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const present = (name: string): string | undefined => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };

  function int(name: string, def: number, min: number, max: number): number {
    const raw = present(name);
    if (raw === undefined) return def;
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n < min || n > max) {
      problems.push(`${name}=${JSON.stringify(raw)}: must be an integer from ${min} to ${max}`);
      return def;
    }
    return n;
  }

  function oneOf<T extends string>(name: string, allowed: readonly T[], def: T): T {
    const raw = present(name);
    if (raw === undefined) return def;
    const v = raw.toLowerCase();
    if (!(allowed as readonly string[]).includes(v)) {
      problems.push(`${name}=${JSON.stringify(raw)}: must be one of ${allowed.join(', ')}`);
      return def;
    }
    return v as T;
  }

  function rate(name: string, def: number): number {
    const raw = present(name);
    if (raw === undefined) return def;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0 || n > 1) {
      problems.push(`${name}=${JSON.stringify(raw)}: must be a number from 0 to 1`);
      return def;
    }
    return n;
  }

  function bool(name: string, def: boolean): boolean {
    const raw = present(name);
    if (raw === undefined) return def;
    const v = raw.toLowerCase();
    if (v === 'true') return true;
    if (v === 'false') return false;
    problems.push(`${name}=${JSON.stringify(raw)}: must be true or false`);
    return def;
  }

  function url(name: string): string | undefined {
    const raw = present(name);
    if (raw === undefined) return undefined;
    try {
      const u = new URL(raw);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme');
      return raw;
    } catch {
      problems.push(`${name}=${JSON.stringify(raw)}: must be an http:// or https:// URL`);
      return undefined;
    }
  }

  const port = int('PORT', 8080, 0, 65535);
  const host = present('HOST');
  const logLevel = oneOf('LOG_LEVEL', LOG_LEVELS, 'info');
  const flakyFailureRate = rate('FLAKY_FAILURE_RATE', 0.3);
  const slowMinMs = int('SLOW_MIN_MS', 2000, 0, 600_000);
  const slowMaxMs = int('SLOW_MAX_MS', 5000, 0, 600_000);
  if (slowMinMs > slowMaxMs) {
    problems.push(`SLOW_MIN_MS=${slowMinMs} must not exceed SLOW_MAX_MS=${slowMaxMs}`);
  }
  const shutdownDelayMs = int('SHUTDOWN_DELAY_MS', 0, 0, 600_000);
  const shutdownGraceMs = int('SHUTDOWN_GRACE_MS', 10_000, 0, 600_000);

  let bodyLimitBytes = 16 * 1024;
  const rawLimit = present('BODY_LIMIT');
  if (rawLimit !== undefined) {
    const m = /^(\d+)\s*(b|kb|mb)?$/i.exec(rawLimit);
    const n = m ? Number(m[1]) * (BYTE_UNITS[(m[2] ?? 'b').toLowerCase()] ?? 1) : NaN;
    if (!m || !Number.isSafeInteger(n) || n < 1 || n > 100 * 1024 * 1024) {
      problems.push(`BODY_LIMIT=${JSON.stringify(rawLimit)}: must be a size such as 16kb, 1mb or 2048 (1 byte to 100mb)`);
    } else {
      bodyLimitBytes = n;
    }
  }

  let randomSeed: number | undefined;
  if (present('RANDOM_SEED') !== undefined) randomSeed = int('RANDOM_SEED', 0, 0, 0xffffffff);

  const apmAgent = oneOf('APM_AGENT', APM_AGENTS, 'otel');

  // Identity: OTEL_SERVICE_NAME wins over service.name in OTEL_RESOURCE_ATTRIBUTES (OTel spec).
  let resourceAttributes = new Map<string, string>();
  const rawResource = present('OTEL_RESOURCE_ATTRIBUTES');
  if (rawResource !== undefined) {
    const parsed = parseKeyValueList(rawResource);
    if (parsed === undefined) {
      problems.push(`OTEL_RESOURCE_ATTRIBUTES=${JSON.stringify(rawResource)}: must be a comma-separated list of key=value pairs`);
    } else {
      resourceAttributes = parsed;
    }
  }
  const serviceName = present('OTEL_SERVICE_NAME') ?? resourceAttributes.get('service.name') ?? SERVICE.name;
  const environment =
    resourceAttributes.get('deployment.environment.name') ??
    resourceAttributes.get('deployment.environment') ??
    SERVICE.defaultEnvironment;
  const version = present('SERVICE_VERSION') ?? resourceAttributes.get('service.version') ?? PACKAGE_VERSION;
  const nodeName = present('POD_NAME') ?? hostname();
  const commit = present('GIT_COMMIT') ?? 'unknown';

  // Tracing (OpenTelemetry). Validated even when another agent is chosen, so typos surface early.
  const sdkDisabled = bool('OTEL_SDK_DISABLED', false);
  const protocol = oneOf(
    'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL',
    OTLP_PROTOCOLS,
    oneOf('OTEL_EXPORTER_OTLP_PROTOCOL', OTLP_PROTOCOLS, 'http/protobuf'),
  );
  const protocolVariable =
    present('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') === undefined && present('OTEL_EXPORTER_OTLP_PROTOCOL') !== undefined
      ? 'OTEL_EXPORTER_OTLP_PROTOCOL'
      : 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL';
  const baseEndpoint = url('OTEL_EXPORTER_OTLP_ENDPOINT');
  const tracesOnlyEndpoint = url('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  let tracesEndpoint = tracesOnlyEndpoint;
  if (tracesEndpoint === undefined && baseEndpoint !== undefined) {
    tracesEndpoint = protocol === 'grpc' ? baseEndpoint : `${baseEndpoint.replace(/\/+$/, '')}/v1/traces`;
  }
  for (const name of ['OTEL_EXPORTER_OTLP_HEADERS', 'OTEL_EXPORTER_OTLP_TRACES_HEADERS']) {
    const raw = present(name);
    if (raw !== undefined && parseKeyValueList(raw) === undefined) {
      // Never echo header values: they carry credentials.
      problems.push(`${name}: must be a comma-separated list of key=value pairs (value not shown)`);
    }
  }
  for (const name of ['OTEL_EXPORTER_OTLP_CERTIFICATE', 'OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE']) {
    const raw = present(name);
    if (raw !== undefined && !existsSync(raw)) {
      problems.push(`${name}=${JSON.stringify(raw)}: file not found`);
    }
  }
  let exporter: TracesExporter = 'otlp';
  const rawExporter = present('OTEL_TRACES_EXPORTER');
  if (rawExporter !== undefined) {
    const v = rawExporter.toLowerCase();
    if (v === 'otlp' || v === 'none') exporter = v;
    else if (v === 'console') problems.push('OTEL_TRACES_EXPORTER="console": not supported, it would mix spans into the JSON log stream on stdout; use otlp or none');
    else problems.push(`OTEL_TRACES_EXPORTER=${JSON.stringify(rawExporter)}: must be one of ${TRACES_EXPORTERS.join(', ')}`);
  }
  const sampler = oneOf('OTEL_TRACES_SAMPLER', TRACES_SAMPLERS, 'parentbased_always_on');
  let samplerArg: number | undefined;
  if (present('OTEL_TRACES_SAMPLER_ARG') !== undefined) {
    if (sampler.endsWith('traceidratio')) samplerArg = rate('OTEL_TRACES_SAMPLER_ARG', 1);
  }

  if (problems.length > 0) throw new ConfigError(problems);

  return Object.freeze({
    port,
    host,
    logLevel,
    flakyFailureRate,
    slowMinMs,
    slowMaxMs,
    shutdownDelayMs,
    shutdownGraceMs,
    bodyLimitBytes,
    randomSeed,
    service: Object.freeze({ name: serviceName, version, environment, nodeName, commit }),
    tracing: Object.freeze({
      agent: apmAgent,
      otelEnabled: apmAgent === 'otel' && !sdkDisabled && (exporter === 'none' || tracesEndpoint !== undefined),
      exporter,
      protocol,
      protocolVariable,
      tracesEndpoint,
      sampler,
      samplerArg,
    }),
  });
}
