import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startProgress } from './progress.js';

function stream(isTTY: boolean): { write(c: string): void; isTTY: boolean; text: () => string } {
  let text = '';
  return { isTTY, write: (c: string) => void (text += c), text: () => text };
}

describe('progress line', () => {
  it('rewrites one line in place on a terminal and ends it with a newline', () => {
    const tty = stream(true);
    startProgress(tty, true, () => 'sent 5').stop();
    assert.equal(tty.text(), '\r\x1b[2Ksent 5\n');
  });

  it('prints plain lines when not on a terminal', () => {
    const plain = stream(false);
    startProgress(plain, true, () => 'sent 5').stop();
    assert.equal(plain.text(), 'sent 5\n');
  });

  it('prints nothing when disabled', () => {
    const off = stream(true);
    startProgress(off, false, () => 'sent 5').stop();
    assert.equal(off.text(), '');
  });
});
