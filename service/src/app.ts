/**
 * The Express application: routes, request telemetry (metrics, access log, server span naming) and
 * the error edge that turns catalogue errors into JSON responses.
 */
import { randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Config } from './config.js';
import { AppError, errorBody, toAppError } from './errors.js';
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
} from './telemetry/registry.js';
import { activeSpan, nameServerSpan, recordSpanError, withSpan } from './telemetry/tracing.js';
import { parseNewUser, parseUserId, type UserStore } from './users.js';

export interface AppDependencies {
  readonly config: Config;
  readonly logger: Logger;
  readonly metrics: ServiceMetrics;
  readonly lifecycle: Lifecycle;
  readonly users: UserStore;
  readonly random: RandomSource;
}

/** Per-request state, kept on res.locals. */
interface RequestState {
  requestId: string;
  route: string;
  error: AppError | undefined;
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
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  // Request telemetry: request id, in-flight gauge, and on completion the RED metrics and the access log.
  app.use((req: Request, res: Response, next: NextFunction) => {
    const start = process.hrtime.bigint();
    const s = state(res);
    s.requestId = requestIdFrom(req.headers['x-request-id']);
    s.route = UNMATCHED_ROUTE;
    s.error = undefined;
    res.setHeader('X-Request-ID', s.requestId);
    if (lifecycle.isDraining) res.setHeader('Connection', 'close');
    activeSpan()?.setAttribute(SPAN_ATTRIBUTES.requestId, s.requestId);
    metrics.httpRequestsInFlight.inc();
    res.once('close', () => {
      const nanos = process.hrtime.bigint() - start;
      metrics.httpRequestsInFlight.dec();
      const status = res.writableFinished ? res.statusCode : CLIENT_CLOSED_STATUS;
      const method = normalizeMethod(req.method);
      metrics.recordRequest(method, s.route, status, Number(nanos) / 1e9);
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
        ...(status >= 500 && s.error !== undefined ? { err: s.error.cause instanceof Error ? s.error.cause : s.error } : {}),
      };
      const level = status >= 500 ? ACCESS_LOG_LEVELS.serverError : PROBES.has(s.route) ? ACCESS_LOG_LEVELS.probe : ACCESS_LOG_LEVELS.default;
      logger[level](fields, ACCESS_LOG_MESSAGE);
    });
    next();
  });

  /** First handler of every route: records the matched template (mount path + route path). */
  const routed = (req: Request, res: Response, next: NextFunction): void => {
    const path: unknown = (req.route as { path?: unknown } | undefined)?.path;
    const route = typeof path === 'string' ? `${req.baseUrl}${path}` : UNMATCHED_ROUTE;
    state(res).route = route;
    nameServerSpan(activeSpan(), req.method, route);
    next();
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

  app.get(ROUTES.health, routed, (_req, res) => {
    res.json({ status: 'ok', version: config.service.version, uptimeSeconds: Math.round(lifecycle.uptimeSeconds()) });
  });

  app.get(ROUTES.ready, routed, (_req, res) => {
    if (!lifecycle.isReady) {
      throw new AppError('not_ready', { message: `The service is ${lifecycle.state}.`, details: { state: lifecycle.state } });
    }
    res.json({ status: 'ready' });
  });

  app.get(ROUTES.metrics, routed, async (_req, res) => {
    const body = await metrics.registry.metrics();
    res.type(metrics.registry.contentType).send(body);
  });

  app.get(ROUTES.users, routed, async (_req, res) => {
    const list = await operation('list_users', () => users.list());
    res.json({ users: list });
  });

  app.get(ROUTES.user, routed, async (req, res) => {
    const user = await operation('get_user', async () => {
      const id = parseUserId(String(req.params.id));
      // A lookup that finds nothing succeeded (app.user.found=false); only the response is a 404.
      const found = await withSpan(SPAN_NAMES.userLookup, { [SPAN_ATTRIBUTES.userId]: id }, (span) => {
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

  app.post(
    ROUTES.users,
    routed,
    express.json({ limit: config.bodyLimitBytes, type: 'application/json' }),
    async (req, res) => {
      const user = await operation('create_user', () => {
        if (!req.is('application/json')) throw new AppError('unsupported_media_type');
        const input = parseNewUser(req.body);
        return withSpan(SPAN_NAMES.userCreate, {}, (span) => {
          const created = users.create(input);
          span?.setAttribute(SPAN_ATTRIBUTES.userId, created.id);
          metrics.usersCreated.inc();
          return created;
        });
      });
      res.status(201).location(`/api/users/${user.id}`).json(user);
    },
  );

  app.get(ROUTES.error, routed, async () => {
    await operation('error', () => {
      throw new AppError('simulated_error');
    });
  });

  app.get(ROUTES.flaky, routed, async (_req, res) => {
    await operation('flaky', () => {
      if (random() < config.flakyFailureRate) throw new AppError('flaky_failure');
    });
    res.json({ status: 'ok' });
  });

  app.get(ROUTES.slow, routed, async (_req, res) => {
    const delayMs = uniformInt(random, config.slowMinMs, config.slowMaxMs);
    await operation('slow', () =>
      withSpan(SPAN_NAMES.slowWork, { [SPAN_ATTRIBUTES.slowDelayMs]: delayMs }, () => new Promise<void>((resolve) => setTimeout(resolve, delayMs))),
    );
    res.json({ status: 'ok', delayMs });
  });

  // Unknown routes: one JSON 404, and the shared `unmatched` route label.
  app.use(() => {
    throw new AppError('route_not_found');
  });

  // The error edge: catalogue errors become JSON responses; 5xx mark the server span failed.
  app.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const appError = toAppError(error);
    const s = state(res);
    s.error = appError;
    if (appError.status >= 500) recordSpanError(activeSpan(), appError.cause instanceof Error ? appError.cause : appError);
    res.status(appError.status).json(errorBody(appError, s.requestId));
  });

  return app;
}
