/**
 * What the kubernetes and prometheus integration packages accept, read from their manifests in
 * elastic/integrations (stored versions named per entry): each policy template's input type and data
 * streams, and each data stream's stream variables with type and `multi`. Fleet ignores or rejects
 * a variable a stream does not declare, so every variable fleet/policies.ts sets must be here.
 */
export type VarType = 'text' | 'bool' | 'yaml' | 'integer' | 'password';
export interface VarSpec {
  readonly type: VarType;
  readonly multi?: boolean;
}
export interface PolicyTemplate {
  readonly input: string;
  readonly dataStreams: readonly string[];
}

export const PACKAGE_SOURCES = {
  kubernetes: 'elastic/integrations packages/kubernetes/manifest.yml, version 1.66.3 (commit 00aca203)',
  prometheus: 'elastic/integrations packages/prometheus/manifest.yml and data_stream/*/manifest.yml (collector at commit 032d8bfa)',
} as const;

export const POLICY_TEMPLATES: Record<'kubernetes' | 'prometheus', Record<string, PolicyTemplate>> = {
  kubernetes: {
    kubelet: { input: 'kubernetes/metrics', dataStreams: ['container', 'node', 'pod', 'system', 'volume'] },
    'kube-state-metrics': {
      input: 'kubernetes/metrics',
      dataStreams: [
        'state_container', 'state_cronjob', 'state_daemonset', 'state_deployment', 'state_job', 'state_namespace', 'state_node',
        'state_persistentvolume', 'state_persistentvolumeclaim', 'state_pod', 'state_replicaset', 'state_resourcequota',
        'state_service', 'state_statefulset', 'state_storageclass',
      ],
    },
    'kube-apiserver': { input: 'kubernetes/metrics', dataStreams: ['apiserver'] },
    'kube-proxy': { input: 'kubernetes/metrics', dataStreams: ['proxy'] },
    'kube-scheduler': { input: 'kubernetes/metrics', dataStreams: ['scheduler'] },
    'kube-controller-manager': { input: 'kubernetes/metrics', dataStreams: ['controllermanager'] },
    events: { input: 'kubernetes/metrics', dataStreams: ['event'] },
    'container-logs': { input: 'filestream', dataStreams: ['container_logs'] },
    'audit-logs': { input: 'filestream', dataStreams: ['audit_logs'] },
  },
  prometheus: {
    prometheus: { input: 'prometheus/metrics', dataStreams: ['collector', 'query', 'remote_write'] },
  },
};

/** kubelet streams (data_stream/{pod,container}/manifest.yml, commits 14b13321, 01e044e3). */
const KUBELET_VARS: Record<string, VarSpec> = {
  add_metadata: { type: 'bool' },
  bearer_token_file: { type: 'text' },
  hosts: { type: 'text', multi: true },
  period: { type: 'text' },
  'ssl.verification_mode': { type: 'text' },
  'ssl.certificate_authorities': { type: 'text', multi: true },
  add_resource_metadata_config: { type: 'yaml' },
  processors: { type: 'yaml' },
  stream_condition: { type: 'text' },
};

/** kube-state-metrics streams (data_stream/{state_pod,state_container}/manifest.yml, commits 20a9634f, 14b13321). */
const KSM_VARS: Record<string, VarSpec> = {
  add_metadata: { type: 'bool' },
  hosts: { type: 'text', multi: true },
  leaderelection: { type: 'bool' },
  period: { type: 'text' },
  node: { type: 'text' },
  bearer_token_file: { type: 'text' },
  'ssl.certificate_authorities': { type: 'text', multi: true },
  add_resource_metadata_config: { type: 'yaml' },
  processors: { type: 'yaml' },
};

