/**
 * The catalogue of coded errors and the one place where they become HTTP responses.
 * Every error response has the shape `{ error: { code, message, requestId, details? } }`.
 */
export const ERROR_CODES = {
  invalid_json: { status: 400, message: 'The request body is not valid JSON.' },
  validation_failed: { status: 400, message: 'The request is invalid.' },
  invalid_id: { status: 400, message: 'The id must be a positive integer.' },
  user_not_found: { status: 404, message: 'No user has this id.' },
  route_not_found: { status: 404, message: 'No route matches this method and path.' },
  payload_too_large: { status: 413, message: 'The request body is larger than the limit.' },
  unsupported_media_type: { status: 415, message: 'The request body must be application/json.' },
  simulated_error: { status: 500, message: 'This endpoint always fails.' },
  flaky_failure: { status: 500, message: 'This endpoint failed at random.' },
  internal_error: { status: 500, message: 'An unexpected error occurred.' },
  not_ready: { status: 503, message: 'The service is not ready to serve traffic.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface FieldError {
  readonly field: string;
  readonly message: string;
}

export interface ErrorBody {
  readonly error: {
    readonly code: ErrorCode;
    readonly message: string;
    readonly requestId: string;
    readonly details?: unknown;
  };
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: unknown;
  constructor(code: ErrorCode, options: { message?: string; details?: unknown; cause?: unknown } = {}) {
    super(options.message ?? ERROR_CODES[code].message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = ERROR_CODES[code].status;
    this.details = options.details;
  }
}

interface BodyParserError {
  type?: unknown;
  status?: unknown;
}

/** Maps any thrown value to a catalogue error (body-parser's errors included; unknown ones are 500). */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const type = typeof error === 'object' && error !== null ? (error as BodyParserError).type : undefined;
  switch (type) {
    case 'entity.parse.failed':
      return new AppError('invalid_json', { cause: error });
    case 'entity.too.large':
      return new AppError('payload_too_large', { cause: error });
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new AppError('unsupported_media_type', { cause: error });
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
      return new AppError('validation_failed', { message: 'The request body could not be read.', cause: error });
    default:
      return new AppError('internal_error', { cause: error });
  }
}

export function errorBody(error: AppError, requestId: string): ErrorBody {
  return {
    error: {
      code: error.code,
      message: error.message,
      requestId,
      ...(error.details === undefined ? {} : { details: error.details }),
    },
  };
}
