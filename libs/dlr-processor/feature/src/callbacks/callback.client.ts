import { createHmac } from 'node:crypto';
import { Agent, request } from 'undici';
import {
  checkOutboundUrl,
  type OutboundPolicy,
  OutboundRefusedError,
  pinnedLookup,
  type Resolver,
  systemResolver,
} from '@sms/platform';
import { isTracingActive, tracedHttpCall } from '@sms/tracing';

export type CallbackOutcome =
  | { readonly kind: 'delivered'; readonly statusCode: number }
  | { readonly kind: 'failed'; readonly statusCode?: number; readonly error: string }
  | { readonly kind: 'refused'; readonly error: string };

/** hex HMAC-SHA256(secret, timestamp + "." + body), as api.md specifies. */
export const signCallback = (secret: string, timestamp: string, body: string): string =>
  createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');

/** A body signed by its format when it was recorded (Twilio's): sent as is, without our own signature. */
export interface PresignedRequest {
  readonly contentType: string;
  readonly headers: Readonly<Record<string, string>>;
}

export interface CallbackClientOptions extends OutboundPolicy {
  readonly secret: string;
  readonly timeoutMs?: number;
  readonly resolver?: Resolver;
  readonly now?: () => Date;
}

const errorCodeOf = (error: unknown): string | undefined =>
  typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;

/** Finds our refusal in undici's error chain (it may wrap the socket error). */
function refusalIn(error: unknown): OutboundRefusedError | null {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth++) {
    if (current instanceof OutboundRefusedError || errorCodeOf(current) === 'ERR_OUTBOUND_REFUSED') {
      return current as OutboundRefusedError;
    }
    current = (current as { cause?: unknown }).cause;
  }

  return null;
}

/**
 * POSTs one signed callback with undici. The URL passes the outbound address policy (@sms/platform)
 * again before each attempt, the rules intake applied at registration, and the Agent's connections
 * resolve and check the address themselves (see pinnedLookup). Redirects are never followed (undici's request does not
 * follow them): a 3xx is a failed attempt. The secret is held here and never logged.
 */
export class CallbackClient {
  private readonly agent: Agent;
  private readonly now: () => Date;

  constructor(private readonly options: CallbackClientOptions) {
    this.now = options.now ?? (() => new Date());
    this.agent = new Agent({
      connect: { lookup: pinnedLookup(options, options.resolver ?? systemResolver), timeout: 5_000 },
      headersTimeout: options.timeoutMs ?? 10_000,
      bodyTimeout: options.timeoutMs ?? 10_000,
      keepAliveTimeout: 4_000,
    });
  }

  /** Posts `body` signed as api.md says, or, with `presigned`, in that format with its own signature. */
  async post(url: string, body: string, presigned?: PresignedRequest): Promise<CallbackOutcome> {
    try {
      checkOutboundUrl(url, this.options);
    } catch (error) {
      return { kind: 'refused', error: error instanceof Error ? error.message : 'refused' };
    }
    const timestamp = String(Math.floor(this.now().getTime() / 1000));
    const headers: Record<string, string> = presigned
      ? { 'content-type': presigned.contentType, 'user-agent': 'sms-gateway-callbacks/1', ...presigned.headers }
      : {
          'content-type': 'application/json',
          'user-agent': 'sms-gateway-callbacks/1',
          'x-sms-gateway-timestamp': timestamp,
          'x-sms-gateway-signature': signCallback(this.options.secret, timestamp, body),
        };
    try {
      // Traced, the callback is a CLIENT span and carries its `traceparent` (outside the signed body).
      const statusCode = isTracingActive()
        ? (await tracedHttpCall('POST', url, (trace) => this.send(url, { ...headers, ...trace }, body))).status
        : (await this.send(url, headers, body)).status;
      if (statusCode >= 200 && statusCode < 300) {
        return { kind: 'delivered', statusCode };
      }

      return {
        kind: 'failed',
        statusCode,
        error: statusCode >= 300 && statusCode < 400 ? 'redirect not followed' : `HTTP ${statusCode}`,
      };
    } catch (error) {
      const refusal = refusalIn(error);
      if (refusal) {
        return { kind: 'refused', error: refusal.message };
      }

      return {
        kind: 'failed',
        error: (errorCodeOf(error) ?? (error instanceof Error ? error.message : 'error')).slice(0, 255),
      };
    }
  }

  /** One POST; the body is drained without being read into memory: only the status matters. */
  private async send(url: string, headers: Record<string, string>, body: string): Promise<{ status: number }> {
    const response = await request(url, { method: 'POST', dispatcher: this.agent, headers, body });
    await response.body.dump({ limit: 64 * 1024 });

    return { status: response.statusCode };
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}
