import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { LineSink, type LineOutput } from '../src/logger.js';

/** An output that records each write and completes it when told (or at once). */
function output(options: { autoComplete?: boolean } = {}) {
  const writes: string[] = [];
  const pending: ((error?: Error | null) => void)[] = [];
  let errorListener: ((error: Error) => void) | undefined;
  let queued = 0;
  const out: LineOutput = {
    get writableLength() {
      return queued;
    },
    write(chunk, callback) {
      writes.push(chunk);
      if (options.autoComplete ?? true) {
        queueMicrotask(() => callback());
        return true;
      }
      queued += chunk.length;
      pending.push((error) => {
        queued -= chunk.length;
        callback(error);
      });
      return false;
    },
    on(_event, listener) {
      errorListener = listener;
    },
  };
  return {
    out,
    writes,
    completeAll: (error?: Error) => {
      for (const done of pending.splice(0)) done(error);
    },
    fail: (error: Error) => errorListener?.(error),
  };
}

describe('the stdout log sink', () => {
  it('writes the lines of one event-loop turn in order with one write', async () => {
    const o = output();
    const sink = new LineSink(o.out);
    for (let i = 0; i < 100; i++) sink.write(`line ${i}\n`);
    assert.equal(o.writes.length, 0, 'nothing is written before the turn ends');
    await nextTurn();
    assert.equal(o.writes.length, 1);
    assert.equal(o.writes[0], Array.from({ length: 100 }, (_, i) => `line ${i}\n`).join(''));
    sink.write('next\n');
    await nextTurn();
    assert.deepEqual(o.writes.slice(1), ['next\n']);
    assert.deepEqual(sink.stats, { droppedLines: 0, pendingLines: 0 });
  });

  it('drops and counts lines beyond its memory bound while the reader does not keep up, then accepts lines again', async () => {
    const o = output({ autoComplete: false });
    const sink = new LineSink(o.out, { maxBytes: 100 });
    for (let i = 0; i < 30; i++) sink.write('0123456789\n');
    // 9 lines of 11 bytes fit in 100 bytes; the other 21 are dropped.
    assert.deepEqual(sink.stats, { droppedLines: 21, pendingLines: 9 });
    await nextTurn();
    sink.write('still full\n');
    assert.equal(sink.stats.droppedLines, 22, 'the queued write still holds the memory');
    o.completeAll();
    sink.write('room again\n');
    await nextTurn();
    assert.equal(o.writes.at(-1), 'room again\n');
    assert.equal(sink.stats.droppedLines, 22);
  });

  it('reports drops at a bounded rate with the count since the last report and the total', async () => {
    const o = output({ autoComplete: false });
    const sink = new LineSink(o.out, { maxBytes: 10, reportIntervalMs: 200 });
    const reports: [number, number][] = [];
    sink.onDropped = (dropped, total) => reports.push([dropped, total]);
    for (let i = 0; i < 5; i++) sink.write('0123456789ab\n');
    await sleep(20);
    assert.deepEqual(reports, [[5, 5]], 'the first drop is reported at once');
    for (let i = 0; i < 3; i++) sink.write('0123456789ab\n');
    await sleep(20);
    assert.equal(reports.length, 1, 'no second report within the interval');
    await sleep(400);
    assert.deepEqual(reports, [[5, 5], [3, 8]]);
  });

  it('does not count its own drop report as a dropped line, so a gone reader gives one report and a steady count', async () => {
    const o = output({ autoComplete: false });
    const sink = new LineSink(o.out, { reportIntervalMs: 30 });
    const reports: [number, number][] = [];
    // As in the service: the report is a log line written through the same sink.
    sink.onDropped = (dropped, total) => {
      reports.push([dropped, total]);
      sink.write('{"log.level":"warn","message":"log lines dropped"}\n');
    };
    o.fail(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    sink.write('a\n');
    await sleep(200);
    assert.deepEqual(reports, [[1, 1]], 'one report for the one application line, none for the report itself');
    assert.equal(sink.stats.droppedLines, 1);
  });

  it('counts every line as dropped once the reader is gone, and a flush still calls back', async () => {
    const o = output({ autoComplete: false });
    const sink = new LineSink(o.out);
    sink.write('a\n');
    sink.write('b\n');
    await nextTurn();
    const flushed = new Promise<void>((resolve) => sink.flush(() => resolve()));
    o.fail(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    o.completeAll(new Error('write EPIPE'));
    await flushed;
    sink.write('c\n');
    await nextTurn();
    assert.equal(o.writes.length, 1, 'nothing more is written to a broken output');
    assert.deepEqual(sink.stats, { droppedLines: 3, pendingLines: 0 });
  });

  it('counts a line the output took at once as written before the write calls back (an exit right after a flush)', () => {
    const o = output();
    const sink = new LineSink(o.out);
    sink.write('fatal\n');
    sink.flushSync();
    assert.equal(o.writes.length, 1);
    assert.deepEqual(sink.stats, { droppedLines: 0, pendingLines: 0 });
  });

  it('stops waiting for a drain at its deadline when the reader never takes the lines', async () => {
    const o = output({ autoComplete: false });
    const sink = new LineSink(o.out);
    sink.write('stuck\n');
    await sink.drain(50);
    assert.deepEqual(sink.stats, { droppedLines: 0, pendingLines: 1 });
  });
});
