/**
 * Fleet policies for the Elastic Agent DaemonSet, as plain data: the agents' policy and its two
 * integrations (package policies). `npm run provision-kibana` applies them through the Fleet API on
 * every target (ECK, Elastic Cloud Hosted, Serverless); see docs/deploy.md for why the Fleet API and
 * not kibana.yml preconfiguration.
 *
 * Input keys are `<policy_template>-<input type>` and stream keys are datasets, as in the Fleet
 * API's simplified package policy format. They were checked against the package manifests in
 * elastic/integrations (packages/kubernetes/manifest.yml 1.66.x: policy templates `kubelet`,
 * `kube-state-metrics`, `container-logs`, ...; packages/prometheus: template `prometheus`, input
 * `prometheus/metrics`, data streams collector, query, remote_write). Every input and stream the
 * project does not need is disabled explicitly, because the simplified format enables the package
 * defaults for anything it does not mention.
 */
import type { AgentPolicyResource, PackagePolicyResource } from '../model/resources.js';
import { SERVICE } from '../service/src/telemetry/registry.js';

/** Policy of the Fleet Server (preconfigured in elastic/base/kibana.yaml; ECK's convention). */
export const FLEET_SERVER_POLICY_ID = 'eck-fleet-server';
/** Policy the Elastic Agent DaemonSet enrolls in (fleet/base/elastic-agent.yaml `policyID`). */
export const AGENT_POLICY_ID = 'sample-service-agents';
/** Data stream namespace of everything the agents write (`logs-kubernetes.container_logs-default`, ...). */
export const DATA_STREAM_NAMESPACE = 'default';

/** Where the stack runs on ECK (k8s names: /tmp names.md). */
export const ELASTIC_NAMESPACE = 'elastic-stack';
export const KUBE_STATE_METRICS_HOST = `kube-state-metrics.${ELASTIC_NAMESPACE}.svc:8080`;

/** The service's container name and metrics port (k8s/base/deployment.yaml; checked by tests). */
export const SERVICE_CONTAINER_NAME = SERVICE.name;
export const SERVICE_METRICS_PORT = 8080;

/**
 * Kubernetes-provider condition selecting the service's pods by their `app.kubernetes.io/name`
 * label (conditions-based autodiscover, supported for Fleet-managed agents). The provider emits one
 * mapping per pod and one per container; requiring the container name keeps only the container
 * mapping, so each pod is scraped once.
 */
export const SERVICE_POD_CONDITION =
  "${kubernetes.labels.app.kubernetes.io/name} == '" +
  SERVICE.appLabel +
  "' and ${kubernetes.container.name} == '" +
  SERVICE_CONTAINER_NAME +
  "'";

/**
 * Filestream parsers after the container parser: the service writes one ECS JSON document per line
 * (pino + @elastic/ecs-pino-format). `target: ""` puts its fields at the top level, `expand_keys`
 * turns dotted keys (`log.level`, `trace.id`) into objects, `overwrite_keys` lets the log's own
 * `@timestamp`, `message` and `log.level` win, and a line that is not JSON is kept as a plain message
 * with `error.message` instead of being dropped.
 */
export const ECS_JSON_PARSERS = [
  '- ndjson:',
  '    target: ""',
  '    overwrite_keys: true',
  '    expand_keys: true',
  '    add_error_key: true',
  '    ignore_decoding_error: true',
  '',
].join('\n');

/** Adds `service.name` to every scraped metric document, as traces and logs carry it. */
export const SERVICE_NAME_PROCESSOR = ['- add_fields:', '    target: service', '    fields:', `      name: ${SERVICE.name}`, ''].join(
  '\n',
);

type Stream = { enabled: boolean; vars?: Record<string, unknown> };
type Input = { enabled: boolean; vars?: Record<string, unknown>; streams?: Record<string, Stream> };

/** kube-state-metrics datasets of the kubernetes package, and the ones this project needs. */
export const KSM_DATASETS = [
  'state_container',
  'state_cronjob',
  'state_daemonset',
  'state_deployment',
  'state_job',
  'state_namespace',
  'state_node',
  'state_persistentvolume',
  'state_persistentvolumeclaim',
  'state_pod',
  'state_replicaset',
  'state_resourcequota',
  'state_service',
  'state_statefulset',
  'state_storageclass',
] as const;

/**
 * Enabled kube-state-metrics datasets and why:
 * - state_container: requests/limits per container, restarts (`kubernetes.container.status.restarts`);
 * - state_pod: pod phase and readiness;
 * - state_deployment / state_replicaset: desired vs ready replicas;
 * - state_node: allocatable capacity (CPU/memory % of node);
 * - state_statefulset / state_daemonset: Elasticsearch and agent health on the same dashboards.
 * kube-state-metrics is started with exactly the matching --resources (fleet/base/kube-state-metrics.yaml).
 */
export const ENABLED_KSM_DATASETS: readonly (typeof KSM_DATASETS)[number][] = [
  'state_container',
  'state_daemonset',
  'state_deployment',
  'state_node',
  'state_pod',
  'state_replicaset',
  'state_statefulset',
];

