/**
 * The Express application: routes, request telemetry (metrics, access log, the server span) and
 * the error edge that turns catalogue errors into JSON responses.
 *
 * Routes whose work is synchronous are plain functions: no promise on their path (each costs an
 * async hook while OpenTelemetry's context manager is active on Node < 24).
 */
import { randomUUID } from 'node:crypto';
import { context, type Span } from '@opentelemetry/api';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { Config } from './config.js';
import { AppError, errorBody, isExpected, toAppError } from './errors.js';
import type { Lifecycle } from './lifecycle.js';
import type { Logger } from './logger.js';
import { normalizeMethod, type ServiceMetrics } from './metrics.js';
import { uniformInt, type RandomSource } from './random.js';
import {
  ACCESS_LOG_LEVELS,
  ACCESS_LOG_MESSAGE,
  CLIENT_CLOSED_STATUS,
  PROBE_ROUTES,
  ROUTES,
  SPAN_ATTRIBUTES,
  SPAN_NAMES,
  UNMATCHED_ROUTE,
  type Operation,
  type RouteTemplate,
} from './telemetry/registry.js';
import { activeAgent } from './telemetry/agent.js';
import { endServerSpan, startServerSpan } from './telemetry/http-server-span.js';
import { activeSpan, nameServerSpan, recordSpanError, withSpan, withSpanSync } from './telemetry/tracing.js';
import { parseNewUser, parsePageRequest, parseUserId, type UserStore } from './users.js';

export interface AppDependencies {
  readonly config: Config;
  readonly logger: Logger;
  readonly metrics: ServiceMetrics;
  readonly lifecycle: Lifecycle;
  readonly users: UserStore;
  readonly random: RandomSource;
  /**
   * Whether the service starts the request's SERVER span itself. Default: when the OpenTelemetry
   * SDK is the active agent (instrumentation.ts loads no HTTP instrumentation). elastic-apm-node
   * makes its own transaction, which the middleware then names and annotates.
   */
  readonly serverSpans?: boolean;
}

/** Per-request state, kept on res.locals. */
interface RequestState {
  requestId: string;
  route: string;
  error: AppError | undefined;
  /** The request's server span (own, or the agent's transaction), when traced. */
  span: Span | undefined;
}

/** Accepted X-Request-ID values: bounded length, a safe charset (no log or header injection). */
const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

export function requestIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && REQUEST_ID_PATTERN.test(value) ? value : randomUUID();
}

export { CLIENT_CLOSED_STATUS };

const PROBES = new Set<string>(PROBE_ROUTES);

function state(res: Response): RequestState {
  return res.locals as RequestState;
}

