/**
 * One traffic run: resolve the target (optionally through kubectl port-forward), send the scenario's
 * plan on schedule, show progress, and report. The CLI's handler calls runTraffic(); tests call it
 * directly with their own output streams.
 */
import { setMaxListeners } from 'node:events';
import { formatShortRunCaveat, shortRunCaveat, type ShortRunCaveat } from './alert-model.js';
import { EXIT_CODES, TrafficError } from './errors.js';
import { formatProgress, formatSummary } from './format.js';
import { createHttpClient } from './http-client.js';
import type { TrafficOptions } from './options.js';
import { outlinePlan, planRequests, type PlannedRequest, type PlanOutline } from './plan.js';
import { startPortForward, type PortForward } from './port-forward.js';
import { startProgress, type ProgressStream } from './progress.js';
import { randomSeed } from './random.js';
import { SCENARIOS } from './scenarios.js';
import { runSchedule, type Clock, type StopReason } from './scheduler.js';
import { RunStats } from './stats.js';
import { buildSummary, type TrafficSummary } from './summary.js';

export interface TrafficIO {
  readonly stdout: { write(chunk: string): unknown };
  readonly stderr: ProgressStream;
  /** Aborted with reason 'SIGINT' or 'SIGTERM' to stop the run early (the summary is still printed). */
  readonly signal?: AbortSignal;
  readonly clock?: Clock;
}

export interface TrafficResult {
  readonly summary: TrafficSummary;
  readonly exitCode: number;
}

/** Consecutive transport failures, with no response ever, after which the target counts as unreachable. */
export const UNREACHABLE_AFTER_FAILURES = 5;

/** Listeners on the run's stop signal besides one per request in flight. */
const RUN_SIGNAL_LISTENERS = 4;

export async function runTraffic(options: TrafficOptions, io: TrafficIO): Promise<TrafficResult> {
  const external = io.signal ?? new AbortController().signal;
  const scenario = SCENARIOS[options.scenario];
  const seed = options.seed ?? randomSeed();
  const durationMs = options.durationSeconds * 1000;
  const planInput = {
    scenario,
    durationMs,
    rps: options.rps,
    seed,
    maxRequests: options.maxRequests,
    correlationShare: options.correlationShare,
  };
  const outline = outlinePlan(planInput);
  if (outline.total === 0) {
    throw new TrafficError(
      'USAGE',
      `Nothing to send: ${options.durationSeconds} s at ${options.rps} rps plans no request; raise the duration or --rps.`,
    );
  }
  const note = (line: string): void => void io.stderr.write(`${line}\n`);
  const shortRun = shortRunCaveat(planInput);

  let portForward: PortForward | undefined;
  if (options.portForward) {
    portForward = await startPortForward({
      namespace: options.namespace,
      timeoutMs: options.portForwardTimeoutSeconds * 1000,
      signal: external,
      log: note,
    });
  }
  try {
    const baseUrl = portForward?.url ?? options.baseUrl;
    note(
      `Scenario ${scenario.name}: ${scenario.description}\n` +
        `Sending ${outline.total} requests to ${baseUrl} over ${options.durationSeconds} s ` +
        `(${options.rps} rps paced, concurrency ${options.concurrency}, seed ${seed}).`,
    );
    if (shortRun !== undefined) note(formatShortRunCaveat(scenario.name, shortRun));
    if (outline.requested > outline.total) {
      note(`Capped by --max-requests ${options.maxRequests}: ${outline.requested - outline.total} planned requests will not be sent.`);
    }
    return await execute(options, io, { baseUrl, seed, durationMs, outline, plan: planRequests(planInput), external, shortRun });
  } finally {
    await portForward?.stop();
  }
}

interface Execution {
  readonly baseUrl: string;
  readonly seed: number;
  readonly durationMs: number;
  readonly outline: PlanOutline;
  readonly plan: Iterable<PlannedRequest>;
  readonly external: AbortSignal;
  readonly shortRun: ShortRunCaveat | undefined;
}

