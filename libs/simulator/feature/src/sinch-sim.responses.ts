import { createHmac } from 'node:crypto';
import { randomChars } from './sim-random';
import type { ErrorRates } from './simulator.knobs';
import { pickOne, type Rng } from './simulator.rng';

/** An xms error: HTTP status plus `{code, text}` (providers.md §3). */
export interface SinchApiError {
  readonly status: number;
  readonly code: string;
  readonly text: string;
}

export const SINCH_UNAUTHORIZED: SinchApiError = { status: 401, code: 'unauthorized', text: 'Unauthorized' };
export const SINCH_THROTTLED: SinchApiError = {
  status: 429,
  code: 'too_many_requests',
  text: 'Too many outstanding requests',
};

const DELIVERY_REPORTS = ['none', 'summary', 'full', 'per_recipient', 'per_recipient_final'] as const;
export type SinchDeliveryReport = (typeof DELIVERY_REPORTS)[number];

/** The batch fields the sim checks, in the order Sinch reports them. */
export function validateSinchBatch(batch: Readonly<Record<string, unknown>>): SinchApiError | null {
  const { to, from, body, delivery_report: report, callback_url: callback } = batch;
  if (!Array.isArray(to) || to.length < 1 || to.length > 1000 || !to.every((n) => typeof n === 'string')) {
    return constraint('to must be an array of 1 to 1000 MSISDNs');
  }
  if (!to.every((n: string) => /^\+?\d{7,15}$/.test(n))) {
    return { status: 400, code: 'syntax_invalid_parameter_format', text: 'Invalid MSISDN in to' };
  }
  if (typeof from !== 'string' || from === '') {
    return constraint('from is required');
  }
  if (typeof body !== 'string' || body.length > 1600) {
    return constraint('body must be a string of at most 1600 characters');
  }
  if (report !== undefined && !(DELIVERY_REPORTS as readonly unknown[]).includes(report)) {
    return {
      status: 400,
      code: 'syntax_invalid_parameter_format',
      text: `Unknown delivery_report ${JSON.stringify(report)}`,
    };
  }
  if (report !== undefined && report !== 'none' && (typeof callback !== 'string' || callback === '')) {
    // The sim has no account default callback URL.
    return { status: 403, code: 'missing_callback_url', text: 'Delivery reports requested without a callback URL' };
  }

  return null;
}

function constraint(text: string): SinchApiError {
  return { status: 400, code: 'syntax_constraint_violation', text };
}

/**
 * One roll against the error knobs, answered with statuses and codes Sinch uses for each class. Sinch refuses
 * nobody at send time for opting out (STOP arrives as an MO), so the opted-out rate is not an API error: see
 * the routes, which reject such messages in their delivery report instead.
 */
export function injectedSinchError(rng: Rng, rates: ErrorRates): SinchApiError | 'opted-out' | null {
  const roll = rng();
  let threshold = rates.transient;
  if (roll < threshold) {
    return pickOne(rng, [
      { status: 500, code: 'internal_error', text: 'Internal error' },
      { status: 503, code: 'service_unavailable', text: 'Service unavailable' },
    ]);
  }
  threshold += rates.permanent;
  if (roll < threshold) {
    return pickOne(rng, [
      { status: 400, code: 'syntax_constraint_violation', text: 'Constraint violation' },
      { status: 403, code: 'unknown_group', text: 'Unknown group' },
    ]);
  }
  threshold += rates.optedOut;
  if (roll < threshold) {
    return 'opted-out';
  }
  threshold += rates.configuration;
  if (roll < threshold) {
    return SINCH_UNAUTHORIZED;
  }

  return null;
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A ULID-shaped id (26 Crockford base32 chars, time first), from crypto so ids stay unique across seeds. */
export function newSinchId(now = Date.now()): string {
  let time = '';
  let rest = now;
  for (let i = 0; i < 10; i += 1) {
    time = (CROCKFORD[rest % 32] as string) + time;
    rest = Math.floor(rest / 32);
  }
  const random = randomChars(CROCKFORD, 16);

  return time + random;
}

/**
 * base64(HMAC-SHA256(secret, body.nonce.timestamp)). Written independently of the adapter's verifier so the
 * simulator spec cross-checks two implementations.
 */
export function sinchSignatureHeaders(secret: string, body: string): Record<string, string> {
  const nonce = newSinchId();
  const timestamp = String(Math.floor(Date.now() / 1000));

  return {
    'x-sinch-webhook-signature': createHmac('sha256', secret)
      .update([body, nonce, timestamp].join('.'), 'utf8')
      .digest('base64'),
    'x-sinch-webhook-signature-algorithm': 'HmacSHA256',
    'x-sinch-webhook-signature-nonce': nonce,
    'x-sinch-webhook-signature-timestamp': timestamp,
  };
}
