/**
 * Kibana: every provisioned object exists (read through the provisioning's own kind handlers), every
 * rule's last run succeeded, every SLO has a summary with data once there was traffic, and the
 * server-log connector executes.
 *
 * Response shapes (Kibana 9.x): rule `execution_status.{status,error,warning}` and
 * `last_run.{outcome,outcome_msg}` (alerting common/rule.ts: RuleExecutionStatusValues,
 * RuleLastRunOutcomeValues); SLO `summary.status` NO_DATA | HEALTHY | DEGRADING | VIOLATED (SLO
 * OpenAPI `summary_status`); connector `_execute` `{ status: ok | error, message?, service_message? }`.
 */
import { CONNECTOR_IDS } from '../../alerts/connectors.js';
import { handlerFor } from '../provision/kinds/index.js';
import { describeError } from '../provision/errors.js';
import { KIND_ORDER, type Resource, type ResourceKind } from '../../model/resources.js';
import type { CheckContext } from './context.js';
import { fail, pass, skip, type CheckResult, type Group } from './report.js';

const enc = encodeURIComponent;

function groupOf(kind: ResourceKind): Group {
  return kind.startsWith('fleet.') ? 'fleet' : kind.startsWith('es.') ? 'elasticsearch' : 'kibana';
}

export async function checkObjects(ctx: CheckContext): Promise<CheckResult[]> {
  const engine = { kibana: ctx.stack.kibana, es: ctx.stack.es, flavour: ctx.stack.flavour, licence: ctx.stack.licence, secret: () => '', readOnly: true, memo: new Map() };
  const results: CheckResult[] = [];
  for (const kind of KIND_ORDER) {
    const group = groupOf(kind);
    const of = ctx.applicable.filter((r) => r.kind === kind);
    if (of.length === 0) continue;
    const missing: string[] = [];
    const errors: string[] = [];
    for (const r of of) {
      try {
        if ((await handlerFor(kind).read(r, engine)) === undefined) missing.push(r.id);
      } catch (e) {
        errors.push(`${r.id}: ${describeError(e)}`);
      }
    }
    const id = `objects:${kind}`;
    if (errors.length > 0) results.push(fail(group, id, `cannot read: ${errors.join('; ')}`, 'the credentials lack a read privilege, or Kibana is unhealthy', 'objects'));
    else if (missing.length > 0) results.push(fail(group, id, `${missing.length} of ${of.length} missing: ${missing.join(', ')}`, 'provisioning did not run or failed: run npm run provision-kibana (see its report)', 'objects'));
    else results.push(pass(group, id, `all ${of.length} exist`, { ids: of.map((r) => r.id) }));
  }
  for (const { resource, reason } of ctx.skipped.filter((s) => !s.reason.startsWith('basic-licence fallback') && !s.reason.startsWith('optional'))) {
    results.push(skip(groupOf(resource.kind), `objects:${resource.kind}:${resource.id}`, reason));
  }
  return results;
}

interface RuleBody {
  readonly enabled?: boolean;
  readonly execution_status?: { status?: string; last_execution_date?: string; error?: { message?: string; reason?: string }; warning?: { message?: string; reason?: string } };
  readonly last_run?: { outcome?: string; outcome_msg?: string[] | null; warning?: string | null };
}

function rulesOf(ctx: CheckContext): Resource[] {
  return ctx.applicable.filter((r) => r.kind === 'kibana.rule');
}

