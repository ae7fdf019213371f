import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { median, summarise, TABLE_COLUMNS, formatTable, type BenchReport } from './report.js';
import { roundOrder, type Measurement } from './runner.js';
import { startSink } from './sink.js';
import { pacingScript, parseWrk, resolveGenerator } from './wrk.js';
import { loadVariantFile, REPO_ROOT, selectVariants, UsageError, VARIANTS, VariantError } from './variants.js';

const run = promisify(execFile);

test('the median of an odd and an even number of values', () => {
  assert.equal(median([5, 1, 3]), 3);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.ok(Number.isNaN(median([])));
});

test('rounds rotate the variant order so every variant runs first once', () => {
  const names = ['bare', 'a', 'b'];
  assert.deepEqual(roundOrder(names, 0), ['bare', 'a', 'b']);
  assert.deepEqual(roundOrder(names, 1), ['a', 'b', 'bare']);
  assert.deepEqual(roundOrder(names, 3), ['bare', 'a', 'b']);
});

function load(rps: number, p99: number) {
  return { requestsPerSecond: rps, latencyP50Ms: p99 / 4, latencyP99Ms: p99, latencyMeanMs: p99 / 3, requests: rps, status2xx: rps, non2xx: 0, errors: 0, timeouts: 0, durationSeconds: 1 };
}

function measurement(variant: string, round: number, rps: number, p99: number, fixedRate?: { rps: number; p99: number }): Measurement {
  return {
    variant,
    round,
    load: load(rps, p99),
    ...(fixedRate === undefined ? {} : { fixedRate: load(fixedRate.rps, fixedRate.p99) }),
    logLinesDropped: variant === 'bare' ? NaN : 0,
    cpuPercent: 100,
    cpuMicrosPerRequest: 1e6 / rps,
    rssPeakMiB: 100,
    logLinesPerRequest: variant === 'bare' ? 0 : 1,
    logBytesPerRequest: 0,
    exported: {},
    loadAverage: 0.5,
  };
}

test('ratios to bare are taken within each round, then the median across rounds', () => {
  const variants = selectVariants(['bare', 'otel']);
  // Round 2 is slow for both: per-round ratios stay 0.5 although the absolute numbers halve.
  const ms = [measurement('bare', 1, 1000, 10), measurement('otel', 1, 500, 20), measurement('bare', 2, 400, 40), measurement('otel', 2, 200, 80), measurement('bare', 3, 1000, 10), measurement('otel', 3, 500, 20)];
  const report = summarise(variants, ms, { durationSeconds: 1, warmupSeconds: 0, connections: 1, rounds: 3, path: '/api/users', rate: 0, generator: 'wrk' }, { cpus: 2, cpuModel: 'x', totalMemoryMiB: 1, node: '26.10.0', platform: 'linux' });
  const otel = report.variants.find((v) => v.variant === 'otel');
  assert.equal(otel?.requestsPerSecond, 500);
  assert.equal(otel?.vsBare.throughput, 0.5);
  assert.equal(otel?.vsBare.latencyP99, 2);
  assert.equal(otel?.vsBare.fixedRateP99, null, 'no fixed-rate phase, no ratio');
  const throughput = report.targets.find((t) => t.variant === 'otel' && t.measure === 'throughput');
  assert.deepEqual([throughput?.met, throughput?.aimMet], [true, false]);
  const table = formatTable(report);
  assert.match(table, /^Node 26\.10\.0 /m);
  assert.match(table, /target \(otel throughput >= 0\.5x bare\): MET \(0\.50x; aim 0\.6x: NOT MET\)/);
  assert.doesNotMatch(table, /p99 at/, 'no fixed-rate target without a fixed-rate phase');
});

