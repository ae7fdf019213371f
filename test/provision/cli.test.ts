/** The command as users run it: a child process, flags parsed by yargs, exit codes from the engine. */
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../support/contracts.js';
import { StackDouble } from '../support/stack-double.js';
import type { RoleDescriptor } from '../../scripts/provision/privileges.js';
import { API_KEY, definitionEnv, targetEnv } from './helpers.js';

const CLI = path.join(REPO_ROOT, 'scripts', 'provision-kibana.ts');

function cli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', CLI, ...args],
      { cwd: REPO_ROOT, env: { PATH: process.env.PATH, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: unknown }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

test('the command applies against a target and exits 0, then plans nothing to do', async (t) => {
  const d = await StackDouble.start({ apiKey: API_KEY });
  t.after(() => d.close());
  const env = targetEnv(d);
  const apply = await cli(['--only', 'kibana.data_view'], env);
  assert.equal(apply.code, 0, apply.stderr);
  assert.match(apply.stdout, /Done: 4 created/);
  const plan = await cli(['--dry-run', '--only', 'kibana.data_view'], env);
  assert.equal(plan.code, 0, plan.stderr);
  assert.match(plan.stdout, /Plan: 0 to create, 0 to update, 4 unchanged/);
  assert.ok(!`${apply.stdout}${apply.stderr}${plan.stdout}${plan.stderr}`.includes(API_KEY));
});

test('the command exits 2 on an unknown flag or a missing target, and 1 when the target is down', async () => {
  const unknown = await cli(['--no-such-flag'], {});
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /Unknown argument/);
  const missing = await cli([], {});
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /KIBANA_URL is not set/);
  const down = await cli([], { KIBANA_URL: 'http://127.0.0.1:1', ELASTICSEARCH_URL: 'http://127.0.0.1:1', ELASTIC_API_KEY: API_KEY });
  assert.equal(down.code, 1);
  assert.match(down.stderr, /Elasticsearch at http:\/\/127\.0\.0\.1:1 \(ELASTICSEARCH_URL\): connection refused/);
});

test('a bad flag value or an --out folder that cannot be written is one line on stderr, exit 2, no stack trace', async () => {
  const choice = await cli(['--print', '--flavour', 'cloud'], {});
  assert.equal(choice.code, 2);
  assert.match(choice.stderr, /^provision-kibana: Invalid values: Argument: flavour, Given: "cloud", Choices: "stateful", "serverless" \(--help lists the options\)\n$/);
  const out = await cli(['--print', '--out', path.join(CLI, 'not-a-folder')], {});
  assert.equal(out.code, 2);
  assert.match(out.stderr, /^provision-kibana: --out \S+not-a-folder: cannot write there \(ENOTDIR: not a directory[^\n]*\)\n$/);
  assert.equal(out.stdout, '');
});

test('--only takes a comma-separated list, as documented, and names the kinds when one is wrong', async (t) => {
  const d = await StackDouble.start({ apiKey: API_KEY });
  t.after(() => d.close());
  const plan = await cli(['--dry-run', '--only', 'kibana.data_view,es.ilm_policy'], targetEnv(d));
  assert.equal(plan.code, 0, plan.stderr);
  assert.match(plan.stdout, /\+ create\s+es\.ilm_policy/);
  assert.match(plan.stdout, /\+ create\s+kibana\.data_view/);
  assert.doesNotMatch(plan.stdout, /kibana\.rule|kibana\.saved_object/);
  const wrong = await cli(['--dry-run', '--only', 'kibana.data_view,dashboards'], targetEnv(d));
  assert.equal(wrong.code, 2);
  assert.match(wrong.stderr, /--only "dashboards" is not a resource kind \(one of: es\.ilm_policy, /);
});

test('--request-timeout and --timeout take durations and exit 2 on anything else', async () => {
  const bad = await cli(['--dry-run', '--request-timeout', 'soon', '--timeout', '1m'], { KIBANA_URL: 'http://127.0.0.1:1', ELASTICSEARCH_URL: 'http://127.0.0.1:1', ELASTIC_API_KEY: API_KEY });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--request-timeout "soon" is not a duration/);
});

