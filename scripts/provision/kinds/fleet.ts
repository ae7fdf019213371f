/**
 * Fleet kinds: agent policies and package policies (simplified format). A package policy needs its
 * integration package installed: the engine installs it through the EPM API first (latest version
 * when absent) and fills `package.version` with the installed version. Policies attached to a
 * managed (preconfigured) agent policy are written with `force: true`, which Fleet requires there.
 */
import { OWNER_PREFIX } from '../../../kibana/telemetry-fields.js';
import { diffSubset } from '../diff.js';
import { RemoteError } from '../errors.js';
import { resolveSecrets, type AgentPolicyResource, type PackagePolicyResource } from '../../../model/resources.js';
import { memo, omit, type EngineContext, type KindHandler, type OwnedObject, type PrintedRequest } from './types.js';

const enc = encodeURIComponent;

interface AgentPolicyItem {
  id: string;
  name: string;
  is_managed?: boolean;
}

export const agentPolicyHandler: KindHandler<AgentPolicyResource> = {
  kind: 'fleet.agent_policy',
  target: 'kibana',
  requests: (r, secret) => [
    { target: 'kibana', op: 'create', kind: r.kind, id: r.id, method: 'POST', path: '/api/fleet/agent_policies', body: { id: r.id, ...resolveSecrets(r.body, secret) } },
    { target: 'kibana', op: 'update', kind: r.kind, id: r.id, method: 'PUT', path: `/api/fleet/agent_policies/${enc(r.id)}`, body: omit(resolveSecrets(r.body, secret), 'id') },
  ],
  async read(r, ctx) {
    const res = await ctx.kibana.request<{ item?: AgentPolicyItem }>({ method: 'GET', path: `/api/fleet/agent_policies/${enc(r.id)}`, accept: [404] });
    if (res.status === 404 || res.body.item === undefined) return undefined;
    return {
      value: res.body.item,
      ...(res.body.item.is_managed === true ? { keep: 'managed by Kibana preconfiguration (kibana.yml xpack.fleet.agentPolicies); change it there' } : {}),
    };
  },
  diff: (r, live) => diffSubset(omit(r.body, 'id'), live.value),
  async create(r, ctx) {
    await ctx.kibana.request({ method: 'POST', path: '/api/fleet/agent_policies', body: { id: r.id, ...resolveSecrets(r.body, ctx.secret) } });
  },
  async update(r, _live, _diffs, ctx) {
    await ctx.kibana.request({ method: 'PUT', path: `/api/fleet/agent_policies/${enc(r.id)}`, body: omit(resolveSecrets(r.body, ctx.secret), 'id') });
  },
  async listOwned(ctx) {
    const res = await ctx.kibana.request<{ items?: AgentPolicyItem[] }>({ method: 'GET', path: '/api/fleet/agent_policies', query: { perPage: 1000 } });
    return (res.body.items ?? [])
      .filter((p) => p.id.startsWith(OWNER_PREFIX) && p.is_managed !== true)
      .map((p): OwnedObject => ({ id: p.id, title: p.name }));
  },
  async remove(o, ctx) {
    await ctx.kibana.request({ method: 'POST', path: '/api/fleet/agent_policies/delete', body: { agentPolicyId: o.id } });
  },
  // Fleet's agentPolicyService.delete refuses while agents (active or inactive) are assigned to it.
  keptBecause: (e) =>
    e instanceof RemoteError && /assigned to any active or inactive agents/.test(e.message)
      ? 'kept: agents are enrolled in it (Fleet refuses to delete it); remove or unenrol the agents (make undeploy removes the Elastic Agent DaemonSet), then run --uninstall again'
      : undefined,
};

interface PackageInfo {
  item?: {
    name: string;
    version: string;
    status?: string;
    installationInfo?: { version?: string };
    savedObject?: { attributes?: { version?: string } };
  };
}

/** Shown in --print where the installed version is only known at apply time. */
export const PRINT_PACKAGE_VERSION = '<installed version>';

/** Installs the package when absent (not in read-only runs); returns the installed (or to-be-installed) version. */
export function ensurePackage(name: string, ctx: EngineContext): Promise<{ version: string; installed: boolean }> {
  return memo(ctx, `package:${name}:${ctx.readOnly}`, async () => {
    const res = await ctx.kibana.request<PackageInfo>({ method: 'GET', path: `/api/fleet/epm/packages/${enc(name)}` });
    const item = res.body.item;
    if (item === undefined) throw new Error(`Fleet knows no package "${name}"`);
    const installedVersion = item.installationInfo?.version ?? item.savedObject?.attributes?.version;
    if (item.status === 'installed' && installedVersion !== undefined) return { version: installedVersion, installed: true };
    if (ctx.readOnly) return { version: item.version, installed: false };
    await ctx.kibana.request({ method: 'POST', path: `/api/fleet/epm/packages/${enc(name)}/${enc(item.version)}`, body: {} });
    return { version: item.version, installed: true };
  });
}

