/**
 * The live progress line on stderr: rewritten in place (carriage return) on a terminal, printed as
 * a plain line every few seconds otherwise (CI logs, pipes), off with --no-progress.
 */
export interface ProgressStream {
  write(chunk: string): unknown;
  readonly isTTY?: boolean;
}

export interface ProgressReporter {
  /** Prints the final state and stops the timer. */
  stop(): void;
}

export const TTY_INTERVAL_MS = 500;
export const PLAIN_INTERVAL_MS = 5_000;

export function startProgress(stream: ProgressStream, enabled: boolean, render: () => string): ProgressReporter {
  if (!enabled) return { stop: () => undefined };
  const tty = stream.isTTY === true;
  const draw = (): void => {
    stream.write(tty ? `\r\x1b[2K${render()}` : `${render()}\n`);
  };
  const timer = setInterval(draw, tty ? TTY_INTERVAL_MS : PLAIN_INTERVAL_MS);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      draw();
      if (tty) stream.write('\n');
    },
  };
}
