import { isTracingActive, tracedHttpCall } from '@sms/tracing';
import { Agent, request } from 'undici';
import {
  checkOutboundUrl,
  type OutboundPolicy,
  OutboundRefusedError,
  pinnedLookup,
  type Resolver,
  systemResolver,
} from './outbound-address.policy';

/** What one POST to a caller's URL came to. */
export type OutboundOutcome =
  | { readonly kind: 'delivered'; readonly statusCode: number }
  | { readonly kind: 'failed'; readonly statusCode?: number; readonly error: string }
  | { readonly kind: 'refused'; readonly error: string };

export interface OutboundPosterOptions extends OutboundPolicy {
  readonly timeoutMs?: number;
  readonly resolver?: Resolver;
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
 * POSTs a JSON body to a caller-chosen URL with undici, SSRF-safe: the URL passes the outbound address
 * policy before each attempt, and the Agent's connections resolve and check the address themselves (see
 * pinnedLookup), so a name cannot be re-pointed at a private address between the check and the connect.
 * Redirects are never followed (undici's request does not follow them): a 3xx is a failed attempt. Shared
 * by the per-message callbacks (dlr-processor) and the account webhooks (intake); each signs its own way.
 */
export class OutboundPoster {
  private readonly agent: Agent;

  constructor(private readonly options: OutboundPosterOptions) {
    this.agent = new Agent({
      connect: { lookup: pinnedLookup(options, options.resolver ?? systemResolver), timeout: 5_000 },
      headersTimeout: options.timeoutMs ?? 10_000,
      bodyTimeout: options.timeoutMs ?? 10_000,
      keepAliveTimeout: 4_000,
    });
  }

  async post(url: string, body: string, headers: Readonly<Record<string, string>>): Promise<OutboundOutcome> {
    try {
      checkOutboundUrl(url, this.options);
    } catch (error) {
      return { kind: 'refused', error: error instanceof Error ? error.message : 'refused' };
    }
    const sent = { 'content-type': 'application/json', ...headers };
    try {
      // Traced, the POST is a CLIENT span and carries its `traceparent` (a header, outside any signed body).
      const statusCode = isTracingActive()
        ? (await tracedHttpCall('POST', url, (trace) => this.send(url, { ...sent, ...trace }, body))).status
        : (await this.send(url, sent, body)).status;
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

/**
 * Exponential backoff with equal jitter: base·2^(n-1) for the n-th failed attempt, capped at `maxMs`,
 * half of it fixed and half random, so retries of many receivers that failed together spread out.
 */
export function backoffDelayMs(attempts: number, baseMs: number, maxMs: number, random: () => number): number {
  const exponential = Math.min(baseMs * 2 ** Math.min(attempts - 1, 30), maxMs);

  return Math.round(exponential / 2 + random() * (exponential / 2));
}
