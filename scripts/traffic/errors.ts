/** The generator's error catalogue: each code maps to one exit status at the CLI edge. */

export const EXIT_CODES = {
  ok: 0,
  /** Unexpected failure (a bug or an environment problem not covered below). */
  failure: 1,
  /** Invalid command line. */
  usage: 2,
  /** The target never answered a single request. */
  unreachable: 3,
  /** `kubectl port-forward` could not be started or the service never answered through it. */
  portForward: 4,
  /** Stopped by SIGINT (128 + 2) or SIGTERM (128 + 15) after printing the partial summary. */
  sigint: 130,
  sigterm: 143,
} as const;

export type TrafficErrorCode = 'USAGE' | 'TARGET_UNREACHABLE' | 'PORT_FORWARD_FAILED';

const EXIT_BY_CODE: Record<TrafficErrorCode, number> = {
  USAGE: EXIT_CODES.usage,
  TARGET_UNREACHABLE: EXIT_CODES.unreachable,
  PORT_FORWARD_FAILED: EXIT_CODES.portForward,
};

export class TrafficError extends Error {
  readonly code: TrafficErrorCode;
  readonly exitCode: number;

  constructor(code: TrafficErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TrafficError';
    this.code = code;
    this.exitCode = EXIT_BY_CODE[code];
  }
}
