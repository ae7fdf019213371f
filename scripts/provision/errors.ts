/**
 * The engine's small catalogue of coded errors and the exit codes they map to (at one edge: the
 * CLI). Messages are written for an operator and never carry credentials.
 */

export const EXIT = {
  /** Applied, or nothing to do. */
  ok: 0,
  /** At least one object failed (per-object report printed). */
  failed: 1,
  /** Bad usage or configuration. */
  usage: 2,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Bad flags or environment: every problem found, reported together (exit 2). */
export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** An HTTP call to Kibana or Elasticsearch that failed (after retries where retryable). */
export class RemoteError extends Error {
  readonly status: number | undefined;
  readonly target: 'kibana' | 'elasticsearch';
  readonly request: string;
  constructor(target: 'kibana' | 'elasticsearch', request: string, status: number | undefined, message: string) {
    super(message);
    this.name = 'RemoteError';
    this.target = target;
    this.request = request;
    this.status = status;
  }
}

/** 401: the credentials were rejected. Stops the whole run. */
export class AuthenticationError extends RemoteError {
  constructor(target: 'kibana' | 'elasticsearch', request: string) {
    super(
      target,
      request,
      401,
      `${target === 'kibana' ? 'Kibana' : 'Elasticsearch'} rejected the credentials (401 Unauthorized) on ${request}: ` +
        'check ELASTIC_API_KEY (an encoded API key, as shown once when it was created) or ELASTIC_USERNAME/ELASTIC_PASSWORD, ' +
        'and that the key has not expired or been invalidated',
    );
    this.name = 'AuthenticationError';
  }
}

/** 403: authenticated, but a privilege is missing; names the privilege. */
export class PrivilegeError extends RemoteError {
  readonly privilege: string;
  constructor(target: 'kibana' | 'elasticsearch', request: string, privilege: string, detail?: string) {
    super(
      target,
      request,
      403,
      `${target === 'kibana' ? 'Kibana' : 'Elasticsearch'} refused ${request} (403 Forbidden): missing privilege ${privilege}` +
        (detail ? ` (${detail})` : ''),
    );
    this.name = 'PrivilegeError';
    this.privilege = privilege;
  }
}

/** Extracts a readable message from anything thrown; never includes request headers. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
