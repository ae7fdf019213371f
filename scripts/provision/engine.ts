/**
 * The provisioning engine as a function: `provision(options, deps)` validates the configuration,
 * detects the target (flavour, version, licence), plans every applicable definition against the
 * live state and applies it stage by stage in KIND_ORDER, with bounded parallelism inside a stage.
 * The CLI only parses flags and calls it; tests call it directly.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { allResources } from './definitions.js';
import { loadConfig, secretProblems, targetFromEnv, type Config, type LicenceTier, type ProvisionOptions, type Target } from './config.js';
import { formatDiffs, type FieldDiff } from './diff.js';
import { basicToken, createClients } from './clients.js';
import type { EsCaller } from './es-client.js';
import { openEck, type EckConnection, type EckDeps } from './eck.js';
import { RunStopped, runSignal, stopReason } from './deadline.js';
import { AuthenticationError, ConfigError, EXIT, RemoteError, UnexpectedAnswerError, describeError, wrongProductProblem, type ExitCode } from './errors.js';
import { handlerFor } from './kinds/index.js';
import { otherSpaceError, printSecret, SPACE_UNIQUE_KINDS, type DependentKind, type EngineContext, type KindHandler, type LiveState, type OwnedObject, type PrintedRequest } from './kinds/types.js';
import { Redactor, redactingSink, type Sink } from './redact.js';
import { KIND_ORDER, secretEnvNames, type Flavour, type Resource, type ResourceKind } from '../../model/resources.js';
import { provisionerRole, type RoleDescriptor } from './privileges.js';
import { OWNER_PREFIX } from '../../kibana/telemetry-fields.js';
import { DEFAULT_RETRY, realSleep, type RetryPolicy, type Sleep } from './retry.js';
import { checkDefinitions, selectResources } from './select.js';

export type { ProvisionOptions } from './config.js';

export interface ProvisionDeps {
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: Sink;
  readonly stderr: Sink;
  /** The definition set (default: allResources()). */
  readonly resources?: () => readonly Resource[];
  readonly sleep?: Sleep;
  readonly retry?: RetryPolicy;
  /** kubectl access for --from-eck (default: the real kubectl). */
  readonly eck?: EckDeps;
  /** Stops the run early (Ctrl-C in the CLI): no new request starts, and the summary is printed. */
  readonly signal?: AbortSignal;
}

export type Action = 'create' | 'update' | 'unchanged' | 'delete' | 'skip';
export type Outcome = 'planned' | 'applied' | 'unchanged' | 'skipped' | 'failed' | 'not-attempted';

export interface ObjectReport {
  readonly kind: ResourceKind | DependentKind;
  readonly id: string;
  readonly title: string;
  action: Action;
  outcome: Outcome;
  diffs?: readonly FieldDiff[];
  notes?: string[];
  error?: string;
}

export interface ProvisionResult {
  readonly exitCode: ExitCode;
  readonly objects: readonly ObjectReport[];
  readonly flavour?: Flavour;
  readonly licence?: LicenceTier;
  readonly version?: string;
}

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T, i);
    }
  });
  await Promise.all(workers);
  return results;
}

const SYMBOL: Record<Action, string> = { create: '+', update: '~', unchanged: '=', delete: '-', skip: '·' };

function line(o: Pick<ObjectReport, 'kind' | 'id' | 'title'>, action: string): string {
  return `${action.padEnd(10)} ${o.kind.padEnd(21)} ${o.id}${o.title && o.title !== o.id ? `  (${o.title})` : ''}`;
}

