import type { KafkajsRequestQueue } from './kafkajs-timers.fix';
import { fixKafkajsTimers, REQUEST_TIMEOUT_SWEEP_MS, sweptQueueCount } from './kafkajs-timers.fix';

fixKafkajsTimers();
// eslint-disable-next-line @typescript-eslint/no-require-imports
const RequestQueue = require('kafkajs/src/network/requestQueue') as new (options: object) => KafkajsRequestQueue & {
  push(request: object): void;
  fulfillRequest(response: { correlationId: number; payload: Buffer | null; size: number }): void;
  maybeThrottle(ms: number | null): void;
};

const logger = { debug: () => undefined, warn: () => undefined, error: () => undefined, info: () => undefined };

function newQueue(options: { maxInFlightRequests?: number; requestTimeout?: number } = {}) {
  return new RequestQueue({
    maxInFlightRequests: options.maxInFlightRequests ?? null,
    requestTimeout: options.requestTimeout ?? 30_000,
    enforceRequestTimeout: true,
    clientId: 'spec',
    broker: 'localhost:9092',
    logger,
  });
}

interface Sent {
  readonly correlationId: number;
  readonly result: Promise<unknown>;
}

function push(queue: ReturnType<typeof newQueue>, correlationId: number, sent: number[]): Sent {
  let resolve!: (value: unknown) => void;
  let reject!: (error: unknown) => void;
  const result = new Promise((res, rej) => {
    resolve = res;
    reject = rej;
  });
  result.catch(() => undefined);
  queue.push({
    entry: { correlationId, apiName: 'Fetch', apiKey: 1, apiVersion: 11, resolve, reject },
    expectResponse: true,
    sendRequest: () => sent.push(correlationId),
  });

  return { correlationId, result };
}

describe('kafkajs RequestQueue timers (fixKafkajsTimers)', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('arms no timer once a response leaves the queue empty (kafkajs re-armed a 1 ms timer forever)', () => {
    const queue = newQueue({ maxInFlightRequests: 1 });
    const sent: number[] = [];
    const first = push(queue, 1, sent);
    push(queue, 2, sent);
    expect(sent).toEqual([1]);
    queue.fulfillRequest({ correlationId: first.correlationId, payload: null, size: 0 });
    expect(sent).toEqual([1, 2]);
    queue.fulfillRequest({ correlationId: 2, payload: null, size: 0 });
    expect(queue.pending).toHaveLength(0);
    // The check armed while request 2 waited fires once more and finds nothing to do.
    jest.advanceTimersByTime(10);
    jest.advanceTimersByTime(10);
    expect(queue.throttleCheckTimeoutId).toBeNull();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('sends a request queued under client-side throttling when the throttle ends, then stops polling', () => {
    const queue = newQueue();
    const sent: number[] = [];
    queue.maybeThrottle(200);
    push(queue, 1, sent);
    expect(sent).toEqual([]);
    jest.advanceTimersByTime(150);
    expect(sent).toEqual([]);
    jest.advanceTimersByTime(100);
    expect(sent).toEqual([1]);
    queue.fulfillRequest({ correlationId: 1, payload: null, size: 0 });
    expect(jest.getTimerCount()).toBe(0);
  });

  it('times out an unanswered request within one sweep of its deadline', async () => {
    const queue = newQueue({ requestTimeout: 5_000 });
    queue.scheduleRequestTimeoutCheck();
    const sent: number[] = [];
    const request = push(queue, 7, sent);
    jest.advanceTimersByTime(5_000);
    await expect(Promise.race([request.result, Promise.resolve('pending')])).resolves.toBe('pending');
    jest.advanceTimersByTime(REQUEST_TIMEOUT_SWEEP_MS);
    await expect(request.result).rejects.toThrow(/timed out/);
    expect(queue.inflight.size).toBe(0);
    queue.destroy();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('sweeps once a second, not every 100 ms', () => {
    const queue = newQueue();
    queue.scheduleRequestTimeoutCheck();
    const isConnected = jest.spyOn(queue, 'isConnected');
    jest.advanceTimersByTime(10_000);
    expect(isConnected).toHaveBeenCalledTimes(10_000 / REQUEST_TIMEOUT_SWEEP_MS);
    queue.destroy();
  });

  it('sweeps every connection from one timer, and stops it when the last queue is destroyed', () => {
    const queues = [newQueue(), newQueue(), newQueue()];
    queues.forEach((queue) => queue.scheduleRequestTimeoutCheck());
    expect(sweptQueueCount()).toBe(3);
    expect(jest.getTimerCount()).toBe(1);
    const checks = queues.map((queue) => jest.spyOn(queue, 'isConnected'));
    jest.advanceTimersByTime(REQUEST_TIMEOUT_SWEEP_MS);
    checks.forEach((check) => expect(check).toHaveBeenCalledTimes(1));
    queues.forEach((queue) => queue.destroy());
    expect(sweptQueueCount()).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('times out a request of every swept connection, not only the first', async () => {
    const queues = [newQueue({ requestTimeout: 5_000 }), newQueue({ requestTimeout: 5_000 })];
    queues.forEach((queue) => queue.scheduleRequestTimeoutCheck());
    const requests = queues.map((queue, i) => push(queue, i + 1, []));
    jest.advanceTimersByTime(5_000 + REQUEST_TIMEOUT_SWEEP_MS);
    for (const request of requests) {
      await expect(request.result).rejects.toThrow(/timed out/);
    }
    queues.forEach((queue) => queue.destroy());
  });

  it('drops a disconnected queue from the sweep, as kafkajs stopped its own timer', () => {
    const connected = newQueue();
    const dropped = newQueue();
    connected.scheduleRequestTimeoutCheck();
    dropped.scheduleRequestTimeoutCheck();
    jest.spyOn(dropped, 'isConnected').mockReturnValue(false);
    jest.advanceTimersByTime(REQUEST_TIMEOUT_SWEEP_MS);
    expect(sweptQueueCount()).toBe(1);
    expect(jest.getTimerCount()).toBe(1);
    connected.destroy();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('is applied once however often it is called', () => {
    const before = RequestQueue.prototype.scheduleCheckPendingRequests;
    expect(fixKafkajsTimers()).toBe(true);
    expect(RequestQueue.prototype.scheduleCheckPendingRequests).toBe(before);
  });
});