/** Stream variables by `<package>.<data stream>` for the streams fleet/policies.ts configures. */
export const STREAM_VARS: Record<string, Record<string, VarSpec>> = {
  'kubernetes.container': KUBELET_VARS,
  'kubernetes.node': KUBELET_VARS,
  'kubernetes.pod': KUBELET_VARS,
  ...Object.fromEntries(
    ['state_container', 'state_daemonset', 'state_deployment', 'state_node', 'state_pod', 'state_replicaset', 'state_statefulset'].map((ds) => [`kubernetes.${ds}`, KSM_VARS]),
  ),
  // data_stream/container_logs/manifest.yml, commit 39ffd03e.
  'kubernetes.container_logs': {
    paths: { type: 'text', multi: true },
    symlinks: { type: 'bool' },
    containerParserStream: { type: 'text' },
    containerParserFormat: { type: 'text' },
    condition: { type: 'text' },
    additionalParsersConfig: { type: 'yaml' },
  },
  // prometheus data_stream/collector/manifest.yml, commit 032d8bfa.
  'prometheus.collector': {
    hosts: { type: 'text', multi: true },
    metrics_path: { type: 'text' },
    period: { type: 'text' },
    use_types: { type: 'bool' },
    rate_counters: { type: 'bool' },
    leaderelection: { type: 'bool' },
    condition: { type: 'text' },
    bearer_token_file: { type: 'text' },
    'ssl.verification_mode': { type: 'text' },
    'ssl.certificate_authorities': { type: 'text', multi: true },
    'metrics_filters.exclude': { type: 'text', multi: true },
    'metrics_filters.include': { type: 'text', multi: true },
    username: { type: 'text' },
    password: { type: 'password' },
    connect_timeout: { type: 'text' },
    timeout: { type: 'text' },
    headers: { type: 'yaml' },
    query: { type: 'yaml' },
    'data_stream.dataset': { type: 'text' },
    processors: { type: 'yaml' },
  },
};

/** Whether a value fits a variable: multi text is a string array, bool a boolean, the rest strings. */
export function fits(spec: VarSpec, value: unknown): boolean {
  if (spec.multi === true) return Array.isArray(value) && value.every((v) => typeof v === 'string');
  if (spec.type === 'bool') return typeof value === 'boolean';
  if (spec.type === 'integer') return Number.isInteger(value);
  return typeof value === 'string';
}

type SimplifiedInputs = Record<string, { vars?: Record<string, unknown>; streams?: Record<string, { vars?: Record<string, unknown> }> }>;

/**
 * Fleet's answer to a simplified package policy whose inputs the package does not have, or
 * undefined when every input, stream and stream variable exists: the messages of
 * `simplifiedPackagePolicytoNewPackagePolicy` (elastic/kibana
 * x-pack/platform/plugins/shared/fleet/common/services/simplified_package_policy_helper.ts), which
 * Fleet returns as 400. Only the packages described here are checked.
 */
export function simplifiedInputsError(pkg: string, inputs: unknown): string | undefined {
  if (pkg !== 'kubernetes' && pkg !== 'prometheus') return undefined;
  if (inputs === undefined || inputs === null || Array.isArray(inputs) || typeof inputs !== 'object') return undefined;
  const templates = POLICY_TEMPLATES[pkg];
  for (const [inputId, input] of Object.entries(inputs as SimplifiedInputs)) {
    const template = Object.entries(templates).find(([name, t]) => inputId === `${name}-${t.input}`);
    if (template === undefined) return `Input not found: ${inputId}`;
    for (const [streamId, stream] of Object.entries(input.streams ?? {})) {
      if (!template[1].dataStreams.some((ds) => `${pkg}.${ds}` === streamId)) return `Stream not found ${inputId}: ${streamId}`;
      const declared = STREAM_VARS[streamId];
      if (declared === undefined) continue; // a stream this file does not describe
      for (const varKey of Object.keys(stream.vars ?? {})) {
        if (declared[varKey] === undefined) return `Variable ${inputId} ${streamId}:${varKey} not found`;
      }
    }
  }
  return undefined;
}