export async function provision(options: ProvisionOptions, deps: ProvisionDeps): Promise<ProvisionResult> {
  const redactor = new Redactor();
  const env = deps.env;
  redactor.add(env.ELASTIC_API_KEY?.trim());
  redactor.add(env.ELASTIC_PASSWORD);
  if (env.ELASTIC_USERNAME && env.ELASTIC_PASSWORD) redactor.add(basicToken(env.ELASTIC_USERNAME.trim(), env.ELASTIC_PASSWORD));
  const out = redactingSink(deps.stdout, redactor);
  const err = redactingSink(deps.stderr, redactor);

  let config: Config;
  let resources: readonly Resource[];
  try {
    config = loadConfig(options, env);
    resources = loadDefinitions(deps);
    const problems = checkDefinitions(resources);
    if (problems.length > 0) throw new ConfigError(problems);
  } catch (e) {
    if (e instanceof ConfigError) {
      err.write(`provision-kibana: ${e.message}\n`);
      return { exitCode: EXIT.usage, objects: [] };
    }
    throw e;
  }

  if (config.mode === 'print') return printRequests(config, resources, env, out, err);
  if (config.mode === 'print-role') return printRole(config, resources, env, out, err);

  let eck: EckConnection | undefined;
  const limits = runSignal(config.deadlines.runTimeoutMs, deps.signal);
  try {
    let target = config.target;
    if (config.fromEck !== undefined) {
      out.write(`Connecting through the ECK cluster (namespace ${config.fromEck.namespace})...\n`);
      eck = await openEck(config.fromEck.namespace, deps.eck, (m) => err.write(`${m}\n`), limits.signal);
      redactor.add(eck.env.ELASTIC_PASSWORD);
      if (eck.env.ELASTIC_USERNAME && eck.env.ELASTIC_PASSWORD) redactor.add(basicToken(eck.env.ELASTIC_USERNAME, eck.env.ELASTIC_PASSWORD));
      const problems: string[] = [];
      const derived = targetFromEnv({ ...env, ...eck.env, ELASTIC_API_KEY: undefined }, problems);
      if (derived === undefined) throw new ConfigError(problems);
      target = {
        ...derived,
        caPem: [derived.caPem, eck.env.ECK_CA_PEM].filter(Boolean).join('\n'),
        kibanaServername: eck.kibanaServername,
        elasticsearchServername: eck.elasticsearchServername,
      };
    }
    if (target === undefined) throw new Error('no target');
    return await run(config, target, resources, deps, redactor, out, err, limits.signal);
  } catch (e) {
    if (e instanceof ConfigError) {
      err.write(`provision-kibana: ${e.message}\n`);
      return { exitCode: EXIT.usage, objects: [] };
    }
    err.write(`provision-kibana: ${describeError(e)}\n`);
    return { exitCode: EXIT.failed, objects: [] };
  } finally {
    limits.dispose();
    await eck?.close();
  }
}

/** Builds the definition set; a definition module's own validation errors become configuration errors. */
export function loadDefinitions(deps: Pick<ProvisionDeps, 'env' | 'resources'>): readonly Resource[] {
  try {
    return deps.resources ? deps.resources() : allResources(deps.env);
  } catch (e) {
    const problems = (e as { problems?: unknown }).problems;
    if (Array.isArray(problems) && problems.every((p) => typeof p === 'string')) throw new ConfigError(problems);
    throw new ConfigError([`the definitions could not be built: ${describeError(e)}`]);
  }
}