test('Ctrl-C during an apply prints the summary of what was done and exits 1', { timeout: 60_000 }, async (t) => {
  const d = await StackDouble.start({ apiKey: API_KEY });
  t.after(() => d.close());
  const running: { child?: ChildProcess } = {};
  let writes = 0;
  // A proxy in front of Kibana that holds the second write and sends Ctrl-C meanwhile.
  const proxy = createServer((req, res) => {
    if (req.method === 'POST' && ++writes === 2) {
      req.resume();
      running.child?.kill('SIGINT');
      return;
    }
    const forward = request(new URL(req.url ?? '/', d.kibanaUrl), { method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    proxy.closeAllConnections();
    proxy.close();
  });
  const env = targetEnv(d, { KIBANA_URL: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}` });
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, '--only', 'kibana.data_view', '--concurrency', '1'], { cwd: REPO_ROOT, env: { PATH: process.env.PATH, ...env } });
  running.child = child;
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  assert.equal(code, 1, stderr);
  assert.match(stderr, /SIGINT: stopping; the summary follows/);
  assert.match(stderr, /Stopped early: interrupted \(SIGINT\)/);
  assert.match(stdout, /Done: 1 created, 0 updated, 0 deleted, 0 unchanged, 1 failed, 2 not attempted\./);
  assert.equal(d.space('default').dataViews.size, 1);
});

test('--print-role prints a POST /_security/api_key body as JSON without any target or network', async () => {
  // Unreachable URLs: a request would fail the run; --print-role must not send one.
  const env = { ...definitionEnv(), KIBANA_URL: 'http://127.0.0.1:1', ELASTICSEARCH_URL: 'http://127.0.0.1:1' };
  for (const flavour of ['stateful', 'serverless']) {
    const run = await cli(['--print-role', '--flavour', flavour], env);
    assert.equal(run.code, 0, run.stderr);
    const body = JSON.parse(run.stdout) as { name: string; role_descriptors: Record<string, RoleDescriptor> };
    assert.deepEqual(Object.keys(body).sort(), ['name', 'role_descriptors']);
    const role = body.role_descriptors[body.name];
    assert.ok(role !== undefined, 'the role descriptor is named after the key');
    assert.ok(role.cluster.includes('manage_index_templates'));
    assert.equal(role.cluster.includes('manage_ilm'), flavour === 'stateful', 'no ILM on Serverless');
    assert.ok(role.indices.length > 0 && role.indices.every((i) => i.names.length > 0 && i.privileges.length > 0));
    assert.equal(role.applications[0]?.application, 'kibana-.kibana');
    assert.doesNotMatch(run.stderr, /connection refused/);
  }
});

test('--uninstall --dry-run lists what would be removed and writes nothing', async (t) => {
  const d = await StackDouble.start({ apiKey: API_KEY });
  t.after(() => d.close());
  const env = targetEnv(d);
  const apply = await cli(['--only', 'kibana.data_view,es.component_template'], env);
  assert.equal(apply.code, 0, apply.stderr);
  const since = d.requests.length;
  const plan = await cli(['--uninstall', '--dry-run'], env);
  assert.equal(plan.code, 0, plan.stderr);
  assert.match(plan.stdout, /Uninstall plan \(dry run, nothing is removed\)/);
  for (const id of d.space('default').dataViews.keys()) assert.match(plan.stdout, new RegExp(`- delete +kibana\\.data_view +${id}`));
  assert.match(plan.stdout, /- delete +es\.component_template logs-kubernetes\.container_logs@custom/);
  assert.match(plan.stdout, /removes this project's key\(s\): template\.settings\.index\.lifecycle\.name/);
  assert.deepEqual(d.writes(since), []);
  assert.ok(d.space('default').dataViews.size > 0);
});
