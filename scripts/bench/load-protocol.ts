/**
 * The messages between the bench (runner.ts) and its load-generator child process (load-worker.ts),
 * and what one load run reports, whichever generator (wrk.ts or autocannon) made it.
 */
export const LOAD_GENERATORS = ['wrk', 'autocannon'] as const;
export type LoadGenerator = (typeof LOAD_GENERATORS)[number];

export interface LoadRequest {
  readonly type: 'run';
  readonly id: number;
  readonly url: string;
  readonly connections: number;
  readonly durationSeconds: number;
  /** Per-request timeout (autocannon counts timeouts separately). */
  readonly timeoutSeconds: number;
  /** Requests per second over all connections; absent: as fast as the server answers. */
  readonly rate?: number;
  /** Generator of the run. */
  readonly generator: LoadGenerator;
}

export interface LoadResult {
  readonly requestsPerSecond: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  readonly latencyMeanMs: number;
  readonly requests: number;
  readonly status2xx: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly durationSeconds: number;
}

export type LoadReply =
  | { readonly type: 'result'; readonly id: number; readonly result: LoadResult }
  | { readonly type: 'error'; readonly id: number; readonly message: string };
