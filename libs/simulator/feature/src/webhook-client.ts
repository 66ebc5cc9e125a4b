import { Agent, type Dispatcher } from 'undici';

/**
 * The simulator's HTTP client for the webhooks it posts (two receipts per message, at the message rate).
 * undici's dispatcher on a keep-alive Agent of its own rather than the global `fetch` or undici's `request`:
 * fetch builds WHATWG Request, Headers, Response and stream objects around every exchange, and `request` an
 * async resource, a parsed header object and a body stream to dump, while a webhook needs the answer's status
 * alone; a handler that keeps the status and drops the body skips all of them. The Agent is this simulator's,
 * so closing the simulator closes its connections and nothing outlives a test.
 *
 * At most WEBHOOK_CONNECTIONS connections per gateway origin: without a cap a burst of receipts opened one
 * connection per receipt in flight (hundreds, each a socket and parser on both ends, in the embedded
 * gateway's own process), and closed them all when the keep-alive ran out. Beyond the cap a post waits in
 * the Agent's queue; its timeout still counts from the send, and a timed-out receipt is retried.
 */
export const WEBHOOK_CONNECTIONS = 32;

export class WebhookClient {
  private readonly agent = new Agent({ keepAliveTimeout: 4_000, connections: WEBHOOK_CONNECTIONS });
  /** The last URL split into origin and path: a run's receipts all go to one callback URL. */
  private target: { url: string; origin: string; path: string } | undefined;

  /** The answer's HTTP status once its body has been read; throws when no answer came (refused, reset, aborted). */
  send(
    url: string,
    method: 'GET' | 'POST',
    headers: Readonly<Record<string, string>>,
    body: string | null,
    signal: AbortSignal,
  ): Promise<number> {
    if (signal.aborted) {
      return Promise.reject(abortReason(signal));
    }
    const { origin, path } = this.split(url);

    return new Promise<number>((resolve, reject) => {
      const exchange = new StatusOnly(signal, resolve, reject);
      this.agent.dispatch({ origin, path, method, headers, body }, exchange);
    });
  }

  close(): void {
    void this.agent.destroy().catch(() => undefined);
  }

  private split(url: string): { origin: string; path: string } {
    if (this.target?.url !== url) {
      const parsed = new URL(url);
      this.target = { url, origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
    }

    return this.target;
  }
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('webhook aborted');
}

/**
 * One exchange: settles with the status once the body has ended or broken off (the connection is then free
 * for the next post), or with the error when no status came; the signal aborts it whether it is still queued,
 * sent, or reading the body.
 */
class StatusOnly implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  private statusCode = 0;
  private abortedWith: Error | undefined;
  private readonly onAbort = (): void => {
    this.abortedWith = abortReason(this.signal);
    this.controller?.abort(this.abortedWith);
  };

  constructor(
    private readonly signal: AbortSignal,
    private readonly resolve: (status: number) => void,
    private readonly reject: (error: Error) => void,
  ) {
    signal.addEventListener('abort', this.onAbort, { once: true });
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.abortedWith !== undefined) {
      controller.abort(this.abortedWith);
    }
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number): void {
    this.statusCode = statusCode;
  }

  onResponseData(): void {
    // The body is read and dropped: a receiver's answer to a webhook is its status.
  }

  onResponseEnd(): void {
    this.signal.removeEventListener('abort', this.onAbort);
    this.resolve(this.statusCode);
  }

  onResponseError(_controller: Dispatcher.DispatchController | null, error: Error): void {
    this.signal.removeEventListener('abort', this.onAbort);
    // Once the status came the receiver has answered; a body that breaks off after it does not undo that.
    if (this.statusCode !== 0) {
      this.resolve(this.statusCode);
    } else {
      this.reject(error);
    }
  }
}
