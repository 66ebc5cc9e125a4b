import { WebhookClient } from './webhook-client';

/**
 * Owns every timer and outgoing request the simulator starts, so `reset` and Fastify's close can cancel them:
 * a test that closes the app must not leave callbacks firing into the next test (or keep Jest alive).
 *
 * Two kinds of work: jobs (delayed callbacks and their HTTP posts) are cancelled by `cancelJobs`; holds
 * (latency and withheld responses inside a request) are only released early, by `close`, so the request
 * can still finish and the server can stop.
 */
export class SimScheduler {
  private readonly jobTimers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<AbortController>();
  private readonly holds = new Set<() => void>();
  private closed = false;
  private generation = 0;
  /** Every webhook the simulator posts goes through this client; `close` drops its connections. */
  readonly http = new WebhookClient();

  get isClosed(): boolean {
    return this.closed;
  }

  /** Changes on every `cancelJobs`: a multi-step job compares it to know it was cancelled between steps. */
  get epoch(): number {
    return this.closed ? -1 : this.generation;
  }

  /** Runs `task` after `delayMs` unless cancelled first. Errors are the task's own business. */
  after(delayMs: number, task: () => Promise<void> | void): void {
    if (this.closed) {
      return;
    }
    const timer = setTimeout(() => {
      this.jobTimers.delete(timer);
      void Promise.resolve()
        .then(task)
        .catch(() => undefined);
    }, delayMs);
    this.jobTimers.add(timer);
  }

  /** An abort signal for one outgoing request, fired by `cancelJobs`/`close` or after `timeoutMs`. */
  async withSignal<T>(timeoutMs: number, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (this.closed) {
      throw new Error('simulator closed');
    }
    // One controller aborted by either cause: AbortSignal.any over a timeout signal costs far more per
    // request (a signal, a timer and weak references per source) than one timer of our own.
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error(`webhook timed out after ${timeoutMs} ms`)), timeoutMs);
    this.inFlight.add(controller);
    try {
      return await run(controller.signal);
    } finally {
      clearTimeout(timer);
      this.inFlight.delete(controller);
    }
  }

  /** Waits `delayMs`, less if `until` aborts or the simulator closes. */
  hold(delayMs: number, until?: AbortSignal): Promise<void> {
    if (delayMs <= 0 || this.closed || until?.aborted) {
      return Promise.resolve();
    }

    return new Promise((resolve) => {
      const release = (): void => {
        clearTimeout(timer);
        this.holds.delete(release);
        until?.removeEventListener('abort', release);
        resolve();
      };
      const timer = setTimeout(release, delayMs);
      this.holds.add(release);
      until?.addEventListener('abort', release, { once: true });
    });
  }

  cancelJobs(): void {
    this.generation += 1;
    for (const timer of this.jobTimers) {
      clearTimeout(timer);
    }
    this.jobTimers.clear();
    for (const controller of this.inFlight) {
      controller.abort();
    }
  }

  close(): void {
    if (!this.closed) {
      this.http.close();
    }
    this.closed = true;
    this.cancelJobs();
    for (const release of [...this.holds]) {
      release();
    }
  }
}
