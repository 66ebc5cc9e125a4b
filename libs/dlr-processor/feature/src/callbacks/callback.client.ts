import { createHmac } from 'node:crypto';
import { type OutboundOutcome, OutboundPoster, type OutboundPosterOptions } from '@sms/platform';

export type CallbackOutcome = OutboundOutcome;

/** hex HMAC-SHA256(secret, timestamp + "." + body), as api.md specifies. */
export const signCallback = (secret: string, timestamp: string, body: string): string =>
  createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');

/** A body signed by its format when it was recorded (Twilio's): sent as is, without our own signature. */
export interface PresignedRequest {
  readonly contentType: string;
  readonly headers: Readonly<Record<string, string>>;
}

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

  /** Posts `body` signed as api.md says, or, with `presigned`, in that format with its own signature. */
  post(url: string, body: string, presigned?: PresignedRequest): Promise<CallbackOutcome> {
    if (presigned) {
      return this.poster.post(url, body, {
        'content-type': presigned.contentType,
        'user-agent': 'sms-gateway-callbacks/1',
        ...presigned.headers,
      });
    }
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
