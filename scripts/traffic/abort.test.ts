import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { deadlineSignal } from './abort.js';

describe('deadlineSignal', () => {
  it('aborts after the delay and says it timed out', async () => {
    const d = deadlineSignal(20);
    await sleep(60);
    assert.equal(d.signal.aborted, true);
    assert.equal(d.timedOut(), true);
  });

  it('aborts with the parent, at once when the parent already is aborted', () => {
    const parent = new AbortController();
    const d = deadlineSignal(60_000, parent.signal);
    parent.abort('SIGINT');
    assert.equal(d.signal.aborted, true);
    assert.equal(d.signal.reason, 'SIGINT');
    assert.equal(d.timedOut(), false);
    d.clear();
    const late = deadlineSignal(60_000, parent.signal);
    assert.equal(late.signal.aborted, true);
    late.clear();
  });

  it('never aborts once cleared', async () => {
    const parent = new AbortController();
    const d = deadlineSignal(20, parent.signal);
    d.clear();
    parent.abort();
    await sleep(60);
    assert.equal(d.signal.aborted, false);
  });
});
