/**
 * Fleet: the agent policy the package policies use has online, healthy agents, and the
 * integrations those policies need are installed.
 *
 * Response shapes (Fleet OpenAPI): `GET /api/fleet/agents?kuery=...` -> `{ items: [{ id, status,
 * policy_id, last_checkin_message? }], total }` with `status` one of online, offline, error,
 * degraded, updating, inactive, unenrolled; `GET /api/fleet/epm/packages/{name}` ->
 * `{ item: { status: installed | not_installed | installing | install_failed } }`.
 */
import type { PackagePolicyResource } from '../../model/resources.js';
import type { CheckContext } from './context.js';
import { fail, pass, type CheckResult } from './report.js';

const enc = encodeURIComponent;
const UNHEALTHY = new Set(['error', 'degraded']);
const MAX_AGENTS = 100;

interface Agent {
  readonly id: string;
  readonly status?: string;
  readonly last_checkin_message?: string;
  readonly local_metadata?: { host?: { hostname?: string } };
}

function packagePolicies(ctx: CheckContext): PackagePolicyResource[] {
  return ctx.applicable.filter((r): r is PackagePolicyResource => r.kind === 'fleet.package_policy');
}

export async function checkAgents(ctx: CheckContext): Promise<CheckResult[]> {
  const policyIds = [...new Set(packagePolicies(ctx).flatMap((p) => p.body.policy_ids))];
  const results: CheckResult[] = [];
  for (const policyId of policyIds) {
    const id = `agents:${policyId}`;
    const res = await ctx.stack.kibana.request<{ items?: Agent[]; total?: number }>({
      method: 'GET',
      path: '/api/fleet/agents',
      query: { kuery: `policy_id:"${policyId}"`, perPage: MAX_AGENTS, showInactive: false },
    });
    const agents = res.body.items ?? [];
    const count = (s: string): number => agents.filter((a) => a.status === s).length;
    const online = count('online');
    const unhealthy = agents.filter((a) => UNHEALTHY.has(a.status ?? ''));
    const others = agents.filter((a) => a.status !== 'online' && !UNHEALTHY.has(a.status ?? ''));
    const tally = `${online} online${others.length > 0 ? `, ${others.map((a) => a.status ?? 'unknown').join(', ')}` : ''}`;
    if (unhealthy.length > 0) {
      const named = unhealthy.map((a) => `${a.local_metadata?.host?.hostname ?? a.id} ${a.status}${a.last_checkin_message ? `: ${a.last_checkin_message}` : ''}`);
      results.push(fail('fleet', id, `${unhealthy.length} unhealthy agents (${named.join('; ')}); ${tally}`, 'an input of the agent fails: read its status in Fleet > Agents (component health) and the agent pod logs', 'agents'));
    } else if (online === 0) {
      results.push(
        fail('fleet', id, agents.length === 0 ? 'no agent enrolled in this policy' : `no agent online (${tally})`, 'the Elastic Agent DaemonSet is not running or cannot reach Fleet Server: kubectl get pods -n elastic-stack, and the agent logs', 'agents', { pending: true }),
      );
    } else {
      results.push(pass('fleet', id, `${tally} agents, none unhealthy`, { agents: agents.map((a) => ({ id: a.id, status: a.status })) }));
    }
  }
  return results;
}

export async function checkPackages(ctx: CheckContext): Promise<CheckResult[]> {
  const names = [...new Set(packagePolicies(ctx).map((p) => p.body.package.name))];
  const results: CheckResult[] = [];
  for (const name of names) {
    const id = `integration:${name}`;
    const res = await ctx.stack.kibana.request<{ item?: { status?: string; version?: string; installationInfo?: { version?: string } } }>({
      method: 'GET',
      path: `/api/fleet/epm/packages/${enc(name)}`,
      accept: [404],
    });
    const item = res.status === 404 ? undefined : res.body.item;
    if (item?.status === 'installed') results.push(pass('fleet', id, `installed (${item.installationInfo?.version ?? item.version ?? '?'})`));
    else results.push(fail('fleet', id, `not installed (${item?.status ?? 'unknown to the registry'})`, 'provisioning installs it with its package policy: run npm run provision-kibana; air-gapped clusters need a package registry', 'objects'));
  }
  return results;
}
