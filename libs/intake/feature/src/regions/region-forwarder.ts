import { ApiError, type RegionConfig } from '@sms/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { regionMismatch } from './region-gate';

/** Marks a request one intake forwarded to another: the receiver answers it itself, never forwards again. */
export const FORWARDED_FROM_HEADER = 'x-sms-forwarded-from-region';

/** The request headers the owning region needs: the key (it authenticates again), the body's type, keys. */
const PASSED_REQUEST_HEADERS = ['authorization', 'content-type', 'idempotency-key', 'x-request-id', 'traceparent'];
/** The answer's headers the caller relies on. */
const PASSED_RESPONSE_HEADERS = ['content-type', 'retry-after', 'idempotent-replayed', 'location'];

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Sends a request that belongs to another region to that region's intake (REGIONS) and relays its answer, as a
 * multi-region deployment's front doors do: the message, and every read of it, stays in the region that owns
 * it. No retries (a POST must not run twice; the caller's Idempotency-Key makes its own retry safe). A region
 * that cannot be reached is 503 REGION_UNAVAILABLE: nothing was accepted, and the caller may retry.
 */
export class RegionForwarder {
  constructor(
    private readonly config: RegionConfig,
    private readonly timeoutMs = DEFAULT_TIMEOUT_MS,
  ) {}

  async forward(region: string, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const endpoint = this.config.regions.get(region);
    if (endpoint === undefined || this.config.region === null) {
      throw regionMismatch(region);
    }
    if (request.headers[FORWARDED_FROM_HEADER] !== undefined) {
      // Another region sent it here as ours: the two regions' maps disagree; a second hop could loop.
      throw regionMismatch(region);
    }
    const headers: Record<string, string> = { [FORWARDED_FROM_HEADER]: this.config.region };
    for (const name of PASSED_REQUEST_HEADERS) {
      const value = request.headers[name];
      if (typeof value === 'string') {
        headers[name] = value;
      }
    }
    const hasBody = request.method !== 'GET' && request.method !== 'HEAD' && request.body !== undefined;
    let answer: Response;
    try {
      answer = await fetch(endpoint.intakeUrl + request.url, {
        method: request.method,
        headers,
        body: hasBody ? JSON.stringify(request.body) : undefined,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch {
      throw new ApiError(
        503,
        'REGION_UNAVAILABLE',
        `Region ${region}, which owns this message, cannot be reached; nothing was accepted`,
        undefined,
        { 'retry-after': '5', 'x-sms-region': region },
      );
    }
    const text = await answer.text();
    for (const name of PASSED_RESPONSE_HEADERS) {
      const value = answer.headers.get(name);
      if (value !== null) {
        void reply.header(name, value);
      }
    }
    await reply.header('x-sms-region', region).status(answer.status).send(text);
  }
}
