import { ApiError } from '@sms/platform';
import { parseMaskRequest } from './mask-request';

const codeOf = (input: unknown): string | null => {
  try {
    parseMaskRequest(input);

    return null;
  } catch (error) {
    return error instanceof ApiError ? `${error.code}${error.field ? `:${error.field}` : ''}` : 'THROWN';
  }
};

describe(parseMaskRequest.name, () => {
  it('normalises both parties to E.164 and defaults the TTL', () => {
    expect(parseMaskRequest({ partyA: '+1 415 555 0100', partyB: '+14155550101' })).toEqual({
      partyA: '+14155550100',
      partyB: '+14155550101',
      contextId: null,
      ttlSeconds: 3600,
    });
  });

  it.each<[string, unknown, string]>([
    ['not an object', [], 'INVALID_REQUEST'],
    ['an unknown field', { partyA: '+14155550100', partyB: '+14155550101', ttl: 5 }, 'UNKNOWN_FIELD:ttl'],
    ['no partyA', { partyB: '+14155550101' }, 'INVALID_PHONE_NUMBER:partyA'],
    ['a bad partyB', { partyA: '+14155550100', partyB: '+1555' }, 'INVALID_PHONE_NUMBER:partyB'],
    ['the same party twice', { partyA: '+14155550100', partyB: '+1 415 555 0100' }, 'SAME_PARTIES:partyB'],
    [
      'a long contextId',
      { partyA: '+14155550100', partyB: '+14155550101', contextId: 'x'.repeat(129) },
      'INVALID_CONTEXT_ID:contextId',
    ],
    ['a zero TTL', { partyA: '+14155550100', partyB: '+14155550101', ttlSeconds: 0 }, 'INVALID_TTL:ttlSeconds'],
    ['a fractional TTL', { partyA: '+14155550100', partyB: '+14155550101', ttlSeconds: 1.5 }, 'INVALID_TTL:ttlSeconds'],
    ['a string TTL', { partyA: '+14155550100', partyB: '+14155550101', ttlSeconds: '60' }, 'INVALID_TTL:ttlSeconds'],
  ])('refuses %s', (_name, input, code) => {
    expect(codeOf(input)).toBe(code);
  });
});
