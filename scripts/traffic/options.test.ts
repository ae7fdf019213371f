import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TrafficError } from './errors.js';
import { DEFAULTS, redactCredentials, resolveOptions } from './options.js';

describe('resolveOptions', () => {
  it('applies the documented defaults', () => {
    const options = resolveOptions({});
    assert.equal(options.durationSeconds, 60);
    assert.equal(options.baseUrl, 'http://localhost:8080');
    assert.equal(options.namespace, 'sample-service');
    assert.equal(options.scenario, 'steady');
    assert.equal(options.rps, DEFAULTS.rps);
    assert.equal(options.concurrency, DEFAULTS.concurrency);
    assert.equal(options.portForward, false);
    assert.equal(options.json, false);
    assert.equal(options.progress, true);
    assert.equal(options.seed, undefined);
    assert.ok(Object.isFrozen(options));
  });

  it('accepts numbers given as strings and strips a trailing slash from the base URL', () => {
    const options = resolveOptions({ duration: '30', rps: '2.5', seed: '7', baseUrl: 'http://svc:8080/' });
    assert.equal(options.durationSeconds, 30);
    assert.equal(options.rps, 2.5);
    assert.equal(options.seed, 7);
    assert.equal(options.baseUrl, 'http://svc:8080');
  });

  it('reports every invalid value at once', () => {
    let error: unknown;
    try {
      resolveOptions({
        duration: 0,
        rps: -1,
        concurrency: 1.5,
        seed: 2 ** 32,
        maxRequests: 0,
        timeout: 'soon',
        correlationShare: 2,
        scenario: 'meltdown',
        namespace: 'Not_A_Namespace',
        baseUrl: 'ftp://example.com',
      });
    } catch (e) {
      error = e;
    }
    assert.ok(error instanceof TrafficError);
    assert.equal(error.code, 'USAGE');
    assert.equal(error.exitCode, 2);
    for (const name of [
      'duration',
      '--rps',
      '--concurrency',
      '--seed',
      '--max-requests',
      '--timeout',
      '--correlation-share',
      '--scenario',
      '--namespace',
      '--base-url',
    ]) {
      assert.match(error.message, new RegExp(`${name} must`), `mentions ${name}`);
    }
  });

  it('takes credentials out of --base-url into a Basic Authorization header', () => {
    const options = resolveOptions({ baseUrl: 'http://user:s%40cret@svc:8080/' });
    assert.equal(options.baseUrl, 'http://svc:8080');
    assert.equal(options.authorization, `Basic ${Buffer.from('user:s@cret').toString('base64')}`);
    assert.equal(resolveOptions({ baseUrl: 'http://svc:8080' }).authorization, undefined);
  });

  it('never echoes a password from an invalid --base-url', () => {
    assert.throws(
      () => resolveOptions({ baseUrl: 'http://user:hunter2@svc:8080/?q=1' }),
      (error: Error) => /--base-url must be/.test(error.message) && !error.message.includes('hunter2') && error.message.includes('***'),
    );
    assert.equal(redactCredentials('ftp://user:hunter2@host'), 'ftp://user:***@host/');
    assert.equal(redactCredentials('not a url //user:hunter2@x'), 'not a url //***@x');
  });

  it('refuses --base-url together with --port-forward', () => {
    assert.throws(() => resolveOptions({ portForward: true, baseUrl: 'http://localhost:9000' }), /exclude each other/);
    assert.equal(resolveOptions({ portForward: true }).portForward, true);
  });
});
