/**
 * The deliberate exceptions to the container policy (test/deploy/policy.test.ts), each with the
 * reason. The policy test fails on any violation not listed here, and on any entry here that no
 * longer matches a violation, so this list stays exact.
 */
export type PolicyRule =
  | 'resources'
  | 'pinned-image'
  | 'probes'
  | 'non-root'
  | 'no-privilege-escalation'
  | 'drop-all-capabilities'
  | 'read-only-root-fs'
  | 'seccomp'
  | 'host-access';

export interface PolicyException {
  /** `<Kind>/<namespace>/<name>[nodeSet]:<container>` (container omitted for pod-level rules). */
  readonly target: string;
  readonly rule: PolicyRule;
  readonly reason: string;
}

const SYSCTL = 'Elasticsearch/elastic-stack/elasticsearch[default]:sysctl';
const SYSCTL_REASON =
  'production only: sets vm.max_map_count=262144 on the host before Elasticsearch starts (mmap store); ' +
  'a kernel setting needs a privileged root container. Remove it when the nodes are tuned by the platform ' +
  '(elastic/overlays/production/elasticsearch.yaml says how).';

export const POLICY_EXCEPTIONS: readonly PolicyException[] = [
  {
    target: 'Agent/elastic-stack/elastic-agent:agent',
    rule: 'non-root',
    reason:
      'reads container log files under /var/log/pods, which are root-owned 0640 on the host, and ECK adds the ' +
      'Elasticsearch CA to the system trust store only for root agents. Privilege escalation is off and the ' +
      'capabilities are cut to the four Elastic documents for the agent.',
  },
  {
    target: 'Agent/elastic-stack/elastic-agent:agent',
    rule: 'drop-all-capabilities',
    reason: 'drops ALL, then adds back CHOWN, SETPCAP, DAC_READ_SEARCH and SYS_PTRACE, the set Elastic documents for Elastic Agent on Kubernetes.',
  },
  {
    target: 'Agent/elastic-stack/elastic-agent',
    rule: 'host-access',
    reason:
      'hostNetwork: reaches the kubelet on ${NODE_NAME}:10250 and reports the node identity; read-only hostPath ' +
      '/var/log/containers and /var/log/pods: the container logs it ships; ECK\'s own hostPath keeps the agent ' +
      'state (log offsets) across restarts.',
  },
  {
    target: 'Agent/elastic-stack/fleet-server:agent',
    rule: 'probes',
    reason:
      'ECK configures no probe for Fleet Server and Fleet Server calls itself through its Service while it ' +
      'bootstraps, so a readiness probe would withhold the endpoint it needs. Its health is ECK\'s Agent status ' +
      '(make status, make deploy waits for it) and Fleet\'s agent list.',
  },
  { target: SYSCTL, rule: 'non-root', reason: SYSCTL_REASON },
  { target: SYSCTL, rule: 'no-privilege-escalation', reason: SYSCTL_REASON },
  { target: SYSCTL, rule: 'drop-all-capabilities', reason: SYSCTL_REASON },
];
