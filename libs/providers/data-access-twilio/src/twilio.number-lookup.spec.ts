import type { ProviderHttp } from '@sms/provider-port';
import { parseTwilioLookup, TwilioNumberLookup } from './twilio.number-lookup';

const AT = '2026-12-07T06:00:00.000Z';
const CONFIG = {
  accountSid: 'ACsimulator00000000000000000000000',
  authToken: 'token',
  baseUrl: 'https://lookups.example',
  timeoutMs: 200,
};

/** Twilio's documented Line Type Intelligence answer (docs: Lookup v2, line_type_intelligence). */
const answer = (lti: Record<string, unknown> | null, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    calling_country_code: '44',
    country_code: 'GB',
    phone_number: '+447400123456',
    national_format: '07400 123456',
    valid: true,
    validation_errors: [],
    line_type_intelligence: lti,
    url: 'https://lookups.twilio.com/v2/PhoneNumbers/+447400123456',
    ...extra,
  });

describe('parseTwilioLookup', () => {
  it('reads the network, carrier and line type', () => {
    const body = answer({
      carrier_name: 'EE Limited',
      error_code: null,
      mobile_country_code: '234',
      mobile_network_code: '30',
      type: 'mobile',
    });

    expect(parseTwilioLookup(200, body, AT)).toEqual({
      outcome: 'found',
      lineType: 'mobile',
      carrierName: 'EE Limited',
      network: { mcc: '234', mnc: '30' },
      source: 'twilio',
      lookedUpAt: AT,
    });
  });

  it('answers found without a network for a landline (null MCC/MNC) and ignores malformed codes', () => {
    const landline = answer({
      carrier_name: 'BT',
      error_code: null,
      mobile_country_code: null,
      mobile_network_code: null,
      type: 'landline',
    });
    const malformed = answer({
      mobile_country_code: '23',
      mobile_network_code: 'x1',
      type: 'mobile',
      error_code: null,
    });

    expect(parseTwilioLookup(200, landline, AT)).toMatchObject({
      outcome: 'found',
      lineType: 'landline',
      network: null,
    });
    expect(parseTwilioLookup(200, malformed, AT)).toMatchObject({ outcome: 'found', network: null });
  });

  it.each([
    ['a 404', 404, JSON.stringify({ code: 20404, message: 'not found', status: 404 }), 'not_found'],
    ['an invalid number', 200, answer(null, { valid: false }), 'not_found'],
    ['bad credentials', 401, JSON.stringify({ code: 20003, status: 401 }), 'refused'],
    ['a rate limit', 429, '{}', 'refused'],
    ['a package error (no access to the country)', 200, answer({ error_code: 60601 }), 'refused'],
    ['a server error', 503, 'upstream', 'error'],
    ['a body that is not JSON', 200, '<html>', 'error'],
    ['no line type package in the answer', 200, answer(null), 'error'],
  ])('answers unknown for %s', (_what, status, body, reason) => {
    expect(parseTwilioLookup(status, body, AT)).toEqual({
      outcome: 'unknown',
      reason,
      source: 'twilio',
      lookedUpAt: AT,
    });
  });
});

describe('TwilioNumberLookup', () => {
  it('asks for the line type package with Basic auth, the number escaped in the path', async () => {
    const calls: { url: string; headers: Record<string, string> }[] = [];
    const http: ProviderHttp = async (url, init) => {
      calls.push({ url, headers: init.headers });

      return {
        ok: true,
        status: 200,
        text: async () =>
          answer({ mobile_country_code: '234', mobile_network_code: '15', type: 'mobile', error_code: null }),
      };
    };

    const result = await new TwilioNumberLookup(CONFIG, http, () => new Date(AT)).lookup('+447400123456');

    expect(result).toMatchObject({ outcome: 'found', network: { mcc: '234', mnc: '15' } });
    expect(calls[0]!.url).toBe('https://lookups.example/v2/PhoneNumbers/%2B447400123456?Fields=line_type_intelligence');
    expect(calls[0]!.headers['Authorization']).toBe(
      `Basic ${Buffer.from(`${CONFIG.accountSid}:token`).toString('base64')}`,
    );
  });

  it('answers timeout, never throws, when the source is slower than its timeout', async () => {
    const http: ProviderHttp = (_url, init) =>
      new Promise((_resolve, reject) =>
        init.signal!.addEventListener('abort', () => reject(init.signal!.reason as Error)),
      );
    const started = Date.now();

    const result = await new TwilioNumberLookup(CONFIG, http).lookup('+447400123456');

    expect(result).toMatchObject({ outcome: 'unknown', reason: 'timeout' });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('answers error when the connection fails', async () => {
    const http: ProviderHttp = () => Promise.reject(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }));

    expect(await new TwilioNumberLookup(CONFIG, http).lookup('+447400123456')).toMatchObject({
      outcome: 'unknown',
      reason: 'error',
    });
  });
});