test('the fixed-rate p99 target compares each round with bare at the same rate, and drops are shown', () => {
  const variants = selectVariants(['bare', 'metrics-logs', 'otel']);
  const ms = [
    measurement('bare', 1, 1000, 10, { rps: 100, p99: 2 }),
    { ...measurement('metrics-logs', 1, 850, 11, { rps: 100, p99: 2.2 }), logLinesDropped: 7 },
    measurement('otel', 1, 500, 20, { rps: 90, p99: 4 }),
  ];
  const report = summarise(variants, ms, { durationSeconds: 1, warmupSeconds: 0, connections: 1, rounds: 1, path: '/api/users', rate: 100, generator: 'autocannon' }, { cpus: 2, cpuModel: 'x', totalMemoryMiB: 1, node: '26.10.0', platform: 'linux' });
  const byName = new Map(report.targets.map((t) => [`${t.variant} ${t.measure}`, t]));
  assert.deepEqual([byName.get('metrics-logs throughput')?.ratio, byName.get('metrics-logs throughput')?.met], [0.85, true]);
  assert.deepEqual([byName.get('otel fixedRateP99')?.ratio, byName.get('otel fixedRateP99')?.met], [2, false]);
  const table = formatTable(report);
  assert.match(table, /target \(otel p99 at 100 req\/s <= 1\.5x bare\): NOT MET \(2\.00x\)/);
  assert.match(table, /warning: metrics-logs: 7 log lines dropped/);
  assert.match(table, /warning: otel did not keep up with 100 req\/s/);
});

const WRK_OUTPUT = `Running 5s test @ http://127.0.0.1:38411/api/users
  1 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.63ms  812.00us  18.41ms   90.12%
    Req/Sec    21.93k     1.20k   23.10k    70.00%
  Latency Distribution
     50%  812.00us
     75%    1.51ms
     90%    2.80ms
     99%    1.02s
  110792 requests in 5.05s, 38.57MB read
  Socket errors: connect 0, read 2, write 1, timeout 3
  Non-2xx or 3xx responses: 4
Requests/sec:  21934.79
Transfer/sec:      7.64MB
`;

test('wrk output becomes a load result with its percentiles in milliseconds and its errors counted', () => {
  const r = parseWrk(WRK_OUTPUT);
  assert.equal(r.requests, 110792);
  assert.equal(r.durationSeconds, 5.05);
  assert.equal(r.requestsPerSecond, 110792 / 5.05);
  assert.equal(r.latencyP50Ms, 0.812);
  assert.equal(r.latencyP99Ms, 1020);
  assert.equal(r.latencyMeanMs, 1.63);
  assert.deepEqual([r.non2xx, r.status2xx, r.errors, r.timeouts], [4, 110788, 3, 3]);
  assert.throws(() => parseWrk('wrk: connection refused'), /unexpected wrk output/);
});

test('auto picks wrk when installed and autocannon otherwise; asking for a missing wrk is a usage error', () => {
  assert.equal(resolveGenerator('auto', () => true), 'wrk');
  assert.equal(resolveGenerator('auto', () => false), 'autocannon');
  assert.equal(resolveGenerator('autocannon', () => true), 'autocannon');
  assert.throws(() => resolveGenerator('wrk', () => false), (err: Error) => err instanceof UsageError && /wrk is not installed/.test(err.message));
});

test('a bad option exits 2 with the problem alone, not the whole help', async () => {
  const bad = await run(process.execPath, ['--import', 'tsx', 'scripts/bench/cli.ts', '--rounds', '0', '--rate', '-5'], { cwd: REPO_ROOT }).then(
    () => assert.fail('the bench accepted bad options'),
    (err: { code: number; stderr: string; stdout: string }) => err,
  );
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--rounds must be an integer from 1 to 50/);
  assert.match(bad.stderr, /--rate must be an integer from 0 to 1000000/);
  assert.doesNotMatch(bad.stderr, /--start-timeout/, 'the help is not printed');
  const unknown = await run(process.execPath, ['--import', 'tsx', 'scripts/bench/cli.ts', '--bogus'], { cwd: REPO_ROOT }).then(
    () => assert.fail('the bench accepted an unknown option'),
    (err: { code: number; stderr: string }) => err,
  );
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /Unknown argument: bogus/);
});