function agentPolicyManaged(id: string, ctx: EngineContext): Promise<boolean> {
  return memo(ctx, `agent-policy-managed:${id}`, async () => {
    const res = await ctx.kibana.request<{ item?: AgentPolicyItem }>({ method: 'GET', path: `/api/fleet/agent_policies/${enc(id)}`, accept: [404] });
    return res.body.item?.is_managed === true;
  });
}

function packagePolicyBody(r: PackagePolicyResource, version: string, force: boolean, secret: EngineContext['secret']): Record<string, unknown> {
  const body = resolveSecrets(r.body, secret);
  return {
    ...omit(body, 'id', 'force'),
    package: { ...body.package, version },
    ...(force || r.body.force === true ? { force: true } : {}),
  };
}

async function forceFor(r: PackagePolicyResource, ctx: EngineContext): Promise<boolean> {
  const managed = await Promise.all(r.body.policy_ids.map((id) => agentPolicyManaged(id, ctx)));
  return managed.some(Boolean);
}

export const packagePolicyHandler: KindHandler<PackagePolicyResource> = {
  kind: 'fleet.package_policy',
  target: 'kibana',
  requests: (r, secret): PrintedRequest[] => [
    {
      target: 'kibana',
      op: 'install',
      kind: r.kind,
      id: r.id,
      method: 'POST',
      path: `/api/fleet/epm/packages/${enc(r.body.package.name)}/${enc(PRINT_PACKAGE_VERSION)}`,
      body: {},
    },
    {
      target: 'kibana',
      op: 'create',
      kind: r.kind,
      id: r.id,
      method: 'POST',
      path: '/api/fleet/package_policies?format=simplified',
      body: { id: r.id, ...packagePolicyBody(r, PRINT_PACKAGE_VERSION, false, secret) },
    },
    {
      target: 'kibana',
      op: 'update',
      kind: r.kind,
      id: r.id,
      method: 'PUT',
      path: `/api/fleet/package_policies/${enc(r.id)}?format=simplified`,
      body: packagePolicyBody(r, PRINT_PACKAGE_VERSION, false, secret),
    },
  ],
  async read(r, ctx) {
    const res = await ctx.kibana.request<{ item?: unknown }>({
      method: 'GET',
      path: `/api/fleet/package_policies/${enc(r.id)}`,
      query: { format: 'simplified' },
      accept: [404],
    });
    return res.status === 404 || res.body.item === undefined ? undefined : { value: res.body.item };
  },
  // The version is whatever is installed; `force` is a request flag, not state.
  diff: (r, live) => diffSubset({ ...omit(r.body, 'id', 'force'), package: { name: r.body.package.name } }, live.value),
  async planNotes(r, ctx) {
    const pkg = await ensurePackage(r.body.package.name, ctx);
    return pkg.installed ? [] : [`installs integration package ${r.body.package.name} ${pkg.version} first`];
  },
  async create(r, ctx) {
    const pkg = await ensurePackage(r.body.package.name, ctx);
    const force = await forceFor(r, ctx);
    await ctx.kibana.request({
      method: 'POST',
      path: '/api/fleet/package_policies',
      query: { format: 'simplified' },
      body: { id: r.id, ...packagePolicyBody(r, pkg.version, force, ctx.secret) },
    });
  },
  async update(r, _live, _diffs, ctx) {
    const pkg = await ensurePackage(r.body.package.name, ctx);
    const force = await forceFor(r, ctx);
    await ctx.kibana.request({
      method: 'PUT',
      path: `/api/fleet/package_policies/${enc(r.id)}`,
      query: { format: 'simplified' },
      body: packagePolicyBody(r, pkg.version, force, ctx.secret),
    });
  },
  async listOwned(ctx) {
    const res = await ctx.kibana.request<{ items?: Array<{ id: string; name: string }> }>({
      method: 'GET',
      path: '/api/fleet/package_policies',
      query: { perPage: 1000 },
    });
    return (res.body.items ?? []).filter((p) => p.id.startsWith(OWNER_PREFIX)).map((p) => ({ id: p.id, title: p.name }));
  },
  async remove(o, ctx) {
    await ctx.kibana.request({ method: 'DELETE', path: `/api/fleet/package_policies/${enc(o.id)}` });
  },
};
