/**
 * Runs one provider exchange (the request and the read of its body) under a deadline: `exchange` gets a
 * signal that aborts after `ms` with a `TimeoutError`, as `AbortSignal.timeout`'s does, and the timer is
 * cleared as soon as the exchange settles. `AbortSignal.timeout` leaves its timer armed until it fires,
 * whenever the call ended, so every call kept a timer and a signal alive for the whole timeout; an
 * AbortController and a cleared timer cost less than half as much CPU per call (docs/performance.md,
 * "Send-worker: provider call deadlines and connections").
 */
export async function withDeadline<T>(ms: number, exchange: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(timeoutReason()), ms);
  // Like AbortSignal.timeout's: a pending deadline alone does not keep the process alive.
  timer.unref();
  try {
    return await exchange(controller.signal);
  } finally {
    clearTimeout(timer);
  }
}

function timeoutReason(): DOMException {
  return new DOMException('The operation was aborted due to timeout', 'TimeoutError');
}
