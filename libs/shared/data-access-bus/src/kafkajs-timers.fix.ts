/**
 * Two timers of kafkajs 2.2.4's RequestQueue (one queue per broker connection) keep an idle process busy.
 * kafkajs has had no release since, so both are corrected once, on its prototype, when the bus loads:
 *
 * - `scheduleCheckPendingRequests` re-arms itself after every response, whether or not a request is queued;
 *   without client-side throttling its delay is negative, so it fires every millisecond, forever, on every
 *   connection that ever had to queue a request. Only a non-empty queue needs the check: `push()` arms it
 *   when it queues a request, and it keeps itself armed until the queue is empty.
 * - the request-timeout sweep runs every 100 ms per connection. Requests time out after 30 s (a fetch after
 *   its long-poll plus 30 s), so sweeping once a second changes when a timeout is noticed by under 1 s.
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

function scheduleRequestTimeoutCheck(this: KafkajsRequestQueue): void {
  if (!this.enforceRequestTimeout) {
    return;
  }
  this.destroy();
  this.requestTimeoutIntervalId = setInterval(
    () => {
      const now = Date.now();
      this.inflight.forEach((request) => {
        if (request.sentAt !== null && now - request.sentAt > request.requestTimeout) {
          request.timeoutRequest();
        }
      });
      if (!this.isConnected()) {
        this.destroy();
      }
    },
    Math.min(this.requestTimeout, REQUEST_TIMEOUT_SWEEP_MS),
  );
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
    typeof prototype.checkPendingRequests !== 'function'
  ) {
    return false;
  }
  prototype.scheduleCheckPendingRequests = scheduleCheckPendingRequests;
  prototype.scheduleRequestTimeoutCheck = scheduleRequestTimeoutCheck;
  prototype[FIXED] = true;

  return true;
}
