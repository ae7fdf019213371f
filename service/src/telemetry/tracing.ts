/**
 * Tracing helpers for application code. Only @opentelemetry/api is imported here: when no SDK is
 * registered every call is a cheap no-op, and elastic-apm-node's OpenTelemetry bridge (APM_AGENT=elastic)
 * implements the same API.
 */
import {
  context,
  createContextKey,
  isSpanContextValid,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
} from '@opentelemetry/api';

const tracer = trace.getTracer('sample-service');

/** Context key holding the id of the request's server span (Elastic's "transaction"). */
const TRANSACTION_ID = createContextKey('sample-service.transaction_id');

export interface TraceIds {
  readonly 'trace.id': string;
  readonly 'transaction.id': string;
  readonly 'span.id': string;
}

/** ECS correlation ids of the active span, or undefined outside a traced request. */
export function currentTraceIds(): TraceIds | undefined {
  // elastic-apm-node's bridge can report no context at all (e.g. in process-level handlers).
  const ctx = context.active() as ReturnType<typeof context.active> | null;
  if (!ctx) return undefined;
  const span = trace.getSpan(ctx);
  if (span === undefined) return undefined;
  const sc = span.spanContext();
  if (!isSpanContextValid(sc)) return undefined;
  const tx = ctx.getValue(TRANSACTION_ID);
  return {
    'trace.id': sc.traceId,
    'transaction.id': typeof tx === 'string' ? tx : sc.spanId,
    'span.id': sc.spanId,
  };
}

/** The active span (the server span while a request handler runs), if any. */
export function activeSpan(): Span | undefined {
  return trace.getActiveSpan();
}

/** Names the server span `METHOD /route/template` and sets `http.route` once the route is known. */
export function nameServerSpan(span: Span | undefined, method: string, route: string): void {
  if (span === undefined || !span.isRecording()) return;
  span.updateName(`${method} ${route}`);
  span.setAttribute('http.route', route);
}

/** Marks a span failed and records the exception (used for 5xx responses). */
export function recordSpanError(span: Span | undefined, error: unknown): void {
  if (span === undefined || !span.isRecording()) return;
  const err = error instanceof Error ? error : new Error(String(error));
  span.recordException(err);
  span.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
}

/**
 * Starts a child span of the active recording span, with the context to run its work in (the
 * transaction id is carried along for log correlation). Undefined outside a traced request.
 */
function startChildSpan(name: string, attributes: Attributes): { span: Span; ctx: Context } | undefined {
  const parentCtx = context.active();
  const parent = trace.getSpan(parentCtx);
  if (parent === undefined || !parent.isRecording()) return undefined;
  const txId = parentCtx.getValue(TRANSACTION_ID) ?? parent.spanContext().spanId;
  const span = tracer.startSpan(name, { attributes }, parentCtx);
  return { span, ctx: trace.setSpan(parentCtx, span).setValue(TRANSACTION_ID, txId) };
}

/**
 * Runs the synchronous `fn` inside a child span of the active one and ends the span when it
 * returns; a throw marks it failed. No promise is created, so a synchronous route stays synchronous
 * (each promise costs an async hook while the context manager is active on Node < 24).
 */
export function withSpanSync<T>(name: string, attributes: Attributes, fn: (span: Span | undefined) => T): T {
  const child = startChildSpan(name, attributes);
  if (child === undefined) return fn(undefined);
  const { span, ctx } = child;
  try {
    return context.with(ctx, fn, undefined, span);
  } catch (error) {
    recordSpanError(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/**
 * Runs `fn` inside a child span of the active one. The span ends when `fn` settles; a thrown error
 * or rejection marks it failed. Outside a traced request no span is created at all.
 */
export async function withSpan<T>(name: string, attributes: Attributes, fn: (span: Span | undefined) => Promise<T> | T): Promise<T> {
  const child = startChildSpan(name, attributes);
  if (child === undefined) return fn(undefined);
  const { span, ctx } = child;
  try {
    return await context.with(ctx, fn, undefined, span);
  } catch (error) {
    recordSpanError(span, error);
    throw error;
  } finally {
    span.end();
  }
}
