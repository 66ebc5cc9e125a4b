import { createHmac } from 'node:crypto';
import { type OutboundOutcome, OutboundPoster, type OutboundPosterOptions } from '@sms/platform';

export type CallbackOutcome = OutboundOutcome;

/** hex HMAC-SHA256(secret, timestamp + "." + body), as api.md specifies. */
export const signCallback = (secret: string, timestamp: string, body: string): string =>
  createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');

export interface CallbackClientOptions extends OutboundPosterOptions {
  readonly secret: string;
  readonly now?: () => Date;
}

/**
 * POSTs one signed per-message callback through the shared SSRF-safe poster (@sms/platform
 * OutboundPoster): the URL passes the outbound address policy again before each attempt, the rules intake
 * applied at registration. The secret is held here and never logged.
 */
export class CallbackClient {
  private readonly poster: OutboundPoster;
  private readonly now: () => Date;

  constructor(private readonly options: CallbackClientOptions) {
    this.now = options.now ?? (() => new Date());
    this.poster = new OutboundPoster(options);
  }

  post(url: string, body: string): Promise<CallbackOutcome> {
    const timestamp = String(Math.floor(this.now().getTime() / 1000));

    return this.poster.post(url, body, {
      'user-agent': 'sms-gateway-callbacks/1',
      'x-sms-gateway-timestamp': timestamp,
      'x-sms-gateway-signature': signCallback(this.options.secret, timestamp, body),
    });
  }

  close(): Promise<void> {
    return this.poster.close();
  }
}