async function printRequests(config: Config, resources: readonly Resource[], env: NodeJS.ProcessEnv, out: Sink, err: Sink): Promise<ProvisionResult> {
  const { applicable, skipped } = selectResources(resources, { flavour: config.printFlavour, licence: config.printLicence, env, only: config.only });
  const requests: PrintedRequest[] = [];
  for (const kind of KIND_ORDER) {
    for (const r of applicable.filter((x) => x.kind === kind)) {
      const printed = handlerFor(kind).requests(r, printSecret);
      // Printing both licence tiers: say which tier each licence-dependent request belongs to.
      const licence = r.when?.licence;
      requests.push(...(licence === undefined ? printed : printed.map((req) => ({ ...req, licence }))));
    }
  }
  if (config.out !== undefined) {
    try {
      await mkdir(config.out, { recursive: true });
      await Promise.all(
        requests.map((req, i) =>
          writeFile(
            path.join(config.out as string, `${String(i + 1).padStart(3, '0')}-${req.kind}-${req.id}-${req.op}.json`.replace(/[^A-Za-z0-9._@-]/g, '_')),
            `${JSON.stringify(req, null, 2)}\n`,
          ),
        ),
      );
    } catch (e) {
      // A folder that cannot be written is a bad --out value: one line, exit 2, no stack.
      err.write(`provision-kibana: --out ${config.out}: cannot write there (${describeError(e)})\n`);
      return { exitCode: EXIT.usage, objects: [] };
    }
    out.write(`wrote ${requests.length} requests for ${applicable.length} objects (${config.printFlavour}, ${config.printLicence === 'both' ? 'both licence tiers' : `${config.printLicence} licence`}) to ${config.out}\n`);
  } else {
    for (const req of requests) out.write(`${JSON.stringify(req)}\n`);
  }
  const objects: ObjectReport[] = [
    ...applicable.map((r): ObjectReport => ({ kind: r.kind, id: r.id, title: r.title, action: 'create', outcome: 'planned' })),
    ...skipped.map(({ resource: r, reason }): ObjectReport => ({ kind: r.kind, id: r.id, title: r.title, action: 'skip', outcome: 'skipped', notes: [reason] })),
  ];
  return { exitCode: EXIT.ok, objects, flavour: config.printFlavour, ...(config.printLicence === 'both' ? {} : { licence: config.printLicence }) };
}

/** The request body for `POST /_security/api_key` whose role the definitions need (privileges.ts). */
function printRole(config: Config, resources: readonly Resource[], env: NodeJS.ProcessEnv, out: Sink, err: Sink): ProvisionResult {
  const { applicable } = selectResources(resources, { flavour: config.printFlavour, licence: config.printLicence, env, only: config.only });
  let role: RoleDescriptor;
  try {
    role = provisionerRole(applicable, { flavour: config.printFlavour, space: config.roleSpace });
  } catch (e) {
    err.write(`provision-kibana: ${describeError(e)}\n`);
    return { exitCode: EXIT.usage, objects: [] };
  }
  out.write(`${JSON.stringify({ name: `${OWNER_PREFIX}provisioner`, role_descriptors: { [`${OWNER_PREFIX}provisioner`]: role } }, null, 2)}\n`);
  return { exitCode: EXIT.ok, objects: [], flavour: config.printFlavour };
}

export interface Detected {
  flavour: Flavour;
  version: string;
  licence: LicenceTier;
  licenceType: string;
}

export async function detect(es: EsCaller): Promise<Detected> {
  const info = await es.call('GET /', (c) => c.info());
  const flavour: Flavour = info?.version.build_flavor === 'serverless' ? 'serverless' : 'stateful';
  const version = info?.version.number ?? 'unknown';
  if (flavour === 'serverless') return { flavour, version, licence: 'platinum', licenceType: 'serverless' };
  const lic = await es.call('GET /_license', (c) => c.license.get());
  const type = lic?.license.type ?? 'basic';
  const active = lic?.license.status === 'active';
  const tier: LicenceTier = !active ? 'basic' : ['platinum', 'enterprise', 'trial'].includes(type) ? 'platinum' : type === 'gold' ? 'gold' : 'basic';
  return { flavour, version, licence: tier, licenceType: active ? type : `${type} (${lic?.license.status ?? 'inactive'})` };
}