test('a variant file extends catalogue variants and rejects unknown bases', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-variants-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const good = join(dir, 'good.json');
  writeFileSync(good, JSON.stringify([{ name: 'otel-bsp', base: 'otel', env: { OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '1024' }, serviceDir: 'copy', stdout: 'null' }]));
  const [v] = loadVariantFile(good);
  assert.equal(v?.stdout, 'null');
  assert.equal(v?.kind, 'service');
  assert.equal(v?.env.OTEL_BSP_MAX_EXPORT_BATCH_SIZE, '1024');
  assert.equal(v?.env.APM_AGENT, VARIANTS.otel?.env.APM_AGENT);
  assert.equal(v?.serviceDir, join(dir, 'copy'));
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, JSON.stringify([{ name: 'x', base: 'nope' }, { name: 'Bad Name', base: 'otel' }, { name: 'y', base: 'otel', stdout: 'socket' }]));
  assert.throws(
    () => loadVariantFile(bad),
    (err: Error) => err instanceof VariantError && /\[0\]\.base/.test(err.message) && /\[1\]\.name/.test(err.message) && /\[2\]\.stdout/.test(err.message),
  );
  assert.throws(() => selectVariants(['bare', 'missing']), /unknown variant\(s\): missing/);
});

test('the committed candidate variants load and extend catalogue variants under new names', () => {
  const candidates = loadVariantFile(join(REPO_ROOT, 'scripts/bench/candidates.json'));
  assert.ok(candidates.length > 0);
  for (const c of candidates) assert.ok(!(c.name in VARIANTS), `${c.name} shadows a catalogue variant`);
  assert.deepEqual(selectVariants(['bare', ...candidates.map((c) => c.name)], candidates).length, candidates.length + 1);
});

test('the sink answers OTLP with 200, APM intake with 202, and serves APM server info and agent config', async (t) => {
  const sink = await startSink();
  t.after(() => sink.close());
  const otlp = await fetch(`${sink.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: new Uint8Array([10, 0]) });
  assert.equal(otlp.status, 200);
  assert.equal(otlp.headers.get('content-type'), 'application/x-protobuf');
  assert.equal((await otlp.arrayBuffer()).byteLength, 0);
  const otlpJson = await fetch(`${sink.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"resourceSpans":[]}' });
  assert.deepEqual(await otlpJson.json(), {});
  const intake = await fetch(`${sink.url}/intake/v2/events`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: '{"metadata":{}}\n' });
  assert.equal(intake.status, 202);
  await intake.arrayBuffer();
  const info = (await (await fetch(`${sink.url}/`)).json()) as { version?: string };
  assert.match(info.version ?? '', /^\d+\.\d+\.\d+$/);
  const config = await fetch(`${sink.url}/config/v1/agents?service.name=sample-service`);
  assert.equal(config.status, 200);
  assert.deepEqual(await config.json(), {});
  const missing = await fetch(`${sink.url}/v1/nothing`, { method: 'POST', body: 'x' });
  assert.equal(missing.status, 404);
  await missing.arrayBuffer();
  const stats = sink.stats();
  assert.deepEqual(stats['otlp-traces'], { requests: 2, bytes: 2 + '{"resourceSpans":[]}'.length });
  assert.equal(stats['apm-intake']?.requests, 1);
});

