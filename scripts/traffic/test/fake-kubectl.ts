/**
 * A fake `kubectl` for port-forward tests: an executable script put first on PATH. It records its
 * arguments and pid, then behaves as FAKE_KUBECTL_MODE says:
 *   serve (default): starts an HTTP server on a free 127.0.0.1 port that answers every request
 *     with 200, and prints kubectl's "Forwarding from 127.0.0.1:<port> -> 8080" line; runs until
 *     killed.
 *   fail: prints kubectl's error for a missing service on stderr and exits 1.
 *   silent: prints nothing and runs until killed (a port-forward that never becomes ready).
 *   no-context: kubectl without a current context. `config current-context` fails with kubectl's
 *     message; port-forward repeats kubectl's connection error for its default localhost:8080.
 * `config current-context` is not recorded; it answers `fake-context` in every other mode.
 */
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

const SCRIPT = `#!${process.execPath}
'use strict';
const fs = require('node:fs');
const http = require('node:http');
const mode = process.env.FAKE_KUBECTL_MODE || 'serve';
if (process.argv[2] === 'config' && process.argv[3] === 'current-context') {
  if (mode === 'no-context') {
    process.stderr.write('error: current-context is not set\\n');
    process.exit(1);
  }
  process.stdout.write('fake-context\\n');
  process.exit(0);
}
fs.writeFileSync(process.env.FAKE_KUBECTL_RECORD, JSON.stringify({ pid: process.pid, args: process.argv.slice(2) }));
if (mode === 'no-context') {
  for (let i = 0; i < 5; i++) process.stderr.write('E1207 memcache.go:265] couldn\\'t get current server API group list: Get "http://localhost:8080/api?timeout=32s": dial tcp 127.0.0.1:8080: connect: connection refused\\n');
  process.stderr.write('The connection to the server localhost:8080 was refused - did you specify the right host or port?\\n');
  process.exit(1);
}
if (mode === 'fail') {
  process.stderr.write('Error from server (NotFound): services "sample-service" not found\\n');
  process.exit(1);
}
if (mode === 'silent') {
  setInterval(() => {}, 1000);
} else {
  let served = 0;
  const server = http.createServer((req, res) => {
    served++;
    fs.writeFileSync(process.env.FAKE_KUBECTL_RECORD + '.served', String(served));
    res.setHeader('content-type', 'application/json');
    res.end('{"status":"ok"}');
  });
  server.listen(0, '127.0.0.1', () => {
    const port = server.address().port;
    process.stdout.write('Forwarding from 127.0.0.1:' + port + ' -> 8080\\n');
  });
}
`;

export type FakeKubectlMode = 'serve' | 'fail' | 'silent' | 'no-context';

export interface FakeKubectl {
  /** Directory holding the `kubectl` script: put it first on PATH. */
  readonly dir: string;
  readonly bin: string;
  /** Where each invocation records its pid and arguments. */
  readonly recordFile: string;
  /** Environment for a child process that should find the fake first. */
  env(mode?: FakeKubectlMode): NodeJS.ProcessEnv;
  /** What the last fake invocation recorded. */
  record(): Promise<{ pid: number; args: string[] }>;
  /** Requests the fake's server answered. */
  served(): Promise<number>;
  remove(): Promise<void>;
}

export async function createFakeKubectl(): Promise<FakeKubectl> {
  const dir = await mkdtemp(path.join(tmpdir(), 'fake-kubectl-'));
  const bin = path.join(dir, 'kubectl');
  const recordFile = path.join(dir, 'record.json');
  await writeFile(bin, SCRIPT);
  await chmod(bin, 0o755);
  return {
    dir,
    bin,
    recordFile,
    env: (mode = 'serve') => ({
      ...process.env,
      PATH: `${dir}${path.delimiter}${process.env.PATH ?? ''}`,
      FAKE_KUBECTL_RECORD: recordFile,
      FAKE_KUBECTL_MODE: mode,
    }),
    record: async () => JSON.parse(await readFile(recordFile, 'utf8')) as { pid: number; args: string[] },
    served: async () => Number(await readFile(`${recordFile}.served`, 'utf8').catch(() => '0')),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** True while a process with this pid exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
