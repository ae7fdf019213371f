/**
 * The command line: help and usage errors through the parser in-process; an unreachable target,
 * invalid values and the shell wrapper as users run them, in child processes.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../../../test/support/contracts.js';
import { usageMessage } from '../../cli-usage.js';
import { parseOnly } from '../cli.js';
import { EXAMPLES } from '../commands/run.js';
import { listScenarios } from '../commands/scenarios.js';
import { EXIT_CODES, TrafficError } from '../errors.js';
import { SCENARIO_NAMES } from '../scenarios.js';

const execFileAsync = promisify(execFile);

interface Result {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function run(file: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Result> {
  try {
    const { stdout, stderr } = await execFileAsync(file, args, { cwd: REPO_ROOT, env, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw error;
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

function cli(args: string[]): Promise<Result> {
  return run(process.execPath, ['--import', 'tsx', 'scripts/traffic/cli.ts', ...args]);
}

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('traffic command line', () => {
  it('lists every option, the scenarios and examples in --help', async () => {
    const { output } = await parseOnly(['--help']);
    for (const option of [
      '--base-url',
      '--port-forward',
      '--namespace',
      '--port-forward-timeout',
      '--rps',
      '--concurrency',
      '--scenario',
      '--seed',
      '--json',
      '--max-requests',
      '--timeout',
      '--correlation-share',
      '--progress',
      '--help',
    ]) {
      assert.match(output, new RegExp(`${option}\\b`), `help lists ${option}`);
    }
    for (const name of SCENARIO_NAMES) assert.ok(output.includes(`"${name}"`), `help lists scenario ${name}`);
    assert.match(output, /\[duration\]/);
    assert.match(output, /default: http:\/\/localhost:8080/);
  });

  it('prints each help example command whole, on a line of its own', async () => {
    const { output } = await parseOnly(['--help']);
    const lines = output.split('\n');
    for (const [command] of EXAMPLES) {
      const whole = command.replace('$0', 'npm run traffic --');
      assert.ok(lines.includes(`  ${whole}`), `help shows "${whole}" on one line`);
    }
  });

  it('names an unknown option once, as typed', async () => {
    await assert.rejects(parseOnly(['--bogus-flag']), (e: unknown) => e instanceof TrafficError && /Unknown argument: --bogus-flag$/m.test(e.message));
    assert.equal(usageMessage('Unknown arguments: bogus-flag, bogusFlag, x'), 'Unknown arguments: --bogus-flag, -x');
  });

  it('says an option needs a value instead of failing unexpectedly', async () => {
    await assert.rejects(parseOnly(['--rps']), (e: unknown) => e instanceof TrafficError && e.exitCode === EXIT_CODES.usage && /--rps needs a value/.test(e.message));
  });

  it('echoes a bad numeric value as typed, not as null', async () => {
    const { code, stderr } = await cli(['abc', '--rps', 'fast', '--timeout', '1e']);
    assert.equal(code, EXIT_CODES.usage);
    assert.match(stderr, /duration must be .*, got "abc"/);
    assert.match(stderr, /--rps must be .*, got "fast"/);
    assert.match(stderr, /--timeout must be .*, got "1e"/);
    assert.doesNotMatch(stderr, /null/);
  });

  it('exits non-zero with a clear message when the target never answers', async () => {
    const port = await closedPort();
    const { code, stdout, stderr } = await cli(['10', '--base-url', `http://127.0.0.1:${port}`, '--json']);
    assert.equal(code, EXIT_CODES.unreachable);
    assert.match(stderr, new RegExp(`no response from http://127\\.0\\.0\\.1:${port}`));
    assert.match(stderr, /ECONNREFUSED/);
    assert.match(stderr, /--port-forward/);
    const summary = JSON.parse(stdout) as { reachable: boolean; stopReason: string; sent: number };
    assert.equal(summary.reachable, false);
    assert.equal(summary.stopReason, 'unreachable');
    assert.ok(summary.sent < 20, 'stopped early instead of running the full 10 s');
  });

  it('reports every invalid option at once with the usage exit code', async () => {
    const { code, stderr } = await cli(['-5', '--rps', '0', '--concurrency', '0', '--correlation-share', '3']);
    assert.equal(code, EXIT_CODES.usage);
    assert.match(stderr, /duration must be/);
    assert.match(stderr, /--rps must be/);
    assert.match(stderr, /--concurrency must be/);
    assert.match(stderr, /--correlation-share must be/);
  });

  it('rejects unknown options and scenarios as usage errors', async () => {
    await assert.rejects(parseOnly(['--rsp', '5']), (e: unknown) => e instanceof TrafficError && e.exitCode === EXIT_CODES.usage && /Unknown argument: --rsp/.test(e.message));
    await assert.rejects(parseOnly(['--scenario', 'meltdown']), (e: unknown) => e instanceof TrafficError && /Choices: "steady"/.test(e.message));
  });

  it('lists the scenarios with their expected alerts as JSON', () => {
    let stdout = '';
    listScenarios(true, { write: (chunk: string) => (stdout += chunk) });
    const scenarios = JSON.parse(stdout) as { name: string; expectFire: string[]; expectQuiet: string[] }[];
    assert.deepEqual(
      scenarios.map((s) => s.name),
      [...SCENARIO_NAMES],
    );
    assert.ok(scenarios.every((s) => Array.isArray(s.expectFire) && Array.isArray(s.expectQuiet)));
  });
});

describe('scripts/generate-traffic.sh', () => {
  const wrapper = path.join(REPO_ROOT, 'scripts', 'generate-traffic.sh');

  it('passes its arguments to the generator (--help)', async () => {
    const { code, stdout } = await run(wrapper, ['--help']);
    assert.equal(code, 0);
    assert.match(stdout, /^generate-traffic\.sh \[duration\]/);
    assert.match(stdout, /--port-forward/);
  });

  it('tells the user to run npm ci when dependencies are missing', async (t) => {
    const clone = await mkdtemp(path.join(tmpdir(), 'traffic-clone-'));
    t.after(() => rm(clone, { recursive: true, force: true }));
    await mkdir(path.join(clone, 'scripts'));
    await copyFile(wrapper, path.join(clone, 'scripts', 'generate-traffic.sh'));
    const { code, stderr } = await run(path.join(clone, 'scripts', 'generate-traffic.sh'), ['60']);
    assert.equal(code, 1);
    assert.match(stderr, /run 'npm ci'/);
  });
});