test('a short bench round of bare and full OpenTelemetry prints the table, writes the JSON and serves requests in every variant', { timeout: 180_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-smoke-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const jsonFile = join(dir, 'out.json');
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', 'scripts/bench/cli.ts', '--variants', 'bare,otel', '--rounds', '1', '--duration', '1', '--warmup', '1', '--connections', '10', '--rate', '200', '--json', jsonFile],
    { cwd: REPO_ROOT, timeout: 170_000, killSignal: 'SIGTERM', maxBuffer: 10 * 1024 * 1024 },
  );
  const lines = stdout.trim().split('\n');
  const header = lines.find((l) => l.startsWith('variant'));
  assert.ok(header !== undefined, `no table header in:\n${stdout}`);
  for (const col of TABLE_COLUMNS) assert.ok(header.includes(col), `column ${col} missing`);
  assert.ok(lines.some((l) => /^bare\s+\d+\s+1\.00x/.test(l)), `no bare row in:\n${stdout}`);
  assert.ok(lines.some((l) => /^otel\s+\d+\s+\d+\.\d\dx/.test(l)), `no otel row in:\n${stdout}`);
  assert.match(stdout, /^target \(otel throughput/m);
  assert.match(stdout, /^target \(otel p99 at 200 req\/s/m);

  const report = JSON.parse(readFileSync(jsonFile, 'utf8')) as BenchReport;
  assert.deepEqual(report.variants.map((v) => v.variant), ['bare', 'otel']);
  assert.equal(report.settings.rounds, 1);
  assert.equal(report.measurements.length, 2);
  assert.ok(report.machine.cpus >= 1);
  for (const v of report.variants) {
    assert.ok(v.requests > 0, `${v.variant} served no requests`);
    assert.equal(v.non2xx, 0, `${v.variant} answered non-2xx`);
    assert.ok(v.requestsPerSecond > 0 && v.latencyP99Ms >= v.latencyP50Ms);
    // CPU is counted in clock ticks (10 ms): a starved 1 s window may show 0, never NaN.
    assert.ok(Number.isFinite(v.cpuPercent) && v.cpuPercent >= 0 && v.rssPeakMiB > 0, `${v.variant}: CPU and RSS were not sampled`);
    assert.ok(typeof v.vsBare.throughput === 'number');
  }
  const bare = report.variants[0];
  const otel = report.variants[1];
  assert.ok((bare?.logLinesPerRequest ?? 1) < 0.01, 'the bare app logs nothing per request');
  // The service writes one ECS access log line per request (plus a few start/stop lines).
  assert.ok((otel?.logLinesPerRequest ?? 0) >= 1, `otel wrote ${otel?.logLinesPerRequest} log lines per request`);
  assert.equal(otel?.logLinesDropped, 0, 'the service counted no dropped log line');
  // NaN in the report, null in its JSON.
  assert.ok(!Number.isFinite(bare?.logLinesDropped ?? NaN), 'the bare app has no drop counter');
  assert.ok((otel?.fixedRateP99Ms ?? 0) > 0 && typeof otel?.vsBare.fixedRateP99 === 'number', 'the fixed-rate phase was measured');
  // The batch span processor exports as soon as 512 spans are queued: beyond 1024 requests in the
  // measured second at least one export must have reached the sink.
  if ((otel?.requests ?? 0) >= 1024) assert.ok((otel?.exported['otlp-traces']?.bytes ?? 0) > 0, 'no spans reached the OTLP sink');
});

test('the fixed rate paces each wrk connection with a random gap whose mean spreads the rate over the connections', () => {
  const script = pacingScript(1000, 50);
  const mean = Number(/local mean = ([\d.]+)/.exec(script)?.[1]);
  assert.equal(mean, 50);
  // The delay() the script defines, evaluated as wrk's Lua does: floor(uniform[0, 2 * mean) + 0.5).
  const delay = (u: number): number => Math.floor(u * 2 * mean + 0.5);
  assert.match(script, /function delay\(\) return math\.floor\(math\.random\(\) \* 2 \* mean \+ 0\.5\) end/);
  const samples = Array.from({ length: 10_000 }, (_, i) => delay((i + 0.5) / 10_000));
  const average = samples.reduce((a, b) => a + b, 0) / samples.length;
  assert.ok(Math.abs(average - 50) < 0.1, `mean gap ${average} ms`);
  assert.equal(Math.min(...samples), 0);
  assert.equal(Math.max(...samples), 100);
  assert.equal(Number(/local mean = ([\d.]+)/.exec(pacingScript(3000, 50))?.[1]), 16.667);
  assert.throws(() => pacingScript(60_000, 50), (err: Error) => err instanceof UsageError && /at most 50000 req\/s/.test(err.message));
});
