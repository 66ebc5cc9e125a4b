/**
 * Two timers of kafkajs 2.2.4's RequestQueue (one queue per broker connection) keep an idle process busy.
 * kafkajs has had no release since, so both are corrected once, on its prototype, when the bus loads:
 *
 * - `scheduleCheckPendingRequests` re-arms itself after every response, whether or not a request is queued;
 *   without client-side throttling its delay is negative, so it fires every millisecond, forever, on every
 *   connection that ever had to queue a request. Only a non-empty queue needs the check: `push()` arms it
 *   when it queues a request, and it keeps itself armed until the queue is empty.
 * - the request-timeout sweep runs every 100 ms on a timer of each connection's own, so a service with a
 *   dozen connections (a producer, an admin, two per consumer) wakes a dozen times per period with no
 *   traffic. One timer per process now sweeps every connected queue once a second: requests time out after
 *   30 s (a fetch after its long-poll plus 30 s), so this changes when a timeout is noticed by under 1 s,
 *   and the process wakes once a second for the sweep however many connections it holds.
 *
 * Both replacements keep the original behaviour for queued, throttled and timed-out requests
 * (kafkajs-timers.fix.spec.ts drives a real RequestQueue through each case).
 */

/** The parts of kafkajs' internal RequestQueue that the fix touches (it ships no types for it). */
export interface KafkajsRequestQueue {
  pending: unknown[];
  inflight: Map<number, { sentAt: number | null; requestTimeout: number; timeoutRequest(): void }>;
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  requestTimeoutIntervalId?: NodeJS.Timeout;
  enforceRequestTimeout: boolean;
  requestTimeout: number;
  isConnected(): boolean;
  destroy(): void;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
  scheduleRequestTimeoutCheck(): void;
}

/** kafkajs' own poll of a queue held back by the in-flight limit (CHECK_PENDING_REQUESTS_INTERVAL). */
const PENDING_CHECK_MS = 10;
/** How often in-flight requests are checked against their timeout. */
export const REQUEST_TIMEOUT_SWEEP_MS = 1_000;

const FIXED = Symbol.for('sms.bus.kafkajsTimersFixed');

function scheduleCheckPendingRequests(this: KafkajsRequestQueue): void {
  if (this.throttleCheckTimeoutId || this.pending.length === 0) {
    return;
  }
  const throttledForMs = this.throttledUntil - Date.now();
  this.throttleCheckTimeoutId = setTimeout(
    () => {
      this.throttleCheckTimeoutId = null;
      this.checkPendingRequests();
    },
    throttledForMs > 0 ? throttledForMs : PENDING_CHECK_MS,
  );
}

/** The queues whose in-flight requests the shared sweep checks: those armed and not destroyed since. */
const sweptQueues = new Set<KafkajsRequestQueue>();
let sweepTimer: NodeJS.Timeout | null = null;

function sweepRequestTimeouts(): void {
  const now = Date.now();
  for (const queue of sweptQueues) {
    queue.inflight.forEach((request) => {
      if (request.sentAt !== null && now - request.sentAt > request.requestTimeout) {
        request.timeoutRequest();
      }
    });
    if (!queue.isConnected()) {
      queue.destroy();
    }
  }
}

function stopSweepWhenEmpty(): void {
  if (sweptQueues.size === 0 && sweepTimer) {
    clearInterval(sweepTimer);
    sweepTimer = null;
  }
}

function scheduleRequestTimeoutCheck(this: KafkajsRequestQueue): void {
  if (!this.enforceRequestTimeout) {
    return;
  }
  this.destroy();
  sweptQueues.add(this);
  sweepTimer ??= setInterval(sweepRequestTimeouts, REQUEST_TIMEOUT_SWEEP_MS);
}

/** kafkajs' destroy (clears the queue's own timers), and the queue leaves the shared sweep. */
function withdrawFromSweep(destroy: () => void): (this: KafkajsRequestQueue) => void {
  return function destroyQueue(this: KafkajsRequestQueue): void {
    sweptQueues.delete(this);
    stopSweepWhenEmpty();
    destroy.call(this);
  };
}

/** Queues the shared sweep holds (for the spec). */
export function sweptQueueCount(): number {
  return sweptQueues.size;
}

/**
 * Patches kafkajs' RequestQueue prototype once per process (idempotent). Returns false, leaving kafkajs as it
 * is, when its internals are not the ones this was written for (another kafkajs version): the spec then fails.
 */
export function fixKafkajsTimers(): boolean {
  let RequestQueue: { prototype: Partial<KafkajsRequestQueue> & { [FIXED]?: true } };
  try {
    // kafkajs exposes the class only by its internal path; the fix must reach the instances it creates.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    RequestQueue = require('kafkajs/src/network/requestQueue') as typeof RequestQueue;
  } catch {
    return false;
  }
  const prototype = RequestQueue.prototype;
  if (prototype[FIXED]) {
    return true;
  }
  if (
    typeof prototype.scheduleCheckPendingRequests !== 'function' ||
    typeof prototype.scheduleRequestTimeoutCheck !== 'function' ||
    typeof prototype.checkPendingRequests !== 'function' ||
    typeof prototype.destroy !== 'function'
  ) {
    return false;
  }
  prototype.scheduleCheckPendingRequests = scheduleCheckPendingRequests;
  prototype.scheduleRequestTimeoutCheck = scheduleRequestTimeoutCheck;
  prototype.destroy = withdrawFromSweep(prototype.destroy);
  prototype[FIXED] = true;

  return true;
}
