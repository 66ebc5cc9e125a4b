import { ApiError } from '@sms/platform';
import { parseUsageQuery } from './usage-query';

const OWN = '0a1b2c3d-4e5f-4a6b-8c7d-8e9fa0b1c2d3';
const OTHER = '1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d';
const caller = { accountId: OWN, operator: false };
const operator = { accountId: OWN, operator: true };

function errorOf(query: Record<string, unknown>, who = caller): { status: number; code: string } {
  try {
    parseUsageQuery(query, who);
  } catch (error) {
    if (error instanceof ApiError) {
      return { status: error.status, code: error.code };
    }
    throw error;
  }
  throw new Error('no error');
}

describe(parseUsageQuery.name, () => {
  it("reads a range and groups, scoped to the caller's account", () => {
    expect(
      parseUsageQuery({ from: '2026-12-01', to: '2026-12-07T12:00:00Z', groupBy: 'provider,day' }, caller),
    ).toEqual({
      from: new Date('2026-12-01T00:00:00Z'),
      to: new Date('2026-12-07T12:00:00Z'),
      groupBy: ['provider', 'day'],
      accountId: OWN,
    });
  });

  it('takes repeated groupBy and drops repeats', () => {
    expect(
      parseUsageQuery({ from: '2026-12-01', to: '2026-12-02', groupBy: ['country', 'account,country'] }, caller)
        .groupBy,
    ).toEqual(['country', 'account']);
  });

  it('lets an operator read one account or all of them', () => {
    expect(parseUsageQuery({ from: '2026-12-01', to: '2026-12-02', account: OTHER }, operator).accountId).toBe(OTHER);
    expect(parseUsageQuery({ from: '2026-12-01', to: '2026-12-02', account: 'all' }, operator).accountId).toBeNull();
    expect(parseUsageQuery({ from: '2026-12-01', to: '2026-12-02', account: OWN }, caller).accountId).toBe(OWN);
  });

  it.each<[string, Record<string, unknown>, number, string]>([
    ['no from', { to: '2026-12-02' }, 422, 'INVALID_DATE'],
    ['no to', { from: '2026-12-01' }, 422, 'INVALID_DATE'],
    ['a malformed date', { from: '2026-13-01', to: '2026-12-02' }, 422, 'INVALID_DATE'],
    ['a local time', { from: '2026-12-01T10:00:00', to: '2026-12-02' }, 422, 'INVALID_DATE'],
    ['from after to', { from: '2026-12-02', to: '2026-12-01' }, 422, 'INVALID_DATE_RANGE'],
    ['from equal to to', { from: '2026-12-01', to: '2026-12-01' }, 422, 'INVALID_DATE_RANGE'],
    ['a range over 366 days', { from: '2025-01-01', to: '2026-01-03' }, 422, 'DATE_RANGE_TOO_LONG'],
    ['an unknown group', { from: '2026-12-01', to: '2026-12-02', groupBy: 'provider,month' }, 422, 'INVALID_GROUP_BY'],
    ['an unknown parameter', { from: '2026-12-01', to: '2026-12-02', currency: 'USD' }, 422, 'UNKNOWN_PARAMETER'],
    ['a malformed account', { from: '2026-12-01', to: '2026-12-02', account: 'acme' }, 422, 'INVALID_ACCOUNT'],
    ['another account', { from: '2026-12-01', to: '2026-12-02', account: OTHER }, 403, 'FORBIDDEN'],
    ['every account', { from: '2026-12-01', to: '2026-12-02', account: 'all' }, 403, 'FORBIDDEN'],
  ])('refuses %s', (_name, query, status, code) => {
    expect(errorOf(query)).toEqual({ status, code });
  });

  it('takes exactly 366 days', () => {
    expect(() => parseUsageQuery({ from: '2024-01-01', to: '2025-01-01' }, caller)).not.toThrow();
  });
});
