import { ApiError } from '@sms/platform';
import { encodeMaskCursor, parseMaskListQuery } from './mask-list-query';

const codeOf = (query: Record<string, unknown>): string => {
  try {
    parseMaskListQuery(query);
  } catch (error) {
    return error instanceof ApiError ? error.code : 'not an ApiError';
  }

  return 'accepted';
};

describe('parseMaskListQuery', () => {
  it('defaults to 50 sessions of any status, and reads a cursor it made', () => {
    expect(parseMaskListQuery({})).toEqual({ limit: 50 });
    const after = { createdAt: new Date('2026-12-01T10:00:00.000Z'), id: '0193a1b2-0000-4000-8000-000000000001' };
    expect(parseMaskListQuery({ limit: '10', status: 'closed', cursor: encodeMaskCursor(after) })).toEqual({
      limit: 10,
      status: 'closed',
      after,
    });
  });

  it.each<[Record<string, unknown>, string]>([
    [{ limit: '0' }, 'INVALID_LIMIT'],
    [{ limit: '201' }, 'INVALID_LIMIT'],
    [{ limit: '2.5' }, 'INVALID_LIMIT'],
    [{ limit: ['1', '2'] }, 'INVALID_LIMIT'],
    [{ status: 'expired' }, 'INVALID_STATUS'],
    [{ cursor: 'not-ours' }, 'INVALID_CURSOR'],
    [{ cursor: Buffer.from('2026-12-01T10:00:00Z|x').toString('base64url') }, 'INVALID_CURSOR'],
    [{ sort: 'asc' }, 'UNKNOWN_PARAMETER'],
  ])('refuses %p with %s', (query, code) => {
    expect(codeOf(query)).toBe(code);
  });
});
