import { createHash } from 'node:crypto';
import { randomHex } from './sim-random';
import type { ErrorRates } from './simulator.knobs';
import { pickOne, type Rng } from './simulator.rng';

/** A refused part of the SMS API's always-200 answer: `{status, error-text}` (providers.md §2). */
export interface VonageRefusal {
  readonly status: string;
  readonly errorText: string;
}

export const VONAGE_THROTTLED: VonageRefusal = { status: '1', errorText: 'Throttled' };

/**
 * Credentials in Vonage's order: api_key, then secret XOR signature (both → 32), then the value. The sim
 * accepts any `timestamp` with a valid `sig`; real Vonage also checks the clock, which tests cannot rely on.
 */
export function checkVonageAuth(
  params: Readonly<Record<string, string>>,
  credentials: { apiKey: string; apiSecret: string; signatureSecret: string },
): VonageRefusal | null {
  const { api_key: apiKey, api_secret: apiSecret, sig } = params;
  if (!apiKey) {
    return { status: '2', errorText: 'Missing api_key' };
  }
  if (apiSecret !== undefined && sig !== undefined) {
    return { status: '32', errorText: 'Signature and api secret cannot be used together' };
  }
  if (apiKey !== credentials.apiKey) {
    return { status: '4', errorText: 'Bad Credentials' };
  }
  if (sig !== undefined) {
    return sig.toLowerCase() === signVonageParams(credentials.signatureSecret, params)
      ? null
      : { status: '14', errorText: 'Invalid Signature' };
  }

  return apiSecret === credentials.apiSecret ? null : { status: '4', errorText: 'Bad Credentials' };
}

/** Vonage's own request checks, in the order it reports them. */
export function validateVonageSubmit(params: Readonly<Record<string, string>>): VonageRefusal | null {
  for (const field of ['from', 'to', 'text'] as const) {
    if (!params[field]) {
      return { status: '2', errorText: `Missing ${field} param` };
    }
  }
  if (!/^\d{7,15}$/.test(params['to'] ?? '')) {
    return { status: '3', errorText: 'Invalid to param' };
  }
  if ((params['text'] ?? '').length > 3200) {
    return { status: '12', errorText: 'Message too long' };
  }
  const callback = params['callback'];
  if (callback !== undefined && !/^https?:\/\//.test(callback)) {
    return { status: '23', errorText: 'Invalid callback url' };
  }

  return null;
}

/** One roll against the error knobs, answered with statuses Vonage really uses for each class. */
export function injectedVonageError(rng: Rng, rates: ErrorRates): VonageRefusal | null {
  const roll = rng();
  let threshold = rates.transient;
  if (roll < threshold) {
    return pickOne(rng, [VONAGE_THROTTLED, { status: '5', errorText: 'Internal Error' }]);
  }
  threshold += rates.permanent;
  if (roll < threshold) {
    return pickOne(rng, [
      { status: '6', errorText: 'Invalid Message: unroutable prefix' },
      { status: '15', errorText: 'Illegal Sender Address - rejected' },
    ]);
  }
  threshold += rates.optedOut;
  if (roll < threshold) {
    return pickOne(rng, [
      { status: '7', errorText: 'Number barred' },
      { status: '33', errorText: 'Number de-activated' },
    ]);
  }
  threshold += rates.configuration;
  if (roll < threshold) {
    return pickOne(rng, [
      { status: '8', errorText: 'Partner account barred' },
      { status: '9', errorText: 'Partner quota exceeded' },
      { status: '29', errorText: 'Non White-listed Destination' },
    ]);
  }

  return null;
}

/** Vonage ids are 16-18 uppercase hex characters; from crypto so they stay unique across seeded runs. */
export function newVonageMessageId(): string {
  return randomHex(8).toUpperCase();
}

/**
 * md5hash signature (the dashboard default): md5 of the sorted `&key=value` string plus the secret. Written
 * independently of the adapter's verifier so the simulator spec cross-checks two implementations.
 */
export function signVonageParams(secret: string, params: Readonly<Record<string, string>>): string {
  const data = Object.entries(params)
    .filter(([key]) => key !== 'sig')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `&${key}=${value.replace(/&/g, '_').replace(/=/g, '_')}`)
    .join('');

  return createHash('md5')
    .update(data + secret, 'utf8')
    .digest('hex');
}

/** `YYMMDDHHMM` (scts) and `YYYY-MM-DD HH:MM:SS` (message-timestamp), UTC. */
export function vonageTimes(date: Date): { scts: string; messageTimestamp: string } {
  const iso = date.toISOString();

  return {
    scts: iso.replace(/^\d{2}(\d{2})-(\d{2})-(\d{2})T(\d{2}):(\d{2}).*$/, '$1$2$3$4$5'),
    messageTimestamp: iso.replace(/^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2}).*$/, '$1 $2'),
  };
}
