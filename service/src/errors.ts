import * as zlib from 'node:zlib';

/** Content-Encodings body-parser decompresses (zstd where this Node has it: 22.15 and later). */
const CONTENT_ENCODINGS = ['identity', 'gzip', 'deflate', 'br', ...('createZstdDecompress' in zlib ? ['zstd'] : [])].join(', ');

/** Largest user id: ids are at most 9 digits, so they stay exact in every JSON parser and Elasticsearch `long`. */
export const MAX_ID = 999_999_999;

/**
 * The catalogue of coded errors and the one place where they become HTTP responses.
 * Every error response has the shape `{ error: { code, message, requestId, details? } }`.
 */
export const ERROR_CODES = {
  invalid_json: { status: 400, message: 'The request body is not valid JSON.' },
  invalid_body: { status: 400, message: 'The request body could not be read.' },
  invalid_path: { status: 400, message: 'The path contains malformed percent-encoding.' },
  bad_request: { status: 400, message: 'The request is malformed.' },
  validation_failed: { status: 400, message: 'The request is invalid.' },
  invalid_id: { status: 400, message: `The id must be an integer from 1 to ${MAX_ID}.` },
  user_not_found: { status: 404, message: 'No user has this id.' },
  route_not_found: { status: 404, message: 'No route matches this method and path.' },
  method_not_allowed: { status: 405, message: 'This route does not support this method.' },
  payload_too_large: { status: 413, message: 'The request body is larger than the limit.' },
  unsupported_media_type: { status: 415, message: 'The request body must be application/json.' },
  simulated_error: { status: 500, message: 'This endpoint always fails.' },
  flaky_failure: { status: 500, message: 'This endpoint failed at random.' },
  internal_error: { status: 500, message: 'An unexpected error occurred.' },
  not_ready: { status: 503, message: 'The service is not ready to serve traffic.', expected: true },
} as const satisfies Record<string, { status: number; message: string; expected?: true }>;

/**
 * Whether a 5xx is part of normal operation (readiness 503 while starting or draining): such an answer
 * is logged like any other request, without error fields, so it feeds no error-log rule.
 */
export function isExpected(error: AppError | undefined): boolean {
  return error !== undefined && 'expected' in ERROR_CODES[error.code];
}

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

/** The properties of body-parser's and the router's errors (http-errors) that say what went wrong. */
interface HttpErrorLike {
  type?: unknown;
  status?: unknown;
  expose?: unknown;
  limit?: unknown;
  charset?: unknown;
  encoding?: unknown;
  message?: unknown;
}

/** What the request said about its body, for messages that name it. */
export interface RequestFacts {
  readonly contentEncoding?: string | undefined;
}

/**
 * Maps any thrown value to a catalogue error. Client mistakes detected by Express's router and
 * body-parser (malformed percent-encoding, corrupt or truncated compressed bodies, unsupported charsets
 * and encodings, oversized bodies) become 4xx with a message naming the problem; anything else is 500.
 */
export function toAppError(error: unknown, request: RequestFacts = {}): AppError {
  if (error instanceof AppError) return error;
  // The router decodes path parameters with decodeURIComponent: malformed %-escapes throw URIError.
  if (error instanceof URIError) return new AppError('invalid_path', { cause: error });
  const e: HttpErrorLike = typeof error === 'object' && error !== null ? (error as HttpErrorLike) : {};
  switch (e.type) {
    case 'entity.parse.failed':
      return new AppError('invalid_json', { cause: error });
    case 'entity.too.large': {
      const limit = typeof e.limit === 'number' ? e.limit : undefined;
      return new AppError('payload_too_large', {
        ...(limit === undefined ? {} : { message: `The request body is larger than the limit of ${limit} bytes.`, details: { limitBytes: limit } }),
        cause: error,
      });
    }
    case 'charset.unsupported': {
      const charset = typeof e.charset === 'string' ? e.charset : 'given';
      return new AppError('unsupported_media_type', {
        message: `The charset "${charset}" is not supported: send the JSON body as UTF-8 (application/json; charset=utf-8).`,
        details: { charset },
        cause: error,
      });
    }
    case 'encoding.unsupported': {
      const encoding = typeof e.encoding === 'string' ? e.encoding : request.contentEncoding ?? 'given';
      return new AppError('unsupported_media_type', {
        message: `The Content-Encoding "${encoding}" is not supported: use one of ${CONTENT_ENCODINGS}.`,
        details: { encoding },
        cause: error,
      });
    }
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
      return new AppError('invalid_body', { cause: error });
    default:
      break;
  }
  const status = typeof e.status === 'number' ? e.status : undefined;
  if (status !== undefined && status >= 400 && status < 500) {
    // body-parser answers a failed decompression (zlib: corrupt or truncated data) with a bare 400.
    const encoding = request.contentEncoding?.toLowerCase();
    if (encoding !== undefined && encoding !== 'identity') {
      return new AppError('invalid_body', {
        message: `The request body could not be decompressed as Content-Encoding "${encoding}": it is corrupt or truncated.`,
        details: { encoding },
        cause: error,
      });
    }
    return new AppError('bad_request', { ...(e.expose === true && typeof e.message === 'string' ? { message: e.message } : {}), cause: error });
  }
  return new AppError('internal_error', { cause: error });
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
