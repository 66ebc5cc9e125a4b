import {
  createProviderHttp,
  isMobileNetwork,
  type NumberLookup,
  type NumberLookupResult,
  type ProviderHttp,
} from '@sms/provider-port';

/** Settings of the Twilio Lookup v2 adapter (the account's credentials, its own host). */
export interface TwilioNumberLookupConfig {
  readonly accountSid: string;
  /** Secret. Never log it. */
  readonly authToken: string;
  /** `https://lookups.twilio.com` in production; the simulator's `{base}/sim/twilio-lookups` in tests. No trailing slash. */
  readonly baseUrl: string;
  /** Bounds the whole exchange: the router waits no longer before it routes by prefix. */
  readonly timeoutMs: number;
}

export const TWILIO_LOOKUP_DEFAULT_BASE_URL = 'https://lookups.twilio.com';
export const TWILIO_LOOKUP_SOURCE = 'twilio';

/**
 * Twilio Lookup v2 with the Line Type Intelligence package:
 * `GET /v2/PhoneNumbers/{E164}?Fields=line_type_intelligence`. Answers `unknown` on every failure (never throws).
 */
export class TwilioNumberLookup implements NumberLookup {
  readonly source = TWILIO_LOOKUP_SOURCE;
  private readonly authorization: string;

  constructor(
    private readonly config: TwilioNumberLookupConfig,
    private readonly fetchImpl: ProviderHttp = createProviderHttp(),
    private readonly now: () => Date = () => new Date(),
  ) {
    this.authorization = `Basic ${Buffer.from(`${config.accountSid}:${config.authToken}`).toString('base64')}`;
  }

  async lookup(e164: string): Promise<NumberLookupResult> {
    const url = `${this.config.baseUrl}/v2/PhoneNumbers/${encodeURIComponent(e164)}?Fields=line_type_intelligence`;
    const lookedUpAt = this.now().toISOString();
    try {
      const response = await this.fetchImpl(url, {
        method: 'GET',
        headers: { Authorization: this.authorization, Accept: 'application/json' },
        signal: AbortSignal.timeout(this.config.timeoutMs),
      });
      const text = await response.text();

      return parseTwilioLookup(response.status, text, lookedUpAt);
    } catch (error) {
      return { outcome: 'unknown', reason: isAbort(error) ? 'timeout' : 'error', source: this.source, lookedUpAt };
    }
  }
}

/**
 * Twilio's answer as a lookup result. 200 with `line_type_intelligence` → found (the network only when its
 * MCC and MNC are well formed; Twilio sends null for landlines and numbers it cannot place); 200 with
 * `valid: false` or 404 → not_found; 401/403/429 → refused; anything else, or a body that is not Twilio's → error.
 * A package-level `error_code` (60601: no access for the country, 60600: unprovisioned) is not a network.
 */
export function parseTwilioLookup(status: number, text: string, lookedUpAt: string): NumberLookupResult {
  const unknown = (reason: 'not_found' | 'error' | 'refused'): NumberLookupResult => ({
    outcome: 'unknown',
    reason,
    source: TWILIO_LOOKUP_SOURCE,
    lookedUpAt,
  });
  if (status === 404) {
    return unknown('not_found');
  }
  if (status === 401 || status === 403 || status === 429) {
    return unknown('refused');
  }
  if (status !== 200) {
    return unknown('error');
  }
  const body = parseObject(text);
  if (!body) {
    return unknown('error');
  }
  if (body['valid'] === false) {
    return unknown('not_found');
  }
  const intelligence = body['line_type_intelligence'];
  if (typeof intelligence !== 'object' || intelligence === null || Array.isArray(intelligence)) {
    return unknown('error');
  }
  const lti = intelligence as Record<string, unknown>;
  if (lti['error_code'] !== null && lti['error_code'] !== undefined) {
    return unknown('refused');
  }
  const mcc = lti['mobile_country_code'];
  const mnc = lti['mobile_network_code'];

  return {
    outcome: 'found',
    lineType: typeof lti['type'] === 'string' ? lti['type'] : null,
    carrierName: typeof lti['carrier_name'] === 'string' ? lti['carrier_name'].slice(0, 128) : null,
    network: isMobileNetwork(mcc, mnc) ? { mcc: mcc as string, mnc: mnc as string } : null,
    source: TWILIO_LOOKUP_SOURCE,
    lookedUpAt,
  };
}

function parseObject(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);

    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

function isAbort(error: unknown): boolean {
  const { name, code } = (error ?? {}) as { name?: unknown; code?: unknown };

  return name === 'TimeoutError' || name === 'AbortError' || code === 'UND_ERR_ABORTED';
}
