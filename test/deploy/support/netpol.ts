/**
 * A small NetworkPolicy evaluator (networking.k8s.io/v1 semantics) for the rendered policies: is a
 * connection between a pod and a peer allowed? Peers are pods (namespace and labels) or bare
 * addresses (nodes, hostNetwork pods on plugins that cannot tell them apart, the internet).
 * Selectors support matchLabels only; a matchExpressions selector throws, so a policy this
 * evaluator cannot judge is never passed silently.
 */
import { BlockList, isIPv4 } from 'node:net';
import type { K8sObject } from './manifests.js';

type Labels = Record<string, string>;
export interface PodPeer {
  readonly namespace: string;
  readonly labels: Labels;
  /** Its address, for ipBlock rules (pod IPs are also matched by ipBlock). */
  readonly ip?: string;
}
export type Peer = PodPeer | { readonly ip: string };
export type Direction = 'Ingress' | 'Egress';

interface Selector {
  matchLabels?: Labels;
  matchExpressions?: unknown[];
}
interface PolicyPeer {
  podSelector?: Selector;
  namespaceSelector?: Selector;
  ipBlock?: { cidr: string; except?: string[] };
}
interface Rule {
  from?: PolicyPeer[];
  to?: PolicyPeer[];
  ports?: { protocol?: string; port?: number | string; endPort?: number }[];
}
interface PolicySpec {
  podSelector: Selector;
  policyTypes?: Direction[];
  ingress?: Rule[];
  egress?: Rule[];
}

function matches(selector: Selector | undefined, labels: Labels): boolean {
  if (selector === undefined) return true;
  if ((selector.matchExpressions ?? []).length > 0) throw new Error('matchExpressions is not supported by this evaluator');
  return Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
}

function inCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/');
  const list = new BlockList();
  const type = isIPv4(base ?? '') ? 'ipv4' : 'ipv6';
  list.addSubnet(base ?? '', Number(bits), type);
  return isIPv4(ip) === (type === 'ipv4') && list.check(ip, type);
}

function isPod(peer: Peer): peer is PodPeer {
  return 'namespace' in peer;
}

function peerMatches(p: PolicyPeer, peer: Peer, policyNamespace: string): boolean {
  if (p.ipBlock !== undefined) {
    if (peer.ip === undefined || !inCidr(peer.ip, p.ipBlock.cidr)) return false;
    return !(p.ipBlock.except ?? []).some((e) => inCidr(peer.ip as string, e));
  }
  if (!isPod(peer)) return false;
  const nsLabels = { 'kubernetes.io/metadata.name': peer.namespace };
  if (p.namespaceSelector === undefined && peer.namespace !== policyNamespace) return false;
  return matches(p.namespaceSelector, nsLabels) && matches(p.podSelector, peer.labels);
}

function portMatches(rule: Rule, port: number, protocol: string): boolean {
  if (rule.ports === undefined || rule.ports.length === 0) return true;
  return rule.ports.some((p) => {
    if ((p.protocol ?? 'TCP') !== protocol) return false;
    if (p.port === undefined) return true;
    if (typeof p.port === 'string') throw new Error('named ports are not supported by this evaluator');
    return p.endPort === undefined ? p.port === port : port >= p.port && port <= p.endPort;
  });
}

/**
 * Whether `pod` may receive from (Ingress) or send to (Egress) `peer` on port/protocol, under the
 * NetworkPolicies among `objects`. Only the pod's side is judged (the peer's own policies are not).
 */
export function allowed(objects: readonly K8sObject[], pod: PodPeer, direction: Direction, peer: Peer, port: number, protocol = 'TCP'): boolean {
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy' && o.metadata.namespace === pod.namespace);
  const selecting = policies
    .map((o) => ({ ns: o.metadata.namespace ?? '', spec: o.spec as unknown as PolicySpec }))
    .filter(({ spec }) => matches(spec.podSelector, pod.labels))
    .filter(({ spec }) => (spec.policyTypes ?? (spec.egress !== undefined ? ['Ingress', 'Egress'] : ['Ingress'])).includes(direction));
  if (selecting.length === 0) return true;
  return selecting.some(({ ns, spec }) =>
    ((direction === 'Ingress' ? spec.ingress : spec.egress) ?? []).some((rule) => {
      if (!portMatches(rule, port, protocol)) return false;
      const peers = direction === 'Ingress' ? rule.from : rule.to;
      return peers === undefined || peers.length === 0 || peers.some((p) => peerMatches(p, peer, ns));
    }),
  );
}

/** Every ipBlock CIDR in the NetworkPolicies among `objects`, with where it is. */
export function ipBlocks(objects: readonly K8sObject[]): { where: string; cidr: string }[] {
  const out: { where: string; cidr: string }[] = [];
  for (const o of objects.filter((x) => x.kind === 'NetworkPolicy')) {
    const spec = o.spec as unknown as PolicySpec;
    for (const [dir, rules] of [
      ['ingress', spec.ingress],
      ['egress', spec.egress],
    ] as const) {
      (rules ?? []).forEach((r, i) => {
        for (const p of [...(r.from ?? []), ...(r.to ?? [])]) {
          if (p.ipBlock !== undefined) out.push({ where: `${o.metadata.name} ${dir}[${i}]`, cidr: p.ipBlock.cidr });
        }
      });
    }
  }
  return out;
}

