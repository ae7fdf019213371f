/**
 * Offline: every Kibana request body `--print` produces, for every definition in allResources()
 * (dashboards and alerts included, whoever adds them) and for every flavour and licence tier,
 * validates against Elastic's OpenAPI files for its path and method.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { allResources } from '../../scripts/provision/definitions.js';
import type { PrintedRequest } from '../../scripts/provision/kinds/types.js';
import { contractFile } from '../support/contracts.js';
import { connectorUpdateErrors, isAdditionalPropertyError, ruleCreateErrors, sloErrors } from '../support/kibana-contract-checks.js';
import { OpenApiContract } from '../support/openapi.js';
import { definitionEnv, definitionSecrets, runEngine } from './helpers.js';

const COMBINATIONS = [
  { flavour: 'stateful', licence: 'platinum' },
  { flavour: 'stateful', licence: 'basic' },
  { flavour: 'serverless', licence: 'platinum' },
] as const;

async function printed(flavour: string, licence: string): Promise<PrintedRequest[]> {
  const run = await runEngine({ print: true, flavour, licence }, { ...definitionEnv() });
  assert.equal(run.result.exitCode, 0, run.err);
  return run.out
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as PrintedRequest);
}

/** Which contract file covers which Kibana API (see ../shared/contracts/README.md). */
const CONTRACTS: ReadonlyArray<{ prefix: string; file: string; legacy: boolean }> = [
  { prefix: '/api/data_views', file: 'kibana-data-views-bundled.yaml', legacy: false },
  { prefix: '/api/observability/slos', file: 'kibana-slo-bundled.yaml', legacy: false },
  // 8.x-era bundles: 9.x adds fields (e.g. rule `artifacts`, `flapping`); they are a lower bound.
  { prefix: '/api/actions', file: 'kibana-actions-legacy-bundled.yaml', legacy: true },
  { prefix: '/api/alerting', file: 'kibana-alerting-legacy-bundled.yaml', legacy: true },
  { prefix: '/api/fleet', file: 'kibana-fleet-bundled.yaml', legacy: true },
];

test('every Kibana request body of every definition validates against the OpenAPI contracts', async (t) => {
  const files = [...CONTRACTS.map((c) => c.file), 'kibana-saved-objects-path-import.yaml'];
  const missing = files.map(contractFile).find((c) => c.skip !== undefined);
  if (missing?.skip) {
    t.skip(missing.skip);
    return;
  }
  const contracts = new Map(CONTRACTS.map((c) => [c.file, new OpenApiContract(contractFile(c.file).path as string)]));

  // The saved-objects import contract is a path fragment (multipart, relative $refs): check its
  // multipart schema and query parameters directly.
  const importOp = (parse(await readFile(contractFile('kibana-saved-objects-path-import.yaml').path as string, 'utf8')) as Record<string, Record<string, unknown>>)
    .post as { parameters: Array<Record<string, unknown>>; requestBody: { content: Record<string, { schema: Record<string, unknown> }> } };
  const multipartSchema = importOp.requestBody.content['multipart/form-data']?.schema;
  assert.ok(multipartSchema, 'the import contract declares a multipart/form-data body');
  const ajv = new Ajv({ strict: false, allErrors: true });
  const validateMultipart = ajv.compile(multipartSchema);
  const queryNames = new Set(importOp.parameters.map((p) => p.name).filter(Boolean));

  // The validator is live: a data view body without its required title is rejected.
  const dvContract = contracts.get('kibana-data-views-bundled.yaml') as OpenApiContract;
  assert.notDeepEqual(dvContract.validateRequest('POST', '/api/data_views/data_view', { data_view: { name: 'no title' } }), []);

  const covered = new Set<string>();
  const unmodelledRuleTypes = new Set<string>();
  const problems: string[] = [];
  let validated = 0;
  for (const { flavour, licence } of COMBINATIONS) {
    const requests = await printed(flavour, licence);
    const connectorTypes = new Map(
      requests
        .filter((r) => r.kind === 'kibana.connector' && r.op === 'create')
        .map((r) => [r.id, String((r.body as { connector_type_id?: unknown }).connector_type_id)]),
    );
    for (const req of requests) {
      covered.add(`${req.kind}/${req.id}`);
      if (req.target !== 'kibana') continue;
      const where = `${flavour}/${licence} ${req.op} ${req.method} ${req.path} (${req.kind} ${req.id})`;
      if (req.path.startsWith('/api/saved_objects/_import')) {
        const query = new URL(req.path, 'http://x').searchParams;
        for (const name of query.keys()) if (!queryNames.has(name)) problems.push(`${where}: query parameter ${name} is not in the contract`);
        const ndjson = (req.ndjson ?? []).map((o) => JSON.stringify(o)).join('\n');
        if (!validateMultipart({ file: ndjson })) problems.push(`${where}: ${ajv.errorsText(validateMultipart.errors)}`);
        for (const o of req.ndjson ?? []) {
          const so = o as Record<string, unknown>;
          if (typeof so.type !== 'string' || typeof so.id !== 'string' || typeof so.attributes !== 'object' || !Array.isArray(so.references)) {
            problems.push(`${where}: NDJSON line is not a saved object {type, id, attributes, references}`);
          }
        }
        validated++;
        continue;
      }
      const entry = CONTRACTS.find((c) => req.path.startsWith(c.prefix));
      if (entry === undefined) {
        problems.push(`${where}: no contract covers this path; add it to CONTRACTS`);
        continue;
      }
      const contract = contracts.get(entry.file) as OpenApiContract;
      let errors: string[];
      try {
        const connectorType = connectorTypes.get(req.id);
        if (req.kind === 'kibana.connector' && req.op === 'update' && connectorType !== undefined) {
          errors = connectorUpdateErrors(contract, connectorType, req.body);
        } else if (req.kind === 'kibana.slo') {
          errors = sloErrors(contract, req.method, req.path, req.body);
        } else if (req.kind === 'kibana.rule' && req.op === 'create') {
          const check = ruleCreateErrors(contract, req.body as { rule_type_id?: string; params?: unknown });
          if (!check.modelled) unmodelledRuleTypes.add(String((req.body as { rule_type_id?: unknown }).rule_type_id));
          errors = check.errors;
        } else {
          errors = contract.validateRequest(req.method, req.path, req.body);
        }
      } catch (e) {
        problems.push(`${where}: ${(e as Error).message}`);
        continue;
      }
      if (entry.legacy) errors = errors.filter((e) => !isAdditionalPropertyError(e));
      for (const e of errors) problems.push(`${where}: ${e}`);
      validated++;
    }
  }
  if (unmodelledRuleTypes.size > 0) {
    t.diagnostic(`rule types without a branch in the 8.x alerting bundle (common fields validated, params not): ${[...unmodelledRuleTypes].join(', ')}`);
  }
  assert.deepEqual(problems, []);
  assert.ok(validated > 0);
  const uncovered = allResources(definitionEnv()).filter((r) => !covered.has(`${r.kind}/${r.id}`));
  assert.deepEqual(
    uncovered.map((r) => `${r.kind}/${r.id}`),
    [],
    'every definition is printed for at least one flavour and licence tier',
  );
});

