import { DeliveryStatus, type LookupRequest } from '@sms/provider-port';
import { VonageSmsProvider } from './vonage.provider';

const REQUEST: LookupRequest = {
  messageId: '7d7c3d4e-6a0e-4bd3-9d0e-3f4f8d1c2b10',
  to: '+447700900123',
  from: '+447700900000',
  body: 'Your code is 123456',
  notBefore: new Date('2026-03-02T10:00:00Z'),
  notAfter: new Date('2026-03-02T10:00:05Z'),
};

/** A Search API message record (GET /search/message). */
const RECORD = {
  'message-id': '0B00000012345678',
  'account-id': 'abcd1234',
  network: '23410',
  from: '447700900000',
  to: '447700900123',
  body: 'Your code is 123456',
  price: '0.03330000',
  'date-received': '2026-03-02 10:00:01',
  'final-status': 'DELIVRD',
  'date-closed': '2026-03-02 10:00:09',
  latency: 8000,
  type: 'MT',
};

function setup(respond: (url: string) => [number, unknown]) {
  const fetch = jest.fn<Promise<Response>, [string, RequestInit]>((url) => {
    const [status, body] = respond(url);

    return Promise.resolve(new Response(JSON.stringify(body), { status }));
  });
  const sut = new VonageSmsProvider(
    {
      apiKey: 'abcd1234',
      apiSecret: 'secret',
      signatureSecret: undefined,
      signatureMethod: 'md5hash',
      baseUrl: 'https://rest.nexmo.com',
      requestTimeoutMs: 10_000,
    } as never,
    fetch,
  );

  return { sut, fetch };
}

describe('VonageSmsProvider.lookup', () => {
  it('GETs /search/message?id= with the API credentials and reads final-status', async () => {
    const { sut, fetch } = setup(() => [200, RECORD]);

    const result = await sut.lookup({ ...REQUEST, providerMessageId: '0B00000012345678' });

    expect(result).toEqual({
      outcome: 'found',
      providerMessageId: '0B00000012345678',
      status: DeliveryStatus.Delivered,
      providerStatus: 'DELIVRD',
    });
    const url = new URL(fetch.mock.calls[0]?.[0] ?? '');
    expect(`${url.origin}${url.pathname}`).toBe('https://rest.nexmo.com/search/message');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      api_key: 'abcd1234',
      api_secret: 'secret',
      id: '0B00000012345678',
    });
  });

  it('reads a message without a final status yet as sent, and 404 as not_found', async () => {
    const pending = setup(() => [200, { ...RECORD, 'final-status': null, 'date-closed': null }]);
    expect(await pending.sut.lookup({ ...REQUEST, providerMessageId: 'x' })).toMatchObject({
      status: DeliveryStatus.Sent,
    });
    const missing = setup(() => [404, { 'error-code': '404', 'error-code-label': 'message not found' }]);
    expect(await missing.sut.lookup({ ...REQUEST, providerMessageId: 'x' })).toEqual({ outcome: 'not_found' });
  });

  it('without an id, searches the day by recipient and matches sender, text and time', async () => {
    const { sut, fetch } = setup(() => [
      200,
      { count: 2, items: [{ ...RECORD, 'message-id': 'other', body: 'another text' }, RECORD] },
    ]);

    expect(await sut.lookup(REQUEST)).toMatchObject({ outcome: 'found', providerMessageId: '0B00000012345678' });
    const url = new URL(fetch.mock.calls[0]?.[0] ?? '');
    expect(`${url.pathname}?date=${url.searchParams.get('date')}&to=${url.searchParams.get('to')}`).toBe(
      '/search/messages?date=2026-03-02&to=447700900123',
    );
  });

  it('takes the record carrying our client-ref and skips those carrying another', async () => {
    const ours = { ...RECORD, 'message-id': 'ours', 'client-ref': REQUEST.messageId };
    const theirs = { ...RECORD, 'message-id': 'theirs', 'client-ref': 'another-message-id' };
    const { sut } = setup(() => [200, { count: 3, items: [theirs, RECORD, ours] }]);

    expect(await sut.lookup(REQUEST)).toMatchObject({ outcome: 'found', providerMessageId: 'ours' });
    expect(
      await setup(() => [200, { count: 1, items: [theirs] }]).sut.lookup({ ...REQUEST, notAfter: REQUEST.notBefore }),
    ).toEqual({ outcome: 'not_found' });
  });

  it('answers unknown, never a guess, when two records without a client-ref fit', async () => {
    const { sut } = setup(() => [200, { count: 2, items: [RECORD, { ...RECORD, 'message-id': '0B00000012345679' }] }]);

    expect(await sut.lookup(REQUEST)).toMatchObject({ outcome: 'unknown' });
  });

  it('answers not_found when the day holds no match, and unknown when Vonage fails', async () => {
    expect(await setup(() => [200, { count: 0, items: [] }]).sut.lookup(REQUEST)).toEqual({ outcome: 'not_found' });
    expect((await setup(() => [500, {}]).sut.lookup(REQUEST)).outcome).toBe('unknown');
  });
});