async function run(
  config: Config,
  target: Target,
  resources: readonly Resource[],
  deps: ProvisionDeps,
  redactor: Redactor,
  out: Sink,
  err: Sink,
  signal: AbortSignal,
): Promise<ProvisionResult> {
  // Retries and slow answers, each as it happens.
  const progress = (m: string): void => err.write(`  ${m}\n`);
  const { esClient, es, kibana } = createClients(target, {
    env: deps.env,
    retry: deps.retry ?? DEFAULT_RETRY,
    sleep: deps.sleep ?? realSleep,
    onRetry: progress,
    onSlow: progress,
    requestTimeoutMs: config.deadlines.requestTimeoutMs,
    signal,
  });
  try {
    let detected: Detected;
    let kibanaVersion = 'unknown';
    try {
      detected = await detect(es);
      if (detected.flavour === 'serverless' && target.auth.kind === 'basic') {
        throw new ConfigError([
          'username/password is not accepted by Serverless: Elasticsearch reports build flavour "serverless", and Serverless projects accept API keys only. ' +
            'Unset ELASTIC_USERNAME/ELASTIC_PASSWORD and set ELASTIC_API_KEY (create one under Project settings > Management > API keys)',
        ]);
      }
      const status = await kibana.request<{ version?: { number?: string } }>({ method: 'GET', path: '/api/status' });
      kibanaVersion = status.body.version?.number ?? 'unknown';
    } catch (e) {
      if (e instanceof ConfigError) throw e;
      if (e instanceof UnexpectedAnswerError && e.actualProduct !== undefined) {
        throw new ConfigError([await wrongProductProblem(e, () => kibana.request({ method: 'GET', path: '/api/status' }))]);
      }
      err.write(`provision-kibana: ${describeError(e)}\n`);
      return { exitCode: EXIT.failed, objects: [] };
    }

    out.write(
      `Target: Elasticsearch ${detected.version} (${detected.flavour}), Kibana ${kibanaVersion}, space ${target.space ?? 'default'}\n` +
        `Licence: ${detected.licenceType}: ${
          detected.licence === 'platinum'
            ? 'the full alert set applies (SLOs and SLO burn-rate rules)'
            : 'the basic alert set applies (threshold rules in place of SLO burn-rate rules; SLOs need platinum, enterprise or trial)'
        }${detected.licence === 'basic' ? '; connector types that need gold or better are skipped' : ''}\n` +
        (detected.flavour === 'serverless' ? 'Serverless: no ILM; retention comes from data stream lifecycle in the @custom component templates\n' : ''),
    );

    const { applicable, skipped } = selectResources(resources, { flavour: detected.flavour, licence: detected.licence, env: deps.env, only: config.only });

    // Removing needs no secret: only creating and updating write them.
    const missingSecrets = config.uninstall ? [] : secretProblems(applicable, deps.env);
    if (missingSecrets.length > 0) throw new ConfigError(missingSecrets);
    for (const name of new Set(applicable.flatMap((r) => secretEnvNames(r)))) redactor.add(deps.env[name]);

    const ctx: EngineContext = {
      kibana,
      es,
      flavour: detected.flavour,
      licence: detected.licence,
      secret: (s) => deps.env[s.fromEnv] ?? '',
      readOnly: config.mode === 'dry-run',
      memo: new Map(),
    };
    const reports: ObjectReport[] = (config.uninstall ? [] : skipped).map(({ resource: r, reason }) => ({
      kind: r.kind,
      id: r.id,
      title: r.title,
      action: 'skip' as const,
      outcome: 'skipped' as const,
      notes: [reason],
    }));
    const result = config.uninstall
      ? await uninstallStages(config, selectResources(resources, { flavour: detected.flavour, licence: 'both', env: deps.env, only: config.only }).applicable, ctx, reports, out, signal)
      : await applyStages(config, applicable, resources, ctx, reports, out, signal);
    printSummary(config, reports, out, err, signal.aborted ? stopReason(signal).message : undefined);
    return { exitCode: result, objects: reports, flavour: detected.flavour, licence: detected.licence, version: detected.version };
  } finally {
    await esClient.close();
  }
}

