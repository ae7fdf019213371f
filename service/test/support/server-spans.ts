/**
 * Finished spans shaped like the service's SERVER spans (the middleware's 10 request attributes,
 * then the route, the request id and the status code), for the OTLP encoder's test and the
 * serialisation benchmark.
 */
import { SpanKind, SpanStatusCode, type Attributes, type Tracer } from '@opentelemetry/api';

export interface ServerSpanShape {
  readonly peerPort: number;
  readonly path: string;
  readonly route: string;
  readonly requestId: string;
  readonly status: number;
  /** More attributes at the start (they win over the defaults). */
  readonly extra?: Attributes;
}

export function recordServerSpan(tracer: Tracer, shape: ServerSpanShape): void {
  const span = tracer.startSpan('GET', {
    kind: SpanKind.SERVER,
    attributes: {
      'http.request.method': 'GET',
      'url.scheme': 'http',
      'server.address': '127.0.0.1',
      'server.port': 8080,
      'network.peer.address': '127.0.0.1',
      'network.peer.port': shape.peerPort,
      'network.protocol.version': '1.1',
      'url.path': shape.path,
      'client.address': '127.0.0.1',
      'user_agent.original': 'wrk',
      ...shape.extra,
    },
  });
  span.updateName(`GET ${shape.route}`);
  span.setAttribute('http.route', shape.route);
  span.setAttribute('http.request.id', shape.requestId);
  span.setAttribute('http.response.status_code', shape.status);
  if (shape.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
  span.end();
}
