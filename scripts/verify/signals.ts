/**
 * Signals: for each signal the project collects, the first and the latest document of the service,
 * and the time from the deploy to the first one (time to first signal).
 */
import { APP_LABEL_FIELD, DATASETS, INDEX_PATTERNS, KUBERNETES_FIELDS, SERVICE_NAME_FIELD } from '../../kibana/telemetry-fields.js';
import { search, term, timestampOf, type CheckContext, type Hit, type Query } from './context.js';
import { fail, pass, type CheckResult, type Section } from './report.js';

export interface SignalSpec {
  readonly id: string;
  readonly what: string;
  readonly index: string;
  readonly query: (ctx: CheckContext) => Query;
  /** Likely cause when nothing arrives, and the docs section to read. */
  readonly cause: string;
  readonly section: Section;
}

/** The service's documents: its own `service.name`, or (before the JSON is parsed) its pods' app label. */
function serviceDocs(ctx: CheckContext): Query {
  return { bool: { should: [term(SERVICE_NAME_FIELD, ctx.settings.serviceName), term(APP_LABEL_FIELD, ctx.settings.serviceName)], minimum_should_match: 1 } };
}

function kubernetesDocs(ctx: CheckContext, datasets: readonly string[]): Query {
  return { bool: { filter: [{ terms: { 'data_stream.dataset': [...datasets] } }, term(KUBERNETES_FIELDS.namespace, ctx.settings.namespace)] } };
}

export const SIGNALS: readonly SignalSpec[] = [
  {
    id: 'logs',
    what: `service logs in ${INDEX_PATTERNS.logs}`,
    index: INDEX_PATTERNS.logs,
    query: serviceDocs,
    cause: 'Elastic Agent does not collect the container logs: check the agent pods and the kubernetes package policy (container_logs stream)',
    section: 'logs',
  },
  {
    id: 'metrics',
    what: `service metrics in ${INDEX_PATTERNS.metrics}`,
    index: INDEX_PATTERNS.metrics,
    query: serviceDocs,
    cause: 'the prometheus integration does not scrape /metrics: check the pod annotations, the NetworkPolicy (NODE_CIDR) and the prometheus package policy',
    section: 'metrics',
  },
  {
    id: 'traces',
    what: `service traces in ${INDEX_PATTERNS.traces}`,
    index: INDEX_PATTERNS.traces,
    query: (ctx) => term(SERVICE_NAME_FIELD, ctx.settings.serviceName),
    cause: 'no span reaches APM Server: check OTEL_EXPORTER_OTLP_ENDPOINT and the APM secret token in the service, and the APM Server pod',
    section: 'traces',
  },
  {
    id: 'kubelet',
    what: `kubelet metrics (${DATASETS.kubernetesPod}, ${DATASETS.kubernetesContainer})`,
    index: INDEX_PATTERNS.kubernetes,
    query: (ctx) => kubernetesDocs(ctx, [DATASETS.kubernetesPod, DATASETS.kubernetesContainer]),
    cause: 'the kubernetes integration cannot read the kubelet: check the agent DaemonSet logs (kubelet TLS, node permissions)',
    section: 'kubernetes-metrics',
  },
  {
    id: 'kube-state-metrics',
    what: `kube-state-metrics (${DATASETS.kubernetesStateContainer}, ${DATASETS.kubernetesStateDeployment})`,
    index: INDEX_PATTERNS.kubernetes,
    query: (ctx) => kubernetesDocs(ctx, [DATASETS.kubernetesStateContainer, DATASETS.kubernetesStateDeployment, DATASETS.kubernetesStatePod]),
    cause: 'kube-state-metrics is not running or not reachable by the agent (fleet/base/kube-state-metrics.yaml)',
    section: 'kubernetes-metrics',
  },
];

function ago(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 120 ? `${s} s` : s < 7200 ? `${Math.round(s / 60)} min` : `${Math.round(s / 3600)} h`;
}

export async function checkSignal(ctx: CheckContext, spec: SignalSpec): Promise<CheckResult> {
  const id = `signal:${spec.id}`;
  const query = spec.query(ctx);
  const since = ctx.settings.since;
  const firstQuery: Query = since === undefined ? query : { bool: { filter: [query, { range: { '@timestamp': { gte: since.toISOString() } } }] } };
  const [latest] = await search(ctx.stack, spec.index, query, { order: 'desc' });
  const [first] = latest === undefined ? [] : await search(ctx.stack, spec.index, firstQuery, { order: 'asc' });
  const latestAt = timestampOf(latest);
  if (latest === undefined || latestAt === undefined) {
    return fail('signals', id, `no document: ${spec.what}`, spec.cause, spec.section, { pending: true });
  }
  const age = ctx.now().getTime() - latestAt.getTime();
  const evidence = evidenceOf(first, latest);
  if (age > ctx.settings.maxAgeSeconds * 1000) {
    return fail('signals', id, `latest document is ${ago(age)} old (${latestAt.toISOString()}): the signal stopped`, spec.cause, spec.section, { pending: true, evidence });
  }
  const firstAt = timestampOf(first);
  if (since !== undefined && firstAt === undefined) {
    return fail('signals', id, `no document since the deploy at ${since.toISOString()} (latest ${latestAt.toISOString()})`, spec.cause, spec.section, { pending: true, evidence });
  }
  const ttfs = since !== undefined && firstAt !== undefined ? `, first ${ago(firstAt.getTime() - since.getTime())} after the deploy` : firstAt ? `, first ${firstAt.toISOString()}` : '';
  return pass('signals', id, `latest ${ago(age)} ago${ttfs}`, {
    ...evidence,
    ...(since !== undefined && firstAt !== undefined ? { timeToFirstSignalSeconds: Math.round((firstAt.getTime() - since.getTime()) / 1000) } : {}),
  });
}

function evidenceOf(first: Hit | undefined, latest: Hit): Record<string, unknown> {
  return {
    latest: { index: latest.index, id: latest.id, '@timestamp': timestampOf(latest)?.toISOString() },
    ...(first ? { first: { index: first.index, id: first.id, '@timestamp': timestampOf(first)?.toISOString() } } : {}),
  };
}
