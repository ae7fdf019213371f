/**
 * A provisioned stack double with the telemetry of a healthy deployment seeded into it: every signal
 * of the service, mapped as the integrations map it, a rule run and an SLO summary for each
 * definition, online agents. Tests break one thing at a time.
 */
import { ACCESS_LOG, APP_LABEL_FIELD, DATASETS, INDEX_PATTERNS, SERVICE_NAME, STORED_LOG_EVENT_DATASET } from '../../kibana/telemetry-fields.js';
import { SERVICE } from '../../service/src/telemetry/registry.js';
import { AGENT_POLICY_ID } from '../../fleet/policies.js';
import { allResources } from '../../scripts/provision/definitions.js';
import { selectResources } from '../../scripts/provision/select.js';
import { fieldRequirements, TYPE_FAMILIES } from '../../scripts/verify/field-requirements.js';
import type { Doc } from '../../scripts/verify/context.js';
import { verify, type VerifyDeps, type VerifyOptions, type VerifyResult } from '../../scripts/verify/verify.js';
import { ObservedData } from '../support/observed-data.js';
import { StackDouble, type Flavour } from '../support/stack-double.js';
import { API_KEY, definitionEnv, runEngine, targetEnv } from '../provision/helpers.js';

export const INDEX = {
  logs: 'logs-kubernetes.container_logs-default',
  metrics: 'metrics-prometheus.collector-default',
  traces: 'traces-apm-default',
  apmMetrics: 'metrics-apm.transaction.1m-default',
  kubelet: 'metrics-kubernetes.container-default',
  kubeletPod: 'metrics-kubernetes.pod-default',
  stateContainer: 'metrics-kubernetes.state_container-default',
  stateDeployment: 'metrics-kubernetes.state_deployment-default',
} as const;

export const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

export interface World {
  readonly double: StackDouble;
  readonly data: ObservedData;
  readonly env: NodeJS.ProcessEnv;
  readonly clock: { now: number };
}

function sampleValue(field: string, types: readonly string[]): unknown {
  if (types === TYPE_FAMILIES.date) return undefined;
  if (types === TYPE_FAMILIES.number) return 1.5;
  if (types === TYPE_FAMILIES.histogram) return { values: [0.1, 0.5], counts: [3, 1] };
  if (types === TYPE_FAMILIES.boolean) return true;
  return `${field.split('.').at(-1)}-value`;
}

const SERVICE_FIELDS = { 'service.name': SERVICE_NAME, 'service.environment': SERVICE.defaultEnvironment };
const POD = { 'kubernetes.namespace': SERVICE.namespace, 'kubernetes.pod.name': 'sample-service-7d9f-abcde', 'kubernetes.deployment.name': 'sample-service', [APP_LABEL_FIELD]: SERVICE.appLabel };

/** The decoded ECS log lines of the service (an access line with its trace id, an error line). */
export function serviceLogLines(at: string): Doc[] {
  const common = { '@timestamp': at, ...SERVICE_FIELDS, ...POD, 'event.dataset': STORED_LOG_EVENT_DATASET, 'data_stream.dataset': DATASETS.logs, 'kubernetes.container.name': 'sample-service' };
  return [
    { ...common, 'log.level': 'info', message: ACCESS_LOG, 'trace.id': TRACE_ID, 'http.request.method': 'GET', 'http.route': '/api/users', 'url.path': '/api/users', 'http.response.status_code': 200, 'http.request.id': 'req-1', 'event.duration': 1200000, 'event.outcome': 'success' },
    { ...common, 'log.level': 'error', message: 'request failed', 'trace.id': 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'error.type': 'Error', 'error.message': 'boom', 'http.route': '/api/error', 'url.path': '/api/error', 'http.response.status_code': 500, 'http.request.id': 'req-2' },
  ];
}

