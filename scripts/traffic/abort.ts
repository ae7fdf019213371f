/**
 * A signal that aborts after a delay or when a parent signal aborts, whichever comes first.
 * Not `AbortSignal.any([parent, AbortSignal.timeout(ms)])`: Node holds a timeout signal only
 * weakly inside any(), so a garbage collection can drop it and the timeout never fires
 * (nodejs/node#57736). Here the timer holds the controller strongly until clear().
 */
export interface DeadlineSignal {
  readonly signal: AbortSignal;
  /** True when the delay, not the parent, aborted it. */
  timedOut(): boolean;
  /** Stops the timer and detaches from the parent; call when the guarded work is done. */
  clear(): void;
}

export function deadlineSignal(ms: number, parent?: AbortSignal): DeadlineSignal {
  const controller = new AbortController();
  let timedOut = false;
  const onParentAbort = (): void => controller.abort(parent?.reason);
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new DOMException(`timed out after ${ms} ms`, 'TimeoutError'));
  }, ms);
  if (parent?.aborted) onParentAbort();
  else parent?.addEventListener('abort', onParentAbort, { once: true });
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    clear() {
      clearTimeout(timer);
      parent?.removeEventListener('abort', onParentAbort);
    },
  };
}
