import { DeliveryStatus } from '@sms/provider-port';
import { lookupFromQueryResponse } from './smpp.lookup';

describe('lookupFromQueryResponse (query_sm_resp)', () => {
  it.each([
    [2, DeliveryStatus.Delivered, 'DELIVERED'],
    [1, DeliveryStatus.Sent, 'ENROUTE'],
    [6, DeliveryStatus.Sent, 'ACCEPTED'],
    [3, DeliveryStatus.Undelivered, 'EXPIRED'],
    [5, DeliveryStatus.Undelivered, 'UNDELIVERABLE'],
    [8, DeliveryStatus.Failed, 'REJECTED'],
  ])('reads message_state %i as %s', (state, status, word) => {
    expect(
      lookupFromQueryResponse(0, { message_id: '5A3F', final_date: '', message_state: state, error_code: 0 }, '5a3f'),
    ).toEqual({ outcome: 'found', providerMessageId: '5a3f', status, providerStatus: word });
  });

  it('keeps the network error_code of a failed message', () => {
    expect(lookupFromQueryResponse(0, { message_state: 5, error_code: 1 }, '5a3f')).toMatchObject({
      errorCode: 'err:1',
    });
  });

  it('answers not_found for ESME_RQUERYFAIL and ESME_RINVMSGID, unknown for any other refusal', () => {
    expect(lookupFromQueryResponse(0x67, {}, 'x')).toEqual({ outcome: 'not_found' });
    expect(lookupFromQueryResponse(0x0c, {}, 'x')).toEqual({ outcome: 'not_found' });
    expect(lookupFromQueryResponse(0x58, {}, 'x').outcome).toBe('unknown');
    expect(lookupFromQueryResponse(0, { message_state: 0 }, 'x').outcome).toBe('unknown');
  });
});
