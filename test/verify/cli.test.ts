/** The commands as users run them: child processes, flags parsed by yargs, exit codes at the edge. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../support/contracts.js';
import type { Report } from '../../scripts/verify/report.js';
import { API_KEY } from '../provision/helpers.js';
import { healthyWorld } from './world.js';

function run(script: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', path.join(REPO_ROOT, 'scripts', script, 'cli.ts'), ...args],
      { cwd: REPO_ROOT, env: { PATH: process.env.PATH, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: unknown }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

test('npm run verify -- --json against a healthy stack exits 0 with a JSON report and no credential in its output', async (t) => {
  const world = await healthyWorld(t);
  const r = await run('verify', ['--json', '--timeout', '5', '--poll', '1'], world.env);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const report = JSON.parse(r.stdout) as Report;
  assert.equal(report.passed, true);
  assert.ok(!`${r.stdout}${r.stderr}`.includes(API_KEY));
});

test('npm run verify exits 2 without a target, and 1 when a check fails', async (t) => {
  const missing = await run('verify', [], {});
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /KIBANA_URL is not set/);
  const world = await healthyWorld(t);
  world.data.docs.clear();
  const failing = await run('verify', ['--timeout', '1', '--poll', '1'], world.env);
  assert.equal(failing.code, 1);
  assert.match(failing.stdout, /FAIL {2}signals {7}signal:logs/);
});

test('npm run drill refuses a scenario that cannot show anything, with exit 2, and needs a scenario', async (t) => {
  const world = await healthyWorld(t);
  const refused = await run('drill', ['slow-burn', '--duration', '30', '--base-url', 'http://127.0.0.1:9'], world.env);
  assert.equal(refused.code, 2, refused.stderr);
  assert.match(refused.stderr, /refused: scenario slow-burn cannot show any of the alerts it should fire here/);
  const none = await run('drill', [], world.env);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /Not enough non-option arguments/);
});

test('a usage mistake is one line naming the tool and the problem, exit 2, for verify and drill alike', async () => {
  for (const [script, args, problem] of [
    ['verify', ['--bogus-flag'], /^verify: Unknown argument: --bogus-flag \(--help lists the options\)\n$/],
    ['drill', [], /^drill: Not enough non-option arguments: got 0, need at least 1 \(--help lists the options\)\n$/],
  ] as const) {
    const r = await run(script, [...args], {});
    assert.equal(r.code, 2, `${script}: ${r.stderr}`);
    assert.match(r.stderr, problem);
  }
});