test('print shows secrets as their environment variable names, never their values', async () => {
  const env = definitionEnv();
  const run = await runEngine({ print: true }, env);
  assert.equal(run.result.exitCode, 0);
  const secretNames = Object.keys(env).filter((n) => run.out.includes(`<from env ${n}>`));
  const secrets = definitionSecrets();
  assert.ok(secrets.length > 0, 'the definitions read secrets (connectors)');
  for (const value of secrets) assert.ok(!run.out.includes(value), 'a secret value was printed');
  assert.equal(secretNames.length, secrets.length, 'every secret is printed as its placeholder');
});

test('print writes every request to a folder when --out is given and needs no network', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'provision-print-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const run = await runEngine({ print: true, out: dir }, { ...definitionEnv() });
  assert.equal(run.result.exitCode, 0, run.err);
  const files = await readdir(dir);
  const stdoutLines = (await runEngine({ print: true }, { ...definitionEnv() })).out.split('\n').filter(Boolean);
  assert.equal(files.length, stdoutLines.length);
  const first = JSON.parse(await readFile(path.join(dir, files.sort()[0] as string), 'utf8')) as PrintedRequest;
  assert.ok(first.method && first.path);
});

test('the serverless rendering has no ILM request and sets data stream retention instead', async () => {
  const requests = await printed('serverless', 'platinum');
  assert.ok(!requests.some((r) => r.path.startsWith('/_ilm')));
  const custom = requests.filter((r) => r.kind === 'es.component_template');
  assert.ok(custom.length > 0);
  for (const r of custom) {
    const body = r.body as { template?: { lifecycle?: { data_retention?: string }; settings?: unknown } };
    assert.match(body.template?.lifecycle?.data_retention ?? '', /^\d+d$/, r.id);
    assert.equal(body.template?.settings, undefined, `${r.id} carries no ILM setting`);
  }
});

test('print without --licence shows both alert sets, each licence-dependent request labelled with its tier', async () => {
  const run = await runEngine({ print: true }, { ...definitionEnv() });
  assert.equal(run.result.exitCode, 0, run.err);
  const requests = run.out
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as PrintedRequest);
  const platinum = await printed('stateful', 'platinum');
  const basic = await printed('stateful', 'basic');
  const key = (r: PrintedRequest): string => `${r.method} ${r.path}`;
  const both = new Set(requests.map(key));
  for (const r of [...platinum, ...basic]) assert.ok(both.has(key(r)), `${key(r)} is missing from the default print`);
  assert.ok(requests.some((r) => r.kind === 'kibana.slo' && r.licence === 'platinum'), 'SLOs are printed, labelled platinum');
  assert.ok(requests.some((r) => r.kind === 'kibana.rule' && r.licence === 'basic-only'), 'the Basic fallback rules are printed, labelled');
  assert.ok(requests.some((r) => r.kind === 'kibana.connector'), 'connectors are printed');
  const basicRuleIds = new Set(basic.filter((r) => r.kind === 'kibana.rule').map((r) => r.id));
  const platinumOnly = requests.filter((r) => r.kind === 'kibana.rule' && r.licence === 'platinum');
  assert.ok(platinumOnly.every((r) => !basicRuleIds.has(r.id)), 'a rule labelled platinum is not applied on Basic');
});