async function applyStages(
  config: Config,
  applicable: readonly Resource[],
  all: readonly Resource[],
  ctx: EngineContext,
  reports: ObjectReport[],
  out: Sink,
  signal: AbortSignal,
): Promise<ExitCode> {
  const dryRun = config.mode === 'dry-run';
  const kinds = KIND_ORDER.filter((k) => config.only === undefined || config.only.has(k));
  const total = applicable.length;
  let done = 0;
  let failed = false;
  // A dry run goes on reading after a failed read (each is reported and makes the exit code 1).
  let readFailed = false;
  // Every later request would meet the same answer (rejected credentials, a sign-in page, a proxy).
  let authFailure = false;
  const stopped = (): string | undefined => (signal.aborted ? stopReason(signal).message : undefined);

  out.write(dryRun ? '\nPlan (dry run, nothing is written):\n' : `\nApplying ${total} objects:\n`);
  for (const kind of kinds) {
    const handler = handlerFor(kind);
    const stage = applicable.filter((r) => r.kind === kind);
    if (stage.length === 0) continue;
    if (failed || signal.aborted) {
      for (const r of stage) reports.push({ kind, id: r.id, title: r.title, action: 'create', outcome: 'not-attempted', notes: [stopped() ?? 'an earlier stage failed'] });
      continue;
    }
    const orders = [...new Set(stage.map((r) => handler.order?.(r) ?? 0))].sort((a, b) => a - b);
    for (const order of orders) {
      const group = stage.filter((r) => (handler.order?.(r) ?? 0) === order);
      if (failed) {
        // Later groups reference earlier ones (dashboards -> searches -> tags).
        for (const r of group) reports.push({ kind, id: r.id, title: r.title, action: 'create', outcome: 'not-attempted', notes: ['an object it may reference failed'] });
        continue;
      }
      await mapLimit(group, config.concurrency, async (r) => {
        const report: ObjectReport = { kind, id: r.id, title: r.title, action: 'unchanged', outcome: 'planned' };
        reports.push(report);
        if (authFailure || signal.aborted) {
          report.outcome = 'not-attempted';
          if (signal.aborted) report.notes = [stopped() ?? 'stopped'];
          return;
        }
        try {
          const live: LiveState | undefined = await handler.read(r, ctx);
          const diffs = live === undefined ? [] : handler.diff(r, live, ctx.secret);
          report.action = live === undefined ? 'create' : diffs.length > 0 && live.keep === undefined ? 'update' : 'unchanged';
          if (diffs.length > 0) report.diffs = diffs;
          if (live?.keep !== undefined && diffs.length > 0) report.notes = [`differs but is left as is: ${live.keep}`];
          if (dryRun) {
            if (report.action !== 'unchanged' && handler.planNotes) report.notes = [...(report.notes ?? []), ...(await handler.planNotes(r, ctx))];
            report.outcome = report.action === 'unchanged' ? 'unchanged' : 'planned';
            writePlanLine(out, report);
            if (!(await followDependents(handler, r, ctx, false, reports, out))) readFailed = true;
            return;
          }
          if (report.action === 'create') await createOrAdopt(handler, r, ctx, report);
          else if (report.action === 'update' && live !== undefined) await handler.update(r, live, diffs, ctx);
          report.outcome = report.action === 'unchanged' ? 'unchanged' : 'applied';
          done++;
          const verb = report.action === 'create' ? 'created' : report.action === 'update' ? 'updated' : 'unchanged';
          out.write(`  [${String(done).padStart(String(total).length)}/${total}] ${line(report, verb)}\n`);
          if (report.action === 'update' && report.diffs) out.write(`${formatDiffs(report.diffs)}\n`);
          if (!(await followDependents(handler, r, ctx, true, reports, out))) failed = true;
        } catch (e) {
          report.outcome = 'failed';
          report.error =
            e instanceof RunStopped && !dryRun ? `stopped during its requests (${e.message}): it may or may not have been written` : describeError(e);
          if (dryRun) readFailed = true;
          else failed = true;
          if (e instanceof AuthenticationError || e instanceof UnexpectedAnswerError) authFailure = true;
          done++;
          out.write(`  [${String(done).padStart(String(total).length)}/${total}] ${line(report, 'FAILED')}\n      ${report.error}\n`);
        }
      });
    }
  }

  // Objects this project owns on the target that no definition names any more.
  if (!failed && !authFailure && !signal.aborted && (config.prune || dryRun)) {
    for (const kind of [...kinds].reverse()) {
      const handler = handlerFor(kind);
      if (handler.unavailable?.(ctx) !== undefined) continue;
      const defined = new Set(all.filter((r) => r.kind === kind).map((r) => r.id));
      let owned: OwnedObject[];
      try {
        owned = await handler.listOwned(ctx);
      } catch (e) {
        // A failed listing is a failed read: the plan cannot say what is stale.
        reports.push({ kind, id: '*', title: 'listing owned objects', action: 'delete', outcome: 'failed', error: describeError(e) });
        out.write(`  ${line({ kind, id: '*', title: 'listing owned objects' }, 'FAILED')}\n      ${describeError(e)}\n`);
        if (dryRun) {
          readFailed = true;
          continue;
        }
        failed = true;
        break;
      }
      const stale = owned.filter((o) => !defined.has(o.id));
      await mapLimit(stale, config.concurrency, async (o) => {
        const report: ObjectReport = { kind, id: o.id, title: o.title, action: 'delete', outcome: 'planned' };
        if (!config.prune) {
          report.action = 'skip';
          report.outcome = 'skipped';
          report.notes = ['owned but no longer defined: --prune deletes it'];
        }
        reports.push(report);
        if (dryRun || !config.prune) {
          writePlanLine(out, report);
          return;
        }
        try {
          await handler.remove(o, ctx);
          report.outcome = 'applied';
          out.write(`  ${line(report, 'deleted')}\n`);
        } catch (e) {
          report.outcome = 'failed';
          report.error = describeError(e);
          failed = true;
          out.write(`  ${line(report, 'FAILED')}\n      ${report.error}\n`);
        }
      });
    }
  }
  return failed || readFailed || signal.aborted ? EXIT.failed : EXIT.ok;
}

