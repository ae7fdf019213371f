/**
 * The seam between the tracing bootstrap (instrumentation.ts, loaded with --import before the app)
 * and the application's lifecycle: the bootstrap registers how to flush and stop the active agent,
 * main.ts calls shutdownTelemetry() on exit. Application code never imports an agent.
 */
type Shutdown = () => Promise<void>;

interface AgentState {
  name: 'otel' | 'elastic' | 'none';
  shutdown: Shutdown | undefined;
}

// Kept on globalThis: the bootstrap and the app may load this module through different loaders
// (e.g. tsx in development), and they must still share one state.
const KEY = Symbol.for('sample-service.telemetry-agent');
const g = globalThis as { [KEY]?: AgentState };
const agent: AgentState = (g[KEY] ??= { name: 'none', shutdown: undefined });

/**
 * Upper bound for flushing telemetry on exit (traces, then the log lines still buffered), so an
 * unreachable collector or a stalled stdout reader cannot hold the pod.
 * The pod's terminationGracePeriodSeconds (k8s/base/deployment.yaml) must cover
 * SHUTDOWN_DELAY_MS + SHUTDOWN_GRACE_MS + this; a deploy test checks it.
 */
export const TELEMETRY_FLUSH_TIMEOUT_MS = 5_000;

export function registerAgent(name: AgentState['name'], shutdown: Shutdown | undefined): void {
  agent.name = name;
  agent.shutdown = shutdown;
}

export function activeAgent(): AgentState['name'] {
  return agent.name;
}

/** Flushes and stops the active agent; never throws, never waits longer than `timeoutMs`. */
export async function shutdownTelemetry(timeoutMs: number): Promise<void> {
  const fn = agent.shutdown;
  agent.shutdown = undefined;
  if (fn === undefined) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    fn().catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
      timer.unref();
    }),
  ]);
  clearTimeout(timer);
}
