/**
 * Correlation: one access line's `trace.id` finds its transaction in APM, and the APM service
 * exists with the expected `service.name` and `service.environment`.
 */
import { APM_FIELDS, INDEX_PATTERNS, LOG_FIELDS } from '../../kibana/telemetry-fields.js';
import { search, term, valueAt, type CheckContext } from './context.js';
import { fail, pass, type CheckResult } from './report.js';
import { accessLines } from './shape.js';

export async function checkTraceLink(ctx: CheckContext): Promise<CheckResult> {
  const id = 'correlation:trace-id';
  const lines = (await accessLines(ctx)).filter((l) => typeof valueAt(l.source, LOG_FIELDS.traceId) === 'string');
  if (lines.length === 0) {
    return fail('correlation', id, 'no access line with a trace.id to follow yet', 'see shape:access-trace-id', 'correlation', { pending: true });
  }
  const tried: string[] = [];
  for (const line of lines.slice(0, 5)) {
    const traceId = valueAt(line.source, LOG_FIELDS.traceId) as string;
    tried.push(traceId);
    const [tx] = await search(ctx.stack, INDEX_PATTERNS.traces, { bool: { filter: [term(APM_FIELDS.traceId, traceId), term(APM_FIELDS.processorEvent, 'transaction')] } });
    if (tx !== undefined) {
      return pass('correlation', id, `access line ${line.id} -> transaction "${String(valueAt(tx.source, APM_FIELDS.transactionName) ?? '?')}" (trace ${traceId})`, {
        traceId,
        logDocument: line.id,
        transaction: tx.id,
      });
    }
  }
  return fail(
    'correlation',
    id,
    `no APM transaction for the trace ids of the latest access lines (${tried.join(', ')})`,
    'the spans are sampled out or dropped before APM Server (check the sampler and the OTLP exporter errors in the service log), or the log carries a different trace id than the exported span',
    'correlation',
    { pending: true },
  );
}

export async function checkApmService(ctx: CheckContext): Promise<CheckResult> {
  const id = 'correlation:apm-service';
  const { serviceName, environment } = ctx.settings;
  const [hit] = await search(ctx.stack, INDEX_PATTERNS.traces, { bool: { filter: [term(APM_FIELDS.serviceName, serviceName), term(APM_FIELDS.serviceEnvironment, environment)] } });
  if (hit !== undefined) return pass('correlation', id, `APM service ${serviceName} in environment ${environment}`, { document: hit.id });
  const [other] = await search(ctx.stack, INDEX_PATTERNS.traces, term(APM_FIELDS.serviceName, serviceName));
  if (other !== undefined) {
    const seen = String(valueAt(other.source, APM_FIELDS.serviceEnvironment) ?? '(none)');
    return fail(
      'correlation',
      id,
      `APM service ${serviceName} reports environment ${seen}, expected ${environment}`,
      'OTEL_RESOURCE_ATTRIBUTES (deployment.environment) in the Deployment differs from the overlay, or --environment is wrong',
      'correlation',
    );
  }
  return fail('correlation', id, `no APM data for service ${serviceName}`, 'see signal:traces', 'traces', { pending: true });
}
