/**
 * `make verify` against the stack double: a healthy stack passes, and each kind of breakage fails
 * with the message that names it. No check passes without having looked at data.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { check, healthyWorld, runVerify } from './world.js';

test('a healthy, provisioned stack with every signal passes every check and exits 0', async (t) => {
  const world = await healthyWorld(t);
  const run = await runVerify(world);
  const failed = run.result.report?.checks.filter((c) => c.status === 'fail') ?? [];
  assert.deepEqual(failed, [], run.out);
  assert.equal(run.result.exitCode, 0);
  assert.match(run.out, /PASS\s+signals\s+signal:logs/);
  assert.match(check(run, 'signal:traces').detail, /latest 30 s ago/);
});