export function createApp(deps: AppDependencies): express.Express {
  const { config, logger, metrics, lifecycle, users, random } = deps;
  const ownServerSpans = deps.serverSpans ?? activeAgent() === 'otel';
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  // Request telemetry: server span, request id, in-flight gauge, and on completion the RED metrics,
  // the access log and the end of the span.
  app.use((req: Request, res: Response, next: NextFunction) => {
    const start = process.hrtime.bigint();
    const s = state(res);
    s.requestId = requestIdFrom(req.headers['x-request-id']);
    s.route = UNMATCHED_ROUTE;
    s.error = undefined;
    // Probes are never traced. Another agent's HTTP instrumentation may already have started the
    // server span (elastic-apm-node's transaction): then it is the one named and annotated.
    const own = ownServerSpans && !PROBES.has(req.path) ? startServerSpan(req) : undefined;
    s.span = own?.span ?? activeSpan();
    res.setHeader('X-Request-ID', s.requestId);
    if (lifecycle.isDraining) res.setHeader('Connection', 'close');
    s.span?.setAttribute(SPAN_ATTRIBUTES.requestId, s.requestId);
    metrics.httpRequestsInFlight.inc();
    const onClose = (): void => {
      const nanos = process.hrtime.bigint() - start;
      metrics.httpRequestsInFlight.dec();
      const status = res.writableFinished ? res.statusCode : CLIENT_CLOSED_STATUS;
      const method = normalizeMethod(req.method);
      metrics.recordRequest(method, s.route, status, Number(nanos) / 1e9);
      // A 5xx that is part of normal operation (readiness while draining) is no error.
      const failed = status >= 500 && !isExpected(s.error);
      const fields = {
        'http.request.method': req.method,
        'http.request.id': s.requestId,
        'http.response.status_code': status,
        'http.route': s.route,
        'url.path': req.path,
        'user_agent.original': req.headers['user-agent'],
        'client.ip': req.socket.remoteAddress,
        'event.duration': Number(nanos),
        'event.outcome': status >= 500 ? 'failure' : 'success',
        ...(failed && s.error !== undefined ? { err: s.error.cause instanceof Error ? s.error.cause : s.error } : {}),
      };
      const level = failed ? ACCESS_LOG_LEVELS.serverError : PROBES.has(s.route) ? ACCESS_LOG_LEVELS.probe : ACCESS_LOG_LEVELS.default;
      logger[level](fields, ACCESS_LOG_MESSAGE);
      if (own !== undefined) {
        const failure = s.error?.cause instanceof Error ? s.error.cause : s.error;
        endServerSpan(own.span, res.statusCode, res.headersSent, failure?.message);
      }
    };
    if (own === undefined) {
      res.once('close', onClose);
      next();
      return;
    }
    // The access line is written inside the span's context (trace ids), and so is the rest of the chain.
    res.once('close', context.bind(own.context, onClose));
    context.with(own.context, next);
  });

  /** First handler of every route: records the matched template (mount path + route path). */
  const routed = (req: Request, res: Response, next: NextFunction): void => {
    const path: unknown = (req.route as { path?: unknown } | undefined)?.path;
    const route = typeof path === 'string' ? `${req.baseUrl}${path}` : UNMATCHED_ROUTE;
    const s = state(res);
    s.route = route;
    nameServerSpan(s.span, req.method, route);
    next();
  };

  /** Records the outcome of a synchronous operation; no promise is created. */
  const operationSync = <T>(name: Operation, fn: () => T): T => {
    let result: T;
    try {
      result = fn();
    } catch (error) {
      metrics.recordOperation(name, 'failure');
      throw error;
    }
    metrics.recordOperation(name, 'success');
    return result;
  };

  const operation = async <T>(name: Operation, fn: () => Promise<T> | T): Promise<T> => {
    try {
      const result = await fn();
      metrics.recordOperation(name, 'success');
      return result;
    } catch (error) {
      metrics.recordOperation(name, 'failure');
      throw error;
    }
  };

  /** Methods served per route template, for the `Allow` header of 405 and OPTIONS answers. */
  const allowed = new Map<RouteTemplate, string[]>();
  const route = (method: 'get' | 'post', path: RouteTemplate, ...handlers: RequestHandler[]): void => {
    const methods = allowed.get(path) ?? [];
    // Express answers HEAD with the GET handler.
    methods.push(...(method === 'get' ? ['GET', 'HEAD'] : [method.toUpperCase()]));
    allowed.set(path, methods);
    app[method](path, routed, ...handlers);
  };

  route('get', ROUTES.health, (_req, res) => {
    res.json({ status: 'ok', version: config.service.version, uptimeSeconds: Math.round(lifecycle.uptimeSeconds()) });
  });

  route('get', ROUTES.ready, (_req, res) => {
    if (!lifecycle.isReady) {
      throw new AppError('not_ready', { message: `The service is ${lifecycle.state}.`, details: { state: lifecycle.state } });
    }
    res.json({ status: 'ready' });
  });

  route('get', ROUTES.metrics, async (_req, res) => {
    const body = await metrics.registry.metrics();
    res.type(metrics.registry.contentType).send(body);
  });

  // One bounded page per request (?limit=&offset=): a full store is 10,000 users, about 3.4 MB of JSON.
  route('get', ROUTES.users, (req, res) => {
    const page = operationSync('list_users', () => {
      const { limit, offset } = parsePageRequest(req.query as Record<string, unknown>);
      const total = users.size;
      const next = offset + limit < total ? `${ROUTES.users}?limit=${limit}&offset=${offset + limit}` : null;
      return { users: users.page(offset, limit), total, limit, offset, next };
    });
    if (page.next !== null) res.setHeader('Link', `<${page.next}>; rel="next"`);
    res.json(page);
  });

  route('get', ROUTES.user, (req, res) => {
    const user = operationSync('get_user', () => {
      const id = parseUserId(String(req.params.id));
      // A lookup that finds nothing succeeded (app.user.found=false); only the response is a 404.
      const found = withSpanSync(SPAN_NAMES.userLookup, { [SPAN_ATTRIBUTES.userId]: id }, (span) => {
        const result = users.get(id);
        span?.setAttribute(SPAN_ATTRIBUTES.userFound, result !== undefined);
        return result;
      });
      metrics.userLookups.inc({ result: found === undefined ? 'not_found' : 'found' });
      if (found === undefined) throw new AppError('user_not_found', { details: { id } });
      return found;
    });
    res.json(user);
  });

  route(
    'post',
    ROUTES.users,
    // Not strict: any JSON value is parsed, and parseNewUser says what is wrong with `null` or `[]`.
    express.json({ limit: config.bodyLimitBytes, type: 'application/json', strict: false }),
    (req, res) => {
      const user = operationSync('create_user', () => {
        if (!req.is('application/json')) throw new AppError('unsupported_media_type');
        const input = parseNewUser(req.body);
        return withSpanSync(SPAN_NAMES.userCreate, {}, (span) => {
          const created = users.create(input);
          span?.setAttribute(SPAN_ATTRIBUTES.userId, created.id);
          metrics.usersCreated.inc();
          return created;
        });
      });
      res.status(201).location(`/api/users/${user.id}`).json(user);
    },
  );

  route('get', ROUTES.error, () => {
    operationSync('error', () => {
      throw new AppError('simulated_error');
    });
  });

  route('get', ROUTES.flaky, (_req, res) => {
    operationSync('flaky', () => {
      if (random() < config.flakyFailureRate) throw new AppError('flaky_failure');
    });
    res.json({ status: 'ok' });
  });

  route('get', ROUTES.slow, async (_req, res) => {
    const delayMs = uniformInt(random, config.slowMinMs, config.slowMaxMs);
    await operation('slow', () =>
      withSpan(SPAN_NAMES.slowWork, { [SPAN_ATTRIBUTES.slowDelayMs]: delayMs }, () => new Promise<void>((resolve) => setTimeout(resolve, delayMs))),
    );
    res.json({ status: 'ok', delayMs });
  });

  // Other methods on a known route: 405 with `Allow`; OPTIONS answers 204 with `Allow`.
  for (const [path, methods] of allowed) {
    const allow = [...methods, 'OPTIONS'].join(', ');
    app.all(path, routed, (req, res) => {
      res.setHeader('Allow', allow);
      if (req.method === 'OPTIONS') {
        res.status(204).end();
        return;
      }
      throw new AppError('method_not_allowed', { message: `${path} accepts ${allow}.`, details: { allow: allow.split(', ') } });
    });
  }

  // Unknown routes: one JSON 404, and the shared `unmatched` route label.
  app.use(() => {
    throw new AppError('route_not_found');
  });

  // The error edge: catalogue errors become JSON responses; 5xx mark the server span failed.
  app.use((error: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const appError = toAppError(error, { contentEncoding: req.headers['content-encoding'] });
    const s = state(res);
    s.error = appError;
    if (appError.status >= 500) recordSpanError(s.span, appError.cause instanceof Error ? appError.cause : appError);
    res.status(appError.status).json(errorBody(appError, s.requestId));
  });

  return app;
}
