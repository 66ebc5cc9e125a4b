import { Agent, request } from 'undici';

/**
 * The simulator's HTTP client for the webhooks it posts (two receipts per message, at the message rate).
 * undici's `request` on a keep-alive Agent of its own rather than the global `fetch`: fetch builds WHATWG
 * Request, Headers, Response and stream objects around every exchange, which showed as the largest part of
 * the simulator's CPU per receipt; `request` hands back the status and a body we discard. The Agent is this
 * simulator's, so closing the simulator closes its connections and nothing outlives a test.
 *
 * At most WEBHOOK_CONNECTIONS connections per gateway origin: without a cap a burst of receipts opened one
 * connection per receipt in flight (hundreds, each a socket and parser on both ends, in the embedded
 * gateway's own process), and closed them all when the keep-alive ran out. Beyond the cap a post waits in
 * the Agent's queue; its timeout still counts from the send, and a timed-out receipt is retried.
 */
export const WEBHOOK_CONNECTIONS = 32;

export class WebhookClient {
  private readonly agent = new Agent({ keepAliveTimeout: 4_000, connections: WEBHOOK_CONNECTIONS });

  /** The answer's HTTP status; throws when no answer came (refused, reset, aborted). */
  async send(
    url: string,
    method: 'GET' | 'POST',
    headers: Readonly<Record<string, string>>,
    body: string | null,
    signal: AbortSignal,
  ): Promise<number> {
    const response = await request(url, { dispatcher: this.agent, method, headers, body, signal });
    await response.body.dump().catch(() => undefined);

    return response.statusCode;
  }

  close(): void {
    void this.agent.destroy().catch(() => undefined);
  }
}