/**
 * `--uninstall`: everything this project provisioned, in reverse apply order (rules before the
 * connectors and SLOs they use, saved objects before their data views): every owned object (owner
 * prefix or tag) is deleted, and this project's keys are taken out of the shared `@custom`
 * templates, which keep everything else. What is still in use (an ILM policy indices name, an agent
 * policy agents are enrolled in: handler.keptBecause) is kept and reported, as is a kind whose APIs
 * this target does not offer (SLOs below platinum: handler.unavailable). Installed integration
 * packages stay (shared with the rest of the cluster).
 */
async function uninstallStages(config: Config, defined: readonly Resource[], ctx: EngineContext, reports: ObjectReport[], out: Sink, signal: AbortSignal): Promise<ExitCode> {
  const dryRun = config.mode === 'dry-run';
  let failed = false;
  out.write(dryRun ? '\nUninstall plan (dry run, nothing is removed):\n' : '\nUninstalling:\n');
  const fail = (report: ObjectReport, e: unknown): void => {
    report.outcome = 'failed';
    report.error = describeError(e);
    failed = true;
    out.write(`  ${line(report, 'FAILED')}\n      ${report.error}\n`);
  };
  for (const kind of [...KIND_ORDER].reverse().filter((k) => config.only === undefined || config.only.has(k))) {
    // Ctrl-C or the run's deadline: stop before the next kind; the summary says what was done.
    if (signal.aborted) break;
    const handler = handlerFor(kind);
    const unavailable = handler.unavailable?.(ctx);
    if (unavailable !== undefined) {
      const report: ObjectReport = { kind, id: '*', title: `every ${kind}`, action: 'skip', outcome: 'skipped', notes: [unavailable] };
      reports.push(report);
      writePlanLine(out, report);
      continue;
    }
    let owned: OwnedObject[];
    try {
      owned = await handler.listOwned(ctx);
    } catch (e) {
      const report: ObjectReport = { kind, id: '*', title: 'listing owned objects', action: 'delete', outcome: 'planned' };
      reports.push(report);
      fail(report, e);
      continue;
    }
    await mapLimit(owned, config.concurrency, async (o) => {
      const report: ObjectReport = { kind, id: o.id, title: o.title, action: 'delete', outcome: 'planned' };
      reports.push(report);
      if (dryRun) return writePlanLine(out, report);
      try {
        await handler.remove(o, ctx);
        report.outcome = 'applied';
        out.write(`  ${line(report, 'deleted')}\n`);
      } catch (e) {
        const kept = handler.keptBecause?.(e);
        if (kept !== undefined) {
          report.action = 'skip';
          report.outcome = 'skipped';
          report.notes = [kept];
          return writePlanLine(out, report);
        }
        fail(report, e);
      }
    });
    if (handler.release === undefined) continue;
    const seen = new Set<string>();
    for (const r of defined.filter((x) => x.kind === kind && !seen.has(x.id) && seen.add(x.id))) {
      const report: ObjectReport = { kind, id: r.id, title: r.title, action: 'unchanged', outcome: 'planned' };
      try {
        const released = await handler.release(r, ctx, !dryRun);
        if (released === undefined) continue;
        reports.push(report);
        report.action = released.action;
        report.notes = [...released.notes];
        report.outcome = released.action === 'unchanged' ? 'unchanged' : dryRun ? 'planned' : 'applied';
        if (dryRun || released.action === 'unchanged') writePlanLine(out, report);
        else out.write(`  ${line(report, released.action === 'delete' ? 'deleted' : 'released')}\n${report.notes.map((n) => `      ${n}\n`).join('')}`);
      } catch (e) {
        reports.push(report);
        fail(report, e);
      }
    }
  }
  return failed || signal.aborted ? EXIT.failed : EXIT.ok;
}

