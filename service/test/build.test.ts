import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseLogLines, REPO_ROOT } from './support/spawn-service.js';

const dockerfile = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .filter((l) => l.trim() !== '' && !l.trim().startsWith('#'))
  .map((l) => l.trim());

describe('Dockerfile', () => {
  it('copies only paths that exist in the repository', () => {
    const copies = instructions.filter((l) => l.startsWith('COPY ') && !l.includes('--from='));
    assert.ok(copies.length > 0);
    for (const copy of copies) {
      const parts = copy.split(/\s+/).slice(1).filter((p) => !p.startsWith('--'));
      for (const src of parts.slice(0, -1)) assert.ok(existsSync(join(REPO_ROOT, src)), `${src} does not exist`);
    }
  });

  it('uses a slim Node LTS image pinned by major in every stage', () => {
    const major = /^ARG NODE_MAJOR=(\d+)$/m.exec(dockerfile)?.[1];
    assert.ok(major !== undefined && Number(major) % 2 === 0, 'an even (LTS) Node major');
    const froms = instructions.filter((l) => l.startsWith('FROM '));
    assert.ok(froms.length >= 2, 'multi-stage');
    for (const f of froms) assert.match(f, /^FROM node:\$\{NODE_MAJOR\}-slim AS \w+$/);
  });

  it('runs as a numeric non-root user with the instrumentation loaded first, in exec form', () => {
    const user = instructions.filter((l) => l.startsWith('USER ')).at(-1);
    assert.match(user ?? '', /^USER [1-9]\d*:[1-9]\d*$/);
    const entry = instructions.filter((l) => l.startsWith('ENTRYPOINT ')).at(-1) ?? '';
    const argv = JSON.parse(entry.slice('ENTRYPOINT '.length)) as string[];
    assert.equal(argv[0], 'node');
    const importAt = argv.indexOf('--import');
    assert.equal(argv[importAt + 1], './dist/instrumentation.js');
    assert.equal(argv.at(-1), 'dist/main.js');
    assert.ok(!dockerfile.includes('npm start'), 'npm would sit between the signal and node');
    assert.match(dockerfile, /npm prune --omit=dev/);
  });
});

describe('production build', () => {
  it('compiles to the files the start command and the image run, which serve and stop cleanly', async (t) => {
    // Inside the repository so that node_modules and package.json resolve as they do from dist/.
    const cacheDir = join(REPO_ROOT, 'node_modules', '.cache');
    mkdirSync(cacheDir, { recursive: true });
    const outDir = mkdtempSync(join(cacheDir, 'sample-service-build-'));
    t.after(() => rmSync(outDir, { recursive: true, force: true }));
    const tsc = spawnSync(process.execPath, [join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', outDir], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    });
    assert.equal(tsc.status, 0, `tsc failed:\n${tsc.stdout}${tsc.stderr}`);
    for (const f of ['instrumentation.js', 'main.js']) assert.ok(existsSync(join(outDir, f)), `${f} not built`);

    const child = spawn(process.execPath, ['--enable-source-maps', '--import', join(outDir, 'instrumentation.js'), join(outDir, 'main.js')], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    t.after(() => child.kill('SIGKILL'));
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const deadline = Date.now() + 20_000;
    let port: number | undefined;
    while (port === undefined && Date.now() < deadline) {
      port = parseLogLines(out).find((l) => l.message === 'server listening')?.['server.port'] as number | undefined;
      if (port === undefined) await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(port !== undefined, `built service did not start:\n${out}`);
    for (const path of ['/health', '/ready', '/api/users', '/metrics']) {
      assert.equal((await fetch(`http://127.0.0.1:${port}${path}`)).status, 200, path);
    }
    const version = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    const health = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as { version: string };
    assert.equal(health.version, version, 'version read from package.json next to the build');
    child.kill('SIGTERM');
    assert.equal(await exit, 0);
  });
});
