import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CONFIG_ERROR_EXIT_CODE, ConfigError, loadConfig } from '../src/config.js';
import { spawnService } from './support/spawn-service.js';

function problems(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
  assert.fail('expected a ConfigError');
}

describe('configuration', () => {
  it('has the documented defaults', () => {
    const c = loadConfig({});
    assert.equal(c.port, 8080);
    assert.equal(c.host, undefined);
    assert.equal(c.logLevel, 'info');
    assert.equal(c.flakyFailureRate, 0.3);
    assert.equal(c.slowMinMs, 2000);
    assert.equal(c.slowMaxMs, 5000);
    assert.equal(c.shutdownDelayMs, 0);
    assert.equal(c.shutdownGraceMs, 10_000);
    assert.equal(c.bodyLimitBytes, 16 * 1024);
    assert.equal(c.randomSeed, undefined);
    assert.equal(c.service.name, 'sample-service');
    assert.equal(c.service.environment, 'development');
    assert.equal(c.service.commit, 'unknown');
    assert.match(c.service.version, /^\d+\.\d+\.\d+/);
    assert.equal(c.tracing.agent, 'otel');
    assert.equal(c.tracing.protocol, 'http/protobuf');
    assert.equal(c.tracing.otelEnabled, false, 'no endpoint: tracing off');
  });

  it('is frozen', () => {
    const c = loadConfig({});
    assert.ok(Object.isFrozen(c) && Object.isFrozen(c.service) && Object.isFrozen(c.tracing));
  });

  it('reads every variable', () => {
    const c = loadConfig({
      PORT: '9090', HOST: '127.0.0.1', LOG_LEVEL: 'DEBUG', FLAKY_FAILURE_RATE: '0.05', SLOW_MIN_MS: '10', SLOW_MAX_MS: '10',
      SHUTDOWN_DELAY_MS: '5000', SHUTDOWN_GRACE_MS: '20000', BODY_LIMIT: '1mb', RANDOM_SEED: '42', GIT_COMMIT: 'abc1234',
      SERVICE_VERSION: '1.2.3', POD_NAME: 'pod-1', OTEL_SERVICE_NAME: 'renamed',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=production,service.name=ignored',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'https://apm-server-apm-http.elastic-stack.svc:8200/',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.25',
    });
    assert.deepEqual(
      [c.port, c.host, c.logLevel, c.flakyFailureRate, c.slowMinMs, c.slowMaxMs, c.shutdownDelayMs, c.shutdownGraceMs, c.bodyLimitBytes, c.randomSeed],
      [9090, '127.0.0.1', 'debug', 0.05, 10, 10, 5000, 20000, 1024 * 1024, 42],
    );
    assert.deepEqual({ ...c.service }, { name: 'renamed', version: '1.2.3', environment: 'production', nodeName: 'pod-1', commit: 'abc1234' });
    assert.equal(c.tracing.otelEnabled, true);
    assert.equal(c.tracing.tracesEndpoint, 'https://apm-server-apm-http.elastic-stack.svc:8200/v1/traces');
    assert.equal(c.tracing.samplerArg, 0.25);
  });

  it('accepts the older deployment.environment resource attribute', () => {
    assert.equal(loadConfig({ OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=qa' }).service.environment, 'qa');
  });

  it('keeps the gRPC endpoint as given and prefers the traces-specific endpoint', () => {
    assert.equal(loadConfig({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4317' }).tracing.tracesEndpoint, 'http://c:4317');
    const c = loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://b:4318/custom' });
    assert.equal(c.tracing.tracesEndpoint, 'http://b:4318/custom');
  });

  it('turns tracing off when the SDK is disabled or another agent is chosen', () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318' };
    assert.equal(loadConfig({ ...endpoint, OTEL_SDK_DISABLED: 'true' }).tracing.otelEnabled, false);
    assert.equal(loadConfig({ ...endpoint, APM_AGENT: 'none' }).tracing.otelEnabled, false);
    assert.equal(loadConfig({ ...endpoint, APM_AGENT: 'elastic' }).tracing.otelEnabled, false);
  });

  it('starts the SDK without an endpoint only when OTEL_TRACES_EXPORTER=none asks for unexported spans', () => {
    const c = loadConfig({ OTEL_TRACES_EXPORTER: 'none' });
    assert.equal(c.tracing.exporter, 'none');
    assert.equal(c.tracing.otelEnabled, true);
    const console = problems({ OTEL_TRACES_EXPORTER: 'console' });
    assert.match(console[0]!, /stdout/);
  });

  it('lists every bad value in one error', () => {
    const found = problems({
      PORT: '80a', LOG_LEVEL: 'loud', FLAKY_FAILURE_RATE: '1.5', SLOW_MIN_MS: '9000', SLOW_MAX_MS: '100',
      SHUTDOWN_GRACE_MS: '-1', BODY_LIMIT: '10 gigabytes', RANDOM_SEED: 'x', APM_AGENT: 'datadog',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'thrift', OTEL_EXPORTER_OTLP_ENDPOINT: 'apm:8200', OTEL_TRACES_SAMPLER: 'sometimes',
      OTEL_SDK_DISABLED: 'maybe', OTEL_RESOURCE_ATTRIBUTES: 'novalue', OTEL_EXPORTER_OTLP_CERTIFICATE: '/nonexistent/ca.crt',
    });
    const vars = ['PORT', 'LOG_LEVEL', 'FLAKY_FAILURE_RATE', 'SLOW_MIN_MS', 'SHUTDOWN_GRACE_MS', 'BODY_LIMIT', 'RANDOM_SEED',
      'APM_AGENT', 'OTEL_EXPORTER_OTLP_PROTOCOL', 'OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_TRACES_SAMPLER', 'OTEL_SDK_DISABLED',
      'OTEL_RESOURCE_ATTRIBUTES', 'OTEL_EXPORTER_OTLP_CERTIFICATE'];
    for (const v of vars) assert.ok(found.some((p) => p.startsWith(v)), `${v} not reported in:\n${found.join('\n')}`);
    assert.equal(found.length, vars.length);
  });

  it('never echoes header values, which carry credentials', () => {
    const found = problems({ OTEL_EXPORTER_OTLP_HEADERS: 'Authorization Bearer s3cr3t' });
    assert.equal(found.length, 1);
    assert.ok(!found[0]!.includes('s3cr3t'));
  });

  it('rejects a port out of range and a rate that is not a number', () => {
    assert.equal(problems({ PORT: '70000', FLAKY_FAILURE_RATE: 'often' }).length, 2);
  });

  it('makes the service exit with code 2 and print every problem on stderr', async () => {
    await assert.rejects(spawnService({ env: { LOG_LEVEL: 'loud', SLOW_MIN_MS: 'x', APM_AGENT: 'other' } }), (error: Error) => {
      assert.match(error.message, new RegExp(`exited with code ${CONFIG_ERROR_EXIT_CODE}`));
      for (const v of ['LOG_LEVEL', 'SLOW_MIN_MS', 'APM_AGENT']) assert.match(error.message, new RegExp(`- ${v}=`));
      return true;
    });
  });
});
