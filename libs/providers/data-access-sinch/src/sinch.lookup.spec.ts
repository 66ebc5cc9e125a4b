import { DeliveryStatus, type ErrorClass, type LookupRequest } from '@sms/provider-port';
import { SinchSmsProvider } from './sinch.provider';

const PLAN = 'plan0123';
const BATCHES = `https://us.sms.api.sinch.com/xms/v1/${PLAN}/batches`;
const REQUEST: LookupRequest = {
  messageId: '7d7c3d4e-6a0e-4bd3-9d0e-3f4f8d1c2b10',
  to: '+15558675310',
  from: '+15017122661',
  notBefore: new Date('2026-03-02T10:00:00Z'),
  notAfter: new Date('2026-03-02T10:00:05Z'),
};

function setup(status: number, body: unknown) {
  const fetch = jest.fn<Promise<Response>, [string, RequestInit]>(() =>
    Promise.resolve(new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })),
  );
  const sut = new SinchSmsProvider(
    {
      servicePlanId: PLAN,
      apiToken: 'token',
      callbackSecret: 'secret',
      baseUrl: 'https://us.sms.api.sinch.com',
      requestTimeoutMs: 10_000,
    },
    fetch,
  );

  return { sut, fetch };
}

describe('SinchSmsProvider.lookup', () => {
  it('reads the recipient delivery report of a batch (GET …/batches/{id}/delivery_report/{msisdn})', async () => {
    const { sut, fetch } = setup(200, {
      at: '2026-03-02T10:00:09.120Z',
      batch_id: '01FC66621XXXXX119Z8PMV1QPQ',
      code: 402,
      recipient: '15558675310',
      status: 'Failed',
      type: 'recipient_delivery_report_sms',
      client_reference: REQUEST.messageId,
    });

    const result = await sut.lookup({ ...REQUEST, providerMessageId: '01FC66621XXXXX119Z8PMV1QPQ' });

    expect(result).toEqual({
      outcome: 'found',
      providerMessageId: '01FC66621XXXXX119Z8PMV1QPQ',
      status: DeliveryStatus.Undelivered,
      providerStatus: 'Failed',
      errorCode: '402',
      errorClass: expect.any(String) as ErrorClass,
    });
    const [url, init] = fetch.mock.calls[0] as [string, RequestInit];
    expect(url).toBe(`${BATCHES}/01FC66621XXXXX119Z8PMV1QPQ/delivery_report/15558675310`);
    expect((init.headers as Record<string, string>)['Authorization']).toBe('Bearer token');
  });

  it('answers not_found on 404 and unknown on a server error', async () => {
    expect(await setup(404, { code: 'not_found' }).sut.lookup({ ...REQUEST, providerMessageId: 'b1' })).toEqual({
      outcome: 'not_found',
    });
    expect((await setup(500, {}).sut.lookup({ ...REQUEST, providerMessageId: 'b1' })).outcome).toBe('unknown');
  });

  it('without a batch id, lists batches by our client_reference within the window', async () => {
    const { sut, fetch } = setup(200, {
      count: 1,
      page: 0,
      page_size: 10,
      batches: [
        {
          id: '01FC66621XXXXX119Z8PMV1QPQ',
          to: ['15558675310'],
          from: '15017122661',
          canceled: false,
          body: 'Your code is 123456',
          type: 'mt_text',
          created_at: '2026-03-02T10:00:01.000Z',
          modified_at: '2026-03-02T10:00:01.000Z',
          client_reference: REQUEST.messageId,
        },
      ],
    });

    expect(await sut.lookup(REQUEST)).toMatchObject({
      outcome: 'found',
      providerMessageId: '01FC66621XXXXX119Z8PMV1QPQ',
      status: DeliveryStatus.Sent,
    });
    const url = new URL(fetch.mock.calls[0]?.[0] ?? '');
    expect(`${url.origin}${url.pathname}`).toBe(BATCHES);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_reference: REQUEST.messageId,
      start_date: '2026-03-02T09:59:00.000Z',
      end_date: '2026-03-02T10:01:05.000Z',
      page_size: '10',
    });
  });

  it('answers not_found for an empty batch page', async () => {
    const { sut } = setup(200, { count: 0, page: 0, page_size: 10, batches: [] });

    expect(await sut.lookup(REQUEST)).toEqual({ outcome: 'not_found' });
  });
});