/** Kubelet datasets: pod and container CPU/memory usage (node is needed for the `*.pct` fields). */
export const KUBELET_DATASETS = ['container', 'node', 'pod', 'system', 'volume'] as const;
export const ENABLED_KUBELET_DATASETS: readonly (typeof KUBELET_DATASETS)[number][] = ['container', 'node', 'pod'];

/** Policy templates of the kubernetes package this project does not use (all `kubernetes/metrics` or `filestream`). */
export const DISABLED_KUBERNETES_INPUTS = [
  'kube-apiserver-kubernetes/metrics',
  'kube-proxy-kubernetes/metrics',
  'kube-scheduler-kubernetes/metrics',
  'kube-controller-manager-kubernetes/metrics',
  'events-kubernetes/metrics',
  'audit-logs-filestream',
] as const;

export const agentPolicy: AgentPolicyResource = {
  kind: 'fleet.agent_policy',
  id: AGENT_POLICY_ID,
  title: 'Agent policy of the Elastic Agent DaemonSet',
  body: {
    id: AGENT_POLICY_ID,
    name: 'Sample Service agents',
    description: 'Elastic Agent DaemonSet collecting the sample service\'s logs and metrics and the Kubernetes metrics.',
    namespace: DATA_STREAM_NAMESPACE,
    monitoring_enabled: ['logs', 'metrics'],
    unenroll_timeout: 900,
  },
};

function streams(all: readonly string[], enabled: readonly string[], vars: (dataset: string) => Record<string, unknown> | undefined): Record<string, Stream> {
  const out: Record<string, Stream> = {};
  for (const name of all) {
    const on = enabled.includes(name);
    const v = on ? vars(name) : undefined;
    out[`kubernetes.${name}`] = v === undefined ? { enabled: on } : { enabled: on, vars: v };
  }
  return out;
}

const kubernetesInputs: Record<string, Input> = {
  'container-logs-filestream': {
    enabled: true,
    streams: {
      'kubernetes.container_logs': {
        enabled: true,
        vars: {
          // Only the service's containers: its lines are ECS JSON, others' may not be.
          condition: "${kubernetes.labels.app.kubernetes.io/name} == '" + SERVICE.appLabel + "'",
          additionalParsersConfig: ECS_JSON_PARSERS,
        },
      },
    },
  },
  'kubelet-kubernetes/metrics': {
    enabled: true,
    streams: streams(KUBELET_DATASETS, ENABLED_KUBELET_DATASETS, () => ({ period: '10s' })),
  },
  'kube-state-metrics-kubernetes/metrics': {
    enabled: true,
    // leaderelection: only the agent holding the Lease scrapes, so a DaemonSet does not duplicate.
    streams: streams(KSM_DATASETS, ENABLED_KSM_DATASETS, () => ({
      hosts: [KUBE_STATE_METRICS_HOST],
      leaderelection: true,
      period: '10s',
    })),
  },
  ...Object.fromEntries(DISABLED_KUBERNETES_INPUTS.map((key) => [key, { enabled: false }])),
};

export const kubernetesPackagePolicy: PackagePolicyResource = {
  kind: 'fleet.package_policy',
  id: 'sample-service-kubernetes',
  title: 'Kubernetes integration: service container logs, pod/container metrics, kube-state-metrics',
  body: {
    id: 'sample-service-kubernetes',
    name: 'sample-service-kubernetes',
    description: 'Container logs of the sample service (ECS JSON parsed), kubelet and kube-state-metrics metrics.',
    namespace: DATA_STREAM_NAMESPACE,
    policy_ids: [AGENT_POLICY_ID],
    package: { name: 'kubernetes' },
    inputs: kubernetesInputs,
  },
};

export const prometheusPackagePolicy: PackagePolicyResource = {
  kind: 'fleet.package_policy',
  id: 'sample-service-prometheus',
  title: 'Prometheus integration: scrape the sample service pods\' /metrics',
  body: {
    id: 'sample-service-prometheus',
    name: 'sample-service-prometheus',
    description: 'Scrapes /metrics of the sample service pods found by label; typed fields and counter rates.',
    namespace: DATA_STREAM_NAMESPACE,
    policy_ids: [AGENT_POLICY_ID],
    package: { name: 'prometheus' },
    inputs: {
      'prometheus-prometheus/metrics': {
        enabled: true,
        streams: {
          'prometheus.collector': {
            enabled: true,
            vars: {
              // One input per matching container, on the agent of that pod's node.
              hosts: ['${kubernetes.pod.ip}:' + String(SERVICE_METRICS_PORT)],
              metrics_path: '/metrics',
              period: '10s',
              use_types: true,
              rate_counters: true,
              leaderelection: false,
              condition: SERVICE_POD_CONDITION,
              processors: SERVICE_NAME_PROCESSOR,
            },
          },
          'prometheus.query': { enabled: false },
          'prometheus.remote_write': { enabled: false },
        },
      },
    },
  },
};

export const FLEET_POLICIES = [agentPolicy, kubernetesPackagePolicy, prometheusPackagePolicy] as const;
