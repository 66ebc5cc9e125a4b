import { ApiError } from '@sms/platform';
import { parseMessageSearchQuery } from './message-search.query';
import { decodeCursor, encodeCursor, searchScopeDigest } from './page-cursor';

const refusal = (query: Record<string, unknown>) => {
  try {
    parseMessageSearchQuery(query);
  } catch (error) {
    if (error instanceof ApiError) {
      return { status: error.status, code: error.code, field: error.field };
    }
    throw error;
  }
  throw new Error('accepted');
};

describe('GET /v1/messages query', () => {
  it('reads every filter into its typed form', () => {
    expect(
      parseMessageSearchQuery({
        status: ['sent,delivered', 'failed'],
        to: '+447400123456',
        from: 'Acme',
        clientReference: 'order-42',
        provider: 'twilio',
        country: 'gb',
        createdAfter: '2026-01-01',
        createdBefore: '2026-01-31T12:00:00.500+01:00',
        direction: 'outbound',
        limit: '1000',
        cursor: 'abc.def',
      }),
    ).toEqual({
      filters: {
        statuses: ['sent', 'delivered', 'failed'],
        to: '+447400123456',
        from: 'Acme',
        clientReference: 'order-42',
        provider: 'twilio',
        country: 'GB',
        createdAfter: new Date('2026-01-01T00:00:00Z'),
        createdBefore: new Date('2026-01-31T11:00:00.500Z'),
      },
      limit: 1000,
      cursor: 'abc.def',
    });
  });

  it('defaults to 50 messages and no filter', () => {
    expect(parseMessageSearchQuery({})).toEqual({ filters: {}, limit: 50 });
  });

  it('reads an unencoded + (a space after decoding) as the + it was', () => {
    expect(parseMessageSearchQuery({ to: ' 447400123456', from: ' 12025550160' }).filters).toEqual({
      to: '+447400123456',
      from: '+12025550160',
    });
  });

  it.each<[Record<string, unknown>, string, string]>([
    [{ limit: '0' }, 'INVALID_LIMIT', 'limit'],
    [{ limit: '1001' }, 'INVALID_LIMIT', 'limit'],
    [{ limit: 'ten' }, 'INVALID_LIMIT', 'limit'],
    [{ limit: '1.5' }, 'INVALID_LIMIT', 'limit'],
    [{ limit: '-1' }, 'INVALID_LIMIT', 'limit'],
    [{ limit: ['1', '2'] }, 'INVALID_LIMIT', 'limit'],
    [{ status: 'sent,lost' }, 'INVALID_STATUS', 'status'],
    [{ createdAfter: 'yesterday' }, 'INVALID_DATE', 'createdAfter'],
    [{ createdAfter: '2026-02-30' }, 'INVALID_DATE', 'createdAfter'],
    [{ createdBefore: '2026-01-01T12:00:00' }, 'INVALID_DATE', 'createdBefore'],
    [{ createdBefore: '2026-01-01T25:00:00Z' }, 'INVALID_DATE', 'createdBefore'],
    [{ createdAfter: '2026-02-01', createdBefore: '2026-01-01' }, 'INVALID_DATE_RANGE', 'createdAfter'],
    [{ createdAfter: '2026-01-01', createdBefore: '2026-01-01' }, 'INVALID_DATE_RANGE', 'createdAfter'],
    [{ to: '12345' }, 'INVALID_PHONE_NUMBER', 'to'],
    [{ from: 'Far too long a sender' }, 'INVALID_SENDER', 'from'],
    [{ country: 'XX' }, 'INVALID_COUNTRY', 'country'],
    [{ country: 'GBR' }, 'INVALID_COUNTRY', 'country'],
    [{ provider: 'twilio;drop' }, 'INVALID_PROVIDER', 'provider'],
    [{ clientReference: 'x'.repeat(129) }, 'INVALID_CLIENT_REFERENCE', 'clientReference'],
    [{ direction: 'inbound' }, 'INVALID_DIRECTION', 'direction'],
    [{ direction: 'sideways' }, 'INVALID_DIRECTION', 'direction'],
    [{ sort: 'asc' }, 'UNKNOWN_PARAMETER', 'sort'],
    [{ cursor: ['a', 'b'] }, 'INVALID_CURSOR', 'cursor'],
    [{ to: { nested: 'x' } }, 'INVALID_REQUEST', 'to'],
  ])('refuses %j with 422 %s', (query, code, field) => {
    expect(refusal(query)).toEqual({ status: 422, code, field });
  });
});

describe('page cursor', () => {
  const scope = searchScopeDigest({ accountId: 'a', statuses: ['sent'] });
  const position = { at: new Date('2026-01-01T00:00:00.123Z'), id: '0190a1b2-0000-7000-8000-000000000001' };

  it('round-trips a position under the same scope', () => {
    expect(decodeCursor(encodeCursor(position, scope), scope)).toEqual(position);
  });

  it('binds the scope regardless of key order', () => {
    expect(searchScopeDigest({ b: 1, a: 2 })).toBe(searchScopeDigest({ a: 2, b: 1 }));
    expect(searchScopeDigest({ a: 1 })).not.toBe(searchScopeDigest({ a: 2 }));
  });

  it.each([
    ['another scope', (c: string) => c, searchScopeDigest({ accountId: 'b', statuses: ['sent'] })],
    ['an edited payload', (c: string) => `${c[0] === 'A' ? 'B' : 'A'}${c.slice(1)}`, scope],
    ['an edited checksum', (c: string) => `${c.slice(0, -1)}${c.endsWith('A') ? 'B' : 'A'}`, scope],
    ['no checksum', (c: string) => c.split('.')[0]!, scope],
    ['garbage', () => 'not-a-cursor', scope],
    ['too long', () => 'a'.repeat(300), scope],
  ])('refuses %s with INVALID_CURSOR', (_name, tamper, expectedScope) => {
    expect(() => decodeCursor(tamper(encodeCursor(position, scope)), expectedScope)).toThrow(
      expect.objectContaining({ code: 'INVALID_CURSOR', status: 422 }) as Error,
    );
  });
});