/**
 * The objects that follow from `r` (handler.dependents), each reported on its own line after it;
 * false when one of them, or listing them, failed (the run then exits 1).
 */
async function followDependents(handler: KindHandler, r: Resource, ctx: EngineContext, apply: boolean, reports: ObjectReport[], out: Sink): Promise<boolean> {
  if (handler.dependents === undefined) return true;
  let ok = true;
  const failedReport = (report: ObjectReport, error: string): void => {
    report.outcome = 'failed';
    report.error = error;
    ok = false;
    out.write(`    ${line(report, 'FAILED')}\n        ${error}\n`);
  };
  let dependents;
  try {
    dependents = await handler.dependents(r, ctx, apply);
  } catch (e) {
    const report: ObjectReport = { kind: r.kind, id: r.id, title: 'listing what it applies to', action: 'update', outcome: 'planned' };
    reports.push(report);
    failedReport(report, describeError(e));
    return false;
  }
  for (const d of dependents) {
    const report: ObjectReport = { kind: d.kind, id: d.id, title: d.title, action: d.action, outcome: 'planned', notes: [...d.notes] };
    reports.push(report);
    if (d.error !== undefined) {
      failedReport(report, d.error);
      continue;
    }
    report.outcome = d.action === 'unchanged' ? 'unchanged' : apply ? 'applied' : 'planned';
    if (!apply || d.action === 'unchanged') writePlanLine(out, report, '  ');
    else out.write(`    ${line(report, 'updated')}\n${d.notes.map((n) => `        ${n}\n`).join('')}`);
  }
  return ok;
}

/**
 * Creates an object. A 409 means it appeared between the read and the write (another run, or a
 * create whose response was lost and then retried): it is read again and updated if it differs.
 */
async function createOrAdopt(handler: ReturnType<typeof handlerFor>, r: Resource, ctx: EngineContext, report: ObjectReport): Promise<void> {
  try {
    await handler.create(r, ctx);
  } catch (e) {
    if (!(e instanceof RemoteError) || e.status !== 409) throw e;
    const live = await handler.read(r, ctx);
    // 409 on create but 404 on read: for these kinds, the id is taken in another Kibana space (for
    // others, e.g. Fleet policies whose names must be unique, Kibana's own message says why).
    if (live === undefined) throw SPACE_UNIQUE_KINDS.has(r.kind) ? otherSpaceError(r.kind, r.id, e.request) : e;
    const diffs = handler.diff(r, live, ctx.secret);
    if (diffs.length > 0 && live.keep === undefined) await handler.update(r, live, diffs, ctx);
    report.notes = [...(report.notes ?? []), 'already existed (409): adopted'];
  }
}