async function execute(options: TrafficOptions, io: TrafficIO, run: Execution): Promise<TrafficResult> {
  const scenario = SCENARIOS[options.scenario];
  const stats = new RunStats();
  const client = createHttpClient({
    baseUrl: run.baseUrl,
    concurrency: options.concurrency,
    timeoutMs: options.timeoutSeconds * 1000,
    // Credentials from --base-url go to the service, not through a port-forward.
    authorization: options.portForward ? undefined : options.authorization,
  });
  const stop = new AbortController();
  // Every request in flight listens on the run's signal (one listener each, removed when it settles):
  // up to --concurrency listeners is the design, not a leak. A few more for the run's own.
  setMaxListeners(options.concurrency + RUN_SIGNAL_LISTENERS, stop.signal);
  let stopReason: TrafficSummary['stopReason'] | undefined;
  let stoppedAtMs: number | undefined;
  const clock = io.clock ?? { now: () => performance.now() };
  let startMs = clock.now();
  const halt = (reason: 'unreachable' | 'interrupted'): void => {
    if (stop.signal.aborted) return;
    stopReason = reason;
    stoppedAtMs = clock.now() - startMs;
    stop.abort(reason);
  };
  const onExternal = (): void => halt('interrupted');
  if (run.external.aborted) onExternal();
  run.external.addEventListener('abort', onExternal, { once: true });

  const progress = startProgress(io.stderr, options.progress, () =>
    formatProgress(clock.now() - startMs, run.durationMs, stats.progress()),
  );
  let schedule: { started: number; stopReason: StopReason; maxLagMs: number };
  try {
    schedule = await runSchedule({
      plan: run.plan,
      concurrency: options.concurrency,
      deadlineMs: run.durationMs,
      signal: stop.signal,
      ...(io.clock ? { clock: io.clock } : {}),
      onStart: (start) => (startMs = start),
      send: async (request, startedAtMs) => {
        const phase = run.outline.phases[request.phase];
        stats.sent(request, phase !== undefined && startedAtMs < phase.toMs);
        const outcome = await client.send(request, stop.signal);
        stats.record(request, outcome);
        if (!stats.everAnswered && stats.consecutiveFailures >= UNREACHABLE_AFTER_FAILURES) halt('unreachable');
      },
    });
  } finally {
    run.external.removeEventListener('abort', onExternal);
    progress.stop();
    await client.close();
  }
  const elapsedMs = clock.now() - startMs;
  const summary = buildSummary({
    scenario: scenario.name,
    seed: run.seed,
    baseUrl: run.baseUrl,
    durationSeconds: options.durationSeconds,
    elapsedMs,
    coveredMs: stoppedAtMs ?? run.durationMs,
    stopReason: stopReason ?? schedule.stopReason,
    outline: run.outline,
    stats,
    targetRps: options.rps,
    maxLagMs: schedule.maxLagMs,
    correlationShare: options.correlationShare,
    expectFire: scenario.expectFire,
    expectQuiet: scenario.expectQuiet,
    shortRun: run.shortRun,
  });

  io.stdout.write(options.json ? `${JSON.stringify(summary, null, 2)}\n` : formatSummary(summary));
  if (schedule.maxLagMs > 1000) {
    io.stderr.write(
      `Warning: the generator fell up to ${(schedule.maxLagMs / 1000).toFixed(1)} s behind schedule ` +
        '(the target answered too slowly for --concurrency); raise --concurrency or lower --rps.\n',
    );
  }
  const notFound = allNotFoundMessage(summary);
  if (notFound !== undefined) io.stderr.write(`${notFound}\n`);
  const exitCode = exitCodeFor(summary, run.external);
  if (exitCode === EXIT_CODES.unreachable) io.stderr.write(`${unreachableMessage(summary, options.portForward)}\n`);
  return { summary, exitCode };
}

function exitCodeFor(summary: TrafficSummary, external: AbortSignal): number {
  // Interrupted before the first answer came back says nothing about the target.
  if (summary.stopReason === 'interrupted') {
    return external.reason === 'SIGTERM' ? EXIT_CODES.sigterm : EXIT_CODES.sigint;
  }
  if (!summary.reachable && summary.sent > 0) return EXIT_CODES.unreachable;
  return EXIT_CODES.ok;
}

/** A warning when every response was 404: the target answers, but it is not the service (or not at this path). */
export function allNotFoundMessage(summary: TrafficSummary): string | undefined {
  const answered = summary.totals.count - summary.totals.failed;
  if (answered === 0 || summary.totals.status['404'] !== answered) return undefined;
  return (
    `Warning: all ${answered} responses from ${summary.baseUrl} were 404 Not Found: that server does not serve the ` +
    "sample service's routes there. Check --base-url (host, port, and no path prefix the service does not have)."
  );
}

/** The message printed when the target never answered. */
export function unreachableMessage(summary: TrafficSummary, portForward: boolean): string {
  const cause = summary.failures[0]?.message ?? 'no response';
  const hint = portForward
    ? 'The port-forward answered /health at first, then stopped: check the pods (kubectl get pods -n <namespace>).'
    : 'Is the service running there? Start it locally (npm run dev), or reach it in a cluster with --port-forward, or point --base-url at it.';
  return `Error: no response from ${summary.baseUrl} (${summary.sent} requests sent, all failed: ${cause}). ${hint}`;
}