export async function checkRules(ctx: CheckContext): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const r of rulesOf(ctx)) {
    const id = `rule:${r.id}`;
    const res = await ctx.stack.kibana.request<RuleBody>({ method: 'GET', path: `/api/alerting/rule/${enc(r.id)}`, accept: [404] });
    if (res.status === 404) {
      results.push(fail('kibana', id, 'does not exist', 'provisioning did not create it: run npm run provision-kibana', 'objects'));
      continue;
    }
    const rule = res.body;
    const status = rule.execution_status?.status;
    const outcome = rule.last_run?.outcome;
    const message = [...(rule.last_run?.outcome_msg ?? []), rule.execution_status?.error?.message, rule.execution_status?.warning?.message]
      .filter((m): m is string => typeof m === 'string' && m !== '')
      .join(' / ');
    if (rule.enabled === false) {
      results.push(fail('kibana', id, 'disabled', 'someone disabled it in Kibana, or it was created disabled: enable it (Stack Management > Rules)', 'rules'));
    } else if (outcome === 'failed' || status === 'error') {
      results.push(fail('kibana', id, `last run failed: ${message || rule.execution_status?.error?.reason || 'no message'}`, 'read Kibana\'s message: usually a data view or field the rule queries is missing, or a licence change', 'rules'));
    } else if (outcome === 'warning' || status === 'warning') {
      results.push(fail('kibana', id, `last run warning: ${message || 'no message'}`, 'read Kibana\'s message: often too many alerts or a timeout of the rule query', 'rules'));
    } else if (outcome === 'succeeded' || status === 'ok' || status === 'active') {
      results.push(pass('kibana', id, `last run ${outcome ?? status} at ${rule.execution_status?.last_execution_date ?? '?'}`));
    } else {
      results.push(fail('kibana', id, `has not run yet (status ${status ?? 'unknown'})`, 'Kibana\'s task manager has not picked the rule up: check Kibana\'s health (GET /api/task_manager/_health)', 'rules', { pending: true }));
    }
  }
  return results;
}

interface SloBody {
  readonly summary?: { status?: string; sliValue?: number; errorBudget?: { remaining?: number } };
}

export async function checkSlos(ctx: CheckContext): Promise<CheckResult[]> {
  const slos = ctx.applicable.filter((r) => r.kind === 'kibana.slo');
  if (slos.length === 0) {
    const skipped = ctx.skipped.filter((s) => s.resource.kind === 'kibana.slo');
    return skipped.length > 0 ? [skip('kibana', 'slo:*', `no SLOs here: ${skipped[0]?.reason ?? 'not applicable'} (licence ${ctx.stack.licenceType})`)] : [];
  }
  const results: CheckResult[] = [];
  for (const r of slos) {
    const id = `slo:${r.id}`;
    const res = await ctx.stack.kibana.request<SloBody>({ method: 'GET', path: `/api/observability/slos/${enc(r.id)}`, accept: [404] });
    if (res.status === 404) {
      results.push(fail('kibana', id, 'does not exist', 'provisioning did not create it: run npm run provision-kibana', 'objects'));
      continue;
    }
    const summary = res.body.summary;
    if (summary === undefined || summary.status === undefined) {
      results.push(fail('kibana', id, 'has no summary', 'the SLO transforms are not running: check them in Stack Management > Transforms', 'slos', { pending: true }));
    } else if (summary.status === 'NO_DATA') {
      if (ctx.settings.trafficSeen) {
        results.push(fail('kibana', id, 'summary has no data although the service had traffic', 'the SLO transform finds no event: check its index and filter against the traces (signal:traces), and the transform state', 'slos', { pending: true }));
      } else {
        results.push(skip('kibana', id, 'exists; no traffic in this run, so its summary cannot have data yet (pass --base-url or --port-forward)'));
      }
    } else {
      results.push(pass('kibana', id, `summary ${summary.status}, SLI ${summary.sliValue ?? '?'}`, { summary }));
    }
  }
  return results;
}

interface ExecuteBody {
  readonly status?: string;
  readonly message?: string;
  readonly service_message?: string;
}

export async function checkConnector(ctx: CheckContext): Promise<CheckResult[]> {
  const id = `connector:${CONNECTOR_IDS.serverLog}`;
  if (!ctx.applicable.some((r) => r.kind === 'kibana.connector' && r.id === CONNECTOR_IDS.serverLog)) return [];
  const res = await ctx.stack.kibana.request<ExecuteBody>({
    method: 'POST',
    path: `/api/actions/connector/${enc(CONNECTOR_IDS.serverLog)}/_execute`,
    body: { params: { message: `Verification of ${ctx.settings.serviceName}: the server-log connector works`, level: 'info' } },
    accept: [404],
  });
  if (res.status === 404) return [fail('kibana', id, 'does not exist', 'provisioning did not create it: run npm run provision-kibana', 'objects')];
  if (res.body.status === 'ok') return [pass('kibana', id, 'executed (a line in the Kibana log)')];
  return [
    fail('kibana', id, `execution failed: ${res.body.message ?? ''}${res.body.service_message ? ` (${res.body.service_message})` : ''}`, 'the Actions plugin rejects it: check xpack.actions settings and the encryption key in kibana.yml', 'connector'),
  ];
}