function writePlanLine(out: Sink, r: ObjectReport, indent = ''): void {
  out.write(`${indent}  ${SYMBOL[r.action]} ${line(r, r.action)}\n`);
  if (r.action === 'update' && r.diffs) out.write(`${formatDiffs(r.diffs)}\n`);
  for (const n of r.notes ?? []) out.write(`${indent}      ${n}\n`);
}

function printSummary(config: Config, reports: readonly ObjectReport[], out: Sink, err: Sink, stoppedBy: string | undefined): void {
  const count = (pred: (r: ObjectReport) => boolean): number => reports.filter(pred).length;
  const skippedLines = reports.filter((r) => r.action === 'skip' && r.notes?.[0] && !r.notes[0].startsWith('owned'));
  if (skippedLines.length > 0) {
    out.write(config.uninstall ? '\nKept:\n' : '\nNot applicable here:\n');
    for (const r of skippedLines) out.write(`  ${SYMBOL.skip} ${line(r, 'skip')}: ${r.notes?.[0] ?? ''}\n`);
  }
  if (stoppedBy !== undefined) err.write(`\nStopped early: ${stoppedBy}. Summary of what was done:\n`);
  if (config.mode === 'dry-run') {
    // A read that failed is neither "unchanged" nor "to create": it is counted on its own.
    const planned = (pred: (r: ObjectReport) => boolean): number => count((r) => r.outcome !== 'failed' && r.outcome !== 'not-attempted' && pred(r));
    const unread = reports.filter((r) => r.outcome === 'failed');
    const notRead = count((r) => r.outcome === 'not-attempted');
    out.write(
      `\nPlan: ${planned((r) => r.action === 'create')} to create, ${planned((r) => r.action === 'update')} to update, ` +
        `${planned((r) => r.action === 'unchanged')} unchanged, ${planned((r) => r.action === 'delete')} to delete` +
        `${config.prune || config.uninstall ? '' : ' (deletes only with --prune)'}` +
        `${unread.length > 0 ? `, ${unread.length} could not be read` : ''}${notRead > 0 ? `, ${notRead} not read` : ''}.\n`,
    );
    if (unread.length > 0) {
      err.write('\nCould not be read (the plan is incomplete):\n');
      for (const r of unread) err.write(`  ${r.kind} ${r.id}: ${r.error ?? 'failed'}\n`);
    }
    return;
  }
  const applied = reports.filter((r) => r.outcome === 'applied');
  const failures = reports.filter((r) => r.outcome === 'failed');
  const notAttempted = reports.filter((r) => r.outcome === 'not-attempted');
  out.write(
    `\nDone: ${count((r) => r.outcome === 'applied' && r.action === 'create')} created, ${count((r) => r.outcome === 'applied' && r.action === 'update')} updated, ` +
      `${count((r) => r.outcome === 'applied' && r.action === 'delete')} deleted, ${count((r) => r.outcome === 'unchanged')} unchanged` +
      `${failures.length > 0 || notAttempted.length > 0 ? `, ${failures.length} failed, ${notAttempted.length} not attempted` : ''}.\n`,
  );
  if (failures.length > 0 || stoppedBy !== undefined) {
    err.write('\nFailed objects:\n');
    for (const r of failures) err.write(`  ${r.kind} ${r.id}: ${r.error ?? 'failed'}\n`);
    if (applied.length > 0) {
      err.write('Applied before the failure (these are in place):\n');
      for (const r of applied) err.write(`  ${r.action === 'delete' ? 'deleted' : r.action === 'create' ? 'created' : 'updated'} ${r.kind} ${r.id}\n`);
    }
    if (notAttempted.length > 0) err.write(`Not attempted: ${notAttempted.map((r) => `${r.kind} ${r.id}`).join(', ')}\n`);
    err.write('Fix the cause and run again: objects already in place are left unchanged.\n');
  }
}

