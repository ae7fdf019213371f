/** The command as users run it: a child process, flags parsed by yargs, exit codes from the engine. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../support/contracts.js';
import { StackDouble } from '../support/stack-double.js';
import { API_KEY, targetEnv } from './helpers.js';

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
  assert.match(down.stderr, /Elasticsearch at http:\/\/127\.0\.0\.1:1 \(ELASTICSEARCH_URL\) unreachable: connection refused/);
});
