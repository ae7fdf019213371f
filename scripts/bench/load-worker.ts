/**
 * The load generator as a child process of the bench, so generating load never competes with the
 * measured process inside one event loop: wrk (native, one thread) when it is installed, autocannon
 * otherwise. Fixed-rate runs pace wrk with a Lua script (wrk.ts, pacingScript): autocannon's rate
 * limit sends each connection's quota for the second back to back when the second starts, so its
 * "fixed rate" is a burst every second, not a steady arrival rate. wrk
 * costs far less CPU per request than autocannon, which on 2 cores otherwise caps what bare
 * reaches and flatters every ratio (docs/performance.md). Controlled over IPC:
 *   -> { type: 'run', id, url, connections, durationSeconds, timeoutSeconds }
 *   <- { type: 'result', id, result } | { type: 'error', id, message }
 * Exits when the bench disconnects.
 */
import autocannon from 'autocannon';
import type { LoadReply, LoadRequest, LoadResult } from './load-protocol.js';
import { runWrk } from './wrk.js';

async function run(req: LoadRequest): Promise<LoadResult> {
  if (req.generator === 'wrk') return runWrk(req);
  const r = await autocannon({
    url: req.url,
    connections: req.connections,
    duration: req.durationSeconds,
    timeout: req.timeoutSeconds,
    pipelining: 1,
    ...(req.rate === undefined ? {} : { overallRate: req.rate }),
  });
  return {
    // Total over the measured wall time: not the mean of per-second samples, which ignores a partial last second.
    requestsPerSecond: r.requests.total / r.duration,
    latencyP50Ms: r.latency.p50,
    latencyP99Ms: r.latency.p99,
    latencyMeanMs: r.latency.average,
    requests: r.requests.total,
    status2xx: r['2xx'],
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    durationSeconds: r.duration,
  };
}

if (process.send === undefined) {
  console.error('load-worker.ts is started by the bench over IPC (child_process.fork)');
  process.exit(2);
}
process.on('message', (m: LoadRequest) => {
  if (m.type !== 'run') return;
  run(m).then(
    (result) => process.send?.({ type: 'result', id: m.id, result } satisfies LoadReply),
    (err: unknown) => process.send?.({ type: 'error', id: m.id, message: String(err) } satisfies LoadReply),
  );
});
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