export async function healthyWorld(t: { after: (fn: () => Promise<void>) => void }, options: { licence?: string; flavour?: Flavour } = {}): Promise<World> {
  const double = await StackDouble.start({ apiKey: API_KEY, ...(options.licence ? { licence: options.licence } : {}), ...(options.flavour ? { flavour: options.flavour } : {}) });
  t.after(() => double.close());
  const data = ObservedData.install(double);
  const env = targetEnv(double);
  const provisioned = await runEngine({}, env);
  if (provisioned.result.exitCode !== 0) throw new Error(`provisioning the double failed:\n${provisioned.out}\n${provisioned.err}`);

  const clock = { now: Math.floor(Date.now() / 1000) * 1000 };
  const at = new Date(clock.now - 30_000).toISOString();
  const platinum = options.flavour === 'serverless' || options.licence === undefined || ['platinum', 'enterprise', 'trial'].includes(options.licence);
  const { applicable } = selectResources(allResources(definitionEnv()), { flavour: options.flavour ?? 'stateful', licence: platinum ? 'platinum' : 'basic', env: definitionEnv(), only: undefined });
  const requirements = fieldRequirements(applicable);

  // Mappings as the integrations' templates define them.
  const concrete: Record<string, readonly string[]> = {
    [INDEX_PATTERNS.logs]: [INDEX.logs],
    [INDEX_PATTERNS.metrics]: [INDEX.metrics],
    [INDEX_PATTERNS.traces]: [INDEX.traces],
    [INDEX_PATTERNS.apmMetrics]: [INDEX.apmMetrics],
    [INDEX_PATTERNS.kubernetes]: [INDEX.kubelet, INDEX.kubeletPod, INDEX.stateContainer, INDEX.stateDeployment],
  };
  for (const req of requirements) for (const index of concrete[req.pattern] ?? []) data.map(index, req.field, req.types[0] as string);

  for (const line of serviceLogLines(at)) data.add(INDEX.logs, line);
  const fieldsOf = (pattern: string): Doc =>
    Object.fromEntries(requirements.filter((r) => r.pattern === pattern).map((r) => [r.field, sampleValue(r.field, r.types)]).filter(([, v]) => v !== undefined));
  for (const r of requirements.filter((x) => x.pattern === INDEX_PATTERNS.metrics && x.field.startsWith('prometheus.') && !x.field.startsWith('prometheus.labels.'))) {
    data.add(INDEX.metrics, { ...fieldsOf(INDEX_PATTERNS.metrics), '@timestamp': at, ...SERVICE_FIELDS, [r.field]: sampleValue(r.field, r.types), 'data_stream.dataset': DATASETS.metrics });
  }
  data.add(INDEX.traces, {
    ...fieldsOf(INDEX_PATTERNS.traces),
    '@timestamp': at,
    ...SERVICE_FIELDS,
    'processor.event': 'transaction',
    'trace.id': TRACE_ID,
    'transaction.id': 'b7ad6b7169203331',
    'transaction.name': 'GET /api/users',
    'transaction.type': 'request',
  });
  data.add(INDEX.apmMetrics, { ...fieldsOf(INDEX_PATTERNS.apmMetrics), '@timestamp': at, ...SERVICE_FIELDS, 'metricset.name': 'transaction' });
  const kube = { ...fieldsOf(INDEX_PATTERNS.kubernetes), '@timestamp': at, ...POD };
  data.add(INDEX.kubelet, { ...kube, 'data_stream.dataset': DATASETS.kubernetesContainer });
  data.add(INDEX.kubeletPod, { ...kube, 'data_stream.dataset': DATASETS.kubernetesPod });
  data.add(INDEX.stateContainer, { ...kube, 'data_stream.dataset': DATASETS.kubernetesStateContainer });
  data.add(INDEX.stateDeployment, { ...kube, 'data_stream.dataset': DATASETS.kubernetesStateDeployment });

  for (const r of applicable) {
    if (r.kind === 'kibana.rule') {
      double.ruleRuns.set(r.id, {
        execution_status: { status: 'ok', last_execution_date: at, last_duration: 40 },
        last_run: { outcome: 'succeeded', outcome_msg: null, warning: null, outcome_order: 0, alerts_count: { active: 0, new: 0, recovered: 0, ignored: 0 } },
      });
    }
    if (r.kind === 'kibana.slo') double.sloSummaries.set(r.id, { status: 'HEALTHY', sliValue: 0.999, errorBudget: { initial: 0.01, consumed: 0.1, remaining: 0.9, isEstimated: false } });
  }
  data.agents.push({ id: 'agent-1', policy_id: AGENT_POLICY_ID, status: 'online' }, { id: 'agent-2', policy_id: AGENT_POLICY_ID, status: 'online' });
  return { double, data, env, clock };
}

export interface VerifyRun {
  readonly result: VerifyResult;
  readonly out: string;
  readonly err: string;
}

/** Runs verify against the world on a virtual clock (sleeping advances it; no real waiting). */
export async function runVerify(world: World, options: VerifyOptions = {}, extra: Pick<VerifyDeps, 'runTraffic'> = {}): Promise<VerifyRun> {
  let out = '';
  let err = '';
  const result = await verify(
    { timeout: 30, poll: 10, ...options },
    {
      env: world.env,
      stdout: { write: (s) => void (out += s) },
      stderr: { write: (s) => void (err += s) },
      now: () => new Date(world.clock.now),
      sleep: async (ms) => void (world.clock.now += ms),
      retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
      resources: () => allResources(definitionEnv()),
      ...extra,
    },
  );
  return { result, out, err };
}

export function check(run: VerifyRun, id: string) {
  const found = run.result.report?.checks.find((c) => c.id === id);
  if (found === undefined) throw new Error(`no check ${id} in:\n${run.out}`);
  return found;
}
