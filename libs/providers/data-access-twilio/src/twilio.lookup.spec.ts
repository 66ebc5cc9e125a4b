import { DeliveryStatus, ErrorClass, type LookupRequest } from '@sms/provider-port';
import type { TwilioConfig } from './twilio.config';
import { TwilioSmsProvider } from './twilio.provider';

const SID = 'AC0123456789abcdef0123456789abcdef';
const CONFIG: TwilioConfig = {
  accountSid: SID,
  authToken: 'f00dfeedf00dfeedf00dfeedf00dfeed',
  baseUrl: 'https://api.twilio.com',
  requestTimeoutMs: 10_000,
};
const MESSAGES = `https://api.twilio.com/2010-04-01/Accounts/${SID}/Messages`;
const MESSAGE_SID = 'SM0123456789abcdef0123456789abcdef';

const REQUEST: LookupRequest = {
  messageId: '7d7c3d4e-6a0e-4bd3-9d0e-3f4f8d1c2b10',
  to: '+15558675310',
  from: '+15017122661',
  body: 'Your code is 123456',
  notBefore: new Date('2026-03-02T10:00:00Z'),
  notAfter: new Date('2026-03-02T10:00:05Z'),
};

/** A Message resource as `GET …/Messages/{Sid}.json` answers it (Twilio's documented fields). */
function resource(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    account_sid: SID,
    api_version: '2010-04-01',
    body: 'Your code is 123456',
    date_created: 'Mon, 02 Mar 2026 10:00:01 +0000',
    date_sent: 'Mon, 02 Mar 2026 10:00:02 +0000',
    date_updated: 'Mon, 02 Mar 2026 10:00:09 +0000',
    direction: 'outbound-api',
    error_code: null,
    error_message: null,
    from: '+15017122661',
    messaging_service_sid: null,
    num_media: '0',
    num_segments: '1',
    price: '-0.00790',
    price_unit: 'USD',
    sid: MESSAGE_SID,
    status: 'delivered',
    to: '+15558675310',
    uri: `/2010-04-01/Accounts/${SID}/Messages/${MESSAGE_SID}.json`,
    ...fields,
  };
}

function page(messages: unknown[], nextPageUri: string | null = null): Record<string, unknown> {
  return {
    messages,
    page: 0,
    page_size: 50,
    start: 0,
    end: Math.max(0, messages.length - 1),
    first_page_uri: `/2010-04-01/Accounts/${SID}/Messages.json?To=%2B15558675310&From=%2B15017122661&PageSize=50&Page=0`,
    next_page_uri: nextPageUri,
    previous_page_uri: null,
    uri: `/2010-04-01/Accounts/${SID}/Messages.json?To=%2B15558675310&From=%2B15017122661&PageSize=50&Page=0`,
  };
}

function setup(status: number, body: unknown) {
  const fetch = jest.fn<Promise<Response>, [string, RequestInit]>(() =>
    Promise.resolve(new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })),
  );

  return { sut: new TwilioSmsProvider(CONFIG, fetch), fetch };
}

describe('TwilioSmsProvider.lookup by SID', () => {
  it('GETs Messages/{Sid}.json with basic auth and reads a final status', async () => {
    const { sut, fetch } = setup(200, resource());

    const result = await sut.lookup({ ...REQUEST, providerMessageId: MESSAGE_SID });

    expect(result).toEqual({
      outcome: 'found',
      providerMessageId: MESSAGE_SID,
      status: DeliveryStatus.Delivered,
      providerStatus: 'delivered',
    });
    const [url, init] = fetch.mock.calls[0] as [string, RequestInit];
    expect([url, init.method]).toEqual([`${MESSAGES}/${MESSAGE_SID}.json`, 'GET']);
    expect((init.headers as Record<string, string>)['Authorization']).toBe(
      `Basic ${Buffer.from(`${SID}:${CONFIG.authToken}`).toString('base64')}`,
    );
  });

  it('reads an undelivered message with its error code and class', async () => {
    const { sut } = setup(
      200,
      resource({ status: 'undelivered', error_code: 30005, error_message: 'Unknown handset' }),
    );

    expect(await sut.lookup({ ...REQUEST, providerMessageId: MESSAGE_SID })).toEqual({
      outcome: 'found',
      providerMessageId: MESSAGE_SID,
      status: DeliveryStatus.Undelivered,
      providerStatus: 'undelivered',
      errorCode: '30005',
      errorClass: ErrorClass.Permanent,
    });
  });

  it('answers not_found on 404 (Twilio error 20404)', async () => {
    const { sut } = setup(404, { code: 20404, message: 'The requested resource was not found', status: 404 });

    expect(await sut.lookup({ ...REQUEST, providerMessageId: MESSAGE_SID })).toEqual({ outcome: 'not_found' });
  });

  it('answers unknown, never not_found, on a server error or a failed request', async () => {
    expect((await setup(503, {}).sut.lookup({ ...REQUEST, providerMessageId: MESSAGE_SID })).outcome).toBe('unknown');
    const rejecting = (): Promise<Response> => Promise.reject(new TypeError('fetch failed'));
    const failing = new TwilioSmsProvider(CONFIG, rejecting);
    expect((await failing.lookup({ ...REQUEST, providerMessageId: MESSAGE_SID })).outcome).toBe('unknown');
  });
});

describe('TwilioSmsProvider.lookup without a SID (ambiguous send)', () => {
  it('lists Messages.json by To and From and finds the one created in the window with the same body', async () => {
    const { sut, fetch } = setup(
      200,
      page([
        resource({ sid: 'SMnewer', body: 'another text', status: 'sent' }),
        resource({ sid: 'SMmatch', status: 'sent' }),
        resource({ sid: 'SMolder', date_created: 'Sun, 01 Mar 2026 09:00:00 +0000' }),
      ]),
    );

    const result = await sut.lookup(REQUEST);

    expect(result).toEqual({
      outcome: 'found',
      providerMessageId: 'SMmatch',
      status: DeliveryStatus.Sent,
      providerStatus: 'sent',
    });
    const url = new URL(fetch.mock.calls[0]?.[0] ?? '');
    expect(`${url.origin}${url.pathname}`).toBe(`${MESSAGES}.json`);
    expect(Object.fromEntries(url.searchParams)).toEqual({ To: REQUEST.to, From: REQUEST.from, PageSize: '50' });
  });

  it('answers not_found when no listed message matches the window and body', async () => {
    const { sut } = setup(
      200,
      page([resource({ sid: 'SMolder', date_created: 'Sun, 01 Mar 2026 09:00:00 +0000' }), resource({ body: 'x' })]),
    );

    expect(await sut.lookup(REQUEST)).toEqual({ outcome: 'not_found' });
  });

  it('answers unknown, never a guess, when two messages with the same text fit the window', async () => {
    const { sut } = setup(
      200,
      page([resource({ sid: 'SMsecond', status: 'sent' }), resource({ sid: 'SMfirst', status: 'delivered' })]),
    );

    expect(await sut.lookup(REQUEST)).toEqual({
      outcome: 'unknown',
      reason: '2 messages with the same text between the pair fit the window',
    });
  });

  it('answers unknown when a full page still lies inside the window (older matches may be on the next page)', async () => {
    const full = Array.from({ length: 50 }, (_, index) => resource({ sid: `SM${index}`, body: 'other' }));
    const { sut } = setup(200, page(full, `/2010-04-01/Accounts/${SID}/Messages.json?Page=1`));

    expect((await sut.lookup(REQUEST)).outcome).toBe('unknown');
  });
});
