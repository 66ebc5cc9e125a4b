import { DEFAULT_ACCOUNT_ID } from '@sms/contracts';
import { MaskDirectory } from './mask-directory';

describe(MaskDirectory.name, () => {
  const POOL = '+12025550160';
  const [A, B] = ['+14155550100', '+14155550101'];
  const MASK = '01a200f9-a8ce-71f8-a6f3-e2e9e67e11d9';
  const ACME = '6a4f1c1e-0d39-4c43-9a51-0b3a1e7d2f10';
  let now = 1_000_000;
  const sut = new MaskDirectory(() => now);
  const at = new Date(0).toISOString();

  beforeAll(() => {
    sut.apply({ kind: 'pool', poolNumber: POOL, active: true, occurredAt: at });
    sut.apply({
      kind: 'assignment',
      poolNumber: POOL,
      participant: A,
      active: true,
      maskId: MASK,
      destination: B,
      sender: POOL,
      expiresAt: new Date(2_000_000).toISOString(),
      accountId: ACME,
      occurredAt: at,
    });
  });

  it('resolves a participant writing to their masked number, and only that', () => {
    expect(sut.resolve(POOL, A, ACME)).toEqual({ kind: 'resolved', to: B, from: POOL, maskId: MASK });
    expect(sut.resolve(POOL, null, ACME).kind).toBe('unresolved');
    expect(sut.resolve(POOL, B, ACME).kind).toBe('unresolved');
    expect(sut.resolve(B, A, ACME)).toEqual({ kind: 'not-masked' });
  });

  it("tells the account of a participant's session on a pool number", () => {
    expect(sut.accountOfSession(POOL, A)).toBe(ACME);
    expect(sut.accountOfSession(POOL, B)).toBeNull();
  });

  it("does not resolve another account's session", () => {
    expect(sut.resolve(POOL, A, DEFAULT_ACCOUNT_ID).kind).toBe('unresolved');
  });

  it('treats an expired or closed assignment as unresolved', () => {
    now = 2_000_001;
    expect(sut.resolve(POOL, A, ACME).kind).toBe('unresolved');
    now = 1_000_000;
    sut.apply({ kind: 'assignment', poolNumber: POOL, participant: A, active: false, occurredAt: at });
    expect(sut.resolve(POOL, A, ACME).kind).toBe('unresolved');
  });
});
