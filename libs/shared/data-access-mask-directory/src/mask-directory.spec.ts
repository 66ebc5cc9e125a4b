import { MaskDirectory } from './mask-directory';

describe(MaskDirectory.name, () => {
  const POOL = '+12025550160';
  const [A, B] = ['+14155550100', '+14155550101'];
  const MASK = '01a200f9-a8ce-71f8-a6f3-e2e9e67e11d9';
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
      occurredAt: at,
    });
  });

  it('resolves a participant writing to their masked number, and only that', () => {
    expect(sut.resolve(POOL, A)).toEqual({ kind: 'resolved', to: B, from: POOL, maskId: MASK });
    expect(sut.resolve(POOL, null).kind).toBe('unresolved');
    expect(sut.resolve(POOL, B).kind).toBe('unresolved');
    expect(sut.resolve(B, A)).toEqual({ kind: 'not-masked' });
  });

  it('treats an expired or closed assignment as unresolved', () => {
    now = 2_000_001;
    expect(sut.resolve(POOL, A).kind).toBe('unresolved');
    now = 1_000_000;
    sut.apply({ kind: 'assignment', poolNumber: POOL, participant: A, active: false, occurredAt: at });
    expect(sut.resolve(POOL, A).kind).toBe('unresolved');
  });
});
